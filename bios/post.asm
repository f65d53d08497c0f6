; post.asm - the power-on self test: from the reset vector to INT 19h.
;
; The CPU starts at F000:FFF0 (physical FFFFFFF0h, the top of the ROM),
; which jumps here.  POST brings the machine to the state the PC/AT BIOS
; documents for a boot sector: interrupt vectors and BIOS data area set,
; interrupt controllers, timer, clock, keyboard and disks ready, the video
; adapter in mode 03h, PCI devices given addresses and interrupts.
;
; POST codes written to port 80h on the way (a hung machine's last code
; tells where it stopped):
;   01 reset, CMOS shutdown byte      10 memory size
;   02 stack, data areas cleared      20 keyboard controller and keyboard
;   03 kernel boot record             30 PCI enumeration
;   05 interrupt vectors              40 video BIOS
;   08 interrupt controllers (8259s,  48 option ROM scan
;      the local APIC)
;   09 timer                          50 serial and parallel ports
;   0A DMA controllers                58 coprocessor
;   0B real-time clock                60 floppy     68 ATA/ATAPI
;                                     70 boot (INT 19h)

; The direct-kernel-boot record (see boot.asm) is read from here before
; anything else touches low memory.
KBOOT_RECORD_ADDR equ 0600h

post_entry:
    cli
    cld
    POST_CODE 01h
    ; A program that resets the CPU to leave protected mode (the 80286 had
    ; no other way) says in CMOS byte 0Fh where it wants to continue.
    mov al, CMOS_SHUTDOWN
    call cmos_read
    mov bl, al
    mov ax, CMOS_SHUTDOWN       ; back to "normal reset" for next time
    call cmos_write
    xor ax, ax
    mov ds, ax
    cmp bl, 05h
    je .resume_eoi
    cmp bl, 0Ah
    je .resume_jmp
    cmp bl, 0Bh
    je .resume_iret
    cmp bl, 0Ch
    je .resume_retf
    jmp post_cold

.resume_eoi:                    ; 05h: flush the keyboard, end the interrupt, jump via 40:67
    in al, PORT_KBC_DATA
    mov al, PIC_EOI
    out PORT_PIC2_CMD, al
    out PORT_PIC1_CMD, al
.resume_jmp:                    ; 0Ah: jump via 40:67
    jmp far [0400h + BDA_RESET_PTR]
.resume_iret:                   ; 0Bh: SS:SP from 40:67, then IRET
    lss sp, [0400h + BDA_RESET_PTR]
    iret
.resume_retf:                   ; 0Ch: SS:SP from 40:67, then RETF
    lss sp, [0400h + BDA_RESET_PTR]
    retf

post_cold:
    POST_CODE 02h
    xor ax, ax
    mov ss, ax
    mov sp, POST_STACK
    ; Zero the vector table and the BIOS data area (0000-04FF), and the
    ; extended BIOS data area.
    mov es, ax
    xor di, di
    mov cx, 0500h / 2
    rep stosw
    mov ax, EBDA_SEG
    mov es, ax
    xor di, di
    xor ax, ax
    mov cx, EBDA_KB * 1024 / 2
    rep stosw
    mov byte [es:EBDA_SIZE_KB], EBDA_KB
    push BDA_SEG
    pop ds
    mov word [BDA_EBDA_SEG], EBDA_SEG
    mov word [BDA_MEM_KB], BASE_MEM_KB
    ; From here on POST keeps DS = BDA and FS = EBDA.
    mov ax, EBDA_SEG
    mov fs, ax

    POST_CODE 03h
    call kboot_take_record

    POST_CODE 05h
    call ivt_init

    POST_CODE 08h
    call pic_init
    call lapic_init
    POST_CODE 09h
    call pit_init
    POST_CODE 0Ah
    call dma_init
    POST_CODE 0Bh
    call rtc_init

    POST_CODE 10h
    call memory_size

    ; Interrupts are safe from here on: every vector has a handler, and the
    ; timer tick gives the timeouts below their clock.
    sti

    POST_CODE 20h
    call keyboard_init

    POST_CODE 30h
    call pci_init

    POST_CODE 40h
    call video_init

    POST_CODE 48h
    call option_rom_scan

    call post_banner

    POST_CODE 50h
    call ports_init

    POST_CODE 58h
    call fpu_init

    POST_CODE 60h
    call floppy_init

    POST_CODE 68h
    call ata_init

    POST_CODE 70h
    int 19h
    ; INT 19h does not return; if something hooked it and did, start over.
    jmp post_cold

; ------------------------------------------------------------------ vectors

; ivt_init: every vector gets a handler: hardware interrupts one that ends
; them, software interrupts a plain IRET, then the BIOS services their own.
ivt_init:
    push ds
    xor ax, ax
    mov ds, ax
    xor bx, bx
    mov cx, 256
.fill:
    mov word [bx], dummy_iret
    mov word [bx + 2], BIOS_SEG
    add bx, 4
    loop .fill
    mov bx, 08h * 4
    mov ax, unexpected_irq_master
    call .eight
    mov bx, 70h * 4
    mov ax, unexpected_irq_slave
    call .eight
    ; the BIOS's own vectors
    mov si, ivt_table
.own:
    cs lodsb
    cmp al, 0FFh
    je .done
    movzx bx, al
    shl bx, 2
    cs lodsw
    mov [bx], ax
    jmp .own
.done:
    ; Data pointers: the parameter tables and the graphics font.  INT 1Fh
    ; (characters 80h-FFh in graphics modes) is the video BIOS's business.
    mov word [1Dh * 4], video_params_cga
    mov word [1Eh * 4], floppy_params
    mov word [1Fh * 4], 0
    mov word [1Fh * 4 + 2], 0
    pop ds
    ret
.eight:
    mov cx, 8
.eight_loop:
    mov [bx], ax
    add bx, 4
    loop .eight_loop
    ret

; vector number, handler offset (segment F000)
ivt_table:
    db 02h
    dw nmi_handler
    db 08h
    dw irq0_timer
    db 09h
    dw irq1_keyboard
    db 0Eh
    dw irq6_floppy
    db 10h
    dw int10_no_video
    db 11h
    dw int11_handler
    db 12h
    dw int12_handler
    db 13h
    dw int13_handler
    db 14h
    dw int14_handler
    db 15h
    dw int15_handler
    db 16h
    dw int16_handler
    db 17h
    dw int17_handler
    db 18h
    dw int18_handler
    db 19h
    dw int19_handler
    db 1Ah
    dw int1a_handler
    db 40h
    dw int13_floppy_only
    db 70h
    dw irq8_rtc
    db 75h
    dw irq13_fpu
    db 76h
    dw irq14_ide
    db 77h
    dw irq15_ide
    db 0FFh

; INT 10h before (or without) a video BIOS: nothing to show on.
int10_no_video:
    iret

; ------------------------------------------------------------------ DMA

; dma_init: both 8237s reset, the second one's channel 4 set to cascade
; (it carries the first controller's requests), channels 0-3 and 5-7
; masked until a driver programs them.
dma_init:
    xor al, al
    out 0Dh, al                 ; master clear, controller 1
    out 0DAh, al                ; master clear, controller 2
    mov al, 0C0h                ; channel 4 (0 of controller 2): cascade mode
    out 0D6h, al
    xor al, al
    out 0D4h, al                ; unmask channel 4
    ret

; ------------------------------------------------------------------ memory

; memory_size: RAM from the CMOS (the chipset or emulator writes it there):
; 64 KiB blocks above 16 MiB in 34h-35h, else KiB above 1 MiB in 30h-31h,
; and 64 KiB blocks above 4 GiB in 5Bh-5Dh.  Kept in the EBDA for INT 15h.
memory_size:
    push es
    mov es, [BDA_EBDA_SEG]
    mov al, CMOS_MEM16M_LO + 1
    call cmos_read
    mov ah, al
    mov al, CMOS_MEM16M_LO
    call cmos_read
    movzx eax, ax
    test eax, eax
    jz .below_16m
    shl eax, 16
    add eax, 1000000h
    jmp .store
.below_16m:
    mov al, CMOS_EXT2_LO + 1
    call cmos_read
    mov ah, al
    mov al, CMOS_EXT2_LO
    call cmos_read
    movzx eax, ax
    shl eax, 10
    add eax, 100000h
.store:
    mov [es:EBDA_RAM_TOP], eax
    mov al, CMOS_MEM4G_LO + 2
    call cmos_read
    movzx ecx, al
    shl ecx, 16
    mov al, CMOS_MEM4G_LO + 1
    call cmos_read
    mov ch, al
    mov al, CMOS_MEM4G_LO
    call cmos_read
    mov cl, al
    mov [es:EBDA_RAM_HIGH], ecx
    pop es
    ret

; ------------------------------------------------------------------ video

; video_init: the video BIOS is an option ROM image kept at E000:0000 in
; this ROM.  Like a PC whose VGA BIOS is part of the system BIOS, POST
; copies it to C0000h (shadow RAM the i440FX opens with its PAM registers)
; and calls its initialisation entry at offset 3, with AH = PCI bus and
; AL = device/function of the VGA it drives.
video_init:
    call pci_find_vga           ; -> AX = bus/devfn, CF if none
    jc .no_vga
    push ax
    mov si, VGA_ROM_SEG
    mov bx, 0E000h
    call shadow_option_rom      ; CF if the shadow RAM cannot be written
    pop ax
    jc .in_place
    push ax
    call VGA_ROM_SEG:0003h
    pop ax
    ret
.in_place:
    ; Without shadow RAM the image runs where it is: it is written to run
    ; from any segment.
    DEBUG_MSG {"BIOS: shadow RAM at C0000h is not writable; video BIOS runs at E0000h", 10}
    call 0E000h:0003h
    ret
.no_vga:
    DEBUG_MSG {"BIOS: no VGA on the PCI bus", 10}
    ret

; shadow_option_rom: copies the option ROM image at BX:0 to SI:0 (C0000h-
; DFFFFh, 16 KiB granularity): opens the PAM registers for writing, copies
; the image (its length is byte 2 of its header, in 512-byte units), closes
; them again (read-only, as ROM should be).  CF set if the copy did not
; take.
shadow_option_rom:
    push ds
    push es
    mov ds, bx
    mov es, si
    movzx cx, byte [2]
    shl cx, 9 - 1               ; words
    mov dl, 11b                 ; read and write enable
    call pam_set
    xor si, si
    xor di, di
    push cx
    rep movsw
    pop cx
    mov dl, 01b                 ; read only
    call pam_set
    cmp word [es:0], 0AA55h
    je .ok
    stc
.ok:
    pop es
    pop ds
    ret

; pam_set: sets the PAM attribute DL (bit 0: reads from RAM, bit 1: writes
; to RAM) for the 16 KiB blocks holding ES:0 up to CX words.  The i440FX's
; PAM registers 5Ah-5Fh hold two 16 KiB blocks each, low nibble first,
; from C0000h (59h covers F0000h-FFFFFh, which POST leaves alone).
pam_set:
    pushad
    mov si, es
    sub si, 0C000h
    shr si, 10                  ; first block (0 = C0000h)
    movzx ecx, cx
    add ecx, 8191
    shr ecx, 13                 ; blocks spanned
.block:
    mov di, si
    shr di, 1
    add di, 5Ah
    xor bx, bx                  ; the host bridge: bus 0, device 0, function 0
    call pci_read_byte
    mov ah, dl
    test si, 1
    jnz .high
    and al, 0F0h
    jmp .merge
.high:
    shl ah, 4
    and al, 0Fh
.merge:
    or al, ah
    call pci_write_byte
    inc si
    loop .block
    popad
    ret

; ------------------------------------------------------------------ option ROMs

; option_rom_scan: ISA-style option ROMs (a 55AAh header on a 2 KiB
; boundary from C8000h to DFFFFh, a valid checksum) are called at offset 3
; to install themselves, as on a PC/AT.
option_rom_scan:
    push ds
    mov bx, 0C800h
.next:
    mov ds, bx
    cmp word [0], 0AA55h
    jne .skip
    movzx cx, byte [2]
    jcxz .skip
    shl cx, 9
    xor si, si
    call checksum_byte          ; 0 when the bytes sum to zero
    test al, al
    jnz .skip
    DEBUG_MSG "BIOS: option ROM at "
    mov ax, bx
    call console_hex16
    mov al, 10
    call debug_putc
    ; A far call to BX:0003: the target segment is only known now, so the
    ; return address and the target are pushed and RETF does the jump.
    pushad
    push cs
    push word .back
    push bx
    push word 3
    retf
.back:
    popad
    mov ds, bx
    movzx ax, byte [2]          ; the ROM's size, which its init may change
    add ax, 3
    shr ax, 2                   ; in 2 KiB units, rounded up
    shl ax, 7                   ; in paragraphs
    jnz .advance
.skip:
    mov ax, 2048 >> 4
.advance:
    add bx, ax
    cmp bx, 0E000h
    jb .next
    pop ds
    ret

; ------------------------------------------------------------------ banner

post_banner:
    CONSOLE_MSG {"x86sim BIOS ", BIOS_VERSION, 10}
    push es
    mov es, [BDA_EBDA_SEG]
    CONSOLE_MSG "Memory: "
    movzx eax, word [BDA_MEM_KB]
    call console_dec32
    CONSOLE_MSG " KiB base, "
    mov eax, [es:EBDA_RAM_TOP]
    sub eax, 100000h
    shr eax, 10
    call console_dec32
    CONSOLE_MSG " KiB extended"
    mov eax, [es:EBDA_RAM_HIGH]
    test eax, eax
    jz .eol
    CONSOLE_MSG ", "
    shl eax, 6
    call console_dec32
    CONSOLE_MSG " KiB above 4 GiB"
.eol:
    mov al, 10
    call console_putc
    pop es
    ret

; ------------------------------------------------------------------ ports

; ports_init: finds the serial and parallel ports at their usual
; addresses and lists them in the BDA, where INT 14h/17h and DOS look.
ports_init:
    push es
    push BDA_SEG
    pop es
    ; serial: a 16450/16550 has a scratch register at base+7 that keeps
    ; what is written to it
    mov si, serial_bases
    mov di, BDA_COM_PORTS
    xor bx, bx                  ; count
.serial:
    cs lodsw
    test ax, ax
    jz .serial_done
    mov dx, ax
    add dx, 7
    mov al, 5Ah
    out dx, al
    in al, dx
    cmp al, 5Ah
    jne .serial
    mov al, 0A5h
    out dx, al
    in al, dx
    cmp al, 0A5h
    jne .serial
    sub dx, 7
    mov [es:di], dx
    mov byte [es:BDA_COM_TIMEOUT + bx], 1
    add di, 2
    inc bx
    jmp .serial
.serial_done:
    mov cx, bx
    shl cx, 9                   ; equipment bits 9-11: serial ports
    or [es:BDA_EQUIPMENT], cx

    ; parallel: the data latch reads back what was written
    mov si, parallel_bases
    mov di, BDA_LPT_PORTS
    xor bx, bx
.parallel:
    cs lodsw
    test ax, ax
    jz .parallel_done
    mov dx, ax
    mov al, 0AAh
    out dx, al
    in al, dx
    cmp al, 0AAh
    jne .parallel
    mov al, 55h
    out dx, al
    in al, dx
    cmp al, 55h
    jne .parallel
    mov [es:di], dx
    mov byte [es:BDA_LPT_TIMEOUT + bx], 14h
    add di, 2
    inc bx
    jmp .parallel
.parallel_done:
    mov cx, bx
    shl cx, 14                  ; equipment bits 14-15: printers
    or [es:BDA_EQUIPMENT], cx
    pop es
    ret

serial_bases:   dw 3F8h, 2F8h, 3E8h, 2E8h, 0
parallel_bases: dw 3BCh, 378h, 278h, 0

; ------------------------------------------------------------------ FPU

; fpu_init: an x87 answers FNINIT with a zero status word; then IRQ 13
; reports its errors (CR0.NE clear: the PC/AT wiring), and the equipment
; word says it is there.
fpu_init:
    push word 5A5Ah             ; FNSTSW overwrites this if an FPU is there
    mov bp, sp
    fninit
    fnstsw [bp]
    pop ax
    test al, al
    jnz .none
    push ds
    push BDA_SEG
    pop ds
    or byte [BDA_EQUIPMENT], 02h
    pop ds
    mov eax, cr0
    and eax, ~(1 << 5)          ; NE = 0: errors through FERR# and IRQ 13
    or eax, 1 << 1              ; MP: WAIT honours TS
    mov cr0, eax
.none:
    ret
