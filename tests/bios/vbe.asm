; tests/bios/vbe.asm - INT 10h in graphics modes (pixels and characters in
; modes 04h, 12h and 13h) and the VESA BIOS Extensions.  Expected values:
; display memory and the Bochs dispi registers read directly, the PCI
; configuration space, the VBE 2.0 data structures' documented layout.
%include "lib.inc"

test_main:
    call test_mode13
    call test_mode12
    call test_mode04
    call test_vbe_info
    call test_vbe_mode
    call test_vbe_window
    call test_vbe_pm
    call test_vbe_misc
    ret

; dispi: AX = dispi register AL.
dispi:
    push dx
    mov dx, 1CEh
    xor ah, ah
    out dx, ax
    inc dx
    in ax, dx
    pop dx
    ret

; ------------------------------------------------------------------ VGA graphics

test_mode13:
    mov ax, 0013h
    int 10h
    push 40h
    pop es
    CHECK8 [es:49h], 13h, "mode 13h: BDA mode"
    ; 0Ch: pixel (10, 20) in colour 2Ah is byte 20 * 320 + 10 of A000h
    mov ax, 0C2Ah
    xor bh, bh
    mov cx, 10
    mov dx, 20
    int 10h
    push 0A000h
    pop es
    CHECK8 [es:20 * 320 + 10], 2Ah, "mode 13h: 0Ch wrote the byte"
    mov byte [es:21 * 320 + 11], 37h
    mov ah, 0Dh
    xor bh, bh
    mov cx, 11
    mov dx, 21
    int 10h
    CHECK8 al, 37h, "mode 13h: 0Dh read the byte"
    ; a character: the 8x8 glyph INT 43h points at, in colour 0Fh on 0
    mov ah, 02h
    xor bh, bh
    mov dx, 0102h               ; row 1, column 2: pixels (16, 8)
    int 10h
    mov ax, 0941h
    mov bx, 000Fh
    mov cx, 1
    int 10h
    xor ax, ax
    mov fs, ax
    lgs si, [fs:43h * 4]
    add si, 'A' * 8
    mov di, 8 * 320 + 16
    mov cx, 8
    xor bp, bp                  ; mismatches
.line:
    mov bl, [gs:si]
    push cx
    mov cx, 8
.pixel:
    xor al, al
    shl bl, 1
    jnc .compare
    mov al, 0Fh
.compare:
    cmp [es:di], al
    je .same
    inc bp
.same:
    inc di
    loop .pixel
    pop cx
    add di, 320 - 8
    inc si
    loop .line
    CHECK16 bp, 0, "mode 13h: 'A' drawn from the INT 43h font"
    mov ah, 08h
    xor bh, bh
    int 10h
    CHECK8 al, 'A', "mode 13h: 08h recognises 'A'"
    ret

test_mode12:
    mov ax, 0012h
    int 10h
    ; pixel (3, 1) colour 0Ah: bit 4 (7 - 3) of byte 80 in planes 1 and 3
    mov ax, 0C0Ah
    xor bh, bh
    mov cx, 3
    mov dx, 1
    int 10h
    push 0A000h
    pop es
    xor bl, bl                  ; the colour the planes hold
    mov cl, 3
.plane:
    mov dx, 3CEh
    mov al, 04h
    mov ah, cl
    out dx, ax
    shl bl, 1
    test byte [es:80], 10h
    jz .clear
    or bl, 1
.clear:
    sub cl, 1
    jnc .plane
    mov dx, 3CEh
    mov ax, 0004h
    out dx, ax
    CHECK8 bl, 0Ah, "mode 12h: 0Ch set the pixel's planes"
    mov ah, 0Dh
    xor bh, bh
    mov cx, 3
    mov dx, 1
    int 10h
    CHECK8 al, 0Ah, "mode 12h: 0Dh"
    ; XOR (bit 7) turns it to 0Ah ^ 0Fh = 05h
    mov ax, 0C8Fh
    xor bh, bh
    mov cx, 3
    mov dx, 1
    int 10h
    mov ah, 0Dh
    xor bh, bh
    mov cx, 3
    mov dx, 1
    int 10h
    CHECK8 al, 05h, "mode 12h: 0Ch XOR"
    ; a character, read back
    mov ah, 02h
    xor bh, bh
    mov dx, 0203h
    int 10h
    mov ax, 0948h
    mov bx, 000Eh
    mov cx, 1
    int 10h
    mov ah, 08h
    xor bh, bh
    int 10h
    CHECK8 al, 'H', "mode 12h: 08h recognises 'H'"
    ; scrolling a character row up moves it up 16 pixel lines
    mov ax, 0601h
    xor bh, bh
    mov cx, 0000h
    mov dx, 1D4Fh
    int 10h
    mov ah, 02h
    xor bh, bh
    mov dx, 0103h
    int 10h
    mov ah, 08h
    xor bh, bh
    int 10h
    CHECK8 al, 'H', "mode 12h: 06h moved 'H' up a row"
    ret

test_mode04:
    mov ax, 0004h
    int 10h
    ; pixel (1, 1) colour 3: odd line -> B800:2000h, byte 0, bits 5-4
    mov ax, 0C03h
    xor bh, bh
    mov cx, 1
    mov dx, 1
    int 10h
    push 0B800h
    pop es
    CHECK8 [es:2000h], 30h, "mode 04h: 0Ch, the odd-line bank"
    mov ah, 0Dh
    xor bh, bh
    mov cx, 1
    mov dx, 1
    int 10h
    CHECK8 al, 3, "mode 04h: 0Dh"
    mov ax, 0003h
    int 10h
    ret

; ------------------------------------------------------------------ VBE

; the VGA's BAR0 read directly (mechanism #1 over all slots of bus 0)
vga_bar0:
    mov ebx, 80000000h
.slot:
    mov eax, ebx
    mov dx, 0CF8h
    out dx, eax
    mov dx, 0CFCh
    in eax, dx
    cmp eax, 11111234h
    je .found
    add ebx, 800h
    cmp ebx, 80010000h
    jb .slot
    xor eax, eax
    ret
.found:
    lea eax, [ebx + 10h]
    mov dx, 0CF8h
    out dx, eax
    mov dx, 0CFCh
    in eax, dx
    and eax, 0FFFFFFF0h
    ret

test_vbe_info:
    push ds
    pop es
    mov dword [info], 'VBE2'
    mov ax, 4F00h
    mov di, info
    int 10h
    CHECK16 ax, 004Fh, "4F00h status"
    CHECK32 [info], 'VESA', "4F00h signature"
    mov ax, [info + 4]
    cmp ax, 0200h
    jae .version
    FAILED "4F00h: VBE version below 2.0"
.version:
    mov al, 0Ah
    call dispi
    CHECK16 [info + 12h], ax, "4F00h memory = dispi 64 KiB blocks"
    ; the mode list has VESA's 118h and the largest, 1920x1200 (163h+)
    les si, [info + 0Eh]
    xor bx, bx
.list:
    mov ax, [es:si]
    cmp ax, 0FFFFh
    je .end
    cmp ax, 118h
    jne .not118
    or bl, 1
.not118:
    cmp ax, 167h
    jne .next
    or bl, 2
.next:
    add si, 2
    jmp .list
.end:
    CHECK8 bl, 3, "4F00h mode list has 118h and 167h"
    ret

info: times 512 db 0
mode_info: times 256 db 0

test_vbe_mode:
    push ds
    pop es
    mov ax, 4F01h
    mov cx, 112h                ; 640x480, 24 bits
    mov di, mode_info
    int 10h
    CHECK16 ax, 004Fh, "4F01h status"
    mov al, [mode_info]
    and al, 91h
    CHECK8 al, 91h, "4F01h attributes: supported, graphics, linear"
    CHECK16 [mode_info + 12h], 640, "4F01h width"
    CHECK16 [mode_info + 14h], 480, "4F01h height"
    CHECK8 [mode_info + 19h], 24, "4F01h bits per pixel"
    CHECK16 [mode_info + 10h], 1920, "4F01h bytes per line"
    CHECK8 [mode_info + 1Bh], 6, "4F01h memory model: direct colour"
    CHECK16 [mode_info + 1Fh], 1008h, "4F01h red: 8 bits at 16"
    CHECK16 [mode_info + 23h], 0008h, "4F01h blue: 8 bits at 0"
    call vga_bar0
    mov [lfb], eax
    CHECK32 [mode_info + 28h], eax, "4F01h framebuffer = PCI BAR0"
    ; an unknown mode
    mov ax, 4F01h
    mov cx, 1FFh
    mov di, mode_info
    int 10h
    CHECK16 ax, 014Fh, "4F01h of an unknown mode fails"
    ; set 112h with the linear framebuffer
    mov ax, 4F02h
    mov bx, 4112h
    int 10h
    CHECK16 ax, 004Fh, "4F02h status"
    mov al, 1
    call dispi
    CHECK16 ax, 640, "dispi width"
    mov al, 3
    call dispi
    CHECK16 ax, 24, "dispi depth"
    mov al, 4
    call dispi
    and al, 41h
    CHECK8 al, 41h, "dispi enabled with the linear framebuffer"
    mov ax, 4F03h
    int 10h
    CHECK16 ax, 004Fh, "4F03h status"
    CHECK16 bx, 4112h, "4F03h mode"
    ret

lfb: dd 0

; ------------------------------------------------------------------ memory through the LFB and the window

; copy: INT 15h 87h, CX words from linear ESI to linear EDI.
copy:
    pushad
    mov eax, edi
    mov di, move_gdt + 18h
    call lib_descriptor
    mov eax, esi
    mov di, move_gdt + 10h
    call lib_descriptor
    push ds
    pop es
    mov si, move_gdt
    mov ah, 87h
    int 15h
    popad
    ret
    align 8
move_gdt: times 48 db 0
pixel: dd 0

test_vbe_window:
    ; a byte written through the framebuffer at offset 65536 + 12 shows in
    ; the window at A000:000C once bank 1 is selected
    mov dword [pixel], 0C0FFEE11h
    mov esi, pixel
    mov edi, [lfb]
    add edi, 65536 + 12
    mov cx, 2
    call copy
    mov ax, 4F05h
    xor bx, bx
    mov dx, 1
    int 10h
    CHECK16 ax, 004Fh, "4F05h set"
    mov al, 5
    call dispi
    CHECK16 ax, 1, "dispi bank = 1"
    push 0A000h
    pop es
    CHECK32 [es:12], 0C0FFEE11h, "the window shows bank 1 of the framebuffer"
    mov ax, 4F05h
    mov bx, 0100h
    int 10h
    CHECK16 dx, 1, "4F05h get"
    ; the far-call window function of the mode information does the same
    mov bx, 0
    mov dx, 0
    call far [mode_info + 0Ch]
    mov al, 5
    call dispi
    CHECK16 ax, 0, "the WinFuncPtr far call sets the bank"
    ret

; ------------------------------------------------------------------ the protected-mode interface

; 4F0Ah's table is copied into our memory with a 32-bit thunk after it; a
; 32-bit code segment over the copy runs its functions the way a
; protected-mode driver does (near calls within that segment).
PM_CODE32       equ 08h         ; 32-bit code: base = the copy
PM_CODE16       equ 10h         ; 16-bit code and data, base 0 (this program)
PM_DATA16       equ 18h

test_vbe_pm:
    mov ax, 4F0Ah
    xor bl, bl
    int 10h
    CHECK16 ax, 004Fh, "4F0Ah"
    cmp cx, pm_copy_end - pm_copy - pm_thunk_size
    jbe .fits
    FAILED "4F0Ah: the table is larger than the test's buffer"
    ret
.fits:
    ; the table, then the thunk right after it
    push ds
    push es
    pop ds
    mov si, di
    push cs
    pop es
    mov di, pm_copy
    mov [cs:pm_call_thunk_offset], cx   ; the thunk sits right after the table
    rep movsb
    pop ds
    mov si, pm_thunk
    mov cx, pm_thunk_size
    rep movsb
    ; the code segment's base: the copy's linear address
    mov eax, pm_copy
    mov [pm_gdt + PM_CODE32 + 2], ax
    shr eax, 16
    mov [pm_gdt + PM_CODE32 + 4], al
    ; set window: bank 2
    mov si, 0                   ; the table's first word: the window function
    xor bl, bl
    mov dx, 2
    call pm_call
    mov al, 5
    call dispi
    CHECK16 ax, 2, "PM set window: dispi bank"
    ; display start: pixel (3, 7) of a virtual screen 1024 pixels (3072
    ; bytes) wide, so the window stays inside it: byte 7 * 3072 + 3 * 3
    mov ax, 4F06h
    xor bl, bl
    mov cx, 1024
    int 10h
    mov si, 2
    xor bl, bl
    mov ecx, 7 * 3072 + 3 * 3
    mov edx, ecx
    shr edx, 16
    call pm_call
    mov al, 8
    call dispi
    CHECK16 ax, 3, "PM display start: dispi x offset"
    mov al, 9
    call dispi
    CHECK16 ax, 7, "PM display start: dispi y offset"
    ; palette: entry 9 from a table (blue, green, red, 0) at ES:EDI
    mov si, 4
    xor bl, bl
    mov cx, 1
    mov dx, 9
    mov edi, pm_palette
    call pm_call
    mov dx, 3C7h
    mov al, 9
    out dx, al
    mov dx, 3C9h
    in al, dx
    CHECK8 al, 21h, "PM palette: red"
    in al, dx
    CHECK8 al, 22h, "PM palette: green"
    in al, dx
    CHECK8 al, 23h, "PM palette: blue"
    ; back to bank 0, start 0
    mov ax, 4F05h
    xor bx, bx
    xor dx, dx
    int 10h
    mov ax, 4F07h
    xor bx, bx
    xor cx, cx
    xor dx, dx
    int 10h
    mov ax, 4F06h
    xor bl, bl
    mov cx, 640
    int 10h
    ret

; pm_call: calls the protected-mode function whose offset is the table's
; word SI, with BL, ECX, EDX, EDI as given, in 16-bit protected mode
; through the 32-bit thunk; back in real mode after.
pm_call:
    cli
    movzx ebp, word [pm_copy + si]  ; the function's offset in the segment
    lgdt [pm_gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp PM_CODE16:.protected
.protected:
    mov ax, PM_DATA16
    mov ds, ax
    mov es, ax
    mov ss, ax                  ; (64 KiB limits, as real mode wants)
    call PM_CODE32:0            ; (the offset: patched to the thunk's)
pm_call_thunk_offset equ $ - 4
    mov eax, cr0
    and al, ~1
    mov cr0, eax
    jmp 0:.real
.real:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    sti
    ret

    align 8
pm_gdt:
    dq 0
    dq 00CF9A000000FFFFh        ; 32-bit code (base filled in)
    dq 00009A000000FFFFh        ; 16-bit code, base 0
    dq 000092000000FFFFh        ; 16-bit data, base 0
pm_gdt_end:
pm_gdtr:
    dw pm_gdt_end - pm_gdt - 1
    dd pm_gdt
pm_palette: db 23h, 22h, 21h, 0

; The thunk: copied after the table, so at the table's size in the 32-bit
; segment: calls the function at EBP (a near call: the function returns
; with RET), then back to the 16-bit caller.
bits 32
pm_thunk:
    call ebp
    o16 retf
pm_thunk_size equ $ - pm_thunk
bits 16

pm_copy: times 512 db 0
pm_copy_end:

test_vbe_misc:
    ; 4F06h: 1920 bytes a line; widen to 1024 pixels
    mov ax, 4F06h
    mov bl, 01h
    int 10h
    CHECK16 ax, 004Fh, "4F06h get"
    CHECK16 bx, 1920, "4F06h bytes per line"
    CHECK16 cx, 640, "4F06h pixels per line"
    mov ax, 4F06h
    xor bl, bl
    mov cx, 1024
    int 10h
    CHECK16 bx, 3072, "4F06h set 1024 pixels: 3072 bytes"
    mov al, 6
    call dispi
    CHECK16 ax, 1024, "dispi virtual width"
    ; 4F07h: the display start
    mov ax, 4F07h
    xor bx, bx
    xor cx, cx
    mov dx, 10
    int 10h
    mov al, 9
    call dispi
    CHECK16 ax, 10, "4F07h: dispi y offset"
    mov ax, 4F07h
    mov bx, 1
    int 10h
    CHECK16 dx, 10, "4F07h get"
    ; 4F08h: an 8-bit DAC
    mov ax, 4F08h
    mov bx, 0800h
    int 10h
    CHECK8 bh, 8, "4F08h: 8 bits"
    mov al, 4
    call dispi
    and al, 20h
    CHECK8 al, 20h, "dispi 8-bit DAC"
    mov ax, 4F08h
    mov bx, 0600h
    int 10h
    CHECK8 bh, 6, "4F08h: back to 6 bits"
    ; 4F09h: one palette entry (blue, green, red, 0)
    push ds
    pop es
    mov ax, 4F09h
    xor bl, bl
    mov cx, 1
    mov dx, 7
    mov di, vbe_entry
    int 10h
    CHECK16 ax, 004Fh, "4F09h"
    mov dx, 3C7h
    mov al, 7
    out dx, al
    mov dx, 3C9h
    in al, dx
    CHECK8 al, 3, "4F09h: red"
    in al, dx
    CHECK8 al, 2, "4F09h: green"
    in al, dx
    CHECK8 al, 1, "4F09h: blue"
    ; 4F0Ah: the protected-mode table: four offsets within it
    mov ax, 4F0Ah
    xor bl, bl
    int 10h
    CHECK16 ax, 004Fh, "4F0Ah"
    cmp [es:di], cx
    jb .pm_ok
    FAILED "4F0Ah: an offset beyond the table"
.pm_ok:
    ; a function VBE 2.0 does not have: AL is not 4Fh
    mov ax, 4F0Bh
    int 10h
    cmp al, 4Fh
    jne .unsupported_ok
    FAILED "4F0Bh claims to be supported"
.unsupported_ok:
    ; back to text: the dispi is off
    mov ax, 4F02h
    mov bx, 0003h
    int 10h
    CHECK16 ax, 004Fh, "4F02h to mode 03h"
    mov al, 4
    call dispi
    and al, 1
    CHECK8 al, 0, "dispi off in mode 03h"
    ret

vbe_entry: db 1, 2, 3, 0

TEST_END
