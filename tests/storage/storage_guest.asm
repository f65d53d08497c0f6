; Disks through the whole machine: the CPU's IN/OUT reach the IDE, floppy
; and DMA chips wired by the board.  run_storage_guest.sh makes the images
; (mkfs.fat, xorriso) and checks the image files after the run.
;   -hda: a FAT image; sector 0 is read and checked, sector 100 written
;   -cdrom (secondary master): an ISO; block 16 must be a volume descriptor
;   -fda: a 1.44 MB FAT image; sector 1 of track 0 read by DMA channel 2
;   bus-master DMA: BAR4 of the PIIX3 IDE function programmed through
;   0xCF8/0xCFC, READ DMA of sector 0 through a PRD table
; Interrupts are masked (nIEN, no PIC set-up): everything polls.
%include "lib.inc"

BUF_SEG equ 0x1000          ; buffers at 0x10000

start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, BUF_SEG
    mov es, ax

    ; ---- ATA: READ SECTORS, LBA 0, 1 sector
    mov dx, 0x3F6
    mov al, 0x02                ; nIEN: we poll
    out dx, al
    mov bl, 0x20
    xor si, si
    call ata_command
    call wait_drq
    xor di, di
    call pio_read_sector
    CHECK word [es:510], 0xAA55, "ATA: boot sector signature"
    CHECK word [es:3], 'mk', "ATA: OEM name of mkfs.fat"
    CHECK word [es:11], 512, "ATA: bytes per sector"
    call ata_wait_idle
    CHECK al, 0x50, "ATA: status after the read"

    ; ---- ATA: WRITE SECTORS, LBA 100: 256 words of 0xA55A
    mov bl, 0x30
    mov si, 100
    call ata_command
    call wait_drq
    mov cx, 256
    mov dx, 0x1F0
    mov ax, 0xA55A
.wr:
    out dx, ax
    dec cx
    jnz .wr
    call ata_wait_idle
    CHECK al, 0x50, "ATA: status after the write"
    mov bl, 0xE7                ; FLUSH CACHE
    xor si, si
    call ata_command
    call ata_wait_idle
    CHECK al, 0x50, "ATA: status after FLUSH CACHE"

    ; ---- ATA: beyond the end: IDNF
    mov dx, 0x1F6
    mov al, 0xEF                ; LBA bits 27:24 = 15: far past a small image
    out dx, al
    mov dx, 0x1F2
    mov al, 1
    out dx, al
    mov dx, 0x1F7
    mov al, 0x30
    out dx, al
    call ata_wait_idle
    CHECK al, 0x51, "ATA: error status past the end"
    mov dx, 0x1F1
    in al, dx
    CHECK al, 0x10, "ATA: IDNF past the end"

    ; ---- ATA: READ DMA of sector 0 through the bus master at 0xC000
    call ata_enable_busmaster
    xor ax, ax
    mov ds, ax
    mov dword [0x3000], 0x14000 ; PRD: 512 bytes at 0x14000, end of table
    mov dword [0x3004], 0x80000200
    mov dx, 0xC004
    mov eax, 0x3000
    out dx, eax
    mov bl, 0xC8                ; READ DMA
    xor si, si
    call ata_command
    call ata_busmaster_read
    CHECK al, 0x00, "bus master: status after the transfer (nIEN: no interrupt bit)"
    call ata_wait_idle
    CHECK al, 0x50, "ATA: status after READ DMA"
    CHECK word [es:0x4000 + 510], 0xAA55, "bus master: boot sector in memory"
    CHECK word [es:0x4000 + 3], 'mk', "bus master: OEM name"
    mov dx, 0xC000
    xor al, al
    out dx, al

    ; ---- ATAPI: READ(10) of block 16 on the secondary master
    mov dx, 0x376
    mov al, 0x02
    out dx, al
    mov dx, 0x176
    mov al, 0xA0
    out dx, al
    mov dx, 0x171
    xor al, al
    out dx, al                  ; PIO
    mov dx, 0x174
    out dx, al                  ; byte count limit 0x0800
    mov dx, 0x175
    mov al, 0x08
    out dx, al
    mov dx, 0x177
    mov al, 0xA0                ; PACKET
    out dx, al
    mov dx, 0x177
.cd_wait_packet:
    in al, dx
    test al, 0x80
    jnz .cd_wait_packet
    test al, 0x08
    jnz .cd_send
    FAIL "ATAPI: no DRQ for the packet"
.cd_send:
    mov dx, 0x170
    mov ax, 0x0028              ; READ(10)
    out dx, ax
    xor ax, ax
    out dx, ax                  ; LBA 31:16
    mov ax, 0x1000              ; LBA 15:0 = 16 (big-endian bytes 00 10)
    out dx, ax
    xor ax, ax
    out dx, ax                  ; transfer length high byte, 0
    mov ax, 0x0001              ; length low byte = 1
    out dx, ax
    xor ax, ax
    out dx, ax
    mov dx, 0x177
.cd_wait_data:
    in al, dx
    test al, 0x80
    jnz .cd_wait_data
    test al, 0x08
    jnz .cd_read
    FAIL "ATAPI: no data"
.cd_read:
    mov dx, 0x174
    in al, dx
    mov cl, al
    mov dx, 0x175
    in al, dx
    mov ch, al
    CHECK cx, 2048, "ATAPI: byte count of the block"
    mov cx, 1024                ; 2048 bytes in words
    mov dx, 0x170
    mov di, 0x1000
.cd_loop:
    in ax, dx
    mov [es:di], ax
    add di, 2
    dec cx
    jnz .cd_loop
    CHECK byte [es:0x1000], 1, "ATAPI: primary volume descriptor type"
    CHECK word [es:0x1001], 'CD', "ATAPI: CD001"
    CHECK word [es:0x1003], '00', "ATAPI: CD001"
    mov dx, 0x177
    in al, dx
    CHECK al, 0x50, "ATAPI: status after the data"
    mov dx, 0x172
    in al, dx
    CHECK al, 3, "ATAPI: interrupt reason: command complete"

    ; ---- Floppy: reset, specify, recalibrate, READ DATA C0 H0 R1 by DMA
    mov dx, 0x3F2
    xor al, al
    out dx, al
    mov al, 0x1C                ; motor A, DMA gate, out of reset
    out dx, al
    mov cx, 4
.fd_sense_reset:
    call fdc_sense_interrupt
    dec cx
    jnz .fd_sense_reset
    mov al, 0x03                ; SPECIFY
    call fdc_out
    mov al, 0xDF
    call fdc_out
    mov al, 0x02
    call fdc_out
    mov dx, 0x3F7
    xor al, al                  ; 500 kbit/s
    out dx, al
    mov al, 0x07                ; RECALIBRATE drive 0
    call fdc_out
    xor al, al
    call fdc_out
    call fdc_sense_interrupt
    CHECK al, 0x20, "FDC: seek end after recalibrate"
    ; DMA channel 2: write to memory, 512 bytes at 0x12000
    mov al, 0x06
    out 0x0A, al
    out 0x0C, al
    mov al, 0x46
    out 0x0B, al
    xor al, al
    out 0x04, al
    mov al, 0x20
    out 0x04, al
    mov al, 0x01
    out 0x81, al
    mov al, 0xFF
    out 0x05, al
    mov al, 0x01
    out 0x05, al
    mov al, 0x02
    out 0x0A, al
    mov al, 0xE6                ; READ DATA, MT MFM SK
    call fdc_out
    xor al, al                  ; head 0, drive 0
    call fdc_out
    xor al, al                  ; C
    call fdc_out
    xor al, al                  ; H
    call fdc_out
    mov al, 1                   ; R
    call fdc_out
    mov al, 2                   ; N
    call fdc_out
    mov al, 18                  ; EOT
    call fdc_out
    mov al, 0x1B
    call fdc_out
    mov al, 0xFF
    call fdc_out
    call fdc_in                 ; ST0
    CHECK al, 0x00, "FDC: ST0 of READ DATA"
    mov cx, 6
.fd_results:
    call fdc_in
    dec cx
    jnz .fd_results
    CHECK word [es:0x2000 + 510], 0xAA55, "FDC: boot sector signature"
    CHECK word [es:0x2000 + 24], 18, "FDC: sectors per track in the BPB"
    PASS

; ata_command: BL = command, SI = LBA (16 bits), 1 sector, master.
ata_command:
    mov dx, 0x1F6
    mov al, 0xE0
    out dx, al
    mov dx, 0x1F2
    mov al, 1
    out dx, al
    mov dx, 0x1F3
    mov ax, si
    out dx, al
    mov dx, 0x1F4
    mov al, ah
    out dx, al
    mov dx, 0x1F5
    xor al, al
    out dx, al
    mov dx, 0x1F7
    mov al, bl
    out dx, al
    ret

%include "ata.inc"

wait_drq:
    call ata_wait_idle
    test al, 0x08
    jnz .ok
    FAIL "ATA: no DRQ"
.ok:
    ret

; pio_read_sector: 256 words from 0x1F0 to ES:DI.
pio_read_sector:
    mov cx, 256
    mov dx, 0x1F0
.r:
    in ax, dx
    mov [es:di], ax
    add di, 2
    dec cx
    jnz .r
    ret

; fdc_out: AL to the FIFO when RQM is set and DIO clear.
fdc_out:
    mov ah, al
    mov dx, 0x3F4
.w:
    in al, dx
    and al, 0xC0
    cmp al, 0x80
    jne .w
    mov dx, 0x3F5
    mov al, ah
    out dx, al
    ret

; fdc_in: AL from the FIFO when RQM and DIO are set.
fdc_in:
    mov dx, 0x3F4
.w:
    in al, dx
    and al, 0xC0
    cmp al, 0xC0
    jne .w
    mov dx, 0x3F5
    in al, dx
    ret

; fdc_sense_interrupt: repeats SENSE INTERRUPT STATUS until something is
; pending; AL = ST0.
fdc_sense_interrupt:
    push cx
.again:
    mov al, 0x08
    call fdc_out
    call fdc_in
    cmp al, 0x80
    je .again
    mov cl, al
    call fdc_in                 ; PCN
    mov al, cl
    pop cx
    ret

    ROM_END
