; vga/palette.asm - INT 10h 0Bh (the CGA's palette) and 10h (the VGA's
; palette registers and DAC).
;
; A pixel's colour goes through two tables: the attribute controller's 16
; palette registers turn a 4-bit pixel value into 6 bits (with the colour
; select register supplying the top bits when colour paging is on), and
; the DAC's 256 entries turn that into red, green and blue.

; ------------------------------------------------------------------ 0Bh

; 0Bh: BH = 00h: BL = background colour in the graphics modes (palette
; register 0) and the border (overscan) in all modes; BH = 01h: BL selects
; the 320x200 4-colour palette: 0 green/red/brown, 1 cyan/magenta/white.
; BL bit 4 with BH = 00h: the 4-colour palette's intensity.
palette_cga:
    call vga_mode_entry
    jc int10_leave
    cmp bh, 1
    je .select
    test bh, bh
    jnz int10_leave
    mov al, [BDA_VIDEO_PAL]
    and al, 0E0h
    mov ah, bl
    and ah, 1Fh
    or al, ah
    mov [BDA_VIDEO_PAL], al
    mov al, bl
    call palette_from_cga
    mov al, 11h                 ; border
    call attr_write
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    je int10_leave
    xor al, al                  ; background: palette register 0
    call attr_write
    cmp byte [cs:si + MODE_KIND], KIND_CGA4
    je .apply
    jmp int10_leave
.select:
    cmp byte [cs:si + MODE_KIND], KIND_CGA4
    jne int10_leave
    and byte [BDA_VIDEO_PAL], ~20h & 0FFh
    test bl, 1
    jz .apply
    or byte [BDA_VIDEO_PAL], 20h
.apply:
    ; palette registers 1-3: colours 2, 4, 6 or 3, 5, 7, bright if the
    ; intensity bit is on
    mov ah, 2
    test byte [BDA_VIDEO_PAL], 20h
    jz .intensity
    inc ah
.intensity:
    test byte [BDA_VIDEO_PAL], 10h
    jz .registers
    or ah, 10h
.registers:
    mov al, 1
.next:
    call attr_write
    add ah, 2
    inc al
    cmp al, 4
    jb .next
    jmp int10_leave

; palette_from_cga: AH = the palette register value showing CGA colour AL
; (bits 0-3, IRGB) with the mode's DAC: the EGA's 64-colour layout in the
; 350- and 400-line modes, the CGA layout (intensity in bit 4) in the
; 200-line ones.
palette_from_cga:
    push bx
    and al, 0Fh
    cmp byte [cs:si + MODE_PALETTE], PAL_EGA
    jne .cga
    movzx bx, al
    mov ah, [cs:ega_from_cga + bx]
    pop bx
    ret
.cga:
    mov ah, al
    and ah, 07h
    test al, 08h
    jz .done
    or ah, 10h
.done:
    pop bx
    ret

ega_from_cga: db 00h, 01h, 02h, 03h, 04h, 05h, 14h, 07h, 38h, 39h, 3Ah, 3Bh, 3Ch, 3Dh, 3Eh, 3Fh

; ------------------------------------------------------------------ 10h

palette_service:
    cmp al, 00h
    je .set_register
    cmp al, 01h
    je .set_border
    cmp al, 02h
    je .set_all
    cmp al, 03h
    je .blink
    cmp al, 07h
    je .get_register
    cmp al, 08h
    je .get_border
    cmp al, 09h
    je .get_all
    cmp al, 10h
    je .set_dac
    cmp al, 12h
    je .set_dac_block
    cmp al, 13h
    je .paging
    cmp al, 15h
    je .get_dac
    cmp al, 17h
    je .get_dac_block
    cmp al, 18h
    je .set_mask
    cmp al, 19h
    je .get_mask
    cmp al, 1Ah
    je .get_paging
    cmp al, 1Bh
    je .gray
    jmp int10_leave

; 00h: palette register BL = BH.
.set_register:
    cmp bl, 0Fh
    ja int10_leave
    mov al, bl
    mov ah, bh
    call attr_write
    jmp int10_leave

; 01h: the border colour = BH.
.set_border:
    mov al, 11h
    mov ah, bh
    call attr_write
    jmp int10_leave

; 02h: palette registers 0-15 and the border from the 17 bytes at ES:DX.
.set_all:
    mov si, dx
    xor al, al
.set_all_next:
    mov ah, [es:si]
    call attr_write
    inc si
    inc al
    cmp al, 10h
    jb .set_all_next
    mov ah, [es:si]
    mov al, 11h
    call attr_write
    jmp int10_leave

; 03h: BL = 0: attribute bit 7 is background intensity; 1: it blinks.
.blink:
    mov al, 10h
    call attr_read
    mov ah, al
    and ah, ~08h & 0FFh
    and byte [BDA_VIDEO_MSR], ~20h & 0FFh
    test bl, 1
    jz .blink_set
    or ah, 08h
    or byte [BDA_VIDEO_MSR], 20h
.blink_set:
    mov al, 10h
    call attr_write
    jmp int10_leave

; 07h: BH = palette register BL.
.get_register:
    mov al, bl
    and al, 1Fh
    call attr_read
    mov [bp + R_BH], al
    jmp int10_leave

; 08h: BH = the border colour.
.get_border:
    mov al, 11h
    call attr_read
    mov [bp + R_BH], al
    jmp int10_leave

; 09h: palette registers 0-15 and the border to the 17 bytes at ES:DX.
.get_all:
    mov di, dx
    xor al, al
.get_all_next:
    push ax
    call attr_read
    stosb
    pop ax
    inc al
    cmp al, 10h
    jb .get_all_next
    mov al, 11h
    call attr_read
    stosb
    jmp int10_leave

; 10h: DAC entry BX = red DH, green CH, blue CL (gray-scale summed if
; summing is on, as for the default palettes).
.set_dac:
    mov al, cl
    xor ah, ah
    push ax                     ; blue
    mov al, dh
    mov ah, ch
    push ax                     ; red, green
    mov si, sp
    push ds
    push ss
    pop ds
    mov al, bl
    mov cx, 1
    call dac_load
    pop ds
    add sp, 4
    jmp int10_leave

; 12h: CX DAC entries from BX, from the red/green/blue triples at ES:DX.
.set_dac_block:
    push ds
    push es
    pop ds
    mov si, dx
    mov al, bl
    call dac_load
    pop ds
    jmp int10_leave

; 13h: colour paging.  BL = 00h: BH = 0: four pages of 64 colours, 1:
; sixteen of 16 (the palette registers give the low 6 or 4 bits, the
; colour select register the rest); BL = 01h: page BH.
.paging:
    test bl, bl
    jnz .page
    mov al, 10h
    call attr_read
    mov ah, al
    and ah, 7Fh
    test bh, 1
    jz .paging_set
    or ah, 80h
.paging_set:
    mov al, 10h
    call attr_write
    jmp int10_leave
.page:
    mov al, 10h
    call attr_read
    mov ah, bh
    test al, 80h
    jnz .page16
    shl ah, 2                   ; 64-colour pages: colour select bits 2-3
.page16:
    and ah, 0Fh
    mov al, 14h
    call attr_write
    jmp int10_leave

; 15h: DH, CH, CL = red, green, blue of DAC entry BX.
.get_dac:
    mov al, bl
    mov dx, 3C7h
    out dx, al
    add dx, 2
    in al, dx
    mov [bp + R_DH], al
    in al, dx
    mov [bp + R_CH], al
    in al, dx
    mov [bp + R_CL], al
    jmp int10_leave

; 17h: CX DAC entries from BX to the triples at ES:DX.
.get_dac_block:
    mov di, dx
    mov al, bl
    mov dx, 3C7h
    out dx, al
    add dx, 2
    jcxz .dac_block_done
.dac_block:
    in al, dx
    stosb
    in al, dx
    stosb
    in al, dx
    stosb
    loop .dac_block
.dac_block_done:
    jmp int10_leave

; 18h: the DAC's pixel mask = BL.  19h: BL = the pixel mask.
.set_mask:
    mov al, bl
    mov dx, 3C6h
    out dx, al
    jmp int10_leave
.get_mask:
    mov dx, 3C6h
    in al, dx
    mov [bp + R_BL], al
    jmp int10_leave

; 1Ah: BL = the paging mode (0: 4 x 64, 1: 16 x 16), BH = the page.
.get_paging:
    mov al, 10h
    call attr_read
    mov bl, al
    shr bl, 7
    mov al, 14h
    call attr_read
    and al, 0Fh
    test bl, bl
    jnz .paging_got
    shr al, 2
.paging_got:
    mov [bp + R_BL], bl
    mov [bp + R_BH], al
    jmp int10_leave

; 1Bh: CX DAC entries from BX turned to their gray-scale sums.
.gray:
    jcxz .gray_done
.gray_entry:
    push cx
    mov al, bl
    mov dx, 3C7h
    out dx, al
    add dx, 2
    in al, dx
    mov ah, al
    in al, dx
    mov cl, al
    in al, dx
    mov ch, al
    push bx
    mov bl, cl
    mov bh, ch
    call gray_sum
    pop bx
    mov al, bl
    mov dx, 3C8h
    out dx, al
    inc dx
    mov al, ah
    out dx, al
    out dx, al
    out dx, al
    pop cx
    inc bx
    loop .gray_entry
.gray_done:
    jmp int10_leave
