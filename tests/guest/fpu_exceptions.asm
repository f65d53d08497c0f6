; x87 exception delivery in real mode through the IVT: the FNINIT/FNSTSW/
; FNSTCW probe Linux makes, #NM from CR0.TS (the lazy FPU switch: the
; handler clears TS and the instruction runs again), WAIT's #NM only with
; MP and TS, CR0.EM faulting every ESC opcode but not WAIT, and #MF with
; CR0.NE = 1 reported at the next waiting instruction, not at the one that
; raised the unmasked exception and not at a no-wait one (SDM vol. 1 8.7,
; vol. 3 2.5 and 6.15).  Expected values are worked out by hand.
%include "lib.inc"

CR0_MP equ 0x02
CR0_EM equ 0x04
CR0_TS equ 0x08
CR0_NE equ 0x20

NM_COUNT equ 0x600
MF_COUNT equ 0x602
MF_IP    equ 0x604
SCRATCH  equ 0x610

%macro CR0_SET 1
    mov eax, cr0
    or eax, %1
    mov cr0, eax
%endmacro
%macro CR0_CLEAR 1
    mov eax, cr0
    and eax, ~(%1)
    mov cr0, eax
%endmacro

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax
    mov word [7 * 4], nm_handler
    mov word [7 * 4 + 2], 0xF000
    mov word [16 * 4], mf_handler
    mov word [16 * 4 + 2], 0xF000
    mov word [NM_COUNT], 0
    mov word [MF_COUNT], 0

    ; --- the probe: an FPU answers FNSTSW with 0 and FNSTCW with 037Fh
    CR0_CLEAR CR0_EM | CR0_TS
    CR0_SET CR0_NE | CR0_MP
    fninit
    mov word [SCRATCH], 0x5A5A
    fnstsw [SCRATCH]
    CHECK word [SCRATCH], 0, "fnstsw after fninit"
    fnstcw [SCRATCH]
    CHECK word [SCRATCH], 0x037F, "fnstcw after fninit"

    ; --- 1 + 2 = 3 through integer load, add and store
    mov word [SCRATCH], 2
    fld1
    fiadd word [SCRATCH]
    fistp word [SCRATCH + 2]
    CHECK word [SCRATCH + 2], 3, "fld1 + 2"

    ; --- CR0.TS: #NM, the handler clears TS, FLD1 runs again
    CR0_SET CR0_TS
    fld1
    CHECK word [NM_COUNT], 1, "#NM from TS"
    fistp word [SCRATCH]
    CHECK word [SCRATCH], 1, "fld1 after #NM"

    ; --- WAIT: no #NM with TS alone, #NM with TS and MP
    CR0_CLEAR CR0_MP
    CR0_SET CR0_TS
    fwait
    CHECK word [NM_COUNT], 1, "wait with TS, MP clear"
    CR0_SET CR0_MP
    fwait
    CHECK word [NM_COUNT], 2, "wait with TS and MP"

    ; --- CR0.EM: WAIT goes through, FNOP faults (the handler clears EM)
    CR0_SET CR0_EM
    fwait
    CHECK word [NM_COUNT], 2, "wait with EM"
    fnop
    CHECK word [NM_COUNT], 3, "fnop with EM"
    fninit                          ; and with EM clear again, no fault
    CHECK word [NM_COUNT], 3, "fninit after the handler"

    ; --- #MF: 1/0 with ZE unmasked leaves the exception pending
    mov word [SCRATCH], 0x037B
    fldcw [SCRATCH]
    fld1
    fldz
    fdivp st1, st0                  ; ST(1) = ST(1) / ST(0): ZE, nothing stored
    fnstsw ax                       ; no-wait: reads B, TOP = 6, ES, ZE
    CHECK ax, 0xB084, "status word with ZE pending"
    CHECK word [MF_COUNT], 0, "no #MF before a waiting instruction"
.mf_at:
    fwait                           ; #MF here; the handler clears the flags
    CHECK word [MF_COUNT], 1, "#MF count"
    CHECK word [MF_IP], .mf_at, "#MF return address"
    fstp st0                        ; drop the 0.0
    fistp word [SCRATCH]            ; ST(0) is still 1.0
    CHECK word [SCRATCH], 1, "destination kept by the unmasked exception"
    PASS

; #NM: count, clear EM and TS, return to the faulting instruction.
nm_handler:
    push eax
    inc word [NM_COUNT]
    mov eax, cr0
    and eax, ~(CR0_EM | CR0_TS)
    mov cr0, eax
    pop eax
    iret

; #MF: count, note the return address, clear the exception flags.
mf_handler:
    push bp
    push ax
    mov bp, sp
    inc word [MF_COUNT]
    mov ax, [bp + 4]
    mov [MF_IP], ax
    fnclex
    pop ax
    pop bp
    iret

ROM_END
