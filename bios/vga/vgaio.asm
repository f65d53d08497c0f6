; vga/vgaio.asm - access to the VGA's indexed registers and its DAC.
;
; The sequencer (3C4h/3C5h), graphics controller (3CEh/3CFh) and CRTC
; (3D4h/3D5h, or 3B4h/3B5h in monochrome modes) each take an index, then
; the data.  The attribute controller has one port, 3C0h, that alternates
; between index and data; reading input status 1 (3DAh/3BAh) puts it back
; to "index".  Its index byte also carries the palette address source bit
; (20h): while it is clear the screen shows the overscan colour, and the
; palette registers may be written.  The DAC (3C8h write index, 3C7h read
; index, 3C9h data) takes red, green, blue in turn, 6 bits each.
;
; All routines here keep every register but the documented results.

; seq_write: sequencer register AL = AH.
seq_write:
    push dx
    mov dx, 3C4h
    jmp vga_index_write
; gc_write: graphics controller register AL = AH.
gc_write:
    push dx
    mov dx, 3CEh
    jmp vga_index_write
; crtc_write: CRTC register AL = AH, at the base the BDA names.
crtc_write:
    push dx
    mov dx, [BDA_CRTC_BASE]
    jmp vga_index_write
; crtc_write_dx: the same at base DX.
crtc_write_dx:
    push dx
vga_index_write:
    out dx, al
    inc dx
    xchg al, ah
    out dx, al
    xchg al, ah
    pop dx
    ret

; seq_read / gc_read / crtc_read: AL = the value of register AL.
seq_read:
    push dx
    mov dx, 3C4h
    jmp vga_index_read
gc_read:
    push dx
    mov dx, 3CEh
    jmp vga_index_read
crtc_read:
    push dx
    mov dx, [BDA_CRTC_BASE]
vga_index_read:
    out dx, al
    inc dx
    in al, dx
    pop dx
    ret

; attr_reset_flipflop: the attribute port expects an index next.
attr_reset_flipflop:
    push ax
    push dx
    mov dx, [BDA_CRTC_BASE]
    add dx, 6
    in al, dx
    pop dx
    pop ax
    ret

; attr_write: attribute register AL = AH (the screen blanks for the
; moment the palette address source is off).
attr_write:
    push dx
    call attr_reset_flipflop
    mov dx, 3C0h
    out dx, al
    xchg al, ah
    out dx, al
    xchg al, ah
    pop dx
    jmp attr_video_on

; attr_read: AL = attribute register AL.
attr_read:
    push dx
    call attr_reset_flipflop
    mov dx, 3C0h
    out dx, al
    inc dx
    in al, dx
    pop dx
    jmp attr_video_on

; attr_video_on: the palette address source back on: the screen shows.
attr_video_on:
    push ax
    push dx
    call attr_reset_flipflop
    mov dx, 3C0h
    mov al, 20h
    out dx, al
    pop dx
    pop ax
    ret

; dac_load_rom: CX DAC entries from AL on, from the red/green/blue
; triples at CS:SI; gray-scale summed when BDA 89h bit 1 says so.
dac_load_rom:
    push ds
    push cs
    pop ds
    call dac_load
    pop ds
    ret

; dac_load: the same from DS:SI.  (SI advances.)
dac_load:
    push ax
    push bx
    push cx
    push dx
    push es
    push BDA_SEG
    pop es
    mov dx, 3C8h
    out dx, al
    inc dx
.entry:
    lodsb
    mov ah, al                  ; red
    lodsb
    mov bl, al                  ; green
    lodsb
    mov bh, al                  ; blue
    test byte [es:BDA_VGA_FLAGS], 02h
    jz .colour
    call gray_sum
    mov bl, ah
    mov bh, ah
.colour:
    mov al, ah
    out dx, al
    mov al, bl
    out dx, al
    mov al, bh
    out dx, al
    loop .entry
    pop es
    pop dx
    pop cx
    pop bx
    pop ax
    ret

; gray_sum: AH = the luminance of red AH, green BL, blue BH: 30% red, 59%
; green, 11% blue (the weights of the IBM VGA BIOS, from NTSC).
gray_sum:
    push cx
    push dx
    push ax
    movzx ax, ah
    imul cx, ax, 77
    movzx ax, bl
    imul ax, ax, 151
    add cx, ax
    movzx ax, bh
    imul ax, ax, 28
    add cx, ax
    add cx, 80h                 ; rounded
    pop ax
    mov ah, ch                  ; / 256
    pop dx
    pop cx
    ret
