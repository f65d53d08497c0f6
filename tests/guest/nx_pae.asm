; Execute-disable under PAE (SDM vol. 3, 4.4 and 4.6; vol. 4, IA32_EFER):
; CPUID reports NX in leaf 0x80000001 EDX bit 20 (and the extended leaves
; and brand string); the EFER MSR (0xC0000080) reads 0, takes NXE (bit 11)
; and refuses every bit we do not implement (SCE, LME, LMA, reserved) with
; #GP(0).  With NXE clear, bit 63 of a PAE entry is reserved: any access
; faults with P|RSVD.  With NXE set, a data access to an NX page works and
; an instruction fetch from it faults with the I/D bit (16) in the error
; code, whether NX comes from the PTE, the PDE or a 2 MiB page, at CPL 0
; and 3; a fetch from a missing page reports I/D too.  Clearing NXE again
; flushes the TLB: the page that was just readable faults again.
%include "lib.inc"
%include "pm.inc"

PDPT        equ 0x20000
PD0         equ 0x21000         ; 0-1 GiB: PT0 (identity 0-2 MiB)
PT0         equ 0x22000
PD1         equ 0x23000         ; 1-2 GiB: the test pages
PT1         equ 0x24000         ; PAGES + 0 .. 2 MiB
PT2         equ 0x25000         ; PAGES + 2 MiB: under a PDE with NX
PAGES       equ 0x40000000
FRAME_A     equ 0x100000        ; holds the code: mov eax, 0x12345678; retf
FRAME_BIG   equ 0x200000        ; a 2 MiB frame, the same code at its start
NX_HI       equ 0x80000000      ; bit 63 in the high dword of an entry

SEL_FLAT    equ SEL_FREE        ; ring 0 code, base 0, 4 GiB
SEL_FLAT_3  equ SEL_FREE + 8 + 3 ; ring 3 code, base 0, 4 GiB

MSR_EFER    equ 0xC0000080
EFER_NXE    equ 0x800

; FAR_CALL_OK linear, "label": the code at linear runs and returns.
%macro FAR_CALL_OK 2
    mov eax, 0
    call SEL_FLAT:%1
    CHECKD eax, 0x12345678, %2
%endmacro

; FETCH_PF "label", error, linear, flat_sel, back_sel: a far call to
; linear must fault on the fetch there (saved EIP = CR2 = linear).  The
; handler resumes in the flat segment, which jumps back to back_sel.
%macro FETCH_PF 5
    mov dword [REC_RESUME], 0xF0000 + %%flat
    mov dword [REC_COUNT], 0
    mov dword [REC_VEC], 0xFFFFFFFF
    call %4:%3
    FAIL32 {%1, ": no page fault"}
%%flat:
    jmp %5:%%back
%%back:
    add esp, 8                          ; the far call's return address
    CHECK_PF %2, %3, %3, %1
%endmacro

; WRMSR_GP edx, eax, "label": WRMSR EFER must raise #GP(0).
%macro WRMSR_GP 3
    mov ecx, MSR_EFER
    mov edx, %1
    mov eax, %2
    EXPECT_FAULT %%done
%%insn:
    wrmsr
    FAIL32 {%3, ": no #GP"}
%%done:
    CHECK_FAULT 13, 0, %%insn, %3
%endmacro

start:
    PM_ENTER

bits 32
pm_start:
    ; CPUID: the extended leaves.
    mov eax, 0x80000000
    cpuid
    CHECKD eax, 0x80000004, "highest extended leaf"
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 20
    jnz .has_nx
    FAIL32 "cpuid 0x80000001: no nx"
.has_nx:
    test edx, 1 << 29
    jz .no_lm
    FAIL32 "cpuid 0x80000001: long mode reported"
.no_lm:
    mov eax, 0x80000002
    cpuid
    CHECKD eax, 'x86s', "brand string"
    mov eax, 0x80000005                 ; beyond: the highest basic leaf (1)
    cpuid
    CHECKD eax, 0x633, "leaf beyond the extended range"

    ; EFER: 0 after reset; only NXE can be set.
    mov ecx, MSR_EFER
    rdmsr
    CHECKD eax, 0, "efer low after reset"
    CHECKD edx, 0, "efer high after reset"
    WRMSR_GP 0, 0x001, "efer.sce"
    WRMSR_GP 0, 0x100, "efer.lme"
    WRMSR_GP 0, 0x400, "efer.lma"
    WRMSR_GP 0, 0x802, "efer bit 1 with nxe"
    WRMSR_GP 1, 0x800, "efer bit 32 with nxe"
    mov ecx, MSR_EFER
    rdmsr
    CHECKD eax, 0, "efer unchanged by refused writes"

    ; Page tables.  Code at FRAME_A and FRAME_BIG.
    mov dword [FRAME_A], 0x345678B8     ; B8 78 56 34 12: mov eax, 0x12345678
    mov dword [FRAME_A + 4], 0x0000CB12 ; CB: retf
    mov eax, [FRAME_A]
    mov [FRAME_BIG], eax
    mov eax, [FRAME_A + 4]
    mov [FRAME_BIG + 4], eax
    PAE_IDENTITY_PT PT0                 ; 0-2 MiB
    SET64 PD0, PT0 | 7, 0
    SET64 PD1, PT1 | 7, 0
    SET64 PD1 + 8, PT2 | 7, NX_HI               ; NX at the PDE level
    SET64 PD1 + 2 * 8, FRAME_BIG | 0x87, NX_HI  ; an NX 2 MiB page
    SET64 PT1, FRAME_A | 7, NX_HI               ; PAGES: NX
    SET64 PT1 + 8, FRAME_A | 7, 0               ; PAGES + 4 KiB: executable
    SET64 PT1 + 16 * 8, FRAME_A | 7, NX_HI      ; PAGES + 64 KiB: NX, a TLB slot
                                                ; no other page here uses
    SET64 PT2, FRAME_A | 7, 0                   ; executable, but the PDE says NX
    SET64 PDPT, PD0 | 1, 0
    SET64 PDPT + 8, PD1 | 1, 0
    SETDESC SEL_FLAT, 0x0000FFFF, 0x00CF9B00
    SETDESC SEL_FLAT_3, 0x0000FFFF, 0x00CFFB00
    mov eax, cr4
    or eax, 0x20                        ; PAE
    mov cr4, eax
    PAGING_ON PDPT

    ; NXE clear: bit 63 is reserved, for data and for fetches (no I/D bit).
    EXPECT_PF "read, nx bit without nxe", 9, PAGES, mov eax, [PAGES]
    FETCH_PF "fetch, nx bit without nxe", 9, PAGES, SEL_FLAT, SEL_CODE32
    FAR_CALL_OK PAGES + 0x1000, "fetch from an executable page"

    ; NXE on.
    mov ecx, MSR_EFER
    xor edx, edx
    mov eax, EFER_NXE
    wrmsr
    rdmsr
    CHECKD eax, EFER_NXE, "efer reads back nxe"
    CHECKD dword [PAGES], 0x345678B8, "data read of an nx page"
    mov dword [PAGES + 8], 0x5A5A5A5A
    CHECKD dword [FRAME_A + 8], 0x5A5A5A5A, "data write to an nx page"
    FETCH_PF "fetch from an nx pte", 0x11, PAGES, SEL_FLAT, SEL_CODE32
    FETCH_PF "fetch from a page under an nx pde", 0x11, PAGES + 0x200000, SEL_FLAT, SEL_CODE32
    CHECKD dword [PAGES + 0x200000], 0x345678B8, "data read under an nx pde"
    FETCH_PF "fetch from an nx 2 MiB page", 0x11, PAGES + 0x400000, SEL_FLAT, SEL_CODE32
    CHECKD dword [PAGES + 0x400000], 0x345678B8, "data read of an nx 2 MiB page"
    FETCH_PF "fetch from a missing page", 0x10, PAGES + 0x2000, SEL_FLAT, SEL_CODE32
    EXPECT_PF "read of a missing page", 0, PAGES + 0x2000, mov eax, [PAGES + 0x2000]
    FAR_CALL_OK PAGES + 0x1000, "fetch from an executable page with nxe"

    ; NXE off again: the cached translation must be gone.  PAGES + 64 KiB
    ; is read just before, and nothing in between touches its TLB slot.
    CHECKD dword [PAGES + 0x10000], 0x345678B8, "data read before nxe is cleared"
    mov ecx, MSR_EFER
    xor edx, edx
    xor eax, eax
    wrmsr
    EXPECT_PF "read after nxe cleared", 9, PAGES + 0x10000, mov eax, [PAGES + 0x10000]

    ; CPL 3 with NXE: a user fetch from an NX page (error P|U|I).
    mov ecx, MSR_EFER
    xor edx, edx
    mov eax, EFER_NXE
    wrmsr
    IOMAP_ONLY_E9
    IDT_GATE 0x83, SEL_CODE32, finish, 0xEE ; ring 3 ends the test at ring 0
    TO_RING3 ring3

ring3:
    mov ax, SEL_DATA_3
    mov ds, ax
    mov es, ax
    CHECKD dword [PAGES], 0x345678B8, "user data read of an nx page"
    FETCH_PF "user fetch from an nx page", 0x15, PAGES, SEL_FLAT_3, SEL_CODE32_3
    mov eax, 0
    call SEL_FLAT_3:PAGES + 0x1000
    CHECKD eax, 0x12345678, "user fetch from an executable page"
    int 0x83

finish:
    PASS32

PM_END
