; ROM for the window test.  Programs VGA mode 3 the way a BIOS does (the
; IBM register tables), loads the EGA colours into the DAC and the 8x16
; font into plane 2, writes two lines of text and END in white on red in
; the bottom right corner (so the frame's edges show when the window
; scales it) with the cursor off, says READY on port 0xE9, then echoes
; each byte from the keyboard controller
; as "KEY xx" (or says NOKBD when no controller answers at port 0x64).
bits 16
org 0

%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro

; Writes table[0..count) to the index/data port pair at `port`.
%macro INDEXED 3 ; port, table, count
    xor bx, bx
%%next:
    mov dx, %1
    mov al, bl
    out dx, al
    inc dx
    mov al, [%2 + bx]
    out dx, al
    inc bx
    cmp bx, %3
    jb %%next
%endmacro

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, cs
    mov ds, ax
    OUTB 0x3C2, 0x67                  ; miscellaneous output
    OUTB 0x3C4, 0                     ; sequencer held in reset
    OUTB 0x3C5, 1
    INDEXED 0x3C4, seq_tab, 5
    OUTB 0x3C4, 0
    OUTB 0x3C5, 3
    OUTB 0x3D4, 0x11                  ; unlock CRTC 0-7
    OUTB 0x3D5, 0x0E
    INDEXED 0x3D4, crtc_tab, 25
    INDEXED 0x3CE, gc_tab, 9
    mov dx, 0x3DA                     ; attribute flip-flop to index
    in al, dx
    xor bx, bx
.attr:
    mov dx, 0x3C0
    mov al, bl
    out dx, al
    mov al, [attr_tab + bx]
    out dx, al
    inc bx
    cmp bx, 21
    jb .attr
    OUTB 0x3C0, 0x20                  ; palette back to the display
    OUTB 0x3C8, 0                     ; DAC: the 64 EGA colours
    xor bx, bx
.dac:
    mov dx, 0x3C9
    mov al, [dac_tab + bx]
    out dx, al
    inc bx
    cmp bx, 64 * 3
    jb .dac
    OUTB 0x3C4, 2                     ; font load: plane 2, sequential
    OUTB 0x3C5, 4
    OUTB 0x3C4, 4
    OUTB 0x3C5, 6
    OUTB 0x3CE, 4
    OUTB 0x3CF, 2
    OUTB 0x3CE, 5
    OUTB 0x3CF, 0
    OUTB 0x3CE, 6
    OUTB 0x3CF, 4
    mov ax, 0xA000
    mov es, ax
    mov si, font
    xor di, di
.glyph:
    mov cx, 16
.row:
    mov al, [si]
    mov [es:di], al
    inc si
    inc di
    loop .row
    add di, 16                        ; 32 bytes per character slot
    cmp si, font_end
    jb .glyph
    OUTB 0x3C4, 2                     ; back to text: planes 0 and 1
    OUTB 0x3C5, 3
    OUTB 0x3C4, 4
    OUTB 0x3C5, 2
    OUTB 0x3CE, 4
    OUTB 0x3CF, 0
    OUTB 0x3CE, 5
    OUTB 0x3CF, 0x10
    OUTB 0x3CE, 6
    OUTB 0x3CF, 0x0E
    OUTB 0x3D4, 0x0A                  ; cursor off
    OUTB 0x3D5, 0x20
    mov ax, 0xB800
    mov es, ax
    mov si, line0
    xor di, di
    mov ah, 0x07                      ; light grey on black
    call put_line
    mov si, line1
    mov di, 160
    mov ah, 0x1E                      ; yellow on blue
    call put_line
    mov si, corner
    mov di, (24 * 80 + 77) * 2        ; row 24, columns 77..79
    mov ah, 0x4F                      ; white on red
    call put_line
    mov si, ready
    call say
.key:
    mov dx, 0x64
    in al, dx
    cmp al, 0xFF
    je .no_keyboard
    test al, 1
    jz .key
    mov dx, 0x60
    in al, dx
    mov si, key_text
    call say
    call say_hex
    mov si, newline
    call say
    jmp .key
.no_keyboard:
    mov si, no_keyboard
    call say
    hlt
    jmp .no_keyboard

; Writes the NUL-terminated CS:SI text at ES:DI with attribute AH.
put_line:
    mov al, [si]
    test al, al
    jz .done
    mov [es:di], ax
    inc si
    add di, 2
    jmp put_line
.done:
    ret

; Prints the NUL-terminated CS:SI text on port 0xE9.
say:
    push ax
    mov dx, 0xE9
.next:
    mov al, [si]
    test al, al
    jz .done
    out dx, al
    inc si
    jmp .next
.done:
    pop ax
    ret

; Prints AL as two hex digits on port 0xE9 (high nibble by repeated
; subtraction: nothing here needs the shift instructions).
say_hex:
    xor bx, bx
.high:
    cmp al, 16
    jb .print
    sub al, 16
    inc bx
    jmp .high
.print:
    mov cl, al
    mov dx, 0xE9
    mov al, [hex_digits + bx]
    out dx, al
    mov bl, cl
    mov al, [hex_digits + bx]
    out dx, al
    ret

hex_digits: db "0123456789abcdef"
line0: db "Hello from x86sim", 0
line1: db "ABC xyz 123", 0
corner: db "END", 0
ready: db "READY", 10, 0
key_text: db "KEY ", 0
newline: db 10, 0
no_keyboard: db "NOKBD", 10, 0

seq_tab: db 0x03, 0x00, 0x03, 0x00, 0x02
crtc_tab: db 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00
          db 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF
gc_tab: db 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF
attr_tab: db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F
          db 0x0C, 0x00, 0x0F, 0x08, 0x00
dac_tab:
%assign i 0
%rep 64
    db ((i >> 2) & 1) * 42 + ((i >> 5) & 1) * 21, ((i >> 1) & 1) * 42 + ((i >> 4) & 1) * 21, (i & 1) * 42 + ((i >> 3) & 1) * 21
%assign i i + 1
%endrep
font:
%include "font8x16.inc"
font_end:

    times 0x10000 - 16 - ($ - $$) db 0xFF
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
