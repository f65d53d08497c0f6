; vga/gfx.asm - characters and pixels in the graphics modes.
;
; Memory layouts (kinds, modes.inc):
;   CGA4/CGA2  (04h-06h) B800: even pixel lines from 0, odd ones from 2000h,
;              80 bytes a line; 4 (2 bits each) or 8 pixels a byte, the
;              leftmost in the high bits.
;   PLANAR     (0Dh-12h) A000: four planes, one bit of each pixel's colour
;              in each; a byte covers 8 pixels; BDA 4Ah bytes a line.  The
;              graphics controller combines the CPU's byte with the
;              "latches" (the last byte read from each plane): a read
;              loads them, the set/reset registers give a colour for all
;              planes at once, the bit mask picks the pixels changed.
;   LINEAR     (13h) A000: one byte a pixel, 320 a line.
; Characters are drawn from the font INT 43h points at (and for 80h-FFh in
; the CGA modes, INT 1Fh), BDA 85h lines high, 8 pixels wide, in
; foreground colour on colour 0; with bit 7 of the colour set they are
; XORed onto the screen instead (not in mode 13h, where all 8 bits are the
; colour).
;
; Entered with DS = BDA and SI = the current mode's entry.

; gfx_glyph: GS:DI = the font bitmap of character AL.
gfx_glyph:
    push ax
    push cx
    push ds
    xor cx, cx
    mov ds, cx
    movzx di, al
    cmp byte [cs:si + MODE_KIND], KIND_CGA2
    ja .table43                 ; (planar, linear)
    cmp al, 80h
    jb .table43
    sub di, 80h
    shl di, 3
    lgs cx, [1Fh * 4]
    add di, cx
    jmp .done
.table43:
    push BDA_SEG
    pop ds
    imul di, [BDA_CHAR_HEIGHT]  ; (IMUL: DX stays)
    xor cx, cx
    mov ds, cx
    lgs cx, [43h * 4]
    add di, cx
.done:
    pop ds
    pop cx
    pop ax
    ret

; gfx_line_offset: DI = the offset in display memory of the start of pixel
; line AX (on page BH for the planar modes, which have pages).
gfx_line_offset:
    push ax
    push dx
    mov dl, [cs:si + MODE_KIND]
    cmp dl, KIND_CGA2
    ja .not_cga
    mov di, ax
    and di, 1
    shl di, 13                  ; odd lines: 2000h
    shr ax, 1
    imul ax, ax, 80
    add di, ax
    jmp .done
.not_cga:
    cmp dl, KIND_LINEAR
    jne .planar
    imul di, ax, 320
    jmp .done
.planar:
    mul word [BDA_VIDEO_COLS]
    mov di, ax
    movzx ax, bh
    mul word [BDA_VIDEO_PGSZ]
    add di, ax
.done:
    pop dx
    pop ax
    ret

; gfx_cell_bytes: CX = bytes a character cell is wide.
gfx_cell_bytes:
    mov cx, 1
    cmp byte [cs:si + MODE_KIND], KIND_CGA4
    jne .not4
    mov cx, 2
.not4:
    cmp byte [cs:si + MODE_KIND], KIND_LINEAR
    jne .done
    mov cx, 8
.done:
    ret

; gfx_cell_offset: DI = the offset of line CL of the cell at row DH,
; column DL, page BH.
gfx_cell_offset:
    push ax
    push cx
    movzx ax, dh
    mul byte [BDA_CHAR_HEIGHT]
    movzx cx, cl
    add ax, cx
    call gfx_line_offset
    call gfx_cell_bytes
    movzx ax, dl
    imul ax, cx                 ; (IMUL: DX, the row and column, stays)
    add di, ax
    pop cx
    pop ax
    ret

; ------------------------------------------------------------------ writing characters

; gfx_write_chars: CX copies of character AL in colour BL from row DH,
; column DL of page BH (to the end of the row at most).
gfx_write_chars:
    pusha
    push es
    mov es, [cs:si + MODE_SEGMENT]
    call gfx_glyph              ; GS:DI = the bitmap
    mov bp, di
.cell:
    cmp dl, [BDA_VIDEO_COLS]
    jae .done
    push cx
    mov al, [cs:si + MODE_KIND]
    cmp al, KIND_PLANAR
    je .planar
    cmp al, KIND_LINEAR
    je .linear
    call gfx_cell_cga
    jmp .next
.planar:
    call gfx_cell_planar
    jmp .next
.linear:
    call gfx_cell_linear
.next:
    pop cx
    inc dl
    loop .cell
.done:
    pop es
    popa
    ret

; The per-kind cell drawers: the bitmap at GS:BP, colour BL, the cell at
; DH/DL of page BH.

gfx_cell_cga:
    pusha
    xor cl, cl                  ; CL = line within the cell
.line:
    cmp cl, [BDA_CHAR_HEIGHT]
    jae .done
    call gfx_cell_offset
    call gfx_glyph_line
    cmp byte [cs:si + MODE_KIND], KIND_CGA2
    je .two
    ; four colours: each glyph bit becomes a 2-bit pixel of colour BL
    call gfx_expand2
    push bx
    movzx bx, bl
    and bl, 3
    imul bx, bx, 5555h
    and ax, bx
    pop bx
    xchg al, ah                 ; the leftmost pixels go in the first byte
    test bl, 80h
    jz .store4
    xor [es:di], ax
    jmp .next
.store4:
    mov [es:di], ax
    jmp .next
.two:
    test bl, 1
    jnz .foreground
    xor al, al
.foreground:
    test bl, 80h
    jz .store2
    xor [es:di], al
    jmp .next
.store2:
    mov [es:di], al
.next:
    inc cl
    jmp .line
.done:
    popa
    ret

; gfx_glyph_line: AL = line CL of the glyph at GS:BP.
gfx_glyph_line:
    push si
    movzx si, cl
    mov al, [gs:bp + si]
    pop si
    ret

; gfx_expand2: AX = AL with every bit doubled (bit 7 -> bits 15 and 14).
gfx_expand2:
    push cx
    push dx
    mov dl, al
    xor ax, ax
    mov cx, 8
.bit:
    shl ax, 2
    shl dl, 1
    jnc .zero
    or al, 3
.zero:
    loop .bit
    pop dx
    pop cx
    ret

gfx_cell_planar:
    pusha
    mov ax, 0F01h               ; set/reset on for all planes: it gives the colour
    call gc_write
    test bl, 80h
    jz .opaque
    mov ax, 1803h               ; XOR with the latches
    call gc_write
    mov ah, bl
    and ah, 0Fh
    xor al, al                  ; set/reset: the colour
    call gc_write
    xor ch, ch
    call .pass                  ; the glyph's pixels only
    jmp .restore
.opaque:
    mov ax, 0000h               ; set/reset: colour 0 ...
    call gc_write
    mov ch, 0FFh                ; ... where the glyph has no pixel
    call .pass
    mov ah, bl
    and ah, 0Fh
    xor al, al                  ; then the colour where it has
    call gc_write
    xor ch, ch
    call .pass
.restore:
    mov ax, 0001h
    call gc_write
    mov ax, 0003h
    call gc_write
    mov ax, 0000h
    call gc_write
    mov ax, 0FF08h
    call gc_write
    popa
    ret
; .pass: each line: bit mask = the glyph's line XOR CH; a read loads the
; latches (so the pixels outside the mask keep their colour), the write
; stores set/reset's colour in the masked ones.
.pass:
    xor cl, cl
.pass_line:
    cmp cl, [BDA_CHAR_HEIGHT]
    jae .pass_done
    call gfx_cell_offset
    call gfx_glyph_line
    mov ah, al
    xor ah, ch
    mov al, 08h
    call gc_write
    mov al, [es:di]
    mov [es:di], al
    inc cl
    jmp .pass_line
.pass_done:
    ret

gfx_cell_linear:
    pusha
    xor cl, cl
.line:
    cmp cl, [BDA_CHAR_HEIGHT]
    jae .done
    call gfx_cell_offset
    call gfx_glyph_line
    mov ah, al
    mov ch, 8
.pixel:
    xor al, al
    shl ah, 1
    jnc .put
    mov al, bl
.put:
    stosb
    dec ch
    jnz .pixel
    inc cl
    jmp .line
.done:
    popa
    ret

; ------------------------------------------------------------------ reading characters

; gfx_read_char: AL = the character at row DH, column DL of page BH,
; recognised by comparing the cell's pixels (colour 0 = background) with
; each glyph of the font; 0 if none matches.
gfx_read_char:
    push bx
    push cx
    push dx
    push di
    push es
    push gs
    push bp
    mov bp, sp
    sub sp, 16                  ; the cell's bitmap, one byte a line
    mov es, [cs:si + MODE_SEGMENT]
    xor cl, cl
.line:
    cmp cl, [BDA_CHAR_HEIGHT]
    jae .search
    call gfx_cell_offset
    call gfx_cell_bits
    movzx di, cl
    mov [bp + di - 16], al
    inc cl
    jmp .line
.search:
    xor al, al
.candidate:
    call gfx_glyph              ; GS:DI
    push si
    push ds
    push es
    mov cx, [BDA_CHAR_HEIGHT]
    push gs
    pop es
    push ss
    pop ds
    lea si, [bp - 16]
    repe cmpsb
    pop es
    pop ds
    pop si
    je .found
    inc al
    jnz .candidate              ; (after 255: AL = 0, nothing matched)
.found:
    mov sp, bp
    pop bp
    pop gs
    pop es
    pop di
    pop dx
    pop cx
    pop bx
    ret

; gfx_cell_bits: AL = the 8 pixels at ES:DI as a bitmap (1 = not colour 0).
gfx_cell_bits:
    push cx
    push dx
    mov dl, [cs:si + MODE_KIND]
    cmp dl, KIND_CGA2
    je .cga2
    cmp dl, KIND_CGA4
    je .cga4
    cmp dl, KIND_LINEAR
    je .linear
    ; planar: a pixel is set if any plane has its bit
    xor dh, dh
    xor cl, cl
.plane:
    mov al, 04h                 ; read map select
    mov ah, cl
    call gc_write
    or dh, [es:di]
    inc cl
    cmp cl, 4
    jb .plane
    mov ax, 0004h
    call gc_write
    mov al, dh
    jmp .done
.cga2:
    mov al, [es:di]
    jmp .done
.cga4:
    mov cx, [es:di]
    xchg cl, ch                 ; the leftmost pixel in bits 15-14
    xor al, al
    mov dh, 8
.pair:
    shl al, 1
    test ch, 0C0h
    jz .blank
    or al, 1
.blank:
    shl cx, 2
    dec dh
    jnz .pair
    jmp .done
.linear:
    push di
    xor al, al
    mov cx, 8
.byte:
    shl al, 1
    cmp byte [es:di], 0
    je .zero
    or al, 1
.zero:
    inc di
    loop .byte
    pop di
.done:
    pop dx
    pop cx
    ret

; ------------------------------------------------------------------ scrolling

; gfx_scroll_copy: character row AH to row AL over the window's columns
; (vga_scroll's frame at BP; ES = display memory): every pixel line of
; the row.  gfx_scroll_fill: row AL in the fill colour.
gfx_scroll_fill:
    mov ah, 0FFh                ; (no row is FFh: "fill")
gfx_scroll_copy:
    pusha
    push ds
    mov di, ax
    mov cl, [bp - SC_LEFT]
    mov ch, [bp - SC_RIGHT]
    mov dl, [bp - SC_FILL]
    push bp
    mov bp, sp
    sub sp, 12
%define GS_LEFT  word [bp - 2]  ; the window's left edge, in bytes
%define GS_WIDTH word [bp - 4]  ; its width, in bytes
%define GS_SRC   word [bp - 6]  ; the source pixel line
%define GS_DST   word [bp - 8]  ; the destination pixel line
%define GS_LINES word [bp - 10] ; lines to go
%define GS_FILL  byte [bp - 11] ; the fill byte
%define GS_ROW   byte [bp - 12] ; the source row, FFh to fill
    push cx
    call gfx_cell_bytes
    mov bx, cx                  ; BX = bytes a cell
    pop cx
    movzx ax, cl
    mul bl
    mov GS_LEFT, ax
    movzx ax, ch
    sub al, cl
    inc ax
    mul bl
    mov GS_WIDTH, ax
    mov ax, di
    movzx ax, ah
    mul byte [BDA_CHAR_HEIGHT]
    mov GS_SRC, ax
    mov ax, di
    xor ah, ah
    mul byte [BDA_CHAR_HEIGHT]
    mov GS_DST, ax
    movzx ax, byte [BDA_CHAR_HEIGHT]
    mov GS_LINES, ax
    mov ax, di
    mov GS_ROW, ah
    ; the fill byte: the colour in every pixel of a byte
    mov al, dl
    mov ah, [cs:si + MODE_KIND]
    cmp ah, KIND_CGA4
    jne .not4
    and al, 3
    mov ah, 55h
    mul ah
.not4:
    cmp byte [cs:si + MODE_KIND], KIND_CGA2
    jne .fill_set
    and al, 1
    neg al                      ; 0 or FFh
.fill_set:
    mov GS_FILL, al
    mov bh, [BDA_VIDEO_PAGE]    ; (the page, for the planar modes' offsets)
    cmp byte [cs:si + MODE_KIND], KIND_PLANAR
    jne .line
    mov ax, 0105h               ; copies go through the latches: write mode 1
    cmp GS_ROW, 0FFh
    jne .mode
    mov ax, 0F01h               ; fills come from set/reset
    call gc_write
    mov ah, GS_FILL
    and ah, 0Fh
    xor al, al
.mode:
    call gc_write
.line:
    mov ax, GS_DST
    call gfx_line_offset
    add di, GS_LEFT
    mov cx, GS_WIDTH
    cmp GS_ROW, 0FFh
    je .fill
    push di
    mov ax, GS_SRC
    call gfx_line_offset
    add di, GS_LEFT
    mov ax, di
    pop di
    push si
    push ds
    mov si, ax
    push es
    pop ds
    rep movsb
    pop ds
    pop si
    jmp .next
.fill:
    mov al, GS_FILL
    rep stosb
.next:
    inc GS_SRC
    inc GS_DST
    dec GS_LINES
    jnz .line
    cmp byte [cs:si + MODE_KIND], KIND_PLANAR
    jne .done
    mov ax, 0005h               ; write mode 0, set/reset off
    call gc_write
    mov ax, 0001h
    call gc_write
    mov ax, 0000h
    call gc_write
.done:
    mov sp, bp
    pop bp
    pop ds
    popa
    ret
%undef GS_LEFT
%undef GS_WIDTH
%undef GS_SRC
%undef GS_DST
%undef GS_LINES
%undef GS_FILL
%undef GS_ROW

; ------------------------------------------------------------------ pixels

; 0Ch: the pixel at column CX, line DX of page BH in colour AL (bit 7:
; XOR it in, except in mode 13h).
gfx_write_pixel:
    call vga_mode_entry
    jc int10_leave
    mov ah, [cs:si + MODE_KIND]
    cmp ah, KIND_TEXT
    je int10_leave
    mov es, [cs:si + MODE_SEGMENT]
    push ax
    mov ax, dx
    call gfx_line_offset
    pop ax
    cmp ah, KIND_LINEAR
    je .linear
    cmp ah, KIND_PLANAR
    je .planar
    call gfx_pixel_mask         ; DI += byte, BL = mask, CL = shift
    mov ah, al
    and ah, 3                   ; (CGA2: the shift takes bit 0 only: mask 1)
    shl ah, cl
    and ah, bl
    test al, 80h
    jz .replace
    xor [es:di], ah
    jmp int10_leave
.replace:
    not bl
    and [es:di], bl
    or [es:di], ah
    jmp int10_leave
.planar:
    mov bx, cx
    shr bx, 3
    add di, bx
    and cl, 7
    mov ah, 80h
    shr ah, cl                  ; the pixel's bit
    push ax
    mov al, 08h
    call gc_write               ; bit mask
    mov ax, 0205h               ; write mode 2: CPU data bits 0-3 are the colour
    call gc_write
    pop ax
    test al, 80h
    jz .planar_write
    push ax
    mov ax, 1803h               ; XOR
    call gc_write
    pop ax
.planar_write:
    mov ah, [es:di]             ; load the latches
    mov [es:di], al
    mov ax, 0005h
    call gc_write
    mov ax, 0FF08h
    call gc_write
    mov ax, 0003h
    call gc_write
    jmp int10_leave
.linear:
    add di, cx
    mov [es:di], al
    jmp int10_leave

; gfx_pixel_mask: for the CGA modes: DI advances to the byte holding pixel
; CX, BL = the mask of its bits, CL = their shift.
gfx_pixel_mask:
    push ax
    mov ax, cx
    cmp byte [cs:si + MODE_KIND], KIND_CGA4
    je .four
    shr ax, 3
    add di, ax
    and cl, 7
    mov al, 7
    sub al, cl
    mov cl, al                  ; shift: 7 - x mod 8
    mov bl, 1
    shl bl, cl
    pop ax
    ret
.four:
    shr ax, 2
    add di, ax
    and cl, 3
    mov al, 3
    sub al, cl
    shl al, 1
    mov cl, al                  ; shift: (3 - x mod 4) * 2
    mov bl, 3
    shl bl, cl
    pop ax
    ret

; 0Dh: AL = the colour of the pixel at column CX, line DX of page BH.
gfx_read_pixel:
    call vga_mode_entry
    jc int10_leave
    mov ah, [cs:si + MODE_KIND]
    cmp ah, KIND_TEXT
    je int10_leave
    mov es, [cs:si + MODE_SEGMENT]
    mov ax, dx
    call gfx_line_offset
    mov ah, [cs:si + MODE_KIND]
    cmp ah, KIND_LINEAR
    je .linear
    cmp ah, KIND_PLANAR
    je .planar
    call gfx_pixel_mask
    mov al, [es:di]
    and al, bl
    shr al, cl
    jmp .result
.planar:
    mov bx, cx
    shr bx, 3
    add di, bx
    and cl, 7
    mov bl, 80h
    shr bl, cl                  ; the pixel's bit
    xor bh, bh                  ; the colour
    mov cl, 3
.plane:
    mov al, 04h
    mov ah, cl
    call gc_write               ; read map: plane CL
    shl bh, 1
    test [es:di], bl
    jz .clear
    or bh, 1
.clear:
    sub cl, 1
    jnc .plane
    mov ax, 0004h
    call gc_write
    mov al, bh
    jmp .result
.linear:
    add di, cx
    mov al, [es:di]
.result:
    mov [bp + R_AL], al
    jmp int10_leave
