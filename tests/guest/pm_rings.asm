; Privilege levels: IRET to ring 3 (nulling DS), ring-3 code calling ring
; 0 through 32- and 16-bit call gates with parameter copy and coming back
; with RETF imm16; a conforming segment keeps CPL 3; INT n through a DPL-3
; gate switches to the TSS stack and IRET returns; privileged and
; IOPL-sensitive instructions fault at ring 3; the I/O bitmap lets one port
; through; a gate with DPL 0 refuses INT n from ring 3.  Expected frames
; are laid out as the SDM's CALL and INT pseudo-code push them.
%include "lib.inc"
%include "pm.inc"

SEL_GATE32  equ SEL_FREE + 3        ; 32-bit call gate, 2 parameters (RPL 3)
SEL_GATE16  equ SEL_FREE + 8 + 3    ; 16-bit call gate, 1 parameter
SEL_CONF    equ SEL_FREE + 16       ; conforming ring-0 code, base 0xF0000

start:
    PM_ENTER

bits 32
pm_start:
    SETDESC SEL_GATE32, (SEL_CODE32 << 16) + gate32_entry, 0xEC02
    SETDESC SEL_GATE16, (SEL_CODE32 << 16) + gate16_entry, 0xE401
    SETDESC SEL_CONF, 0x0000FFFF, 0x00409F0F
    IDT_GATE 0x80, SEL_CODE32, int80, 0xEF    ; 32-bit trap gate, DPL 3
    IDT_GATE 0x81, SEL_CODE32, int80, 0x8E    ; DPL 0
    IDT_GATE 0x83, SEL_CODE32, finish, 0xEE   ; DPL 3: back to ring 0 for good
    IDT_GATE 0x84, SEL_CODE32, int84, 0xE7    ; 16-bit trap gate, DPL 3
    IOMAP_ONLY_E9                       ; ring 3 prints through the bitmap

    ; To ring 3 with IOPL 0 and DS holding a ring-0 segment, which the
    ; return to an outer level must null.
    mov ax, SEL_DATA_3
    mov es, ax
    push dword SEL_DATA_3
    push dword STACK3_TOP
    push dword 0x0002
    push dword SEL_CODE32_3
    push dword ring3
    iretd

ring3:
    mov ax, cs
    CHECKD eax, SEL_CODE32_3, "ring 3 cs"
    mov ax, ss
    CHECKD eax, SEL_DATA_3, "ring 3 ss"
    CHECKD esp, STACK3_TOP, "ring 3 esp"
    mov ax, ds
    CHECKD eax, 0, "ds nulled by iret"
    mov ax, es
    CHECKD eax, SEL_DATA_3, "es kept by iret"
    mov ax, SEL_DATA_3
    mov ds, ax
    PUTS32 {"ring 3 prints through the I/O bitmap", 10}

    ; 32-bit call gate: two parameters copied to the ring-0 stack.
    push dword 0x11111111
    push dword 0x22222222
    call SEL_GATE32:0
    CHECKD esp, STACK3_TOP, "esp after retf 8"
    CHECKD ebx, 0x600D, "gate32 frame"
    mov ax, ds
    CHECKD eax, 0, "ds nulled by retf"
    mov ax, SEL_DATA_3
    mov ds, ax

    ; 16-bit call gate: one 16-bit parameter, 16-bit frame.
    push word 0x1234
    call SEL_GATE16:0
    CHECKD esp, STACK3_TOP, "esp after o16 retf 2"
    CHECKD ebx, 0x1616, "gate16 frame"

    ; A conforming ring-0 segment runs at CPL 3.
    jmp SEL_CONF:conforming
conf_back:
    CHECKD ebx, 3, "cpl in conforming code"

    ; INT 0x80 through a DPL-3 trap gate: the TSS stack, and back.
    mov ebx, 0
    int 0x80
    CHECKD ebx, 0x80, "int 0x80 frame"
    CHECKD esp, STACK3_TOP, "esp after iret"
    ; A 16-bit trap gate: a 16-bit frame, and a 16-bit IRET to ring 3.
    mov ebx, 0
    int 0x84
    CHECKD ebx, 0x84, "int 0x84 frame"
    CHECKD esp, STACK3_TOP, "esp after o16 iret"
    ; A DPL-0 gate: #GP(vector*8+2).
    EXPECT_FAULT .f1
.i81:
    int 0x81
.f1:
    CHECK_FAULT 13, 0x81 * 8 + 2, .i81, "int to dpl 0 gate"
    CHECKD dword [REC_CS], SEL_CODE32_3, "fault cs at ring 3"
    ; Privileged instructions: #GP(0).
    EXPECT_FAULT .f2
.hlt:
    hlt
.f2:
    CHECK_FAULT 13, 0, .hlt, "hlt at ring 3"
    EXPECT_FAULT .f3
.cr0:
    mov eax, cr0
.f3:
    CHECK_FAULT 13, 0, .cr0, "mov from cr0 at ring 3"
    EXPECT_FAULT .f4
.lgdt:
    lgdt [0x600]
.f4:
    CHECK_FAULT 13, 0, .lgdt, "lgdt at ring 3"
    ; IOPL 0 < CPL 3: CLI faults, POPF leaves IF and IOPL alone.
    EXPECT_FAULT .f5
.cli:
    cli
.f5:
    CHECK_FAULT 13, 0, .cli, "cli at iopl 0"
    push dword 0x3202                   ; IF=1, IOPL=3
    popfd
    pushfd
    pop eax
    and eax, 0x3200
    CHECKD eax, 0, "popf changed if/iopl at ring 3"
    ; The I/O bitmap: port 0xE8 is not allowed.
    EXPECT_FAULT .f6
.out:
    out 0xE8, al
.f6:
    CHECK_FAULT 13, 0, .out, "out to a port the bitmap denies"
    ; SGDT is not privileged.
    sgdt [0x600]
    CHECKD dword [0x602], GDT_BASE, "sgdt at ring 3"
    int 0x83

bits 32
; Ring 0 through the 32-bit gate: [esp] EIP, CS, param 2, param 1, ESP, SS.
gate32_entry:
    mov ebx, 0
    mov ax, cs
    CHECKD eax, SEL_CODE32, "gate32 cs"
    mov ax, ss
    CHECKD eax, SEL_DATA, "gate32 ss from tss"
    CHECKD esp, STACK0_TOP - 24, "gate32 esp"
    CHECKD dword [esp + 4], SEL_CODE32_3, "gate32 return cs"
    CHECKD dword [esp + 8], 0x22222222, "gate32 param 2"
    CHECKD dword [esp + 12], 0x11111111, "gate32 param 1"
    CHECKD dword [esp + 16], STACK3_TOP - 8, "gate32 old esp"
    CHECKD dword [esp + 20], SEL_DATA_3, "gate32 old ss"
    mov ax, SEL_DATA
    mov ds, ax                          ; to be nulled by the return
    mov ebx, 0x600D
    retf 8

; Ring 0 through the 16-bit gate: 16-bit IP, CS, param, SP, SS.
gate16_entry:
    mov ebx, 0
    CHECKD esp, STACK0_TOP - 10, "gate16 esp"
    movzx eax, word [esp + 2]
    CHECKD eax, SEL_CODE32_3, "gate16 return cs"
    movzx eax, word [esp + 4]
    CHECKD eax, 0x1234, "gate16 param"
    movzx eax, word [esp + 6]
    CHECKD eax, STACK3_TOP - 2, "gate16 old sp"
    movzx eax, word [esp + 8]
    CHECKD eax, SEL_DATA_3, "gate16 old ss"
    mov ebx, 0x1616
    o16 retf 2

conforming:
    mov ax, cs
    and eax, 3
    mov ebx, eax
    jmp SEL_CODE32_3:conf_back

; INT 0x80 from ring 3: [esp] EIP, CS, EFLAGS, ESP, SS on the ring-0 stack.
int80:
    mov ax, ss
    CHECKD eax, SEL_DATA, "int80 ss"
    CHECKD esp, STACK0_TOP - 20, "int80 esp"
    CHECKD dword [esp + 4], SEL_CODE32_3, "int80 cs"
    CHECKD dword [esp + 12], STACK3_TOP, "int80 old esp"
    CHECKD dword [esp + 16], SEL_DATA_3, "int80 old ss"
    mov ebx, 0x80
    iretd

; INT 0x84 (16-bit gate): IP, CS, FLAGS, SP, SS, 2 bytes each.
int84:
    CHECKD esp, STACK0_TOP - 10, "int84 esp"
    movzx eax, word [esp + 2]
    CHECKD eax, SEL_CODE32_3, "int84 cs"
    movzx eax, word [esp + 6]
    CHECKD eax, STACK3_TOP, "int84 old sp"
    movzx eax, word [esp + 8]
    CHECKD eax, SEL_DATA_3, "int84 old ss"
    mov ebx, 0x84
    o16 iret

finish:
    mov ax, SEL_DATA
    mov ds, ax
    mov ax, cs
    CHECKD eax, SEL_CODE32, "back at ring 0"
    PASS32

    PM_END
