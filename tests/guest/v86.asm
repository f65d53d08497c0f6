; Virtual-8086 mode: IRETD into V86 from CPL 0, real-mode addressing, and
; the monitor's view: with IOPL 0, INT n, CLI, PUSHF, POPF, IRET and HLT
; fault with #GP(0) (the V86 CS:IP saved), INT3 through a DPL-0 gate
; gives #GP(vector*8+2), INTO through a DPL-3 gate reaches ring 0 with
; the V86 frame (GS FS DS ES SS ESP EFLAGS CS EIP) and null data
; segments; with IOPL 3 those instructions run, POPF cannot change IOPL,
; and the I/O bitmap still decides port access.  Per SDM vol. 3, ch. 20.
%include "lib.inc"
%include "pm.inc"

V86_SP equ 0x7000

start:
    PM_ENTER

bits 32
pm_start:
    IOMAP_ONLY_E9
    IDT_GATE 4, SEL_CODE32, phase1_end, 0xEF    ; INTO: DPL-3 trap gate
    IDT_GATE 0x80, SEL_CODE32, int80, 0xEE
    IDT_GATE 0x83, SEL_CODE32, finish, 0xEE
    mov dword [0x710], 0
    ; Into V86 mode: IRETD at CPL 0 with VM set in the image.
    push dword 0x0004                   ; GS
    push dword 0x0003                   ; FS
    push dword 0x0000                   ; DS
    push dword 0x0001                   ; ES
    push dword 0x0000                   ; SS
    push dword V86_SP                   ; ESP
    push dword 0x00020002               ; EFLAGS: VM, IOPL 0
    push dword 0xF000                   ; CS
    push dword v86_start                ; EIP
    iretd

bits 16
v86_start:
    mov ax, cs
    CHECK ax, 0xF000, "v86 cs"
    CHECK sp, V86_SP, "v86 sp"
    mov ax, es
    CHECK ax, 1, "v86 es"
    mov ax, fs
    CHECK ax, 3, "v86 fs"
    mov word [0x710], 0x1234            ; DS=0: linear 0x710
    mov ax, 0x70
    mov es, ax
    CHECK word [es:0x10], 0x1234, "v86 segment arithmetic"
    PUTS {"v86 prints through the bitmap", 10}
    ; IOPL 0: the sensitive instructions trap to the monitor.
    V86_EXPECT .f1
.int21:
    int 0x21
.f1:
    V86_CHECK_FAULT 13, 0, .int21, "int n at iopl 0"
    V86_EXPECT .f2
.cli:
    cli
.f2:
    V86_CHECK_FAULT 13, 0, .cli, "cli at iopl 0"
    V86_EXPECT .f3
.pushf:
    pushf
.f3:
    V86_CHECK_FAULT 13, 0, .pushf, "pushf at iopl 0"
    CHECK sp, V86_SP, "pushf wrote nothing"
    V86_EXPECT .f4
.popf:
    popf
.f4:
    V86_CHECK_FAULT 13, 0, .popf, "popf at iopl 0"
    V86_EXPECT .f5
.iret:
    iret
.f5:
    V86_CHECK_FAULT 13, 0, .iret, "iret at iopl 0"
    V86_EXPECT .f6
.hlt:
    hlt
.f6:
    V86_CHECK_FAULT 13, 0, .hlt, "hlt in v86"
    V86_EXPECT .f7
.out:
    out 0xE8, al
.f7:
    V86_CHECK_FAULT 13, 0, .out, "out denied by the bitmap"
    V86_EXPECT .f8
.lldt:
    lldt ax
.f8:
    V86_CHECK_FAULT 6, 0xFFFF, .lldt, "lldt is #UD in v86"
    ; INT3 is not IOPL-sensitive but meets the DPL-0 gate: #GP(3*8+2).
    V86_EXPECT .f9
.int3:
    int3
.f9:
    V86_CHECK_FAULT 13, 3 * 8 + 2, .int3, "int3 through a dpl 0 gate"
    ; INTO through the DPL-3 gate to ring 0 ends phase 1.
    mov al, 0x7F
    add al, 1                           ; OF=1
.into:
    into
    FAIL "into returned to the wrong place"

phase2:                                 ; IOPL 3 now
    cli
    sti
    cli
    pushf
    pop ax
    and ax, 0x3000
    CHECK ax, 0x3000, "pushf at iopl 3"
    push word 0                         ; try IOPL 0
    popf
    pushf
    pop ax
    and ax, 0x3000
    CHECK ax, 0x3000, "popf changed iopl in v86"
    ; IRET at IOPL 3: a real-mode style return.
    pushf
    push word 0xF000                    ; CS
    push word .after_iret
    iret
    FAIL "iret in v86"
.after_iret:
    ; INT n now goes through the IDT (a DPL-3 gate to ring 0) and back.
    mov bx, 0
    int 0x80
    CHECK bx, 0x8080, "int 0x80 from v86"
    ; The bitmap still rules I/O at IOPL 3.
    V86_EXPECT .g1
.out2:
    out 0xE8, al
.g1:
    V86_CHECK_FAULT 13, 0, .out2, "out denied at iopl 3"
    int 0x83

bits 32
; INTO from V86: the ring-0 stack holds the V86 frame; the data segment
; registers are null.  Back to V86 at phase2 with IOPL 3.
phase1_end:
    mov ax, ds
    movzx eax, ax
    CHECKD eax, 0, "ds null after v86 interrupt"
    mov ax, gs
    movzx eax, ax
    CHECKD eax, 0, "gs null after v86 interrupt"
    mov ax, SEL_DATA
    mov ds, ax
    CHECKD esp, STACK0_TOP - 36, "v86 frame size"
    CHECKD dword [esp], v86_start.into + 1, "v86 frame eip"
    CHECKD dword [esp + 4], 0xF000, "v86 frame cs"
    mov eax, [esp + 8]
    and eax, 0x00023000
    CHECKD eax, 0x00020000, "v86 frame eflags"
    CHECKD dword [esp + 12], V86_SP, "v86 frame esp"
    CHECKD dword [esp + 16], 0, "v86 frame ss"
    CHECKD dword [esp + 20], 0x70, "v86 frame es"
    CHECKD dword [esp + 24], 0, "v86 frame ds"
    CHECKD dword [esp + 28], 3, "v86 frame fs"
    CHECKD dword [esp + 32], 4, "v86 frame gs"
    CHECKD dword [0x710], 0x1234, "v86 wrote linear 0x710"
    mov dword [esp], phase2
    or dword [esp + 8], 0x3000          ; IOPL 3
    iretd

int80:
    mov ebx, [esp + 8]
    and ebx, 0x00020000
    CHECKD ebx, 0x00020000, "int80 frame vm"
    mov ebx, 0x8080
    iretd

finish:
    mov ax, SEL_DATA
    mov ds, ax
    pushfd
    pop eax
    and eax, 0x00020000
    CHECKD eax, 0, "vm clear in the handler"
    PASS32

    PM_END
