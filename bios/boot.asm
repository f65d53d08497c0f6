; boot.asm - INT 19h (bootstrap), INT 18h (boot failure: try the next
; device) and the hand-over to a kernel the emulator loaded.
;
; The boot order comes from the CMOS, where QEMU, Bochs and x86sim write
; their -boot option: byte 3Dh holds the first device (bits 0-3) and the
; second (bits 4-7), byte 38h the third (bits 4-7); 1 = floppy, 2 = hard
; disk, 3 = CD-ROM.  Bit 0 of 38h set means "boot a floppy even without
; the 55AAh signature" (early PC boot sectors lack it).  Devices the CMOS
; does not name are tried after those it does.
;
; A boot sector is loaded to 0000:7C00 and entered there with DL = the
; drive number; an El Torito image at its load segment.  A device that
; cannot be read or holds no boot signature is reported, and the next one
; is tried; so does a boot sector that calls INT 18h.  When none is left,
; the BIOS says so and waits for a key, then starts over.
;
; Direct kernel boot: an emulator that loaded a Linux kernel itself (QEMU
; and x86sim's -kernel) tells the BIOS through a 20-byte record in RAM at
; the address this ROM advertises (kboot_rom_marker): after POST, INT 19h
; enters the kernel's real-mode setup code with the registers the record
; gives, as a boot loader would (Linux boot protocol, "Running the kernel").
;   offset 0   8 bytes  "XSIMBOOT"
;          8   word     entry IP      10  word  entry CS
;         12   word     SP            14  word  SS
;         16   word     DS, ES, FS and GS
;         18   byte     0             19  byte  checksum: the 20 bytes sum to 0
; POST copies the record to the EBDA and wipes the signature in RAM, so a
; later reset without the emulator's help boots from disk as usual.

BOOT_FLOPPY     equ 1
BOOT_DISK       equ 2
BOOT_CDROM      equ 3
KBOOT_SIZE      equ 20
KBOOT_IP        equ 8
KBOOT_CS        equ 10
KBOOT_SP        equ 12
KBOOT_SS        equ 14
KBOOT_DS        equ 16

; ------------------------------------------------------------------ direct kernel boot

; kboot_take_record: POST's part: a valid record at KBOOT_RECORD_ADDR is
; moved to the EBDA.
kboot_take_record:
    push ds
    push es
    xor ax, ax
    mov ds, ax
    mov es, [0400h + BDA_EBDA_SEG]
    mov si, KBOOT_RECORD_ADDR
    cmp dword [si], 'XSIM'
    jne .none
    cmp dword [si + 4], 'BOOT'
    jne .none
    mov cx, KBOOT_SIZE
    call checksum_byte          ; 0 when the bytes sum to zero
    test al, al
    jnz .none
    mov si, KBOOT_RECORD_ADDR
    mov di, EBDA_KBOOT
    mov cx, KBOOT_SIZE
    rep movsb
    mov dword [KBOOT_RECORD_ADDR], 0
.none:
    pop es
    pop ds
    ret

; kboot_enter: INT 19h's part: enters the kernel if there is a record
; (and returns if there is not).
kboot_enter:
    cmp dword [fs:EBDA_KBOOT], 'XSIM'
    jne .none
    CONSOLE_MSG {"Booting the kernel loaded by the emulator", 10}
    mov dword [fs:EBDA_KBOOT], 0    ; once: a reboot goes to the disks
    cli
    mov ax, [fs:EBDA_KBOOT + KBOOT_DS]
    mov ss, [fs:EBDA_KBOOT + KBOOT_SS]
    mov sp, [fs:EBDA_KBOOT + KBOOT_SP]
    push word [fs:EBDA_KBOOT + KBOOT_CS]
    push word [fs:EBDA_KBOOT + KBOOT_IP]
    mov ds, ax
    mov es, ax
    mov gs, ax
    mov fs, ax
    retf
.none:
    ret

; ------------------------------------------------------------------ INT 19h / INT 18h

; INT 19h starts the boot from the first device; INT 18h: the device just
; tried cannot boot, the next one in the order is tried.  Both start on a
; fresh stack (whatever called them is abandoned).
int19_handler:
    mov al, 1
    jmp boot_entry
int18_handler:
    xor al, al
boot_entry:
    cli
    xor bx, bx
    mov ss, bx
    mov sp, POST_STACK
    sti
    cld
    push BDA_SEG
    pop ds
    mov fs, [BDA_EBDA_SEG]
    test al, al
    jz boot_next
    call kboot_enter
    call boot_order_read
    mov byte [fs:EBDA_BOOT_NEXT], 0
boot_next:
    movzx si, byte [fs:EBDA_BOOT_NEXT]
    cmp si, 3
    jae .nothing
    inc byte [fs:EBDA_BOOT_NEXT]
    mov al, [fs:EBDA_BOOT_ORDER + si]
    cmp al, BOOT_FLOPPY
    je .floppy
    cmp al, BOOT_DISK
    je .disk
    cmp al, BOOT_CDROM
    je .cdrom
    jmp boot_next
.floppy:
    call boot_floppy
    jmp boot_next
.disk:
    call boot_disk
    jmp boot_next
.cdrom:
    call cd_boot
    jc boot_next
    jmp boot_jump
.nothing:
    CONSOLE_MSG {"No bootable device.  Press a key to try again.", 10}
    call wait_key
    mov byte [fs:EBDA_BOOT_NEXT], 0
    jmp boot_next

; boot_order_read: the three boot devices into the EBDA: those the CMOS
; names, then the others (floppy, disk, CD-ROM order).
boot_order_read:
    mov al, CMOS_BOOT_12
    call cmos_read
    mov ah, al
    and al, 0Fh
    shr ah, 4
    mov [fs:EBDA_BOOT_ORDER], ax
    mov al, CMOS_BOOT_3
    call cmos_read
    mov ah, al
    shr al, 4
    mov [fs:EBDA_BOOT_ORDER + 2], al
    not ah
    and ah, 1                   ; bit 0 clear: check the floppy signature
    mov [fs:EBDA_FD_SIGCHK], ah
    ; drop what is not a device code, or named twice
    xor si, si
.clean:
    mov al, [fs:EBDA_BOOT_ORDER + si]
    cmp al, BOOT_FLOPPY
    jb .drop
    cmp al, BOOT_CDROM
    ja .drop
    xor di, di
.earlier:
    cmp di, si
    je .keep
    cmp [fs:EBDA_BOOT_ORDER + di], al
    je .drop
    inc di
    jmp .earlier
.drop:
    mov byte [fs:EBDA_BOOT_ORDER + si], 0
.keep:
    inc si
    cmp si, 3
    jb .clean
    ; append the devices not named, in the PC's order
    mov al, BOOT_FLOPPY
.append:
    xor si, si
.named:
    cmp [fs:EBDA_BOOT_ORDER + si], al
    je .next_device
    inc si
    cmp si, 3
    jb .named
    xor si, si
.free_slot:
    cmp byte [fs:EBDA_BOOT_ORDER + si], 0
    je .put
    inc si
    jmp .free_slot              ; (there is one: al is not named)
.put:
    mov [fs:EBDA_BOOT_ORDER + si], al
.next_device:
    inc al
    cmp al, BOOT_CDROM
    jbe .append
    ret

; boot_floppy: loads drive 0's boot sector; returns (with a message) if it
; cannot, and does not return if it boots.
boot_floppy:
    test byte [BDA_EQUIPMENT], 01h
    jnz .present
    ret
.present:
    CONSOLE_MSG {"Booting from floppy...", 10}
    xor dl, dl
    call boot_read_sector
    jc .failed
    cmp byte [fs:EBDA_FD_SIGCHK], 0
    je .go
    cmp word [es:7DFEh], 0AA55h
    jne .not_bootable
.go:
    xor ax, ax
    xor dl, dl
    jmp boot_jump
.failed:
    CONSOLE_MSG "Boot failed: could not read the floppy (status "
    mov al, ah
    call console_hex8
    CONSOLE_MSG {"h)", 10}
    ret
.not_bootable:
    CONSOLE_MSG {"Boot failed: not a bootable floppy (no 55AAh signature)", 10}
    ret

; boot_disk: the same for the first hard disk's master boot record.
boot_disk:
    cmp byte [BDA_HD_COUNT], 0
    jne .present
    ret
.present:
    CONSOLE_MSG {"Booting from hard disk...", 10}
    mov dl, 80h
    call boot_read_sector
    jc .failed
    cmp word [es:7DFEh], 0AA55h
    jne .not_bootable
    xor ax, ax
    mov dl, 80h
    jmp boot_jump
.failed:
    CONSOLE_MSG "Boot failed: could not read the hard disk (status "
    mov al, ah
    call console_hex8
    CONSOLE_MSG {"h)", 10}
    ret
.not_bootable:
    CONSOLE_MSG {"Boot failed: not a bootable disk (no 55AAh signature)", 10}
    ret

; boot_read_sector: the first sector of drive DL to 0000:7C00, with up to
; three tries and a reset between them (a floppy motor spinning up can make
; the first read fail).  ES = 0.  CF with AH = status on failure.
boot_read_sector:
    xor ax, ax
    mov es, ax
    mov si, 3
.try:
    mov ax, 0201h
    mov cx, 0001h
    xor dh, dh
    mov bx, 7C00h
    push dx
    int 13h
    pop dx
    jnc .done
    push ax
    xor ah, ah
    int 13h
    pop ax
    dec si
    jnz .try
    stc
.done:
    ret

; boot_jump: enters the boot code at AX:0000 (AX = 0: 0000:7C00) with DL =
; its drive, DH = 0, the stack at 0000:7C00 and interrupts on.
boot_jump:
    xor dh, dh
    xor bx, bx
    mov cx, 7C00h
    test ax, ax
    jnz .segment
    mov bx, cx                  ; offset 7C00h in segment 0
.segment:
    push ax
    push bx
    xor ax, ax
    mov ds, ax
    mov es, ax
    xor cx, cx
    xor si, si
    xor di, di
    xor bp, bp
    sti
    retf
