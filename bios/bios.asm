; bios.asm - the x86sim PC BIOS: how the 128 KiB ROM is laid out.
;
;   E0000h-EFFFFh  the video BIOS option ROM image (bios/vga/), which POST
;                  copies to C0000h and runs
;   F0000h-FFFFFh  the system BIOS: POST and the services, each in its own
;                  file (below), then the entry points and tables the
;                  IBM PC/AT put at fixed addresses, up to the reset vector
;                  at F000:FFF0
;
; The system BIOS is 16-bit real-mode code for a 386 or later (it uses
; 32-bit registers where that is simpler).  It follows the IBM PC/AT BIOS
; interface and its documented extensions (EDD 3.0, El Torito, the PCI
; BIOS 2.1, the E820 memory map); it is written from those specifications,
; not from another BIOS's code.

%define BIOS_VERSION "1.0"
%define BIOS_DATE "05/01/24"

%include "defs.inc"
%include "vga/layout.inc"

bits 16

section vgarom start=0 vstart=0
    incbin "vgabios.bin"

section bios start=10000h vstart=0

%include "console.asm"
%include "irq.asm"
%include "time.asm"
%include "post.asm"
%include "pci.asm"
%include "keyboard.asm"
%include "system.asm"
%include "serial.asm"
%include "disk.asm"
%include "ata.asm"
%include "cdrom.asm"
%include "floppy.asm"
%include "boot.asm"

; ------------------------------------------------------------------ fixed addresses
; Old programs call BIOS entry points and read tables at the addresses the
; IBM PC/AT BIOS had them (its Technical Reference lists them); the
; interrupt vectors point at the handlers above, these are the compatible
; doors to the same code.

bios_code_end:
    FIXED_AT 0E05Bh             ; POST
    jmp post_entry
    FIXED_AT 0E2C3h             ; NMI
    jmp nmi_handler
    FIXED_AT 0E3FEh             ; INT 13h
    jmp int13_handler
    FIXED_AT 0E6F2h             ; INT 19h
    jmp int19_handler

    FIXED_AT 0E6F5h
; The system configuration table (INT 15h C0h).
config_table:
    dw 8                        ; bytes that follow
    db 0FCh                     ; model: PC/AT
    db 01h                      ; submodel
    db 00h                      ; BIOS revision
    db 74h                      ; a second 8259, a real-time clock, INT 09h calls
                                ; INT 15h 4Fh, an extended BIOS data area
    db 40h                      ; INT 16h AH=09h is there
    db 0, 0, 0

    FIXED_AT 0E739h             ; INT 14h
    jmp int14_handler
    FIXED_AT 0E82Eh             ; INT 16h
    jmp int16_handler
    FIXED_AT 0E987h             ; INT 09h
    jmp irq1_keyboard
    FIXED_AT 0EC59h             ; INT 13h, diskette part
    jmp int13_floppy_only
    FIXED_AT 0EF57h             ; INT 0Eh
    jmp irq6_floppy

    FIXED_AT 0EFC7h
; The diskette parameter table INT 1Eh points at (for a 1.44 MB drive):
; step rate / head unload, head load / DMA, motor-off delay (ticks),
; sector size (512), sectors per track, gap, data length, format gap,
; format fill byte, head settle (ms), motor start (1/8 s).
floppy_params:
    db 0DFh, 02h, 25h, 02h, 12h, 1Bh, 0FFh, 6Ch, 0F6h, 0Fh, 04h

    FIXED_AT 0EFD2h             ; INT 17h
    jmp int17_handler

    FIXED_AT 0F0A4h
; INT 1Dh: the 6845 CRTC parameters of the MDA and CGA modes (40x25, 80x25,
; graphics, monochrome), the mode's memory sizes, columns and mode-select
; register values.  Kept for programs that program a CGA themselves.
video_params_cga:
    db 38h, 28h, 2Dh, 0Ah, 1Fh, 06h, 19h, 1Ch, 02h, 07h, 06h, 07h, 0, 0, 0, 0
    db 71h, 50h, 5Ah, 0Ah, 1Fh, 06h, 19h, 1Ch, 02h, 07h, 06h, 07h, 0, 0, 0, 0
    db 38h, 28h, 2Dh, 0Ah, 7Fh, 06h, 64h, 70h, 02h, 01h, 06h, 07h, 0, 0, 0, 0
    db 61h, 50h, 52h, 0Fh, 19h, 06h, 19h, 19h, 02h, 0Dh, 0Bh, 0Ch, 0, 0, 0, 0
    dw 0800h, 1000h, 4000h, 4000h
    db 40, 40, 80, 80, 40, 40, 80, 80
    db 2Ch, 28h, 2Dh, 29h, 2Ah, 2Eh, 1Eh, 29h

    FIXED_AT 0F841h             ; INT 12h
    jmp int12_handler
    FIXED_AT 0F84Dh             ; INT 11h
    jmp int11_handler
    FIXED_AT 0F859h             ; INT 15h
    jmp int15_handler

    FIXED_AT 0FA6Eh
; The 8x8 font's characters 00h-7Fh, for graphics modes (the video BIOS
; points INT 1Fh at its own copy of 80h-FFh); taken from the video BIOS
; image so there is one font.
font8x8_low:
    incbin "vgabios.bin", VGAROM_FONT8X8, 128 * 8

    FIXED_AT 0FE6Eh             ; INT 1Ah
    jmp int1a_handler
    FIXED_AT 0FEA5h             ; INT 08h
    jmp irq0_timer
    FIXED_AT 0FF53h             ; the dummy interrupt handler
    iret
    FIXED_AT 0FF54h             ; INT 05h, print screen: not implemented
    iret

    FIXED_AT 0FFD0h
; What devices/kernel_loader.c looks for to know that this BIOS takes a
; direct-kernel-boot record (boot.asm), and where.
kboot_rom_marker:
    db "XSIMBOOT"
    dw 1                        ; version of the record
    dw KBOOT_RECORD_ADDR
    dd 0

    FIXED_AT 0FFF0h             ; the reset vector
    jmp BIOS_SEG:post_entry
    db BIOS_DATE                ; F000:FFF5
    FIXED_AT 0FFFEh
    db 0FCh                     ; model: PC/AT
    db 0
