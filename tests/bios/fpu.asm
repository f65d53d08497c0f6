; tests/bios/fpu.asm - x87 errors through FERR# and IRQ 13, the PC/AT's
; wiring (CR0.NE clear).  Run on x86sim only: QEMU 7.2 aborts when FERR#
; raises its interrupt ("tcg_handle_interrupt: assertion failed").
%include "lib.inc"

test_main:
    call test_fpu_irq13
    ret

; An unmasked x87 exception (here divide by zero) raises FERR#, which a
; PC/AT wires to IRQ 13; the BIOS's handler clears the latch (port F0h),
; ends the interrupt and passes the error to INT 02h, where this test
; counts it and clears the exception.
test_fpu_irq13:
    push ds
    pop es
    mov eax, [02h * 4]
    mov [old_int02], eax
    cli
    mov word [02h * 4], fpu_error
    mov word [02h * 4 + 2], 0
    sti
    mov byte [fpu_errors], 0
    fninit
    fldcw [fpu_control]
    fld1
    fldz
    fdivp st1, st0              ; 1 / 0: zero divide, unmasked
    fwait                       ; the error is signalled here
    mov cx, 100                 ; (the interrupt may take a moment)
.settle:
    cmp byte [fpu_errors], 0
    jne .done
    loop .settle
.done:
    CHECK8 [fpu_errors], 1, "FPU error through IRQ 13 reached INT 02h once"
    fninit
    cli
    mov eax, [old_int02]
    mov [02h * 4], eax
    sti
    ret

fpu_error:
    fnclex
    inc byte [cs:fpu_errors]
    iret

fpu_control: dw 037Bh           ; all exceptions masked but zero divide
fpu_errors:  db 0
old_int02:   dd 0


TEST_END
