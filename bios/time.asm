; time.asm - the 8254 timer (IRQ 0), the MC146818 real-time clock (IRQ 8)
; and the time-of-day service INT 1Ah.
;
; Channel 0 of the PIT counts the 1.193182 MHz input down from 65536, so
; IRQ 0 fires 18.2065 times a second; the BIOS counts those "ticks" since
; midnight in BDA 6Ch, which is what DOS's clock reads.  The RTC keeps the
; date and time in battery-backed CMOS; its periodic interrupt (1024 Hz)
; times the INT 15h 83h/86h waits.

PIT_INPUT_HZ     equ 1193182
TICKS_PER_DAY    equ 1800B0h        ; 24 * 60 * 60 * 18.2065
RTC_UIP          equ 80h            ; status A: update in progress
RTC_RATE_1024HZ  equ 26h            ; status A: 32.768 kHz base, 1024 Hz periodic rate
RTC_B_SET        equ 80h            ; status B: stop updates while setting
RTC_B_PIE        equ 40h            ; periodic interrupt enable
RTC_B_AIE        equ 20h            ; alarm interrupt enable
RTC_B_24H        equ 02h
RTC_B_DSE        equ 01h            ; daylight saving enable
RTC_C_PF         equ 40h            ; periodic interrupt flag
RTC_C_AF         equ 20h            ; alarm flag
RTC_PERIOD_US    equ 976            ; microseconds between periodic interrupts

; ------------------------------------------------------------------ CMOS access

; cmos_read: AL = register index -> AL = value.
cmos_read:
    out PORT_CMOS_INDEX, al
    in al, PORT_CMOS_DATA
    ret

; cmos_write: AL = register index, AH = value.
cmos_write:
    out PORT_CMOS_INDEX, al
    xchg al, ah
    out PORT_CMOS_DATA, al
    xchg al, ah
    ret

; ------------------------------------------------------------------ POST

; pit_init: channel 0 as the 18.2 Hz system timer (mode 3, square wave,
; binary count 0 = 65536).
pit_init:
    mov al, 36h                 ; channel 0, lobyte/hibyte, mode 3, binary
    out PORT_PIT_MODE, al
    xor al, al
    out PORT_PIT_CH0, al
    out PORT_PIT_CH0, al
    ret

; rtc_init: the RTC in its PC/AT configuration (24-hour BCD, no
; interrupts), any pending interrupt flags cleared, and the tick count set
; from the time of day so DOS starts with the right time.
rtc_init:
    mov ax, (RTC_RATE_1024HZ << 8) | CMOS_STATUS_A
    call cmos_write
    mov al, CMOS_STATUS_B
    call cmos_read
    and al, RTC_B_DSE           ; keep the daylight-saving choice
    or al, RTC_B_24H
    mov ah, al
    mov al, CMOS_STATUS_B
    call cmos_write
    mov al, CMOS_STATUS_C
    call cmos_read
    mov al, CMOS_STATUS_D
    call cmos_read
    ; ticks = seconds since midnight * 18.2065: 18 * s + s * 13532 / 65536
    ; (0.2065 * 65536 = 13532), which stays within 32 bits for a whole day.
    call rtc_wait_update
    mov al, CMOS_HOURS
    call cmos_read_bcd
    movzx eax, al
    imul eax, eax, 60
    mov ecx, eax
    mov al, CMOS_MINUTES
    call cmos_read_bcd
    movzx eax, al
    add eax, ecx
    imul eax, eax, 60
    mov ecx, eax
    mov al, CMOS_SECONDS
    call cmos_read_bcd
    movzx eax, al
    add ecx, eax                ; ECX = seconds since midnight
    imul eax, ecx, 18
    imul ecx, ecx, 13532
    shr ecx, 16
    add eax, ecx
    push ds
    push BDA_SEG
    pop ds
    mov [BDA_TICKS], eax
    mov byte [BDA_TICKS_ROLL], 0
    pop ds
    ret

; cmos_read_bcd: AL = register holding a BCD value -> AL in binary.
cmos_read_bcd:
    call cmos_read
    push cx
    mov cl, al
    shr al, 4
    mov ch, 10
    mul ch
    and cl, 0Fh
    add al, cl
    pop cx
    ret

; rtc_wait_update: waits until the RTC is not in the middle of an update
; (status A bit 7), so a read of several registers is consistent.  CF set
; if the clock never leaves the update (a stopped or missing RTC).
rtc_wait_update:
    push ax
    push cx
    mov cx, 0FFFFh
.poll:
    mov al, CMOS_STATUS_A
    call cmos_read
    test al, RTC_UIP
    jz .ready
    loop .poll
    stc
    jmp .done
.ready:
    clc
.done:
    pop cx
    pop ax
    ret

; ------------------------------------------------------------------ IRQ 0

; ticks_since: AX = timer ticks since ESI was read from BDA_TICKS (DS =
; the BDA), at most FFFFh; the count's reset to 0 at midnight does not
; cut a timeout short.
ticks_since:
    push edx
    mov edx, [BDA_TICKS]
    sub edx, esi
    jnc .counted
    add edx, TICKS_PER_DAY      ; midnight passed
.counted:
    cmp edx, 0FFFFh
    jbe .fits
    mov dx, 0FFFFh
.fits:
    mov ax, dx
    pop edx
    ret

; INT 08h: the timer tick.  Counts the tick, turns the floppy motor off
; when its timeout runs out, calls the user hook INT 1Ch, ends the IRQ.
irq0_timer:
    push ax
    push dx
    push ds
    push BDA_SEG
    pop ds
    inc dword [BDA_TICKS]
    cmp dword [BDA_TICKS], TICKS_PER_DAY
    jb .motor
    mov dword [BDA_TICKS], 0
    mov byte [BDA_TICKS_ROLL], 1
.motor:
    cmp byte [BDA_FD_MOTOR_TO], 0
    je .hook
    dec byte [BDA_FD_MOTOR_TO]
    jnz .hook
    and byte [BDA_FD_MOTOR], 0F0h
    mov al, FDC_DOR_RUN         ; all motors off, controller running
    mov dx, PORT_FDC_DOR
    out dx, al
.hook:
    int 1Ch
    cli
    call eoi_master
    pop ds
    pop dx
    pop ax
    iret

; ------------------------------------------------------------------ IRQ 8

; INT 70h: the RTC interrupt.  Reading status C acknowledges it (the RTC
; holds IRQ 8 until then) and tells which source fired: the periodic
; interrupt runs the INT 15h 83h/86h wait, the alarm calls INT 4Ah.
irq8_rtc:
    push ax
    push bx
    push ds
    mov al, CMOS_STATUS_C
    call cmos_read
    mov bl, al
    test bl, RTC_C_PF
    jz .alarm
    push BDA_SEG
    pop ds
    test byte [BDA_WAIT_ACTIVE], 01h
    jz .alarm
    sub dword [BDA_WAIT_COUNT], RTC_PERIOD_US
    ja .alarm                   ; (unsigned: waits up to 2^32 us)
    ; The wait is over: post the caller's flag byte and stop the periodic
    ; interrupt.
    and byte [BDA_WAIT_ACTIVE], ~01h & 0FFh
    push ds
    push bx
    lds bx, [BDA_WAIT_PTR]
    or byte [bx], 80h
    pop bx
    pop ds
    mov al, CMOS_STATUS_B
    call cmos_read
    and al, ~RTC_B_PIE & 0FFh
    mov ah, al
    mov al, CMOS_STATUS_B
    call cmos_write
.alarm:
    test bl, RTC_C_AF
    jz .done
    sti
    int 4Ah
    cli
.done:
    call eoi_both
    pop ds
    pop bx
    pop ax
    iret

; rtc_set_b_bits / rtc_clear_b_bits: sets or clears the bits in AH in
; status register B.
rtc_set_b_bits:
    push ax
    mov al, CMOS_STATUS_B
    call cmos_read              ; (leaves AH alone)
    or al, ah
    jmp rtc_write_b
rtc_clear_b_bits:
    push ax
    mov al, CMOS_STATUS_B
    call cmos_read
    not ah
    and al, ah
rtc_write_b:
    mov ah, al
    mov al, CMOS_STATUS_B
    call cmos_write
    pop ax
    ret

; ------------------------------------------------------------------ INT 15h 83h/86h

; wait_start: arms the periodic interrupt to post the flag at ES:BX after
; CX:DX microseconds.  CF set if a wait is already running.
wait_start:
    push ds
    push BDA_SEG
    pop ds
    test byte [BDA_WAIT_ACTIVE], 01h
    jnz .busy
    mov [BDA_WAIT_PTR], bx
    mov [BDA_WAIT_PTR + 2], es
    mov [BDA_WAIT_COUNT], dx
    mov [BDA_WAIT_COUNT + 2], cx
    mov byte [BDA_WAIT_ACTIVE], 01h
    push ax
    mov ah, RTC_B_PIE
    call rtc_set_b_bits
    pop ax
    pop ds
    clc
    ret
.busy:
    pop ds
    stc
    ret

; wait_cancel: stops a running INT 15h 83h wait.
wait_cancel:
    push ax
    push ds
    push BDA_SEG
    pop ds
    mov byte [BDA_WAIT_ACTIVE], 0
    mov ah, RTC_B_PIE
    call rtc_clear_b_bits
    pop ds
    pop ax
    ret

; wait_us: INT 15h 86h - waits CX:DX microseconds with interrupts on.  The
; flag posted is BDA A0h bit 7 (the PC/AT's own choice).  CF set if a wait
; is already running.
wait_us:
    push es
    push bx
    push BDA_SEG
    pop es
    mov bx, BDA_WAIT_ACTIVE
    and byte [es:bx], 01h
    call wait_start
    jc .done
    sti
.sleep:
    test byte [es:BDA_WAIT_ACTIVE], 80h
    jnz .posted
    hlt
    jmp .sleep
.posted:
    and byte [es:BDA_WAIT_ACTIVE], ~80h & 0FFh
    clc
.done:
    pop bx
    pop es
    ret

; ------------------------------------------------------------------ INT 1Ah

int1a_handler:
    cmp ah, 0B1h
    je int1a_pci
    sti
    SERVICE_ENTER
    push BDA_SEG
    pop ds
    CLEAR_CF
    mov al, [bp + R_AH]
    cmp al, .table_end - .table
    jae .unsupported
    movzx bx, al
    shl bx, 1
    jmp [cs:.table + bx]
.table:
    dw .get_ticks, .set_ticks, .get_time, .set_time, .get_date, .set_date
    dw .set_alarm, .reset_alarm
.table_end:

.unsupported:
    SET_CF
    jmp .leave

; 00h: CX:DX = ticks since midnight, AL = midnight passed (then cleared)
.get_ticks:
    cli
    mov ax, [BDA_TICKS]
    mov [bp + R_DX], ax
    mov ax, [BDA_TICKS + 2]
    mov [bp + R_CX], ax
    mov al, [BDA_TICKS_ROLL]
    mov [bp + R_AL], al
    mov byte [BDA_TICKS_ROLL], 0
    jmp .leave

; 01h: ticks = CX:DX
.set_ticks:
    cli
    mov ax, [bp + R_DX]
    mov [BDA_TICKS], ax
    mov ax, [bp + R_CX]
    mov [BDA_TICKS + 2], ax
    mov byte [BDA_TICKS_ROLL], 0
    jmp .leave

; 02h: CH:CL:DH = hours:minutes:seconds (BCD), DL = daylight saving option
.get_time:
    call rtc_wait_update
    jc .not_running
    mov si, rtc_time_registers
    call cmos_to_frame
    mov al, CMOS_STATUS_B
    call cmos_read
    and al, RTC_B_DSE
    mov [bp + R_DL], al
    jmp .leave
.not_running:
    SET_CF
    jmp .leave

; 03h: set the time from CH:CL:DH (BCD), DL bit 0 = daylight saving
.set_time:
    mov ah, RTC_B_SET
    call rtc_set_b_bits
    mov si, rtc_time_registers
    call frame_to_cmos
    mov al, CMOS_STATUS_B
    call cmos_read
    and al, RTC_B_PIE | RTC_B_AIE   ; keep the interrupts that are armed
    mov ah, [bp + R_DL]
    and ah, RTC_B_DSE
    or ah, al
    or ah, RTC_B_24H            ; and leave SET clear: the clock runs again
    mov al, CMOS_STATUS_B
    call cmos_write
    jmp .leave

; 04h: CH = century, CL = year, DH = month, DL = day (BCD)
.get_date:
    call rtc_wait_update
    jc .not_running
    mov si, rtc_date_registers
    call cmos_to_frame
    jmp .leave

; 05h: set the date from CH/CL/DH/DL (BCD)
.set_date:
    mov ah, RTC_B_SET
    call rtc_set_b_bits
    mov si, rtc_date_registers
    call frame_to_cmos
    mov ah, RTC_B_SET
    call rtc_clear_b_bits
    jmp .leave

; 06h: alarm at CH:CL:DH (BCD); CF set if one is already armed.  The
; alarm calls INT 4Ah from IRQ 8.
.set_alarm:
    mov al, CMOS_STATUS_B
    call cmos_read
    test al, RTC_B_AIE
    jnz .not_running
    mov si, rtc_alarm_registers
    call frame_to_cmos
    mov ah, RTC_B_AIE
    call rtc_set_b_bits
    jmp .leave

; 07h: disarm the alarm
.reset_alarm:
    mov ah, RTC_B_AIE
    call rtc_clear_b_bits

.leave:
    SERVICE_LEAVE

; The RTC registers behind INT 1Ah's register conventions: CMOS register,
; the caller's register (its offset in the frame); FFh ends a list.
rtc_time_registers:  db CMOS_HOURS, R_CH, CMOS_MINUTES, R_CL, CMOS_SECONDS, R_DH, 0FFh
rtc_date_registers:  db CMOS_CENTURY, R_CH, CMOS_YEAR, R_CL, CMOS_MONTH, R_DH, CMOS_DAY, R_DL, 0FFh
rtc_alarm_registers: db 05h, R_CH, 03h, R_CL, 01h, R_DH, 0FFh

; cmos_to_frame / frame_to_cmos: copies the CMOS registers the list at
; CS:SI names to the caller's registers in the frame at BP, or back.
cmos_to_frame:
    cs lodsb
    cmp al, 0FFh
    je .done
    call cmos_read
    movzx di, byte [cs:si]
    inc si
    mov [bp + di], al
    jmp cmos_to_frame
.done:
    ret

frame_to_cmos:
    cs lodsb
    cmp al, 0FFh
    je .done
    movzx di, byte [cs:si]
    inc si
    mov ah, [bp + di]
    call cmos_write
    jmp frame_to_cmos
.done:
    ret
