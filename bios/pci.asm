; pci.asm - PCI configuration access, POST enumeration (address and
; interrupt assignment) and the PCI BIOS (INT 1Ah AH=B1h).
;
; Configuration mechanism #1: a dword written to CF8h selects
;   bit 31 enable | bus << 16 | device << 11 | function << 8 | register
; and CFCh-CFFh read or write that dword of the device's configuration
; space.  Throughout, a device is named as the PCI BIOS names it: BH = bus,
; BL = device << 3 | function ("devfn"), DI = register.
;
; The machine is the i440FX PC: one bus, the host bridge at 00.0, the
; PIIX3 at 01.0 (ISA bridge, interrupt router) and 01.1 (IDE), the VGA at
; 02.0; more devices may sit in other slots.

PCI_MEM_BASE    equ 0E0000000h  ; the lowest address POST gives a memory BAR...
PCI_MEM_LIMIT   equ 0FEC00000h  ; ...and the end (the I/O APIC and ROM live above)
PCI_IO_BASE     equ 0C000h      ; I/O BARs from here (below is ISA territory)
PCI_IO_LIMIT    equ 10000h

PCI_VENDOR      equ 00h
PCI_COMMAND     equ 04h
PCI_CLASS_REV   equ 08h
PCI_HEADER_TYPE equ 0Eh
PCI_BAR0        equ 10h
PCI_INT_LINE    equ 3Ch
PCI_INT_PIN     equ 3Dh
PCI_CMD_IO      equ 01h
PCI_CMD_MEMORY  equ 02h
PCI_CMD_MASTER  equ 04h

PIIX3_PIRQ_ROUTE equ 60h        ; PIRQA-D routing, one byte each
PIIX_VENDOR_DEV  equ 70008086h  ; PIIX3 ISA bridge

; The ISA IRQs the four PCI interrupt lines (PIRQA-D) are steered to.  A
; device in slot S raises its INTx (pin P = 1 for INTA#) on PIRQ
; (S + P - 2) mod 4: the usual rotation, so the four pins of the slots
; spread over the four lines.
pirq_irqs:      db 5, 9, 10, 11
PCI_IRQ_BITMAP  equ (1 << 5) | (1 << 9) | (1 << 10) | (1 << 11)

; ------------------------------------------------------------------ configuration access

; pci_select: CF8h <- the address of register DI of device BX.
pci_select:
    push eax
    push dx
    movzx eax, bx
    shl eax, 8
    or eax, 80000000h
    push di
    and di, 0FCh
    or ax, di
    pop di
    mov dx, PORT_PCI_ADDR
    out dx, eax
    pop dx
    pop eax
    ret

; pci_data_port: DX <- CFCh + the byte offset of DI within its dword.
%macro PCI_DATA_PORT 0
    mov dx, di
    and dx, 3
    add dx, PORT_PCI_DATA
%endmacro

pci_read_byte:
    push dx
    call pci_select
    PCI_DATA_PORT
    in al, dx
    pop dx
    ret

pci_read_word:
    push dx
    call pci_select
    PCI_DATA_PORT
    in ax, dx
    pop dx
    ret

pci_read_dword:
    push dx
    call pci_select
    mov dx, PORT_PCI_DATA
    in eax, dx
    pop dx
    ret

pci_write_byte:
    push dx
    call pci_select
    PCI_DATA_PORT
    out dx, al
    pop dx
    ret

pci_write_word:
    push dx
    call pci_select
    PCI_DATA_PORT
    out dx, ax
    pop dx
    ret

pci_write_dword:
    push dx
    call pci_select
    mov dx, PORT_PCI_DATA
    out dx, eax
    pop dx
    ret

; pci_next_function: advances BX to the next devfn on bus 0 that holds a
; device (function 0 says with header bit 7 whether functions 1-7 exist).
; Start with BX = FFFFh.  CF set when there are no more.
pci_next_function:
    push ax
    push di
.advance:
    inc bx
    test bh, bh
    jnz .end                    ; past 00:1F.7 (only bus 0 is scanned)
    test bl, 7
    jz .present                 ; function 0: always look
    ; a later function exists only in a multi-function device
    push bx
    and bl, 0F8h
    mov di, PCI_HEADER_TYPE
    call pci_read_byte
    pop bx
    test al, 80h
    jnz .present
    or bl, 7                    ; skip the rest of this device
    jmp .advance
.present:
    mov di, PCI_VENDOR
    call pci_read_word
    cmp ax, 0FFFFh
    je .advance
    clc
    pop di
    pop ax
    ret
.end:
    stc
    pop di
    pop ax
    ret

; ------------------------------------------------------------------ POST

; pci_init: gives every BAR of the devices on bus 0 an address, sets up the
; PIIX3's interrupt routing, and writes each device's interrupt line.
pci_init:
    push es
    mov es, [BDA_EBDA_SEG]
    mov byte [es:EBDA_PCI_LAST], 0
    call pci_route_interrupts
    call pci_assign_io
    call pci_assign_memory
    call pci_enable_devices
    pop es
    ret

; pci_route_interrupts: PIRQA-D of the PIIX3 to the IRQs above, those IRQs
; made level-triggered in the ELCR (PCI interrupts are shared, active-low
; levels), and each device's interrupt line register set to where its pin
; ends up.
pci_route_interrupts:
    mov di, PCI_VENDOR
    mov ecx, 0FFFFFFFFh
    mov edx, PIIX_VENDOR_DEV
    xor si, si
    call pci_find
    jc .router_done
    mov eax, [cs:pirq_irqs]
    mov di, PIIX3_PIRQ_ROUTE
    call pci_write_dword
.router_done:
    mov dx, PORT_ELCR1
    mov al, PCI_IRQ_BITMAP & 0FFh
    out dx, al
    inc dx
    mov al, PCI_IRQ_BITMAP >> 8
    out dx, al

    mov bx, 0FFFFh
.device:
    call pci_next_function
    jc .done
    mov di, PCI_INT_PIN
    call pci_read_byte
    test al, al
    jz .device
    cmp al, 4
    ja .device
    mov ah, bl
    shr ah, 3                   ; slot
    add al, ah
    sub al, 2
    and al, 3                   ; PIRQ line
    movzx si, al
    mov al, [cs:pirq_irqs + si]
    mov di, PCI_INT_LINE
    call pci_write_byte
    jmp .device
.done:
    ret

; pci_bar_size: sizes BAR DI of device BX by writing all-ones and reading
; back which address bits stick, with decoding off meanwhile so the BAR
; does not claim addresses while it holds the probe value.  Returns EAX =
; size (0 if no BAR) and ECX = the original BAR value (its type bits).
pci_bar_size:
    push dx
    push di
    mov di, PCI_COMMAND
    call pci_read_word
    mov dx, ax
    and ax, ~(PCI_CMD_IO | PCI_CMD_MEMORY)
    call pci_write_word
    pop di
    call pci_read_dword
    mov ecx, eax
    mov eax, 0FFFFFFFFh
    call pci_write_dword
    call pci_read_dword
    xchg eax, ecx
    call pci_write_dword        ; put the original back
    xchg eax, ecx
    test cl, 1
    jz .memory
    or eax, 0FFFF0000h          ; I/O BARs may implement only 16 bits
    and eax, ~3
    jmp .size
.memory:
    and eax, ~0Fh
.size:
    neg eax                     ; lowest set bit = the size
    push di
    mov di, PCI_COMMAND
    xchg ax, dx
    call pci_write_word
    xchg ax, dx
    pop di
    pop dx
    ret

; pci_assign_io: I/O BARs in device order, each aligned to its size.
pci_assign_io:
    mov edx, PCI_IO_BASE        ; next free port
    mov bx, 0FFFFh
.device:
    call pci_next_function
    jc .done
    mov di, PCI_HEADER_TYPE
    call pci_read_byte
    and al, 7Fh
    jnz .device                 ; bridges are not configured (one bus)
    mov di, PCI_BAR0
.bar:
    call pci_bar_size
    test cl, 1
    jz .next_bar                ; a memory BAR: later
    test eax, eax
    jz .next_bar
    dec eax                     ; align up: (next + size - 1) & ~(size - 1)
    add edx, eax
    not eax
    and edx, eax
    not eax
    inc eax
    push eax
    add eax, edx
    cmp eax, PCI_IO_LIMIT
    pop eax
    ja .no_room
    push eax
    mov eax, edx
    call pci_write_dword
    pop eax
    add edx, eax
    jmp .next_bar
.no_room:
    call pci_report_unassigned
.next_bar:
    call pci_next_bar
    jb .bar
    jmp .device
.done:
    ret

; pci_next_bar: DI moves past the BAR whose original value (its type bits)
; is in CL: a 64-bit memory BAR takes two registers.  CF set while DI is
; still a BAR register.
pci_next_bar:
    test cl, 1
    jnz .one
    test cl, 4
    jz .one
    add di, 4
.one:
    add di, 4
    cmp di, PCI_BAR0 + 6 * 4
    ret

; pci_assign_memory: memory BARs, largest first, upwards from the base of
; the PCI hole: taking sizes in decreasing order keeps every BAR aligned to
; its size with no gaps.  A 64-bit BAR gets an address below 4 GiB (its
; upper half zero).
pci_assign_memory:
    push es
    mov es, [BDA_EBDA_SEG]
    mov esi, [es:EBDA_RAM_TOP]
    pop es
    add esi, 0FFFFFFh           ; RAM top rounded up to 16 MiB...
    and esi, 0FF000000h
    cmp esi, PCI_MEM_BASE
    jae .base_set
    mov esi, PCI_MEM_BASE       ; ...but no lower than the usual hole
.base_set:
    mov ebp, 80000000h          ; the size handled in this pass
.pass:
    mov bx, 0FFFFh
.device:
    call pci_next_function
    jc .next_pass
    mov di, PCI_HEADER_TYPE
    call pci_read_byte
    and al, 7Fh
    jnz .device
    mov di, PCI_BAR0
.bar:
    call pci_bar_size
    test cl, 1
    jnz .next_bar               ; I/O
    cmp eax, ebp
    jne .next_bar
    lea eax, [ebp - 1]          ; align the next address to this size
    add esi, eax
    not eax
    and esi, eax
    mov eax, esi
    add eax, ebp
    jc .no_room
    cmp eax, PCI_MEM_LIMIT
    jbe .fits
.no_room:
    call pci_report_unassigned
    jmp .next_bar
.fits:
    mov eax, esi
    call pci_write_dword
    add esi, ebp
    test cl, 4
    jz .next_bar
    add di, 4                   ; upper half of a 64-bit BAR
    xor eax, eax
    call pci_write_dword
    sub di, 4
.next_bar:
    call pci_next_bar
    jb .bar
    jmp .device
.next_pass:
    shr ebp, 1
    cmp ebp, 10h
    jae .pass
    ret

pci_report_unassigned:
    DEBUG_MSG "BIOS: no room for a PCI BAR of device "
    push ax
    mov ax, bx
    call console_hex16
    pop ax
    DEBUG_MSG 10
    ret

; pci_enable_devices: turns on decoding for the kinds of BAR each device
; has (and always for a VGA, whose legacy ports and memory window follow
; the same bits), and bus mastering for storage controllers, whose
; drivers expect the firmware to have done it.
pci_enable_devices:
    mov bx, 0FFFFh
.device:
    call pci_next_function
    jc .done
    xor dx, dx                  ; command bits to set
    mov di, PCI_HEADER_TYPE
    call pci_read_byte
    and al, 7Fh
    jnz .device
    mov di, PCI_BAR0
.bar:
    call pci_read_dword
    test eax, eax
    jz .next
    test al, 1
    jz .mem
    or dl, PCI_CMD_IO
    jmp .next
.mem:
    test eax, 0FFFFFFF0h
    jz .next
    or dl, PCI_CMD_MEMORY
.next:
    add di, 4
    cmp di, PCI_BAR0 + 6 * 4
    jb .bar
    mov di, PCI_CLASS_REV + 2
    call pci_read_word          ; AH = class, AL = subclass
    cmp ah, 03h
    jne .not_display
    or dl, PCI_CMD_IO | PCI_CMD_MEMORY
.not_display:
    cmp ah, 01h
    jne .write
    or dl, PCI_CMD_IO | PCI_CMD_MASTER
    call piix_ide_enable_decode
.write:
    mov di, PCI_COMMAND
    call pci_read_word
    or ax, dx
    call pci_write_word
    jmp .device
.done:
    ret

; piix_ide_enable_decode: on the PIIX3's IDE function (device BX), sets
; IDE Decode Enable (bit 15 of IDETIM: 40h primary, 42h secondary) for both
; channels.  Its reset value leaves them off (82371SB datasheet) and it is
; the firmware's job to switch them on; Linux's ata_piix skips a channel
; whose bit is clear.  Other controllers' 40h-43h mean something else.
PIIX3_IDE_ID          equ 70108086h
PIIX_IDETIM_PRIMARY   equ 40h
PIIX_IDETIM_SECONDARY equ 42h
IDETIM_DECODE_ENABLE  equ 8000h
piix_ide_enable_decode:
    push eax
    push di
    mov di, PCI_VENDOR
    call pci_read_dword
    cmp eax, PIIX3_IDE_ID
    jne .done
    mov di, PIIX_IDETIM_PRIMARY
.channel:
    call pci_read_word
    or ax, IDETIM_DECODE_ENABLE
    call pci_write_word
    add di, PIIX_IDETIM_SECONDARY - PIIX_IDETIM_PRIMARY
    cmp di, PIIX_IDETIM_SECONDARY
    jbe .channel
.done:
    pop di
    pop eax
    ret

; pci_find_vga: AX = bus/devfn of the first display controller (class
; 03h), CF set if there is none.
pci_find_vga:
    push bx
    push ecx
    push edx
    push si
    push di
    mov di, PCI_CLASS_REV
    mov ecx, 0FF000000h
    mov edx, 03000000h
    xor si, si
    call pci_find
    mov ax, bx
    pop di
    pop si
    pop edx
    pop ecx
    pop bx
    ret

; pci_find: the SI-th device (from 0) whose dword at register DI, masked
; with ECX, equals EDX.  BX = its bus/devfn; CF set if not found.
pci_find:
    push eax
    push si
    mov bx, 0FFFFh
.device:
    call pci_next_function
    jc .done
    call pci_read_dword
    and eax, ecx
    cmp eax, edx
    jne .device
    sub si, 1
    jnc .device
    clc
.done:
    pop si
    pop eax
    ret

; ------------------------------------------------------------------ PCI BIOS (INT 1Ah AH=B1h)

PCIBIOS_OK           equ 00h
PCIBIOS_UNSUPPORTED  equ 81h
PCIBIOS_BAD_VENDOR   equ 83h
PCIBIOS_NOT_FOUND    equ 86h
PCIBIOS_BAD_REGISTER equ 87h
PCIBIOS_BUFFER_SMALL equ 89h

int1a_pci:
    sti
    SERVICE_ENTER
    mov al, [bp + R_AL]
    mov bx, [bp + R_BX]
    mov di, [bp + R_DI]
    mov ah, PCIBIOS_OK
    cmp al, 01h
    je .check
    cmp al, 02h
    je .find_device
    cmp al, 03h
    je .find_class
    cmp al, 08h
    jb .unsupported
    cmp al, 0Dh
    jbe .config
    cmp al, 0Eh
    je .routing
.unsupported:
    mov ah, PCIBIOS_UNSUPPORTED
    jmp .status

; B101h: present; mechanism #1, version 2.10, the last bus, 'PCI '.
.check:
    mov word [bp + R_AX], 0001h
    mov word [bp + R_BX], 0210h
    push BDA_SEG
    pop es
    mov es, [es:BDA_EBDA_SEG]
    mov al, [es:EBDA_PCI_LAST]
    mov [bp + R_CL], al
    mov dword [bp + R_EDX], 20494350h
    CLEAR_CF
    jmp .leave

; B102h: the SI-th device with vendor DX and device CX.
.find_device:
    mov ah, PCIBIOS_BAD_VENDOR
    cmp word [bp + R_DX], 0FFFFh
    je .status
    mov edx, [bp + R_ECX - 2]   ; device << 16 | vendor: CX above DX
    mov dx, [bp + R_DX]
    mov ecx, 0FFFFFFFFh
    mov di, PCI_VENDOR
    jmp .find
; B103h: the SI-th device with class code ECX (bits 0-23).
.find_class:
    mov edx, [bp + R_ECX]
    shl edx, 8
    mov ecx, 0FFFFFF00h
    mov di, PCI_CLASS_REV
.find:
    mov si, [bp + R_SI]
    call pci_find
    mov ah, PCIBIOS_NOT_FOUND
    jc .status
    mov [bp + R_BX], bx
    mov ah, PCIBIOS_OK
    jmp .status

; B108h-B10Dh: read or write a byte, word or dword of configuration space.
.config:
    mov ah, PCIBIOS_BAD_REGISTER
    cmp di, 0FFh
    ja .status
    sub al, 08h                 ; 0-2: read a byte/word/dword, 3-5: write
    mov cl, al
    cmp al, 3
    jb .have_width
    sub al, 3
.have_width:                    ; AL = 0 byte, 1 word, 2 dword
    mov dx, di                  ; a word must be even, a dword 4-aligned
    cmp al, 1
    jne .not_word
    test dl, 1
    jnz .status
.not_word:
    cmp al, 2
    jne .aligned
    test dl, 3
    jnz .status
.aligned:
    cmp cl, 0
    je .rb
    cmp cl, 1
    je .rw
    cmp cl, 2
    je .rd
    mov eax, [bp + R_ECX]
    cmp cl, 3
    je .wb
    cmp cl, 4
    je .ww
    call pci_write_dword
    jmp .ok
.wb:
    call pci_write_byte
    jmp .ok
.ww:
    call pci_write_word
    jmp .ok
.rb:
    call pci_read_byte
    mov [bp + R_CL], al
    jmp .ok
.rw:
    call pci_read_word
    mov [bp + R_CX], ax
    jmp .ok
.rd:
    call pci_read_dword
    mov [bp + R_ECX], eax
.ok:
    mov ah, PCIBIOS_OK
    jmp .status

; B10Eh: the interrupt routing options.  ES:DI points at
;   word  buffer size, dword far pointer to the buffer;
; the buffer receives the slot entries of the $PIR table, BX the IRQs
; reserved for PCI (none: ours are shared with ISA when unused).
.routing:
    mov es, [bp + R_ES]
    mov ax, pir_slots_end - pir_slots
    mov cx, [es:di]
    mov [es:di], ax
    cmp cx, ax
    mov ah, PCIBIOS_BUFFER_SMALL
    jb .status
    mov cx, pir_slots_end - pir_slots
    les di, [es:di + 2]
    push ds
    push cs
    pop ds
    mov si, pir_slots
    rep movsb
    pop ds
    mov word [bp + R_BX], 0
    mov ah, PCIBIOS_OK

.status:
    jmp service_status_leave
.leave:
    SERVICE_LEAVE

; ------------------------------------------------------------------ $PIR

; The PCI interrupt routing table (Microsoft's "PCI IRQ Routing Table
; Specification" 1.0): how each slot's INTA-D pins reach the router's
; PIRQ links.  Operating systems find it by its signature on a 16-byte
; boundary in F0000h-FFFFFh and can then re-route interrupts themselves.
; The link value is the PIIX3 register (60h-63h) of the PIRQ line; every
; link may be steered to any of the four PCI IRQs.  The checksum byte
; makes the table's bytes sum to zero; the assembler adds them up as it
; emits them.
PIR_SLOTS       equ 31
%assign pir_sum 0
%assign pir_emit 0
%macro PIR_BYTE 1
    %if pir_emit
    db (%1) & 0FFh
    %endif
    %assign pir_sum pir_sum + ((%1) & 0FFh)
%endmacro
%macro PIR_WORD 1
    PIR_BYTE (%1)
    PIR_BYTE (%1) >> 8
%endmacro
%macro PIR_SLOT_ENTRIES 0
    %assign slot 1
    %rep PIR_SLOTS
    PIR_BYTE 0                          ; bus
    PIR_BYTE slot << 3                  ; device
    %assign pin 1
    %rep 4
    PIR_BYTE 60h + ((slot + pin - 2) & 3)   ; link: PIIX3 PIRQ register
    PIR_WORD PCI_IRQ_BITMAP                 ; IRQs the link can take
    %assign pin pin + 1
    %endrep
    PIR_BYTE slot                       ; slot number
    PIR_BYTE 0
    %assign slot slot + 1
    %endrep
%endmacro

    PIR_SLOT_ENTRIES                    ; first pass: only adds them up
%assign pir_emit 1
    align 16
pir_table:
    PIR_BYTE '$'
    PIR_BYTE 'P'
    PIR_BYTE 'I'
    PIR_BYTE 'R'
    PIR_WORD 0100h                      ; version 1.0
    PIR_WORD 32 + 16 * PIR_SLOTS        ; table size
    PIR_BYTE 0                          ; router bus
    PIR_BYTE 1 << 3                     ; router devfn: 00:01.0
    PIR_WORD 0                          ; IRQs dedicated to PCI: none
    PIR_WORD 8086h                      ; compatible router: PIIX3
    PIR_WORD 7000h
    PIR_WORD 0                          ; miniport data
    PIR_WORD 0
    %rep 11
    PIR_BYTE 0                          ; reserved
    %endrep
    db -pir_sum & 0FFh                  ; checksum: the table sums to zero
pir_slots:
    PIR_SLOT_ENTRIES
pir_slots_end:
