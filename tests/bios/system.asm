; tests/bios/system.asm - INT 11h, 12h, 15h, 1Ah (time and the PCI BIOS).
; The expected values come from the hardware read directly (CMOS, PCI
; configuration space, the BIOS data area's documented fields) or from
; the documented semantics (A20 wrap-around, a block move's copy).
%include "lib.inc"

test_main:
    call test_int11
    call test_int12
    call test_memory_sizes
    call test_e820
    call test_block_move
    call test_a20
    call test_int15_misc
    call test_wait
    call test_event_wait
    call test_time
    call test_pci
    ret

; cmos: AL = CMOS register AL.
cmos:
    out 70h, al
    in al, 71h
    ret

; ------------------------------------------------------------------ INT 11h / 12h

; The equipment word agrees with the BDA's port tables and the CMOS.
test_int11:
    int 11h
    mov dx, ax
    push 40h
    pop es
    ; bits 9-11: serial ports = entries in 40:00
    xor cx, cx
    xor bx, bx
.com:
    cmp word [es:bx], 0
    je .com_next
    inc cx
.com_next:
    add bx, 2
    cmp bx, 8
    jb .com
    mov ax, dx
    shr ax, 9
    and ax, 7
    CHECK16 ax, cx, "INT 11h serial port count"
    ; bits 14-15: printers = entries in 40:08
    xor cx, cx
    mov bx, 8
.lpt:
    cmp word [es:bx], 0
    je .lpt_next
    inc cx
.lpt_next:
    add bx, 2
    cmp bx, 0Eh
    jb .lpt
    mov ax, dx
    shr ax, 14
    CHECK16 ax, cx, "INT 11h printer count"
    ; bit 0 and bits 6-7: floppy drives from CMOS 10h
    mov al, 10h
    call cmos
    xor cx, cx
    test al, 0F0h
    jz .fd1
    inc cx
.fd1:
    test al, 0Fh
    jz .fd2
    inc cx
.fd2:
    xor ax, ax
    test dx, 1
    jz .fd_count
    mov ax, dx
    shr ax, 6
    and ax, 3
    inc ax
.fd_count:
    CHECK16 ax, cx, "INT 11h floppy drives"
    ; bits 4-5: initial video mode 80x25 colour
    mov ax, dx
    and ax, 30h
    CHECK16 ax, 20h, "INT 11h video mode bits"
    ; it is the word at 40:10
    CHECK16 dx, [es:10h], "INT 11h = 40:10"
    ret

; INT 12h: the KiB below the EBDA, which ends at 640 KiB.
test_int12:
    int 12h
    push 40h
    pop es
    CHECK16 ax, [es:13h], "INT 12h = 40:13"
    mov bx, [es:0Eh]            ; the EBDA segment
    mov cx, ax
    shl cx, 6
    CHECK16 bx, cx, "EBDA starts where INT 12h's memory ends"
    mov es, bx
    movzx cx, byte [es:0]       ; its size in KiB
    add ax, cx
    CHECK16 ax, 640, "INT 12h + EBDA size = 640 KiB"
    ; INT 15h C1h names the same segment
    mov ah, 0C1h
    int 15h
    CHECK_NC "INT 15h C1h"
    mov ax, es
    CHECK16 ax, bx, "INT 15h C1h segment"
    ret

; ------------------------------------------------------------------ memory sizes

; E801h and 88h against the CMOS's extended memory fields.
test_memory_sizes:
    mov al, 31h
    call cmos
    mov ah, al
    mov al, 30h
    call cmos
    mov si, ax                  ; KiB above 1 MiB (capped at 65535)
    mov al, 35h
    call cmos
    mov ah, al
    mov al, 34h
    call cmos
    mov di, ax                  ; 64 KiB blocks above 16 MiB
    mov ah, 88h
    int 15h
    CHECK_NC "INT 15h 88h"
    CHECK16 ax, si, "INT 15h 88h = CMOS 30h/31h"
    mov ax, 0E801h
    int 15h
    CHECK_NC "INT 15h E801h"
    mov bp, si
    cmp bp, 15 * 1024
    jbe .low
    mov bp, 15 * 1024
.low:
    CHECK16 ax, bp, "E801h AX: KiB from 1 to 16 MiB"
    CHECK16 cx, bp, "E801h CX = AX"
    CHECK16 bx, di, "E801h BX = CMOS 34h/35h"
    CHECK16 dx, di, "E801h DX = BX"
    ret

; E820h: the map's entries are sorted, do not overlap, cover 0-9FC00h and
; 1 MiB up to the top of RAM the CMOS gives, and say SMAP.
test_e820:
    ; the top of RAM from the CMOS, as E801h does
    mov al, 35h
    call cmos
    mov ah, al
    mov al, 34h
    call cmos
    movzx eax, ax
    shl eax, 16
    add eax, 1000000h
    mov [ram_top], eax
    xor ebx, ebx
    xor edi, edi
    mov word [e820_count], 0
    mov dword [last_end], 0
.next:
    mov eax, 0E820h
    mov edx, 534D4150h
    mov ecx, 20
    mov di, e820_entry
    push ds
    pop es
    int 15h
    CHECK_NC "E820h"
    jc .done
    CHECK32 eax, 534D4150h, "E820h EAX = SMAP"
    CHECK32 ecx, 20, "E820h entry size"
    inc word [e820_count]
    ; sorted and not overlapping
    mov eax, [e820_entry]
    cmp eax, [last_end]
    jae .ordered
    FAILED "E820h entries overlap or are out of order"
.ordered:
    cmp dword [e820_entry + 4], 0
    jne .high
    mov eax, [e820_entry]
    add eax, [e820_entry + 8]
    mov [last_end], eax
    ; the two RAM ranges must appear exactly
    cmp dword [e820_entry], 0
    jne .not_low
    CHECK32 [e820_entry + 8], 9FC00h, "E820h conventional memory length"
    CHECK32 [e820_entry + 16], 1, "E820h conventional memory type"
.not_low:
    cmp dword [e820_entry], 100000h
    jne .high
    mov eax, [ram_top]
    sub eax, 100000h
    CHECK32 [e820_entry + 8], eax, "E820h extended memory length (CMOS)"
    CHECK32 [e820_entry + 16], 1, "E820h extended memory type"
    inc byte [e820_found]
.high:
    test ebx, ebx
    jz .done
    cmp word [e820_count], 16
    jb .next
    FAILED "E820h never ends"
.done:
    CHECK8 [e820_found], 1, "E820h lists RAM from 1 MiB"
    ; a too small buffer is refused
    mov eax, 0E820h
    mov edx, 534D4150h
    mov ecx, 10
    xor ebx, ebx
    mov di, e820_entry
    int 15h
    CHECK_C "E820h with a 10-byte buffer fails"
    ret

ram_top:        dd 0
last_end:       dd 0
e820_count:     dw 0
e820_found:     db 0
e820_entry:     times 24 db 0

; ------------------------------------------------------------------ INT 15h 87h

; Copies a pattern to 1 MiB + 64 KiB and back.
test_block_move:
    mov di, move_buffer
    mov cx, 256
    xor ax, ax
.fill:
    mov [di], ax
    add ax, 0123h
    add di, 2
    loop .fill
    ; up: source = move_buffer (linear), destination = 110000h
    mov eax, move_buffer
    call set_source
    mov eax, 110000h
    call set_destination
    push ds
    pop es
    mov si, move_gdt
    mov cx, 256
    mov ah, 87h
    int 15h
    CHECK_NC "INT 15h 87h up"
    CHECK8 ah, 0, "INT 15h 87h status"
    ; down into a cleared buffer
    mov di, move_back
    mov cx, 256
    xor ax, ax
    rep stosw
    mov eax, 110000h
    call set_source
    mov eax, move_back
    call set_destination
    mov si, move_gdt
    mov cx, 256
    mov ah, 87h
    int 15h
    CHECK_NC "INT 15h 87h down"
    mov si, move_buffer
    mov di, move_back
    mov cx, 256
    repe cmpsw
    je .same
    FAILED "INT 15h 87h: the data came back changed"
.same:
    ; more than 8000h words is refused
    mov si, move_gdt
    mov cx, 8001h
    mov ah, 87h
    int 15h
    CHECK_C "INT 15h 87h with CX > 8000h fails"
    ret

; set_source / set_destination: the caller's GDT entries 10h and 18h.
set_source:
    mov di, move_gdt + 10h
    jmp lib_descriptor
set_destination:
    mov di, move_gdt + 18h
    jmp lib_descriptor

    align 8
move_gdt:       times 48 db 0
move_buffer:    times 512 db 0
move_back:      times 512 db 0

; ------------------------------------------------------------------ A20

; With A20 off, 0000:0500 and FFFF:0510 are the same byte; with it on,
; they are 1 MiB apart.
test_a20:
    mov ax, 2403h
    int 15h
    CHECK_NC "INT 15h 2403h"
    mov ax, 2400h
    int 15h
    CHECK_NC "INT 15h 2400h"
    call a20_wraps
    CHECK8 al, 1, "A20 off: addresses wrap at 1 MiB"
    mov ax, 2402h
    int 15h
    CHECK8 al, 0, "INT 15h 2402h says off"
    mov ax, 2401h
    int 15h
    CHECK_NC "INT 15h 2401h"
    call a20_wraps
    CHECK8 al, 0, "A20 on: no wrap"
    mov ax, 2402h
    int 15h
    CHECK8 al, 1, "INT 15h 2402h says on"
    ret

; a20_wraps: AL = 1 if a write at 0000:0500 shows at FFFF:0510.
a20_wraps:
    push es
    push 0FFFFh
    pop es
    mov byte [0500h], 11h
    mov byte [es:0510h], 22h
    mov al, [0500h]
    cmp al, 22h
    sete al
    pop es
    ret

; ------------------------------------------------------------------ other INT 15h

test_int15_misc:
    ; C0h: the configuration table, whose model byte is F000:FFFE's
    mov ah, 0C0h
    int 15h
    CHECK_NC "INT 15h C0h"
    mov al, [es:bx + 2]
    push es
    push 0F000h
    pop es
    mov ah, [es:0FFFEh]
    pop es
    CHECK8 al, ah, "C0h model = F000:FFFE"
    cmp word [es:bx], 8
    jae .size
    FAILED "C0h table shorter than 8 bytes"
.size:
    ; an unknown function: CF, AH = 86h
    mov ah, 0FEh
    int 15h
    CHECK_C "INT 15h FEh is unsupported"
    CHECK8 ah, 86h, "INT 15h unsupported status"
    ; 90h/91h: nothing to do, success
    mov ax, 9000h
    int 15h
    CHECK_NC "INT 15h 90h"
    ret

; INT 15h 86h: a 110 ms wait lets about two timer ticks (55 ms) pass.
test_wait:
    push 40h
    pop es
    mov ebx, [es:6Ch]
    mov cx, 1
    mov dx, 0ADB0h              ; 110000 microseconds = 1ADB0h
    mov ah, 86h
    int 15h
    CHECK_NC "INT 15h 86h"
    mov eax, [es:6Ch]
    sub eax, ebx
    cmp eax, 1
    jb .short
    cmp eax, 4
    jbe .ok
.short:
    FAILED "INT 15h 86h: the wait was not about 110 ms"
.ok:
    ret

; INT 15h 83h: bit 7 of the caller's byte is set once the interval has
; passed (here 110 ms: within a second of ticks); a second request while
; one runs is refused; a cancelled one never sets the bit.
test_event_wait:
    mov byte [event_flag], 0
    call start_event_wait
    CHECK_NC "INT 15h 83h starts"
    call start_event_wait
    CHECK_C "INT 15h 83h while one runs fails"
    call wait_flag
    CHECK8 [event_flag], 80h, "INT 15h 83h posted the flag"
    ; cancelled at once: a second later (18 ticks) the flag is still
    ; clear.  (Not INT 15h 86h to wait: it is refused while an 83h wait
    ; runs, so without the cancel it would not wait at all.)
    mov byte [event_flag], 0
    call start_event_wait
    mov ax, 8301h
    int 15h
    CHECK_NC "INT 15h 83h AL=01h cancels"
    call wait_flag
    CHECK8 [event_flag], 0, "INT 15h 83h cancelled: no flag"
    ret

; start_event_wait: INT 15h 83h for 110 ms (1ADB0h microseconds) on
; event_flag (ES:BX; wait_flag leaves ES at the BDA); CF as the BIOS
; returns it.
start_event_wait:
    push ds
    pop es
    mov ax, 8300h
    mov bx, event_flag
    mov cx, 1
    mov dx, 0ADB0h
    int 15h
    ret

; wait_flag: waits for bit 7 of event_flag, at most 18 ticks (ES = BDA after).
wait_flag:
    push 40h
    pop es
    mov ebx, [es:6Ch]
.poll:
    test byte [event_flag], 80h
    jnz .done
    hlt
    mov eax, [es:6Ch]
    sub eax, ebx
    cmp eax, 18
    jb .poll
.done:
    ret

event_flag: db 0

; ------------------------------------------------------------------ INT 1Ah time

; Time and date against the RTC's registers (read again if a second
; passed between the two reads).
test_time:
    mov di, 3
.again:
    mov ah, 02h
    int 1Ah
    CHECK_NC "INT 1Ah 02h"
    mov bx, cx
    mov si, dx
    call rtc_wait
    mov al, 0
    call cmos
    mov dl, al
    mov al, 2
    call cmos
    mov cl, al
    mov al, 4
    call cmos
    mov ch, al
    mov ax, si
    cmp ah, dl
    je .same_second
    dec di
    jnz .again
.same_second:
    mov ax, si
    xchg ah, al                 ; AL = seconds
    CHECK8 al, dl, "INT 1Ah 02h seconds = CMOS 00h"
    CHECK16 bx, cx, "INT 1Ah 02h hours/minutes = CMOS 04h/02h"
    mov ah, 04h
    int 1Ah
    CHECK_NC "INT 1Ah 04h"
    mov bx, cx
    mov si, dx
    mov al, 32h
    call cmos
    mov ch, al
    mov al, 09h
    call cmos
    mov cl, al
    CHECK16 bx, cx, "INT 1Ah 04h century/year = CMOS 32h/09h"
    mov al, 08h
    call cmos
    mov dh, al
    mov al, 07h
    call cmos
    mov dl, al
    CHECK16 si, dx, "INT 1Ah 04h month/day = CMOS 08h/07h"
    ; 00h/01h: the tick count is the BDA's, and can be set
    mov ah, 01h
    mov cx, 0001h
    mov dx, 2345h
    int 1Ah
    mov ah, 00h
    int 1Ah
    CHECK16 cx, 0001h, "INT 1Ah 00h after 01h (high)"
    cmp dx, 2345h
    jb .ticks_bad
    cmp dx, 2348h
    jbe .ticks_ok
.ticks_bad:
    FAILED "INT 1Ah 00h after 01h (low)"
.ticks_ok:
    ret

; rtc_wait: waits while the RTC is updating.
rtc_wait:
    mov al, 0Ah
    call cmos
    test al, 80h
    jnz rtc_wait
    ret

; ------------------------------------------------------------------ PCI BIOS

; pci_read: EAX = configuration dword BX (bus/devfn), register DI, read
; through mechanism #1 directly.
pci_read:
    push dx
    movzx eax, bx
    shl eax, 8
    or ax, di
    or eax, 80000000h
    mov dx, 0CF8h
    out dx, eax
    mov dx, 0CFCh
    in eax, dx
    pop dx
    ret

test_pci:
    mov ax, 0B101h
    int 1Ah
    CHECK_NC "PCI BIOS B101h"
    CHECK32 edx, 20494350h, "B101h EDX = 'PCI '"
    and al, 1
    CHECK8 al, 1, "B101h: configuration mechanism #1"
    ; B102h: the host bridge (the first device of the i440FX, 8086:1237)
    xor bx, bx
    xor di, di
    call pci_read
    mov [host_id], eax
    mov dx, ax                  ; vendor
    shr eax, 16
    mov cx, ax                  ; device
    xor si, si
    mov ax, 0B102h
    int 1Ah
    CHECK_NC "B102h finds the host bridge"
    CHECK16 bx, 0000h, "B102h host bridge at 00:00.0"
    ; B102h of an absent device: 86h
    mov cx, 0FFFEh
    mov dx, 1234h
    xor si, si
    mov ax, 0B102h
    int 1Ah
    CHECK_C "B102h of an absent device fails"
    CHECK8 ah, 86h, "B102h absent: status 86h"
    ; B103h: the VGA (class 030000h): its vendor/device read directly
    mov ecx, 030000h
    xor si, si
    mov ax, 0B103h
    int 1Ah
    CHECK_NC "B103h finds the VGA"
    mov [vga_devfn], bx
    ; B10Ah reads what the ports read
    xor di, di
    call pci_read
    mov edx, eax
    mov ax, 0B10Ah
    int 1Ah
    CHECK_NC "B10Ah"
    CHECK32 ecx, edx, "B10Ah = configuration dword read directly"
    mov eax, edx
    shr eax, 16
    CHECK16 ax, 1111h, "the VGA is the std-VGA 1234:1111 (device)"
    CHECK16 dx, 1234h, "the VGA is the std-VGA 1234:1111 (vendor)"
    ; its BAR0 got an address in the PCI hole, above RAM
    mov bx, [vga_devfn]
    mov di, 10h
    call pci_read
    and eax, 0FFFFFFF0h
    cmp eax, [ram_top]
    jae .bar_ok
    FAILED "VGA BAR0 not above RAM"
.bar_ok:
    ; B108h/B10Bh: a byte write and read back (the interrupt line)
    mov bx, [vga_devfn]
    mov di, 3Ch
    mov ax, 0B108h
    int 1Ah
    mov [saved_line], cl
    mov cl, 0Bh
    mov ax, 0B10Bh
    int 1Ah
    CHECK_NC "B10Bh"
    mov cl, 0
    mov ax, 0B108h
    int 1Ah
    CHECK8 cl, 0Bh, "B108h reads what B10Bh wrote"
    mov cl, [saved_line]
    mov ax, 0B10Bh
    int 1Ah
    ; B109h at an odd register: 87h
    mov di, 3
    mov ax, 0B109h
    int 1Ah
    CHECK_C "B109h at an odd register fails"
    CHECK8 ah, 87h, "B109h odd register: status 87h"
    ; B10Eh: the routing table size with a zero-sized buffer: 89h
    mov word [route_buffer], 0
    mov word [route_buffer + 2], route_entries
    mov [route_buffer + 4], ds
    push ds
    pop es
    mov di, route_buffer
    xor bx, bx
    mov ax, 0B10Eh
    int 1Ah
    CHECK_C "B10Eh with a small buffer fails"
    CHECK8 ah, 89h, "B10Eh small buffer: status 89h"
    mov ax, [route_buffer]
    test ax, 0Fh
    jz .entries
    FAILED "B10Eh size is not a multiple of 16"
.entries:
    ; the PIIX3's PIRQ routing: PIRQA-D each to an IRQ, marked level in
    ; the ELCR
    mov bx, 0008h               ; 00:01.0
    mov di, 60h
    call pci_read
    mov ecx, 4
.pirq:
    mov bl, al
    test bl, 80h
    jz .routed
    FAILED "a PIRQ line is not routed"
    jmp .next_pirq
.routed:
    push ax
    push cx
    mov cl, bl
    mov dx, 4D0h
    cmp cl, 8
    jb .elcr
    inc dx
    sub cl, 8
.elcr:
    in al, dx
    shr al, cl
    and al, 1
    CHECK8 al, 1, "PIRQ IRQ is level-triggered in the ELCR"
    pop cx
    pop ax
.next_pirq:
    shr eax, 8
    dec cx
    jnz .pirq
    ; the PIIX3's IDE function (00:01.1) decodes both channels: IDE Decode
    ; Enable, bit 15 of IDETIM at 40h and 42h (82371SB datasheet)
    mov bx, 0009h
    mov di, 40h
    call pci_read
    and eax, 80008000h
    CHECK32 eax, 80008000h, "PIIX3 IDE: both channels decode (IDETIM bit 15)"
    ret

host_id:        dd 0
vga_devfn:      dw 0
saved_line:     db 0
route_buffer:   times 6 db 0
route_entries:  times 16 db 0

TEST_END
