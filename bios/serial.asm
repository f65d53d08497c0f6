; serial.asm - the serial ports (INT 14h) and the printer ports (INT 17h).
;
; Both services poll: they wait for the UART or the printer to be ready,
; for as long as the BDA's timeout for that port says (in seconds here;
; 1 for serial and 20 for printers, as POST sets them), then give up with
; the timeout bit in the returned status.  DX selects the port (0 = COM1 or
; LPT1); its I/O address comes from the BDA.

UART_DATA       equ 0           ; receive/transmit; divisor low with DLAB
UART_IER        equ 1           ; interrupt enable; divisor high with DLAB
UART_LCR        equ 3           ; line control (bit 7: DLAB)
UART_MCR        equ 4           ; modem control
UART_LSR        equ 5           ; line status
UART_MSR        equ 6           ; modem status
UART_LSR_DR     equ 01h         ; data ready
UART_LSR_THRE   equ 20h         ; transmitter holding register empty
UART_MCR_DTR_RTS equ 03h

LPT_DATA        equ 0
LPT_STATUS      equ 1
LPT_CONTROL     equ 2
LPT_ST_NOT_BUSY equ 80h
LPT_CTL_STROBE  equ 01h
LPT_CTL_INIT    equ 04h         ; active low: 0 resets the printer
LPT_CTL_SELECT  equ 08h

; poll_port: waits until (in(DX) & AH) == AH, for at most BL seconds.
; AL = the last value read; CF set on timeout.
poll_port:
    push cx
    push esi
    push ds
    push BDA_SEG
    pop ds
    movzx cx, bl
    imul cx, cx, 18             ; seconds to ticks
    mov esi, [BDA_TICKS]
.poll:
    in al, dx
    push ax
    and al, ah
    cmp al, ah
    pop ax
    je .ready
    push ax
    call ticks_since
    cmp ax, cx
    pop ax
    jbe .poll
    stc
    jmp .done
.ready:
    clc
.done:
    pop ds
    pop esi
    pop cx
    ret

; ------------------------------------------------------------------ INT 14h

; uart_ready: for the UART at DX: DTR and RTS up (the modem may talk),
; then waits until the line status has bit AH (data ready, or room to
; send), for BL seconds.  AL = the line status; CF on timeout.
uart_ready:
    push dx
    add dx, UART_MCR
    mov al, UART_MCR_DTR_RTS
    out dx, al
    add dx, UART_LSR - UART_MCR
    call poll_port
    pop dx
    ret

; divisors of the 1.8432 MHz UART clock for 110, 150, 300, 600, 1200,
; 2400, 4800 and 9600 baud (AL bits 5-7 of function 00h)
serial_divisors: dw 1047, 768, 384, 192, 96, 48, 24, 12

; bda_port: the port the caller's DX names, from the BDA's table of CX
; I/O bases at SI and of timeouts at DI: DX = its base, BL = its timeout.
; CF if there is no such port.
bda_port:
    mov ax, [bp + R_DX]
    cmp ax, cx
    jae .none
    add di, ax
    shl ax, 1
    add si, ax
    mov dx, [si]
    mov bl, [di]
    test dx, dx
    jz .none
    clc
    ret
.none:
    stc
    ret

int14_handler:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov si, BDA_COM_PORTS
    mov di, BDA_COM_TIMEOUT
    mov cx, 4
    call bda_port
    jc .leave                   ; no such port: nothing changes
    mov al, [bp + R_AH]
    cmp al, 00h
    je .init
    cmp al, 01h
    je .send
    cmp al, 02h
    je .receive
    cmp al, 03h
    je .status
    cmp al, 05h
    je .modem
    jmp .leave

; 00h: AL = baud (bits 5-7), parity (3-4), stop bits (2), word length (0-1).
.init:
    push dx
    add dx, UART_LCR
    mov al, 80h                 ; DLAB: the next two registers are the divisor
    out dx, al
    movzx si, byte [bp + R_AL]
    shr si, 5
    shl si, 1
    mov ax, [cs:serial_divisors + si]
    pop dx
    push dx
    out dx, al                  ; divisor low
    inc dx
    mov al, ah
    out dx, al                  ; divisor high
    pop dx
    push dx
    add dx, UART_LCR
    mov al, [bp + R_AL]
    and al, 1Fh
    out dx, al
    pop dx
    push dx
    inc dx
    xor al, al
    out dx, al                  ; no UART interrupts: INT 14h polls
    pop dx
    jmp .status

; 01h: send AL.  AH = line status, bit 7 on timeout.
.send:
    mov ah, UART_LSR_THRE
    call uart_ready
    jc .timeout
    mov al, [bp + R_AL]
    out dx, al
    add dx, UART_LSR
    in al, dx
    mov [bp + R_AH], al
    jmp .leave

; 02h: receive into AL.  AH = line status (the error bits), bit 7 on timeout.
.receive:
    mov ah, UART_LSR_DR
    call uart_ready
    jc .timeout
    and al, 1Eh                 ; overrun, parity, framing, break
    mov [bp + R_AH], al
    in al, dx
    mov [bp + R_AL], al
    jmp .leave

; 03h: AH = line status, AL = modem status.
.status:
    add dx, UART_LSR
    in al, dx
    mov [bp + R_AH], al
    inc dx
    in al, dx
    mov [bp + R_AL], al
    jmp .leave

; 05h: modem control: AL = 00h reads it into BL, 01h writes BL.
.modem:
    add dx, UART_MCR
    cmp byte [bp + R_AL], 01h
    je .modem_write
    in al, dx
    mov [bp + R_BL], al
    jmp .modem_status
.modem_write:
    mov al, [bp + R_BL]
    out dx, al
.modem_status:
    sub dx, UART_MCR
    jmp .status

.timeout:
    add dx, UART_LSR
    in al, dx
    or al, 80h
    mov [bp + R_AH], al
.leave:
    SERVICE_LEAVE

; ------------------------------------------------------------------ INT 17h

int17_handler:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov si, BDA_LPT_PORTS
    mov di, BDA_LPT_TIMEOUT
    mov cx, 3
    call bda_port
    jc .leave
    mov al, [bp + R_AH]
    cmp al, 00h
    je .print
    cmp al, 01h
    je .init
    cmp al, 02h
    je .status
    jmp .leave

; 00h: print AL: put it on the data lines, wait until the printer is not
; busy, pulse STROBE.
.print:
    mov al, [bp + R_AL]
    out dx, al
    inc dx
    mov ah, LPT_ST_NOT_BUSY
    call poll_port
    jc .timeout
    inc dx
    mov al, LPT_CTL_SELECT | LPT_CTL_INIT | LPT_CTL_STROBE
    out dx, al
    mov al, LPT_CTL_SELECT | LPT_CTL_INIT
    out dx, al
    sub dx, 2
    jmp .status

; 01h: initialise the printer (INIT low for a moment).
.init:
    add dx, LPT_CONTROL
    mov al, LPT_CTL_SELECT
    out dx, al
    mov cx, 1000
.hold:
    in al, PORT_SYS_CTRL_B      ; (about 1 us each on a PC)
    loop .hold
    mov al, LPT_CTL_SELECT | LPT_CTL_INIT
    out dx, al
    sub dx, LPT_CONTROL
    ; fall through

; 02h: AH = printer status: the status port with the acknowledge and
; error bits turned the right way up (the port has them active low),
; bits 0-2 (reserved, timeout) clear.
.status:
    inc dx
    in al, dx
    and al, 0F8h
    xor al, 48h
    mov [bp + R_AH], al
    jmp .leave
.timeout:
    and al, 0F8h
    xor al, 48h
    or al, 01h                  ; timeout
    mov [bp + R_AH], al
.leave:
    SERVICE_LEAVE
