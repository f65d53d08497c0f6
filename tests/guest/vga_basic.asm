; The VGA as the CPU reaches it: index/data ports with OUT DX,AX, text
; memory at B800 in odd/even mode seen again through the planar window at
; A000, write mode 2 with a bit mask, chain-4 addressing, and polling the
; vertical retrace bit (the loop must end).  Expected values by hand from
; the VGA register descriptions.
%include "lib.inc"

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000

    mov dx, 0x3C2
    mov al, 0x67            ; colour I/O at 0x3Dx, RAM enabled
    out dx, al
    mov dx, 0x3CC
    in al, dx
    CHECK al, 0x67, "misc output"

    ; text set-up: odd/even, planes 0-1, 0xB8000 window
    mov dx, 0x3C4
    mov ax, 0x0302          ; map mask 3
    out dx, ax
    mov ax, 0x0204          ; memory mode: odd/even
    out dx, ax
    mov dx, 0x3CE
    mov ax, 0x1005          ; GC mode: host odd/even
    out dx, ax
    mov ax, 0x0E06          ; GC misc: 0xB8000 32K, chain odd/even, text
    out dx, ax
    mov ax, 0xFF08          ; bit mask: all bits from the CPU (power-on
    out dx, ax              ; values are undefined; a BIOS sets this)
    mov ax, 0xB800
    mov es, ax
    mov word [es:0x20], 0x1E41
    CHECK word [es:0x20], 0x1E41, "text word"

    ; the same bytes through the planar window: plane 0 holds the
    ; character, plane 1 the attribute, both at offset 0x20
    mov dx, 0x3C4
    mov ax, 0x0604          ; sequential, no chain
    out dx, ax
    mov ax, 0x0F02
    out dx, ax
    mov dx, 0x3CE
    mov ax, 0x0005
    out dx, ax
    mov ax, 0x0506          ; A0000 64K, graphics
    out dx, ax
    mov ax, 0xA000
    mov es, ax
    mov ax, 0x0004          ; read map 0
    out dx, ax
    CHECK byte [es:0x20], 0x41, "plane 0"
    mov ax, 0x0104          ; read map 1
    out dx, ax
    CHECK byte [es:0x20], 0x1E, "plane 1"

    ; write mode 2, bit mask 0x0F: colour 5 into the low nibble of 0x100
    mov byte [es:0x100], 0xFF   ; all planes 0xFF (write mode 0)
    mov ax, 0x0205
    out dx, ax
    mov ax, 0x0F08
    out dx, ax
    mov al, [es:0x100]      ; load the latches
    mov byte [es:0x100], 5
    mov ax, 0x0005
    out dx, ax
    mov ax, 0xFF08
    out dx, ax
    mov ax, 0x0004
    out dx, ax
    CHECK byte [es:0x100], 0xFF, "wm2 plane 0"
    mov ax, 0x0104
    out dx, ax
    CHECK byte [es:0x100], 0xF0, "wm2 plane 1"

    ; chain-4: byte 0x1235 lands in plane 1 at offset 0x1234
    mov dx, 0x3C4
    mov ax, 0x0E04
    out dx, ax
    mov byte [es:0x1235], 0x77
    mov ax, 0x0604
    out dx, ax
    mov dx, 0x3CE
    mov ax, 0x0104
    out dx, ax
    CHECK byte [es:0x1234], 0x77, "chain-4"

    ; mode 3 vertical timing, then wait for retrace to end and start
    mov dx, 0x3D4
    mov ax, 0x0E11          ; unprotect, retrace end 14
    out dx, ax
    mov ax, 0x5F00          ; horizontal total
    out dx, ax
    mov ax, 0x4F01
    out dx, ax
    mov ax, 0xBF06          ; vertical total
    out dx, ax
    mov ax, 0x1F07          ; overflow
    out dx, ax
    mov ax, 0x9C10          ; retrace start
    out dx, ax
    mov ax, 0x8F12          ; display end
    out dx, ax
    mov dx, 0x3DA
.in_retrace:
    in al, dx
    test al, 8
    jnz .in_retrace
.not_retrace:
    in al, dx
    test al, 8
    jz .not_retrace
    PASS

ROM_END
