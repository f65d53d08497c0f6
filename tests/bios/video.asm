; tests/bios/video.asm - INT 10h in text mode: mode set, cursor, pages,
; characters, teletype, scrolling, strings, palette and DAC, fonts,
; configuration and state.  Expected values: the VGA's registers and
; display memory read directly, and the IBM PC/AT BIOS data area layout.
%include "lib.inc"

test_main:
    call test_mode3
    call test_cursor
    call test_chars
    call test_teletype
    call test_scroll
    call test_pages
    call test_string
    call test_palette
    call test_fonts
    call test_state
    ret

; crtc: AL = CRTC register AL (colour base).
crtc:
    mov dx, 3D4h
    out dx, al
    inc dx
    in al, dx
    ret

; cell: AX = the word at row DH, column DL of page 0 (B800).
cell:
    push es
    push bx
    push 0B800h
    pop es
    movzx bx, dh
    imul bx, bx, 80
    push dx
    movzx dx, dl
    add bx, dx
    pop dx
    shl bx, 1
    mov ax, [es:bx]
    pop bx
    pop es
    ret

test_mode3:
    mov ax, 0003h
    int 10h
    mov ah, 0Fh
    int 10h
    CHECK8 al, 03h, "0Fh mode"
    CHECK8 ah, 80, "0Fh columns"
    CHECK8 bh, 0, "0Fh page"
    push 40h
    pop es
    CHECK8 [es:49h], 03h, "BDA mode"
    CHECK16 [es:4Ah], 80, "BDA columns"
    CHECK8 [es:84h], 24, "BDA rows - 1"
    CHECK16 [es:85h], 16, "BDA character height"
    CHECK16 [es:4Ch], 1000h, "BDA page size"
    CHECK16 [es:63h], 3D4h, "BDA CRTC base"
    mov al, 01h
    call crtc
    CHECK8 al, 4Fh, "CRTC horizontal display end: 80 characters"
    mov al, 09h
    call crtc
    and al, 1Fh
    CHECK8 al, 15, "CRTC maximum scan line: 16-line cells"
    mov dx, 3CCh
    in al, dx
    CHECK8 al, 67h, "miscellaneous output (colour, 28 MHz, 400 lines)"
    ; display memory cleared to grey spaces
    mov dx, 0C28h               ; row 12, column 40
    call cell
    CHECK16 ax, 0720h, "mode set clears to 0720h"
    ; the font: 'A' in plane 2 is the 8x16 glyph 11h/30h BH=6 points at
    mov ax, 1130h
    mov bh, 6
    int 10h
    CHECK16 cx, 16, "11h/30h character height"
    CHECK8 dl, 24, "11h/30h rows - 1"
    mov si, bp
    add si, 'A' * 16
    call read_plane2_A
    ret

; read_plane2_A: compares plane 2's copy of 'A' (block 0) with the 16
; bytes at ES:SI.
read_plane2_A:
    push ds
    push es
    pop ds                      ; DS:SI = the ROM glyph
    mov dx, 3C4h
    mov ax, 0402h               ; map mask: plane 2
    out dx, ax
    mov ax, 0604h               ; sequential addressing
    out dx, ax
    mov dx, 3CEh
    mov ax, 0204h               ; read plane 2
    out dx, ax
    mov ax, 0005h
    out dx, ax
    mov ax, 0406h               ; A000h, 64 KiB
    out dx, ax
    push 0A000h
    pop es
    mov di, 'A' * 32
    mov cx, 16
    repe cmpsb
    pop ds
    pushf
    ; back to text mode addressing
    mov dx, 3C4h
    mov ax, 0302h
    out dx, ax
    mov ax, 0204h
    out dx, ax
    mov dx, 3CEh
    mov ax, 0004h
    out dx, ax
    mov ax, 1005h
    out dx, ax
    mov ax, 0E06h
    out dx, ax
    popf
    je .same
    FAILED "plane 2 does not hold the 8x16 'A'"
.same:
    ret

test_cursor:
    mov ah, 02h
    xor bh, bh
    mov dx, 050Ah               ; row 5, column 10
    int 10h
    push 40h
    pop es
    CHECK16 [es:50h], 050Ah, "BDA cursor of page 0"
    mov al, 0Eh
    call crtc
    mov ah, al
    mov al, 0Fh
    call crtc
    CHECK16 ax, 5 * 80 + 10, "CRTC cursor location"
    mov ah, 03h
    xor bh, bh
    int 10h
    CHECK16 dx, 050Ah, "03h position"
    CHECK16 cx, 0607h, "03h shape after a mode set"
    ; shape: a full block of the 8-line CGA cell becomes the whole
    ; 16-line cell; bit 5 of CH hides the cursor
    mov ah, 01h
    mov cx, 0007h
    int 10h
    mov al, 0Ah
    call crtc
    and al, 1Fh
    CHECK8 al, 0, "cursor 0007h: start line"
    mov al, 0Bh
    call crtc
    and al, 1Fh
    CHECK8 al, 15, "cursor 0007h: end line (emulated)"
    mov ah, 01h
    mov cx, 2000h
    int 10h
    mov al, 0Ah
    call crtc
    and al, 20h
    CHECK8 al, 20h, "cursor 2000h: off"
    mov ah, 01h
    mov cx, 0607h
    int 10h
    ret

test_chars:
    ; 09h: three 'A' in attribute 1Eh from the cursor (5, 10); it stays
    mov ax, 0941h
    mov bx, 001Eh
    mov cx, 3
    int 10h
    mov dx, 050Ah
    call cell
    CHECK16 ax, 1E41h, "09h first cell"
    mov dx, 050Ch
    call cell
    CHECK16 ax, 1E41h, "09h third cell"
    mov dx, 050Dh
    call cell
    CHECK16 ax, 0720h, "09h wrote only CX cells"
    mov ah, 03h
    xor bh, bh
    int 10h
    CHECK16 dx, 050Ah, "09h does not move the cursor"
    ; 0Ah: the character only
    mov ax, 0A42h
    xor bh, bh
    mov cx, 1
    int 10h
    mov dx, 050Ah
    call cell
    CHECK16 ax, 1E42h, "0Ah keeps the attribute"
    ; 08h reads it
    mov ah, 08h
    xor bh, bh
    int 10h
    CHECK16 ax, 1E42h, "08h character and attribute"
    ret

test_teletype:
    ; 'X', 'Y' at the end of the last row: 'Y' wraps, the screen scrolls
    mov ah, 02h
    xor bh, bh
    mov dx, 184Eh               ; row 24, column 78
    int 10h
    mov dx, 184Eh
    call cell
    mov [saved_cell], ax
    mov ax, 0E58h
    int 10h
    mov ax, 0E59h
    int 10h
    mov ax, 0E5Ah
    int 10h
    mov dx, 174Eh
    call cell
    CHECK8 al, 'X', "teletype: X moved up a row"
    mov dx, 174Fh
    call cell
    CHECK8 al, 'Y', "teletype: Y moved up a row"
    mov dx, 1800h
    call cell
    CHECK8 al, 'Z', "teletype: Z on the new last row"
    mov ah, 03h
    xor bh, bh
    int 10h
    CHECK16 dx, 1801h, "teletype cursor after the wrap"
    ; the row the scroll brought in: spaces (with the attribute that was
    ; under the cursor)
    mov dx, 1840h
    call cell
    CHECK8 al, ' ', "teletype: the new row is blank"
    ; CR, LF, BS
    mov ax, 0E0Dh
    int 10h
    mov ah, 03h
    int 10h
    CHECK16 dx, 1800h, "CR: column 0"
    mov ax, 0E08h
    int 10h
    mov ah, 03h
    int 10h
    CHECK16 dx, 1800h, "BS at column 0 stays"
    mov ah, 02h
    mov dx, 0303h
    int 10h
    mov ax, 0E0Ah
    int 10h
    mov ah, 03h
    int 10h
    CHECK16 dx, 0403h, "LF: next row, same column"
    ret

saved_cell: dw 0

test_scroll:
    ; rows 2-4, columns 2-6 hold 'a' + row; scroll up 1 with attribute 70h
    push 0B800h
    pop es
    mov dh, 2
.fill:
    mov dl, 2
.fill_col:
    movzx bx, dh
    imul bx, bx, 80
    movzx ax, dl
    add bx, ax
    shl bx, 1
    mov al, 'a'
    add al, dh
    mov ah, 07h
    mov [es:bx], ax
    inc dl
    cmp dl, 6
    jbe .fill_col
    inc dh
    cmp dh, 4
    jbe .fill
    mov ax, 0601h
    mov bh, 70h
    mov cx, 0202h
    mov dx, 0406h
    int 10h
    mov dx, 0202h
    call cell
    CHECK16 ax, 0700h + 'd', "06h: row 3 moved to row 2"
    mov dx, 0306h
    call cell
    CHECK16 ax, 0700h + 'e', "06h: row 4 moved to row 3"
    mov dx, 0404h
    call cell
    CHECK16 ax, 7020h, "06h: the last row blanked with BH"
    mov dx, 0207h
    call cell
    CHECK16 ax, 0720h, "06h: outside the window untouched"
    ; 07h: back down by one; the top row gets BH
    mov ax, 0701h
    mov bh, 17h
    mov cx, 0202h
    mov dx, 0406h
    int 10h
    mov dx, 0302h
    call cell
    CHECK16 ax, 0700h + 'd', "07h: row 2 moved to row 3"
    mov dx, 0202h
    call cell
    CHECK16 ax, 1720h, "07h: the top row blanked"
    ; AL = 0 blanks the window
    mov ax, 0600h
    mov bh, 2Fh
    mov cx, 0202h
    mov dx, 0406h
    int 10h
    mov dx, 0304h
    call cell
    CHECK16 ax, 2F20h, "06h AL=0 blanks"
    ret

test_pages:
    mov ax, 0501h
    int 10h
    push 40h
    pop es
    CHECK8 [es:62h], 1, "05h: BDA active page"
    CHECK16 [es:4Eh], 1000h, "05h: BDA page start"
    mov al, 0Ch
    call crtc
    mov ah, al
    mov al, 0Dh
    call crtc
    CHECK16 ax, 0800h, "05h: CRTC start address (words)"
    mov ah, 0Fh
    int 10h
    CHECK8 bh, 1, "0Fh reports page 1"
    ; a character on page 1 lands 4 KiB on
    mov ah, 02h
    mov bh, 1
    xor dx, dx
    int 10h
    mov ax, 0951h
    mov bx, 0107h
    mov cx, 1
    int 10h
    push 0B800h
    pop es
    CHECK16 [es:1000h], 0751h, "09h on page 1"
    mov ax, 0500h
    int 10h
    ret

test_string:
    ; 13h AL=3: characters and attributes, the cursor moves
    push ds
    pop es
    mov ax, 1303h
    xor bh, bh
    mov cx, 3
    mov dx, 0A00h
    mov bp, attr_string
    int 10h
    mov dx, 0A00h
    call cell
    CHECK16 ax, 1F48h, "13h first character"
    mov dx, 0A02h
    call cell
    CHECK16 ax, 4E79h, "13h third character"
    mov ah, 03h
    xor bh, bh
    int 10h
    CHECK16 dx, 0A03h, "13h AL=3 moves the cursor"
    ; AL=0: one attribute, the cursor stays
    mov ax, 1300h
    mov bx, 0002h
    mov cx, 2
    mov dx, 0B00h
    mov bp, plain_string
    int 10h
    mov dx, 0B01h
    call cell
    CHECK16 ax, 0269h, "13h AL=0 with BL's attribute"
    mov ah, 03h
    xor bh, bh
    int 10h
    CHECK16 dx, 0A03h, "13h AL=0 leaves the cursor"
    ret

attr_string: db 'H', 1Fh, 'e', 2Eh, 'y', 4Eh
plain_string: db "Hi"

test_palette:
    ; DAC: write one entry, read it back, and through the ports
    mov ax, 1010h
    mov bx, 5
    mov dh, 11h
    mov cx, 2233h
    int 10h
    mov ax, 1015h
    mov bx, 5
    int 10h
    CHECK8 dh, 11h, "DAC red"
    CHECK16 cx, 2233h, "DAC green/blue"
    mov dx, 3C7h
    mov al, 5
    out dx, al
    mov dx, 3C9h
    in al, dx
    CHECK8 al, 11h, "DAC entry 5 red through the ports"
    ; a block
    push ds
    pop es
    mov ax, 1012h
    mov bx, 20
    mov cx, 2
    mov dx, dac_block
    int 10h
    mov ax, 1017h
    mov bx, 20
    mov cx, 2
    mov dx, dac_back
    int 10h
    mov si, dac_block
    mov di, dac_back
    mov cx, 6
    repe cmpsb
    je .block_ok
    FAILED "10h/12h-17h: DAC block read back different"
.block_ok:
    ; palette register 3 and the border
    mov ax, 1000h
    mov bx, 2A03h
    int 10h
    mov ax, 1007h
    mov bl, 3
    int 10h
    CHECK8 bh, 2Ah, "palette register 3"
    mov ax, 1001h
    mov bh, 15h
    int 10h
    mov ax, 1008h
    int 10h
    CHECK8 bh, 15h, "border colour"
    ; all 17 at once
    mov ax, 1009h
    mov dx, palette_back
    int 10h
    CHECK8 [palette_back + 3], 2Ah, "10h/09h register 3"
    CHECK8 [palette_back + 16], 15h, "10h/09h border"
    ; blink/intensity: attribute mode control bit 3
    mov ax, 1003h
    xor bl, bl
    int 10h
    mov dx, 3DAh
    in al, dx
    mov dx, 3C0h
    mov al, 30h                 ; mode control, keep the screen on
    out dx, al
    inc dx
    in al, dx
    and al, 08h
    CHECK8 al, 0, "10h/03h BL=0: intensity"
    ; pixel mask: only where the hardware reads it back (QEMU 7.2's VGA
    ; returns 0 from 3C6h)
    mov dx, 3C6h
    mov al, 7Eh
    out dx, al
    in al, dx
    cmp al, 7Eh
    jne .no_mask
    mov ax, 1018h
    mov bl, 7Fh
    int 10h
    mov dx, 3C6h
    in al, dx
    CHECK8 al, 7Fh, "10h/18h pixel mask"
    mov ax, 1019h
    int 10h
    CHECK8 bl, 7Fh, "10h/19h pixel mask"
.no_mask:
    mov ax, 1018h
    mov bl, 0FFh
    int 10h
    ret

dac_block: db 1, 2, 3, 4, 5, 6
dac_back: times 6 db 0
palette_back: times 17 db 0

test_fonts:
    ; the 8x8 font, activated: 50 rows of 8-line cells
    mov ax, 1112h
    xor bl, bl
    int 10h
    push 40h
    pop es
    CHECK8 [es:84h], 49, "1112h: 50 rows"
    CHECK16 [es:85h], 8, "1112h: 8-line cells"
    mov al, 09h
    call crtc
    and al, 1Fh
    CHECK8 al, 7, "1112h: CRTC maximum scan line"
    mov ax, 1130h
    mov bh, 3
    int 10h
    CHECK16 cx, 8, "11h/30h height after 1112h"
    mov ax, 0003h               ; back
    int 10h
    ; 1103h selects character blocks
    mov ax, 1103h
    mov bl, 05h
    int 10h
    mov dx, 3C4h
    mov al, 03h
    out dx, al
    inc dx
    in al, dx
    CHECK8 al, 05h, "1103h: character map select"
    mov ax, 1103h
    xor bl, bl
    int 10h
    ret

test_state:
    mov ah, 12h
    mov bl, 10h
    int 10h
    CHECK8 bh, 0, "12h/10h: colour"
    CHECK8 bl, 3, "12h/10h: 256 KiB"
    mov ax, 1A00h
    int 10h
    CHECK8 al, 1Ah, "1Ah supported"
    CHECK8 bl, 08h, "1Ah: VGA, colour display"
    ; 1Bh
    push ds
    pop es
    mov ah, 1Bh
    xor bx, bx
    mov di, state_buffer
    int 10h
    CHECK8 al, 1Bh, "1Bh supported"
    CHECK8 [state_buffer + 4], 03h, "1Bh mode"
    CHECK16 [state_buffer + 5], 80, "1Bh columns"
    CHECK8 [state_buffer + 22h], 25, "1Bh rows"
    CHECK8 [state_buffer + 2Ah], 2, "1Bh: 400 scan lines"
    les si, [state_buffer]
    CHECK8 [es:si], 0FFh, "1Bh static table: modes 0-7"
    ; 1Ch: save the DAC, change it, restore it
    mov ax, 1C00h
    mov cx, 0007h
    int 10h
    CHECK8 al, 1Ch, "1Ch supported"
    cmp bx, 1
    jb .too_small
    cmp bx, 32
    jbe .size_ok
.too_small:
    FAILED "1Ch: an odd buffer size"
.size_ok:
    push 2000h
    pop es
    mov ax, 1C01h
    mov cx, 0007h
    xor bx, bx
    int 10h
    mov ax, 1010h
    mov bx, 1
    mov dh, 3Fh
    mov cx, 3F3Fh
    int 10h
    push 40h
    pop es
    mov byte [es:49h], 12h      ; a wrong mode in the BDA
    push 2000h
    pop es
    mov ax, 1C02h
    mov cx, 0007h
    xor bx, bx
    int 10h
    mov ax, 1015h
    mov bx, 1
    int 10h
    CHECK16 cx, 002Ah, "1Ch restored DAC entry 1 (green, blue: EGA blue)"
    CHECK8 dh, 0, "1Ch restored DAC entry 1 (red)"
    push 40h
    pop es
    CHECK8 [es:49h], 03h, "1Ch restored the BDA mode"
    ret

state_buffer: times 64 db 0

TEST_END
