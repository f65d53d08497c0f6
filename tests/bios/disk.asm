; tests/bios/disk.asm - INT 13h on the boot floppy (this 1.44 MB image)
; and on a 1 GiB hard disk (made by mkdisk.py), including the EDD
; extensions and the error codes for requests that cannot be served.
;
; Expected values: the blocks' contents from the pattern formula; the
; floppy's geometry from its size (80 cylinders, 2 heads, 18 sectors);
; the hard disk's INT 13h geometry from the LBA-assisted translation rule
; (a disk above 1024 x 16 x 63 blocks gets 63 sectors and the fewest of
; 16/32/64/128/255 heads that keep it within 1024 cylinders: 2097152
; blocks -> 64 heads, 520 cylinders); its size from the image's.
%include "lib.inc"

HD_BLOCKS       equ 2097152     ; 1 GiB (tests/bios/CMakeLists: the image)
FD_PATTERN_FIRST equ 20         ; blocks 20-79 of this image hold the pattern
FD_PATTERN_LAST equ 79
BUFFER_SEG      equ LIB_BUFFER_SEG  ; 1000:0000, above the test program

test_main:
    call test_floppy
    call test_floppy_errors
    call test_floppy_write
    call test_hd_geometry
    call test_edd
    call test_hd_errors
    call test_hd_write
    call test_absent_drive
    ret

; read: AH=02h into BUFFER.  AL sectors, CX/DH as INT 13h, DL drive.
read:
    push es
    push bx
    mov bx, BUFFER_SEG
    mov es, bx
    xor bx, bx
    mov ah, 02h
    int 13h
    pop bx
    pop es
    ret

; check_blocks: the CX blocks in the buffer are pattern blocks EAX,
; EAX+1... (512 bytes each).  ZF set if all are.
check_blocks:
    pushad
    push es
    mov di, BUFFER_SEG
    mov es, di
    xor di, di
.block:
    push cx
    mov cx, 512
    call lib_pattern_check
    pop cx
    jne .done
    inc eax
    add di, 512
    loop .block
    cmp ax, ax
.done:
    pop es
    popad
    ret

; ------------------------------------------------------------------ floppy

test_floppy:
    mov ah, 00h
    xor dl, dl
    int 13h
    CHECK_NC "floppy reset"
    ; 08h: a 1.44 MB drive, 80 cylinders, 18 sectors, 2 heads
    mov ah, 08h
    xor dl, dl
    int 13h
    CHECK_NC "floppy 08h"
    CHECK8 bl, 4, "floppy 08h drive type (CMOS 10h)"
    CHECK16 cx, 4F12h, "floppy 08h CX: cylinder 79, 18 sectors"
    CHECK8 dh, 1, "floppy 08h last head"
    CHECK8 [es:di + 4], 18, "floppy 08h parameter table EOT"
    mov al, 10h
    out 70h, al
    in al, 71h
    xor cl, cl
    test al, 0F0h
    jz .count1
    inc cl
.count1:
    test al, 0Fh
    jz .count2
    inc cl
.count2:
    CHECK8 dl, cl, "floppy 08h DL = drives in CMOS 10h"
    ; 15h: a drive with change line
    mov ah, 15h
    xor dl, dl
    int 13h
    CHECK_NC "floppy 15h"
    CHECK8 ah, 02h, "floppy 15h type"
    ; 18h: a 1.44 MB drive takes 720 KB media (9 sectors, 80 cylinders)
    ; but not 2.88 MB ones (36 sectors), which only a type 5 drive lists
    mov ah, 18h
    mov cx, 4F09h
    xor dl, dl
    int 13h
    CHECK_NC "floppy 18h 720 KB medium"
    CHECK8 [es:di + 4], 9, "floppy 18h 720 KB parameter table EOT"
    mov ah, 18h
    mov cx, 4F24h
    xor dl, dl
    int 13h
    CHECK_C "floppy 18h 2.88 MB medium in a 1.44 MB drive"
    CHECK8 ah, 0Ch, "floppy 18h unsupported medium: status 0Ch"
    ; 3 sectors, 36 cylinders: no medium at all (the drive type's list ends
    ; at its 0FFh mark, and the bytes after it are another type's list)
    mov ah, 18h
    mov cx, 2303h
    xor dl, dl
    int 13h
    CHECK_C "floppy 18h 3-sector medium"
    CHECK8 ah, 0Ch, "floppy 18h 3-sector medium: status 0Ch"
    ; one block: LBA 20 = cylinder 0, head 1, sector 3
    mov ax, 0201h
    mov cx, 0003h
    mov dx, 0100h
    call read
    CHECK_NC "floppy read LBA 20"
    CHECK8 al, 1, "floppy read count"
    mov eax, 20
    mov cx, 1
    call check_blocks
    je .one_ok
    FAILED "floppy LBA 20: wrong data"
.one_ok:
    ; ten blocks from LBA 30 (cylinder 0, head 1, sector 13): the request
    ; runs on into cylinder 1
    mov ax, 020Ah
    mov cx, 000Dh
    mov dx, 0100h
    call read
    CHECK_NC "floppy read across tracks"
    CHECK8 al, 10, "floppy read across tracks: count"
    mov eax, 30
    mov cx, 10
    call check_blocks
    je .ten_ok
    FAILED "floppy LBA 30-39: wrong data"
.ten_ok:
    ret

test_floppy_errors:
    ; sector 19 of an 18-sector track: not found
    mov ax, 0201h
    mov cx, 0013h
    xor dx, dx
    call read
    CHECK_C "floppy sector 19 fails"
    CHECK8 ah, 04h, "floppy sector 19: status 04h"
    ; 01h reports it
    mov ah, 01h
    xor dl, dl
    int 13h
    CHECK8 ah, 04h, "floppy 01h: the last status"
    ; sector 0 does not exist
    mov ax, 0201h
    mov cx, 0000h
    xor dx, dx
    call read
    CHECK_C "floppy sector 0 fails"
    CHECK8 ah, 01h, "floppy sector 0: status 01h"
    ; zero sectors: a bad parameter
    mov ax, 0200h
    mov cx, 0001h
    xor dx, dx
    call read
    CHECK_C "floppy count 0 fails"
    CHECK8 ah, 01h, "floppy count 0: status 01h"
    ; cylinder 80 of 80
    mov ax, 0201h
    mov cx, 5001h
    xor dx, dx
    call read
    CHECK_C "floppy cylinder 80 fails"
    CHECK8 ah, 04h, "floppy cylinder 80: status 04h"
    ; a buffer across a 64 KiB boundary: DMA cannot, status 09h
    push es
    mov ax, 1000h
    mov es, ax
    mov bx, 0FF00h              ; 1FF00h-200FFh
    mov ax, 0201h
    mov cx, 0001h
    xor dx, dx
    int 13h
    pop es
    CHECK_C "floppy DMA boundary fails"
    CHECK8 ah, 09h, "floppy DMA boundary: status 09h"
    ; a second drive that is not there
    mov al, 10h
    out 70h, al
    in al, 71h
    test al, 0Fh
    jnz .has_b
    mov ax, 0201h
    mov cx, 0001h
    mov dx, 0001h
    call read
    CHECK_C "floppy B: absent fails"
.has_b:
    ret

; write a block and read it back (the image is opened as a snapshot)
test_floppy_write:
    push es
    mov ax, BUFFER_SEG
    mov es, ax
    xor di, di
    mov cx, 512
    mov al, 5Ah
    rep stosb
    xor bx, bx
    mov ax, 0301h
    mov cx, 0A05h               ; cylinder 10, sector 5
    mov dx, 0100h               ; head 1
    int 13h
    CHECK_NC "floppy write"
    xor di, di
    mov cx, 512
    xor al, al
    rep stosb
    mov ax, 0201h
    mov cx, 0A05h
    mov dx, 0100h
    call read
    CHECK_NC "floppy read back"
    xor di, di
    mov cx, 512
    mov al, 5Ah
    repe scasb
    je .same
    FAILED "floppy: a written block reads back different"
.same:
    pop es
    ; verify
    mov ax, 0401h
    mov cx, 0A05h
    mov dx, 0100h
    int 13h
    CHECK_NC "floppy verify"
    ret

; ------------------------------------------------------------------ hard disk

test_hd_geometry:
    mov ah, 08h
    mov dl, 80h
    int 13h
    CHECK_NC "hd 08h"
    ; cylinder 519 = 207h: CH = 07h, CL = 2 << 6 | 63
    CHECK16 cx, 07BFh, "hd 08h CX (LBA-assisted: 520 cylinders, 63 sectors)"
    CHECK8 dh, 63, "hd 08h last head (64 heads)"
    push 40h
    pop es
    mov al, [es:75h]
    CHECK8 dl, al, "hd 08h DL = 40:75"
    mov ah, 15h
    mov dl, 80h
    int 13h
    CHECK_NC "hd 15h"
    CHECK8 ah, 03h, "hd 15h: a fixed disk"
    shl ecx, 16
    mov cx, dx
    CHECK32 ecx, 520 * 64 * 63, "hd 15h size through CHS"
    ; CHS (0, 1, 1) is LBA 63 with 63 sectors a track
    mov ax, 0201h
    mov cx, 0001h
    mov dx, 0180h
    call read
    CHECK_NC "hd read CHS 0/1/1"
    mov eax, 63
    mov cx, 1
    call check_blocks
    je .chs_ok
    FAILED "hd CHS 0/1/1 is not LBA 63"
.chs_ok:
    ; CHS (1, 0, 1) is LBA 64 * 63 = 4032
    mov ax, 0201h
    mov cx, 0101h
    mov dx, 0080h
    call read
    CHECK_NC "hd read CHS 1/0/1"
    mov eax, 4032
    mov cx, 1
    call check_blocks
    je .chs2_ok
    FAILED "hd CHS 1/0/1 is not LBA 4032"
.chs2_ok:
    ret

test_edd:
    mov ah, 41h
    mov bx, 55AAh
    mov dl, 80h
    int 13h
    CHECK_NC "EDD 41h"
    CHECK16 bx, 0AA55h, "EDD 41h signature"
    CHECK8 ah, 30h, "EDD 41h version 3.0"
    and cx, 5
    CHECK16 cx, 5, "EDD 41h: packet functions and DPTE"
    ; 48h with an EDD 3.0 buffer
    mov word [params], 42h
    mov ah, 48h
    mov dl, 80h
    mov si, params
    int 13h
    CHECK_NC "EDD 48h"
    CHECK16 [params], 42h, "EDD 48h size"
    CHECK32 [params + 16], HD_BLOCKS, "EDD 48h sectors"
    CHECK32 [params + 20], 0, "EDD 48h sectors, high"
    CHECK16 [params + 24], 512, "EDD 48h bytes per sector"
    CHECK16 [params + 30], 0BEDDh, "EDD 48h 3.0 key"
    CHECK32 [params + 28h], 'ATA ', "EDD 48h interface"
    mov si, params + 1Eh
    mov cx, 42h - 1Eh
    call byte_sum
    CHECK8 al, 0, "EDD 48h device path checksum"
    ; the DPTE it points at: checksum, and the primary channel's ports
    les si, [params + 26]
    CHECK16 [es:si], 1F0h, "DPTE I/O base"
    CHECK16 [es:si + 2], 3F6h, "DPTE control port"
    mov cx, 16
    push ds
    push es
    pop ds
    call byte_sum
    pop ds
    CHECK8 al, 0, "DPTE checksum"
    ; 42h: the last block, and a read of several
    mov eax, HD_BLOCKS - 1
    mov cx, 1
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_NC "EDD read the last block"
    mov cx, 1
    mov eax, HD_BLOCKS - 1
    call check_blocks
    je .last_ok
    FAILED "EDD last block: wrong data"
.last_ok:
    mov eax, 1000
    mov cx, 3
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_NC "EDD read 3 blocks"
    CHECK16 [lib_dap + 2], 3, "EDD read: blocks done"
    mov eax, 1000
    mov cx, 3
    call check_blocks
    je .three_ok
    FAILED "EDD blocks 1000-1002: wrong data"
.three_ok:
    ret

params: times 4Ah db 0

; byte_sum: AL = the sum of CX bytes at DS:SI.
byte_sum:
    xor al, al
.add:
    add al, [si]
    inc si
    loop .add
    ret

test_hd_errors:
    ; past the end
    mov eax, HD_BLOCKS
    mov cx, 1
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_C "EDD read past the end fails"
    CHECK8 ah, 04h, "EDD past the end: status 04h"
    CHECK16 [lib_dap + 2], 0, "EDD past the end: no blocks done"
    ; a range that ends past the end
    mov eax, HD_BLOCKS - 1
    mov cx, 2
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_C "EDD read across the end fails"
    ; 128 blocks: more than EDD allows
    mov eax, 0
    mov cx, 128
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_C "EDD 128 blocks fails"
    CHECK8 ah, 01h, "EDD 128 blocks: status 01h"
    ; a packet that is too short
    mov byte [lib_dap], 0Fh
    mov ah, 42h
    mov dl, 80h
    mov si, lib_dap
    int 13h
    CHECK_C "EDD short packet fails"
    CHECK8 ah, 01h, "EDD short packet: status 01h"
    ; CHS beyond the geometry: cylinder 520
    mov ax, 0201h
    mov cx, 0801h | (2 << 6)    ; cylinder 208h = 520
    mov dx, 0080h
    call read
    CHECK_C "hd cylinder 520 fails"
    CHECK8 ah, 04h, "hd cylinder 520: status 04h"
    mov ah, 01h
    mov dl, 80h
    int 13h
    CHECK8 ah, 04h, "hd 01h: the last status"
    ; an unknown function
    mov ah, 0F0h
    mov dl, 80h
    int 13h
    CHECK_C "hd function F0h fails"
    CHECK8 ah, 01h, "hd function F0h: status 01h"
    ret

test_hd_write:
    push es
    mov ax, BUFFER_SEG
    mov es, ax
    xor di, di
    mov cx, 1024
    mov al, 0C3h
    rep stosb
    mov eax, 5000
    mov cx, 2
    mov dl, 80h
    mov bl, 43h
    call lib_edd
    CHECK_NC "EDD write"
    xor di, di
    mov cx, 1024
    xor al, al
    rep stosb
    mov eax, 5000
    mov cx, 2
    mov dl, 80h
    mov bl, 42h
    call lib_edd
    CHECK_NC "EDD read back"
    xor di, di
    mov cx, 1024
    mov al, 0C3h
    repe scasb
    je .same
    FAILED "hd: written blocks read back different"
.same:
    pop es
    mov eax, 5000
    mov cx, 2
    mov dl, 80h
    mov bl, 44h
    call lib_edd
    CHECK_NC "EDD verify"
    ret

; a hard disk that is not there
test_absent_drive:
    mov ax, 0201h
    mov cx, 0001h
    mov dx, 0085h
    call read
    CHECK_C "drive 85h: read fails"
    CHECK8 ah, 01h, "drive 85h: status 01h"
    mov ah, 15h
    mov dl, 85h
    int 13h
    CHECK_NC "drive 85h: 15h succeeds"
    CHECK8 ah, 00h, "drive 85h: 15h says no drive"
    mov ah, 08h
    mov dl, 85h
    int 13h
    CHECK_C "drive 85h: 08h fails"
    push 40h
    pop es
    mov al, [es:75h]
    CHECK8 dl, al, "drive 85h: 08h still counts the disks"
    ret

TEST_END

; the floppy's pattern blocks, from block FD_PATTERN_FIRST on
    times FD_PATTERN_FIRST * 512 - ($ - $$) db 0
%assign lba FD_PATTERN_FIRST
%rep FD_PATTERN_LAST - FD_PATTERN_FIRST + 1
    dd lba
%assign j 4
%rep 508
    db (7 * lba + 13 * j) & 0FFh
%assign j j + 1
%endrep
%assign lba lba + 1
%endrep
    times 1474560 - ($ - $$) db 0
