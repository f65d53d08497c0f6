; cdrom.asm - ATAPI CD-ROM drives through INT 13h, and booting from them
; as the El Torito specification (Phoenix/IBM, 1995) describes.
;
; A bootable CD holds, in its ISO 9660 volume descriptors (from block 16),
; a Boot Record Volume Descriptor naming the block of the boot catalog.
; The catalog's first entry validates it; the second (the "initial/default
; entry") says which image to load, where, and how it is to appear.  This
; BIOS boots "no emulation" images: the image is loaded as is, run, and
; reads the rest of the disc through INT 13h with 2048-byte blocks at the
; drive number it gets in DL (E0h for the first CD-ROM).  Images that ask
; for floppy or hard disk emulation are refused with a message.

ELTORITO_BRVD_LBA equ 17        ; the boot record follows the primary descriptor
CD_BUFFER       equ 7C00h       ; 0000:7C00 holds the descriptors while booting

; cd_service: INT 13h for the CD-ROM at FS:BX.
cd_service:
    mov al, [bp + R_AH]
    cmp al, 00h
    je .ok
    cmp al, 01h
    je disk_last_status
    cmp al, 43h
    je .write_protected
    cmp al, 4Bh
    je .eltorito
    cmp al, 41h
    jb .bad
    cmp al, 48h
    jbe edd_service
.bad:
    mov ah, DISK_BAD_PARAM
    jmp hd_return
.ok:
    mov ah, DISK_OK
    jmp hd_return
.write_protected:
    mov ah, DISK_WRITE_PROT
    jmp hd_return

; 4Bh: El Torito status.  AL = 00h (terminate emulation) or 01h (status):
; the 13h-byte specification packet of the boot to DS:SI.  Only the drive
; that was booted has one.
.eltorito:
    cmp byte [bp + R_AL], 01h
    ja .bad
    mov al, [fs:EBDA_CD_BOOTED]
    cmp al, [bp + R_DL]
    jne .bad
    mov es, [bp + R_DS]
    mov di, [bp + R_SI]
    mov si, EBDA_ELTORITO
    mov cx, 13h
.copy:
    mov al, [fs:si]
    stosb
    inc si
    loop .copy
    jmp .ok

; cd_transfer: reads (SI = 0) or verifies (SI = 2) CX blocks of 2048 bytes
; at LBA EAX into ES:DI; writing (SI = 1) a CD fails.  A medium change
; reported on the way (unit attention) is taken in stride once.  AH =
; status, CX = blocks read.
cd_transfer:
    cmp si, 1
    je .protected
    cmp si, 2
    je .verified
    push eax
    push cx
    call atapi_read
    jnc .read
    cmp ah, 06h
    jne .failed
    call cd_refresh
    jc .failed
    pop cx
    pop eax
    push eax
    push cx
    call atapi_read
    jc .failed
.read:
    pop cx
    pop eax
    xor ah, ah
    ret
.failed:
    mov dl, ah
    pop cx
    pop eax
    mov ah, dl
    xor cx, cx
    stc
    ret
.verified:
    xor ah, ah
    ret
.protected:
    xor cx, cx
    mov ah, DISK_WRITE_PROT
    stc
    ret

; cd_refresh: waits for the disc and reads its capacity into the drive
; entry.  CF with AH = status if there is no usable disc.  Destroys EAX
; and ECX.
cd_refresh:
    call atapi_ready
    jc .done
    call atapi_capacity
    jc .done
    cmp ecx, 2048
    jne .unsupported
    mov [fs:bx + DRV_SECTORS], eax
    mov dword [fs:bx + DRV_SECTORS + 4], 0
    xor ah, ah
    ret
.unsupported:
    mov ah, 0Ch                 ; unsupported medium (not 2048-byte blocks)
    stc
.done:
    ret

; ------------------------------------------------------------------ boot

; cd_boot: loads the no-emulation boot image of the disc in the first
; CD-ROM drive.  Returns AX = the segment to jump to and DL = the drive
; number; CF set (a message printed) if the disc cannot be booted.
cd_boot:
    mov dl, 0E0h                ; the first CD-ROM
    call disk_find
    jnc .found
    CONSOLE_MSG {"Boot failed: no CD-ROM drive", 10}
    stc
    ret
.found:
    CONSOLE_MSG {"Booting from CD-ROM...", 10}
    call cd_refresh
    jnc .disc
    CONSOLE_MSG {"Boot failed: no disc in the CD-ROM drive", 10}
    stc
    ret
.disc:
    xor ax, ax
    mov es, ax
    ; the Boot Record Volume Descriptor
    mov eax, ELTORITO_BRVD_LBA
    call .read_block
    jc .read_error
    mov si, eltorito_brvd_id
    mov di, CD_BUFFER
    mov cx, eltorito_brvd_id_end - eltorito_brvd_id
    cs repe cmpsb               ; (DS:SI in this ROM)
    jne .not_bootable
    ; the boot catalog
    mov eax, [es:CD_BUFFER + 47h]
    call .read_block
    jc .read_error
    cmp word [es:CD_BUFFER], 0001h      ; validation entry: header 01, platform 0 (x86)
    jne .bad_catalog
    cmp word [es:CD_BUFFER + 1Eh], 0AA55h
    jne .bad_catalog
    xor ax, ax                  ; its 16 words sum to zero
    mov si, CD_BUFFER
    mov cx, 16
.sum:
    add ax, [es:si]
    add si, 2
    loop .sum
    test ax, ax
    jnz .bad_catalog
    cmp byte [es:CD_BUFFER + 20h], 88h  ; the default entry: bootable
    jne .not_bootable
    test byte [es:CD_BUFFER + 21h], 0Fh ; media type: 0 = no emulation
    jnz .emulation
    ; the specification packet INT 13h AX=4B01h returns
    mov byte [fs:EBDA_ELTORITO + 0], 13h
    mov byte [fs:EBDA_ELTORITO + 1], 0  ; no emulation
    mov al, [fs:bx + DRV_BIOS_NUM]
    mov [fs:EBDA_ELTORITO + 2], al
    cmp word [fs:bx + DRV_IOBASE], 1F0h
    setne byte [fs:EBDA_ELTORITO + 3]   ; controller index
    mov eax, [es:CD_BUFFER + 28h]
    mov [fs:EBDA_ELTORITO + 4], eax     ; the image's block
    cmp byte [fs:bx + DRV_SELECT], 0A0h
    setne al
    xor ah, ah
    mov [fs:EBDA_ELTORITO + 8], ax      ; device: bit 0 = slave
    mov word [fs:EBDA_ELTORITO + 0Ah], 0    ; user buffer segment
    mov ax, [es:CD_BUFFER + 22h]
    test ax, ax
    jnz .segment
    mov ax, BOOT_SEG            ; 0 means the traditional 07C0h
.segment:
    mov [fs:EBDA_ELTORITO + 0Ch], ax
    mov cx, [es:CD_BUFFER + 26h]
    mov [fs:EBDA_ELTORITO + 0Eh], cx    ; 512-byte sectors to load
    mov byte [fs:EBDA_ELTORITO + 10h], 0
    mov word [fs:EBDA_ELTORITO + 11h], 0
    ; load the image: whole 2048-byte blocks covering its sectors
    mov eax, [fs:EBDA_ELTORITO + 4]
    add cx, 3
    shr cx, 2
    jnz .count
    inc cx
.count:
    mov es, [fs:EBDA_ELTORITO + 0Ch]
    xor di, di
    call atapi_read
    jc .read_error
    mov dl, [fs:bx + DRV_BIOS_NUM]
    mov [fs:EBDA_CD_BOOTED], dl
    mov ax, [fs:EBDA_ELTORITO + 0Ch]
    clc
    ret
; .read_block: block EAX to 0000:CD_BUFFER (ES:DI kept: the transfer
; advances them)
.read_block:
    push es
    push di
    mov cx, 1
    mov di, CD_BUFFER
    call atapi_read
    pop di
    pop es
    ret
.read_error:
    CONSOLE_MSG {"Boot failed: CD-ROM read error", 10}
    stc
    ret
.not_bootable:
    CONSOLE_MSG {"Boot failed: the CD has no El Torito boot record", 10}
    stc
    ret
.bad_catalog:
    CONSOLE_MSG {"Boot failed: the CD's boot catalog is not valid", 10}
    stc
    ret
.emulation:
    CONSOLE_MSG {"Boot failed: the CD asks for floppy or hard disk emulation, which this BIOS does not do", 10}
    stc
    ret

; the Boot Record Volume Descriptor's first bytes: type 0, "CD001",
; version 1, the boot system identifier
eltorito_brvd_id:
    db 0, "CD001", 1, "EL TORITO SPECIFICATION"
eltorito_brvd_id_end:
