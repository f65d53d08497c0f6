; Protected-mode faults raised on purpose: vector, error code and saved
; EIP for #GP, #NP, #SS, #TS, #UD, the IDT's own faults (IDT bit, EXT bit),
; and the double-fault rule (contributory during contributory -> #DF;
; benign then contributory -> the second alone).  Error codes follow the
; SDM: selector with TI/EXT bits, or vector*8+2 (+1 for EXT) for IDT
; entries.
%include "lib.inc"
%include "pm.inc"

SEL_LDT     equ SEL_FREE            ; an LDT descriptor: not loadable into DS
SEL_NP      equ SEL_FREE + 8        ; a data segment that is not present
SEL_SMALLTSS equ SEL_FREE + 16      ; a TSS whose limit is too small

start:
    PM_ENTER

bits 32
pm_start:
    SETDESC SEL_LDT, 0x0000FFFF, 0x8200
    SETDESC SEL_NP, 0x0000FFFF, 0x00CF1300  ; data, P=0
    SETDESC SEL_SMALLTSS, 0x40000020, 0x8900 ; base 0x4000, limit 0x20

    ; #GP(selector): a system descriptor in DS.
    EXPECT_FAULT .gp1_done
    mov ax, SEL_LDT
.gp1:
    mov ds, ax
    FAIL32 "mov ds, ldt selector"
.gp1_done:
    CHECK_FAULT 13, SEL_LDT, .gp1, "#GP ldt in ds"
    ; #GP(selector): beyond the GDT limit (index 0x80 of 64), RPL bits cleared.
    EXPECT_FAULT .gp2_done
    mov ax, 0x0403
.gp2:
    mov es, ax
    FAIL32 "selector beyond gdt"
.gp2_done:
    CHECK_FAULT 13, 0x400, .gp2, "#GP beyond gdt"
    ; #GP(0): writing through CS.
.gp3:
    EXPECT_FAULT .gp3_done
.gp3_insn:
    mov byte [cs:0], 1
    FAIL32 "write through cs"
.gp3_done:
    CHECK_FAULT 13, 0, .gp3_insn, "#GP write cs"
    ; #GP(0): beyond a data segment's 64 KiB limit.
    mov ax, SEL_DATA16
    mov es, ax
    EXPECT_FAULT .gp4_done
    mov ebx, 0xFFFF
.gp4:
    mov ax, [es:ebx]                ; bytes 0xFFFF and 0x10000
    FAIL32 "beyond es limit"
.gp4_done:
    CHECK_FAULT 13, 0, .gp4, "#GP es limit"

    ; #NP(selector): a segment that is not present.
    EXPECT_FAULT .np_done
    mov ax, SEL_NP
.np:
    mov fs, ax
    FAIL32 "not present fs"
.np_done:
    CHECK_FAULT 11, SEL_NP, .np, "#NP fs"
    ; ... and in SS it is #SS(selector).
    EXPECT_FAULT .ss1_done
    mov ax, SEL_NP
.ss1:
    mov ss, ax
    FAIL32 "not present ss"
.ss1_done:
    CHECK_FAULT 12, SEL_NP, .ss1, "#SS not present"
    ; #SS(0): beyond the stack segment's limit (64 KiB, through EBP).
    mov ax, SEL_DATA16
    mov ss, ax
    EXPECT_FAULT .ss2_done
    mov ebp, 0x10000
.ss2:
    mov eax, [ebp]
    FAIL32 "beyond ss limit"
.ss2_done:
    mov ax, SEL_DATA
    mov ss, ax
    CHECK_FAULT 12, 0, .ss2, "#SS limit"

    ; #TS(selector): a task switch to a TSS whose limit is below 0x67.
    EXPECT_FAULT .ts_done
.ts:
    jmp SEL_SMALLTSS:0
    FAIL32 "jmp to a small tss"
.ts_done:
    CHECK_FAULT 10, SEL_SMALLTSS, .ts, "#TS small tss"
    str ax
    CHECKD eax, SEL_TSS0, "tr after failed switch"
    movzx eax, byte [GDT_BASE + SEL_SMALLTSS + 5]
    CHECKD eax, 0x89, "small tss still available"

    ; #UD: an undefined opcode, MOV from CR1, LOCK on a register operand.
    EXPECT_FAULT .ud1_done
.ud1:
    db 0x0F, 0xFF
.ud1_done:
    CHECK_FAULT 6, 0xFFFFFFFF, .ud1, "#UD 0f ff"
    EXPECT_FAULT .ud2_done
.ud2:
    mov eax, cr1
.ud2_done:
    CHECK_FAULT 6, 0xFFFFFFFF, .ud2, "#UD cr1"
    EXPECT_FAULT .ud3_done
.ud3:
    db 0xF0                         ; LOCK
    add eax, ebx
.ud3_done:
    CHECK_FAULT 6, 0xFFFFFFFF, .ud3, "#UD lock"

    ; The IDT's faults: INT n to a gate that is not present: #NP(vector*8+2),
    ; EXT clear for a software interrupt.
    IDT_GATE 0x40, SEL_CODE32, int40, 0x0E  ; P=0
    EXPECT_FAULT .idt1_done
.idt1:
    int 0x40
.idt1_done:
    CHECK_FAULT 11, 0x40 * 8 + 2, .idt1, "#NP idt gate"
    ; A vector beyond the IDT limit: #GP(vector*8+2).
    lidt [cs:short_idt]
    EXPECT_FAULT .idt2_done
.idt2:
    int 0x41
.idt2_done:
    lidt [cs:idt_pointer]
    CHECK_FAULT 13, 0x41 * 8 + 2, .idt2, "#GP beyond idt"
    ; A present DPL-0 gate works for INT n at CPL 0.
    IDT_GATE 0x40, SEL_CODE32, int40, 0x8E
    mov ebx, 0
    int 0x40
    CHECKD ebx, 0x40, "int 0x40 handler"

    ; Benign then contributory: #UD whose gate is missing gives #NP with
    ; the IDT bit and EXT set (6*8 + 2 + 1), delivered alone.
    mov byte [IDT_BASE + 6 * 8 + 5], 0x0E  ; gate 6: P=0
    EXPECT_FAULT .df1_done
.df1:
    db 0x0F, 0xFF
.df1_done:
    mov byte [IDT_BASE + 6 * 8 + 5], 0x8E
    CHECK_FAULT 11, 6 * 8 + 3, .df1, "#NP for missing #UD gate"
    ; Contributory during contributory: #GP whose gate is missing raises
    ; #NP while delivering #GP: a double fault, error code 0.
    mov byte [IDT_BASE + 13 * 8 + 5], 0x0E
    EXPECT_FAULT .df2_done
    mov ax, SEL_LDT
.df2:
    mov ds, ax
.df2_done:
    mov byte [IDT_BASE + 13 * 8 + 5], 0x8E
    CHECKD dword [REC_COUNT], 1, "#DF count"
    CHECKD dword [REC_VEC], 8, "#DF vector"
    CHECKD dword [REC_ERR], 0, "#DF error code"
    mov dword [REC_RESUME], 0
    PASS32

int40:
    mov ebx, 0x40
    iretd

short_idt:
    dw 0x41 * 8 - 1
    dd IDT_BASE

    PM_END
