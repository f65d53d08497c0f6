; The MC146818's periodic interrupt at 1024 Hz (register A = 0x26: a
; period of 976.5625 us) through IRQ 8 on the slave 8259A.  The handler
; reads register C (IRQF and PF set: 0xC0), which re-arms the interrupt.
; Over 100 x 65539 instructions at 4 ns (26.2156 ms) the divider's taps
; come 26 times (26.2156 / 0.9765625 = 26.84).
%include "lib.inc"

COUNT equ 0x500
LASTC equ 0x502

start:
    REAL_SETUP
    mov word [0x70 * 4], irq8
    mov word [0x70 * 4 + 2], 0xF000
    mov word [COUNT], 0

    PIC_INIT 0xFB, 0xFE     ; the cascade and IRQ 8 only

    mov al, 0x0D            ; register D: valid RAM and time
    out 0x70, al
    in al, 0x71
    CHECK al, 0x80, "register D"
    mov al, 0x0A
    out 0x70, al
    in al, 0x71
    and al, 0x7F            ; UIP aside
    CHECK al, 0x26, "register A at power-on"
    mov al, 0x0C            ; clear pending flags
    out 0x70, al
    in al, 0x71
    mov al, 0x0B
    out 0x70, al
    mov al, 0x42            ; PIE, 24-hour, BCD
    out 0x71, al

    sti
    BUSY_LOOP 100
    cli
    CHECK word [COUNT], 26, "periodic interrupt count"
    CHECK byte [LASTC], 0xC0, "register C in the handler"

    ; With PIE off the flag still sets, without an interrupt.
    mov al, 0x0B
    out 0x70, al
    mov al, 0x02
    out 0x71, al
    BUSY_LOOP 8             ; 8 x 65536 x 4 ns = 2.1 ms: two periods
    mov al, 0x0C
    out 0x70, al
    in al, 0x71
    and al, 0xC0
    CHECK al, 0x40, "PF without IRQF"
    PASS

irq8:
    push ax
    mov al, 0x0C
    out 0x70, al
    in al, 0x71
    mov [LASTC], al
    inc word [COUNT]
    mov al, 0x20
    out 0xA0, al            ; EOI the slave, then the master
    out 0x20, al
    pop ax
    iret

ROM_END
