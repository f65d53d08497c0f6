; PAE paging from the guest's side (SDM vol. 3, 4.4): a PDPT, page
; directories and tables of 64-bit entries, 2 MiB pages, faults at each
; level with their error codes and CR2, reserved bits (bits 62:36 of
; entries, bit 63 without EFER.NXE, bits 20:13 of a 2 MiB PDE), the PDPTE
; registers loaded by MOV CR3 (a later change to the PDPT in memory is not
; seen until the next load), and #GP(0) from MOV CR3 and MOV CR0 when a
; PDPTE has reserved bits set.
; Error code bits: P=1 W=2 U=4 RSVD=8.
%include "lib.inc"
%include "pm.inc"

PDPT        equ 0x20000         ; CR3 (32-byte aligned)
PD0         equ 0x21000         ; 0-1 GiB: PT0 (0-2 MiB), a 2 MiB page (2-4 MiB)
PT0         equ 0x22000         ; identity map of 0-2 MiB, user and writable
PD1         equ 0x23000         ; 1-2 GiB: the test pages
PT1         equ 0x24000
PD2         equ 0x25000         ; 2-3 GiB, for the PDPTE register test
PAGES       equ 0x40000000      ; linear address of PT1's first page
FRAME_A     equ 0x100000        ; physical frames, identity-mapped too
FRAME_B     equ 0x101000

start:
    PM_ENTER

bits 32
pm_start:
    mov eax, 1
    cpuid
    test edx, 1 << 6
    jnz .has_pae
    FAIL32 "cpuid: no pae"
.has_pae:
    PAE_IDENTITY_PT PT0                 ; 0-2 MiB
    SET64 PD0, PT0 | 7, 0
    SET64 PD0 + 8, 0x200000 | 0x87, 0   ; 2-4 MiB: one 2 MiB page
    SET64 PD1, PT1 | 7, 0
    SET64 PD1 + 2 * 8, 0x200000 | 0x87, 0 ; linear 1 GiB + 4 MiB: the same 2 MiB
    SET64 PT1, FRAME_A | 7, 0
    SET64 PDPT, PD0 | 1, 0
    SET64 PDPT + 8, PD1 | 1, 0
    mov eax, cr4
    or eax, 0x20                        ; PAE
    mov cr4, eax
    PAGING_ON PDPT

    ; Translation and A/D in 64-bit entries; a PAE PDPTE has no A bit.
    mov dword [PAGES + 0x10], 0x600DCAFE
    CHECKD dword [FRAME_A + 0x10], 0x600DCAFE, "write through PAGES"
    CHECKD dword [PD1], PT1 | 0x27, "pde accessed, not dirty"
    CHECKD dword [PD1 + 4], 0, "pde high dword"
    CHECKD dword [PT1], FRAME_A | 0x67, "pte accessed and dirty"
    CHECKD dword [PT1 + 4], 0, "pte high dword"
    CHECKD dword [PDPT + 8], PD1 | 1, "pdpte unchanged"

    ; A 2 MiB page: linear 1 GiB + 4 MiB + x is physical 2 MiB + x.
    mov dword [PAGES + 0x400000 + 0x1234], 0x2A2A2A2A
    CHECKD dword [0x201234], 0x2A2A2A2A, "2 MiB page"
    CHECKD dword [PD1 + 2 * 8], 0x200000 | 0xE7, "2 MiB pde accessed and dirty"

    ; Not present at each level.
    EXPECT_PF "pdpte not present", 0, 0x80000004, mov eax, [0x80000004]
    EXPECT_PF "pde not present", 2, PAGES + 0x200000, mov dword [PAGES + 0x200000], 0
    EXPECT_PF "pte not present", 0, PAGES + 0x1000, mov eax, [PAGES + 0x1000]

    ; Reserved bits: physical-address bits above 35, XD without NXE, bits
    ; 20:13 of a 2 MiB PDE.  The walk stops with RSVD and P set.
    SET64 PT1 + 2 * 8, FRAME_B | 7, 0x10          ; bit 36
    EXPECT_PF "pte bit 36", 9, PAGES + 0x2000, mov eax, [PAGES + 0x2000]
    SET64 PT1 + 2 * 8, FRAME_B | 7, 0x80000000    ; bit 63, EFER.NXE clear
    EXPECT_PF "pte bit 63", 11, PAGES + 0x2001, mov byte [PAGES + 0x2001], 0
    SET64 PD1 + 3 * 8, 0x200000 | 0x2087, 0       ; bit 13 of a 2 MiB PDE
    EXPECT_PF "2 MiB pde bit 13", 9, PAGES + 0x600000, mov eax, [PAGES + 0x600000]
    SET64 PD1 + 8, PT1 | 7, 0x100                 ; bit 40 of a table pointer
    EXPECT_PF "pde bit 40", 9, PAGES + 0x200000, mov eax, [PAGES + 0x200000]
    CHECKD dword [PD1 + 8], PT1 | 7, "no a bit on a faulting walk"

    ; The PDPTEs are registers: writing the PDPT changes nothing until
    ; CR3 is loaded again.
    SET64 PD2, 0x000000 | 0x87, 0       ; 2 GiB -> physical 0, 2 MiB page
    SET64 PDPT + 2 * 8, PD2 | 1, 0
    EXPECT_PF "old pdpte register", 0, 0x80000000 + FRAME_A + 0x10, mov eax, [0x80000000 + FRAME_A + 0x10]
    mov eax, cr3
    mov cr3, eax
    CHECKD dword [0x80000000 + FRAME_A + 0x10], 0x600DCAFE, "new pdpte after cr3 load"

    ; A PDPTE with a reserved bit (R/W, bit 1): MOV CR3 raises #GP(0) and
    ; keeps the old value and registers.
    SET64 PDPT + 3 * 8, PD2 | 3, 0
    EXPECT_FAULT .gp1_done
    mov eax, PDPT
.gp1:
    mov cr3, eax
    FAIL32 "mov cr3 with a bad pdpte"
.gp1_done:
    CHECK_FAULT 13, 0, .gp1, "mov cr3, bad pdpte"
    mov eax, cr3
    CHECKD eax, PDPT, "cr3 unchanged"
    CHECKD dword [PAGES + 0x10], 0x600DCAFE, "still paging"
    ; Turning paging on with it: #GP(0), CR0.PG stays clear.
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax                        ; the identity map keeps us running
    or eax, 0x80000000
    EXPECT_FAULT .gp2_done
.gp2:
    mov cr0, eax
    FAIL32 "mov cr0 with a bad pdpte"
.gp2_done:
    CHECK_FAULT 13, 0, .gp2, "mov cr0, bad pdpte"
    mov eax, cr0
    test eax, 0x80000000
    jz .pg_off
    FAIL32 "cr0.pg set despite the bad pdpte"
.pg_off:
    SET64 PDPT + 3 * 8, 0, 0
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .again
.again:
    CHECKD dword [PAGES + 0x10], 0x600DCAFE, "paging again"
    PASS32

PM_END
