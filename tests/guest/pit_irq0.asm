; PIT counter 0 in mode 2 with a count of 1193 (999.85 us at 1193181.67 Hz)
; and the 8259A pair programmed as the PC BIOS does; IRQ 0 ticks are
; counted over a busy loop of a known number of instructions.
; At the deterministic default of 4 ns per instruction, 100 x 65539
; instructions take 26.2156 ms: ticks come at 1.0007 ms and every
; 0.99985 ms after, so 26 of them fall inside (by hand: 26.2156 / 0.99985
; = 26.22).  The handler's few instructions add well under a tick.
%include "lib.inc"

TICKS equ 0x500

start:
    REAL_SETUP
    mov word [8 * 4], irq0
    mov word [8 * 4 + 2], 0xF000
    mov word [TICKS], 0

    PIC_INIT 0xFE, 0xFF     ; only IRQ 0

    mov al, 0x34            ; counter 0, LSB then MSB, mode 2, binary
    out 0x43, al
    mov al, 0xA9            ; 1193 = 0x04A9
    out 0x40, al
    mov al, 0x04
    out 0x40, al

    sti
    BUSY_LOOP 100
    cli
    CHECK word [TICKS], 26, "IRQ 0 tick count"

    ; The counter runs between 1193 and 1: latch and read it.
    mov al, 0x00
    out 0x43, al
    in al, 0x40             ; LSB
    mov bl, al
    in al, 0x40             ; MSB
    mov ah, al
    mov al, bl
    cmp ax, 0
    je .bad_count
    cmp ax, 1193
    ja .bad_count

    ; HLT waits for the next tick (time skips ahead while halted).
    mov word [TICKS], 0
    sti
.wait:
    hlt
    cmp word [TICKS], 10
    jb .wait
    cli
    CHECK word [TICKS], 10, "ticks while halted"
    PASS
.bad_count:
    FAIL "latched count out of range"

irq0:
    push ax
    inc word [TICKS]
    mov al, 0x20            ; non-specific EOI
    out 0x20, al
    pop ax
    iret

ROM_END
