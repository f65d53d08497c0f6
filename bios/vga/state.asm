; vga/state.asm - INT 10h 12h (alternate select: configuration switches),
; 1Ah (display combination), 1Bh (functionality and state) and 1Ch (save
; and restore the video state).

; ------------------------------------------------------------------ 12h

state_alternate_select:
    cmp bl, 10h
    je .ega_info
    cmp bl, 30h
    je .scan_lines
    cmp bl, 31h
    je .palette_loading
    cmp bl, 32h
    je .done_12h                ; video addressing: always on
    cmp bl, 33h
    je .gray_summing
    cmp bl, 34h
    je .cursor_emulation
    cmp bl, 36h
    je .refresh
    jmp int10_leave

; 10h: BH = 0 colour / 1 monochrome addressing, BL = memory (3: 256 KiB),
; CH = feature bits, CL = the configuration switches.
.ega_info:
    xor bh, bh
    cmp word [BDA_CRTC_BASE], 3B4h
    jne .colour
    inc bh
.colour:
    mov bl, 3
    mov [bp + R_BX], bx
    mov cl, [BDA_VIDEO_SW]
    and cl, 0Fh
    xor ch, ch
    mov [bp + R_CX], cx
    jmp int10_leave

; 30h: text scan lines for the next mode set: this BIOS has the VGA's 400
; (AL = 02h) only; 200 and 350 are refused (AL stays).
.scan_lines:
    cmp al, 02h
    jne int10_leave
    jmp .done_12h

; 31h: AL = 00h: mode sets load the default palette, 01h: they do not.
.palette_loading:
    mov ah, 08h
    jmp .vga_flag
; 33h: AL = 00h: gray-scale summing on, 01h: off.
.gray_summing:
    mov ah, 02h
    xor al, 1                   ; (the flag is set when summing is on)
.vga_flag:
    cmp al, 1
    ja int10_leave
    not ah
    and [BDA_VGA_FLAGS], ah
    not ah
    test al, al
    jz .done_12h
    or [BDA_VGA_FLAGS], ah
    jmp .done_12h

; 34h: AL = 00h: cursor emulation on, 01h: off.
.cursor_emulation:
    cmp al, 1
    ja int10_leave
    and byte [BDA_VIDEO_CTL], 0FEh
    or [BDA_VIDEO_CTL], al
    jmp .done_12h

; 36h: AL = 00h: the screen on, 01h: off (the sequencer's screen-off bit).
.refresh:
    cmp al, 1
    ja int10_leave
    mov ah, al
    shl ah, 5
    mov al, 01h
    call seq_read
    and al, ~20h & 0FFh
    or ah, al
    mov al, 01h
    call seq_write

.done_12h:
    mov byte [bp + R_AL], 12h   ; "function supported"
    jmp int10_leave

; ------------------------------------------------------------------ 1Ah

; 1Ah AL = 00h: BL = the active display (08h: VGA, colour analog monitor;
; 07h: VGA, monochrome), BH = the inactive one (none).  AL = 01h: the
; display combination cannot change.  AL = 1Ah says the function exists.
state_display_combination:
    cmp al, 01h
    ja int10_leave
    je .supported
    mov bx, 0008h
    cmp word [BDA_CRTC_BASE], 3B4h
    jne .display
    mov bl, 07h
.display:
    mov [bp + R_BX], bx
.supported:
    mov byte [bp + R_AL], 1Ah
    jmp int10_leave

; ------------------------------------------------------------------ 1Bh

; 1Bh BX = 0000h: 64 bytes of state at ES:DI (layout of the IBM PS/2
; BIOS): a pointer to the static functionality table, the BDA's video
; fields, the display combination, colours, pages, scan lines, blocks.
state_functionality:
    test bx, bx
    jnz int10_leave
    push di
    xor ax, ax
    mov cx, 32
    rep stosw
    pop di
    mov word [es:di + 00h], vga_static_functionality
    mov [es:di + 02h], cs
    mov al, [BDA_VIDEO_MODE]
    mov [es:di + 04h], al
    ; 40:4A-40:66 in order: columns, page size, start, cursors, shape,
    ; page, CRTC base, mode select, palette
    push di
    push ds
    lea di, [di + 05h]
    mov si, BDA_VIDEO_COLS
    mov cx, BDA_VIDEO_PAL + 1 - BDA_VIDEO_COLS
    rep movsb
    pop ds
    pop di
    mov al, [BDA_VIDEO_ROWS]
    inc al
    mov [es:di + 22h], al
    mov ax, [BDA_CHAR_HEIGHT]
    mov [es:di + 23h], ax
    mov byte [es:di + 25h], 08h ; active display: VGA colour
    call vga_mode_entry
    jc .done
    ; colours, pages, scan lines
    mov ax, 16
    mov bl, [cs:si + MODE_KIND]
    cmp bl, KIND_TEXT
    je .colours
    mov ax, 4
    cmp bl, KIND_CGA4
    je .colours
    mov ax, 2
    cmp bl, KIND_CGA2
    je .colours
    mov ax, 256
    cmp bl, KIND_LINEAR
    je .colours
    mov ax, 16
.colours:
    cmp byte [cs:si + MODE_PALETTE], PAL_MONO
    jne .store_colours
    xor ax, ax                  ; monochrome: 0
.store_colours:
    mov [es:di + 27h], ax
    mov al, [cs:si + MODE_PAGES]
    mov [es:di + 29h], al
    ; scan lines: 0 = 200, 1 = 350, 2 = 400, 3 = 480, from the mode's
    ; vertical display end (the 200-line modes show each line twice: 400)
    push di
    call vga_mode_vpt
    mov al, [cs:di + VPT_CRTC + 12h]
    pop di
    mov ah, 3
    cmp al, 0DFh
    je .lines
    mov ah, 1
    cmp al, 5Dh
    je .lines
    mov ah, 2
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    je .lines
    xor ah, ah
.lines:
    mov [es:di + 2Ah], ah
    ; the character blocks the sequencer shows
    mov al, 03h
    call seq_read
    mov ah, al
    and al, 03h
    test ah, 10h
    jz .primary
    or al, 04h
.primary:
    mov [es:di + 2Bh], al
    mov al, ah
    shr al, 2
    and al, 03h
    test ah, 20h
    jz .secondary
    or al, 04h
.secondary:
    mov [es:di + 2Ch], al
    mov al, [BDA_VGA_FLAGS]
    and al, 0Fh                 ; all modes on all displays, gray summing, ...
    mov [es:di + 2Dh], al
    mov byte [es:di + 31h], 3   ; 256 KiB
.done:
    mov byte [bp + R_AL], 1Bh
    jmp int10_leave

; The static functionality table: the modes supported (a bit per mode
; from 00h), the scan lines (400), 8 character blocks with 2 active, and
; the functions: all modes on all monitors, gray summing, font loading,
; default palette control, cursor emulation, the EGA palette, the DAC and
; colour paging; blink/intensity toggling, state save/restore, display
; combination code.
vga_static_functionality:
    db 0FFh                     ; modes 00h-07h
    db 0E0h                     ; 0Dh, 0Eh, 0Fh
    db 0Fh                      ; 10h-13h
    db 0, 0, 0, 0
    db 04h                      ; 400 scan lines
    db 8, 2
    db 0FFh
    db 0Eh                      ; save/restore, blink toggle, DCC
    db 0, 0
    db 0                        ; no save pointer functions
    db 0

; ------------------------------------------------------------------ 1Ch

; 1Ch: save (AL = 01h) or restore (AL = 02h) the video state in the buffer
; at ES:BX, or tell its size (AL = 00h: BX = 64-byte blocks).  CX says
; what: bit 0 the VGA's registers, bit 1 the BDA's video fields and font
; vectors, bit 2 the DAC.  The buffer starts with the offsets of the three
; parts (0 = not saved), then the parts.
STATE_HW_SIZE   equ 5 + 1 + 25 + 21 + 9 + 4     ; seq, misc, CRTC, attr, GC, indexes
STATE_BDA_SIZE  equ 30 + 7 + 4 + 8              ; 40:49-66, 40:84-8A, 40:A8, INT 1Fh/43h
STATE_DAC_SIZE  equ 1 + 768                     ; pixel mask, 256 entries
STATE_HEADER    equ 8

state_save_restore:
    test cx, ~7
    jnz int10_leave
    call state_layout           ; SI, DI, DX = offsets; AX = total bytes
    cmp byte [bp + R_AL], 00h
    jne .transfer
    add ax, 63
    shr ax, 6
    mov [bp + R_BX], ax
    jmp .supported
.transfer:
    cmp byte [bp + R_AL], 02h
    ja int10_leave
    mov bx, [bp + R_BX]
    cmp byte [bp + R_AL], 01h
    je .save
    call state_restore
    jmp .supported
.save:
    call state_save
.supported:
    mov byte [bp + R_AL], 1Ch
    jmp int10_leave

; state_layout: for the parts CX names: SI = offset of the registers, DI =
; of the BDA fields, DX = of the DAC (0 if not in CX), AX = total size.
state_layout:
    mov ax, STATE_HEADER
    xor si, si
    xor di, di
    xor dx, dx
    test cl, 1
    jz .bda
    mov si, ax
    add ax, STATE_HW_SIZE
.bda:
    test cl, 2
    jz .dac
    mov di, ax
    add ax, STATE_BDA_SIZE
.dac:
    test cl, 4
    jz .done
    mov dx, ax
    add ax, STATE_DAC_SIZE
.done:
    ret

; state_save: the parts at the offsets state_layout gave, into ES:BX.
state_save:
    mov [es:bx], si
    mov [es:bx + 2], di
    mov [es:bx + 4], dx
    mov word [es:bx + 6], 0
    test si, si
    jz .bda
    push di
    lea di, [bx + si]
    call state_save_registers
    pop di
.bda:
    test di, di
    jz .dac
    push di
    lea di, [bx + di]
    xor ah, ah                  ; to the buffer
    call state_bda_copy
    pop di
.dac:
    test dx, dx
    jz .done
    lea di, [bx]
    add di, dx
    push dx
    mov dx, 3C6h
    in al, dx
    stosb
    mov dx, 3C7h
    xor al, al
    out dx, al
    add dx, 2
    mov cx, 768
.entry:
    in al, dx
    stosb
    loop .entry
    pop dx
.done:
    ret

; state_save_registers: the VGA's registers to ES:DI.
state_save_registers:
    push ax
    push cx
    push dx
    ; the index registers, so a program's half-done access survives
    mov dx, 3C4h
    in al, dx
    stosb
    mov dx, 3CEh
    in al, dx
    stosb
    mov dx, [BDA_CRTC_BASE]
    in al, dx
    stosb
    mov dx, 3C0h
    in al, dx                   ; (attribute index; read without resetting the flip-flop)
    stosb
    xor cl, cl
.seq:
    mov al, cl
    call seq_read
    stosb
    inc cl
    cmp cl, 5
    jb .seq
    mov dx, 3CCh                ; miscellaneous output, read port
    in al, dx
    stosb
    xor cl, cl
.crtc:
    mov al, cl
    call crtc_read
    stosb
    inc cl
    cmp cl, 19h
    jb .crtc
    xor cl, cl
.attr:
    mov al, cl
    call attr_read
    stosb
    inc cl
    cmp cl, 15h
    jb .attr
    xor cl, cl
.gc:
    mov al, cl
    call gc_read
    stosb
    inc cl
    cmp cl, 9
    jb .gc
    pop dx
    pop cx
    pop ax
    ret

; The BIOS data area fields and interrupt vectors the state holds:
; segment, offset, length (0 ends the list).
state_bda_fields:
    dw BDA_SEG, BDA_VIDEO_MODE, BDA_VIDEO_PAL + 1 - BDA_VIDEO_MODE
    dw BDA_SEG, BDA_VIDEO_ROWS, BDA_VGA_DCC + 1 - BDA_VIDEO_ROWS
    dw BDA_SEG, BDA_VIDEO_SAVE, 4
    dw 0, 1Fh * 4, 4
    dw 0, 43h * 4, 4
    dw 0, 0, 0

; state_bda_copy: those fields to the buffer at ES:DI (AH = 0) or from it
; (AH = 1).
state_bda_copy:
    pusha
    push ds
    mov bx, state_bda_fields
.field:
    mov cx, [cs:bx + 4]
    jcxz .done
    mov ds, [cs:bx]
    mov si, [cs:bx + 2]
.byte:
    test ah, ah
    jnz .from
    mov al, [si]
    mov [es:di], al
    jmp .next
.from:
    mov al, [es:di]
    mov [si], al
.next:
    inc si
    inc di
    loop .byte
    add bx, 6
    jmp .field
.done:
    pop ds
    popa
    ret

; state_restore: the parts the buffer at ES:BX holds, back.
state_restore:
    mov si, [es:bx]
    test si, si
    jz .bda
    add si, bx
    call state_restore_registers
.bda:
    mov si, [es:bx + 2]
    test si, si
    jz .dac
    lea di, [bx + si]
    mov ah, 1                   ; from the buffer
    call state_bda_copy
.dac:
    mov si, [es:bx + 4]
    test si, si
    jz .done
    add si, bx
    mov dx, 3C6h
    mov al, [es:si]
    out dx, al
    inc si
    mov dx, 3C8h
    xor al, al
    out dx, al
    inc dx
    mov cx, 768
.entry:
    mov al, [es:si]
    out dx, al
    inc si
    loop .entry
.done:
    ret

; state_restore_registers: the VGA's registers from ES:SI (as saved by
; state_save_registers), the sequencer held in reset meanwhile.
state_restore_registers:
    push si
    add si, 4                   ; the registers; the indexes last
    mov ax, 0100h
    call seq_write
    mov cl, 1
.seq:
    mov al, cl
    mov ah, [es:si + 1]
    call seq_write
    inc si
    inc cl
    cmp cl, 5
    jb .seq
    inc si                      ; (seq 0: written last)
    mov al, [es:si]
    mov dx, 3C2h
    out dx, al
    inc si
    mov ah, [es:si - 6]
    mov al, 00h
    call seq_write
    ; CRTC at the base the restored miscellaneous output selects
    mov dx, 3D4h
    test byte [es:si - 1], 01h
    jnz .crtc_base
    mov dx, 3B4h
.crtc_base:
    mov [BDA_CRTC_BASE], dx
    mov ax, 0011h
    call crtc_write_dx
    xor cl, cl
.crtc:
    mov al, cl
    mov ah, [es:si]
    call crtc_write_dx
    inc si
    inc cl
    cmp cl, 19h
    jb .crtc
    xor cl, cl
.attr:
    mov al, cl
    mov ah, [es:si]
    call attr_write
    inc si
    inc cl
    cmp cl, 15h
    jb .attr
    xor cl, cl
.gc:
    mov al, cl
    mov ah, [es:si]
    call gc_write
    inc si
    inc cl
    cmp cl, 9
    jb .gc
    pop si
    ; the index registers
    mov al, [es:si]
    mov dx, 3C4h
    out dx, al
    mov al, [es:si + 1]
    mov dx, 3CEh
    out dx, al
    mov al, [es:si + 2]
    mov dx, [BDA_CRTC_BASE]
    out dx, al
    ret
