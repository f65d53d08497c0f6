; Tracing benchmark guest: OUTER rounds of a 65535-iteration loop of four
; real-mode instructions (ALU, a store, LOOP), then HLT with IF=0.
; Instructions retired: OUTER * (2 + 65535 * 4) + 5.
bits 16
org 0
start:
    cli
    xor ax, ax
    mov ds, ax
    mov dx, OUTER
outer:
    mov cx, 0xFFFF
inner:
    add ax, cx
    mov [0x500], ax
    xor bx, ax
    loop inner
    dec dx
    jnz outer
    hlt
    times 0x10000 - 16 - ($ - $$) db 0xFF
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0
