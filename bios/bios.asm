; TODO(helper): the BIOS.  For now: print a line on port 0xE9 and halt.
bits 16
org 0
start:
    mov si, msg
    mov dx, 0xE9
.next:
    mov al, [cs:si]
    inc si
    test al, al
    jz .done
    out dx, al
    jmp .next
.done:
    cli
    hlt
msg: db "x86sim BIOS placeholder", 10, 0
times 0x10000 - 16 - ($ - $$) db 0xFF
    jmp 0xF000:start
times 0x10000 - ($ - $$) db 0
