; ata.asm - ATA and ATAPI devices on the two legacy IDE channels.
;
; The PIIX3's IDE function in compatibility mode decodes the ISA-era ports:
; primary channel 1F0h-1F7h + 3F6h (IRQ 14), secondary 170h-177h + 376h
; (IRQ 15), a master and a slave on each.  The BIOS talks to the drives
; with programmed I/O (the CPU copies each 512-byte sector through the data
; port), which needs no DMA set-up and is what every drive supports.
;
; POST finds the drives and describes each in a 32-byte entry of the
; drive table in the EBDA (fields below); INT 13h reaches an entry at
; FS:BX (FS = EBDA).

; the task-file registers, as offsets from the channel's I/O base
ATA_DATA        equ 0
ATA_ERROR       equ 1           ; read
ATA_FEATURES    equ 1           ; write
ATA_COUNT       equ 2
ATA_LBA_LOW     equ 3           ; sector number (CHS)
ATA_LBA_MID     equ 4           ; cylinder low; ATAPI byte count low
ATA_LBA_HIGH    equ 5           ; cylinder high; ATAPI byte count high
ATA_DEVICE      equ 6           ; drive/head
ATA_STATUS      equ 7           ; read (clears the interrupt)
ATA_COMMAND     equ 7           ; write
; the control block register (at the control port): alternate status on
; read (no side effect), device control on write
ATA_CTL_SRST    equ 04h         ; software reset of both devices
ATA_CTL_NIEN    equ 02h         ; interrupt disable

ATA_ST_BSY      equ 80h
ATA_ST_DRDY     equ 40h
ATA_ST_DF       equ 20h
ATA_ST_DRQ      equ 08h
ATA_ST_ERR      equ 01h
ATA_ER_UNC      equ 40h         ; uncorrectable data
ATA_ER_IDNF     equ 10h         ; address not found
ATA_ER_ABRT     equ 04h         ; command aborted

ATA_CMD_READ        equ 20h
ATA_CMD_READ_EXT    equ 24h
ATA_CMD_WRITE       equ 30h
ATA_CMD_WRITE_EXT   equ 34h
ATA_CMD_VERIFY      equ 40h
ATA_CMD_VERIFY_EXT  equ 42h
ATA_CMD_PACKET      equ 0A0h
ATA_CMD_ID_PACKET   equ 0A1h
ATA_CMD_IDENTIFY    equ 0ECh

; drive table entry (FS:BX)
DRV_FLAGS       equ 0           ; byte, DRVF_* bits
DRV_BIOS_NUM    equ 1           ; byte: BIOS drive number (80h.. disks, E0h.. CD-ROMs)
DRV_IOBASE      equ 2           ; word
DRV_CTRL        equ 4           ; word: control port
DRV_SELECT      equ 6           ; byte: A0h master, B0h slave (device register)
DRV_IRQ         equ 7           ; byte
DRV_PCYL        equ 8           ; word: the drive's own geometry (IDENTIFY)
DRV_PHEADS      equ 10          ; word
DRV_PSPT        equ 12          ; word
DRV_LCYL        equ 14          ; word: the geometry INT 13h CHS calls use
DRV_LHEADS      equ 16          ; word
DRV_LSPT        equ 18          ; word
DRV_SECTORS     equ 20          ; qword: capacity in blocks
DRV_BLOCK       equ 28          ; word: bytes per block (512, or 2048 for CD-ROMs)
DRV_TRANSLATION equ 30          ; byte: 0 none, 1 LBA-assisted
DRVF_PRESENT    equ 01h
DRVF_ATAPI      equ 02h
DRVF_LBA        equ 04h
DRVF_LBA48      equ 08h
DRVF_REMOVABLE  equ 10h

ATA_TIMEOUT_TICKS equ 182       ; 10 seconds: a drive spinning up takes that long

; ------------------------------------------------------------------ register access

; ata_port: DX <- the channel's base + AL (entry at FS:BX).
ata_port:
    push ax
    movzx dx, al
    add dx, [fs:bx + DRV_IOBASE]
    pop ax
    ret

; ata_wait: waits until (status & AH) == AL, reading the alternate status
; (which does not acknowledge the interrupt).  Gives up after
; ATA_TIMEOUT_TICKS ticks, or, when waiting for DRQ, at once if the device
; reports an error instead.  Returns AL = status; CF set on timeout or
; error.  (A wait for BSY alone leaves judging ERR to the caller: the bit
; may be left over from the previous command.)
ata_wait:
    push cx
    push dx
    push esi
    push ds
    push BDA_SEG
    pop ds
    mov cx, ax
    mov dx, [fs:bx + DRV_CTRL]
    mov esi, [BDA_TICKS]
.poll:
    in al, dx
    test al, ATA_ST_BSY
    jnz .busy
    test ch, ATA_ST_DRQ
    jz .compare
    test al, ATA_ST_ERR | ATA_ST_DF
    jnz .error
.compare:
    mov ah, al
    and ah, ch
    cmp ah, cl
    je .ok
.busy:
    call ticks_since
    cmp ax, ATA_TIMEOUT_TICKS
    jb .poll
    mov al, 0FFh                ; timed out
.error:
    stc
    jmp .done
.ok:
    clc
.done:
    pop ds
    pop esi
    pop dx
    pop cx
    ret

; ata_select: selects the entry's device (with AH's low nibble as the LBA
; bits 24-27 or head number, AH bit 6 = LBA mode) and waits until it is
; ready for a command.
ata_select:
    push ax
    mov al, ATA_DEVICE
    call ata_port
    mov al, [fs:bx + DRV_SELECT]
    or al, ah
    out dx, al
    ; 400 ns for the device to drive its status: four reads of the
    ; alternate status
    mov dx, [fs:bx + DRV_CTRL]
    in al, dx
    in al, dx
    in al, dx
    in al, dx
    pop ax
    push ax
    mov ax, (ATA_ST_BSY << 8) | 0
    call ata_wait
    pop ax
    ret

; ata_read_cylinder: CX = the LBA mid (low byte) and high registers, which
; hold the signature after a reset and an ATAPI device's byte count.
ata_read_cylinder:
    push ax
    push dx
    mov al, ATA_LBA_MID
    call ata_port
    in al, dx
    mov cl, al
    inc dx
    in al, dx
    mov ch, al
    pop dx
    pop ax
    ret

; ------------------------------------------------------------------ data transfer

; ata_pio_in / ata_pio_out: CX bytes (even, at most F800h) between the
; data port and ES:DI, which advances and is kept normalised (DI < 16),
; so a transfer may cross 64 KiB segment boundaries.
ata_pio_in:
    call normalise_es_di
    push ax
    push cx
    push dx
    mov al, ATA_DATA
    call ata_port
    shr cx, 1
    rep insw
    pop dx
    pop cx
    pop ax
    jmp normalise_es_di

ata_pio_out:
    call normalise_es_di
    push ax
    push cx
    push dx
    push si
    push ds
    mov al, ATA_DATA
    call ata_port
    push es
    pop ds
    mov si, di
    shr cx, 1
    rep outsw
    mov di, si
    pop ds
    pop si
    pop dx
    pop cx
    pop ax
    ; fall through
normalise_es_di:
    push ax
    push di
    shr di, 4
    mov ax, es
    add ax, di
    mov es, ax
    pop di
    and di, 0Fh
    pop ax
    ret

; ------------------------------------------------------------------ ATA commands

; ata_rw: reads, writes or verifies CX blocks (1-256, or up to 65536 on an
; LBA48 drive) at LBA EDX:EAX of the ATA disk at FS:BX, to or from ES:DI.
; SI = 0 read, 1 write, 2 verify.  Returns AH = INT 13h status (0 and CF
; clear on success) and CX = blocks transferred; ES:DI advanced.
ATA_L_COUNT     equ 2           ; locals below BP
ATA_L_DONE      equ 4
ATA_L_LBA       equ 12          ; qword
ATA_L_OP        equ 13
ATA_L_LBA48     equ 14
ATA_LOCALS      equ 14
ata_rw:
    push bp
    mov bp, sp
    sub sp, ATA_LOCALS
    push eax
    push edx
    push si
    mov [bp - ATA_L_COUNT], cx
    mov word [bp - ATA_L_DONE], 0
    mov [bp - ATA_L_LBA], eax
    mov [bp - ATA_L_LBA + 4], edx
    mov ax, si
    mov [bp - ATA_L_OP], al
    call ata_program_address
    jc .timeout
    movzx si, byte [bp - ATA_L_OP]
    cmp byte [bp - ATA_L_LBA48], 0
    je .cmd28
    add si, 3
.cmd28:
    mov al, ATA_COMMAND
    call ata_port
    mov al, [cs:ata_commands + si]
    out dx, al
    cmp byte [bp - ATA_L_OP], 2
    je .verify
.block:
    mov ax, (ATA_ST_BSY | ATA_ST_DRQ) << 8 | ATA_ST_DRQ
    call ata_wait
    jc .failed
    mov cx, 512
    cmp byte [bp - ATA_L_OP], 1
    je .write
    call ata_pio_in
    jmp .next
.write:
    call ata_pio_out
.next:
    inc word [bp - ATA_L_DONE]
    mov ax, [bp - ATA_L_DONE]
    cmp ax, [bp - ATA_L_COUNT]
    jne .block
    ; the last block is done when the drive drops BSY (for a write: when
    ; the data is on the medium)
    mov ax, (ATA_ST_BSY << 8) | 0
    call ata_wait
    jc .failed
    test al, ATA_ST_ERR | ATA_ST_DF
    jnz .failed
    jmp .success
.verify:
    mov ax, (ATA_ST_BSY << 8) | 0
    call ata_wait
    jc .failed
    test al, ATA_ST_ERR | ATA_ST_DF
    jnz .failed
    mov ax, [bp - ATA_L_COUNT]
    mov [bp - ATA_L_DONE], ax
.success:
    xor ah, ah
    jmp .done
.timeout:
    mov ah, 80h                 ; timeout: the drive never became ready
    jmp .done
.failed:
    call ata_error_status
.done:
    mov cx, [bp - ATA_L_DONE]
    mov [bp - ATA_L_OP], ah     ; the status, past the pops
    pop si
    pop edx
    pop eax
    mov ah, [bp - ATA_L_OP]
    mov sp, bp
    pop bp
    cmp ah, 1                   ; CF = (status != 0)
    cmc
    ret

; read, write, verify; then the LBA48 forms
ata_commands:
    db ATA_CMD_READ, ATA_CMD_WRITE, ATA_CMD_VERIFY
    db ATA_CMD_READ_EXT, ATA_CMD_WRITE_EXT, ATA_CMD_VERIFY_EXT

; ata_error_status: AH = the INT 13h status for a failed command (AL =
; the status register value ata_wait returned, FFh for a timeout).
ata_error_status:
    cmp al, 0FFh
    je .timeout
    test al, ATA_ST_DF
    jnz .fault
    mov al, ATA_ERROR
    call ata_port
    in al, dx
    mov ah, 04h                 ; address not found: "sector not found"
    test al, ATA_ER_IDNF
    jnz .done
    mov ah, 10h                 ; uncorrectable: "bad ECC"
    test al, ATA_ER_UNC
    jnz .done
    mov ah, 01h                 ; aborted: the drive refused the command
    test al, ATA_ER_ABRT
    jnz .done
    mov ah, 0BBh                ; anything else: "undefined error"
    jmp .done
.fault:
    mov ah, 0CCh                ; device fault: "write fault"
    jmp .done
.timeout:
    mov ah, 80h
.done:
    ret

; ata_program_address: selects the device and writes the count and
; address registers from the locals of ata_rw, choosing LBA48 when the
; request needs it, LBA28, or CHS for a drive without LBA.  CF on timeout.
ata_program_address:
    mov byte [bp - ATA_L_LBA48], 0
    mov eax, [bp - ATA_L_LBA]
    test byte [fs:bx + DRV_FLAGS], DRVF_LBA48
    jz .lba28
    cmp dword [bp - ATA_L_LBA + 4], 0
    jne .lba48
    movzx ecx, word [bp - ATA_L_COUNT]
    cmp ecx, 256
    ja .lba48
    add ecx, eax
    jc .lba48
    cmp ecx, 10000000h
    jbe .lba28
.lba48:
    mov byte [bp - ATA_L_LBA48], 1
    mov ah, 40h                 ; LBA mode
    call ata_select
    jc .done
    ; Each register is a two-deep FIFO: the high-order byte first.
    mov si, ata_lba48_high
    call ata_write_address
    mov si, ata_lba48_low
    call ata_write_address
    clc
    ret
.lba28:
    test byte [fs:bx + DRV_FLAGS], DRVF_LBA
    jz .chs
    mov ah, [bp - ATA_L_LBA + 3]
    and ah, 0Fh
    or ah, 40h                  ; LBA mode, address bits 24-27
    call ata_select
    jc .done
    mov al, [bp - ATA_L_LBA]    ; sector register: bits 0-7
    mov cx, [bp - ATA_L_LBA + 1]    ; cylinder registers: bits 8-23
    jmp .registers
.chs:
    ; A drive without LBA is addressed with its own geometry.
    xor edx, edx
    movzx ecx, word [fs:bx + DRV_PSPT]
    div ecx
    inc dx
    push dx                     ; sector number
    xor edx, edx
    movzx ecx, word [fs:bx + DRV_PHEADS]
    div ecx                     ; EAX = cylinder, DX = head
    mov ah, dl
    call ata_select
    mov cx, ax                  ; cylinder
    pop ax                      ; sector number in AL
    jc .done
.registers:
    push ax
    mov al, ATA_COUNT
    call ata_port
    mov al, [bp - ATA_L_COUNT]  ; (256 is written as 0)
    out dx, al
    inc dx
    pop ax
    out dx, al
    inc dx
    mov al, cl
    out dx, al
    inc dx
    mov al, ch
    out dx, al
    clc
.done:
    ret

; For LBA48, the locals (as distances below BP) that go to the count and
; the three LBA registers: first the high-order bytes, then the low-order.
ata_lba48_high: db ATA_L_COUNT - 1, ATA_L_LBA - 3, ATA_L_LBA - 4, ATA_L_LBA - 5
ata_lba48_low:  db ATA_L_COUNT, ATA_L_LBA, ATA_L_LBA - 1, ATA_L_LBA - 2

; ata_write_address: the count and LBA registers from the four locals of
; ata_rw's frame named at CS:SI.
ata_write_address:
    push cx
    push di                     ; ata_rw's buffer offset
    mov al, ATA_COUNT
    call ata_port
    mov cx, 4
.register:
    movzx di, byte [cs:si]
    neg di
    mov al, [bp + di]
    out dx, al
    inc dx
    inc si
    loop .register
    pop di
    pop cx
    ret

; ------------------------------------------------------------------ ATAPI

; atapi_packet: runs the 12-byte packet command at FS:EBDA_PACKET on the
; ATAPI device at FS:BX, receiving at most ECX bytes into ES:DI (the device
; says how many it sends in each DRQ block; a block beyond that is read
; and dropped).  Returns AH = INT 13h status (0, CF clear on success; else
; from the sense key), AL = sense key, and ECX = the bytes not received.
atapi_packet:
    push bp
    push ecx
    push edx
    push si
    mov bp, sp
    xor ah, ah
    call ata_select
    jc .timeout
    mov al, ATA_FEATURES
    call ata_port
    xor al, al                  ; PIO data transfer
    out dx, al
    ; the byte count limit: how much the device may put in one DRQ block
    mov al, ATA_LBA_MID
    call ata_port
    mov ax, 0F800h
    out dx, al
    inc dx
    mov al, ah
    out dx, al
    mov al, ATA_COMMAND
    call ata_port
    mov al, ATA_CMD_PACKET
    out dx, al
    mov ax, (ATA_ST_BSY | ATA_ST_DRQ) << 8 | ATA_ST_DRQ
    call ata_wait
    jc .failed
    mov al, ATA_DATA
    call ata_port
    xor si, si
.packet:
    mov ax, [fs:EBDA_PACKET + si]
    out dx, ax
    add si, 2
    cmp si, 12
    jb .packet
.data:
    mov dx, [fs:bx + DRV_CTRL]
    in al, dx                   ; (400 ns for BSY to appear)
    in al, dx
    mov ax, (ATA_ST_BSY << 8) | 0
    call ata_wait
    jc .failed
    test al, ATA_ST_ERR
    jnz .failed
    test al, ATA_ST_DRQ
    jz .complete
    call ata_read_cylinder      ; the size of this block
    inc cx
    and cx, ~1
    movzx ecx, cx
    cmp ecx, [bp + 6]           ; more than the caller wants: drain it
    ja .drain
    sub [bp + 6], ecx
    call ata_pio_in
    jmp .data
.drain:
    mov al, ATA_DATA
    call ata_port
    shr cx, 1
.drain_word:
    in ax, dx
    loop .drain_word
    jmp .data
.complete:
    xor ax, ax
    jmp .done
.timeout:
    mov ax, 8000h
    jmp .done
.failed:
    cmp al, 0FFh
    je .timeout
    mov al, ATA_ERROR
    call ata_port
    in al, dx
    shr al, 4                   ; the sense key
    movzx si, al
    mov ah, [cs:atapi_sense_status + si]
.done:
    pop si
    pop edx
    pop ecx
    pop bp
    cmp ah, 1
    cmc
    ret

; INT 13h status for each sense key
atapi_sense_status:
    db 0BBh         ; 0 no sense (yet an error)
    db 0BBh         ; 1 recovered error
    db 0AAh         ; 2 not ready: no medium
    db 10h          ; 3 medium error
    db 20h          ; 4 hardware error
    db 01h          ; 5 illegal request (address out of range, ...)
    db 06h          ; 6 unit attention: medium changed
    db 03h          ; 7 data protect
    times 8 db 0BBh

; atapi_command: clears the packet buffer and stores AL as the operation
; code.
atapi_command:
    mov dword [fs:EBDA_PACKET], 0
    mov dword [fs:EBDA_PACKET + 4], 0
    mov dword [fs:EBDA_PACKET + 8], 0
    mov [fs:EBDA_PACKET], al
    ret

; atapi_ready: waits until the drive has a medium it can read, passing the
; unit attentions a fresh drive reports (power on, medium changed).  CF
; set with AH = status if there is no medium.
atapi_ready:
    push cx
    push ecx
    mov cx, 10
.try:
    mov al, 00h                 ; TEST UNIT READY
    call atapi_command
    push cx
    xor ecx, ecx
    call atapi_packet
    pop cx
    jnc .done
    cmp al, 6                   ; unit attention: ask again
    je .again
    cmp al, 2                   ; not ready: becoming ready, or empty
    jne .fail
.again:
    loop .try
.fail:
    stc
.done:
    pop ecx
    pop cx
    ret

; atapi_capacity: READ CAPACITY -> EAX = number of blocks, ECX = block
; size.  CF with AH = status on failure.
atapi_capacity:
    push es
    push di
    push si
    sub sp, 8
    mov si, sp
    push ss
    pop es
    mov di, si
    mov al, 25h
    call atapi_command
    mov ecx, 8
    call atapi_packet
    jc .done
    mov eax, [ss:si]
    bswap eax
    inc eax                     ; the last block's address + 1
    mov ecx, [ss:si + 4]
    bswap ecx
.done:
    lea sp, [si + 8]            ; (LEA keeps CF)
    pop si
    pop di
    pop es
    ret

; atapi_read: READ (10): CX blocks of 2048 bytes at EAX into ES:DI.  AH =
; status, CF on failure.
atapi_read:
    push eax
    push ecx
    push eax
    mov al, 28h
    call atapi_command
    pop eax
    bswap eax
    mov [fs:EBDA_PACKET + 2], eax
    mov [fs:EBDA_PACKET + 7], ch
    mov [fs:EBDA_PACKET + 8], cl
    movzx ecx, cx
    shl ecx, 11
    call atapi_packet
    pop ecx
    pop eax
    ret

; ------------------------------------------------------------------ POST

; the channels: I/O base, control port, IRQ
ata_channels:
    dw 1F0h, 3F6h
    db 14, 0
    dw 170h, 376h
    db 15, 0
ATA_CHANNEL_ENTRY equ 6

; ata_init: finds the drives on both channels, fills the drive table, and
; numbers them for INT 13h: disks from 80h, CD-ROMs from E0h.
ata_init:
    push es
    push fs
    mov fs, [BDA_EBDA_SEG]
    mov byte [BDA_HD_COUNT], 0
    mov byte [fs:EBDA_CD_COUNT], 0
    xor si, si                  ; channel index
.channel:
    mov bx, si
    shl bx, 6                   ; two 32-byte entries per channel
    add bx, EBDA_DRIVES
    imul di, si, ATA_CHANNEL_ENTRY
    mov ax, [cs:ata_channels + di]
    mov [fs:bx + DRV_IOBASE], ax
    mov [fs:bx + EBDA_DRIVE_SIZE + DRV_IOBASE], ax
    mov ax, [cs:ata_channels + di + 2]
    mov [fs:bx + DRV_CTRL], ax
    mov [fs:bx + EBDA_DRIVE_SIZE + DRV_CTRL], ax
    mov al, [cs:ata_channels + di + 4]
    mov [fs:bx + DRV_IRQ], al
    mov [fs:bx + EBDA_DRIVE_SIZE + DRV_IRQ], al
    mov byte [fs:bx + DRV_SELECT], 0A0h
    mov byte [fs:bx + EBDA_DRIVE_SIZE + DRV_SELECT], 0B0h
    call ata_reset_channel
    jc .next_channel
    call ata_probe
    add bx, EBDA_DRIVE_SIZE
    call ata_probe
.next_channel:
    inc si
    cmp si, 2
    jb .channel
    pop fs
    pop es
    ret

; ata_reset_channel: a software reset of the channel of the entry at
; FS:BX.  CF set if nothing answers (no drives: the bus floats to FFh).
ata_reset_channel:
    mov dx, [fs:bx + DRV_CTRL]
    in al, dx
    cmp al, 0FFh
    je .none
    mov al, ATA_CTL_SRST
    out dx, al
    mov cx, 10
.hold:
    in al, dx                   ; (the reset pulse needs 5 us)
    loop .hold
    xor al, al                  ; reset off, interrupts on
    out dx, al
    mov ah, ATA_ST_BSY          ; the master may stay busy for a while;
    xor al, al                  ; a missing one reads 00h or 7Fh
    call ata_wait
    clc
    ret
.none:
    stc
    ret

; ata_probe: finds out what the device of entry FS:BX is (by the
; signature a reset leaves in its registers: 00/00 for ATA, 14h/EBh for
; ATAPI) and identifies it.
ata_probe:
    push si
    mov byte [fs:bx + DRV_FLAGS], 0
    xor ah, ah
    call ata_select
    jc .done
    call ata_read_cylinder
    cmp cx, 0EB14h
    je .atapi
    test cx, cx
    jnz .done
    ; an ATA signature: a drive there has DRDY set; a missing one reads 0
    mov al, ATA_STATUS
    call ata_port
    in al, dx
    test al, ATA_ST_DRDY
    jz .done
    cmp al, 0FFh
    je .done
    mov al, ATA_CMD_IDENTIFY
    call ata_identify
    jc .done
    call ata_describe_disk
    jmp .done
.atapi:
    mov al, ATA_CMD_ID_PACKET
    call ata_identify
    jc .done
    call ata_describe_atapi
.done:
    pop si
    ret

ID_BUFFER       equ 7C00h       ; IDENTIFY data lands in 0000:7C00 during POST

; ata_identify: runs IDENTIFY (DEVICE or PACKET DEVICE, AL) and reads its
; 512 bytes to 0000:ID_BUFFER.  CF if the device did not answer.
ata_identify:
    push es
    push di
    push ax
    mov al, ATA_COMMAND
    call ata_port
    pop ax
    out dx, al
    mov ax, (ATA_ST_BSY | ATA_ST_DRQ) << 8 | ATA_ST_DRQ
    call ata_wait
    jc .done
    xor ax, ax
    mov es, ax
    mov di, ID_BUFFER
    mov cx, 512
    call ata_pio_in
    clc
.done:
    pop di
    pop es
    ret

; ata_describe_disk: an ATA disk's entry from its IDENTIFY data: the
; geometry, the capacity, LBA support, and the geometry INT 13h CHS calls
; see (translated when the disk is too large for the drive's own geometry
; to address all of it through INT 13h's 1024 cylinders).
ata_describe_disk:
    push ds
    xor ax, ax
    mov ds, ax
    mov si, ID_BUFFER
    mov ax, [si + 1 * 2]
    mov [fs:bx + DRV_PCYL], ax
    mov ax, [si + 3 * 2]
    mov [fs:bx + DRV_PHEADS], ax
    mov ax, [si + 6 * 2]
    mov [fs:bx + DRV_PSPT], ax
    mov word [fs:bx + DRV_BLOCK], 512
    mov byte [fs:bx + DRV_FLAGS], DRVF_PRESENT
    ; capacity: CHS product, or the LBA28 count, or the LBA48 count
    movzx eax, word [si + 1 * 2]
    movzx ecx, word [si + 3 * 2]
    imul eax, ecx
    movzx ecx, word [si + 6 * 2]
    imul eax, ecx
    xor edx, edx
    test byte [si + 49 * 2 + 1], 02h        ; word 49 bit 9: LBA
    jz .capacity
    or byte [fs:bx + DRV_FLAGS], DRVF_LBA
    mov eax, [si + 60 * 2]
    test byte [si + 83 * 2 + 1], 04h        ; word 83 bit 10: LBA48
    jz .capacity
    or byte [fs:bx + DRV_FLAGS], DRVF_LBA48
    mov eax, [si + 100 * 2]
    mov edx, [si + 102 * 2]
.capacity:
    mov [fs:bx + DRV_SECTORS], eax
    mov [fs:bx + DRV_SECTORS + 4], edx
    call ata_translate
    ; the next hard disk number
    pop ds
    mov al, [BDA_HD_COUNT]
    add al, 80h
    mov [fs:bx + DRV_BIOS_NUM], al
    inc byte [BDA_HD_COUNT]
    call console_drive_name
    CONSOLE_MSG "ATA disk "
    call console_model
    CONSOLE_MSG ", "
    mov eax, [fs:bx + DRV_SECTORS]
    mov edx, [fs:bx + DRV_SECTORS + 4]
    shrd eax, edx, 11           ; MiB
    call console_dec32
    CONSOLE_MSG {" MiB", 10}
    ret

; ata_translate: the INT 13h geometry of the disk at FS:BX.  A disk the
; drive's geometry covers within 1024 cylinders keeps it ("none"); a larger
; one gets LBA-assisted translation: 63 sectors, the fewest heads from 16,
; 32, 64, 128, 255 that bring the cylinders within 1024 (capped there;
; only EDD reaches beyond 8 GiB).
ata_translate:
    mov byte [fs:bx + DRV_TRANSLATION], 0
    mov ax, [fs:bx + DRV_PCYL]
    mov [fs:bx + DRV_LCYL], ax
    mov ax, [fs:bx + DRV_PHEADS]
    mov [fs:bx + DRV_LHEADS], ax
    mov ax, [fs:bx + DRV_PSPT]
    mov [fs:bx + DRV_LSPT], ax
    cmp word [fs:bx + DRV_PCYL], 1024
    ja .translate
    test byte [fs:bx + DRV_FLAGS], DRVF_LBA
    jz .done
    cmp dword [fs:bx + DRV_SECTORS + 4], 0
    jne .translate
    cmp dword [fs:bx + DRV_SECTORS], 1024 * 16 * 63
    jbe .done
.translate:
    test byte [fs:bx + DRV_FLAGS], DRVF_LBA
    jz .done                    ; cannot translate without LBA
    mov byte [fs:bx + DRV_TRANSLATION], 1
    mov word [fs:bx + DRV_LSPT], 63
    mov eax, [fs:bx + DRV_SECTORS]
    cmp dword [fs:bx + DRV_SECTORS + 4], 0
    je .heads
    mov eax, 0FFFFFFFFh         ; (beyond 2 TiB: the cap below applies anyway)
.heads:
    mov cx, 16
.try:
    movzx edx, cx
    imul edx, edx, 1024 * 63
    cmp eax, edx
    jbe .found
    shl cx, 1
    cmp cx, 256
    jb .try
    mov cx, 255
.found:
    mov [fs:bx + DRV_LHEADS], cx
    movzx ecx, cx
    imul ecx, ecx, 63
    xor edx, edx
    div ecx
    cmp eax, 1024
    jbe .cylinders
    mov eax, 1024
.cylinders:
    mov [fs:bx + DRV_LCYL], ax
.done:
    ret

; ata_describe_atapi: an ATAPI device's entry; CD-ROMs (device type 5)
; get numbers from E0h for El Torito and INT 13h.
ata_describe_atapi:
    push ds
    xor ax, ax
    mov ds, ax
    mov al, [ID_BUFFER + 1]
    pop ds
    and al, 1Fh
    cmp al, 05h
    jne .other
    mov byte [fs:bx + DRV_FLAGS], DRVF_PRESENT | DRVF_ATAPI | DRVF_REMOVABLE | DRVF_LBA
    mov word [fs:bx + DRV_BLOCK], 2048
    mov al, [fs:EBDA_CD_COUNT]
    add al, 0E0h
    mov [fs:bx + DRV_BIOS_NUM], al
    inc byte [fs:EBDA_CD_COUNT]
    call console_drive_name
    CONSOLE_MSG "CD-ROM "
    call console_model
    mov al, 10
    call console_putc
    ret
.other:
    call console_drive_name
    CONSOLE_MSG {"ATAPI device (not a CD-ROM), not used", 10}
    ret

; console_drive_name: "ata0 master: " for the entry at FS:BX.
console_drive_name:
    CONSOLE_MSG "ata"
    mov al, '0'
    cmp word [fs:bx + DRV_IOBASE], 1F0h
    je .channel
    inc al
.channel:
    call console_putc
    cmp byte [fs:bx + DRV_SELECT], 0A0h
    jne .slave
    CONSOLE_MSG " master: "
    ret
.slave:
    CONSOLE_MSG " slave: "
    ret

; console_model: the model name from the IDENTIFY data (words 27-46; each
; word holds two characters, the first in its high byte).
console_model:
    push ds
    push si
    push cx
    xor ax, ax
    mov ds, ax
    mov si, ID_BUFFER + 27 * 2
    mov cx, 20
.swap:
    mov ax, [si]
    xchg al, ah
    mov [si], ax
    add si, 2
    loop .swap
    mov si, ID_BUFFER + 27 * 2
    mov cx, 40
    call console_puts_ds
    pop cx
    pop si
    pop ds
    ret

; ------------------------------------------------------------------ IRQ 14/15

; The drives interrupt after each block.  INT 13h polls the status instead
; of waiting for the interrupt; the handler acknowledges it (reading the
; status register makes the drive drop its request) and notes it in the
; BDA, as the PC/AT's fixed-disk handler did.
irq14_ide:
    push dx
    mov dx, 1F7h
    jmp irq_ide_common
irq15_ide:
    push dx
    mov dx, 177h
irq_ide_common:
    push ax
    push ds
    in al, dx
    push BDA_SEG
    pop ds
    mov byte [BDA_HD_IRQ], 0FFh
    call eoi_both
    pop ds
    pop ax
    pop dx
    iret
