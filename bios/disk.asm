; disk.asm - INT 13h: the disk service, for floppies (floppy.asm), ATA hard
; disks and ATAPI CD-ROMs (ata.asm, cdrom.asm).
;
; DL names the drive: 00h-7Fh floppies, 80h-FFh hard disks (80h the
; first), and from E0h the CD-ROMs (the El Torito convention: the boot CD
; is E0h).  Every function returns a status in AH, with CF set when it is
; not 00h, and keeps it for AH=01h.  The status codes are the PC/AT's:
;   00h success                 06h media changed     40h seek failed
;   01h bad function/parameter  09h DMA boundary      80h timeout (not ready)
;   02h address mark not found  0Ch unsupported media AAh drive not ready
;   03h write protected         10h uncorrectable     BBh undefined error
;   04h sector not found        20h controller fault  CCh write fault
;
; The hard disk functions take CHS addresses (02h-04h, 0Ch) in the
; drive's INT 13h geometry (ata.asm: its own, or LBA-assisted translation)
; and 64-bit block numbers through the Enhanced Disk Drive extensions
; 41h-48h (Phoenix/T13 EDD 3.0): a disk address packet at DS:SI,
;   byte size (10h), byte 0, word blocks, dword buffer (seg:off), qword LBA.

DISK_OK         equ 00h
DISK_BAD_PARAM  equ 01h
DISK_WRITE_PROT equ 03h
DISK_NOT_FOUND  equ 04h

int13_handler:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov fs, [BDA_EBDA_SEG]
    mov dl, [bp + R_DL]
    test dl, 80h
    jz floppy_service
    call disk_find              ; FS:BX = the drive's entry
    jc .no_drive
    test byte [fs:bx + DRV_FLAGS], DRVF_ATAPI
    jnz cd_service
    jmp hd_service
.no_drive:
    ; Asking about a hard disk that is not there: 08h still tells how many
    ; there are, 15h says "no such drive"; everything else is an error.
    mov al, [bp + R_AH]
    cmp al, 15h
    je .no_such_drive
    cmp al, 08h
    jne .bad
    mov al, [BDA_HD_COUNT]
    mov [bp + R_DL], al
.bad:
    mov ah, DISK_BAD_PARAM
    jmp hd_return
.no_such_drive:
    mov byte [bp + R_AH], 0
    CLEAR_CF
    SERVICE_LEAVE

; INT 40h: the floppy part alone (the PC/AT kept the diskette BIOS there
; once the fixed-disk BIOS took INT 13h).
int13_floppy_only:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov fs, [BDA_EBDA_SEG]
    jmp floppy_service

; disk_find: FS:BX = the drive table entry with BIOS number DL.  CF if none.
disk_find:
    mov bx, EBDA_DRIVES
.next:
    test byte [fs:bx + DRV_FLAGS], DRVF_PRESENT
    jz .skip
    cmp [fs:bx + DRV_BIOS_NUM], dl
    je .found
.skip:
    add bx, EBDA_DRIVE_SIZE
    cmp bx, EBDA_DRIVES + EBDA_MAX_DRIVES * EBDA_DRIVE_SIZE
    jb .next
    stc
    ret
.found:
    clc
    ret

; hd_return: ends a hard disk or CD-ROM function with status AH.
hd_return:
    mov [BDA_HD_STATUS], ah
int13_status:
    jmp service_status_leave

; ------------------------------------------------------------------ hard disks

hd_service:
    mov al, [bp + R_AH]
    cmp al, 00h
    je .ok                      ; reset: nothing to recover from
    cmp al, 01h
    je disk_last_status
    cmp al, 02h
    jb .bad
    cmp al, 04h
    jbe .chs_rw
    cmp al, 08h
    je .params
    cmp al, 09h                 ; set drive parameters
    je .ok
    cmp al, 0Ch
    je .seek
    cmp al, 0Dh                 ; alternate reset
    je .ok
    cmp al, 10h                 ; test ready
    je .ok
    cmp al, 11h                 ; recalibrate
    je .ok
    cmp al, 14h                 ; controller diagnostic
    je .ok
    cmp al, 15h
    je .type
    jmp edd_service
.bad:
    mov ah, DISK_BAD_PARAM
    jmp hd_return
.ok:
    mov ah, DISK_OK
    jmp hd_return

; 02h read, 03h write, 04h verify: AL blocks at CH/CL/DH to or from ES:BX.
; AL returns the number transferred.
.chs_rw:
    movzx cx, byte [bp + R_AL]
    mov ah, DISK_BAD_PARAM
    jcxz .chs_failed
    cmp cx, 128                 ; 64 KiB: the most one call may move
    ja .chs_failed
    call hd_chs_to_lba          ; EAX = LBA, or CF with AH = status
    jc .chs_failed              ; (from here on AH is part of the LBA)
    movzx cx, byte [bp + R_AL]
    movzx si, byte [bp + R_AH]
    sub si, 02h                 ; 0 read, 1 write, 2 verify
    mov es, [bp + R_ES]
    mov di, [bp + R_BX]
    xor edx, edx
    call disk_transfer
    mov [bp + R_AL], cl
    jmp hd_return
.chs_failed:
    mov byte [bp + R_AL], 0
    jmp hd_return

; 08h: the geometry: CH = last cylinder (low 8 bits), CL = last sector |
; cylinder bits 8-9 << 6, DH = last head, DL = number of hard disks.
.params:
    mov ax, [fs:bx + DRV_LCYL]
    dec ax
    mov [bp + R_CH], al
    shl ah, 6
    mov cl, [fs:bx + DRV_LSPT]
    or cl, ah
    mov [bp + R_CL], cl
    mov al, [fs:bx + DRV_LHEADS]
    dec al
    mov [bp + R_DH], al
    mov al, [BDA_HD_COUNT]
    mov [bp + R_DL], al
    mov byte [bp + R_AL], 0
    mov ah, DISK_OK
    jmp hd_return

; 0Ch: seek to a cylinder: only the address is checked (the drive seeks by
; itself when it next reads).
.seek:
    call hd_chs_to_lba
    jc hd_return
    mov ah, DISK_OK
    jmp hd_return

; 15h: AH = 03h (a fixed disk), CX:DX = its size in blocks through CHS.
.type:
    movzx eax, word [fs:bx + DRV_LCYL]
    movzx ecx, word [fs:bx + DRV_LHEADS]
    imul eax, ecx
    movzx ecx, word [fs:bx + DRV_LSPT]
    imul eax, ecx
    mov [bp + R_DX], ax
    shr eax, 16
    mov [bp + R_CX], ax
    mov byte [BDA_HD_STATUS], 0
    mov byte [bp + R_AH], 03h
    CLEAR_CF
    SERVICE_LEAVE

; 01h: the status of the last operation.
disk_last_status:
    mov ah, [BDA_HD_STATUS]
    test byte [bp + R_DL], 80h
    jnz int13_status
    mov ah, [BDA_FD_STATUS]
    jmp int13_status

; hd_chs_to_lba: the caller's CH/CL/DH as a block number in EAX, checked
; against the INT 13h geometry (ECX, EDX and ESI are used up).  CF with AH = status if it cannot be: 01h
; for sector 0 (sectors count from 1), 04h (not found) for an address
; beyond the geometry.
hd_chs_to_lba:
    movzx eax, byte [bp + R_CL]
    and al, 3Fh                 ; sector, from 1
    jz .bad
    cmp ax, [fs:bx + DRV_LSPT]
    ja .not_found
    movzx edx, byte [bp + R_DH]
    cmp dx, [fs:bx + DRV_LHEADS]
    jae .not_found
    movzx ecx, byte [bp + R_CL]
    shl cx, 2
    mov cl, [bp + R_CH]         ; CX = cylinder (10 bits)
    cmp cx, [fs:bx + DRV_LCYL]
    jae .not_found
    ; LBA = (cylinder * heads + head) * sectors + sector - 1
    movzx esi, word [fs:bx + DRV_LHEADS]
    imul ecx, esi
    add ecx, edx
    movzx esi, word [fs:bx + DRV_LSPT]
    imul ecx, esi
    lea eax, [ecx + eax - 1]
    clc
    ret
.bad:
    mov ah, DISK_BAD_PARAM
    stc
    ret
.not_found:
    mov ah, DISK_NOT_FOUND
    stc
    ret

; ------------------------------------------------------------------ EDD 41h-48h

edd_service:
    cmp al, 41h
    je .check
    cmp al, 42h
    je .transfer
    cmp al, 43h
    je .transfer
    cmp al, 44h
    je .transfer
    cmp al, 47h
    je .seek
    cmp al, 48h
    je .params
    mov ah, DISK_BAD_PARAM
    jmp hd_return

; 41h: are the extensions there?  BX 55AAh -> AA55h, AH = 30h (EDD 3.0),
; CX = 0005h: the disk address packet functions and the device parameter
; table extension (not the removable-media functions 45h/46h/49h).
.check:
    mov ah, DISK_BAD_PARAM
    cmp word [bp + R_BX], 55AAh
    jne hd_return
    mov word [bp + R_BX], 0AA55h
    mov word [bp + R_CX], 0005h
    mov byte [BDA_HD_STATUS], 0
    mov byte [bp + R_AH], 30h
    CLEAR_CF
    SERVICE_LEAVE

; 42h read, 43h write, 44h verify, with the disk address packet at DS:SI;
; its block count returns the number moved.
.transfer:
    call edd_packet             ; ES:SI = packet, EDX:EAX = LBA, CX = blocks
    jc hd_return
    test cx, cx
    jnz .move
    mov ah, DISK_OK             ; nothing to move
    jmp hd_return
.move:
    push es
    push si
    les di, [es:si + 4]         ; the buffer
    movzx si, byte [bp + R_AH]
    sub si, 42h                 ; 0 read, 1 write, 2 verify
    call disk_transfer
    pop si
    pop es
    mov [es:si + 2], cx
    jmp hd_return

; 47h: seek: only the address is checked.
.seek:
    call edd_packet
    jc hd_return
    call disk_range_check
    jc hd_return
    mov ah, DISK_OK
    jmp hd_return

; 48h: the drive parameters.
.params:
    call edd_fill_params
    jmp hd_return

; edd_packet: the disk address packet at the caller's DS:SI: ES:SI = the
; packet, EDX:EAX = its LBA, CX = its block count.  CF with AH = 01h if it
; is malformed: shorter than 10h bytes, more than 127 blocks, or with a
; 64-bit flat buffer address (FFFF:FFFF), which this BIOS does not take.
edd_packet:
    mov es, [bp + R_DS]
    mov si, [bp + R_SI]
    mov ah, DISK_BAD_PARAM
    cmp byte [es:si], 10h
    jb .bad
    mov cx, [es:si + 2]
    cmp cx, 127
    ja .bad
    cmp dword [es:si + 4], 0FFFFFFFFh
    je .bad
    mov eax, [es:si + 8]
    mov edx, [es:si + 12]
    clc
    ret
.bad:
    stc
    ret

; edd_fill_params: function 48h's result buffer at the caller's DS:SI, as
; large a layout as its size word allows: 1Ah bytes (geometry and size),
; 1Eh (with a pointer to the device parameter table extension), 42h (with
; the EDD 3.0 device path).  AH = status.
EDD_CHS_LIMIT   equ 16383 * 16 * 63
edd_fill_params:
    mov es, [bp + R_DS]
    mov di, [bp + R_SI]
    mov cx, [es:di]
    mov ah, DISK_BAD_PARAM
    cmp cx, 1Ah
    jb .done
    mov dx, 42h
    cmp cx, dx
    jae .size
    mov dx, 1Eh
    cmp cx, dx
    jae .size
    mov dx, 1Ah
.size:
    mov [es:di], dx
    test byte [fs:bx + DRV_FLAGS], DRVF_ATAPI
    jnz .cd
    ; bit 0: transfers may cross 64 KiB (PIO has no DMA boundary)
    mov word [es:di + 2], 0001h
    cmp dword [fs:bx + DRV_SECTORS + 4], 0
    jne .chs_max
    cmp dword [fs:bx + DRV_SECTORS], EDD_CHS_LIMIT
    ja .chs_max
    or word [es:di + 2], 0002h  ; bit 1: the CHS values below are valid
    movzx eax, word [fs:bx + DRV_PCYL]
    mov [es:di + 4], eax
    movzx eax, word [fs:bx + DRV_PHEADS]
    mov [es:di + 8], eax
    movzx eax, word [fs:bx + DRV_PSPT]
    mov [es:di + 12], eax
    jmp .common
.chs_max:
    mov dword [es:di + 4], 16383
    mov dword [es:di + 8], 16
    mov dword [es:di + 12], 63
    jmp .common
.cd:
    push dx
    call cd_refresh             ; the capacity of the medium now in the drive
    pop dx
    jc .done
    ; transfers cross 64 KiB; removable; with a change line
    mov word [es:di + 2], 0001h | 0004h | 0010h
    xor eax, eax
    mov [es:di + 4], eax
    mov [es:di + 8], eax
    mov [es:di + 12], eax
.common:
    mov eax, [fs:bx + DRV_SECTORS]
    mov [es:di + 16], eax
    mov eax, [fs:bx + DRV_SECTORS + 4]
    mov [es:di + 20], eax
    mov ax, [fs:bx + DRV_BLOCK]
    mov [es:di + 24], ax
    cmp dx, 1Eh
    jb .ok
    call edd_build_dpte
    mov word [es:di + 26], EBDA_DPTE
    mov [es:di + 28], fs
    cmp dx, 42h
    jb .ok
    call edd_device_path
.ok:
    mov ah, DISK_OK
.done:
    ret

; edd_build_dpte: the device parameter table extension (EDD 2.0+) of the
; drive at FS:BX, in the EBDA: how an operating system reaches the drive
; without the BIOS.
edd_build_dpte:
    pusha
    mov ax, [fs:bx + DRV_IOBASE]
    mov [fs:EBDA_DPTE + 0], ax
    mov ax, [fs:bx + DRV_CTRL]
    mov [fs:EBDA_DPTE + 2], ax
    mov al, [fs:bx + DRV_SELECT]    ; device register: slave bit...
    xor cx, cx                      ; option bits
    test byte [fs:bx + DRV_FLAGS], DRVF_LBA
    jz .no_lba
    or al, 40h                      ; ...and LBA mode
    or cx, 0010h
.no_lba:
    mov [fs:EBDA_DPTE + 4], al
    mov byte [fs:EBDA_DPTE + 5], 0
    mov al, [fs:bx + DRV_IRQ]
    mov [fs:EBDA_DPTE + 6], al
    mov byte [fs:EBDA_DPTE + 7], 1  ; blocks per interrupt
    mov word [fs:EBDA_DPTE + 8], 0  ; no DMA, PIO mode 0
    cmp byte [fs:bx + DRV_TRANSLATION], 0
    je .no_translation
    or cx, 0008h | 0200h            ; CHS translated, LBA-assisted
.no_translation:
    test byte [fs:bx + DRV_FLAGS], DRVF_REMOVABLE
    jz .fixed
    or cx, 0020h
.fixed:
    test byte [fs:bx + DRV_FLAGS], DRVF_ATAPI
    jz .ata
    or cx, 0040h
.ata:
    mov [fs:EBDA_DPTE + 10], cx
    mov word [fs:EBDA_DPTE + 12], 0
    mov byte [fs:EBDA_DPTE + 14], 11h   ; revision 1.1
    push ds
    push fs
    pop ds
    mov si, EBDA_DPTE
    mov cx, 15
    call checksum_byte
    mov [si], al
    pop ds
    popa
    ret

; edd_device_path: the EDD 3.0 fields (buffer offsets 1Eh-41h): the host
; bus (the PIIX3's IDE function on PCI), the interface, the channel and
; the device on it.
edd_device_path:
    pusha
    mov word [es:di + 1Eh], 0BEDDh
    mov byte [es:di + 20h], 24h     ; the length of 1Eh-41h
    mov byte [es:di + 21h], 0
    mov word [es:di + 22h], 0
    xor eax, eax
    mov [es:di + 30h], eax
    mov [es:di + 34h], eax
    mov [es:di + 38h], eax
    mov [es:di + 3Ch], eax
    mov [es:di + 40h], ax
    mov cx, [fs:EBDA_IDE_PCI]
    cmp cx, 0FFFFh
    je .isa
    mov dword [es:di + 24h], 'PCI '
    mov [es:di + 30h], ch           ; bus
    mov al, cl
    shr al, 3
    mov [es:di + 31h], al           ; device
    and cl, 7
    mov [es:di + 32h], cl           ; function
    cmp word [fs:bx + DRV_IOBASE], 1F0h
    setne byte [es:di + 33h]        ; channel
    jmp .interface
.isa:
    mov dword [es:di + 24h], 'ISA '
    mov ax, [fs:bx + DRV_IOBASE]
    mov [es:di + 30h], ax
.interface:
    mov dword [es:di + 28h], 'ATA '
    mov dword [es:di + 2Ch], '    '
    test byte [fs:bx + DRV_FLAGS], DRVF_ATAPI
    jz .device
    mov dword [es:di + 28h], 'ATAP'
    mov dword [es:di + 2Ch], 'I   '
.device:
    cmp byte [fs:bx + DRV_SELECT], 0A0h
    setne byte [es:di + 38h]        ; 0 master, 1 slave
    push ds
    push es
    pop ds
    lea si, [di + 1Eh]
    mov cx, 41h - 1Eh
    call checksum_byte
    mov [si], al
    pop ds
    popa
    ret

; ------------------------------------------------------------------ transfers

; disk_transfer: CX blocks at LBA EDX:EAX of the drive at FS:BX, to or from
; ES:DI; SI = 0 read, 1 write, 2 verify.  Returns AH = status (CF) and CX =
; blocks moved.
disk_transfer:
    call disk_range_check
    jc .done
    test byte [fs:bx + DRV_FLAGS], DRVF_ATAPI
    jnz cd_transfer
    jmp ata_rw
.done:
    ret

; disk_range_check: CF with AH = 04h ("sector not found") and CX = 0 if
; the CX blocks from LBA EDX:EAX do not all lie on the disk.  (On success
; EAX stays whole: AH is part of the LBA.)
disk_range_check:
    push eax
    push edx
    push ecx
    movzx ecx, cx
    add eax, ecx
    adc edx, 0
    cmp edx, [fs:bx + DRV_SECTORS + 4]
    jb .inside
    ja .outside
    cmp eax, [fs:bx + DRV_SECTORS]
    jbe .inside
.outside:
    pop ecx
    pop edx
    pop eax
    xor cx, cx
    mov ah, DISK_NOT_FOUND
    stc
    ret
.inside:
    pop ecx
    pop edx
    pop eax
    clc
    ret
