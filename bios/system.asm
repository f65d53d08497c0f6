; system.asm - INT 11h (equipment), INT 12h (base memory) and INT 15h (the
; AT's "system services": memory sizes and map, extended memory copy, A20,
; waits, hooks for the keyboard and multitaskers, configuration).

; INT 11h: AX = the equipment word POST built.
int11_handler:
    push ds
    push BDA_SEG
    pop ds
    mov ax, [BDA_EQUIPMENT]
    pop ds
    iret

; INT 12h: AX = KiB of memory below the EBDA.
int12_handler:
    push ds
    push BDA_SEG
    pop ds
    mov ax, [BDA_MEM_KB]
    pop ds
    iret

; ------------------------------------------------------------------ common

; service_status_leave: ends a service with status AH: in the caller's AH,
; and CF set unless it is 0 (the PC/AT's convention for INT 13h and the
; PCI BIOS).
service_status_leave:
    mov [bp + R_AH], ah
    CLEAR_CF
    test ah, ah
    jz .leave
    SET_CF
.leave:
    SERVICE_LEAVE

; checksum_byte: AL = the byte that makes the CX bytes at DS:SI and itself
; sum to zero; SI ends just past them, where the byte goes.
checksum_byte:
    xor al, al
.add:
    sub al, [si]
    inc si
    loop .add
    ret

; ------------------------------------------------------------------ INT 15h

INT15_UNSUPPORTED equ 86h

int15_handler:
    cmp ah, 4Fh                 ; the keyboard intercept: every key goes
    je .key_intercept           ; through here, so the fast path is first
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov fs, [BDA_EBDA_SEG]
    CLEAR_CF
    mov al, [bp + R_AH]
    cmp al, 24h
    je a20_service
    cmp al, 83h
    je .event_wait
    cmp al, 85h                 ; SysReq pressed/released: nobody listens
    je .ok
    cmp al, 86h
    je .wait
    cmp al, 87h
    je block_move
    cmp al, 88h
    je .extended_memory
    cmp al, 90h                 ; device busy / interrupt complete: the
    je .ok                      ; hooks a multitasker takes; the BIOS itself
    cmp al, 91h                 ; has nothing to do
    je .ok
    cmp al, 0C0h
    je .configuration
    cmp al, 0C1h
    je .ebda
    cmp al, 0E8h
    je .e8xx
.unsupported:
    mov byte [bp + R_AH], INT15_UNSUPPORTED
    SET_CF
.leave:
    SERVICE_LEAVE
.ok:
    mov byte [bp + R_AH], 0
    jmp .leave

; 4Fh: AL = scan code; CF set = "process it".  Returning with CF set is all
; the BIOS's own handler does (a program hooks it to filter keys).
.key_intercept:
    push bp
    mov bp, sp
    or byte [bp + 6], FLAG_CF
    pop bp
    iret

; 83h: AL = 00h: post the byte at ES:BX (bit 7) after CX:DX microseconds;
; AL = 01h: cancel.  CF set if a wait is already running.
.event_wait:
    cmp byte [bp + R_AL], 01h
    je .event_cancel
    mov es, [bp + R_ES]
    mov bx, [bp + R_BX]
    mov cx, [bp + R_CX]
    mov dx, [bp + R_DX]
    call wait_start
    jnc .ok
    mov byte [bp + R_AH], 80h   ; (a wait is already in progress)
    SET_CF
    jmp .leave
.event_cancel:
    call wait_cancel
    jmp .ok

; 86h: wait CX:DX microseconds (with the RTC's periodic interrupt).
.wait:
    mov cx, [bp + R_CX]
    mov dx, [bp + R_DX]
    call wait_us
    jnc .ok
    mov byte [bp + R_AH], 83h   ; (a wait is already in progress)
    SET_CF
    jmp .leave

; 88h: AX = KiB above 1 MiB (at most FFFFh: the 16-bit answer's limit).
.extended_memory:
    mov eax, [fs:EBDA_RAM_TOP]
    sub eax, 100000h
    shr eax, 10
    cmp eax, 0FFFFh
    jbe .ext_ok
    mov ax, 0FFFFh
.ext_ok:
    mov [bp + R_AX], ax
    jmp .leave

; C0h: ES:BX = the system configuration table.
.configuration:
    mov word [bp + R_ES], BIOS_SEG
    mov word [bp + R_BX], config_table
    jmp .ok

; C1h: ES = the EBDA segment.
.ebda:
    mov ax, [BDA_EBDA_SEG]
    mov [bp + R_ES], ax
    jmp .leave

.e8xx:
    cmp byte [bp + R_AL], 01h
    je memory_e801
    cmp byte [bp + R_AL], 20h
    je memory_e820
    jmp .unsupported

; E801h: AX = CX = KiB from 1 MiB to 16 MiB (at most 15 MiB), BX = DX =
; 64 KiB blocks from 16 MiB to the top of RAM below 4 GiB.
memory_e801:
    mov eax, [fs:EBDA_RAM_TOP]
    mov ecx, eax
    cmp eax, 1000000h
    jbe .low
    mov eax, 1000000h
.low:
    sub eax, 100000h
    shr eax, 10
    mov [bp + R_AX], ax
    mov [bp + R_CX], ax
    xor eax, eax
    sub ecx, 1000000h
    jbe .high
    mov eax, ecx
    shr eax, 16
.high:
    mov [bp + R_BX], ax
    mov [bp + R_DX], ax
    SERVICE_LEAVE

; E820h: the memory map, one entry per call.  EDX = 'SMAP', EBX = 0 for the
; first entry (then what the last call returned), ES:DI = a buffer of ECX
; (at least 20) bytes.  Returns the entry (base qword, length qword, type
; dword: 1 RAM, 2 reserved), EAX = 'SMAP', ECX = its size, EBX = the next
; index or 0 after the last.  The map is the one devices/kernel_loader.c
; gives a kernel it starts directly:
;   0 - 9FC00h          RAM (conventional memory)
;   9FC00h - A0000h     reserved (the EBDA)
;   E0000h - 100000h    reserved (this ROM)
;   1 MiB - RAM top     RAM
;   4 GiB - ...         RAM above 4 GiB, if any
; The video memory window and the option ROMs (A0000h-DFFFFh) and the PCI
; hole are left out: unlisted addresses are not RAM.
SMAP            equ 534D4150h
memory_e820:
    cmp dword [bp + R_EDX], SMAP
    jne .bad
    cmp dword [bp + R_ECX], 20
    jb .bad
    mov ebx, [bp + R_EBX]
    cmp ebx, 5
    jae .bad
    ; entry EBX: EDX:EAX = base, ECX:ESI = length, type in DL below
    movzx si, bl
    shl si, 1
    jmp [cs:.entries + si]
.entries:
    dw .conventional, .ebda_area, .rom, .extended, .high
.conventional:
    xor eax, eax
    mov esi, BASE_MEM_KB * 1024
    mov dl, 1
    jmp .low_entry
.ebda_area:
    mov eax, BASE_MEM_KB * 1024
    mov esi, EBDA_KB * 1024
    mov dl, 2
    jmp .low_entry
.rom:
    mov eax, 0E0000h
    mov esi, 20000h
    mov dl, 2
    jmp .low_entry
.extended:
    mov eax, 100000h
    mov esi, [fs:EBDA_RAM_TOP]
    sub esi, eax
    mov dl, 1
.low_entry:
    xor ecx, ecx                ; length bits 32-63
    xor edi, edi                ; base bits 32-63
    jmp .store
.high:
    mov esi, [fs:EBDA_RAM_HIGH] ; 64 KiB units
    test esi, esi
    jz .bad
    mov ecx, esi
    shr ecx, 16
    shl esi, 16
    xor eax, eax
    mov edi, 1                  ; 4 GiB
    mov dl, 1
.store:
    mov es, [bp + R_ES]
    mov bx, [bp + R_DI]
    mov [es:bx], eax
    mov [es:bx + 4], edi
    mov [es:bx + 8], esi
    mov [es:bx + 12], ecx
    movzx edx, dl
    mov [es:bx + 16], edx
    mov ecx, 20
    cmp dword [bp + R_ECX], 24
    jb .size
    ; A caller offering 24 bytes (ACPI 3.0) gets the extended attributes
    ; dword too: bit 0, "this entry is valid".
    mov dword [es:bx + 20], 1
    mov ecx, 24
.size:
    mov [bp + R_ECX], ecx
    ; the next index: entry 4 (above 4 GiB) only exists with RAM there
    mov eax, [bp + R_EBX]
    inc eax
    cmp eax, 4
    jb .next
    ja .last
    cmp dword [fs:EBDA_RAM_HIGH], 0
    jne .next
.last:
    xor eax, eax
.next:
    mov [bp + R_EBX], eax
    mov dword [bp + R_EAX], SMAP
    SERVICE_LEAVE
.bad:
    mov byte [bp + R_AH], INT15_UNSUPPORTED
    SET_CF
    SERVICE_LEAVE

; ------------------------------------------------------------------ A20

; 24h: the A20 gate.  A PC has two ways to it, and the gate is open if
; either is: the 8042's output port bit 1 (the AT's way) and port 92h bit 1
; (the PS/2's "fast A20").  Enabling takes one; disabling takes both.
;   AL = 00h disable, 01h enable, 02h AL = state, 03h BX = methods supported
KBC_CMD_WRITE_OUTPUT equ 0D1h
KBC_OUTPUT_A20_OFF   equ 0DDh   ; reset line high, A20 low, buffers' interrupts
a20_service:
    mov al, [bp + R_AL]
    cmp al, 03h
    ja .unsupported
    je .support
    cmp al, 02h
    je .state
    cmp al, 01h
    je .enable
    ; disable: the 8042's line (interrupts off: the keyboard interrupt
    ; must not meet the controller mid-command), then port 92h
    cli
    mov al, KBC_CMD_WRITE_OUTPUT
    call kbc_command
    mov al, KBC_OUTPUT_A20_OFF
    call kbc_write
    call kbc_wait_write         ; (the controller has taken it)
    sti
    in al, PORT_SYS_CTRL_A
    and al, ~03h & 0FFh         ; (bit 0 would reset the machine)
    jmp .write
.enable:
    in al, PORT_SYS_CTRL_A
    and al, ~01h & 0FFh
    or al, 02h
.write:
    out PORT_SYS_CTRL_A, al
    mov byte [bp + R_AH], 0
    SERVICE_LEAVE
.state:
    call a20_enabled
    mov [bp + R_AL], al
    mov byte [bp + R_AH], 0
    mov word [bp + R_CX], 0
    SERVICE_LEAVE
.support:
    mov word [bp + R_BX], 0003h ; the 8042 (bit 0) and port 92h (bit 1)
    mov byte [bp + R_AH], 0
    SERVICE_LEAVE
.unsupported:
    mov byte [bp + R_AH], INT15_UNSUPPORTED
    SET_CF
    SERVICE_LEAVE

; a20_enabled: AL = 1 if the gate is open: 0000:0500 and FFFF:0510 (the
; same address with bit 20 set) hold different bytes after writing
; different values to them.  Both bytes are restored.
a20_enabled:
    push ds
    push es
    push bx
    pushf
    cli
    xor ax, ax
    mov ds, ax
    dec ax
    mov es, ax
    mov bl, [0500h]
    mov bh, [es:0510h]
    mov byte [0500h], 00h
    mov byte [es:0510h], 0FFh
    cmp byte [0500h], 0FFh      ; wrapped around: the gate is shut
    mov [es:0510h], bh
    mov [0500h], bl
    setne al
    popf
    pop bx
    pop es
    pop ds
    ret

; ------------------------------------------------------------------ 87h block move

; 87h: copies CX words (at most 8000h) between any two places in the 4 GiB
; address space, for real-mode programs (HIMEM-style drivers, RAM disks).
; ES:SI points at the caller's global descriptor table of six entries:
; 00h null, 08h the table itself, 10h source, 18h destination (the caller
; fills these two), 20h and 28h code and stack for the BIOS.  The copy
; runs in 16-bit protected mode with A20 on; the caller's A20 state is
; restored.  AH = 00h, or 02h if CX is too large.
block_move:
    mov cx, [bp + R_CX]
    cmp cx, 8000h
    ja .too_big
    cli
    mov es, [bp + R_ES]
    mov si, [bp + R_SI]
    ; The BIOS's descriptors: the table itself, its code (this segment, 64
    ; KiB) and its stack (the caller's SS, 64 KiB).
    movzx eax, word [bp + R_ES]
    shl eax, 4
    movzx ebx, si
    add eax, ebx                ; the table's linear address
    mov word [es:si + 08h], 2Fh
    mov [es:si + 08h + 2], eax
    mov byte [es:si + 08h + 5], 93h
    mov word [es:si + 08h + 6], 0
    mov word [es:si + 20h], 0FFFFh
    mov dword [es:si + 20h + 2], 9B000000h | (BIOS_SEG << 4)
    mov word [es:si + 20h + 6], 0
    mov dx, ss
    movzx edx, dx
    shl edx, 4
    mov word [es:si + 28h], 0FFFFh
    mov [es:si + 28h + 2], edx
    mov byte [es:si + 28h + 5], 93h
    mov word [es:si + 28h + 6], 0
    ; The GDTR image (limit, base), built on the stack.
    push eax
    push word 2Fh
    mov bx, sp
    lgdt [ss:bx]
    add sp, 6
    push ss                     ; the caller's SS, for the way back
    in al, PORT_SYS_CTRL_A
    push ax                     ; the caller's A20 state
    or al, 02h                  ; A20 on: the copy may touch odd megabytes
    and al, ~01h & 0FFh
    out PORT_SYS_CTRL_A, al
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp 20h:.protected
.protected:
    mov ax, 28h
    mov ss, ax                  ; the same stack, through a descriptor
    mov ax, 10h
    mov ds, ax
    mov ax, 18h
    mov es, ax
    xor si, si
    xor di, di
    rep movsw
    ; Segment registers keep their descriptors' limits into real mode:
    ; give them 64 KiB ones before leaving.
    mov ax, 28h
    mov ds, ax
    mov es, ax
    mov eax, cr0
    and al, ~1 & 0FFh
    mov cr0, eax
    jmp BIOS_SEG:.real
.real:
    ; SS still addresses the caller's stack (its base is unchanged), so
    ; the saved values come back with POP; then SS gets its real-mode value.
    pop ax
    and al, ~01h & 0FFh
    out PORT_SYS_CTRL_A, al
    pop ax
    mov ss, ax
    mov byte [bp + R_AH], 0
    SERVICE_LEAVE               ; (restores DS and ES in real mode)
.too_big:
    mov byte [bp + R_AH], 02h
    SET_CF
    SERVICE_LEAVE
