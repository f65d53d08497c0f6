; A deliberate triple fault: with an IDT too small for any vector, INT 3
; raises #GP, delivering the #GP raises #GP again (a double fault), and
; delivering the #DF faults once more: the processor shuts down (SDM vol.
; 3, 6.15, interrupt 8).  The batch runner then exits with status 4.
%include "lib.inc"

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    lidt [cs:tiny_idt]
    PUTS {"PASS (a triple fault must follow)", 10}
    int 3
    FAIL "survived a triple fault"

tiny_idt:
    dw 0
    dd 0
    db "x86sim-expect-status=4"

ROM_END
