; CPU benchmark: a 64 KiB ROM that any PC emulator can run as its BIOS
; (x86sim -bios, qemu -bios, Bochs romimage).  It enters 32-bit protected
; mode, turns paging on (4 KiB pages, identity map of the first 8 MiB),
; then runs ITERATIONS of a loop mixing loads, stores, ALU, shifts and
; rotates, multiply, CALL/RET, data-dependent branches and, every 256
; iterations, a REP MOVSD of 256 bytes.  It prints the checksum on port
; 0xE9 as "CHECKSUM xxxxxxxx" and stops: cli/hlt (x86sim batch mode ends
; there), QEMU's isa-debug-exit at 0x501, and Bochs's shutdown port 0x8900.
; bench/cpubench_ref.py computes the same checksum on the host.

%ifndef ITERATIONS
%define ITERATIONS 20000000
%endif

bits 16
org 0

GDT_ADDR    equ 0x1000
PD_ADDR     equ 0x2000          ; page directory
PT_ADDR     equ 0x3000          ; two page tables: 0x3000, 0x4000
BUF         equ 0x100000        ; 16 KiB working buffer at 1 MiB
BUF2        equ 0x110000        ; REP MOVSD destination
STACK_TOP   equ 0x90000

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    ; A20 on through port 0x92 (QEMU, Bochs and x86sim all have it).
    in al, 0x92
    or al, 2
    out 0x92, al
    ; Copy the GDT to RAM and load it.
    mov si, gdt
    mov di, GDT_ADDR
    mov cx, gdt_end - gdt
.copy:
    mov al, [cs:si]
    mov [es:di], al
    inc si
    inc di
    loop .copy
    lgdt [cs:gdt_ptr]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword 0x08:(0xF0000 + pm32)

gdt_ptr:
    dw gdt_end - gdt - 1
    dd GDT_ADDR
gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 0x08 code, flat
    dq 0x00CF92000000FFFF       ; 0x10 data, flat
gdt_end:

bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK_TOP
    ; Page tables: identity map 0..8 MiB with 4 KiB pages.
    mov edi, PT_ADDR
    mov eax, 0x003              ; present, writable
    mov ecx, 2048
.pte:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    loop .pte
    mov edi, PD_ADDR
    mov ecx, 1024
    xor eax, eax
    rep stosd
    mov dword [PD_ADDR], PT_ADDR | 3
    mov dword [PD_ADDR + 4], (PT_ADDR + 0x1000) | 3
    mov eax, PD_ADDR
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    ; Clear the buffers.
    mov edi, BUF
    mov ecx, 0x20000 / 4
    xor eax, eax
    rep stosd

    mov ecx, ITERATIONS
    xor ebx, ebx                ; accumulator
    mov ebp, 1                  ; LCG state
.loop:
    imul ebp, ebp, 1103515245
    add ebp, 12345
    mov eax, ebp
    shr eax, 16
    and eax, 0x3FFC             ; a dword in the 16 KiB buffer
    mov edx, [BUF + eax]
    add edx, ebp
    rol edx, 5
    xor ebx, edx
    mov [BUF + eax], edx
    call mix
    test ebx, 1
    jz .even
    sub ebx, ecx
    jmp .next
.even:
    add ebx, ecx
.next:
    test ecx, 0xFF
    jnz .skip
    push ecx
    mov esi, BUF
    mov edi, BUF2
    mov ecx, 64
    rep movsd
    pop ecx
    add ebx, [BUF2 + 0x80]
.skip:
    dec ecx
    jnz .loop

    ; Fold the buffer into the checksum.
    mov esi, BUF
    mov ecx, 0x4000 / 4
.fold:
    add ebx, [esi]
    rol ebx, 1
    add esi, 4
    loop .fold

    mov esi, msg
    call puts
    mov eax, ebx
    call puthex
    mov al, 10
    out 0xE9, al
    ; Stop every emulator we know.
    mov dx, 0x501
    mov al, 0
    out dx, al
    mov dx, 0x8900
    mov esi, shutdown
.sd:
    mov al, [esi + 0xF0000]
    test al, al
    jz .halt
    out dx, al
    inc esi
    jmp .sd
.halt:
    cli
    hlt
    jmp .halt

; ebx = (ebx * 5 << 3) ^ (high half of ebx * 0x9E3779B1) + edx
mix:
    push edx
    lea eax, [ebx + ebx * 4]
    shl eax, 3
    push eax
    mov eax, ebx
    mov edx, 0x9E3779B1
    mul edx
    pop eax
    xor eax, edx
    pop edx
    add eax, edx
    mov ebx, eax
    ret

puts:                           ; CS-relative string (the ROM is at 0xF0000)
    mov al, [esi + 0xF0000]
    test al, al
    jz .done
    out 0xE9, al
    inc esi
    jmp puts
.done:
    ret

puthex:                         ; eax as 8 hex digits
    mov ecx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0xF
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '0' - 10
.out:
    out 0xE9, al
    pop eax
    loop .digit
    ret

msg: db "CHECKSUM ", 0
shutdown: db "Shutdown", 0

bits 16
    times 0x10000 - 16 - ($ - $$) db 0xFF
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
