; floppy.asm - the diskette part of INT 13h, for the 82077AA floppy disk
; controller with the 8237 DMA channel 2, and its interrupt (IRQ 6).
;
; The controller takes a command as a string of bytes through its FIFO
; (3F5h), paced by the main status register (3F4h: RQM = ready, DIO =
; direction); a data command moves sectors by DMA and ends with IRQ 6 and
; seven result bytes (ST0-ST2, C, H, R, N).  The digital output register
; (3F2h) selects the drive and switches its motor; the configuration
; control register (3F7h) sets the data rate, which must match the medium:
; 500 kb/s for 1.2 MB and 1.44 MB disks, 250 kb/s for 360/720 KB, 1 Mb/s
; for 2.88 MB.  The BIOS finds the medium by trying the rates the drive
; type allows and reading a sector ID.
;
; DMA moves at most 64 KiB and cannot cross a 64 KiB physical boundary
; (its address counter has 16 bits; the page register does not count); a
; transfer that would is refused with status 09h, as on the PC/AT, and the
; caller splits it.

PORT_FDC_DOR    equ 3F2h
PORT_FDC_MSR    equ 3F4h
PORT_FDC_FIFO   equ 3F5h
PORT_FDC_CCR    equ 3F7h        ; write: data rate
PORT_FDC_DIR    equ 3F7h        ; read: bit 7 = the disk was changed
FDC_DOR_RUN     equ 0Ch         ; not in reset, DMA and IRQ enabled
FDC_MSR_RQM     equ 80h
FDC_MSR_DIO     equ 40h

FDC_CMD_SPECIFY equ 03h
FDC_CMD_RECAL   equ 07h
FDC_CMD_SENSE   equ 08h
FDC_CMD_SEEK    equ 0Fh
FDC_CMD_READ_ID equ 4Ah         ; (MFM)
FDC_CMD_READ    equ 46h         ; (MFM)
FDC_CMD_WRITE   equ 45h         ; (MFM)
FDC_CMD_FORMAT  equ 4Dh         ; (MFM)

DMA_MODE_TO_MEM   equ 46h       ; channel 2, single, increment, write to memory
DMA_MODE_FROM_MEM equ 4Ah       ; read from memory
DMA_MODE_VERIFY   equ 42h       ; no memory cycles

FD_IRQ_SEEN     equ 80h         ; BDA_FD_RECAL bit: IRQ 6 arrived
FD_IRQ_TICKS    equ 36          ; 2 s for a command to finish

; the diskette parameter table (INT 1Eh points at one): specify bytes,
; motor-off delay, sector size, sectors per track, gaps, fill byte, head
; settle time, motor start time
FDP_SPECIFY1    equ 0
FDP_SPECIFY2    equ 1
FDP_MOTOR_OFF   equ 2
FDP_EOT         equ 4
FDP_GAP         equ 5
FDP_DTL         equ 6
FDP_FMT_GAP     equ 7
FDP_FILL        equ 8
FDP_MOTOR_START equ 10          ; in 1/8 s

; the medium found in a drive (EBDA_FD_MEDIA + 4 * drive)
FDM_RATE        equ 0           ; data rate code (CCR)
FDM_SPT         equ 1           ; sectors per track; 0 = not known
FDM_CYLS        equ 2

; ------------------------------------------------------------------ tables

; per CMOS drive type 1-5: cylinders and sectors per track of its largest
; medium, and its parameter table
fd_types:
    db 40, 9
    dw fd_params_360
    db 80, 15
    dw fd_params_1200
    db 80, 9
    dw fd_params_720
    db 80, 18
    dw floppy_params
    db 80, 36
    dw fd_params_2880
FD_MAX_TYPE equ 5

; the media each drive type reads: data rate code, sectors per track,
; cylinders; most likely first; FFh ends a list.  (A 360 KB disk in a
; 1.2 MB drive would need double stepping, which this BIOS does not do.)
fd_media_by_type:
    dw .t1, .t2, .t3, .t4, .t5
.t1: db 2, 9, 40, 0FFh
.t2: db 0, 15, 80, 0FFh
.t3: db 2, 9, 80, 0FFh
.t4: db 0, 18, 80, 2, 9, 80, 0FFh
.t5: db 3, 36, 80, 0, 18, 80, 2, 9, 80, 0FFh

; fd_media_list: BX = the media list (in CS) for drive DL's type.
fd_media_list:
    movzx bx, dl
    movzx bx, byte [fs:EBDA_FD_TYPE + bx]
    dec bx
    shl bx, 1
    mov bx, [cs:fd_media_by_type + bx]
    ret

fd_params_360:  db 0DFh, 02h, 25h, 02h, 09h, 2Ah, 0FFh, 50h, 0F6h, 0Fh, 04h
fd_params_1200: db 0DFh, 02h, 25h, 02h, 0Fh, 1Bh, 0FFh, 54h, 0F6h, 0Fh, 04h
fd_params_720:  db 0DFh, 02h, 25h, 02h, 09h, 2Ah, 0FFh, 50h, 0F6h, 0Fh, 04h
fd_params_2880: db 0AFh, 02h, 25h, 02h, 24h, 1Bh, 0FFh, 53h, 0F6h, 0Fh, 04h

; ------------------------------------------------------------------ controller

; fdc_out: AL to the FIFO when the controller asks for a byte.  CF on timeout.
fdc_out:
    push ax
    push cx
    push dx
    mov ah, al
    mov dx, PORT_FDC_MSR
    mov cx, 0FFFFh
.poll:
    in al, dx
    and al, FDC_MSR_RQM | FDC_MSR_DIO
    cmp al, FDC_MSR_RQM
    je .ready
    loop .poll
    stc
    jmp .done
.ready:
    mov al, ah
    inc dx
    out dx, al
    clc
.done:
    pop dx
    pop cx
    pop ax
    ret

; fdc_command: AL, the first byte of a command that ends with IRQ 6: the
; "IRQ seen" flag is cleared first, so only this command's interrupt
; counts (one left over from earlier work would end the wait at once).
fdc_command:
    and byte [BDA_FD_RECAL], ~FD_IRQ_SEEN & 0FFh
    jmp fdc_out

; fdc_in: AL = the next result byte.  CF on timeout.
fdc_in:
    push cx
    push dx
    mov dx, PORT_FDC_MSR
    mov cx, 0FFFFh
.poll:
    in al, dx
    and al, FDC_MSR_RQM | FDC_MSR_DIO
    cmp al, FDC_MSR_RQM | FDC_MSR_DIO
    je .ready
    loop .poll
    stc
    jmp .done
.ready:
    inc dx
    in al, dx
    clc
.done:
    pop dx
    pop cx
    ret

; fdc_wait_irq: waits for IRQ 6.  CF on timeout.
fdc_wait_irq:
    push ax
    push esi
    mov esi, [BDA_TICKS]
.poll:
    cli
    test byte [BDA_FD_RECAL], FD_IRQ_SEEN
    jnz .seen
    sti
    hlt                         ; (the STI shadow closes the race with the IRQ)
    call ticks_since
    cmp ax, FD_IRQ_TICKS
    jb .poll
    stc
    jmp .done
.seen:
    and byte [BDA_FD_RECAL], ~FD_IRQ_SEEN & 0FFh
    sti
    clc
.done:
    pop esi
    pop ax
    ret

; fdc_sense: SENSE INTERRUPT STATUS after a seek or reset: AL = ST0, AH =
; the present cylinder.  CF on timeout.
fdc_sense:
    mov al, FDC_CMD_SENSE
    call fdc_out
    jc .done
    call fdc_in
    jc .done
    mov ah, al
    call fdc_in
    xchg al, ah
.done:
    ret

; fdc_results: the seven result bytes of a data command into the BDA.
; CF on timeout.
fdc_results:
    push cx
    push si
    mov si, BDA_FD_FDC_ST
    mov cx, 7
.next:
    call fdc_in
    jc .done
    mov [si], al
    inc si
    loop .next
.done:
    pop si
    pop cx
    ret

; fdc_reset: resets the controller (all drives then need recalibrating)
; and programs its step and head timings from the parameter table.
fdc_reset:
    push ax
    push cx
    push dx
    push es
    push si
    and byte [BDA_FD_RECAL], 0
    mov dx, PORT_FDC_DOR
    mov al, 08h                 ; reset (bit 2 low), DMA and IRQ enabled
    out dx, al
    mov al, FDC_DOR_RUN
    out dx, al
    and byte [BDA_FD_MOTOR], 0F0h   ; the reset stopped the motors
    call fdc_wait_irq
    jc .done
    mov cx, 4                   ; one sense per drive after a reset
.sense:
    call fdc_sense
    loop .sense
    call fd_param_table
    mov al, FDC_CMD_SPECIFY
    call fdc_out
    mov al, [es:si + FDP_SPECIFY1]
    call fdc_out
    mov al, [es:si + FDP_SPECIFY2]
    and al, 0FEh                ; bit 0 clear: DMA mode
    call fdc_out
.done:
    pop si
    pop es
    pop dx
    pop cx
    pop ax
    ret

; ------------------------------------------------------------------ drive

; fd_param_table: ES:SI = the diskette parameter table INT 1Eh points at
; (DOS may install its own).
fd_param_table:
    push ax
    xor ax, ax
    mov es, ax
    les si, [es:1Eh * 4]
    pop ax
    ret

; fd_motor_on: selects drive DL and starts its motor (waiting for it to
; reach speed if it was off).  The motor timeout stops while the drive
; works.
fd_motor_on:
    push ax
    push cx
    push dx
    mov byte [BDA_FD_MOTOR_TO], 0FFh
    mov cl, dl
    mov ah, 1
    shl ah, cl                  ; the drive's motor bit
    mov al, [BDA_FD_MOTOR]
    and al, 0Fh
    cmp al, ah
    pushf                       ; ZF: this motor alone is already on
    and byte [BDA_FD_MOTOR], 0F0h
    or [BDA_FD_MOTOR], ah
    mov al, ah
    shl al, 4
    or al, dl
    or al, FDC_DOR_RUN
    mov dx, PORT_FDC_DOR
    out dx, al
    popf
    je .done
    ; wait for the spindle: the table's motor start time, 1/8 s units
    push es
    push si
    call fd_param_table
    movzx ax, byte [es:si + FDP_MOTOR_START]
    pop si
    pop es
    imul cx, ax, 18
    shr cx, 3
    inc cx
    push esi
    mov esi, [BDA_TICKS]
.spin:
    sti
    hlt
    call ticks_since
    cmp ax, cx
    jb .spin
    pop esi
.done:
    pop dx
    pop cx
    pop ax
    ret

; fd_motor_off_later: starts the motor-off countdown the timer tick runs.
fd_motor_off_later:
    push es
    push si
    push ax
    call fd_param_table
    mov al, [es:si + FDP_MOTOR_OFF]
    mov [BDA_FD_MOTOR_TO], al
    pop ax
    pop si
    pop es
    ret

; fd_recalibrate: moves drive DL's head to cylinder 0.  An 80-track drive
; may need two tries (the controller gives up after 77 steps).  CF with AH
; = status on failure.
fd_recalibrate:
    push cx
    push si
    mov cx, 2
.try:
    mov al, FDC_CMD_RECAL
    call fdc_command
    mov al, dl
    call fdc_out
    call fdc_wait_irq
    jc .timeout
    call fdc_sense
    jc .timeout
    test al, 0C0h               ; normal termination
    jnz .again
    test ah, ah                 ; at cylinder 0
    jz .done
.again:
    loop .try
    mov ah, 40h                 ; seek failed
    stc
    jmp .out
.timeout:
    mov ah, 80h
    stc
    jmp .out
.done:
    mov cl, dl
    mov al, 1
    shl al, cl
    or [BDA_FD_RECAL], al
    movzx si, dl
    mov byte [BDA_FD_TRACK + si], 0
    clc
.out:
    pop si
    pop cx
    ret

; fd_seek: moves drive DL's head to cylinder CH (recalibrating first if
; the drive's position is not known).  CF with AH = status on failure.
fd_seek:
    push cx
    push si
    mov cl, dl
    mov al, 1
    shl al, cl
    test [BDA_FD_RECAL], al
    jnz .known
    call fd_recalibrate
    jc .done
.known:
    movzx si, dl
    cmp [BDA_FD_TRACK + si], ch
    je .there
    mov al, FDC_CMD_SEEK
    call fdc_command
    mov al, dl
    call fdc_out
    mov al, ch
    call fdc_out
    call fdc_wait_irq
    jc .timeout
    call fdc_sense
    jc .timeout
    test al, 0C0h
    jnz .failed
    cmp ah, ch
    jne .failed
    mov [BDA_FD_TRACK + si], ch
.there:
    clc
    jmp .done
.failed:
    and byte [BDA_FD_RECAL], 0  ; position unknown now
    mov ah, 40h
    stc
    jmp .done
.timeout:
    mov ah, 80h
    stc
.done:
    pop si
    pop cx
    ret

; fd_media: makes sure the medium in drive DL is known (sets FS:SI to its
; EBDA_FD_MEDIA entry and the data rate).  A changed disk (the change line
; in 3F7h) is identified again: for each medium the drive type allows, set
; the rate and try to read a sector ID on cylinder 0.  CF with AH = status
; if none answers.
fd_media:
    movzx si, dl
    shl si, 2
    add si, EBDA_FD_MEDIA
    push dx
    mov dx, PORT_FDC_DIR
    in al, dx
    pop dx
    test al, 80h
    jz .known
    mov byte [fs:si + FDM_SPT], 0
.known:
    cmp byte [fs:si + FDM_SPT], 0
    je .identify
    mov al, [fs:si + FDM_RATE]
    call fd_set_rate
    clc
    ret
.identify:
    push bx
    call fd_media_list
.try:
    mov al, [cs:bx]
    cmp al, 0FFh
    je .none
    call fd_set_rate
    call fd_recalibrate
    jc .next
    mov al, FDC_CMD_READ_ID
    call fdc_command
    mov al, dl                  ; head 0
    call fdc_out
    call fdc_wait_irq
    jc .next
    call fdc_results
    jc .next
    test byte [BDA_FD_FDC_ST], 0C0h
    jnz .next
    ; found: remember it, and tell DOS in the BDA's media state byte
    mov al, [cs:bx]
    mov [fs:si + FDM_RATE], al
    shl al, 6
    or al, 17h                  ; established, "other" medium
    push si
    movzx si, dl
    mov [BDA_FD_MEDIA + si], al
    pop si
    mov al, [cs:bx + 1]
    mov [fs:si + FDM_SPT], al
    mov al, [cs:bx + 2]
    mov [fs:si + FDM_CYLS], al
    pop bx
    clc
    ret
.next:
    add bx, 3
    jmp .try
.none:
    pop bx
    mov ah, 80h                 ; no disk (or none the drive can read): not ready
    stc
    ret

; fd_set_rate: the data rate code AL to the controller (and the BDA).
fd_set_rate:
    push dx
    mov dx, PORT_FDC_CCR
    out dx, al
    shl al, 6
    mov [BDA_FD_RATE], al
    pop dx
    ret

; ------------------------------------------------------------------ DMA

; dma_floppy: programs DMA channel 2 for CX bytes (1-65536, 0 = 65536) at
; ES:BX in mode AL.  CF if the buffer crosses a 64 KiB boundary.
dma_floppy:
    push eax
    push ebx
    push ecx
    push dx
    mov dl, al
    mov ax, es
    movzx eax, ax
    shl eax, 4
    movzx ebx, bx
    add eax, ebx                ; the physical address
    movzx ecx, cx
    dec cx                      ; the count register holds bytes - 1
    mov ebx, eax
    and ebx, 0FFFFh
    add ebx, ecx
    cmp ebx, 0FFFFh
    ja .boundary
    push ax
    mov al, 06h                 ; mask channel 2 while programming it
    out 0Ah, al
    out 0Ch, al                 ; clear the byte flip-flop
    mov al, dl
    out 0Bh, al                 ; mode
    pop ax
    out 04h, al                 ; address, low byte then high
    mov al, ah
    out 04h, al
    shr eax, 16
    out 81h, al                 ; page: address bits 16-23
    mov ax, cx
    out 05h, al                 ; count, low byte then high
    mov al, ah
    out 05h, al
    mov al, 02h                 ; unmask channel 2
    out 0Ah, al
    clc
    jmp .done
.boundary:
    stc
.done:
    pop dx
    pop ecx
    pop ebx
    pop eax
    ret

; ------------------------------------------------------------------ INT 13h, floppy part

; Entered from int13_handler: the caller's registers in the frame, DS =
; BDA, FS = EBDA.
floppy_service:
    mov al, [bp + R_AH]
    cmp al, 00h
    je .reset
    cmp al, 01h
    je disk_last_status
    cmp al, 08h
    je .params
    cmp al, 15h
    je .type
    ; the rest need a drive that exists
    movzx si, byte [bp + R_DL]
    cmp si, 1
    ja .no_drive
    cmp byte [fs:EBDA_FD_TYPE + si], 0
    je .no_drive
    mov dl, [bp + R_DL]
    cmp al, 02h
    jb .bad
    cmp al, 04h
    jbe fd_rw
    cmp al, 05h
    je fd_format
    cmp al, 16h
    je .change
    cmp al, 17h
    je .ok
    cmp al, 18h
    je .media_type
.bad:
    mov ah, DISK_BAD_PARAM
    jmp fd_return
.no_drive:
    mov ah, 80h                 ; timeout: nothing answers there
    jmp fd_return
.ok:
    xor ah, ah
    jmp fd_return

; 00h: reset the controller.
.reset:
    call fdc_reset
    xor ah, ah
    jmp fd_return

; 08h: BL = drive type, CH = last cylinder, CL = sectors per track, DH =
; last head, DL = number of drives, ES:DI = the parameter table.  A drive
; that is not there: CF, AH = 01h, DL = number of drives.
.params:
    mov ax, [BDA_EQUIPMENT]
    xor cl, cl
    test al, 01h
    jz .count
    mov cl, al
    shr cl, 6
    inc cl
.count:
    movzx si, byte [bp + R_DL]
    mov [bp + R_DL], cl
    cmp si, 1
    ja .bad
    movzx bx, byte [fs:EBDA_FD_TYPE + si]
    test bx, bx
    jz .bad
    mov [bp + R_BL], bl
    dec bx
    shl bx, 2
    mov al, [cs:fd_types + bx]
    dec al
    mov [bp + R_CH], al
    mov al, [cs:fd_types + bx + 1]
    mov [bp + R_CL], al
    mov byte [bp + R_DH], 1
    mov ax, [cs:fd_types + bx + 2]
    mov [bp + R_DI], ax
    mov word [bp + R_ES], BIOS_SEG
    mov word [bp + R_AX], 0
    xor ah, ah
    jmp fd_return

; 15h: AH = 01h (a drive without change line: 360 KB) or 02h (with one).
.type:
    movzx si, byte [bp + R_DL]
    xor ah, ah
    cmp si, 1
    ja .type_done
    mov al, [fs:EBDA_FD_TYPE + si]
    test al, al
    jz .type_done
    mov ah, 02h
    cmp al, 1
    jne .type_done
    mov ah, 01h
.type_done:
    mov [bp + R_AH], ah
    mov byte [BDA_FD_STATUS], 0
    CLEAR_CF
    SERVICE_LEAVE

; 16h: AH = 06h if the disk was changed since the last access, else 00h.
.change:
    call fd_motor_on
    push dx
    mov dx, PORT_FDC_DIR
    in al, dx
    pop dx
    call fd_motor_off_later
    xor ah, ah
    test al, 80h
    jz fd_return
    mov ah, 06h
    jmp fd_return

; 18h: the parameter table for CH = last cylinder, CL = sectors per track,
; in ES:DI; 0Ch if the drive does not take that medium.
.media_type:
    call fd_media_list
    mov cl, [bp + R_CL]
    and cl, 3Fh
    mov ch, [bp + R_CH]
    inc ch
.media_next:
    cmp byte [cs:bx], 0FFh
    je .media_none
    cmp [cs:bx + 1], cl
    jne .media_skip
    cmp [cs:bx + 2], ch
    je .media_found
.media_skip:
    add bx, 3
    jmp .media_next
.media_none:
    mov ah, 0Ch
    jmp fd_return
.media_found:
    mov al, [cs:bx + 1]
    call fd_params_for_spt
    mov word [bp + R_ES], BIOS_SEG
    mov [bp + R_DI], ax
    xor ah, ah
    jmp fd_return

; fd_params_for_spt: AX = the parameter table for a medium of AL sectors
; per track.
fd_params_for_spt:
    cmp al, 15
    je .p1200
    cmp al, 18
    je .p1440
    cmp al, 36
    je .p2880
    mov ax, fd_params_720       ; 9 sectors: 360 KB and 720 KB alike
    ret
.p1200:
    mov ax, fd_params_1200
    ret
.p1440:
    mov ax, floppy_params
    ret
.p2880:
    mov ax, fd_params_2880
    ret

; fd_return: ends a floppy function with status AH.
fd_return:
    mov [BDA_FD_STATUS], ah
    jmp int13_status

; ------------------------------------------------------------------ read/write/verify/format

; fd_rw: 02h read, 03h write, 04h verify: AL sectors from cylinder CH,
; sector CL, head DH of drive DL, to or from ES:BX.  A transfer may run
; over several tracks; one controller command moves the rest of a track.
; AL returns the sectors moved.
fd_rw:
    movzx di, byte [bp + R_AL]  ; DI = sectors left
    mov byte [bp + R_AL], 0
    mov ah, DISK_BAD_PARAM
    test di, di
    jz fd_return
    call fd_motor_on
    call fd_media               ; FS:SI = the medium
    jc .failed
    mov cl, [bp + R_CL]
    and cl, 3Fh
    mov ah, DISK_BAD_PARAM
    jz .failed                  ; sectors count from 1
    mov ch, [bp + R_CH]
    mov dh, [bp + R_DH]
    mov es, [bp + R_ES]
    mov bx, [bp + R_BX]
.chunk:
    mov ah, DISK_NOT_FOUND
    cmp cl, [fs:si + FDM_SPT]
    ja .failed
    cmp dh, 1
    ja .failed
    cmp ch, [fs:si + FDM_CYLS]
    jae .failed
    ; this command: to the end of the track at most
    movzx ax, byte [fs:si + FDM_SPT]
    sub al, cl
    inc ax
    cmp ax, di
    jbe .count
    mov ax, di
.count:
    push ax
    push cx
    mov cx, ax
    shl cx, 9
    movzx ax, byte [bp + R_AH]
    sub ax, 02h
    push bx
    mov bx, ax
    mov al, [cs:fd_dma_modes + bx]
    pop bx
    call dma_floppy
    pop cx
    pop ax
    jc .boundary
    push ax                     ; sectors in this command
    call fd_seek
    jc .failed_pop
    movzx ax, byte [bp + R_AH]
    cmp al, 03h
    mov al, FDC_CMD_READ        ; (verify: a read with the DMA in verify mode)
    jne .command
    mov al, FDC_CMD_WRITE
.command:
    call fd_data_command        ; AL = command, the sector count on the stack
    jc .failed_pop
    pop ax
    add [bp + R_AL], al
    sub di, ax
    jz .done
    ; on to the next track: the buffer moves on (kept normalised), the
    ; address wraps from the last sector to head 1, then the next cylinder
    shl ax, 9
    add bx, ax
    push ax
    mov ax, bx
    shr ax, 4
    push dx
    mov dx, es
    add dx, ax
    mov es, dx
    pop dx
    and bx, 0Fh
    pop ax
    mov cl, 1
    inc dh
    cmp dh, 1
    jbe .chunk
    xor dh, dh
    inc ch
    jmp .chunk
.boundary:
    mov ah, 09h
    jmp .failed
.failed_pop:
    add sp, 2                   ; (the count pushed above; AH holds the status)
.failed:
    call fd_motor_off_later
    jmp fd_return
.done:
    call fd_motor_off_later
    xor ah, ah
    jmp fd_return

; DMA modes for read, write, verify
fd_dma_modes: db DMA_MODE_TO_MEM, DMA_MODE_FROM_MEM, DMA_MODE_VERIFY

; fd_data_command: sends read or write command AL for the sectors CL..(CL
; + [sp+2] - 1) of cylinder CH, head DH, drive DL, waits for it and
; checks the result.  CF with AH = status on failure.
fd_data_command:
    push bp
    mov bp, sp
    push es
    push si
    call fdc_command
    mov al, dh
    shl al, 2
    or al, dl
    call fdc_out                ; head and drive
    mov al, ch
    call fdc_out                ; the sector ID: C, H, R, N
    mov al, dh
    call fdc_out
    mov al, cl
    call fdc_out
    mov al, 2                   ; 512 bytes
    call fdc_out
    mov al, cl
    add al, [bp + 4]
    dec al
    call fdc_out                ; the last sector of this command
    call fd_param_table
    mov al, [es:si + FDP_GAP]
    call fdc_out
    mov al, [es:si + FDP_DTL]
    call fdc_out
    pop si
    pop es
    pop bp
    call fdc_wait_irq
    jc .timeout
    call fdc_results
    jc .timeout
    jmp fd_check_result
.timeout:
    and byte [BDA_FD_RECAL], 0  ; the controller needs a reset
    mov ah, 80h
    ret

; fd_check_result: AH = the status for the result bytes in the BDA; CF if
; not 0.  "Abnormal termination" with only End of Cylinder set is a
; success: the controller reached the last sector asked for.
fd_check_result:
    mov al, [BDA_FD_FDC_ST]     ; ST0
    and al, 0C0h
    jz .ok
    cmp al, 40h
    jne .controller
    mov al, [BDA_FD_FDC_ST + 1] ; ST1
    mov ah, [BDA_FD_FDC_ST + 2] ; ST2
    cmp al, 80h
    jne .error
    test ah, ah
    jz .ok
.error:
    test al, 02h                ; not writable
    mov ah, DISK_WRITE_PROT
    jnz .fail
    test al, 01h                ; missing address mark
    mov ah, 02h
    jnz .fail
    test al, 20h                ; data error (CRC)
    mov ah, 10h
    jnz .fail
    test byte [BDA_FD_FDC_ST + 2], 20h
    jnz .fail
    test al, 10h                ; overrun
    mov ah, 08h
    jnz .fail
    mov ah, DISK_NOT_FOUND      ; no data, wrong cylinder, end of cylinder
    jmp .fail
.controller:
    mov ah, 20h
.fail:
    stc
    ret
.ok:
    xor ah, ah
    clc
    ret

; fd_format: 05h: formats track CH, head DH of drive DL with AL sectors;
; ES:BX holds their ID fields (C, H, R, N per sector).  The data rate is
; that of the medium last found, else the drive's largest.
fd_format:
    call fd_motor_on
    movzx si, dl
    shl si, 2
    add si, EBDA_FD_MEDIA
    cmp byte [fs:si + FDM_SPT], 0
    jne .rate
    call fd_media_list
    mov al, [cs:bx]
    mov [fs:si + FDM_RATE], al
.rate:
    mov al, [fs:si + FDM_RATE]
    call fd_set_rate
    mov ch, [bp + R_CH]
    mov dh, [bp + R_DH]
    call fd_seek
    jc .done
    mov es, [bp + R_ES]
    mov bx, [bp + R_BX]
    movzx cx, byte [bp + R_AL]
    shl cx, 2
    mov al, DMA_MODE_FROM_MEM
    call dma_floppy
    mov ah, 09h
    jc .done
    mov al, FDC_CMD_FORMAT
    call fdc_command
    mov al, dh
    shl al, 2
    or al, dl
    call fdc_out
    mov al, 2                   ; 512-byte sectors
    call fdc_out
    mov al, [bp + R_AL]
    call fdc_out
    push es
    call fd_param_table
    mov al, [es:si + FDP_FMT_GAP]
    call fdc_out
    mov al, [es:si + FDP_FILL]
    call fdc_out
    pop es
    call fdc_wait_irq
    mov ah, 80h
    jc .done
    call fdc_results
    mov ah, 80h
    jc .done
    call fd_check_result
.done:
    call fd_motor_off_later
    jmp fd_return

; ------------------------------------------------------------------ POST, IRQ 6

; floppy_init: the drive types from the CMOS, the equipment word, the
; controller reset.
floppy_init:
    mov al, CMOS_FLOPPY
    call cmos_read
    mov ah, al
    shr al, 4                   ; drive 0 in the high nibble
    and ah, 0Fh
    cmp al, FD_MAX_TYPE
    jbe .type0
    xor al, al
.type0:
    cmp ah, FD_MAX_TYPE
    jbe .type1
    xor ah, ah
.type1:
    mov [fs:EBDA_FD_TYPE], ax
    test ax, ax
    jz .none
    ; equipment: bit 0 = floppies present, bits 6-7 = their number - 1
    or byte [BDA_EQUIPMENT], 01h
    test al, al
    jz .one
    test ah, ah
    jz .one
    or byte [BDA_EQUIPMENT], 40h
.one:
    call fdc_reset
    CONSOLE_MSG "Floppy drives:"
    mov al, [fs:EBDA_FD_TYPE]
    call .describe
    mov al, [fs:EBDA_FD_TYPE + 1]
    call .describe
    mov al, 10
    call console_putc
.none:
    ret
.describe:
    test al, al
    jz .done
    CONSOLE_MSG " "
    movzx si, al
    dec si
    shl si, 1
    mov si, [cs:fd_type_names + si]
    call console_puts
.done:
    ret

fd_type_names:  dw .n1, .n2, .n3, .n4, .n5
.n1: db "360K", 0
.n2: db "1.2M", 0
.n3: db "720K", 0
.n4: db "1.44M", 0
.n5: db "2.88M", 0

; INT 0Eh: IRQ 6, the controller finished a command.
irq6_floppy:
    push ds
    push BDA_SEG
    pop ds
    or byte [BDA_FD_RECAL], FD_IRQ_SEEN
    call eoi_master
    pop ds
    iret
