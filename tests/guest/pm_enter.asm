; Entering protected mode and leaving it again: LGDT, MOV CR0, far JMP to
; a 32-bit segment, segment loads, LTR; the system instructions' results
; (SGDT, SIDT, SMSW, STR, SLDT, LAR, LSL, VERR, VERW, ARPL, CPUID, MSRs);
; then back to real mode through a 16-bit segment.  Expected values come
; from the descriptors the test itself built and the SDM's definitions.
%include "lib.inc"
%include "pm.inc"

start:
    PM_ENTER

bits 32
pm_start:
    CHECKD esp, STACK0_TOP, "esp"
    mov ax, cs
    CHECKD eax, SEL_CODE32, "cs"
    ; SGDT/SIDT store limit and base.
    sgdt [0x600]
    CHECKD dword [0x602], GDT_BASE, "sgdt base"
    movzx eax, word [0x600]
    CHECKD eax, 64 * 8 - 1, "sgdt limit"
    sidt [0x608]
    CHECKD dword [0x60A], IDT_BASE, "sidt base"
    ; A 16-bit SGDT stores 24 bits of base and a zero sixth byte.
    lgdt [cs:gdt_high]
    mov dword [0x610], 0xFFFFFFFF
    o16 sgdt [0x60E]
    CHECKD dword [0x610], 0x00345678, "o16 sgdt base"
    o16 lgdt [cs:gdt_high]               ; loads base 0x345678
    sgdt [0x618]
    CHECKD dword [0x61A], 0x00345678, "o16 lgdt base"
    lgdt [cs:gdt_pointer]
    ; SMSW / MOV CR0: PE and ET set.
    smsw eax
    and eax, 0x11
    CHECKD eax, 0x11, "smsw"
    str ax
    CHECKD eax, SEL_TSS0, "str"
    sldt ax
    CHECKD eax, 0, "sldt"
    ; LTR marked the TSS busy (type 0x8B).
    movzx eax, byte [GDT_BASE + SEL_TSS0 + 5]
    CHECKD eax, 0x8B, "tss busy"

    ; LAR: access rights of the ring-3 code segment, 32-bit form masks
    ; 0x00F0FF00 (G=0 D=1 -> 0x0040FB00 with the accessed bit off).
    mov ecx, SEL_CODE32_3
    lar eax, ecx
    jnz .bad_lar
    CHECKD eax, 0x0040FB00, "lar"
    mov ecx, SEL_DATA
    lsl eax, ecx
    jnz .bad_lar
    CHECKD eax, 0xFFFFFFFF, "lsl flat"
    mov ecx, SEL_TSS0
    lsl eax, ecx
    CHECKD eax, 0x67, "lsl tss"
    ; An interrupt-gate-type descriptor is invisible to LAR.
    SETDESC SEL_FREE, 0x00080000, 0x8E00
    mov ecx, SEL_FREE
    mov eax, 0x12345678
    lar eax, ecx
    jz .bad_lar
    CHECKD eax, 0x12345678, "lar on gate changed dest"
    ; VERR/VERW.
    mov cx, SEL_CODE32
    verr cx
    jnz .bad_ver                         ; readable code
    verw cx
    jz .bad_ver                          ; code is never writable
    mov cx, SEL_DATA
    verw cx
    jnz .bad_ver
    mov cx, 0
    verr cx
    jz .bad_ver                          ; null selector
    ; ARPL raises RPL 0 to 3 and sets ZF; a second time nothing changes.
    mov eax, 0x0010
    mov cx, 0x0003
    arpl ax, cx
    jnz .bad_arpl
    CHECKD eax, 0x0013, "arpl"
    arpl ax, cx
    jz .bad_arpl

    ; LLDT: an LDT at 0x5000 (two entries) whose entry 1 is data at 0x5100.
    SETDESC SEL_FREE + 8, (0x5000 << 16) | 0x0F, 0x8200
    mov dword [0x5008], 0x5100FFFF
    mov dword [0x500C], 0x00009200
    mov ax, SEL_FREE + 8
    lldt ax
    sldt bx
    CHECKD ebx, SEL_FREE + 8, "sldt after lldt"
    mov ax, 0x000C                      ; index 1, TI=1
    mov es, ax
    mov dword [0x5104], 0xABCD1234
    CHECKD dword [es:4], 0xABCD1234, "ldt data segment base"
    EXPECT_FAULT .ldt1_done
    mov ax, 0x0014                      ; index 2: beyond the LDT limit
.ldt1:
    mov es, ax
.ldt1_done:
    CHECK_FAULT 13, 0x14, .ldt1, "selector beyond the ldt"
    EXPECT_FAULT .ldt2_done
    mov ax, SEL_DATA                    ; not an LDT descriptor
.ldt2:
    lldt ax
.ldt2_done:
    CHECK_FAULT 13, SEL_DATA, .ldt2, "lldt of a data descriptor"
    xor eax, eax
    lldt ax                             ; null LDT: LDT selectors fault
    EXPECT_FAULT .ldt3_done
    mov ax, 0x000C
.ldt3:
    mov es, ax
.ldt3_done:
    CHECK_FAULT 13, 0x0C, .ldt3, "ldt selector with a null ldtr"
    mov ax, SEL_DATA
    mov es, ax

    ; CPUID: our vendor, family 6, and the features that work.
    xor eax, eax
    cpuid
    CHECKD eax, 1, "cpuid max leaf"
    CHECKD ebx, "x86s", "vendor 1"
    CHECKD edx, "im P", "vendor 2"
    CHECKD ecx, "6 PC", "vendor 3"
    mov eax, 1
    cpuid
    CHECKD eax, 0x633, "cpuid signature"
    and edx, (1 << 4) | (1 << 5) | (1 << 11)
    CHECKD edx, (1 << 4) | (1 << 5) | (1 << 11), "cpuid tsc msr sep"

    ; MSRs: SYSENTER_EIP reads back, an unknown MSR raises #GP(0).
    mov ecx, 0x176
    mov eax, 0xCAFEBABE
    xor edx, edx
    wrmsr
    xor eax, eax
    rdmsr
    CHECKD eax, 0xCAFEBABE, "sysenter_eip msr"
    EXPECT_FAULT .after_msr
    mov ecx, 0x12345
.bad_msr:
    rdmsr
    FAIL32 "rdmsr of an unknown msr did not fault"
.after_msr:
    CHECK_FAULT 13, 0, .bad_msr, "unknown msr"
    ; The TSC counts up.
    rdtsc
    mov ebx, eax
    rdtsc
    sub eax, ebx
    jbe .bad_tsc

    ; MOV CR4 with a bit of a feature a P6 lacks (OSXMMEXCPT) -> #GP(0).
    EXPECT_FAULT .after_cr4
    mov eax, 1 << 10
.bad_cr4:
    mov cr4, eax
    FAIL32 "cr4.osxmmexcpt accepted"
.after_cr4:
    CHECK_FAULT 13, 0, .bad_cr4, "cr4 reserved"
    ; PG without PE -> #GP(0).
    EXPECT_FAULT .after_cr0
    mov eax, 0x80000010
.bad_cr0:
    mov cr0, eax
    FAIL32 "cr0.pg without pe accepted"
.after_cr0:
    CHECK_FAULT 13, 0, .bad_cr0, "cr0 pg without pe"
    ; CR4.DE is supported and reads back.
    mov eax, 1 << 3
    mov cr4, eax
    mov ebx, cr4
    CHECKD ebx, 1 << 3, "cr4.de"
    xor eax, eax
    mov cr4, eax

    ; Far CALL/RETF at the same level: direct, through memory (m16:32),
    ; RETF imm16 releasing parameters; far JMP through memory.
    mov ebx, esp
    call SEL_CODE32:far_sub
    CHECKD eax, SEL_CODE32, "far call pushed cs"
    CHECKD esp, ebx, "esp after retf"
    mov dword [0x640], far_sub
    mov word [0x644], SEL_CODE32
    call far [0x640]
    CHECKD eax, SEL_CODE32, "far call m16:32"
    push dword 7
    push dword 8
    call SEL_CODE32:far_sub_release
    CHECKD esp, ebx, "retf 8 released the parameters"
    mov dword [0x640], .jmp_target
    jmp far [0x640]
    FAIL32 "jmp far [mem]"
.jmp_target:
    ; A far JMP to a data segment: #GP(selector).
    EXPECT_FAULT .jf_done
.jf:
    jmp SEL_DATA:0
.jf_done:
    CHECK_FAULT 13, SEL_DATA, .jf, "jmp to a data segment"
    ; A far JMP beyond the code segment's limit: #GP(0).
    EXPECT_FAULT .jl_done
.jl:
    jmp SEL_CODE32:0x10000
.jl_done:
    CHECK_FAULT 13, 0, .jl, "jmp beyond the limit"

    ; Back to real mode: a 16-bit code segment, 64 KiB data segments, PE off.
    jmp SEL_CODE16:.pm16
bits 16
.pm16:
    mov ax, SEL_DATA16
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr0
    and eax, 0x7FFFFFFE
    mov cr0, eax
    jmp 0xF000:.real
.real:
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7000
    mov word [0x700], 0x1234
    CHECK word [0x700], 0x1234, "real mode memory"
    mov ax, cs
    CHECK ax, 0xF000, "real mode cs"
    mov eax, cr0
    test al, 1
    jnz .bad16
    ; Real-mode far CALL/RETF, direct and through memory (m16:16).
    mov bx, sp
    call 0xF000:real_far_sub
    CHECK ax, 0xF000, "real far call pushed cs"
    CHECK sp, bx, "real retf"
    mov word [0x640], real_far_sub
    mov word [0x642], 0xF000
    call far [0x640]
    CHECK ax, 0xF000, "real far call m16:16"
    mov word [0x640], .real_jmp
    jmp far [0x640]
    FAIL "real jmp far [mem]"
.real_jmp:
    PASS
.bad16:
    FAIL "still protected"
bits 32
.bad_lar:
    FAIL32 "lar/lsl zf"
.bad_ver:
    FAIL32 "verr/verw"
.bad_arpl:
    FAIL32 "arpl zf"
.bad_tsc:
    FAIL32 "tsc does not count"

; Far subroutines: EAX = the CS the far CALL pushed.
far_sub:
    mov eax, [esp + 4]
    retf
far_sub_release:
    CHECKD dword [esp + 8], 8, "parameter below the return address"
    retf 8
bits 16
real_far_sub:
    mov bp, sp
    mov ax, [bp + 2]
    retf
bits 32

gdt_high:
    dw 0x1FF
    dd 0x12345678

    PM_END
