; tests/bios/cdrom.asm - an El Torito "no emulation" boot image: booting
; from CD and INT 13h on the CD-ROM drive.  Expected values: the ISO 9660
; and El Torito structures on the disc itself (read through the BIOS, but
; checked against each other: the boot record's catalog pointer, the
; catalog's entry, the primary volume descriptor's size).
%include "lib.inc"

BUFFER_SEG      equ LIB_BUFFER_SEG

test_main:
    call test_boot_drive
    call test_edd
    call test_spec_packet
    call test_errors
    ret

; read: CX 2048-byte blocks at LBA EAX into BUFFER_SEG:0 (INT 13h 42h on
; the boot drive).
read:
    mov dl, [boot_drive]
    mov bl, 42h
    jmp lib_edd

test_boot_drive:
    CHECK8 [boot_drive], 0E0h, "booted from drive E0h"
    mov ah, 00h
    mov dl, [boot_drive]
    int 13h
    CHECK_NC "CD reset"
    ret

test_edd:
    mov ah, 41h
    mov bx, 55AAh
    mov dl, [boot_drive]
    int 13h
    CHECK_NC "CD 41h"
    CHECK16 bx, 0AA55h, "CD 41h signature"
    and cx, 1
    CHECK16 cx, 1, "CD 41h: packet functions"
    ; the primary volume descriptor: block 16, type 1, "CD001"
    mov eax, 16
    mov cx, 1
    call read
    CHECK_NC "CD read block 16"
    push BUFFER_SEG
    pop es
    CHECK8 [es:0], 1, "block 16 is the primary volume descriptor"
    CHECK32 [es:1], 'CD00', "block 16 says CD001"
    mov eax, [es:80]            ; the volume's size in blocks
    mov [volume_blocks], eax
    mov word [params], 1Eh
    mov ah, 48h
    mov dl, [boot_drive]
    mov si, params
    int 13h
    CHECK_NC "CD 48h"
    CHECK16 [params + 24], 2048, "CD 48h: 2048-byte blocks"
    mov eax, [volume_blocks]
    cmp [params + 16], eax
    jae .size_ok
    FAILED "CD 48h: fewer blocks than the volume has"
.size_ok:
    mov ax, [params + 2]
    and ax, 4
    CHECK16 ax, 4, "CD 48h: removable"
    ret

volume_blocks: dd 0
params: times 1Eh db 0

; 4B01h: the specification packet agrees with the boot catalog
test_spec_packet:
    mov ax, 4B01h
    mov dl, [boot_drive]
    mov si, packet
    int 13h
    CHECK_NC "4B01h"
    CHECK8 [packet], 13h, "4B01h packet size"
    CHECK8 [packet + 1], 0, "4B01h: no emulation"
    mov al, [boot_drive]
    CHECK8 [packet + 2], al, "4B01h drive"
    CHECK16 [packet + 0Ch], 07C0h, "4B01h load segment"
    CHECK16 [packet + 0Eh], TEST_SECTORS, "4B01h sectors loaded"
    ; the boot record (block 17) points at the catalog, whose default entry
    ; names the image's block
    mov eax, 17
    mov cx, 1
    call read
    push BUFFER_SEG
    pop es
    CHECK32 [es:7], 'EL T', "block 17 is the El Torito boot record"
    mov eax, [es:47h]
    mov cx, 1
    call read
    CHECK8 [es:20h], 88h, "catalog default entry bootable"
    mov eax, [es:28h]
    CHECK32 [packet + 4], eax, "4B01h image block = the catalog's"
    ret

packet: times 13h db 0

test_errors:
    mov eax, [volume_blocks]
    add eax, 100000
    mov cx, 1
    call read
    CHECK_C "CD read far past the end fails"
    ; writing a CD: write protected
    mov byte [lib_dap], 10h
    mov ax, 4300h
    mov dl, [boot_drive]
    mov si, lib_dap
    int 13h
    CHECK_C "CD write fails"
    CHECK8 ah, 03h, "CD write: status 03h"
    ; 4B01h for a drive that did not boot
    mov ax, 4B01h
    mov dl, 0E1h
    mov si, packet
    int 13h
    CHECK_C "4B01h on another drive fails"
    ret

TEST_END
