; Virtual-8086 mode extensions and protected-mode virtual interrupts (SDM
; vol. 3, 20.3-20.4; vol. 2: CLI, STI, PUSHF, POPF, IRET, INT n).
; CPUID reports VME; CR4 takes VME and PVI.
; PVI, at CPL 3 with IOPL 0: CLI/STI clear/set VIF and leave IF; STI with
; VIP pending is #GP(0); POPFD touches neither; without PVI, #GP(0); with
; IOPL 3 they change IF.
; VME, in V86 mode with IOPL 0: CLI/STI work on VIF; a 16-bit PUSHF stores
; VIF as IF and IOPL as 3; a 16-bit POPF or IRET loads IF of the image into
; VIF (IF and IOPL stay), faults on TF in the image or on IF with VIP
; pending; PUSHFD/POPFD/IRETD fault.  INT n with its bit clear in the TSS's
; redirection bitmap goes to the 8086 vector table (pushing VIF as IF and
; IOPL 3, clearing VIF), with the bit set it is #GP(0); INT3 ignores the
; bitmap.  With IOPL 3: the bit set goes through the IDT, clear to the 8086
; handler with the real IF.  Without VME, IOPL 0: all of them fault.
; The monitor sees IF/VIF/VIP through an INT3 gate that records the
; EFLAGS of its frame (and clears VIP), sets VIP through INTO, and changes
; CR4 and IOPL through #UD (UD2: ECX toggles CR4 bits, EDX EFLAGS bits).
%include "lib.inc"
%include "pm.inc"

V86_SP      equ 0x7000
PROBE_AT    equ 0x720           ; EFLAGS seen by the INT3 gate
FLAGS21     equ 0x724           ; what the 8086 INT 21h handler saw
CS21        equ 0x728
PROBE21     equ 0x72C
REDIR       equ TSS0 + 0x68     ; interrupt redirection bitmap (32 bytes)
IOBITMAP    equ TSS0 + 0x88     ; I/O bitmap: port 0xE9 only

EF_TF       equ 1 << 8
EF_IF       equ 1 << 9
EF_IOPL     equ 3 << 12
EF_VM       equ 1 << 17
EF_VIF      equ 1 << 19
EF_VIP      equ 1 << 20
WATCHED     equ EF_IF | EF_VIF | EF_VIP | EF_IOPL
CR4_VME     equ 1
CR4_PVI     equ 2

; MONITOR cr4_toggle, eflags_toggle, action (0 return, 1 finish, 2 to V86).
%macro MONITOR 3
    mov ecx, %1
    mov edx, %2
    mov ebx, %3
    ud2
%endmacro

; SET_VIP: INTO (OF = 1) reaches the monitor, which sets VIP.
%macro SET_VIP 0
    mov al, 0x7F
    add al, 1
    into
%endmacro

; 32-bit code at CPL 3: the watched EFLAGS bits, and #GP(0) expected.
%macro FLAGS32 2
    pushfd
    pop eax
    and eax, WATCHED
    CHECKD eax, %1, %2
%endmacro
%macro GP32 2+
    EXPECT_FAULT %%done
%%insn:
    %2
    FAIL32 {%1, ": no #GP"}
%%done:
    CHECK_FAULT 13, 0, %%insn, %1
%endmacro

; V86 code: the watched bits as the INT3 gate saw them, and #GP(0).
%macro PROBE 2
    int3
    mov eax, [PROBE_AT]
    and eax, WATCHED
    CHECK eax, %1, %2
%endmacro
%macro V86_GP 2+
    V86_EXPECT %%done
%%insn:
    %2
    FAIL {%1, ": no #GP"}
%%done:
    V86_CHECK_FAULT 13, 0, %%insn, %1
%endmacro

start:
    PM_ENTER

bits 32
pm_start:
    PIC_INIT 0xFF, 0xFF                 ; IF is set below: keep the lines quiet
    mov eax, 1
    cpuid
    test edx, 1 << 1
    jnz .has_vme
    FAIL32 "cpuid: no vme"
.has_vme:
    ; TSS0: the redirection bitmap, then the I/O bitmap.  Every vector goes
    ; through the IDT but 0x21 and 3 (INT3 must ignore its clear bit).
    mov word [TSS0 + 0x66], IOBITMAP - TSS0
    mov edi, REDIR
    mov ecx, 64
.fill:
    mov byte [edi], 0xFF
    inc edi
    loop .fill
    and byte [REDIR + 0x21 / 8], ~(1 << (0x21 % 8))
    and byte [REDIR + 3 / 8], ~(1 << 3)
    and byte [IOBITMAP + 0xE9 / 8], ~(1 << (0xE9 % 8))
    SETDESC SEL_TSS0, ((TSS0 & 0xFFFF) << 16) | (IOBITMAP - TSS0 + 32 - 1), 0x8900
    mov ax, SEL_TSS0
    ltr ax
    ; The 8086 program's vector table.
    mov word [0x21 * 4], v86_int21
    mov word [0x21 * 4 + 2], 0xF000
    mov word [3 * 4], v86_int3_redirected
    mov word [3 * 4 + 2], 0xF000
    ; The monitor's gates.
    IDT_GATE 3, SEL_CODE32, probe, 0xEE
    IDT_GATE 4, SEL_CODE32, set_vip, 0xEE
    IDT_GATE 6, SEL_CODE32, monitor, 0x8E
    IDT_GATE 0x80, SEL_CODE32, int80, 0xEE
    ; PVI on, to CPL 3 with IF set and IOPL 0.
    mov eax, CR4_PVI
    mov cr4, eax
    push dword SEL_DATA_3
    push dword STACK3_TOP
    push dword EF_IF | 2
    push dword SEL_CODE32_3
    push dword ring3
    iretd

; ---------------------------------------------------------------- PVI
ring3:
    mov ax, SEL_DATA_3
    mov ds, ax
    mov es, ax
    FLAGS32 EF_IF, "pvi: at cpl 3"
    sti
    FLAGS32 EF_IF | EF_VIF, "pvi: sti sets vif"
    cli
    FLAGS32 EF_IF, "pvi: cli clears vif, not if"
    push dword EF_VIF                   ; IF 0, VIF 1
    popfd
    FLAGS32 EF_IF, "pvi: popfd changes neither if nor vif"
    SET_VIP
    FLAGS32 EF_IF | EF_VIP, "pvi: vip from the monitor"
    GP32 "pvi: sti with vip pending", sti
    FLAGS32 EF_IF | EF_VIP, "pvi: the refused sti left vif clear"
    cli
    int3                                ; the monitor clears VIP
    FLAGS32 EF_IF, "pvi: vip cleared"
    sti
    MONITOR CR4_PVI, 0, 0               ; PVI off
    GP32 "cli at cpl 3 without pvi", cli
    GP32 "sti at cpl 3 without pvi", sti
    MONITOR CR4_PVI, EF_IOPL, 0         ; PVI on, IOPL 3
    cli
    FLAGS32 EF_VIF | EF_IOPL, "pvi, iopl 3: cli clears if"
    sti
    FLAGS32 EF_IF | EF_VIF | EF_IOPL, "pvi, iopl 3: sti sets if"
    MONITOR 0, 0, 2                     ; on to V86 mode

; ---------------------------------------------------------------- VME
bits 16
v86_start:                              ; VME on, IOPL 0, IF 1, VIF 0
    PROBE EF_IF, "vme: entry"
    sti
    PROBE EF_IF | EF_VIF, "vme: sti sets vif"
    cli
    PROBE EF_IF, "vme: cli clears vif, not if"
    pushf
    pop ax
    and ax, EF_IOPL | EF_IF
    CHECK ax, EF_IOPL, "vme: pushf stores vif as if and iopl 3"
    sti
    pushf
    pop ax
    and ax, EF_IOPL | EF_IF
    CHECK ax, EF_IOPL | EF_IF, "vme: pushf with vif set"
    V86_GP "vme: pushfd", pushfd
    CHECK sp, V86_SP, "vme: pushfd pushed nothing"
    V86_GP "vme: popfd", popfd
    ; POPF: IF of the image to VIF; IF and IOPL stay; the rest is loaded.
    push word EF_IOPL | 1               ; CF, IOPL 3, IF 0
    popf
    jc .cf_loaded
    FAIL "vme: popf did not load cf"
.cf_loaded:
    PROBE EF_IF, "vme: popf of if 0 clears vif, keeps if and iopl"
    push word EF_IF
    popf
    PROBE EF_IF | EF_VIF, "vme: popf of if 1 sets vif"
    push word EF_TF
    V86_GP "vme: popf with tf", popf
    pop ax
    CHECK ax, EF_TF, "vme: the refused popf popped nothing"
    ; VIP pending: whatever would set VIF faults; the rest works.
    cli
    SET_VIP
    V86_GP "vme: sti with vip", sti
    push word EF_IF
    V86_GP "vme: popf of if 1 with vip", popf
    pop ax
    push word EF_IF
    push word 0xF000
    push word .unreached
    V86_GP "vme: iret of if 1 with vip", iret
    add sp, 6
    push word 0
    popf                                ; IF 0 in the image: allowed
    cli
    PROBE EF_IF | EF_VIP, "vme: vip stayed pending, vif clear"
    ; IRET: like POPF for the flags.
    push word EF_IF
    push word 0xF000
    push word .iret1
    iret
.unreached:
    FAIL "vme: iret went astray"
.iret1:
    PROBE EF_IF | EF_VIF, "vme: iret of if 1 sets vif"
    push word 0
    push word 0xF000
    push word .iret2
    iret
.iret2:
    PROBE EF_IF, "vme: iret of if 0 clears vif"
    push word EF_TF
    push word 0xF000
    push word .unreached
    V86_GP "vme: iret with tf", iret
    add sp, 6
    V86_GP "vme: iretd", iretd
    ; INT n, bit clear: to the 8086 handler (method 6).
    sti
    int 0x21
    PROBE EF_IF | EF_VIF, "vme: vif back after the 8086 handler"
    mov ax, [FLAGS21]
    and ax, EF_IOPL | EF_IF
    CHECK ax, EF_IOPL | EF_IF, "vme: int 0x21 pushed vif as if and iopl 3"
    CHECK word [CS21], 0xF000, "vme: int 0x21 pushed cs"
    mov eax, [PROBE21]
    and eax, WATCHED
    CHECK eax, EF_IF, "vme: in the 8086 handler vif is clear, if kept"
    ; INT n, bit set, IOPL 0: to the monitor (method 3).
    V86_GP "vme: int 0x80 with its bit set", int 0x80
    ; IOPL 3: bit set through the IDT (method 4), clear to the 8086
    ; handler with the real IF (method 5).
    MONITOR 0, EF_IOPL, 0
    mov bx, 0
    int 0x80
    CHECK bx, 0x8080, "vme, iopl 3: int 0x80 through the idt"
    int 0x21
    mov ax, [FLAGS21]
    and ax, EF_IOPL | EF_IF
    CHECK ax, EF_IOPL | EF_IF, "vme, iopl 3: int 0x21 pushed the real flags"
    mov eax, [PROBE21]
    and eax, WATCHED
    CHECK eax, EF_IOPL | EF_VIF, "vme, iopl 3: in the 8086 handler if is clear"
    PROBE EF_IOPL | EF_IF | EF_VIF, "vme, iopl 3: if back after the handler"
    cli
    PROBE EF_IOPL | EF_VIF, "vme, iopl 3: cli clears if"
    sti
    ; VME off, IOPL 0: the sensitive instructions go to the monitor.
    MONITOR CR4_VME, EF_IOPL, 0
    V86_GP "int 0x21 without vme", int 0x21
    V86_GP "cli without vme", cli
    V86_GP "pushf without vme", pushf
    MONITOR 0, 0, 1

; The 8086 program's INT 21h handler: notes the pushed FLAGS and CS and
; the flags it runs with.
v86_int21:
    push bp
    mov bp, sp
    mov ax, [bp + 6]
    mov [FLAGS21], ax
    mov ax, [bp + 4]
    mov [CS21], ax
    int3
    mov eax, [PROBE_AT]
    mov [PROBE21], eax
    pop bp
    iret

v86_int3_redirected:
    FAIL "int3 went to the 8086 vector table"

; ---------------------------------------------------------------- monitor
bits 32
probe:                                  ; INT3: notes EFLAGS, clears VIP
    push eax
    mov eax, [esp + 12]
    mov [ss:PROBE_AT], eax
    and dword [esp + 12], ~EF_VIP
    pop eax
    iretd

set_vip:                                ; INTO
    or dword [esp + 8], EF_VIP
    iretd

monitor:                                ; #UD from UD2 (see MONITOR)
    add dword [esp], 2
    xor [esp + 8], edx
    mov eax, cr4
    xor eax, ecx
    mov cr4, eax
    cmp ebx, 1
    je finish
    cmp ebx, 2
    je enter_v86
    iretd

int80:
    mov ebx, 0x8080
    iretd

enter_v86:                              ; VME on, IOPL 0, IF 1
    mov esp, STACK0_TOP
    mov eax, CR4_VME
    mov cr4, eax
    push dword 0                        ; GS
    push dword 0                        ; FS
    push dword 0                        ; DS
    push dword 0                        ; ES
    push dword 0                        ; SS
    push dword V86_SP
    push dword EF_VM | EF_IF | 2
    push dword 0xF000
    push dword v86_start
    iretd

finish:
    mov ax, SEL_DATA
    mov ds, ax
    PASS32

PM_END
