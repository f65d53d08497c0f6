; Alignment checking (SDM vol. 3, 6.15 "Interrupt 17", table 6-7): with
; CR0.AM = 1, EFLAGS.AC = 1 and CPL 3, a data access that is not aligned
; on its operand's size raises #AC(0) before anything is changed: words on
; 2, dwords on 4, FPU qwords on 8, FPU environments on 4 (2 with a 16-bit
; operand size), SGDT's image and SLDT/STR's selector on 4; stack pushes
; and read-modify-write operands too; bytes never; FXSAVE's 16-byte area
; gives #GP instead.  At CPL 0, with AC clear, or with AM clear nothing
; faults, and each condition is re-evaluated when it changes (POPF at CPL
; 3 for AC, MOV CR0 for AM).
; The system structures (GDT, IDT, TSS), moved to misaligned addresses
; here, are read and written at CPL 3 without #AC: they are supervisor
; accesses.  Ring 3 runs with paging on, and a misaligned access to a
; page that is not present raises #AC, not #PF: the alignment is checked
; before the translation, by every kind of access alike.
%include "lib.inc"
%include "pm.inc"

DATA        equ 0x6000          ; test operands (a page of their own)
GDT2        equ 0x4002          ; the tables, moved to misaligned bases
IDT2        equ 0x4202
TSS2        equ 0x4A02
DTR_IMAGE   equ 0x5000          ; LGDT/LIDT operands
OTHER       equ 0x5000          ; a page ring 3 reads only while unchecked
SEL_TSS2    equ SEL_FREE
AC          equ 1 << 18         ; EFLAGS.AC, CR0.AM: the same bit
PD          equ 0x20000         ; page directory
PT0         equ 0x21000         ; identity map of 0-4 MiB, user and writable,
MISSING     equ 0x30000         ; but for this page: not present

; EXPECT_AC "label", instruction: the instruction must raise #AC(0).
%macro EXPECT_AC 2+
    EXPECT_FAULT %%done
%%insn:
    %2
    FAIL32 {%1, ": no #AC"}
%%done:
    CHECK_FAULT 17, 0, %%insn, %1
%endmacro

; SET_AC 0/1: EFLAGS.AC through PUSHFD/POPFD (allowed at any CPL).
%macro SET_AC 1
    pushfd
%if %1
    or dword [esp], AC
%else
    and dword [esp], ~AC
%endif
    popfd
%endmacro

; Misaligned accesses that must not fault (CPL 0, or AC/AM clear): a word,
; a dword, a write, a push on a misaligned stack, an FPU qword.
%macro MISALIGNED_OK 0
    mov ax, [DATA + 1]
    mov eax, [DATA + 2]
    mov [DATA + 0x41], eax
    mov ebp, esp
    and esp, ~3
    sub esp, 2
    push eax
    mov esp, ebp
    fld qword [DATA + 4]
    fstp st0
%endmacro

; COPY source, destination, bytes (byte moves: the tables at CPL 0).
%macro COPY 3
    mov esi, %1
    mov edi, %2
    mov ecx, %3
%%next:
    mov al, [esi]
    mov [edi], al
    inc esi
    inc edi
    loop %%next
%endmacro

start:
    PM_ENTER

bits 32
pm_start:
    IOMAP_ONLY_E9
    IDT_GATE 0x80, SEL_CODE32, int80, 0xEE     ; DPL 3 gates from ring 3
    IDT_GATE 0x83, SEL_CODE32, finish, 0xEE
    IDT_GATE 0x84, SEL_CODE32, toggle_am, 0xEE
    fninit
    mov dword [DATA], 0x33221100
    mov dword [DATA + 4], 0x77665544
    mov dword [DATA + 8], 0xBBAA9988
    mov dword [DATA + 12], 0xFFEEDDCC

    ; CPL 0 with AM and AC: nothing is checked.
    mov eax, cr0
    or eax, AC
    mov cr0, eax
    SET_AC 1
    MISALIGNED_OK
    sgdt [DATA + 0x22]

    ; The GDT, IDT and TSS move to addresses that are 2 mod 4.
    COPY GDT_BASE, GDT2, 64 * 8
    COPY IDT_BASE, IDT2, 256 * 8
    COPY TSS0, TSS2, 0x68 + 32
    mov dword [GDT2 + SEL_TSS2], (TSS2 << 16) | (0x68 + 32 - 1)
    mov dword [GDT2 + SEL_TSS2 + 4], 0x8900
    mov word [DTR_IMAGE], 64 * 8 - 1
    mov dword [DTR_IMAGE + 2], GDT2
    lgdt [DTR_IMAGE]
    mov word [DTR_IMAGE], 256 * 8 - 1
    mov dword [DTR_IMAGE + 2], IDT2
    lidt [DTR_IMAGE]
    mov ax, SEL_TSS2
    ltr ax

    ; Paging on: 0-4 MiB identity-mapped but for MISSING.
    mov edi, PT0
    mov eax, 0x7
    mov ecx, 1024
.map:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    loop .map
    mov dword [PT0 + (MISSING >> 12) * 4], 0
    mov dword [PD], PT0 | 7
    PAGING_ON PD

    ; To ring 3 with AC set.
    push dword SEL_DATA_3
    push dword STACK3_TOP
    push dword AC | 0x0002
    push dword SEL_CODE32_3
    push dword ring3
    iretd

ring3:
    mov ax, SEL_DATA_3                  ; reads the misaligned GDT: no #AC
    mov ds, ax
    mov es, ax
    ; Aligned accesses and bytes.
    mov ax, [DATA + 2]
    mov eax, [DATA + 4]
    mov al, [DATA + 3]
    fld qword [DATA + 8]
    fstp st0
    fld dword [DATA + 4]
    fstp st0
    ; Misaligned: #AC, and the operand is left as it was.
    EXPECT_AC "word read", mov ax, [DATA + 1]
    EXPECT_AC "dword read", mov eax, [DATA + 2]
    EXPECT_AC "dword read across a page", mov eax, [DATA + 0xFFE]
    EXPECT_AC "word write", mov word [DATA + 3], 0xFFFF
    EXPECT_AC "dword write", mov dword [DATA + 1], 0xFFFFFFFF
    EXPECT_AC "read-modify-write", add dword [DATA + 6], 1
    CHECKD dword [DATA], 0x33221100, "memory after the faulting writes"
    CHECKD dword [DATA + 4], 0x77665544, "memory after the faulting add"
    ; A push on a misaligned stack.
    mov ebp, esp
    mov esp, STACK3_TOP - 0x102
    EXPECT_FAULT .push_done
.push:
    push eax
    mov esp, ebp
    FAIL32 "push on a misaligned stack: no #AC"
.push_done:
    mov ecx, esp
    mov esp, ebp
    CHECK_FAULT 17, 0, .push, "push on a misaligned stack"
    CHECKD ecx, STACK3_TOP - 0x102, "esp after the faulting push"
    ; FPU operands: a qword on 8, a single on 4, the environment on 4 or 2.
    EXPECT_AC "fld qword on 4", fld qword [DATA + 4]
    EXPECT_AC "fld dword on 2", fld dword [DATA + 2]
    fldpi
    EXPECT_AC "fstp qword on 4", fstp qword [DATA + 12]
    CHECKD dword [DATA + 12], 0xFFEEDDCC, "memory after the faulting fstp"
    fstp st0
    EXPECT_AC "fnstenv (32-bit) on 2", fnstenv [DATA + 0x202]
    o16 fnstenv [DATA + 0x202]          ; 14 bytes on 2: allowed
    EXPECT_AC "fldenv (16-bit) on 1", o16 fldenv [DATA + 0x201]
    EXPECT_FAULT .fx_done               ; 16-byte data: #GP, not #AC
.fx:
    fxsave [DATA + 0x208]
    FAIL32 "fxsave on 8: no fault"
.fx_done:
    CHECK_FAULT 13, 0, .fx, "fxsave on 8"
    ; SGDT's six bytes must be 4-aligned as a whole.
    mov dword [DATA + 0x24], 0xFFFFFFFF
    sgdt [DATA + 0x20]                  ; read back in aligned dwords
    CHECKD dword [DATA + 0x20], ((GDT2 & 0xFFFF) << 16) | (64 * 8 - 1), "sgdt limit and base 15:0"
    CHECKD dword [DATA + 0x24], 0xFFFF0000 | (GDT2 >> 16), "sgdt base 31:16"
    EXPECT_AC "sgdt on 2", sgdt [DATA + 0x32]
    str [DATA + 0x40]                   ; LDTR and TR contents: on 4 too
    movzx eax, word [DATA + 0x40]
    CHECKD eax, SEL_TSS2, "str"
    EXPECT_AC "str on 2", str [DATA + 0x42]
    EXPECT_AC "sldt on 2", sldt [DATA + 0x46]
    ; Misaligned on a page that is not present: #AC for a read, a write
    ; and the read-modify-writes (ALU, INC, XCHG) alike.
    EXPECT_AC "read of a missing page", mov eax, [MISSING + 2]
    EXPECT_AC "write to a missing page", mov [MISSING + 2], eax
    EXPECT_AC "add to a missing page", add [MISSING + 2], eax
    EXPECT_AC "inc of a missing page", inc dword [MISSING + 2]
    EXPECT_AC "xchg with a missing page", xchg [MISSING + 2], eax
    ; An interrupt to ring 0 reads the misaligned IDT and TSS: no #AC.
    mov ebx, 0
    int 0x80
    CHECKD ebx, 0x8080, "int 0x80 through the misaligned idt and tss"

    ; AC cleared by POPFD at CPL 3: no check; set again: checked again,
    ; also on a page first used while unchecked (its TLB entry is dropped).
    SET_AC 0
    MISALIGNED_OK
    mov eax, [OTHER + 1]
    SET_AC 1
    EXPECT_AC "word read with ac set again", mov ax, [DATA + 1]
    EXPECT_AC "page first read without ac", mov eax, [OTHER + 3]

    ; AM cleared at CPL 0 (AC stays set): no check; set again: checked.
    int 0x84
    pushfd
    pop eax
    and eax, AC
    CHECKD eax, AC, "ac after the return from ring 0"
    MISALIGNED_OK
    mov eax, [OTHER + 0x801]
    int 0x84
    EXPECT_AC "dword read with am set again", mov eax, [DATA + 2]
    EXPECT_AC "page first read without am", mov eax, [OTHER + 0x803]
    int 0x83

; Ring 0 handlers reached from ring 3.
int80:
    mov ebx, 0x8080
    iretd

toggle_am:
    mov eax, cr0
    xor eax, AC
    mov cr0, eax
    iretd

finish:
    mov ax, SEL_DATA
    mov ds, ax
    PASS32

PM_END
