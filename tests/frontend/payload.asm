; The program the frontend tests drive (debugger, gdb stub, tracer).
; target.asm copies it to 0000:1000 and jumps there, so it runs in real
; mode with CS = DS = ES = SS = 0: linear addresses equal offsets, as gdb
; assumes.  Each label sits on its instruction's line so the tests find
; its address in the listing (nasm -l).  Expected values, by hand:
;   [0x500] = 0xBEEF + 0x11 = 0xBF00 (SF set, ZF clear: ZF was set by xor)
;   ax = 0x1234 + 3 * 0x10 = 0x1264 after the loop; dx = 0x4242 (call);
;   di = 0x2121 (int 0x21); the word read at DS:0xFFFF raises #GP (13),
;   whose handler stores 13 at [0x600] and resumes at after_fault.
bits 16
org 0x1000

entry:        mov word [13*4], gp_handler     ; IVT[13]: #GP
              mov word [13*4+2], 0
              mov word [0x21*4], int21_handler
              mov word [0x21*4+2], 0
set_ax:       mov ax, 0x1234
              mov bx, 0x0010
              mov word [0x500], 0xBEEF
              xor cx, cx                      ; ZF=1 SF=0 CF=0 OF=0
rmw:          add word [0x500], 0x0011        ; 0xBF00: ZF=0 SF=1
              mov cx, 3
sum_loop:     add ax, bx
loop_insn:    loop sum_loop
after_loop:   call subroutine
after_call:   int 0x21
after_int:    mov si, 0xFFFF
fault:        mov ax, [si]                    ; DS:0xFFFF + 1 is beyond the limit
after_fault:  cmp word [0x500], 0xBF00
              jne failed
              cmp dx, 0x4242
              jne failed
              cmp di, 0x2121
              jne failed
              cmp byte [0x600], 13
              jne failed
              mov si, pass_text
              jmp print
failed:       mov si, fail_text
print:        mov dx, 0xE9
print_next:   mov al, [si]
              inc si
              cmp al, 0
              je done
              out dx, al
              jmp print_next
done:         cli
              hlt

subroutine:   mov dx, 0x4242
              ret
int21_handler: mov di, 0x2121
              iret
gp_handler:   mov byte [0x600], 13
gp_stored:    add sp, 6                       ; drop the fault frame (IP, CS, FLAGS)
              jmp after_fault

pass_text:    db "PASS", 10, 0
fail_text:    db "FAIL", 10, 0
