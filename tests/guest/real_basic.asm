; Real-mode basics: MOV, ALU with flags, conditional jumps, CALL/RET, the
; stack and memory through DS and SS.  Expected values are computed by hand.
%include "lib.inc"

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax

    mov ax, 0x1234
    add ax, 0x0FFF          ; 0x2233, no carry
    CHECK ax, 0x2233, "add"
    jc .bad
    mov al, 0xFF
    add al, 1               ; 0x00 with carry and zero
    jnc .bad
    jnz .bad
    mov bx, 5
    sub bx, 7               ; -2: borrow, sign
    jnc .bad
    jns .bad
    CHECK bx, 0xFFFE, "sub"

    mov word [0x500], 0xBEEF
    mov cx, [0x500]
    CHECK cx, 0xBEEF, "memory"
    add word [0x500], 0x0011
    CHECK word [0x500], 0xBF00, "rmw"

    mov ax, 0x7FFF
    inc ax                  ; overflow into 0x8000
    jno .bad
    CHECK ax, 0x8000, "inc"

    call .sub
    CHECK dx, 0x4242, "call"
    push word 0x1111
    pop si
    CHECK si, 0x1111, "push/pop"
    CHECK sp, 0x7000, "sp"

    mov cx, 10
    xor ax, ax
.loop:
    add ax, cx
    loop .loop
    CHECK ax, 55, "loop"
    PASS
.bad:
    FAIL "flags"
.sub:
    mov dx, 0x4242
    ret

ROM_END
