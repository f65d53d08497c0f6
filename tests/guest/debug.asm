; Debug facilities: TF single-step (no trap after the POPF that sets TF,
; one trap per instruction after, BS in DR6), MOV SS holding the trap for
; one instruction, INT n clearing TF, DR0 instruction breakpoints (a fault,
; B0, RF lets the instruction run once), data breakpoints on writes and on
; reads/writes (traps after the access, B1), I/O breakpoints with CR4.DE,
; DR7.GD (a fault with BD, GD cleared), DR4/DR5 aliasing, and RF=1 in the
; EFLAGS image of a fault (SDM vol. 3, 17.2-17.3); INT1 (ICEBP).
%include "lib.inc"
%include "pm.inc"

DB_COUNT equ 0x700
DB_DR6   equ 0x704                  ; DR6 bits seen, ORed
DB_STOP  equ 0x708                  ; clear TF when the trap's EIP is this
DB_EIPS  equ 0x720                  ; up to 16 saved EIPs
WATCHED  equ 0x7F0

%macro DB_RESET 1
    mov dword [DB_COUNT], 0
    mov dword [DB_DR6], 0
    mov dword [DB_STOP], %1
%endmacro
%macro TF_ON 0
    pushfd
    or dword [esp], 0x100
    popfd
%endmacro

start:
    PM_ENTER

bits 32
pm_start:
    IDT_GATE 1, SEL_CODE32, db_handler, 0x8E
    IDT_GATE 0x40, SEL_CODE32, int40, 0x8E

    ; --- single-step: traps after s1, s2, s3 (not after the POPF).
    DB_RESET .s4
    TF_ON
.s1:
    nop
.s2:
    nop
.s3:
    mov eax, 1
.s4:
    CHECKD dword [DB_COUNT], 3, "single-step count"
    CHECKD dword [DB_EIPS], .s2, "first trap eip"
    CHECKD dword [DB_EIPS + 8], .s4, "third trap eip"
    CHECKD dword [DB_DR6], 0x4000, "dr6.bs"

    ; --- MOV SS: no trap between it and the next instruction.
    DB_RESET .m3
    mov ax, ss
    TF_ON
.m1:
    mov ss, ax
.m2:
    nop
.m3:
    CHECKD dword [DB_COUNT], 1, "mov ss single-step count"
    CHECKD dword [DB_EIPS], .m3, "mov ss trap eip"

    ; --- INT n with TF: the handler runs with TF clear and no trap follows
    ; the INT (80386 manual 12.3.1.4: debuggers must emulate INT n); the
    ; handler's IRET restores TF, and the instruction after the IRET (not
    ; the IRET) traps.
    DB_RESET .n3
    TF_ON
.n1:
    int 0x40
.n2:
    nop
.n3:
    CHECKD dword [DB_COUNT], 1, "int n single-step count"
    CHECKD dword [DB_EIPS], .n3, "trap after the instruction after int"
    CHECKD ebx, 0, "tf clear in the int handler"

    ; --- DR0 instruction breakpoint: a fault at bp1; RF from the handler
    ; lets it run; a second pass hits again.
    DB_RESET 0
    mov eax, .bp1 + 0xF0000             ; linear address
    mov dr0, eax
    mov eax, 0x00000001                 ; L0, R/W 00, LEN 00
    mov dr7, eax
    mov ecx, 2
.again:
.bp1:
    nop
    loop .again
    mov eax, 0x400
    mov dr7, eax
    CHECKD dword [DB_COUNT], 2, "instruction breakpoint hits"
    CHECKD dword [DB_EIPS], .bp1, "instruction breakpoint eip"
    CHECKD dword [DB_DR6], 1, "dr6.b0"

    ; --- DR1 data breakpoint on writes (R/W 01, LEN 4 bytes).
    DB_RESET 0
    mov eax, WATCHED
    mov dr1, eax
    mov eax, 0x00D00004                 ; L1, R/W1 = 01, LEN1 = 11
    mov dr7, eax
    mov ebx, [WATCHED]                  ; a read: no trap
    CHECKD dword [DB_COUNT], 0, "read hit a write breakpoint"
.w1:
    mov byte [WATCHED + 2], 5           ; inside the 4 bytes
.w2:
    CHECKD dword [DB_COUNT], 1, "write breakpoint count"
    CHECKD dword [DB_EIPS], .w2, "write breakpoint trap eip"
    CHECKD dword [DB_DR6], 2, "dr6.b1"
    mov byte [WATCHED + 4], 5           ; outside
    CHECKD dword [DB_COUNT], 1, "write outside the range"
    add dword [WATCHED], 1              ; read-modify-write: one trap
.w3:
    CHECKD dword [DB_COUNT], 2, "read-modify-write breakpoint count"
    CHECKD dword [DB_EIPS + 4], .w3, "read-modify-write trap eip"
    ; R/W 11: reads trap too.
    mov eax, 0x00F00004
    mov dr7, eax
    DB_RESET 0
    mov ebx, [WATCHED - 2]              ; overlaps bytes 0 and 1
.r2:
    CHECKD dword [DB_COUNT], 1, "read/write breakpoint on a read"
    CHECKD dword [DB_EIPS], .r2, "read breakpoint trap eip"
    mov eax, 0x400
    mov dr7, eax

    ; --- I/O breakpoint: CR4.DE, DR2 = port 0xE9, R/W 10.
    mov eax, 1 << 3
    mov cr4, eax
    DB_RESET 0
    mov eax, 0xE9
    mov dr2, eax
    mov eax, 0x02000010                 ; L2, R/W2 = 10, LEN2 = 00
    mov dr7, eax
    mov al, '.'
    out 0xE9, al
.io2:
    mov eax, 0x400
    mov dr7, eax
    CHECKD dword [DB_COUNT], 1, "i/o breakpoint count"
    CHECKD dword [DB_EIPS], .io2, "i/o breakpoint eip"
    CHECKD dword [DB_DR6], 4, "dr6.b2"
    ; With CR4.DE, DR4 is #UD; without it, DR4 is DR6.
    EXPECT_FAULT .d4f
.d4:
    mov eax, dr4
.d4f:
    CHECK_FAULT 6, 0xFFFFFFFF, .d4, "dr4 with cr4.de"
    xor eax, eax
    mov cr4, eax
    mov eax, dr6
    mov ebx, dr4
    CHECKD ebx, eax, "dr4 is dr6 without cr4.de"

    ; --- DR7.GD: the next MOV DR is a #DB fault with BD; GD is cleared.
    DB_RESET 0
    mov eax, 0x2400
    mov dr7, eax
.gd:
    mov eax, dr0
    CHECKD dword [DB_COUNT], 1, "general detect count"
    CHECKD dword [DB_EIPS], .gd, "general detect eip"
    CHECKD dword [DB_DR6], 0x2000, "dr6.bd"
    mov eax, dr7
    CHECKD eax, 0x400, "gd cleared"

    ; --- INT1 (ICEBP, F1): a #DB trap after the instruction, no DR6 bit.
    DB_RESET 0
    int1
.int1_after:
    CHECKD dword [DB_COUNT], 1, "int1 count"
    CHECKD dword [DB_EIPS], .int1_after, "int1 trap eip"
    CHECKD dword [DB_DR6], 0, "int1 sets no dr6 bit"

    ; --- a fault pushes EFLAGS with RF set.
    EXPECT_FAULT .gpf
.gp:
    mov eax, cr1
.gpf:
    CHECK_FAULT 6, 0xFFFFFFFF, .gp, "#UD for rf"
    mov eax, [REC_EFL]
    and eax, 0x10000
    CHECKD eax, 0x10000, "rf in a fault's eflags image"
    PASS32

; #DB: count, remember EIP and DR6, set RF in the image (so an instruction
; breakpoint lets the instruction run), clear TF at DB_STOP.
db_handler:
    push eax
    push ebx
    mov ebx, [DB_COUNT]
    mov eax, [esp + 8]
    mov [DB_EIPS + ebx * 4], eax
    inc dword [DB_COUNT]
    cmp eax, [DB_STOP]
    jne .keep_tf
    and dword [esp + 16], ~0x100
.keep_tf:
    or dword [esp + 16], 0x10000
    mov eax, dr6
    and eax, 0xE00F
    or [DB_DR6], eax
    mov eax, 0xFFFF0FF0
    mov dr6, eax
    pop ebx
    pop eax
    iretd

int40:
    pushfd
    pop ebx
    and ebx, 0x100
    iretd

    PM_END
