; SYSENTER/SYSEXIT: the MSRs name the flat segments (CS, CS+8 at ring 0;
; CS+16, CS+24 at ring 3, RPL 3); SYSEXIT goes to ring 3 at EDX with ESP
; from ECX; SYSENTER comes back at SYSENTER_EIP with IF and VM clear;
; SYSEXIT at ring 3 and SYSENTER with a null SYSENTER_CS raise #GP(0).
; Per the SDM's SYSENTER/SYSEXIT pseudo-code.  The flat code segments have
; base 0, so their EIPs are ROM offsets + 0xF0000; the checks run after far
; jumps back to the 0xF0000-based segments.
%include "lib.inc"
%include "pm.inc"

SYS_CS equ SEL_FREE                  ; ring-0 code; +8 data, +16/+24 ring 3
ROM equ 0xF0000

start:
    PM_ENTER

bits 32
pm_start:
    SETDESC SYS_CS, 0x0000FFFF, 0x00CF9B00
    SETDESC SYS_CS + 8, 0x0000FFFF, 0x00CF9300
    SETDESC SYS_CS + 16, 0x0000FFFF, 0x00CFFB00
    SETDESC SYS_CS + 24, 0x0000FFFF, 0x00CFF300
    IOMAP_ONLY_E9
    ; SYSENTER with SYSENTER_CS null: #GP(0).
    EXPECT_FAULT .f1
.se0:
    sysenter
.f1:
    CHECK_FAULT 13, 0, .se0, "sysenter with null cs msr"
    mov ecx, 0x174
    mov eax, SYS_CS
    xor edx, edx
    wrmsr
    mov ecx, 0x175
    mov eax, STACK0_TOP - 0x100
    wrmsr
    mov ecx, 0x176
    mov eax, ROM + kernel_entry
    wrmsr
    ; SYSEXIT to ring 3 with IF set (SYSEXIT leaves EFLAGS alone).
    sti
    mov ecx, STACK3_TOP
    mov edx, ROM + user_entry
    sysexit

user_entry:                          ; flat ring-3 code
    mov ebx, cs
    mov esi, ss
    mov edi, esp
    jmp SEL_CODE32_3:user_checks
user_checks:
    CHECKD ebx, SYS_CS + 16 + 3, "sysexit cs"
    CHECKD esi, SYS_CS + 24 + 3, "sysexit ss"
    CHECKD edi, STACK3_TOP, "sysexit esp"
    mov ax, SYS_CS + 24 + 3
    mov ds, ax
    ; SYSEXIT at CPL 3: #GP(0).
    EXPECT_FAULT .f2
.sx3:
    sysexit
.f2:
    CHECK_FAULT 13, 0, .sx3, "sysexit at ring 3"
    mov ebp, 0x5E5E
    sysenter
    FAIL32 "sysenter returned"

kernel_entry:                        ; flat ring-0 code
    mov ebx, cs
    mov esi, ss
    mov edi, esp
    pushfd
    pop edx
    jmp SEL_CODE32:kernel_checks
kernel_checks:
    mov ax, SEL_DATA
    mov ds, ax
    CHECKD ebx, SYS_CS, "sysenter cs"
    CHECKD esi, SYS_CS + 8, "sysenter ss"
    CHECKD edi, STACK0_TOP - 0x100, "sysenter esp"
    CHECKD ebp, 0x5E5E, "registers kept"
    and edx, 0x00020200
    CHECKD edx, 0, "sysenter cleared if and vm"
    ; The flat segments SYSENTER loaded: a 4 GiB limit.
    mov eax, SYS_CS
    lsl eax, eax
    CHECKD eax, 0xFFFFFFFF, "lsl of the sysenter cs"
    PASS32

    PM_END
