; x87 benchmark: a 64 KiB ROM that any PC emulator can run as its BIOS
; (x86sim -bios, qemu -bios, Bochs romimage).  In real mode it runs
; ITERATIONS of a loop of FILD, FMUL, FADD, FIDIV, FSQRT, FXCH, FCOM,
; FNSTSW, FSTP and FIST (10 of its 14 instructions are x87), sums the
; integers FIST stores, prints the sum on port 0xE9 as "CHECKSUM" and 32
; binary digits, and stops: cli/hlt (x86sim batch mode ends there), QEMU's
; isa-debug-exit at 0x501, Bochs's shutdown port 0x8900.  fpubench_ref.c
; computes the same sum on the host's x87.

%ifndef ITERATIONS
%define ITERATIONS 5000000
%endif

bits 16
org 0

DIVISOR equ 0x500
RESULT  equ 0x504
COUNTER equ 0x508

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    fninit
    mov dword [DIVISOR], 3
    fld1                        ; ST(0): the accumulator
    mov ecx, ITERATIONS
    xor ebx, ebx
.loop:
    mov [COUNTER], ecx
    fild dword [COUNTER]        ; n
    fmul st0, st0               ; n^2
    fadd st0, st1               ; n^2 + acc
    fidiv dword [DIVISOR]       ; / 3
    fsqrt                       ; the new accumulator
    fxch st1
    fcom st1
    fnstsw ax
    fstp st0                    ; drop the old one
    fist dword [RESULT]
    add ebx, [RESULT]
    dec ecx
    jnz .loop

    mov dx, 0xE9
    mov si, msg
.text:
    mov al, [cs:si]
    test al, al
    jz .bits
    out dx, al
    inc si
    jmp .text
.bits:                          ; EBX in binary, most significant bit first
    mov cx, 32
.bit:
    mov al, '0'
    add ebx, ebx
    adc al, 0
    out dx, al
    loop .bit
    mov al, 10
    out dx, al
    mov dx, 0x501               ; QEMU isa-debug-exit
    xor al, al
    out dx, al
    mov dx, 0x8900              ; Bochs shutdown port
    mov si, shutdown
.shut:
    mov al, [cs:si]
    test al, al
    jz .halt
    out dx, al
    inc si
    jmp .shut
.halt:
    cli
    hlt
    jmp .halt

msg: db "CHECKSUM ", 0
shutdown: db "Shutdown", 0

    times 0x10000 - 16 - ($ - $$) db 0xFF
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
