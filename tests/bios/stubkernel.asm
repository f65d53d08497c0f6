; tests/bios/stubkernel.asm - a stand-in "Linux kernel" for the boot loader
; tests: a bzImage (Linux boot protocol 2.04, Documentation/x86/boot.rst)
; whose real-mode setup code reports, instead of starting Linux, what the
; boot loader gave it, and asks the BIOS for the memory map the way Linux's
; setup code does.  Output goes to COM1 (115200 baud) and the debug port:
;   STUB KERNEL: loader type XX
;   STUB KERNEL: command line: ...
;   STUB KERNEL: E820 entries N
;   STUB KERNEL: OK
; then isa-debug-exit ends the emulator.
;
; The loader loads the setup sectors (this file's first 1 + setup_sects
; sectors) at some segment S and jumps to S+20h:0000 with DS = ES = SS = S,
; so the code addresses its data with file offsets through DS.

bits 16
org 0

SETUP_SECTS     equ 2

    ; the "boot sector" part: unused by a boot loader
    times 1F1h - ($ - $$) db 0
hdr:
    db SETUP_SECTS              ; 1F1 setup_sects
    dw 0                        ; 1F2 root_flags
    dd pm_size / 16             ; 1F4 syssize
    dw 0                        ; 1F8 ram_size
    dw 0FFFFh                   ; 1FA vid_mode: normal
    dw 0                        ; 1FC root_dev
    dw 0AA55h                   ; 1FE boot_flag
    jmp short setup_start       ; 200 jump
    db "HdrS"                   ; 202 header signature
    dw 0204h                    ; 206 protocol version
    dd 0                        ; 208 realmode_swtch
    dw 1000h                    ; 20C start_sys_seg
    dw version_string - 200h    ; 20E kernel_version
type_of_loader:
    db 0                        ; 210 type_of_loader (the loader writes it)
    db 01h                      ; 211 loadflags: LOADED_HIGH
    dw 0                        ; 212 setup_move_size
    dd 100000h                  ; 214 code32_start
    dd 0                        ; 218 ramdisk_image
    dd 0                        ; 21C ramdisk_size
    dd 0                        ; 220 bootsect_kludge
    dw 0                        ; 224 heap_end_ptr
    db 0, 0                     ; 226 ext_loader_ver, ext_loader_type
cmd_line_ptr:
    dd 0                        ; 228 cmd_line_ptr
    dd 37FFFFFFh                ; 22C initrd_addr_max

version_string: db "stub 1.0 (x86sim BIOS tests)", 0

setup_start:
    cli
    mov ax, ds                  ; (the loader set DS to the setup's base)
    mov ss, ax
    mov sp, 0E000h
    sti
    cld
    call serial_init
    mov si, msg_type
    call puts
    mov al, [type_of_loader]
    call hex8
    call newline
    mov si, msg_cmdline
    call puts
    ; the command line: at the linear address cmd_line_ptr
    push ds
    mov eax, [cmd_line_ptr]
    mov esi, eax
    shr eax, 4
    and si, 0Fh
    mov ds, ax
    call puts
    pop ds
    call newline
    ; the memory map, as Linux asks for it
    xor ebx, ebx
    xor bp, bp
.e820:
    mov eax, 0E820h
    mov edx, 534D4150h
    mov ecx, 20
    push ds
    pop es
    mov di, e820_buffer
    int 15h
    jc .e820_done
    cmp eax, 534D4150h
    jne .e820_done
    inc bp
    test ebx, ebx
    jz .e820_done
    cmp bp, 32
    jb .e820
.e820_done:
    mov si, msg_e820
    call puts
    mov ax, bp
    call hex8
    call newline
    mov si, msg_ok
    call puts
    mov al, 0
    out 0F4h, al                ; isa-debug-exit
    cli
.halt:
    hlt
    jmp .halt

; serial_init: COM1 at 115200 baud, 8N1.
serial_init:
    mov dx, 3FBh
    mov al, 80h
    out dx, al
    mov dx, 3F8h
    mov al, 1
    out dx, al
    inc dx
    xor al, al
    out dx, al
    mov dx, 3FBh
    mov al, 03h
    out dx, al
    ret

; putc: AL to COM1 and the debug port.
putc:
    push dx
    push ax
    out 0E9h, al
    mov dx, 3FDh
.wait:
    in al, dx
    test al, 20h
    jz .wait
    pop ax
    mov dx, 3F8h
    out dx, al
    pop dx
    ret

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

newline:
    mov al, 13
    call putc
    mov al, 10
    jmp putc

hex8:
    push ax
    shr al, 4
    call .digit
    pop ax
.digit:
    and al, 0Fh
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 7
.out:
    jmp putc

msg_type:    db "STUB KERNEL: loader type ", 0
msg_cmdline: db "STUB KERNEL: command line: ", 0
msg_e820:    db "STUB KERNEL: E820 entries ", 0
msg_ok:      db "STUB KERNEL: OK", 13, 10, 0
e820_buffer: times 20 db 0

    times (SETUP_SECTS + 1) * 512 - ($ - $$) db 0

; the "protected-mode kernel": loaded at 1 MiB, never run
pm_start:
    times 512 db 0F4h           ; HLT
pm_size equ $ - pm_start
