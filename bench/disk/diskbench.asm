; Sequential read of the whole -hda image by a guest, through the CPU:
;   PIO: READ MULTIPLE (16-sector blocks), 128 sectors per command, the
;        data port read with IN AX,DX into memory (a loop of IN, MOV, ADD,
;        DEC, JNZ: the string instructions are not in the CPU yet)
;   DMA: READ DMA, 128 sectors (64 KiB) per command, one PRD entry, the
;        bus master's BAR4 programmed through 0xCF8/0xCFC
; Assemble with -DMODE_DMA for the DMA variant, -DSECTORS=N for the image
; size in sectors (a multiple of 128, below 2^28).  Polls (nIEN); prints
; DONE on port 0xE9 and halts.  run_disk.sh times it.
%include "lib.inc"

start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov ax, 0x2000
    mov es, ax                  ; buffer at 0x20000
    mov dx, 0x3F6
    mov al, 0x02
    out dx, al
%ifdef MODE_DMA
    call ata_enable_busmaster
    mov dword [0x3000], 0x20000
    mov dword [0x3004], 0x80000000 ; 64 KiB, end of table
    mov dx, 0xC004
    mov eax, 0x3000
    out dx, eax
%else
    mov dx, 0x1F6
    mov al, 0xE0
    out dx, al
    mov dx, 0x1F2
    mov al, 16
    out dx, al
    mov dx, 0x1F7
    mov al, 0xC6                ; SET MULTIPLE MODE 16
    out dx, al
    call ata_wait_idle
%endif
    xor ebp, ebp                ; LBA
.next_command:
    mov [0x2F00], ebp           ; the LBA's bytes, read back one by one
    mov dx, 0x1F6
    mov al, [0x2F03]
    or al, 0xE0
    out dx, al
    mov dx, 0x1F2
    mov al, 128
    out dx, al
    mov dx, 0x1F3
    mov al, [0x2F00]
    out dx, al
    mov dx, 0x1F4
    mov al, [0x2F01]
    out dx, al
    mov dx, 0x1F5
    mov al, [0x2F02]
    out dx, al
%ifdef MODE_DMA
    mov dx, 0x1F7
    mov al, 0xC8                ; READ DMA
    out dx, al
    call ata_busmaster_read
    mov dx, 0xC000
    xor al, al
    out dx, al
    call ata_wait_idle
    cmp al, 0x50
    jne .bad
%else
    mov dx, 0x1F7
    mov al, 0xC4                ; READ MULTIPLE
    out dx, al
    mov bx, 8                   ; blocks of 16 sectors
.block:
    call ata_wait_idle
    test al, 0x08
    jz .bad
    mov cx, 16 * 256
    mov dx, 0x1F0
    xor di, di
.word:
    in ax, dx
    mov [es:di], ax
    add di, 2
    dec cx
    jnz .word
    dec bx
    jnz .block
%endif
    add ebp, 128
    cmp ebp, SECTORS
    jb .next_command
    PUTS {"DONE", 10}
    jmp lib_halt
.bad:
    FAIL "disk error"

%include "ata.inc"

    ROM_END
