; vga/vgabios.asm - the video BIOS: INT 10h for the std-VGA (PCI 1234:1111)
; and its Bochs VBE "dispi" extension.
;
; It is a PCI option ROM image: POST copies it to C0000h and calls offset 3
; with AH = PCI bus, AL = device/function.  Everything it keeps between
; calls lives in the video area of the BIOS data area (40:49-40:66,
; 40:84-40:8A, 40:A8), as on the IBM VGA, since the ROM itself is
; read-only once shadowed; the VGA's own registers hold the rest.
;
; The chip starts with every register zero; a mode set programs all of
; them from the mode's parameter table (modes.inc), loads the palette and
; the text font, and sets the BDA.  Files:
;   vgaio.asm    register access
;   text.asm     cursor, pages, scrolling, characters, teletype, strings
;   gfx.asm      characters and pixels in the graphics modes
;   palette.asm  INT 10h 0Bh and 10h: palette registers and the DAC
;   font.asm     INT 10h 11h: fonts
;   state.asm    INT 10h 12h, 1Ah, 1Bh, 1Ch: configuration and state
;   vbe.asm      INT 10h 4Fh: VESA BIOS Extensions 2.0

%include "defs.inc"
%include "vga/layout.inc"

bits 16
org 0

; ------------------------------------------------------------------ option ROM header
rom_header:
    dw 0AA55h
    db VGAROM_SIZE / 512
    jmp vga_init                ; offset 3: the initialisation entry
    times 18h - ($ - $$) db 0
    dw pci_data                 ; the PCI data structure
    dw 0                        ; no PnP expansion header

pci_data:
    db "PCIR"
    dw 1234h, 1111h             ; the std-VGA
    dw 0                        ; no vital product data
    dw 18h                      ; structure length
    db 0                        ; structure revision
    db 00h, 00h, 03h            ; class code: VGA-compatible display controller
    dw VGAROM_SIZE / 512        ; image length
    dw 0100h                    ; revision of the code
    db 0                        ; x86 code
    db 80h                      ; the last image
    dw 0

vga_signature:
    db "x86sim VGA BIOS", 0

; ------------------------------------------------------------------ fonts
    times VGAROM_FONT8X8 - ($ - $$) db 0
font8x8:
%include "font8x8.inc"
    times VGAROM_FONT8X14 - ($ - $$) db 0
font8x14:
%include "font8x14.inc"
    times VGAROM_FONT8X16 - ($ - $$) db 0
font8x16:
%include "font8x16.inc"
%if $ - $$ != VGAROM_FONTS_END
%error "the fonts do not end where layout.inc says"
%endif
; the 9-dot alternate glyphs (AH=11h/30h BH=5 and 7): none, the list is
; empty
font_alt_empty:
    db 0

; ------------------------------------------------------------------ code and tables
%include "vga/modes.inc"
%include "vga/vgaio.asm"
%include "vga/text.asm"
%include "vga/gfx.asm"
%include "vga/palette.asm"
%include "vga/font.asm"
%include "vga/state.asm"
%include "vga/vbe.asm"

; ------------------------------------------------------------------ initialisation

; vga_init: the option ROM entry.  Installs INT 10h (and its VGA alias INT
; 6Dh), sets the BDA's video configuration, and sets mode 03h.
vga_init:
    pushad
    push ds
    push es
    cld
    xor ax, ax
    mov ds, ax
    mov word [10h * 4], int10_handler
    mov [10h * 4 + 2], cs
    mov word [6Dh * 4], int10_handler
    mov [6Dh * 4 + 2], cs
    push BDA_SEG
    pop ds
    mov byte [BDA_VIDEO_CTL], 60h       ; 256 KiB, emulation on, memory cleared
    mov byte [BDA_VIDEO_SW], 0F9h       ; switches: an enhanced colour display
    mov byte [BDA_VGA_FLAGS], 51h       ; VGA, 400 lines, display switching
    mov byte [BDA_VGA_DCC], 08h         ; display combination: VGA, colour analog
    mov word [BDA_VIDEO_SAVE], video_save_table
    mov [BDA_VIDEO_SAVE + 2], cs
    call vbe_disable
    mov ax, 0003h
    int 10h
    pop es
    pop ds
    popad
    retf

; The video save pointer table (BDA A8h): the parameter table, and no
; save areas or font overrides.
video_save_table:
    dw vga_param_table
    dw VGA_ROM_SEG
    times 6 dd 0

; ------------------------------------------------------------------ INT 10h

int10_handler:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    cmp ah, 4Fh
    je vbe_service
    cmp ah, int10_table_end - int10_table
    jae int10_leave
    movzx si, ah
    shl si, 1
    jmp [cs:int10_table + si]

int10_table:
    dw vga_set_mode_service     ; 00h
    dw text_cursor_shape        ; 01h
    dw text_set_cursor          ; 02h
    dw text_get_cursor          ; 03h
    dw vga_light_pen            ; 04h
    dw text_select_page         ; 05h
    dw text_scroll_up           ; 06h
    dw text_scroll_down         ; 07h
    dw text_read_char           ; 08h
    dw text_write_char_attr     ; 09h
    dw text_write_char          ; 0Ah
    dw palette_cga              ; 0Bh
    dw gfx_write_pixel          ; 0Ch
    dw gfx_read_pixel           ; 0Dh
    dw text_teletype            ; 0Eh
    dw vga_get_mode             ; 0Fh
    dw palette_service          ; 10h
    dw font_service             ; 11h
    dw state_alternate_select   ; 12h
    dw text_write_string        ; 13h
    dw int10_leave              ; 14h (LCD)
    dw int10_leave              ; 15h
    dw int10_leave              ; 16h
    dw int10_leave              ; 17h
    dw int10_leave              ; 18h
    dw int10_leave              ; 19h
    dw state_display_combination ; 1Ah
    dw state_functionality      ; 1Bh
    dw state_save_restore       ; 1Ch
int10_table_end:

int10_leave:
    SERVICE_LEAVE

; 04h: the light pen: never triggered.
vga_light_pen:
    mov byte [bp + R_AH], 0
    jmp int10_leave

; 0Fh: AL = mode (bit 7: memory kept at the last set), AH = columns, BH =
; active page.
vga_get_mode:
    mov al, [BDA_VIDEO_CTL]
    and al, 80h
    or al, [BDA_VIDEO_MODE]
    mov ah, [BDA_VIDEO_COLS]
    mov [bp + R_AX], ax
    mov al, [BDA_VIDEO_PAGE]
    mov [bp + R_BH], al
    jmp int10_leave

; 00h: set mode AL (bit 7: keep the display memory).  Unknown modes are
; ignored.
vga_set_mode_service:
    call vga_set_mode
    ; AL returns a value only for historical reasons (some BIOSes: the
    ; CRT mode control byte); programs do not rely on it
    jmp int10_leave

; ------------------------------------------------------------------ mode set

; vga_find_mode: SI = the vga_modes entry of mode AL (0-7Fh); CF if there
; is none.
vga_find_mode:
    mov si, vga_modes
.next:
    cmp [cs:si + MODE_NUMBER], al
    je .found
    add si, MODE_ENTRY
    cmp si, vga_modes_end
    jb .next
    stc
    ret
.found:
    clc
    ret

; vga_mode_entry: SI = the entry of the current mode (BDA 49h); CF if the
; BDA holds no mode of ours.
vga_mode_entry:
    push ax
    mov al, [BDA_VIDEO_MODE]
    call vga_find_mode
    pop ax
    ret

; vga_mode_vpt: DI = the parameter table entry of the mode at CS:SI.
vga_mode_vpt:
    movzx di, byte [cs:si + MODE_VPT]
    shl di, 6
    add di, vga_param_table
    ret

; vga_set_mode: AL = mode, bit 7 set to keep the display memory.  DS = BDA.
vga_set_mode:
    pusha
    push es
    mov ah, al
    and al, 7Fh
    call vga_find_mode
    jc .done
    call vbe_disable            ; a VGA mode replaces any VBE mode
    and byte [BDA_VIDEO_CTL], 7Fh
    and ah, 80h
    or [BDA_VIDEO_CTL], ah      ; the "memory not cleared" flag
    mov [BDA_VIDEO_MODE], al
    call vga_mode_vpt
    call vga_load_registers
    ; the BDA's description of the mode
    movzx ax, byte [cs:di + VPT_COLS]
    mov [BDA_VIDEO_COLS], ax
    mov ax, [cs:di + VPT_PAGE_SIZE]
    mov [BDA_VIDEO_PGSZ], ax
    mov word [BDA_VIDEO_START], 0
    mov byte [BDA_VIDEO_PAGE], 0
    push di
    push ds
    pop es
    mov di, BDA_CURSOR_POS
    xor ax, ax
    mov cx, 8
    rep stosw
    pop di
    mov al, [cs:di + VPT_ROWS]
    mov [BDA_VIDEO_ROWS], al
    movzx ax, byte [cs:di + VPT_HEIGHT]
    mov [BDA_CHAR_HEIGHT], ax
    mov ax, 3D4h
    test byte [cs:di + VPT_MISC], 01h
    jnz .colour
    mov ax, 3B4h
.colour:
    mov [BDA_CRTC_BASE], ax
    ; the equipment word's initial video mode: 80x25 colour or mono
    and byte [BDA_EQUIPMENT], 0CFh
    or byte [BDA_EQUIPMENT], 20h
    mov al, [BDA_VIDEO_MODE]
    cmp al, 07h
    jne .cga_regs
    or byte [BDA_EQUIPMENT], 30h
.cga_regs:
    ; the CGA mode-select and palette values programs read back
    cmp al, 07h
    ja .no_cga
    movzx bx, al
    mov al, [cs:cga_mode_select + bx]
    mov [BDA_VIDEO_MSR], al
    mov byte [BDA_VIDEO_PAL], 30h
    cmp bl, 06h
    jne .no_cga
    mov byte [BDA_VIDEO_PAL], 3Fh
.no_cga:
    mov word [BDA_CURSOR_TYPE], 0607h
    cmp byte [BDA_VIDEO_MODE], 07h
    jne .palette
    mov word [BDA_CURSOR_TYPE], 0B0Ch
.palette:
    test byte [BDA_VGA_FLAGS], 08h  ; default palette loading disabled
    jnz .memory
    call vga_load_default_palette
.memory:
    test byte [BDA_VIDEO_CTL], 80h
    jnz .font
    call vga_clear_memory
.font:
    call vga_set_font_vectors
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    jne .done
    ; text: the 8x16 font into character block 0
    mov bp, font8x16
    mov cx, 256
    xor dx, dx
    mov bx, 1000h               ; BL = block 0, BH = 16 bytes per character
    push cs
    pop es
    call font_load
.done:
    pop es
    popa
    ret

; the CGA's mode-select register value for modes 00h-07h
cga_mode_select: db 2Ch, 28h, 2Dh, 29h, 2Ah, 2Eh, 1Eh, 29h

; vga_load_registers: programs the VGA from the parameter table entry at
; CS:DI, in the order the hardware wants: the sequencer held in reset while
; its clocking and the miscellaneous output (clock select) change, the
; CRTC unlocked, the attribute controller through its index/data
; flip-flop, then the graphics controller.
vga_load_registers:
    pusha
    mov bx, di
    mov ax, 0100h               ; sequencer reset (synchronous)
    call seq_write
    mov al, 1
    mov si, VPT_SEQ
.seq:
    mov ah, [cs:bx + si]
    call seq_write
    inc si
    inc al
    cmp al, 5
    jb .seq
    mov al, [cs:di + VPT_MISC]
    mov dx, 3C2h
    out dx, al
    mov ax, 0300h               ; sequencer running
    call seq_write
    ; CRTC: at 3D4h or 3B4h as the misc output register now says
    mov dx, 3D4h
    test byte [cs:di + VPT_MISC], 01h
    jnz .crtc_base
    mov dx, 3B4h
.crtc_base:
    mov ax, 0011h               ; unprotect registers 0-7
    call crtc_write_dx
    xor al, al
    mov si, VPT_CRTC
.crtc:
    mov ah, [cs:bx + si]
    call crtc_write_dx
    inc si
    inc al
    cmp al, 19h
    jb .crtc
    ; attribute controller
    add dx, 6                   ; input status 1: resets the flip-flop
    in al, dx
    mov dx, 3C0h
    xor al, al
    mov si, VPT_ATTR
.attr:
    out dx, al                  ; index (palette address source off)
    mov ah, al
    mov al, [cs:bx + si]
    out dx, al
    mov al, ah
    inc si
    inc al
    cmp al, 14h
    jb .attr
    out dx, al                  ; 14h, colour select: 0
    xor al, al
    out dx, al
    ; graphics controller
    xor al, al
    mov si, VPT_GC
.gc:
    mov ah, [cs:bx + si]
    call gc_write
    inc si
    inc al
    cmp al, 9
    jb .gc
    mov dx, 3C6h                ; DAC pixel mask: all bits
    mov al, 0FFh
    out dx, al
    call attr_video_on
    popa
    ret

; vga_load_default_palette: the DAC loaded with the mode's default colours
; (gray-scale summed if that is on).
vga_load_default_palette:
    pusha
    mov al, [cs:si + MODE_PALETTE]
    mov cx, 64
    mov bx, pal_ega
    cmp al, PAL_CGA
    jne .not_cga
    mov bx, pal_cga
.not_cga:
    cmp al, PAL_MONO
    jne .not_mono
    mov bx, pal_mono
.not_mono:
    cmp al, PAL_256
    jne .load
    mov bx, pal_256
    mov cx, 256
.load:
    xor al, al
    mov si, bx
    call dac_load_rom
    popa
    ret

; vga_clear_memory: blanks the mode's memory: spaces with attribute 07h in
; text modes, zeros (colour 0 in every plane) in graphics modes.
vga_clear_memory:
    pusha
    push es
    mov es, [cs:si + MODE_SEGMENT]
    xor di, di
    mov cx, 4000h               ; 32 KiB (text, CGA)
    mov ax, 0720h
    cmp byte [cs:si + MODE_KIND], KIND_TEXT
    je .fill
    xor ax, ax
    cmp byte [cs:si + MODE_KIND], KIND_PLANAR
    jb .fill
    mov cx, 8000h               ; the whole 64 KiB window
    push ax
    mov ax, 0F02h               ; all planes
    call seq_write
    pop ax
.fill:
    rep stosw
    pop es
    popa
    ret

; vga_set_font_vectors: INT 43h at the mode's graphics font, INT 1Fh at the
; upper half of the 8x8 font.
vga_set_font_vectors:
    push ax
    push ds
    xor ax, ax
    mov ds, ax
    mov ax, font8x8
    cmp byte [cs:si + MODE_FONT], 14
    jne .not14
    mov ax, font8x14
.not14:
    cmp byte [cs:si + MODE_FONT], 16
    jne .not16
    mov ax, font8x16
.not16:
    mov [43h * 4], ax
    mov [43h * 4 + 2], cs
    mov word [1Fh * 4], font8x8 + 128 * 8
    mov [1Fh * 4 + 2], cs
    pop ds
    pop ax
    ret

; ------------------------------------------------------------------ end
%if $ - $$ > VGAROM_SIZE - 1
%error "the video BIOS does not fit in its ROM size"
%endif
    times VGAROM_SIZE - 1 - ($ - $$) db 0
rom_checksum:
    db 0                        ; set by the build (bios/rom_checksum.py): the image sums to 0
