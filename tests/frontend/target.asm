; ROM for the frontend tests: sets up the segments, copies payload.asm's
; image to 0000:1000 and jumps there.
%include "lib.inc"

start:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    mov si, payload
    mov di, 0x1000
    mov cx, payload_end - payload
.copy:
    mov al, [cs:si]
    mov [di], al
    inc si
    inc di
    loop .copy
    jmp 0x0000:0x1000

payload:
    incbin "payload.bin"         ; found through -I (the build directory)
payload_end:

ROM_END
