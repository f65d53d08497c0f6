; keyboard.asm - the i8042 keyboard controller, the keyboard interrupt
; (IRQ 1, INT 09h) and the keyboard service INT 16h.
;
; The keyboard sends scancode set 2; the controller translates it to set 1
; (the XT's codes, which the PC/AT BIOS was written for) when bit 6 of its
; command byte is set.  In set 1 a key's release is its make code with bit
; 7 set; the 101-key keyboard's new keys come with an E0h prefix, Pause
; with E1h.  The IRQ 1 handler turns codes into (scan code << 8 | ASCII)
; words in the 16-word ring buffer of the BIOS data area; INT 16h takes
; them out.

KBC_OBF         equ 01h         ; status: output buffer full (a byte to read)
KBC_IBF         equ 02h         ; status: input buffer full (busy)
KBC_CMD_READ    equ 20h
KBC_CMD_WRITE   equ 60h
KBC_CMD_SELFTEST equ 0AAh
KBC_CMD_KBD_OFF equ 0ADh
KBC_CMD_KBD_ON  equ 0AEh
KBC_CMD_AUX_OFF equ 0A7h
; command byte: translate to set 1, mouse clock off, system flag (POST
; passed), keyboard interrupt on (or off while POST talks to the keyboard)
KBC_MODE_POLLED equ 64h
KBC_MODE_IRQ    equ 65h
KBD_CMD_LEDS    equ 0EDh
KBD_CMD_TYPEMATIC equ 0F3h
KBD_CMD_RESET   equ 0FFh
KBD_ACK         equ 0FAh
KBD_RESEND      equ 0FEh
KBD_BAT_OK      equ 0AAh

; ------------------------------------------------------------------ controller access

; kbc_wait: waits until (status & AH) == AL, for 16 x 65536 reads of the
; status port.  CF on timeout.
kbc_wait:
    push bx
    push cx
    push dx
    mov bx, ax
    mov dx, 16
.outer:
    xor cx, cx
.poll:
    in al, PORT_KBC_STATUS
    and al, bh
    cmp al, bl
    je .ready
    loop .poll
    dec dx
    jnz .outer
    stc
    jmp .done
.ready:
    clc
.done:
    mov ax, bx
    pop dx
    pop cx
    pop bx
    ret

; kbc_wait_write: waits until the controller can take a byte.  CF on timeout.
kbc_wait_write:
    push ax
    mov ax, KBC_IBF << 8
    call kbc_wait
    pop ax
    ret

; kbc_read: waits for a byte from the controller and returns it in AL (AH
; stays).  CF on timeout.
kbc_read:
    push bx
    mov bh, ah
    mov ax, KBC_OBF << 8 | KBC_OBF
    call kbc_wait
    jc .done
    in al, PORT_KBC_DATA
.done:
    mov ah, bh
    pop bx
    ret

; kbc_command: AL to the controller's command port.
kbc_command:
    call kbc_wait_write
    jc .done
    out PORT_KBC_CMD, al
.done:
    ret

; kbc_write: AL to the data port (to the keyboard, or the argument of a
; controller command).
kbc_write:
    call kbc_wait_write
    jc .done
    out PORT_KBC_DATA, al
.done:
    ret

; kbc_flush: drops whatever waits in the output buffer.
kbc_flush:
    push ax
    push cx
    mov cx, 16
.next:
    in al, PORT_KBC_STATUS
    test al, KBC_OBF
    jz .done
    in al, PORT_KBC_DATA
    loop .next
.done:
    pop cx
    pop ax
    ret

; kbd_send: AL to the keyboard, waiting for its acknowledge (sending again
; when it asks for a resend).  CF set if it never acknowledged.  Runs with
; interrupts off so IRQ 1 does not take the answer.
kbd_send:
    push cx
    push bx
    pushf
    cli
    mov bl, al
    mov cx, 3                   ; tries
.send:
    mov al, bl
    call kbc_write
    jc .fail
.answer:
    call kbc_read
    jc .fail
    cmp al, KBD_ACK
    je .ok
    cmp al, KBD_RESEND
    jne .answer                 ; a key code in flight: not our answer
    loop .send
.fail:
    mov al, bl
    popf
    pop bx
    pop cx
    stc
    ret
.ok:
    mov al, bl
    popf
    pop bx
    pop cx
    clc
    ret

; ------------------------------------------------------------------ POST

; keyboard_init: runs with interrupts off: until POST writes the command
; byte, the controller may raise IRQ 1 for its own replies, and the IRQ 1
; handler would take them from the polling code below.
keyboard_init:
    pushf
    cli
    push es
    push BDA_SEG
    pop es
    mov word [es:BDA_KB_START], BDA_KB_BUFFER
    mov word [es:BDA_KB_END], BDA_KB_BUFFER + 32
    mov word [es:BDA_KB_HEAD], BDA_KB_BUFFER
    mov word [es:BDA_KB_TAIL], BDA_KB_BUFFER
    mov byte [es:BDA_KB_FLAGS2], KB2_ENHANCED
    mov al, KBC_CMD_KBD_OFF
    call kbc_command
    mov al, KBC_CMD_AUX_OFF
    call kbc_command
    call kbc_flush
    mov al, KBC_CMD_SELFTEST
    call kbc_command
    call kbc_read
    jc .controller_failed
    cmp al, 55h
    jne .controller_failed
    mov al, KBC_CMD_WRITE
    call kbc_command
    mov al, KBC_MODE_POLLED
    call kbc_write
    mov al, KBC_CMD_KBD_ON
    call kbc_command
    ; Reset the keyboard: it acknowledges, runs its self test (BAT) and
    ; answers AAh.
    mov al, KBD_CMD_RESET
    call kbd_send
    jc .keyboard_failed
    call kbc_read
    jc .keyboard_failed
    cmp al, KBD_BAT_OK
    jne .keyboard_failed
    jmp .interrupts
.controller_failed:
    CONSOLE_MSG {"Keyboard controller self test failed", 10}
    jmp .done
.keyboard_failed:
    CONSOLE_MSG {"Keyboard error: no answer to reset", 10}
.interrupts:
    mov al, KBC_CMD_WRITE
    call kbc_command
    mov al, KBC_MODE_IRQ
    call kbc_write
    call kbc_flush
.done:
    pop es
    popf
    ret

; ------------------------------------------------------------------ IRQ 1

irq1_keyboard:
    push ax
    push bx
    push cx
    push dx
    push si
    push ds
    push BDA_SEG
    pop ds
    cld
    in al, PORT_KBC_STATUS
    test al, KBC_OBF
    jz .eoi                     ; nothing there (read by a polling routine)
    in al, PORT_KBC_DATA
    sti
    ; Anyone hooking INT 15h AH=4Fh may change the code or swallow it
    ; (returning with CF clear).
    mov ah, 4Fh
    stc
    int 15h
    jnc .eoi
    call kbd_scancode           ; CF: it has sent the EOI itself (Pause)
    jc .no_eoi
.eoi:
    cli
    call eoi_master
.no_eoi:
    pop ds
    pop si
    pop dx
    pop cx
    pop bx
    pop ax
    iret

; kbd_scancode: one byte from the keyboard, AL, in the BDA's terms.
kbd_scancode:
    cmp al, KBD_ACK             ; answers to commands are no keys
    je .done
    cmp al, KBD_RESEND
    je .done
    cmp al, 0E0h
    je .prefix_e0
    cmp al, 0E1h
    je .prefix_e1
    mov ah, [BDA_KB_FLAGS2]
    and byte [BDA_KB_FLAGS2], ~(KB2_E0 | KB2_E1) & 0FFh
    test ah, KB2_E1
    jnz .pause
    ; AH bit KB2_E0: this code had the E0 prefix.  AL bit 7: release.
    mov bl, al
    and bl, 7Fh
    test ah, KB2_E0
    jz .not_fake_shift
    cmp bl, 2Ah                 ; E0 2A / E0 36: the keyboard's fake
    je .done                    ; shifts around grey keys: ignore
    cmp bl, 36h
    je .done
.not_fake_shift:
    test byte [BDA_KB_FLAGS1], KB_PAUSED
    jz .not_paused
    test al, 80h
    jnz .done
    and byte [BDA_KB_FLAGS1], ~KB_PAUSED & 0FFh  ; any key ends a pause
    jmp .done
.not_paused:
    call kbd_shift_keys         ; CF clear if it was a shift/lock key
    jnc .leds
    test al, 80h
    jnz .done                   ; other releases mean nothing
    call kbd_special_keys       ; CF clear if handled (Ctrl-Alt-Del, ...)
    jnc .done
    call kbd_translate          ; -> AX = key word, CF if none
    jc .done
    call kbd_store
    jmp .done
.leds:
    call kbd_update_leds
.done:
    clc
    ret
.prefix_e0:
    or byte [BDA_KB_FLAGS2], KB2_E0
    ret
.prefix_e1:
    or byte [BDA_KB_FLAGS2], KB2_E1
    ret
; Pause sends E1 1D 45 E1 9D C5 (make and break at once).  The 45 after E1
; starts the pause: the handler waits here, interrupts on, until another
; key's interrupt clears the flag (IBM's behaviour).
.pause:
    cmp al, 45h
    jne .done
    test byte [BDA_KB_FLAGS0], KB_CTRL
    jnz .break                  ; Ctrl-Pause = Ctrl-Break on 84-key boards
    or byte [BDA_KB_FLAGS1], KB_PAUSED
    cli
    call eoi_master
    sti
.paused:
    hlt
    test byte [BDA_KB_FLAGS1], KB_PAUSED
    jnz .paused
    stc                         ; the EOI is sent
    ret
.break:
    jmp kbd_ctrl_break

; kbd_shift_keys: Shift, Ctrl, Alt and the lock keys update the state in
; the BDA.  AL = code (bit 7 release), AH = flags2 before the prefix was
; cleared.  CF set if AL is not one of them.
kbd_shift_keys:
    mov bl, al
    and bl, 7Fh
    mov bh, al                  ; BH bit 7: release
    cmp bl, 2Ah
    je .lshift
    cmp bl, 36h
    je .rshift
    cmp bl, 1Dh
    je .ctrl
    cmp bl, 38h
    je .alt
    cmp bl, 3Ah
    je .caps
    cmp bl, 45h
    je .num
    cmp bl, 46h
    je .scroll
    cmp bl, 52h
    je .insert
    stc
    ret
.lshift:
    mov bl, KB_LSHIFT
    jmp .shift
.rshift:
    mov bl, KB_RSHIFT
.shift:
    test bh, 80h
    jnz .shift_up
    or [BDA_KB_FLAGS0], bl
    clc
    ret
.shift_up:
    not bl
    and [BDA_KB_FLAGS0], bl
    clc
    ret
.ctrl:
    mov bl, KB_LCTRL_DOWN
    mov cl, KB2_RCTRL
    jmp .ctrl_alt
.alt:
    mov bl, KB_LALT_DOWN
    mov cl, KB2_RALT
.ctrl_alt:
    ; Right keys (E0-prefixed) are kept in flags2, left keys in flags1;
    ; the combined bit in flags0 is set while either is down.
    test ah, KB2_E0
    jz .left
    test bh, 80h
    jnz .right_up
    or [BDA_KB_FLAGS2], cl
    jmp .combine
.right_up:
    not cl
    and [BDA_KB_FLAGS2], cl
    jmp .combine
.left:
    test bh, 80h
    jnz .left_up
    or [BDA_KB_FLAGS1], bl
    jmp .combine
.left_up:
    not bl
    and [BDA_KB_FLAGS1], bl
.combine:
    and byte [BDA_KB_FLAGS0], ~(KB_CTRL | KB_ALT) & 0FFh
    test byte [BDA_KB_FLAGS1], KB_LCTRL_DOWN
    jnz .ctrl_on
    test byte [BDA_KB_FLAGS2], KB2_RCTRL
    jz .alt_check
.ctrl_on:
    or byte [BDA_KB_FLAGS0], KB_CTRL
.alt_check:
    test byte [BDA_KB_FLAGS1], KB_LALT_DOWN
    jnz .alt_on
    test byte [BDA_KB_FLAGS2], KB2_RALT
    jz .alt_released
.alt_on:
    or byte [BDA_KB_FLAGS0], KB_ALT
    clc
    ret
.alt_released:
    ; Alt up: a number typed on the keypad while it was held becomes a
    ; character (Alt+65 = 'A').
    mov al, [BDA_KB_ALTNUM]
    test al, al
    jz .no_altnum
    mov byte [BDA_KB_ALTNUM], 0
    xor ah, ah
    call kbd_store
.no_altnum:
    clc
    ret
.caps:
    mov bl, KB_CAPS
    mov cl, KB_CAPS_DOWN
    jmp .lock
.num:
    test byte [BDA_KB_FLAGS0], KB_CTRL
    jnz .not_shift              ; Ctrl-NumLock is Pause on an 84-key board
    mov bl, KB_NUM
    mov cl, KB_NUM_DOWN
    jmp .lock
.scroll:
    test ah, KB2_E0             ; E0 46 is Ctrl-Break
    jnz .not_shift
    test byte [BDA_KB_FLAGS0], KB_CTRL
    jnz .not_shift
    mov bl, KB_SCROLL
    mov cl, KB_SCROLL_DOWN
    jmp .lock
.insert:
    ; Insert is a lock key only as the grey key, or the keypad key when it
    ; means Insert (Num Lock off, or on with Shift); otherwise it is '0'.
    test ah, KB2_E0
    jnz .insert_lock
    test byte [BDA_KB_FLAGS0], KB_ALT
    jnz .not_shift
    call kbd_numpad_digits
    jnz .not_shift
.insert_lock:
    mov bl, KB_INSERT
    mov cl, KB_INSERT_DOWN
    test bh, 80h
    jnz .lock
    ; the key is also stored (editors see Insert)
    test [BDA_KB_FLAGS1], cl
    jnz .lock                   ; typematic repeat: toggle once
    xor [BDA_KB_FLAGS0], bl
    or [BDA_KB_FLAGS1], cl
    stc                         ; let the translation store it
    ret
.lock:
    ; A lock toggles on the make code, once per press (typematic repeats
    ; are ignored because the "held" bit is still set).
    test bh, 80h
    jnz .lock_up
    test [BDA_KB_FLAGS1], cl
    jnz .lock_done
    xor [BDA_KB_FLAGS0], bl
    or [BDA_KB_FLAGS1], cl
    clc
    ret
.lock_up:
    not cl
    and [BDA_KB_FLAGS1], cl
.lock_done:
    clc
    ret
.not_shift:
    stc
    ret

; kbd_numpad_digits: ZF clear if the keypad types digits now (Num Lock xor
; Shift).
kbd_numpad_digits:
    push ax
    mov al, [BDA_KB_FLAGS0]
    mov ah, al
    and al, KB_NUM
    setnz al
    and ah, KB_LSHIFT | KB_RSHIFT
    setnz ah
    xor al, ah
    pop ax
    ret

; kbd_special_keys: the combinations that act instead of being stored.
; CF clear if AL was one of them.
kbd_special_keys:
    mov bl, [BDA_KB_FLAGS0]
    mov cl, bl
    and cl, KB_CTRL | KB_ALT
    cmp al, 53h                 ; Ctrl-Alt-Del: warm boot
    jne .not_del
    cmp cl, KB_CTRL | KB_ALT
    jne .not_special
    mov word [BDA_RESET_FLAG], 1234h
    jmp BIOS_SEG:post_entry
.not_del:
    cmp al, 46h                 ; Ctrl-ScrollLock, E0 46: Ctrl-Break
    jne .not_break
    test bl, KB_CTRL
    jnz kbd_ctrl_break
    test ah, KB2_E0
    jnz kbd_ctrl_break
    jmp .not_special
.not_break:
    cmp al, 37h                 ; PrtSc: E0 37, or Shift-* on an 84-key board
    jne .not_prtsc
    test ah, KB2_E0
    jnz .prtsc
    test bl, KB_LSHIFT | KB_RSHIFT
    jz .not_special
.prtsc:
    test bl, KB_ALT
    jnz .sysreq
    int 05h
    clc
    ret
.not_prtsc:
    cmp al, 54h                 ; SysReq (Alt-PrtSc): INT 15h AH=85h
    jne .not_special
.sysreq:
    mov ax, 8500h
    int 15h
    clc
    ret
.not_special:
    stc
    ret

kbd_ctrl_break:
    ; Ctrl-Break: note it, empty the buffer, leave a zero word in it, and
    ; call the user's INT 1Bh.
    mov byte [BDA_BREAK], 80h
    mov ax, [BDA_KB_START]
    mov [BDA_KB_HEAD], ax
    mov [BDA_KB_TAIL], ax
    xor ax, ax
    call kbd_store
    int 1Bh
    clc
    ret

; kbd_translate: the key word for the make code in AL with the current
; shift state (AH bit KB2_E0 = grey key).  CF set if the combination makes
; no key.
kbd_translate:
    cmp al, 58h
    ja .none
    mov cl, al                  ; CL = scan code
    mov dh, ah                  ; DH = prefix flags
    movzx si, al
    dec si
    shl si, 3                   ; 4 words per key
    add si, kbd_table
    mov bl, [BDA_KB_FLAGS0]
    ; the grey keys (E0-prefixed keypad keys) are cursor keys whatever the
    ; lock state, and say so with E0h in the ASCII byte
    test dh, KB2_E0
    jnz .grey
    ; Alt + keypad digit: part of an Alt-number, not a key
    test bl, KB_ALT
    jz .not_altnum
    cmp al, 47h
    jb .not_altnum
    cmp al, 53h
    jae .not_altnum
    movzx bx, al
    mov al, [cs:kbd_keypad_digits + bx - 47h]
    cmp al, 0FFh
    je .none
    mov ch, al                  ; the digit
    mov al, [BDA_KB_ALTNUM]
    mov cl, 10
    mul cl                      ; (AX = AL * 10: AH is lost)
    add al, ch
    mov [BDA_KB_ALTNUM], al
    jmp .none
.not_altnum:
    test bl, KB_ALT
    jnz .alt
    test bl, KB_CTRL
    jnz .ctrl
    ; Shifted column when Shift is down, inverted by Caps Lock for letters
    ; and by Num Lock for the keypad.
    xor ch, ch
    test bl, KB_LSHIFT | KB_RSHIFT
    setnz ch
    cmp cl, 47h
    jb .not_keypad
    cmp cl, 53h
    ja .not_keypad
    test bl, KB_NUM
    jz .column
    xor ch, 1
    jmp .column
.not_keypad:
    test bl, KB_CAPS
    jz .column
    call kbd_is_letter
    jnz .column
    xor ch, 1
.column:
    test ch, ch
    jz .normal
    mov ax, [cs:si + 2]
    jmp .got
.normal:
    mov ax, [cs:si]
    jmp .got
.ctrl:
    mov ax, [cs:si + 4]
    jmp .got
.alt:
    mov ax, [cs:si + 6]
.got:
    test ax, ax
    jz .none
    clc
    ret
.none:
    stc
    ret
.grey:
    cmp cl, 1Ch                 ; keypad Enter
    je .grey_enter
    cmp cl, 35h                 ; keypad /
    je .grey_slash
    cmp cl, 47h
    jb .none                    ; other E0 keys (Windows keys, ...) make nothing
    cmp cl, 53h
    ja .none
    cmp cl, 4Ah
    je .none
    cmp cl, 4Ch
    je .none
    cmp cl, 4Eh
    je .none
    test bl, KB_ALT
    jnz .grey_alt
    test bl, KB_CTRL
    jnz .grey_ctrl
    mov ah, cl
    mov al, 0E0h
    clc
    ret
.grey_ctrl:
    mov ax, [cs:si + 4]
    mov al, 0E0h
    clc
    ret
.grey_alt:
    mov ah, cl
    add ah, 50h                 ; Alt + grey key: 97h (Home) .. A3h (Del)
    xor al, al
    clc
    ret
.grey_enter:
    mov ax, 0E00Dh
    test bl, KB_ALT
    jz .enter_ctrl
    mov ax, 0A600h
    clc
    ret
.enter_ctrl:
    test bl, KB_CTRL
    jz .enter_done
    mov al, 0Ah
.enter_done:
    clc
    ret
.grey_slash:
    mov ax, 0E02Fh
    test bl, KB_ALT
    jz .slash_ctrl
    mov ax, 0A400h
    clc
    ret
.slash_ctrl:
    test bl, KB_CTRL
    jz .slash_done
    mov ax, 9500h
.slash_done:
    clc
    ret

; kbd_is_letter: ZF set if scan code CL is a letter key (Caps Lock applies).
kbd_is_letter:
    cmp cl, 10h
    jb .no
    cmp cl, 19h
    jbe .yes
    cmp cl, 1Eh
    jb .no
    cmp cl, 26h
    jbe .yes
    cmp cl, 2Ch
    jb .no
    cmp cl, 32h
    jbe .yes
.no:
    or cl, cl                   ; (CL is never 0 here: ZF clear)
    ret
.yes:
    cmp cl, cl
    ret

; The keypad's digits for Alt-numbers, scan codes 47h-52h (FFh: not a digit).
kbd_keypad_digits:
    db 7, 8, 9, 0FFh, 4, 5, 6, 0FFh, 1, 2, 3, 0

; kbd_store: puts the key word AX at the buffer's tail; drops it if the
; buffer is full.  Then tells INT 15h AX=9102h that a key arrived (a
; multitasker waiting in 9002h wakes up).
kbd_store:
    push bx
    push si
    mov bx, [BDA_KB_TAIL]
    mov si, bx
    add si, 2
    cmp si, [BDA_KB_END]
    jb .no_wrap
    mov si, [BDA_KB_START]
.no_wrap:
    cmp si, [BDA_KB_HEAD]
    je .full
    mov [bx], ax
    mov [BDA_KB_TAIL], si
    push ax
    mov ax, 9102h
    int 15h
    pop ax
.full:
    pop si
    pop bx
    ret

; kbd_update_leds: the keyboard's Scroll/Num/Caps LEDs follow the lock
; states (bits 4-6 of flags0 are LED bits 0-2).
kbd_update_leds:
    push ax
    mov al, [BDA_KB_FLAGS0]
    shr al, 4
    and al, 07h
    mov ah, [BDA_KB_LEDS]
    and ah, 07h
    cmp al, ah
    je .done
    and byte [BDA_KB_LEDS], 0F8h
    or [BDA_KB_LEDS], al
    mov ah, al
    mov al, KBD_CMD_LEDS
    call kbd_send
    jc .done
    mov al, ah
    call kbd_send
.done:
    pop ax
    ret

; The key words for scan codes 01h-58h: normal, Shift, Ctrl, Alt (scan
; code << 8 | ASCII; 0 = the combination makes no key).  Values from the
; PC/AT and PS/2 BIOS conventions (IBM Technical Reference, Ralf Brown's
; interrupt list, "keyboard scan codes").
%macro KEY 4
    dw %1, %2, %3, %4
%endmacro
kbd_table:
    KEY 011Bh, 011Bh, 011Bh, 0100h          ; 01 Esc
    KEY 0231h, 0221h, 0000h, 7800h          ; 02 1 !
    KEY 0332h, 0340h, 0300h, 7900h          ; 03 2 @
    KEY 0433h, 0423h, 0000h, 7A00h          ; 04 3 #
    KEY 0534h, 0524h, 0000h, 7B00h          ; 05 4 $
    KEY 0635h, 0625h, 0000h, 7C00h          ; 06 5 %
    KEY 0736h, 075Eh, 071Eh, 7D00h          ; 07 6 ^
    KEY 0837h, 0826h, 0000h, 7E00h          ; 08 7 &
    KEY 0938h, 092Ah, 0000h, 7F00h          ; 09 8 *
    KEY 0A39h, 0A28h, 0000h, 8000h          ; 0A 9 (
    KEY 0B30h, 0B29h, 0000h, 8100h          ; 0B 0 )
    KEY 0C2Dh, 0C5Fh, 0C1Fh, 8200h          ; 0C - _
    KEY 0D3Dh, 0D2Bh, 0000h, 8300h          ; 0D = +
    KEY 0E08h, 0E08h, 0E7Fh, 0E00h          ; 0E Backspace
    KEY 0F09h, 0F00h, 9400h, 0A500h         ; 0F Tab
    KEY 1071h, 1051h, 1011h, 1000h          ; 10 q
    KEY 1177h, 1157h, 1117h, 1100h          ; 11 w
    KEY 1265h, 1245h, 1205h, 1200h          ; 12 e
    KEY 1372h, 1352h, 1312h, 1300h          ; 13 r
    KEY 1474h, 1454h, 1414h, 1400h          ; 14 t
    KEY 1579h, 1559h, 1519h, 1500h          ; 15 y
    KEY 1675h, 1655h, 1615h, 1600h          ; 16 u
    KEY 1769h, 1749h, 1709h, 1700h          ; 17 i
    KEY 186Fh, 184Fh, 180Fh, 1800h          ; 18 o
    KEY 1970h, 1950h, 1910h, 1900h          ; 19 p
    KEY 1A5Bh, 1A7Bh, 1A1Bh, 1A00h          ; 1A [ {
    KEY 1B5Dh, 1B7Dh, 1B1Dh, 1B00h          ; 1B ] }
    KEY 1C0Dh, 1C0Dh, 1C0Ah, 1C00h          ; 1C Enter
    KEY 0000h, 0000h, 0000h, 0000h          ; 1D Ctrl
    KEY 1E61h, 1E41h, 1E01h, 1E00h          ; 1E a
    KEY 1F73h, 1F53h, 1F13h, 1F00h          ; 1F s
    KEY 2064h, 2044h, 2004h, 2000h          ; 20 d
    KEY 2166h, 2146h, 2106h, 2100h          ; 21 f
    KEY 2267h, 2247h, 2207h, 2200h          ; 22 g
    KEY 2368h, 2348h, 2308h, 2300h          ; 23 h
    KEY 246Ah, 244Ah, 240Ah, 2400h          ; 24 j
    KEY 256Bh, 254Bh, 250Bh, 2500h          ; 25 k
    KEY 266Ch, 264Ch, 260Ch, 2600h          ; 26 l
    KEY 273Bh, 273Ah, 0000h, 2700h          ; 27 ; :
    KEY 2827h, 2822h, 0000h, 2800h          ; 28 ' "
    KEY 2960h, 297Eh, 0000h, 2900h          ; 29 ` ~
    KEY 0000h, 0000h, 0000h, 0000h          ; 2A left Shift
    KEY 2B5Ch, 2B7Ch, 2B1Ch, 2B00h          ; 2B \ |
    KEY 2C7Ah, 2C5Ah, 2C1Ah, 2C00h          ; 2C z
    KEY 2D78h, 2D58h, 2D18h, 2D00h          ; 2D x
    KEY 2E63h, 2E43h, 2E03h, 2E00h          ; 2E c
    KEY 2F76h, 2F56h, 2F16h, 2F00h          ; 2F v
    KEY 3062h, 3042h, 3002h, 3000h          ; 30 b
    KEY 316Eh, 314Eh, 310Eh, 3100h          ; 31 n
    KEY 326Dh, 324Dh, 320Dh, 3200h          ; 32 m
    KEY 332Ch, 333Ch, 0000h, 3300h          ; 33 , <
    KEY 342Eh, 343Eh, 0000h, 3400h          ; 34 . >
    KEY 352Fh, 353Fh, 0000h, 3500h          ; 35 / ?
    KEY 0000h, 0000h, 0000h, 0000h          ; 36 right Shift
    KEY 372Ah, 372Ah, 9600h, 3700h          ; 37 keypad *
    KEY 0000h, 0000h, 0000h, 0000h          ; 38 Alt
    KEY 3920h, 3920h, 3920h, 3920h          ; 39 Space
    KEY 0000h, 0000h, 0000h, 0000h          ; 3A Caps Lock
    KEY 3B00h, 5400h, 5E00h, 6800h          ; 3B F1
    KEY 3C00h, 5500h, 5F00h, 6900h          ; 3C F2
    KEY 3D00h, 5600h, 6000h, 6A00h          ; 3D F3
    KEY 3E00h, 5700h, 6100h, 6B00h          ; 3E F4
    KEY 3F00h, 5800h, 6200h, 6C00h          ; 3F F5
    KEY 4000h, 5900h, 6300h, 6D00h          ; 40 F6
    KEY 4100h, 5A00h, 6400h, 6E00h          ; 41 F7
    KEY 4200h, 5B00h, 6500h, 6F00h          ; 42 F8
    KEY 4300h, 5C00h, 6600h, 7000h          ; 43 F9
    KEY 4400h, 5D00h, 6700h, 7100h          ; 44 F10
    KEY 0000h, 0000h, 0000h, 0000h          ; 45 Num Lock
    KEY 0000h, 0000h, 0000h, 0000h          ; 46 Scroll Lock
    KEY 4700h, 4737h, 7700h, 0000h          ; 47 keypad 7 / Home
    KEY 4800h, 4838h, 8D00h, 0000h          ; 48 keypad 8 / Up
    KEY 4900h, 4939h, 8400h, 0000h          ; 49 keypad 9 / PgUp
    KEY 4A2Dh, 4A2Dh, 8E00h, 4A00h          ; 4A keypad -
    KEY 4B00h, 4B34h, 7300h, 0000h          ; 4B keypad 4 / Left
    KEY 4C00h, 4C35h, 8F00h, 0000h          ; 4C keypad 5
    KEY 4D00h, 4D36h, 7400h, 0000h          ; 4D keypad 6 / Right
    KEY 4E2Bh, 4E2Bh, 9000h, 4E00h          ; 4E keypad +
    KEY 4F00h, 4F31h, 7500h, 0000h          ; 4F keypad 1 / End
    KEY 5000h, 5032h, 9100h, 0000h          ; 50 keypad 2 / Down
    KEY 5100h, 5133h, 7600h, 0000h          ; 51 keypad 3 / PgDn
    KEY 5200h, 5230h, 9200h, 0000h          ; 52 keypad 0 / Ins
    KEY 5300h, 532Eh, 9300h, 0000h          ; 53 keypad . / Del
    KEY 0000h, 0000h, 0000h, 0000h          ; 54 SysReq
    KEY 0000h, 0000h, 0000h, 0000h          ; 55
    KEY 565Ch, 567Ch, 0000h, 0000h          ; 56 the 102nd key: \ |
    KEY 8500h, 8700h, 8900h, 8B00h          ; 57 F11
    KEY 8600h, 8800h, 8A00h, 8C00h          ; 58 F12

; ------------------------------------------------------------------ INT 16h

int16_handler:
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    mov al, [bp + R_AH]
    cmp al, 00h
    je .read
    cmp al, 10h
    je .read
    cmp al, 01h
    je .peek
    cmp al, 11h
    je .peek
    cmp al, 02h
    je .shift_flags
    cmp al, 12h
    je .ext_shift_flags
    cmp al, 03h
    je .typematic
    cmp al, 05h
    je .store
    cmp al, 09h
    je .capabilities
    cmp al, 0Ah
    je .keyboard_id
    jmp .leave                  ; anything else: no change, as IBM

; 00h/10h: wait for a key and take it out of the buffer.
.read:
    call kbd_buffer_peek
    jnz .got_key
    mov ax, 9002h               ; "waiting for the keyboard" to multitaskers
    int 15h
.wait:
    cli
    call kbd_buffer_peek
    jnz .got_key_sti
    sti
    hlt                         ; (STI's shadow keeps the IRQ from slipping in before HLT)
    jmp .wait
.got_key_sti:
    sti
.got_key:
    call kbd_buffer_remove
    cmp byte [bp + R_AH], 10h
    je .return_key
    call kbd_to_basic           ; ZF: a key the old functions do not know
    jz .read
.return_key:
    mov [bp + R_AX], ax
    jmp .leave

; 01h/11h: is a key waiting? ZF clear and AX = the key if so (it stays).
.peek:
    cli
    call kbd_buffer_peek
    sti
    jz .empty
    cmp byte [bp + R_AH], 11h
    je .peek_found
    call kbd_to_basic
    jnz .peek_found
    call kbd_buffer_remove      ; an extended-only key: 01h skips it
    jmp .peek
.peek_found:
    mov [bp + R_AX], ax
    and byte [bp + R_FLAGS], ~FLAG_ZF & 0FFh
    jmp .leave
.empty:
    or byte [bp + R_FLAGS], FLAG_ZF
    jmp .leave

; 02h: AL = shift flags.
.shift_flags:
    mov al, [BDA_KB_FLAGS0]
    mov [bp + R_AL], al
    jmp .leave

; 12h: AL = shift flags, AH = which Ctrl/Alt keys and locks are held.
.ext_shift_flags:
    mov al, [BDA_KB_FLAGS0]
    mov ah, [BDA_KB_FLAGS1]
    and ah, KB_SYSRQ_DOWN | KB_SCROLL_DOWN | KB_NUM_DOWN | KB_CAPS_DOWN | KB_LCTRL_DOWN | KB_LALT_DOWN
    mov bl, ah
    and ah, KB_SCROLL_DOWN | KB_NUM_DOWN | KB_CAPS_DOWN | KB_LCTRL_DOWN | KB_LALT_DOWN
    test bl, KB_SYSRQ_DOWN
    jz .no_sysrq
    or ah, 80h
.no_sysrq:
    mov bl, [BDA_KB_FLAGS2]
    test bl, KB2_RCTRL
    jz .no_rctrl
    or ah, 04h
.no_rctrl:
    test bl, KB2_RALT
    jz .no_ralt
    or ah, 08h
.no_ralt:
    mov [bp + R_AX], ax
    jmp .leave

; 03h AL=05h: typematic rate BL (0-1Fh) and delay BH (0-3).
.typematic:
    cmp byte [bp + R_AL], 05h
    jne .leave
    mov al, KBD_CMD_TYPEMATIC
    call kbd_send
    jc .leave
    mov al, [bp + R_BH]
    and al, 03h
    shl al, 5
    mov ah, [bp + R_BL]
    and ah, 1Fh
    or al, ah
    call kbd_send
    jmp .leave

; 05h: put CX in the buffer as if typed; AL = 1 if it was full.
.store:
    cli
    mov ax, [BDA_KB_TAIL]
    push ax
    mov ax, [bp + R_CX]
    call kbd_store
    pop ax
    cmp ax, [BDA_KB_TAIL]
    mov byte [bp + R_AL], 0
    jne .leave
    mov byte [bp + R_AL], 1
    jmp .leave

; 09h: which functions exist: 0305h (bit 0), 0Ah (bit 4), 10h-12h (bit 5).
.capabilities:
    mov byte [bp + R_AL], 31h
    jmp .leave

; 0Ah: keyboard ID: an MF2 keyboard behind a translating controller.
.keyboard_id:
    mov word [bp + R_BX], 41ABh

.leave:
    SERVICE_LEAVE

; kbd_buffer_peek: AX = the key at the head; ZF set if the buffer is empty.
; DS = BDA.
kbd_buffer_peek:
    push bx
    mov bx, [BDA_KB_HEAD]
    cmp bx, [BDA_KB_TAIL]
    je .done
    mov ax, [bx]
    cmp bx, 0FFFFh              ; clears ZF (BX is a buffer offset)
.done:
    pop bx
    ret

; kbd_buffer_remove: drops the key at the head.
kbd_buffer_remove:
    push bx
    pushf
    cli
    mov bx, [BDA_KB_HEAD]
    add bx, 2
    cmp bx, [BDA_KB_END]
    jb .no_wrap
    mov bx, [BDA_KB_START]
.no_wrap:
    mov [BDA_KB_HEAD], bx
    popf
    pop bx
    ret

; kbd_to_basic: the key word AX as functions 00h/01h return it (those
; predate the 101-key keyboard): the grey keys lose their E0h marker, the
; keypad Enter and / get their 84-key scan codes, and keys the 84-key
; keyboard could not produce (F11, F12 and the new Ctrl/Alt combinations,
; scan codes from 85h) are dropped.  ZF set if the key is to be dropped.
kbd_to_basic:
    cmp ah, 0E0h
    jne .not_keypad
    mov ah, 1Ch                 ; keypad Enter (ASCII 0Dh or 0Ah)
    cmp al, '/'
    jne .keep
    mov ah, 35h                 ; keypad /
    jmp .keep
.not_keypad:
    cmp ah, 84h
    ja .drop
    cmp al, 0E0h
    jne .keep
    test ah, ah
    jz .keep                    ; Alt-224 typed on the keypad is a character
    xor al, al
.keep:
    push bx
    mov bx, 1
    test bx, bx                 ; ZF clear: keep it
    pop bx
    ret
.drop:
    cmp ax, ax
    ret
