; 32-bit paging from the guest's side (SDM vol. 3, 4.3-4.8): page tables
; built in RAM, CR3 and CR0.PG, then faults on purpose.  The #PF handler
; (pm.inc) records the vector, error code, faulting EIP and CR2.  Covered:
; translation, Accessed/Dirty bits as the walk leaves them, not-present
; PDE and PTE, writes to read-only pages with CR0.WP clear and set, user
; accesses to supervisor pages from ring 3, INVLPG and CR3 reloads, 4 MiB
; pages (CR4.PSE) and their reserved bits, a page-crossing store that
; faults on its second page without writing the first, and instruction
; fetches from a page that is not present (a jump there, an instruction
; running into it), and a ring-3 fetch from a supervisor page right
; after the same IRET ran into it at ring 0.
; Error code bits: P=1 W=2 U=4 RSVD=8.
%include "lib.inc"
%include "pm.inc"

PD          equ 0x20000         ; page directory (CR3)
PT0         equ 0x21000         ; identity map of 0-4 MiB, user and writable
PT1         equ 0x22000         ; the test pages at 4 MiB
PAGES        equ 0x00400000      ; linear address of PT1's first page
FRAME_A     equ 0x100000        ; physical frames (identity-mapped too,
FRAME_B     equ 0x101000        ; so the test can look at them directly)
FRAME_C     equ 0x102000
FRAME_D     equ 0x103000
FRAME_E     equ 0x104000
BIG_PAGE    equ 0x00C00000      ; linear 4 MiB page (PDE 3)
SEL_BIG     equ SEL_FREE        ; ring-0 code, base 0xF0000, 4 GiB limit

; PTE n of PT1 (linear PAGES + n * 4 KiB).
%define PTE(n) dword [PT1 + (n) * 4]

start:
    PM_ENTER

bits 32
pm_start:
    ; The identity map: 1024 PTEs, present, writable, user.
    mov edi, PT0
    mov eax, 0x7
    mov ecx, 1024
.fill:
    mov [edi], eax
    add eax, 0x1000
    add edi, 4
    loop .fill
    mov dword [PD + 0 * 4], PT0 | 7
    mov dword [PD + 1 * 4], PT1 | 7
    mov PTE(0), FRAME_A | 7
    PAGING_ON PD
    mov eax, cr0
    and eax, 0x80000001
    CHECKD eax, 0x80000001, "cr0.pg"

    ; Translation: PAGES is FRAME_A.
    mov dword [PAGES + 0x10], 0x11223344
    CHECKD dword [FRAME_A + 0x10], 0x11223344, "write through PAGES"
    ; A and D: the PDE is accessed, the PTE accessed and dirty.
    CHECKD dword [PD + 4], PT1 | 0x27, "pde accessed, not dirty"
    CHECKD PTE(0), FRAME_A | 0x67, "pte accessed and dirty"
    ; A read sets A alone; the first write then sets D.
    mov PTE(1), FRAME_B | 7
    mov dword [FRAME_B], 0x5A5A5A5A
    CHECKD dword [PAGES + 0x1000], 0x5A5A5A5A, "read through PAGES+1"
    CHECKD PTE(1), FRAME_B | 0x27, "read: accessed only"
    mov dword [PAGES + 0x1000], 1
    CHECKD PTE(1), FRAME_B | 0x67, "then write: dirty"

    ; Not-present PTE: CR2 is the address, the error says read or write.
    EXPECT_PF "pte not present, read", 0, PAGES + 0x2004, mov eax, [PAGES + 0x2004]
    EXPECT_PF "pte not present, write", 2, PAGES + 0x2FFF, mov byte [PAGES + 0x2FFF], 1
    ; Not-present PDE (PDE 2).
    EXPECT_PF "pde not present", 0, 0x00812345, mov eax, [0x00812345]
    CHECKD dword [PD + 2 * 4], 0, "no a bit on an absent pde"

    ; Read-only page: the supervisor may write it while CR0.WP is clear.
    mov PTE(3), FRAME_C | 5             ; present, user, read-only
    mov dword [PAGES + 0x3000], 0xC0C0C0C0
    CHECKD dword [FRAME_C], 0xC0C0C0C0, "supervisor write with wp=0"
    mov eax, cr0
    or eax, 0x10000                     ; WP
    mov cr0, eax
    EXPECT_PF "read-only, wp=1", 3, PAGES + 0x3000, mov dword [PAGES + 0x3000], 0
    CHECKD dword [FRAME_C], 0xC0C0C0C0, "nothing written"

    ; A store across pages faulting on the second writes nothing.
    mov dword [FRAME_B + 0xFFC], 0x44332211
    mov PTE(2), FRAME_B | 7             ; PAGES+2: writable, PAGES+3: read-only
    invlpg [PAGES + 0x2000]
    EXPECT_PF "second page read-only", 3, PAGES + 0x3000, mov dword [PAGES + 0x2FFE], 0xDDCCBBAA
    CHECKD dword [FRAME_B + 0xFFC], 0x44332211, "first page unchanged"
    CHECKD dword [FRAME_C], 0xC0C0C0C0, "second page unchanged"

    ; INVLPG and CR3 loads make a changed PTE visible.
    mov PTE(0), FRAME_D | 7
    mov dword [FRAME_D + 0x10], 0xD0D0D0D0
    invlpg [PAGES]
    CHECKD dword [PAGES + 0x10], 0xD0D0D0D0, "new frame after invlpg"
    mov PTE(0), FRAME_A | 7
    mov eax, cr3
    mov cr3, eax
    CHECKD dword [PAGES + 0x10], 0x11223344, "old frame after cr3 load"

    ; 4 MiB pages: PDE 3 maps physical 4-8 MiB when CR4.PSE is set.
    mov eax, 1
    cpuid
    test edx, 1 << 3
    jnz .has_pse
    FAIL32 "cpuid: no pse"
.has_pse:
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov dword [PD + 3 * 4], 0x00400000 | 0x83     ; PS, present, writable
    mov dword [BIG_PAGE + 0x5234], 0xB16B16
    mov PTE(5), 0x00405000 | 7                    ; the same byte through a 4 KiB page
    CHECKD dword [PAGES + 0x5234], 0xB16B16, "4 MiB page"
    CHECKD dword [PD + 3 * 4], 0x00400000 | 0xE3, "4 MiB pde accessed and dirty"
    ; Bits 21:13 of a 4 MiB PDE are reserved.
    mov dword [PD + 3 * 4], 0x00400000 | 0x2083
    invlpg [BIG_PAGE]
    EXPECT_PF "reserved bit", 9, BIG_PAGE + 0x10, mov eax, [BIG_PAGE + 0x10]

    ; An instruction fetch from a not-present page: the saved EIP is the
    ; target, CR2 its linear address.  A 4 GiB code segment reaches it.
    SETDESC SEL_BIG, 0x0000FFFF, 0x00CF9B0F
    jmp SEL_BIG:.big
.big:
    EXPECT_FAULT .fetch_done
    mov eax, PAGES + 0x6000 - 0xF0000
.fetch:
    jmp eax
.fetch_done:
    CHECK_PF 0, PAGES + 0x6000 - 0xF0000, PAGES + 0x6000, "fetch"
    ; An instruction that runs into a not-present page: the fault is the
    ; instruction's (EIP at its first byte), CR2 the first missing byte.
    mov PTE(7), FRAME_E | 7
    mov byte [FRAME_E + 0xFFE], 0xB8    ; mov eax, imm32: 2 bytes here, 3 on page 8
    mov byte [FRAME_E + 0xFFF], 0x11
    EXPECT_FAULT .straddle_done
    mov eax, PAGES + 0x7FFE - 0xF0000
    jmp eax
.straddle_done:
    CHECK_PF 0, PAGES + 0x7FFE - 0xF0000, PAGES + 0x8000, "instruction across pages"
    jmp SEL_CODE32:.small
.small:

    ; Ring 3: user pages only (PAGES+4 is a supervisor page).
    mov eax, cr0
    and eax, ~0x10000                   ; WP off: user rights do not depend on it
    mov cr0, eax
    mov PTE(4), FRAME_D | 3             ; present, writable, supervisor
    IOMAP_ONLY_E9
    IDT_GATE 0x83, SEL_CODE32, ring0_again, 0xEE
    TO_RING3 ring3

ring3:
    mov ax, SEL_DATA_3
    mov ds, ax
    mov es, ax
    EXPECT_PF "user read, supervisor page", 5, PAGES + 0x4000, mov eax, [PAGES + 0x4000]
    EXPECT_PF "user write, read-only page", 7, PAGES + 0x3001, mov byte [PAGES + 0x3001], 0
    CHECKD dword [PAGES + 0x3000], 0xC0C0C0C0, "user read of a read-only page"
    int 0x83

; The PDE must allow user access as well.

ring0_again:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK0_TOP
    and dword [PD + 1 * 4], ~4          ; PDE 1: supervisor
    invlpg [PAGES + 0x3000]
    IDT_GATE 0x84, SEL_CODE32, done, 0xEE
    TO_RING3 ring3_pde

ring3_pde:
    mov ax, SEL_DATA_3                  ; IRET to ring 3 nulled DS
    mov ds, ax
    EXPECT_PF "user read, supervisor pde", 5, PAGES + 0x3000, mov eax, [PAGES + 0x3000]
    int 0x84

done:
    mov ax, SEL_DATA
    mov ds, ax

    ; A change of privilege is checked again at the next fetch: the same
    ; IRET runs twice into code on a supervisor page at ring 0 (so the
    ; emulator may chain the two decoded blocks), then once to ring 3,
    ; where the fetch must raise #PF (user, present: error 5).
    and dword [PT0 + ((0xF0000 + (sup_iret - $$)) >> 12) * 4], ~4
    invlpg [0xF0000 + sup_iret]
    mov esi, 2
ring0_pass:
    pushfd
    push dword SEL_CODE32
    push dword sup_target
    jmp sup_iret
sup_returned:
    dec esi
    jnz ring0_pass
    IDT_GATE 0x85, SEL_CODE32, after_ring3_fetch, 0xEE
    EXPECT_FAULT ring3_faulted
    push dword SEL_DATA_3
    push dword STACK3_TOP
    push dword 0x0002
    push dword SEL_CODE32_3
    push dword sup_target
    jmp sup_iret

ring3_faulted:
    int 0x85

after_ring3_fetch:
    mov ax, SEL_DATA
    mov ds, ax
    CHECK_PF 5, sup_target, 0xF0000 + sup_target, "ring-3 fetch after the same IRET ran at ring 0"
    PASS32

; The supervisor-only code page.
align 4096
sup_iret:
    iretd
sup_target:
    jmp sup_returned

PM_END
