; vga/font.asm - INT 10h 11h: character fonts.
;
; In text modes the VGA draws characters from plane 2 of display memory:
; eight "blocks" of 256 characters, each character 32 bytes (its rows,
; then unused bytes), blocks 0-3 at 0, 16, 32, 48 KiB and 4-7 at 8, 24,
; 40, 56 KiB; sequencer register 3 picks the block(s) on screen.  Loading
; a font means mapping plane 2 at A000h for a moment.  In graphics modes
; the BIOS draws characters from the font INT 43h points at.
;
; Subfunctions: 00h-04h load a font into a block (00h the caller's at
; ES:BP, 01h the 8x14, 02h the 8x8, 04h the 8x16 of this ROM); 10h-14h the
; same, and make the text mode fit it (rows, cell height, cursor); 03h
; selects blocks; 20h-24h set the graphics fonts (INT 1Fh, INT 43h); 30h
; tells where the fonts are.

font_service:
    cmp al, 03h
    je .select_block
    cmp al, 20h
    je .set_int1f
    cmp al, 21h
    jb .text_font
    cmp al, 24h
    jbe .graphics_font
    cmp al, 30h
    je .info
    jmp int10_leave

; 00h-04h, 10h-14h
.text_font:
    mov ah, al
    and ah, 0Fh
    cmp ah, 04h
    ja int10_leave
    test al, 0E0h
    jnz int10_leave
    ; the source: the caller's, or one of ours
    cmp ah, 00h
    jne .rom_font
    mov bp, [bp + R_EBP]        ; (the frame is not needed after this)
    jmp .load
.rom_font:
    push cs
    pop es
    xor dx, dx
    mov cx, 256
    mov bp, font8x14
    mov bh, 14
    cmp ah, 01h
    je .load
    mov bp, font8x8
    mov bh, 8
    cmp ah, 02h
    je .load
    mov bp, font8x16
    mov bh, 16
    cmp ah, 04h
    jne int10_leave_reload      ; (03h is handled above)
.load:
    push ax
    call font_load
    pop ax
    test al, 10h
    jz int10_leave_reload
    call font_activate          ; BH = the new height
    jmp int10_leave_reload

; 03h: character blocks: BL bits 0-1 and 4 the first (attribute bit 3
; clear), bits 2-3 and 5 the second; the sequencer's character map select.
.select_block:
    mov ah, bl
    mov al, 03h
    call seq_write
    jmp int10_leave

; 20h: INT 1Fh = ES:BP (characters 80h-FFh of the 8x8 graphics font).
.set_int1f:
    push ds
    xor ax, ax
    mov ds, ax
    mov ax, [bp + R_EBP]
    mov [1Fh * 4], ax
    mov [1Fh * 4 + 2], es
    pop ds
    jmp int10_leave

; 21h: INT 43h = ES:BP, CX bytes a character; 22h-24h: the ROM's 8x14,
; 8x8, 8x16.  BL: the text rows: 00h DL, 01h 14, 02h 25, 03h 43.
.graphics_font:
    mov si, [bp + R_EBP]
    cmp al, 21h
    je .set_43
    push cs
    pop es
    mov si, font8x14
    mov cx, 14
    cmp al, 22h
    je .set_43
    mov si, font8x8
    mov cx, 8
    cmp al, 23h
    je .set_43
    mov si, font8x16
    mov cx, 16
.set_43:
    push ds
    xor ax, ax
    mov ds, ax
    mov [43h * 4], si
    mov [43h * 4 + 2], es
    pop ds
    mov [BDA_CHAR_HEIGHT], cx
    mov al, dl
    cmp bl, 00h
    je .rows
    mov al, 14
    cmp bl, 01h
    je .rows
    mov al, 25
    cmp bl, 02h
    je .rows
    mov al, 43
.rows:
    dec al
    mov [BDA_VIDEO_ROWS], al
    jmp int10_leave

; 30h: ES:BP = the font BH names, CX = the character height, DL = rows - 1.
;   0 INT 1Fh, 1 INT 43h, 2 8x14, 3 8x8, 4 8x8 from 80h, 5 9x14 alternates,
;   6 8x16, 7 9x16 alternates
.info:
    mov ax, [BDA_CHAR_HEIGHT]
    mov [bp + R_CX], ax
    mov al, [BDA_VIDEO_ROWS]
    mov [bp + R_DL], al
    cmp bh, 1
    ja .rom_pointer
    push ds
    xor ax, ax
    mov ds, ax
    mov si, 1Fh * 4
    test bh, bh
    jz .vector
    mov si, 43h * 4
.vector:
    mov ax, [si]
    mov dx, [si + 2]
    pop ds
    jmp .pointer
.rom_pointer:
    cmp bh, 7
    ja int10_leave
    movzx si, bh
    shl si, 1
    mov ax, [cs:font_pointers + si - 4]
    mov dx, cs
.pointer:
    mov [bp + R_EBP], ax
    mov [bp + R_ES], dx
    jmp int10_leave

font_pointers:
    dw font8x14, font8x8, font8x8 + 128 * 8, font_alt_empty, font8x16, font_alt_empty

; After the loads above BP no longer points at the frame: get it back
; (SERVICE_ENTER left it at SP) and leave.
int10_leave_reload:
    mov bp, sp
    jmp int10_leave

; ------------------------------------------------------------------ loading

; font_load: CX characters from DX on, BH bytes each, from ES:BP into
; block BL of plane 2.
font_load:
    pusha
    push ds
    push es
    call font_access_begin
    ; the block's offset, then the first character's
    movzx di, bl
    and di, 3
    shl di, 14
    test bl, 4
    jz .block
    add di, 2000h
.block:
    shl dx, 5
    add di, dx
    push ds                     ; (the BDA)
    push es
    pop ds
    mov si, bp
    mov ax, 0A000h
    mov es, ax
    movzx dx, bh
    mov ax, 32
    sub ax, dx                  ; the unused bytes after each character
    jcxz .done
.character:
    push cx
    mov cx, dx
    rep movsb
    add di, ax
    pop cx
    loop .character
.done:
    pop ds
    call font_access_end
    pop es
    pop ds
    popa
    ret

; font_access_begin: plane 2 alone at A000h, addressed byte by byte.
font_access_begin:
    push ax
    mov ax, 0402h               ; sequencer map mask: plane 2
    call seq_write
    mov ax, 0704h               ; sequencer memory mode: no odd/even
    call seq_write
    mov ax, 0204h               ; graphics read map: plane 2
    call gc_write
    mov ax, 0005h               ; write mode 0, no odd/even
    call gc_write
    mov ax, 0406h               ; memory at A0000h-AFFFFh
    call gc_write
    pop ax
    ret

; font_access_end: back to the text mode's odd/even mapping of planes 0
; and 1 at B800h (or B000h in monochrome).
font_access_end:
    push ax
    mov ax, 0302h
    call seq_write
    mov ax, 0204h
    call seq_write
    mov ax, 0004h
    call gc_write
    mov ax, 1005h
    call gc_write
    mov ax, 0E06h
    cmp word [BDA_CRTC_BASE], 3B4h
    jne .colour
    mov ax, 0A06h
.colour:
    call gc_write
    pop ax
    ret

; font_activate: the text mode fitted to characters BH lines high: the
; cell height (CRTC 09h), as many rows as fit the screen's lines (the
; vertical display end trimmed to whole rows), the cursor, and the BDA's
; rows, height and page size.
font_activate:
    pusha
    mov al, 09h
    call crtc_read
    and al, 0E0h
    mov ah, bh
    dec ah
    or ah, al
    mov al, 09h
    call crtc_write
    ; the lines shown: vertical display end + 1 (bit 8 in register 07h
    ; bit 1, bit 9 in bit 6)
    mov al, 12h
    call crtc_read
    movzx cx, al
    mov al, 07h
    call crtc_read
    test al, 02h
    jz .bit9
    or ch, 1
.bit9:
    test al, 40h
    jz .lines
    or ch, 2
.lines:
    inc cx
    mov ax, cx
    div bh                      ; AL = rows
    mov dl, al
    dec al
    mov [BDA_VIDEO_ROWS], al
    movzx ax, bh
    mov [BDA_CHAR_HEIGHT], ax
    movzx ax, dl
    imul ax, [BDA_VIDEO_COLS]   ; (IMUL: DL, the rows, stays)
    shl ax, 1
    add ax, 0FFh
    xor al, al
    mov [BDA_VIDEO_PGSZ], ax
    ; vertical display end = rows * height - 1; registers 07h and 09h
    ; hold its high bits, behind the protect bit of register 11h
    movzx ax, dl
    mul bh
    dec ax
    mov cx, ax
    mov al, 11h
    call crtc_read
    push ax
    mov ah, al
    and ah, 7Fh
    mov al, 11h
    call crtc_write
    mov ah, cl
    mov al, 12h
    call crtc_write
    mov al, 07h
    call crtc_read
    and al, ~42h & 0FFh
    test ch, 1
    jz .set9
    or al, 02h
.set9:
    test ch, 2
    jz .set_overflow
    or al, 40h
.set_overflow:
    mov ah, al
    mov al, 07h
    call crtc_write
    pop ax
    mov ah, al
    mov al, 11h
    call crtc_write
    ; the underline (monochrome attribute 01h) on the cell's last line
    cmp byte [BDA_VIDEO_MODE], 07h
    jne .cursor
    mov ah, bh
    dec ah
    mov al, 14h
    call crtc_write
.cursor:
    mov cx, [BDA_CURSOR_TYPE]
    call vga_cursor_shape_hw
    popa
    ret
