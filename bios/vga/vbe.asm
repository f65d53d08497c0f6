; vga/vbe.asm - INT 10h AH=4Fh: the VESA BIOS Extensions 2.0, on the Bochs
; VBE "dispi" interface.
;
; The dispi registers (index at 1CEh, data at 1CFh, 16 bits) set the
; resolution and depth directly; the picture is in display memory from 0,
; which the PCI BAR0 exposes as a linear framebuffer and the bank register
; shows through the 64 KiB window at A000h.  The modes below are the
; VESA-numbered ones (100h-11Bh) and, from 140h, 32-bit and wide ones up to
; 1920x1200.  Status in AX: 004Fh success, 014Fh failed, 024Fh not
; supported by the hardware, 034Fh not valid in the current mode; AL is
; not 4Fh for a function that does not exist.

DISPI_INDEX_PORT equ 01CEh
DISPI_ID        equ 0
DISPI_XRES      equ 1
DISPI_YRES      equ 2
DISPI_BPP       equ 3
DISPI_ENABLE    equ 4
DISPI_BANK      equ 5
DISPI_VIRT_WIDTH  equ 6
DISPI_VIRT_HEIGHT equ 7
DISPI_X_OFFSET  equ 8
DISPI_Y_OFFSET  equ 9
DISPI_MEMORY_64K equ 0Ah
DISPI_ON        equ 01h
DISPI_8BIT_DAC  equ 20h
DISPI_LFB       equ 40h
DISPI_NOCLEAR   equ 80h

VBE_OK          equ 004Fh
VBE_FAILED      equ 014Fh
VBE_UNSUPPORTED equ 024Fh
VBE_WRONG_MODE  equ 034Fh

; ------------------------------------------------------------------ the modes

; number, width, height, bits per pixel, bytes per pixel
VBE_MODE_NUMBER equ 0
VBE_MODE_XRES   equ 2
VBE_MODE_YRES   equ 4
VBE_MODE_BPP    equ 6
VBE_MODE_BYTES  equ 7
VBE_MODE_ENTRY  equ 8

%macro VBE_RESOLUTION 3         ; first number, width, height: all five depths
    VBE_MODE %1, %2, %3, 8
    VBE_MODE %1 + 1, %2, %3, 15
    VBE_MODE %1 + 2, %2, %3, 16
    VBE_MODE %1 + 3, %2, %3, 24
    VBE_MODE %1 + 4, %2, %3, 32
%endmacro
%macro VBE_MODE_LIST 0
    VBE_MODE 100h, 640, 400, 8
    VBE_MODE 101h, 640, 480, 8
    VBE_MODE 103h, 800, 600, 8
    VBE_MODE 105h, 1024, 768, 8
    VBE_MODE 107h, 1280, 1024, 8
    VBE_MODE 10Dh, 320, 200, 15
    VBE_MODE 10Eh, 320, 200, 16
    VBE_MODE 10Fh, 320, 200, 24
    VBE_MODE 110h, 640, 480, 15
    VBE_MODE 111h, 640, 480, 16
    VBE_MODE 112h, 640, 480, 24
    VBE_MODE 113h, 800, 600, 15
    VBE_MODE 114h, 800, 600, 16
    VBE_MODE 115h, 800, 600, 24
    VBE_MODE 116h, 1024, 768, 15
    VBE_MODE 117h, 1024, 768, 16
    VBE_MODE 118h, 1024, 768, 24
    VBE_MODE 119h, 1280, 1024, 15
    VBE_MODE 11Ah, 1280, 1024, 16
    VBE_MODE 11Bh, 1280, 1024, 24
    VBE_MODE 140h, 320, 200, 32
    VBE_MODE 141h, 640, 480, 32
    VBE_MODE 142h, 800, 600, 32
    VBE_MODE 143h, 1024, 768, 32
    VBE_MODE 144h, 1280, 1024, 32
    VBE_RESOLUTION 145h, 1280, 720
    VBE_RESOLUTION 14Ah, 1280, 800
    VBE_RESOLUTION 14Fh, 1440, 900
    VBE_RESOLUTION 154h, 1600, 1200
    VBE_RESOLUTION 159h, 1680, 1050
    VBE_RESOLUTION 15Eh, 1920, 1080
    VBE_RESOLUTION 163h, 1920, 1200
%endmacro

%macro VBE_MODE 4
    dw %1, %2, %3
    db %4, (%4 + 7) / 8
%endmacro
vbe_modes:
    VBE_MODE_LIST
vbe_modes_end:
%unmacro VBE_MODE 4

; the list 4F00h points at: the numbers, then FFFFh
%macro VBE_MODE 4
    dw %1
%endmacro
vbe_mode_list:
    VBE_MODE_LIST
    dw 0FFFFh
%unmacro VBE_MODE 4

vbe_oem_string:     db "x86sim VBE", 0
vbe_vendor_string:  db "x86sim", 0
vbe_product_string: db "x86sim std-VGA", 0
vbe_revision_string: db "1.0", 0

; ------------------------------------------------------------------ dispi access

; dispi_read: AX = dispi register AL.
dispi_read:
    push dx
    mov dx, DISPI_INDEX_PORT
    xor ah, ah
    out dx, ax
    inc dx
    in ax, dx
    pop dx
    ret

; dispi_write: dispi register AL = BX.
dispi_write:
    push ax
    push dx
    mov dx, DISPI_INDEX_PORT
    xor ah, ah
    out dx, ax
    inc dx
    mov ax, bx
    out dx, ax
    pop dx
    pop ax
    ret

; vbe_present: CF clear if the dispi interface answers (it echoes an ID
; it knows: B0C0h-B0C5h).
vbe_present:
    push ax
    push bx
    mov bx, 0B0C5h
    mov al, DISPI_ID
    call dispi_write
    call dispi_read
    cmp ax, 0B0C0h
    jb .absent
    cmp ax, 0B0C5h
    ja .absent
    clc
    jmp .done
.absent:
    stc
.done:
    pop bx
    pop ax
    ret

; vbe_disable: back to the VGA's own display (and a 6-bit DAC).
vbe_disable:
    push ax
    push bx
    call vbe_present
    jc .done
    xor bx, bx
    mov al, DISPI_ENABLE
    call dispi_write
.done:
    pop bx
    pop ax
    ret

; vbe_find_mode: SI = the entry of mode CX (bits 0-8); CF if none.
vbe_find_mode:
    push cx
    and cx, 01FFh
    mov si, vbe_modes
.next:
    cmp [cs:si + VBE_MODE_NUMBER], cx
    je .found
    add si, VBE_MODE_ENTRY
    cmp si, vbe_modes_end
    jb .next
    pop cx
    stc
    ret
.found:
    pop cx
    clc
    ret

; vbe_memory: EAX = display memory in bytes (the dispi's count of 64 KiB
; blocks).
vbe_memory:
    mov al, DISPI_MEMORY_64K
    call dispi_read
    movzx eax, ax
    shl eax, 16
    ret

; vbe_pitch: EAX = bytes a line of mode CS:SI takes.
vbe_pitch:
    push ecx
    movzx eax, word [cs:si + VBE_MODE_XRES]
    movzx ecx, byte [cs:si + VBE_MODE_BYTES]
    imul eax, ecx
    pop ecx
    ret

; vbe_mode_fits: CF if mode CS:SI does not fit in display memory.
vbe_mode_fits:
    push eax
    push ecx
    push edx
    call vbe_pitch
    movzx ecx, word [cs:si + VBE_MODE_YRES]
    imul ecx, eax               ; bytes
    call vbe_memory
    cmp eax, ecx                ; CF if memory < needed
    pop edx
    pop ecx
    pop eax
    ret

; vbe_lfb: EAX = the linear framebuffer's address: the VGA's BAR0, asked of
; the PCI BIOS (0 if it cannot be found).
vbe_lfb:
    push bx
    push ecx
    push si
    push di
    mov ax, 0B103h              ; find the first VGA-compatible controller
    mov ecx, 030000h
    xor si, si
    int 1Ah
    jc .none
    mov ax, 0B10Ah              ; its BAR0
    mov di, 10h
    int 1Ah
    jc .none
    mov eax, ecx
    and eax, 0FFFFFFF0h
    jmp .done
.none:
    xor eax, eax
.done:
    pop di
    pop si
    pop ecx
    pop bx
    ret

; vbe_current_bytes: CX = bytes per pixel of the current dispi depth.
vbe_current_bytes:
    push ax
    mov al, DISPI_BPP
    call dispi_read
    add ax, 7
    shr ax, 3
    mov cx, ax
    pop ax
    ret

; vbe_active: CF if no VBE mode is on.
vbe_active:
    push ax
    call vbe_present
    jc .done
    mov al, DISPI_ENABLE
    call dispi_read
    test al, DISPI_ON
    jnz .done                   ; (CF clear from TEST)
    stc
.done:
    pop ax
    ret

; ------------------------------------------------------------------ INT 10h AH=4Fh

vbe_service:
    call vbe_present
    jc int10_leave              ; no VBE: AX stays, AL is not 4Fh
    cmp al, 0Ah
    ja int10_leave
    movzx si, al
    shl si, 1
    jmp [cs:.table + si]
.table:
    dw vbe_controller_info, vbe_mode_info, vbe_set_mode, vbe_get_mode
    dw vbe_state, vbe_window, vbe_scan_line, vbe_display_start
    dw vbe_dac_format, vbe_palette, vbe_pm_interface

vbe_return:                     ; AX = status
    mov [bp + R_AX], ax
    jmp int10_leave

; 00h: the controller information block at ES:DI (512 bytes if it starts
; with "VBE2", else 256).
vbe_controller_info:
    mov cx, 128
    cmp dword [es:di], 'VBE2'
    jne .clear
    mov cx, 256
.clear:
    push cx
    push di
    xor ax, ax
    rep stosw
    pop di
    pop cx
    mov dword [es:di], 'VESA'
    mov word [es:di + 04h], 0200h           ; version 2.0
    mov word [es:di + 06h], vbe_oem_string
    mov [es:di + 08h], cs
    mov dword [es:di + 0Ah], 1              ; the DAC can have 8 bits
    mov word [es:di + 0Eh], vbe_mode_list
    mov [es:di + 10h], cs
    mov al, DISPI_MEMORY_64K
    call dispi_read
    mov [es:di + 12h], ax                   ; 64 KiB blocks
    cmp cx, 256
    jne .done
    mov word [es:di + 14h], 0100h           ; the OEM's software revision
    mov word [es:di + 16h], vbe_vendor_string
    mov [es:di + 18h], cs
    mov word [es:di + 1Ah], vbe_product_string
    mov [es:di + 1Ch], cs
    mov word [es:di + 1Eh], vbe_revision_string
    mov [es:di + 20h], cs
.done:
    mov ax, VBE_OK
    jmp vbe_return

; 01h: the mode information block of mode CX at ES:DI (256 bytes).
vbe_mode_info:
    call vbe_find_mode
    mov ax, VBE_FAILED
    jc vbe_return
    push di
    mov cx, 128
    xor ax, ax
    rep stosw
    pop di
    ; attributes: supported (if it fits), optional information present,
    ; colour, graphics, a linear framebuffer; no BIOS teletype output
    mov ax, 009Ah
    call vbe_mode_fits
    jc .attributes
    or al, 01h
.attributes:
    mov [es:di + 00h], ax
    mov byte [es:di + 02h], 07h             ; window A: exists, readable, writable
    mov word [es:di + 04h], 64              ; granularity (KiB)
    mov word [es:di + 06h], 64              ; size (KiB)
    mov word [es:di + 08h], 0A000h
    mov word [es:di + 0Ch], vbe_window_far
    mov [es:di + 0Eh], cs
    call vbe_pitch
    mov [es:di + 10h], ax                   ; bytes per line
    mov [es:di + 32h], ax                   ; (VBE 3.0: the same for the linear buffer)
    mov ax, [cs:si + VBE_MODE_XRES]
    mov [es:di + 12h], ax
    mov ax, [cs:si + VBE_MODE_YRES]
    mov [es:di + 14h], ax
    mov byte [es:di + 16h], 8               ; character cell
    mov byte [es:di + 17h], 16
    mov byte [es:di + 18h], 1               ; planes
    mov al, [cs:si + VBE_MODE_BPP]
    mov [es:di + 19h], al
    mov byte [es:di + 1Ah], 1               ; banks
    mov byte [es:di + 1Bh], 4               ; memory model: packed pixel...
    cmp al, 8
    je .model
    mov byte [es:di + 1Bh], 6               ; ...or direct colour
.model:
    ; image pages: how many screens fit, less the one shown
    call vbe_pitch
    movzx ecx, word [cs:si + VBE_MODE_YRES]
    imul ecx, eax
    call vbe_memory
    xor edx, edx
    div ecx
    dec eax
    jns .pages
    xor eax, eax
.pages:
    cmp eax, 255
    jbe .pages_ok
    mov eax, 255
.pages_ok:
    mov [es:di + 1Dh], al
    mov [es:di + 34h], al                   ; (VBE 3.0: banked and linear)
    mov [es:di + 35h], al
    mov byte [es:di + 1Eh], 1               ; reserved, 1
    ; the colour fields: sizes and positions of red, green, blue, reserved
    cmp byte [cs:si + VBE_MODE_BPP], 8
    je .fields_done                         ; (a palette: no fields)
    mov cx, 8
    mov bx, vbe_fields_15
    cmp byte [cs:si + VBE_MODE_BPP], 15
    je .fields
    mov bx, vbe_fields_16
    cmp byte [cs:si + VBE_MODE_BPP], 16
    je .fields
    mov bx, vbe_fields_24
    cmp byte [cs:si + VBE_MODE_BPP], 24
    je .fields
    mov bx, vbe_fields_32
.fields:
    push si
    mov si, bx
    push di
    add di, 1Fh
.field:
    mov al, [cs:si]
    mov [es:di], al
    mov [es:di + 36h - 1Fh], al             ; (VBE 3.0 linear copy)
    inc si
    inc di
    loop .field
    pop di
    pop si
.fields_done:
    call vbe_lfb
    mov [es:di + 28h], eax                  ; the framebuffer's physical address
    mov ax, VBE_OK
    jmp vbe_return

vbe_fields_15: db 5, 10, 5, 5, 5, 0, 1, 15
vbe_fields_16: db 5, 11, 6, 5, 5, 0, 0, 0
vbe_fields_24: db 8, 16, 8, 8, 8, 0, 0, 0
vbe_fields_32: db 8, 16, 8, 8, 8, 0, 8, 24

; 02h: set mode BX: bits 0-8 the mode (below 100h: a VGA mode), bit 14
; the linear framebuffer, bit 15 keep the display memory.
vbe_set_mode:
    mov cx, bx
    and cx, 01FFh
    cmp cx, 100h
    jb .vga
    call vbe_find_mode
    jc .failed
    call vbe_mode_fits
    jc .failed
    ; The VGA side set as in mode 13h (chain-4 graphics at A000h), which
    ; the banked window is read and written through; its 256-colour
    ; palette serves the 8-bit modes.
    mov al, 13h | 80h
    call vga_set_mode
    mov dx, bx                  ; the caller's flags
    xor bx, bx
    mov al, DISPI_ENABLE
    call dispi_write
    mov bx, [cs:si + VBE_MODE_XRES]
    mov al, DISPI_XRES
    call dispi_write
    mov bx, [cs:si + VBE_MODE_YRES]
    mov al, DISPI_YRES
    call dispi_write
    movzx bx, byte [cs:si + VBE_MODE_BPP]
    mov al, DISPI_BPP
    call dispi_write
    xor bx, bx
    mov al, DISPI_BANK
    call dispi_write
    mov bx, DISPI_ON
    test dx, 4000h
    jz .banked
    or bx, DISPI_LFB
.banked:
    test dx, 8000h
    jz .enable
    or bx, DISPI_NOCLEAR
.enable:
    mov al, DISPI_ENABLE
    call dispi_write
    call dispi_read
    test al, DISPI_ON           ; the dispi refuses what does not fit
    jz .failed
    mov ax, VBE_OK
    jmp vbe_return
.vga:
    mov al, cl
    call vga_find_mode
    jc .failed
    test bh, 80h
    jz .set_vga
    or al, 80h
.set_vga:
    call vga_set_mode
    mov ax, VBE_OK
    jmp vbe_return
.failed:
    mov ax, VBE_FAILED
    jmp vbe_return

; 03h: BX = the current mode (with bit 14 if through the linear
; framebuffer).
vbe_get_mode:
    call vbe_active
    jc .vga
    mov al, DISPI_XRES
    call dispi_read
    mov cx, ax
    mov al, DISPI_YRES
    call dispi_read
    mov dx, ax
    mov al, DISPI_BPP
    call dispi_read
    mov si, vbe_modes
.next:
    cmp [cs:si + VBE_MODE_XRES], cx
    jne .skip
    cmp [cs:si + VBE_MODE_YRES], dx
    jne .skip
    cmp [cs:si + VBE_MODE_BPP], al
    je .found
.skip:
    add si, VBE_MODE_ENTRY
    cmp si, vbe_modes_end
    jb .next
    mov ax, VBE_FAILED          ; (set behind the BIOS's back)
    jmp vbe_return
.found:
    mov bx, [cs:si + VBE_MODE_NUMBER]
    mov al, DISPI_ENABLE
    call dispi_read
    test al, DISPI_LFB
    jz .store
    or bh, 40h
    jmp .store
.vga:
    movzx bx, byte [BDA_VIDEO_MODE]
.store:
    mov [bp + R_BX], bx
    mov ax, VBE_OK
    jmp vbe_return

; 04h: save/restore state: DL = 00h size (BX = 64-byte blocks), 01h save
; to ES:BX, 02h restore; CX bit 0 registers, 1 BDA, 2 DAC, 3 the VBE
; (dispi) state.  The buffer is INT 10h 1Ch's, with the dispi registers
; after, their offset in the header's fourth word.
DISPI_STATE_SIZE equ 10 * 2
vbe_state:
    test cx, ~0Fh
    jnz .failed
    push cx
    and cx, 7
    call state_layout           ; AX = where the dispi part goes
    pop cx
    cmp byte [bp + R_DL], 01h
    je .save
    cmp byte [bp + R_DL], 02h
    je .restore
    cmp byte [bp + R_DL], 00h
    jne .failed
    test cl, 8
    jz .size
    add ax, DISPI_STATE_SIZE
.size:
    add ax, 63
    shr ax, 6
    mov [bp + R_BX], ax
    jmp .ok
.save:
    push ax
    push cx
    and cx, 7
    call state_save
    pop cx
    pop ax
    test cl, 8
    jz .ok
    mov [es:bx + 6], ax
    mov di, bx
    add di, ax
    mov al, DISPI_XRES
.save_dispi:
    push ax
    call dispi_read
    stosw
    pop ax
    inc al
    cmp al, DISPI_Y_OFFSET + 1
    jb .save_dispi
    jmp .ok
.restore:
    call state_restore
    mov si, [es:bx + 6]
    test si, si
    jz .ok
    add si, bx
    push bx
    ; resolution and depth first, then enable (keeping the memory), then
    ; the window, virtual size and offsets it resets
    xor bx, bx
    mov al, DISPI_ENABLE
    call dispi_write
    mov al, DISPI_XRES
.restore_mode:
    mov bx, [es:si]
    add si, 2
    call dispi_write
    inc al
    cmp al, DISPI_BPP + 1
    jb .restore_mode
    mov bx, [es:si]
    or bx, DISPI_NOCLEAR
    call dispi_write            ; (AL = DISPI_ENABLE)
    add si, 2
    inc al
.restore_rest:
    mov bx, [es:si]
    add si, 2
    call dispi_write
    inc al
    cmp al, DISPI_Y_OFFSET + 1
    jb .restore_rest
    pop bx
.ok:
    mov ax, VBE_OK
    jmp vbe_return
.failed:
    mov ax, VBE_FAILED
    jmp vbe_return

; 05h: window control: BH = 00h: window BL (only A, 0) shows 64 KiB unit
; DX; BH = 01h: DX = its position.  (Also reachable as a far call, the
; WinFuncPtr of the mode information.)
vbe_window:
    call vbe_window_work
    cmp bh, 1
    jne vbe_return
    mov [bp + R_DX], dx
    jmp vbe_return
vbe_window_far:
    call vbe_window_work
    retf
vbe_window_work:                ; -> AX = status, DX (get)
    mov ax, VBE_FAILED
    test bl, bl
    jnz .done
    cmp bh, 1
    ja .done
    je .get
    push bx
    mov bx, dx
    mov al, DISPI_BANK
    call dispi_write
    pop bx
    mov ax, VBE_OK
    ret
.get:
    mov al, DISPI_BANK
    call dispi_read
    mov dx, ax
    mov ax, VBE_OK
.done:
    ret

; 06h: the logical line length.  BL = 00h set CX pixels, 01h get, 02h set
; CX bytes, 03h get the maximum.  Returns BX = bytes per line, CX =
; pixels per line, DX = the number of lines that fit.
vbe_scan_line:
    call vbe_active
    mov ax, VBE_WRONG_MODE
    jc vbe_return
    mov ax, cx
    push ax
    call vbe_current_bytes      ; CX = bytes per pixel
    pop ax
    cmp bl, 03h
    je .maximum
    cmp bl, 01h
    je .report
    ja .bytes
    mov bx, ax                  ; 00h: pixels
    jmp .set
.bytes:
    xor dx, dx
    div cx
    mov bx, ax
.set:
    mov al, DISPI_VIRT_WIDTH
    call dispi_write
.report:
    mov al, DISPI_VIRT_WIDTH
    call dispi_read
    mov [bp + R_CX], ax
    mul cx
    mov [bp + R_BX], ax
    mov al, DISPI_VIRT_HEIGHT
    call dispi_read
    mov [bp + R_DX], ax
    mov ax, VBE_OK
    jmp vbe_return
.maximum:
    ; the widest line the memory holds for the current height (and the
    ; dispi's 16-bit register)
    push cx
    call vbe_memory
    push eax
    mov al, DISPI_YRES
    call dispi_read
    movzx ecx, ax
    pop eax
    xor edx, edx
    div ecx                     ; bytes per line
    pop cx
    cmp eax, 0FFFFh
    jbe .max_bytes
    mov eax, 0FFFFh
.max_bytes:
    xor edx, edx
    movzx ecx, cx
    div ecx                     ; pixels
    mov [bp + R_CX], ax
    mul cx
    mov [bp + R_BX], ax
    mov ax, VBE_OK
    jmp vbe_return

; 07h: the display start.  BL = 00h/80h: pixel CX of line DX at the top
; left; 01h: CX, DX = where it is.
vbe_display_start:
    call vbe_active
    mov ax, VBE_WRONG_MODE
    jc vbe_return
    and bl, 7Fh
    cmp bl, 01h
    je .get
    mov ax, VBE_FAILED
    ja vbe_return
    mov bx, cx
    mov al, DISPI_X_OFFSET
    call dispi_write
    mov bx, dx
    mov al, DISPI_Y_OFFSET
    call dispi_write
    mov ax, VBE_OK
    jmp vbe_return
.get:
    mov byte [bp + R_BH], 0
    mov al, DISPI_X_OFFSET
    call dispi_read
    mov [bp + R_CX], ax
    mov al, DISPI_Y_OFFSET
    call dispi_read
    mov [bp + R_DX], ax
    mov ax, VBE_OK
    jmp vbe_return

; 08h: the DAC's width: BL = 00h: BH = 8 for 8 bits (else 6); BL = 01h:
; BH = the width.
vbe_dac_format:
    mov al, DISPI_ENABLE
    call dispi_read
    mov cx, ax
    cmp bl, 01h
    je .report
    ja .failed
    and cx, ~DISPI_8BIT_DAC
    cmp bh, 8
    jb .set
    or cx, DISPI_8BIT_DAC
.set:
    mov bx, cx
    or bx, DISPI_NOCLEAR        ; (rewriting ENABLE must not clear the screen)
    mov al, DISPI_ENABLE
    call dispi_write
    call dispi_read
    mov cx, ax
.report:
    mov byte [bp + R_BH], 6
    test cx, DISPI_8BIT_DAC
    jz .ok
    mov byte [bp + R_BH], 8
.ok:
    mov ax, VBE_OK
    jmp vbe_return
.failed:
    mov ax, VBE_FAILED
    jmp vbe_return

; 09h: palette data: BL = 00h/80h set, 01h get, CX entries from DX, the
; table at ES:DI (4 bytes each: blue, green, red, 0).  The secondary
; palette (02h/03h) does not exist.
vbe_palette:
    and bl, 7Fh
    cmp bl, 01h
    ja .unsupported
    je .get
    mov al, dl
    mov dx, 3C8h
    out dx, al
    inc dx
    jcxz .done
.set:
    mov al, [es:di + 2]
    out dx, al
    mov al, [es:di + 1]
    out dx, al
    mov al, [es:di]
    out dx, al
    add di, 4
    loop .set
    jmp .done
.get:
    mov al, dl
    mov dx, 3C7h
    out dx, al
    add dx, 2
    jcxz .done
.get_entry:
    in al, dx
    mov [es:di + 2], al
    in al, dx
    mov [es:di + 1], al
    in al, dx
    mov [es:di], al
    mov byte [es:di + 3], 0
    add di, 4
    loop .get_entry
.done:
    mov ax, VBE_OK
    jmp vbe_return
.unsupported:
    mov ax, VBE_UNSUPPORTED
    jmp vbe_return

; 0Ah: BL = 00h: ES:DI = the protected-mode interface, CX = its length.
vbe_pm_interface:
    test bl, bl
    mov ax, VBE_FAILED
    jnz vbe_return
    mov [bp + R_ES], cs
    mov word [bp + R_DI], vbe_pm_table
    mov word [bp + R_CX], vbe_pm_table_end - vbe_pm_table
    mov ax, VBE_OK
    jmp vbe_return

; ------------------------------------------------------------------ the protected-mode interface

; The table 4F0Ah returns: offsets (from the table) of 32-bit code for
; functions 05h, 07h and 09h, and of the list of I/O ports they use.  A
; protected-mode caller copies the table and calls the code with CS on
; its copy and a 32-bit stack; the code uses only registers and ports.
vbe_pm_table:
    dw vbe_pm_window - vbe_pm_table
    dw vbe_pm_start - vbe_pm_table
    dw vbe_pm_palette - vbe_pm_table
    dw vbe_pm_ports - vbe_pm_table

bits 32

; window: BL = 0 (window A), DX = position in 64 KiB units.
vbe_pm_window:
    push edx
    mov eax, edx
    mov dx, DISPI_INDEX_PORT
    push eax
    mov ax, DISPI_BANK
    out dx, ax
    pop eax
    inc edx
    out dx, ax
    pop edx
    mov eax, VBE_OK
    ret

; display start: BL = 00h/80h, DX:CX = the byte offset of the pixel to
; show at the top left; it becomes a line and a pixel within it.
vbe_pm_start:
    push ebx
    push ecx
    push edx
    movzx eax, cx
    shl edx, 16
    or eax, edx                 ; the offset
    push eax
    mov dx, DISPI_INDEX_PORT    ; bytes per pixel
    mov ax, DISPI_BPP
    out dx, ax
    inc edx
    in ax, dx
    movzx ebx, ax
    add ebx, 7
    shr ebx, 3
    dec edx
    mov ax, DISPI_VIRT_WIDTH    ; bytes per line
    out dx, ax
    inc edx
    in ax, dx
    movzx ecx, ax
    imul ecx, ebx
    pop eax
    xor edx, edx
    div ecx                     ; EAX = line, EDX = byte in it
    push eax
    mov eax, edx
    xor edx, edx
    div ebx                     ; EAX = pixel
    mov ecx, eax
    mov dx, DISPI_INDEX_PORT
    mov ax, DISPI_X_OFFSET
    out dx, ax
    inc edx
    mov eax, ecx
    out dx, ax
    dec edx
    mov ax, DISPI_Y_OFFSET
    out dx, ax
    inc edx
    pop eax
    out dx, ax
    pop edx
    pop ecx
    pop ebx
    mov eax, VBE_OK
    ret

; palette: BL = 00h/80h, CX entries from DX, the table at ES:EDI.
vbe_pm_palette:
    push ecx
    push edx
    push edi
    mov al, dl
    mov dx, 3C8h
    out dx, al
    inc edx
    movzx ecx, cx
    jecxz .done
.entry:
    mov al, [es:edi + 2]
    out dx, al
    mov al, [es:edi + 1]
    out dx, al
    mov al, [es:edi]
    out dx, al
    add edi, 4
    loop .entry
.done:
    pop edi
    pop edx
    pop ecx
    mov eax, VBE_OK
    ret

bits 16

; the ports the code above touches, then an empty list of memory areas
vbe_pm_ports:
    dw DISPI_INDEX_PORT, DISPI_INDEX_PORT + 1, 3C8h, 3C9h, 0FFFFh
    dw 0FFFFh
vbe_pm_table_end:
