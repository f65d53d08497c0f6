; vga/text.asm - INT 10h services that work on character cells: the
; cursor, display pages, scrolling, reading and writing characters, the
; teletype and strings.  In text modes a cell is a word in display memory
; (character, attribute); in graphics modes gfx.asm draws the character
; from the font, and these routines pass the work on.
;
; Entered from int10_handler: DS = BDA, BP = the caller's register frame,
; the other registers still hold the caller's values.

; ------------------------------------------------------------------ cursor

; 01h: cursor shape: CH = start line, CL = end line (bits 5-6 of CH: 01 =
; hidden).
text_cursor_shape:
    mov [BDA_CURSOR_TYPE], cx
    call vga_cursor_shape_hw
    jmp int10_leave

; vga_cursor_shape_hw: programs the CRTC's cursor start/end from CX.
; Programs written for the CGA's 8-line cells ask for lines 0-7; with
; cursor emulation on (BDA 87h bit 0 clear) such a shape is moved to the
; taller cell: a cursor in the lower half keeps its distance from the
; bottom, one from the top stretches to the bottom.
vga_cursor_shape_hw:
    pusha
    mov ax, cx
    xchg al, ah                 ; AL = start, AH = end
    mov bl, al
    and bl, 60h
    cmp bl, 20h
    jne .visible
    mov ax, 200Ah               ; start line register: cursor off
    call crtc_write
    popa
    ret
.visible:
    and ax, 1F1Fh
    test byte [BDA_VIDEO_CTL], 01h
    jnz .program
    mov bl, [BDA_CHAR_HEIGHT]
    cmp bl, 8
    jbe .program
    cmp al, 7
    ja .program
    cmp ah, 7
    ja .program
    cmp ah, al
    jb .program
    dec bl                      ; BL = the cell's last line
    mov bh, ah
    sub bh, al                  ; BH = the cursor's height - 1
    cmp al, 4
    jb .top
    add ah, bl                  ; bottom cursor: end = last - 8 + end
    sub ah, 8
    mov al, ah
    sub al, bh
    jmp .program
.top:
    add ah, bl                  ; top cursor: end = last - 7 + end
    sub ah, 7
.program:
    mov bh, ah
    mov ah, al
    mov al, 0Ah
    call crtc_write
    mov ah, bh
    mov al, 0Bh
    call crtc_write
    popa
    ret

; 02h: cursor of page BH to row DH, column DL.
text_set_cursor:
    call vga_set_cursor
    jmp int10_leave

; vga_set_cursor: page BH's cursor to DX (the hardware cursor follows if
; it is the page on screen).
vga_set_cursor:
    push si
    movzx si, bh
    and si, 7
    shl si, 1
    mov [BDA_CURSOR_POS + si], dx
    pop si
    cmp bh, [BDA_VIDEO_PAGE]
    jne .done
    call vga_update_hw_cursor
.done:
    ret

; vga_update_hw_cursor: the CRTC's cursor location from the active page's
; cursor: the page start plus row * columns + column, in cells.
vga_update_hw_cursor:
    pusha
    movzx si, byte [BDA_VIDEO_PAGE]
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    movzx ax, dh
    mul byte [BDA_VIDEO_COLS]
    movzx dx, dl
    add ax, dx
    mov bx, [BDA_VIDEO_START]
    shr bx, 1
    add bx, ax
    mov al, 0Eh
    mov ah, bh
    call crtc_write
    mov al, 0Fh
    mov ah, bl
    call crtc_write
    popa
    ret

; 03h: DX = page BH's cursor position, CX = the cursor shape.
text_get_cursor:
    movzx si, bh
    and si, 7
    shl si, 1
    mov ax, [BDA_CURSOR_POS + si]
    mov [bp + R_DX], ax
    mov ax, [BDA_CURSOR_TYPE]
    mov [bp + R_CX], ax
    mov word [bp + R_AX], 0
    jmp int10_leave

; ------------------------------------------------------------------ pages

; 05h: display page AL.
text_select_page:
    call vga_mode_entry
    jc int10_leave
    cmp al, [cs:si + MODE_PAGES]
    jae int10_leave
    mov [BDA_VIDEO_PAGE], al
    movzx ax, al
    mul word [BDA_VIDEO_PGSZ]
    mov [BDA_VIDEO_START], ax
    ; the CRTC counts words in text modes (they are word mode), bytes in
    ; the planar graphics modes
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    jne .start
    shr ax, 1
.start:
    call vga_set_start
    call vga_update_hw_cursor
    jmp int10_leave

; vga_set_start: the CRTC start address = AX.
vga_set_start:
    push ax
    push bx
    mov bx, ax
    mov al, 0Ch
    mov ah, bh
    call crtc_write
    mov al, 0Dh
    mov ah, bl
    call crtc_write
    pop bx
    pop ax
    ret

; ------------------------------------------------------------------ scrolling

; 06h/07h: scroll the window CH,CL (top left) - DH,DL (bottom right) of
; the active page up/down by AL lines (0: blank it), filling with
; attribute (graphics: colour) BH.
text_scroll_up:
    mov bl, 0
    call vga_scroll
    jmp int10_leave
text_scroll_down:
    mov bl, 1
    call vga_scroll
    jmp int10_leave

; vga_scroll: the work of 06h/07h; BL = 0 up, 1 down.  The window is
; moved a row at a time (scroll_copy), then the rows it left are blanked
; (scroll_fill); those two know the mode's memory layout.
SC_LEFT         equ 1           ; locals below BP
SC_RIGHT        equ 2
SC_FILL         equ 3
SC_KIND         equ 4
vga_scroll:
    pusha
    push es
    push bp
    mov bp, sp
    sub sp, 4
    ; the window within the screen
    cmp dh, [BDA_VIDEO_ROWS]
    jbe .rows_ok
    mov dh, [BDA_VIDEO_ROWS]
.rows_ok:
    mov ah, [BDA_VIDEO_COLS]
    dec ah
    cmp dl, ah
    jbe .cols_ok
    mov dl, ah
.cols_ok:
    cmp ch, dh
    ja .done
    cmp cl, dl
    ja .done
    mov ah, dh
    sub ah, ch
    inc ah                      ; the window's height
    test al, al
    jz .all
    cmp al, ah
    jbe .count
.all:
    mov al, ah
.count:
    mov [bp - SC_LEFT], cl
    mov [bp - SC_RIGHT], dl
    mov [bp - SC_FILL], bh
    call vga_mode_entry
    jc .done
    mov ah, [cs:si + MODE_KIND]
    mov [bp - SC_KIND], ah
    mov es, [cs:si + MODE_SEGMENT]
    test bl, bl
    jnz .down
    ; up: row r takes row r + AL while that is in the window
    mov bl, ch
.up_copy:
    mov ah, bl
    add ah, al
    cmp ah, dh
    ja .up_fill
    push ax
    mov al, bl
    call scroll_copy
    pop ax
    inc bl
    jmp .up_copy
.up_fill:                       ; rows BL..DH are blanked
    push ax
    mov al, bl
    call scroll_fill
    pop ax
    cmp bl, dh
    je .done
    inc bl
    jmp .up_fill
.down:
    ; down: row r takes row r - AL, from the bottom
    mov bl, dh
.down_copy:
    mov ah, bl
    sub ah, al
    jb .down_fill
    cmp ah, ch
    jb .down_fill
    push ax
    mov al, bl
    call scroll_copy
    pop ax
    dec bl
    jmp .down_copy
.down_fill:                     ; rows CH..BL are blanked
    push ax
    mov al, bl
    call scroll_fill
    pop ax
    cmp bl, ch
    je .done
    dec bl
    jmp .down_fill
.done:
    mov sp, bp
    pop bp
    pop es
    popa
    ret

; scroll_copy: row AH to row AL over the window's columns (vga_scroll's
; frame at BP, ES = display memory).  scroll_fill: blanks row AL.
scroll_copy:
    cmp byte [bp - SC_KIND], KIND_TEXT
    jne gfx_scroll_copy
    pusha
    push ds
    mov bh, [BDA_VIDEO_PAGE]
    mov dl, [bp - SC_LEFT]
    mov dh, ah
    call text_offset
    mov si, di
    mov dh, al
    call text_offset
    call scroll_width
    push es
    pop ds
    rep movsw
    pop ds
    popa
    ret
scroll_fill:
    cmp byte [bp - SC_KIND], KIND_TEXT
    jne gfx_scroll_fill
    pusha
    mov bh, [BDA_VIDEO_PAGE]
    mov dl, [bp - SC_LEFT]
    mov dh, al
    call text_offset
    call scroll_width
    mov ah, [bp - SC_FILL]
    mov al, ' '
    rep stosw
    popa
    ret

; scroll_width: CX = the window's width in cells.
scroll_width:
    movzx cx, byte [bp - SC_RIGHT]
    sub cl, [bp - SC_LEFT]
    inc cx
    ret

; text_offset: DI = the offset of the cell at row DH, column DL of page BH
; in display memory.
text_offset:
    push ax
    push cx
    push dx
    mov cx, dx
    movzx ax, bh
    and al, 7
    mul word [BDA_VIDEO_PGSZ]
    mov di, ax
    movzx ax, ch
    mul word [BDA_VIDEO_COLS]
    movzx dx, cl
    add ax, dx
    shl ax, 1
    add di, ax
    pop dx
    pop cx
    pop ax
    ret

; ------------------------------------------------------------------ characters

; 08h: AL = the character, AH = its attribute, at page BH's cursor (in
; graphics modes the character is recognised from its pixels; AH = 0).
text_read_char:
    call vga_mode_entry
    jc int10_leave
    movzx di, bh
    and di, 7
    shl di, 1
    mov dx, [BDA_CURSOR_POS + di]
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    jne .graphics
    call text_offset
    mov es, [cs:si + MODE_SEGMENT]
    mov ax, [es:di]
    mov [bp + R_AX], ax
    jmp int10_leave
.graphics:
    call gfx_read_char
    xor ah, ah
    mov [bp + R_AX], ax
    jmp int10_leave

; 09h: CX copies of character AL with attribute BL (graphics: colour BL;
; bit 7 XORs it in) from page BH's cursor on; the cursor stays.
text_write_char_attr:
    mov ah, 1
    jmp text_write_here
; 0Ah: the same, keeping the attributes there (text modes).
text_write_char:
    xor ah, ah
text_write_here:
    movzx di, bh
    and di, 7
    shl di, 1
    mov dx, [BDA_CURSOR_POS + di]
    call vga_write_cells
    jmp int10_leave

; vga_write_cells: CX copies of character AL from row DH, column DL of
; page BH; AH = 1 to write attribute BL with it (text modes; graphics
; modes always draw in colour BL).
vga_write_cells:
    pusha
    push es
    call vga_mode_entry
    jc .done
    test cx, cx
    jz .done
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    jne .graphics
    call text_offset
    mov es, [cs:si + MODE_SEGMENT]
    test ah, ah
    jz .chars
    mov ah, bl
    rep stosw
    jmp .done
.chars:
    stosb
    inc di
    loop .chars
    jmp .done
.graphics:
    call gfx_write_chars
.done:
    pop es
    popa
    ret

; 0Eh: AL to the active page as a teletype would: BEL, BS, LF and CR
; act, other characters are written (text: keeping the attribute there;
; graphics: in colour BL) and the cursor moves on, wrapping and scrolling.
text_teletype:
    mov bh, [BDA_VIDEO_PAGE]
    xor ah, ah
    call vga_tty
    jmp int10_leave

; vga_tty: character AL on page BH; AH = 1 writes attribute BL with it.
vga_tty:
    pusha
    movzx si, bh
    and si, 7
    shl si, 1
    mov dx, [BDA_CURSOR_POS + si]
    cmp al, 07h
    je .done                    ; the bell: this BIOS has no speaker sound
    cmp al, 08h
    je .backspace
    cmp al, 0Ah
    je .linefeed
    cmp al, 0Dh
    je .return
    mov cx, 1
    call vga_write_cells
    inc dl
    cmp dl, [BDA_VIDEO_COLS]
    jb .move
    xor dl, dl
.linefeed:
    inc dh
    cmp dh, [BDA_VIDEO_ROWS]
    jbe .move
    mov dh, [BDA_VIDEO_ROWS]
    call tty_scroll
    jmp .move
.backspace:
    test dl, dl
    jz .move
    dec dl
    jmp .move
.return:
    xor dl, dl
.move:
    call vga_set_cursor
.done:
    popa
    ret

; tty_scroll: the screen up one line for the teletype (cursor at DX on
; page BH, on the last row): the new line takes the attribute of the cell
; under the cursor (text), or colour 0 (graphics).
tty_scroll:
    pusha
    push es
    xor bl, bl                  ; fill: colour 0
    call vga_mode_entry
    jc .done
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    jne .scroll
    call text_offset
    mov es, [cs:si + MODE_SEGMENT]
    mov bl, [es:di + 1]
.scroll:
    mov bh, bl
    mov ax, 0001h               ; one line
    xor cx, cx
    mov dh, [BDA_VIDEO_ROWS]
    mov dl, [BDA_VIDEO_COLS]
    dec dl
    xor bl, bl                  ; up
    call vga_scroll
.done:
    pop es
    popa
    ret

; 13h: write the CX characters at ES:BP from row DH, column DL of page BH,
; as the teletype does; AL bit 1: the string alternates characters and
; attributes (else all take attribute BL); bit 0: the cursor stays after
; the string (else it returns to where it was).
text_write_string:
    movzx si, bh
    and si, 7
    shl si, 1
    push word [BDA_CURSOR_POS + si]
    call vga_set_cursor
    mov di, [bp + R_EBP]
.next:
    test cx, cx
    jz .end
    mov al, [es:di]
    inc di
    test byte [bp + R_AL], 02h
    jz .write
    mov bl, [es:di]
    inc di
.write:
    mov ah, 1
    call vga_tty
    dec cx
    jmp .next
.end:
    pop dx
    test byte [bp + R_AL], 01h
    jnz int10_leave
    call vga_set_cursor
    jmp int10_leave
