; tests/bios/keyboard.asm - the keyboard interrupt (IRQ 1) and INT 16h.
;
; Keys are typed through the i8042's "write keyboard output buffer"
; command (D2h): the controller puts the byte in its output buffer as if
; the keyboard had sent it and raises IRQ 1.  The bytes are scancode set 1
; (what the controller passes on when it translates).  Expected key words
; are the PC/AT BIOS's (IBM Technical Reference; Ralf Brown's interrupt
; list): scan code << 8 | ASCII.
%include "lib.inc"

test_main:
    call flush
    call test_plain
    call test_shift_caps
    call test_ctrl_alt
    call test_altnum
    call test_extended
    call test_numlock
    call test_buffer
    call test_intercept
    call test_misc
    ret

; type: the bytes at DS:SI, CX of them, through the controller; each one
; waits until IRQ 1 has taken it.
type:
    push ax
    push cx
    push si
.next:
    call kbc_ready
    mov al, 0D2h
    out 64h, al
    call kbc_ready
    lodsb
    out 60h, al
    ; IRQ 1 reads port 60h, which empties the output buffer
    push cx
    mov cx, 0FFFFh
.taken:
    in al, 64h
    test al, 01h
    jz .done
    loop .taken
.done:
    pop cx
    loop .next
    pop si
    pop cx
    pop ax
    ret
kbc_ready:
    in al, 64h
    test al, 02h
    jnz kbc_ready
    ret

%macro TYPE 1+
    jmp %%over
%%keys: db %1
%%over:
    push si
    push cx
    mov si, %%keys
    mov cx, %%over - %%keys
    call type
    pop cx
    pop si
%endmacro

; key: AX = the next key from INT 16h AH=10h, or 0 if none waits.
key:
    mov ah, 11h
    int 16h
    jz .none
    mov ah, 10h
    int 16h
    ret
.none:
    xor ax, ax
    ret

; flush: empties the buffer.
flush:
    call key
    test ax, ax
    jnz flush
    ret

test_plain:
    TYPE 1Eh, 9Eh               ; a
    call key
    CHECK16 ax, 1E61h, "a"
    TYPE 02h, 82h, 1Ch, 9Ch     ; 1, Enter
    call key
    CHECK16 ax, 0231h, "1"
    call key
    CHECK16 ax, 1C0Dh, "Enter"
    TYPE 3Bh, 0BBh              ; F1
    call key
    CHECK16 ax, 3B00h, "F1"
    call key
    CHECK16 ax, 0, "nothing more"
    ret

test_shift_caps:
    TYPE 2Ah, 1Eh, 9Eh          ; left Shift down, a
    call key
    CHECK16 ax, 1E41h, "Shift-a"
    mov ah, 02h
    int 16h
    and al, 03h
    CHECK8 al, 02h, "02h: left Shift held"
    TYPE 02h, 82h, 0AAh         ; Shift-1, Shift up
    call key
    CHECK16 ax, 0221h, "Shift-1 = !"
    TYPE 3Ah, 0BAh, 1Eh, 9Eh    ; Caps Lock, a
    call key
    CHECK16 ax, 1E41h, "Caps Lock a"
    mov ah, 02h
    int 16h
    and al, 40h
    CHECK8 al, 40h, "02h: Caps Lock on"
    TYPE 02h, 82h               ; Caps Lock leaves digits alone
    call key
    CHECK16 ax, 0231h, "Caps Lock 1"
    TYPE 36h, 1Eh, 9Eh, 0B6h    ; right Shift inverts Caps Lock for letters
    call key
    CHECK16 ax, 1E61h, "Caps Lock Shift-a"
    TYPE 3Ah, 0BAh              ; Caps Lock off
    ret

test_ctrl_alt:
    TYPE 1Dh, 2Eh, 0AEh         ; Ctrl-c
    call key
    CHECK16 ax, 2E03h, "Ctrl-c"
    mov ah, 12h
    int 16h
    and ah, 01h
    CHECK8 ah, 01h, "12h: left Ctrl held"
    TYPE 9Dh                    ; Ctrl up
    TYPE 38h, 1Eh, 9Eh          ; Alt-a
    call key
    CHECK16 ax, 1E00h, "Alt-a"
    TYPE 3Bh, 0BBh, 0B8h        ; Alt-F1, Alt up
    call key
    CHECK16 ax, 6800h, "Alt-F1"
    TYPE 0E0h, 1Dh, 1Eh, 9Eh, 0E0h, 9Dh     ; right Ctrl-a
    call key
    CHECK16 ax, 1E01h, "right Ctrl-a"
    ret

; Alt + keypad 6, 5, then Alt up: character 65 ('A') with scan code 0
test_altnum:
    TYPE 38h, 4Dh, 0CDh, 4Ch, 0CCh, 0B8h
    call key
    CHECK16 ax, 0041h, "Alt-065 = A"
    ret

; the 101-key keyboard's grey keys (E0 prefix): 10h returns them with E0h
; in the ASCII byte, 00h with the old codes; F11 exists for 10h only
test_extended:
    TYPE 0E0h, 48h, 0E0h, 0C8h  ; grey Up
    call key
    CHECK16 ax, 48E0h, "grey Up (10h)"
    TYPE 0E0h, 48h, 0E0h, 0C8h
    xor ah, ah
    int 16h
    CHECK16 ax, 4800h, "grey Up (00h)"
    TYPE 0E0h, 1Ch, 0E0h, 9Ch   ; keypad Enter
    call key
    CHECK16 ax, 0E00Dh, "keypad Enter (10h)"
    TYPE 0E0h, 1Ch, 0E0h, 9Ch
    xor ah, ah
    int 16h
    CHECK16 ax, 1C0Dh, "keypad Enter (00h)"
    TYPE 0E0h, 35h, 0E0h, 0B5h  ; keypad /
    call key
    CHECK16 ax, 0E02Fh, "keypad / (10h)"
    TYPE 57h, 0D7h              ; F11
    mov ah, 01h                 ; 01h skips it: the buffer looks empty
    int 16h
    jz .f11_skipped
    FAILED "01h shows F11"
.f11_skipped:
    TYPE 57h, 0D7h
    call key
    CHECK16 ax, 8500h, "F11 (10h)"
    ; the fake shifts around grey keys change nothing
    TYPE 0E0h, 2Ah, 0E0h, 47h, 0E0h, 0C7h, 0E0h, 0AAh  ; grey Home
    call key
    CHECK16 ax, 47E0h, "grey Home with fake shifts"
    ret

test_numlock:
    TYPE 45h, 0C5h, 47h, 0C7h   ; Num Lock, keypad 7
    call key
    CHECK16 ax, 4737h, "Num Lock keypad 7"
    TYPE 2Ah, 47h, 0C7h, 0AAh   ; Shift undoes Num Lock
    call key
    CHECK16 ax, 4700h, "Num Lock Shift keypad 7 = Home"
    TYPE 45h, 0C5h, 47h, 0C7h   ; Num Lock off
    call key
    CHECK16 ax, 4700h, "keypad 7 = Home"
    ret

; 05h puts keys in the buffer; it holds 15
test_buffer:
    mov ah, 05h
    mov cx, 1234h
    int 16h
    CHECK8 al, 0, "05h stored"
    call key
    CHECK16 ax, 1234h, "05h key comes out"
    mov bx, 15
.fill:
    mov ah, 05h
    mov cx, 4141h
    int 16h
    CHECK8 al, 0, "05h stored (filling)"
    dec bx
    jnz .fill
    mov ah, 05h
    mov cx, 4242h
    int 16h
    CHECK8 al, 1, "05h: the 16th does not fit"
    call flush
    ret

; a handler of INT 15h AH=4Fh may change the scan code: a becomes b
test_intercept:
    push ds
    xor ax, ax
    mov ds, ax
    mov eax, [15h * 4]
    mov [old_int15], eax
    cli
    mov word [15h * 4], intercept
    mov [15h * 4 + 2], cs
    sti
    pop ds
    TYPE 1Eh, 9Eh
    call key
    CHECK16 ax, 3062h, "INT 15h 4Fh turned a into b"
    push ds
    xor ax, ax
    mov ds, ax
    cli
    mov eax, [cs:old_int15]
    mov [15h * 4], eax
    sti
    pop ds
    ret

intercept:
    cmp ah, 4Fh
    jne .chain
    cmp al, 1Eh
    jne .chain
    mov al, 30h
.chain:
    jmp far [cs:old_int15]
old_int15: dd 0

test_misc:
    mov ah, 09h
    int 16h
    and al, 20h
    CHECK8 al, 20h, "09h: functions 10h-12h exist"
    mov ah, 0Ah
    int 16h
    CHECK16 bx, 41ABh, "0Ah: MF2 keyboard ID"
    ; the keyboard LEDs follow Num Lock: the BDA's LED bits
    TYPE 45h, 0C5h
    push 40h
    pop es
    mov al, [es:97h]
    and al, 07h
    CHECK8 al, 02h, "Num Lock LED"
    TYPE 45h, 0C5h
    ret

TEST_END
