; console.asm - the BIOS's own messages.
;
; POST and the boot code print on two outputs at once: the screen (through
; INT 10h teletype, once the video BIOS is up) and the debug port E9h, which
; an emulator shows on its console.  The debug copy is what a batch run or
; a test sees; the screen copy is what a user sees.  Strings live in the
; BIOS segment and are NUL-terminated.

; debug_putc: AL to the debug port.
debug_putc:
    push dx
    mov dx, PORT_DEBUG
    out dx, al
    pop dx
    ret

; debug_puts: the string at CS:SI to the debug port.
debug_puts:
    push di
    mov di, debug_putc
    jmp puts_with

; console_putc: AL to the screen (when the video BIOS is ready) and to the
; debug port.  A newline (0Ah) is sent to the screen as CR LF.
console_putc:
    call debug_putc
    push ax
    push bx
    push ds
    push BDA_SEG
    pop ds
    cmp byte [BDA_VIDEO_COLS], 0    ; no video mode set yet: no screen
    je .done
    cmp al, 10
    jne .plain
    mov ax, 0E0Dh
    xor bx, bx
    int 10h
    mov al, 10
.plain:
    mov ah, 0Eh
    mov bx, 0007h                   ; page 0, light grey (graphics modes)
    int 10h
.done:
    pop ds
    pop bx
    pop ax
    ret

; console_puts: the string at CS:SI to both outputs.
console_puts:
    push di
    mov di, console_putc
puts_with:                      ; (DI = the character routine, pushed by the caller)
    push ax
    push si
.next:
    cs lodsb
    test al, al
    jz .done
    call di
    jmp .next
.done:
    pop si
    pop ax
    pop di
    ret

; console_hex8 / console_hex16: AL / AX in hexadecimal.
console_hex16:
    xchg al, ah
    call console_hex8
    xchg al, ah
console_hex8:
    push ax
    shr al, 4
    call .digit
    pop ax
    push ax
    call .digit
    pop ax
    ret
.digit:
    and al, 0Fh
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    jmp console_putc

; console_dec32: EAX as an unsigned decimal number.
console_dec32:
    push eax
    push ecx
    push edx
    mov ecx, 10
    push word 0FFFFh                ; end marker below the digits
.divide:
    xor edx, edx
    div ecx
    push dx
    test eax, eax
    jnz .divide
.print:
    pop ax
    cmp ax, 0FFFFh
    je .done
    add al, '0'
    call console_putc
    jmp .print
.done:
    pop edx
    pop ecx
    pop eax
    ret

; console_puts_ds: the string at DS:SI (not in the BIOS segment: disk
; model names, for example) to both outputs, at most CX characters, with
; trailing blanks left out.
console_puts_ds:
    push ax
    push cx
    push si
    push di
    ; find the last non-blank character so padded names print tidily
    mov di, si
    add di, cx
.trim:
    cmp di, si
    je .print
    cmp byte [di - 1], ' '
    ja .print
    dec di
    jmp .trim
.print:
    cmp si, di
    je .done
    lodsb
    call console_putc
    jmp .print
.done:
    pop di
    pop si
    pop cx
    pop ax
    ret

; wait_key: flushes typed-ahead keys, then waits for a key press (INT 16h).
wait_key:
    push ax
.flush:
    mov ah, 01h
    int 16h
    jz .wait
    xor ah, ah
    int 16h
    jmp .flush
.wait:
    xor ah, ah
    int 16h
    pop ax
    ret
