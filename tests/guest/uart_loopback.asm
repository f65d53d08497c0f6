; COM1's 16550A in loopback: divisor latch, FIFOs, scratch register, the
; modem outputs looped to the modem status inputs, characters sent coming
; back in order, and interrupt identification (with FIFOs: 0xC1 none,
; 0xC2 THR empty, 0xC4 data), as the PC16550D datasheet gives them.
%include "lib.inc"

COM1 equ 0x3F8

%macro OUTP 2
    mov dx, COM1 + %1
    mov al, %2
    out dx, al
%endmacro

%macro INP 1
    mov dx, COM1 + %1
    in al, dx
%endmacro

start:
    REAL_SETUP

    OUTP 7, 0xA5            ; scratch
    INP 7
    CHECK al, 0xA5, "scratch register"
    OUTP 3, 0x80            ; DLAB: divisor 1 (115200 baud)
    OUTP 0, 0x01
    OUTP 1, 0x00
    INP 0
    CHECK al, 0x01, "divisor latch"
    OUTP 3, 0x03            ; 8N1
    OUTP 2, 0x07            ; FIFOs on and cleared
    INP 2
    CHECK al, 0xC1, "IIR with FIFOs, nothing pending"
    OUTP 4, 0x1F            ; loop + DTR RTS OUT1 OUT2
    INP 6                   ; clear the deltas
    INP 6
    CHECK al, 0xF0, "CTS DSR RI DCD from the loop"

    mov si, msg
    mov cx, msg_len
.send:
    mov al, [cs:si]
    mov dx, COM1
    out dx, al
    inc si
    loop .send

    mov si, msg
    mov cx, msg_len
.recv:
    mov di, 0               ; poll LSR.DR with a bound
.poll:
    INP 5
    test al, 0x01
    jnz .got
    dec di
    jnz .poll
    FAIL "no data came back"
.got:
    INP 0
    cmp al, [cs:si]
    jne .mismatch
    inc si
    loop .recv

.drain:                     ; the transmitter empties: THRE and TEMT
    INP 5
    test al, 0x40
    jz .drain
    CHECK al, 0x60, "LSR idle"

    OUTP 1, 0x02            ; THR empty interrupt: raised on enable
    INP 2
    CHECK al, 0xC2, "IIR THR empty"
    INP 2
    CHECK al, 0xC1, "IIR cleared by reading it"
    OUTP 1, 0x01            ; received data
    OUTP 0, 'z'
.wait:
    INP 5
    test al, 0x01
    jz .wait
    INP 2
    CHECK al, 0xC4, "IIR received data"
    INP 0
    CHECK al, 'z', "looped character"
    PASS
.mismatch:
    FAIL "wrong character"

msg: db "x86sim loopback"
msg_len equ $ - msg

ROM_END
