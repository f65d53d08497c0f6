; irq.asm - the two 8259A interrupt controllers and the interrupts nobody
; else claims.
;
; The PC/AT wires two 8259As in cascade: the master takes IRQ 0-7 and the
; slave's output on its IRQ 2 input; the slave takes IRQ 8-15.  The BIOS
; programs the master to vectors 08h-0Fh and the slave to 70h-77h, which
; every real-mode program expects (IBM's choice; it collides with the CPU's
; exception vectors, which is why protected-mode systems move them).

PIC_ICW1_INIT   equ 11h     ; edge triggered, cascade, ICW4 follows
PIC_ICW4_8086   equ 01h     ; 8086 mode, normal (not automatic) EOI
PIC_EOI         equ 20h     ; non-specific end of interrupt
PIC_READ_ISR    equ 0Bh     ; OCW3: the next read of the command port returns the ISR

; Interrupts POST leaves unmasked: the timer, keyboard, cascade and floppy
; on the master; the RTC, the FPU and the two IDE channels on the slave.
; The serial and parallel ports are polled by INT 14h/17h, and PCI devices
; get their interrupts when a driver enables them.
PIC1_MASK       equ ~((1 << 0) | (1 << 1) | (1 << 2) | (1 << 6)) & 0FFh
PIC2_MASK       equ ~((1 << 0) | (1 << 5) | (1 << 6) | (1 << 7)) & 0FFh

; pic_init: both controllers through their initialisation sequence.
pic_init:
    mov al, PIC_ICW1_INIT
    out PORT_PIC1_CMD, al
    out PORT_PIC2_CMD, al
    mov al, 08h                 ; ICW2: master vector base
    out PORT_PIC1_DATA, al
    mov al, 70h                 ; ICW2: slave vector base
    out PORT_PIC2_DATA, al
    mov al, 04h                 ; ICW3: slave on master's IRQ 2 (bit mask)
    out PORT_PIC1_DATA, al
    mov al, 02h                 ; ICW3: slave's cascade identity
    out PORT_PIC2_DATA, al
    mov al, PIC_ICW4_8086
    out PORT_PIC1_DATA, al
    out PORT_PIC2_DATA, al
    mov al, PIC1_MASK
    out PORT_PIC1_DATA, al
    mov al, PIC2_MASK
    out PORT_PIC2_DATA, al
    ret

; pic_unmask: enables IRQ number CL (0-15).
pic_unmask:
    push ax
    push cx
    push dx
    mov dx, PORT_PIC1_DATA
    cmp cl, 8
    jb .master
    mov dx, PORT_PIC2_DATA
    sub cl, 8
.master:
    mov ah, 1
    shl ah, cl
    not ah
    in al, dx
    and al, ah
    out dx, al
    pop dx
    pop cx
    pop ax
    ret

; eoi_master / eoi_both: end of interrupt for an IRQ on the master, or on
; the slave (which needs one for each controller).
eoi_both:
    push ax
    mov al, PIC_EOI
    out PORT_PIC2_CMD, al
    out PORT_PIC1_CMD, al
    pop ax
    ret
eoi_master:
    push ax
    mov al, PIC_EOI
    out PORT_PIC1_CMD, al
    pop ax
    ret

; ------------------------------------------------------------------ default handlers

; The dummy handler for software interrupts nobody implements (IBM's
; "DUMMY_RETURN").
dummy_iret:
    iret

; unexpected_irq_master / unexpected_irq_slave: an IRQ without a handler.
; The in-service register tells a real interrupt from a spurious one: a
; spurious IRQ 7 (or 15) is raised by an 8259 whose request went away
; before the acknowledge cycle, and has no ISR bit.  A spurious interrupt
; must not get an EOI (it would end some other interrupt's service); for
; a spurious IRQ 15 the master did see a real request on its IRQ 2 and
; gets its EOI.  A real interrupt from a device without a handler is masked
; so it cannot storm, as the PC/AT BIOS does, and its number is kept in
; BDA 6Bh.
unexpected_irq_master:
    push ax
    push ds
    mov al, PIC_READ_ISR
    out PORT_PIC1_CMD, al
    in al, PORT_PIC1_CMD
    test al, al
    jz .spurious
    push ax
    mov ah, al
    in al, PORT_PIC1_DATA
    or al, ah
    and al, ~04h & 0FFh         ; never mask the cascade input
    out PORT_PIC1_DATA, al
    pop ax
    call eoi_master
    jmp unexpected_irq_record
.spurious:
    mov al, 0FFh
    jmp unexpected_irq_record

unexpected_irq_slave:
    push ax
    push ds
    mov al, PIC_READ_ISR
    out PORT_PIC2_CMD, al
    in al, PORT_PIC2_CMD
    test al, al
    jz .spurious
    push ax
    mov ah, al
    in al, PORT_PIC2_DATA
    or al, ah
    out PORT_PIC2_DATA, al
    pop ax
    call eoi_both
    jmp unexpected_irq_record
.spurious:
    call eoi_master             ; the cascade request on the master was real
    mov al, 0FFh
unexpected_irq_record:
    push BDA_SEG
    pop ds
    mov [BDA_LAST_IRQ], al      ; ISR bits of the interrupt, or FFh if spurious
    pop ds
    pop ax
    iret

; ------------------------------------------------------------------ FPU (IRQ 13)

; The coprocessor's error signal (FERR#) reaches the PIC as IRQ 13 on a
; PC/AT.  The handler clears the latch that holds it (a write to port F0h),
; ends the interrupt, and hands the error to INT 02h, where DOS-era
; programs expect coprocessor errors (the 8087 PC reported them as NMIs).
irq13_fpu:
    push ax
    xor al, al
    out PORT_FPU_CLEAR, al
    call eoi_both
    pop ax
    int 02h
    iret

; ------------------------------------------------------------------ NMI

; A non-maskable interrupt on a PC means a memory parity or I/O channel
; check error (port 61h bits 7 and 6).  Nothing can be repaired; the
; handler reports which on the debug port and returns.
nmi_handler:
    push ax
    in al, PORT_SYS_CTRL_B
    test al, 0C0h
    jz .done
    DEBUG_MSG {"BIOS: NMI (parity or I/O channel check)", 10}
.done:
    pop ax
    iret

; ------------------------------------------------------------------ local APIC

; lapic_init: a P6-class or later CPU has a local APIC, and after reset it
; takes no interrupt from the 8259 (its LINT0 input is masked).  A PC BIOS
; puts it in "virtual wire" mode (MultiProcessor Specification 1.4,
; 3.6.2.2): LINT0 delivers the 8259's INTR as an external interrupt,
; LINT1 the NMI, and the APIC software-enabled so those entries count.
LAPIC_SVR       equ 0F0h        ; spurious interrupt vector register
LAPIC_LINT0     equ 350h
LAPIC_LINT1     equ 360h
lapic_init:
    call cpu_has_cpuid
    jc .none
    mov eax, 1
    cpuid
    test edx, 1 << 9            ; an on-chip APIC
    jz .none
    mov ecx, 1Bh                ; IA32_APIC_BASE
    rdmsr
    test eax, 1 << 11           ; globally enabled
    jz .none
    and eax, 0FFFFF000h
    mov edi, eax
    mov esi, eax
    add edi, LAPIC_SVR
    mov eax, 1FFh               ; enabled; spurious interrupts on vector FFh
    call flat_write32
    lea edi, [esi + LAPIC_LINT0]
    mov eax, 700h               ; ExtINT
    call flat_write32
    lea edi, [esi + LAPIC_LINT1]
    mov eax, 400h               ; NMI
    call flat_write32
.none:
    ret

; cpu_has_cpuid: CF clear if the CPU has CPUID (EFLAGS.ID can be toggled).
cpu_has_cpuid:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    test eax, 1 << 21
    jnz .yes
    stc
    ret
.yes:
    clc
    ret

; flat_write32: the dword EAX to physical address EDI, beyond real mode's
; reach: a moment in 16-bit protected mode with a flat data segment.
; Interrupts are off meanwhile.
flat_write32:
    push ds
    push dx
    pushfd
    cli
    o32 lgdt [cs:flat_gdtr]
    mov edx, cr0
    or dl, 1
    mov cr0, edx
    jmp FLAT_CODE:.protected
.protected:
    mov dx, FLAT_DATA
    mov ds, dx
    mov [edi], eax
    mov dx, REAL_DATA           ; real mode wants a 64 KiB limit back
    mov ds, dx
    mov edx, cr0
    and dl, ~1 & 0FFh
    mov cr0, edx
    jmp BIOS_SEG:.real
.real:
    popfd
    pop dx
    pop ds
    ret

; The descriptors flat_write32 uses: flat 4 GiB data, this ROM's code
; (16-bit, base F0000h), 64 KiB data for the way back.
FLAT_DATA       equ 08h
FLAT_CODE       equ 10h
REAL_DATA       equ 18h
    align 8
flat_gdt:
    dq 0
    dq 00CF93000000FFFFh
    dq 00009B0F0000FFFFh
    dq 000093000000FFFFh
flat_gdt_end:
flat_gdtr:
    dw flat_gdt_end - flat_gdt - 1
    dd (BIOS_SEG << 4) + flat_gdt
