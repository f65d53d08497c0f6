; INIT versus RESET (SDM vol. 3, 9.1.1, table 9-1), through the board: the
; ROM starts three times, counting in RAM (which both keep).
;  1. power-on: EDX = signature, EFLAGS = 2, CR0 = 60000010h, x87 control
;     word 0040h, SYSENTER_CS and EFER 0.  It changes the x87 state, two
;     MSRs, CR0.CD/NW, reads the TSC, and asks for INIT through port 92h.
;  2. after INIT: the registers are reset (EDX, EFLAGS, CR0 but CD/NW), the
;     x87 state, the MSRs and the TSC are kept.  It asks for a hard reset
;     through the reset control register (CF9h = 06h).
;  3. after RESET: everything is at its power-on value again; the TSC
;     restarted from 0.
%include "lib.inc"

STAGE       equ 0x600           ; which start this is
TSC_LO      equ 0x604           ; the TSC read before INIT
TSC_HI      equ 0x608
SCRATCH     equ 0x60C
MAGIC_INIT  equ 0x494E4954      ; 'INIT'
MAGIC_RESET equ 0x52535430      ; 'RST0'

; CHECK_MSR index, value, "label": RDMSR gives value (high dword 0).
%macro CHECK_MSR 3
    mov ecx, %1
    rdmsr
    CHECK edx, 0, {%3, " high"}
    CHECK eax, %2, %3
%endmacro

; CHECK_FCW value, "label": the x87 control word.
%macro CHECK_FCW 2
    fnstcw [SCRATCH]
    CHECK word [SCRATCH], %1, %2
%endmacro

; The state every start shares: the signature in EDX, EFLAGS = 2.
%macro CHECK_COMMON 1
    CHECK esi, 0x633, {%1, ": edx"}
    and edi, 0x003F7FD7             ; the defined EFLAGS bits
    CHECK edi, 2, {%1, ": eflags"}
%endmacro

start:
    mov esi, edx                    ; before anything changes them
    pushfd
    pop edi
    REAL_SETUP
    cmp dword [STAGE], MAGIC_INIT
    je after_init
    cmp dword [STAGE], MAGIC_RESET
    je after_reset

power_on:
    CHECK_COMMON "power-on"
    mov eax, cr0
    CHECK eax, 0x60000010, "power-on: cr0"
    CHECK_FCW 0x0040, "power-on: x87 control word"
    CHECK_MSR 0x174, 0, "power-on: sysenter_cs"
    CHECK_MSR 0xC0000080, 0, "power-on: efer"
    ; State INIT must keep.
    fninit
    mov word [SCRATCH], 0x027F
    fldcw [SCRATCH]
    fld1
    mov ecx, 0x174
    xor edx, edx
    mov eax, 0x1234
    wrmsr
    mov ecx, 0xC0000080
    mov eax, 0x800                  ; NXE
    wrmsr
    mov eax, cr0
    and eax, 0x9FFFFFFF             ; CD and NW off
    mov cr0, eax
    rdtsc
    mov [TSC_LO], eax
    mov [TSC_HI], edx
    mov dword [STAGE], MAGIC_INIT
    in al, 0x92                     ; fast init: bit 0 from 0 to 1
    and al, 0xFE
    out 0x92, al
    or al, 1
    out 0x92, al
    FAIL "port 92h: no init"

after_init:
    CHECK_COMMON "after init"
    mov eax, cr0
    CHECK eax, 0x00000010, "after init: cr0 (cd and nw kept clear)"
    CHECK_FCW 0x027F, "after init: x87 control word kept"
    fstp dword [SCRATCH]
    CHECK dword [SCRATCH], 0x3F800000, "after init: st0 kept"
    CHECK_MSR 0x174, 0x1234, "after init: sysenter_cs kept"
    CHECK_MSR 0xC0000080, 0x800, "after init: efer kept"
    rdtsc
    sub eax, [TSC_LO]
    sbb edx, [TSC_HI]
    jnc .tsc_on
    FAIL "after init: the tsc went back"
.tsc_on:
    BUSY_LOOP 16                    ; a million instructions: a TSC that did
                                    ; not restart would show them
    mov dword [STAGE], MAGIC_RESET
    mov dx, 0xCF9                   ; hard reset
    mov al, 0x06
    out dx, al
    FAIL "cf9h: no reset"

after_reset:
    CHECK_COMMON "after reset"
    mov eax, cr0
    CHECK eax, 0x60000010, "after reset: cr0"
    CHECK_FCW 0x0040, "after reset: x87 control word"
    CHECK_MSR 0x174, 0, "after reset: sysenter_cs"
    CHECK_MSR 0xC0000080, 0, "after reset: efer"
    rdtsc
    CHECK edx, 0, "after reset: tsc high"
    cmp eax, 1000                   ; a few dozen instructions ran since
    jb .tsc_restarted
    FAIL "after reset: the tsc did not restart"
.tsc_restarted:
    PASS

    ROM_END
