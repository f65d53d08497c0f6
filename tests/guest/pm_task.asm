; Hardware task switches: JMP to a TSS (busy bits move, no link), CALL to a
; TSS and through a task gate (NT set, back link, old task stays busy),
; IRET with NT back to the caller, INT n through a task gate, an exception
; through a task gate with its error code pushed in the new task, a 16-bit
; TSS, CALL to a busy TSS (#GP), and the T bit (#DB before the new task's
; first instruction).  What a switch saves and loads follows the SDM's
; TSS layout and task-switch steps (vol. 3, 7.3).
%include "lib.inc"
%include "pm.inc"

TSS1 equ 0x4000
TSS2 equ 0x4100
TSS3 equ 0x4200                     ; 16-bit
TSS4 equ 0x4300
TSS5 equ 0x4400
TSS6 equ 0x4500
SEL_TSS1 equ SEL_FREE
SEL_TSS2 equ SEL_FREE + 0x08
SEL_TGATE2 equ SEL_FREE + 0x10      ; task gate to TSS2
SEL_TSS3 equ SEL_FREE + 0x18
SEL_TSS4 equ SEL_FREE + 0x20
SEL_TSS5 equ SEL_FREE + 0x28
SEL_TSS6 equ SEL_FREE + 0x30
SEL_LDT  equ SEL_FREE + 0x38        ; an LDT (empty); not loadable into DS
COUNT2 equ 0x700                    ; how often task 2 ran

; A 32-bit TSS at %1 starting at %2 with stack %3, flat ring-0 segments.
%macro MKTSS32 3
    mov dword [%1 + 0x20], %2
    mov dword [%1 + 0x24], 0x0002
    mov dword [%1 + 0x38], %3
    mov dword [%1 + 0x48], SEL_DATA
    mov dword [%1 + 0x4C], SEL_CODE32
    mov dword [%1 + 0x50], SEL_DATA
    mov dword [%1 + 0x54], SEL_DATA
    mov dword [%1 + 0x58], SEL_DATA
    mov dword [%1 + 0x5C], SEL_DATA
    mov word [%1 + 0x66], 0x68
%endmacro
%define TSSDESC(base, limit, type) ((base) << 16) | (limit), (type) << 8

; The busy bit of TSS descriptor %1 must be %2 (0 or 2).
%macro CHECK_BUSY 3
    movzx eax, byte [GDT_BASE + %1 + 5]
    and eax, 2
    CHECKD eax, %2, %3
%endmacro

start:
    PM_ENTER

bits 32
pm_start:
    MKTSS32 TSS1, task1, 0x7000
    mov dword [TSS1 + 0x28], 0x1111     ; EAX
    mov word [TSS1 + 0x60], SEL_LDT     ; task 1 has an LDT
    MKTSS32 TSS2, task2, 0x6C00
    MKTSS32 TSS4, task4, 0x6400
    MKTSS32 TSS5, task5, 0x6000
    MKTSS32 TSS6, task6, 0x5C00
    mov word [TSS6 + 0x64], 1           ; T bit
    ; 16-bit TSS: IP, FLAGS, AX, SP, ES CS SS DS.
    mov word [TSS3 + 0x0E], task3
    mov word [TSS3 + 0x10], 0x0002
    mov word [TSS3 + 0x12], 0x3333
    mov word [TSS3 + 0x1A], 0x6800
    mov word [TSS3 + 0x22], SEL_DATA
    mov word [TSS3 + 0x24], SEL_CODE32
    mov word [TSS3 + 0x26], SEL_DATA
    mov word [TSS3 + 0x28], SEL_DATA
    SETDESC SEL_TSS1, TSSDESC(TSS1, 0x67, 0x89)
    SETDESC SEL_TSS2, TSSDESC(TSS2, 0x67, 0x89)
    SETDESC SEL_TGATE2, SEL_TSS2 << 16, 0x8500
    SETDESC SEL_TSS3, TSSDESC(TSS3, 0x2B, 0x81)
    SETDESC SEL_TSS4, TSSDESC(TSS4, 0x67, 0x89)
    SETDESC SEL_TSS5, TSSDESC(TSS5, 0x67, 0x89)
    SETDESC SEL_TSS6, TSSDESC(TSS6, 0x67, 0x89)
    SETDESC SEL_LDT, 0x0000FFFF, 0x8200
    IDT_GATE 0x90, SEL_TSS4, 0, 0x85    ; task gate
    mov dword [COUNT2], 0

    ; --- JMP to TSS1 and back by JMP.
    mov esi, 0x5A5A5A5A
    mov eax, 0xAAAA
    jmp SEL_TSS1:0
after_jmp:
    CHECKD esi, 0x5A5A5A5A, "esi restored from tss0"
    CHECKD eax, 0xAAAA, "eax restored from tss0"
    sldt ax
    CHECKD eax, 0, "ldtr from tss0"
    str ax
    CHECKD eax, SEL_TSS0, "tr back to tss0"
    CHECK_BUSY SEL_TSS0, 2, "tss0 busy again"
    CHECK_BUSY SEL_TSS1, 0, "tss1 freed by jmp"
    CHECKD dword [TSS1 + 0x28], 0x1112, "task1 state saved in tss1"
    mov eax, cr0
    and eax, 8
    CHECKD eax, 8, "cr0.ts set by a task switch"
    clts

    ; --- CALL to TSS2: nested, IRET back.
    call SEL_TSS2:0
    CHECKD dword [COUNT2], 1, "task2 ran"
    CHECK_BUSY SEL_TSS2, 0, "tss2 freed by iret"
    CHECK_BUSY SEL_TSS0, 2, "tss0 busy after iret"
    pushfd
    pop eax
    and eax, 0x4000
    CHECKD eax, 0, "nt clear in the caller"
    ; --- the same task through a task gate: it resumes after its IRET.
    call SEL_TGATE2:0
    CHECKD dword [COUNT2], 2, "task2 through task gate"

    ; --- CALL to a busy TSS: #GP(selector).
    EXPECT_FAULT .busy_done
.busy:
    call SEL_TSS0:0
.busy_done:
    CHECK_FAULT 13, SEL_TSS0, .busy, "call to busy tss"

    ; --- INT through a task gate.
    mov ebx, 0
    int 0x90
    CHECKD ebx, 0x4444, "task4 via int"
    CHECK_BUSY SEL_TSS4, 0, "tss4 freed"

    ; --- a 16-bit TSS.
    mov ebx, 0
    call SEL_TSS3:0
    CHECKD ebx, 0x3333, "task3 (16-bit tss)"
    CHECK_BUSY SEL_TSS3, 0, "tss3 freed"

    ; --- #GP through a task gate: the error code on the new task's stack.
    IDT_GATE 13, SEL_TSS5, 0, 0x85
    mov ax, SEL_LDT
gp_here:
    mov ds, ax
gp_resume:
    IDT_GATE 13, SEL_CODE32, exc_stubs + 13 * exc_stub_size, 0x8E
    CHECKD ebx, 0x5555, "task5 ran for #GP"

    ; --- the T bit: #DB before task6's first instruction.
    mov dword [REC_RESUME], task6
    mov dword [REC_COUNT], 0
    jmp SEL_TSS6:0
    jmp after_task6
after_task6:
    CHECKD dword [REC_COUNT], 1, "t bit #db count"
    CHECKD dword [REC_VEC], 1, "t bit vector"
    CHECKD dword [REC_EIP], task6, "t bit eip"
    mov eax, dr6
    and eax, 0x8000
    CHECKD eax, 0x8000, "dr6.bt"
    PASS32

task1:
    str bx
    CHECKD ebx, SEL_TSS1, "tr in task1"
    sldt bx
    CHECKD ebx, SEL_LDT, "ldtr from tss1"
    CHECKD eax, 0x1111, "eax from tss1"
    CHECK_BUSY SEL_TSS1, 2, "tss1 busy"
    CHECK_BUSY SEL_TSS0, 0, "tss0 freed by jmp"
    CHECKD dword [TSS0 + 0x20], after_jmp, "tss0 saved eip"
    CHECKD dword [TSS0 + 0x40], 0x5A5A5A5A, "tss0 saved esi"
    movzx eax, word [TSS1]
    CHECKD eax, 0, "jmp leaves no back link"
    pushfd
    pop eax
    and eax, 0x4000
    CHECKD eax, 0, "nt clear after jmp"
    mov esi, 0
    mov eax, 0x1112
    jmp SEL_TSS0:0

task2:
    pushfd
    pop eax
    and eax, 0x4000
    CHECKD eax, 0x4000, "nt set after call"
    movzx eax, word [TSS2]
    CHECKD eax, SEL_TSS0, "back link to tss0"
    CHECK_BUSY SEL_TSS0, 2, "caller stays busy"
    CHECK_BUSY SEL_TSS2, 2, "tss2 busy"
    inc dword [COUNT2]
    iretd
    jmp task2

task3:
    movzx ebx, ax                       ; AX from the 16-bit TSS
    movzx esp, sp                       ; a 16-bit TSS leaves upper halves undefined
    mov [TSS0 + 0x34], ebx              ; the caller's EBX
    mov ax, fs
    movzx eax, ax
    CHECKD eax, 0, "16-bit tss has no fs"
    iret
    FAIL32 "task3 resumed"

task4:
    movzx eax, word [TSS4]
    CHECKD eax, SEL_TSS0, "int task gate back link"
    mov ebx, 0x4444
    mov [TSS0 + 0x34], ebx              ; the caller's EBX
    iretd
    FAIL32 "task4 resumed"

task5:
    pop eax                             ; the error code
    CHECKD eax, SEL_LDT, "#GP error code in new task"
    CHECKD esp, 0x6000, "esp after popping the error code"
    CHECKD dword [TSS0 + 0x20], gp_here, "faulting eip saved in tss0"
    mov dword [TSS0 + 0x20], gp_resume
    mov dword [TSS0 + 0x34], 0x5555     ; EBX
    iretd
    FAIL32 "task5 resumed"

task6:
    mov dword [REC_RESUME], 0
    jmp SEL_TSS0:0

    PM_END
