/* The page walker against the Intel SDM vol. 3, chapter 4: every #PF cause
 * with its error code and CR2 (4.7), the access-rights rules (4.6), the
 * 32-bit and PAE entry formats with their reserved bits (4.3, 4.4), and the
 * Accessed/Dirty bits (4.8).  Page tables are built by hand in guest RAM;
 * expected values come from those tables and the SDM's rules.
 *
 * Error code bits (SDM figure 4-12): P=1 W=2 U=4 RSVD=8 I=0x10.
 */
#include "mmu_fixture.h"

/* A linear address that uses PDE 1 and PTE 1 of 32-bit paging. */
#define LIN 0x00401234u
#define PHYS 0x00200000u
#define PTE_LIN (FX_PT1 + 1 * 4)
#define PDE_LIN (FX_PD + 1 * 4)

static uint32_t rd(mmu_fx_t *fx, bool user, uint32_t lin) { return mmu_read32(&fx->mmu, fx->mmu.tlb[user], lin); }
static void wr(mmu_fx_t *fx, bool user, uint32_t lin, uint32_t v) { mmu_write32(&fx->mmu, fx->mmu.tlb[user], lin, v); }
static uint32_t fetch(mmu_fx_t *fx, bool user, uint32_t lin) { return mmu_translate(&fx->mmu, lin, ACCESS_FETCH, user); }

/* The four data accesses and the two fetches of `lin` all fault with `base`
 * plus the W and U bits that describe each access. */
static void expect_all_fault(mmu_fx_t *fx, uint32_t lin, uint32_t base, uint32_t fetch_extra)
{
    EXPECT_PF(fx, rd(fx, false, lin), lin, base);
    EXPECT_PF(fx, wr(fx, false, lin, 1), lin, base | PF_W);
    EXPECT_PF(fx, rd(fx, true, lin), lin, base | PF_U);
    EXPECT_PF(fx, wr(fx, true, lin, 1), lin, base | PF_W | PF_U);
    EXPECT_PF(fx, fetch(fx, false, lin), lin, base | fetch_extra);
    EXPECT_PF(fx, fetch(fx, true, lin), lin, base | PF_U | fetch_extra);
}

/* ---------------------------------------------------------------- 32-bit */

static void pde_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    paging32(fx, 0, 0);
    expect_all_fault(fx, LIN, 0, 0); /* no I bit without PAE+NXE */
}

static void pte_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram32(fx, PDE_LIN, FX_PT1 | PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    expect_all_fault(fx, LIN, 0, 0);
    /* A not-present entry's other bits mean nothing: still P=0. */
    set_ram32(fx, PTE_LIN, 0xFFFFFFFEu);
    expect_all_fault(fx, LIN, 0, 0);
}

static void present_page_translates(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_W | PTE_U);
    set_ram32(fx, PHYS + 0x234, 0xCAFEF00Du);
    paging32(fx, 0, 0);
    assert_int_equal(rd(fx, false, LIN), 0xCAFEF00Du);
    assert_int_equal(rd(fx, true, LIN), 0xCAFEF00Du);
    wr(fx, true, LIN, 0x12345678u);
    assert_int_equal(ram32(fx, PHYS + 0x234), 0x12345678u);
    assert_int_equal(mmu_translate(&fx->mmu, LIN, ACCESS_READ, false), PHYS + 0x234);
    assert_int_equal(fetch(fx, true, LIN), PHYS + 0x234);
}

static void readonly_pte_wp0(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_U);
    paging32(fx, 0, 0);
    /* CR0.WP=0: supervisor writes ignore R/W (SDM 4.6.1). */
    wr(fx, false, LIN, 0x11223344u);
    assert_int_equal(ram32(fx, PHYS + 0x234), 0x11223344u);
    /* User writes never do. */
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
    assert_int_equal(rd(fx, true, LIN), 0x11223344u);
}

static void readonly_pte_wp1(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_U);
    set_ram32(fx, PHYS + 0x234, 0x55u);
    paging32(fx, CR0_WP, 0);
    EXPECT_PF(fx, wr(fx, false, LIN, 0), LIN, PF_P | PF_W);
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
    assert_int_equal(ram32(fx, PHYS + 0x234), 0x55u);
    assert_int_equal(rd(fx, false, LIN), 0x55u);
    assert_int_equal(rd(fx, true, LIN), 0x55u);
}

/* R/W=0 in the PDE protects the page although its PTE allows writes. */
static void readonly_pde(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_U, PHYS, PTE_P | PTE_W | PTE_U);
    paging32(fx, CR0_WP, 0);
    EXPECT_PF(fx, wr(fx, false, LIN, 0), LIN, PF_P | PF_W);
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG));
    wr(fx, false, LIN, 0x77u); /* WP=0 */
    assert_int_equal(ram32(fx, PHYS + 0x234), 0x77u);
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
}

static void user_access_supervisor_pte(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_W);
    paging32(fx, CR0_WP, 0);
    EXPECT_PF(fx, rd(fx, true, LIN), LIN, PF_P | PF_U);
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
    EXPECT_PF(fx, fetch(fx, true, LIN), LIN, PF_P | PF_U);
    /* The supervisor reaches it, and (no SMEP/SMAP) user pages too. */
    wr(fx, false, LIN, 9);
    assert_int_equal(rd(fx, false, LIN), 9);
    assert_int_equal(fetch(fx, false, LIN), PHYS + 0x234);
}

static void user_access_supervisor_pde(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, PHYS, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    EXPECT_PF(fx, rd(fx, true, LIN), LIN, PF_P | PF_U);
    EXPECT_PF(fx, wr(fx, true, LIN, 0), LIN, PF_P | PF_W | PF_U);
    EXPECT_PF(fx, fetch(fx, true, LIN), LIN, PF_P | PF_U);
    assert_int_equal(rd(fx, false, LIN), 0);
}

static void supervisor_reaches_user_pages(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_W | PTE_U);
    paging32(fx, CR0_WP, 0);
    wr(fx, false, LIN, 0xABCDu);
    assert_int_equal(rd(fx, false, LIN), 0xABCDu);
    assert_int_equal(fetch(fx, false, LIN), PHYS + 0x234);
}

/* CR4.PSE: a PDE with PS=1 maps 4 MiB (SDM table 4-4). */
static void pse_4m_page(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram32(fx, FX_PD + 2 * 4, 0x00C00000u | PTE_PS | PTE_P | PTE_W | PTE_U);
    set_ram32(fx, 0x00C12344u, 0xFEEDu);
    paging32(fx, 0, CR4_PSE);
    assert_int_equal(mmu_translate(&fx->mmu, 0x00812344u, ACCESS_READ, false), 0x00C12344u);
    assert_int_equal(rd(fx, true, 0x00812344u), 0xFEEDu);
    assert_int_equal(mmu_translate(&fx->mmu, 0x00BFFFFCu, ACCESS_READ, false), 0x00FFFFFCu);
}

/* Without CR4.PSE the PS bit is ignored: the PDE points to a page table. */
static void ps_ignored_without_pse(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_PS, PHYS, PTE_P | PTE_W);
    paging32(fx, 0, 0);
    assert_int_equal(mmu_translate(&fx->mmu, LIN, ACCESS_READ, false), PHYS + 0x234);
}

/* Bits 21:13 of a 4 MiB PDE are reserved without PSE-36; bit 12 is PAT. */
static void pse_reserved_bits(void **state)
{
    mmu_fx_t *fx = *state;
    paging32(fx, 0, CR4_PSE);
    const uint32_t lin = 0x00812344u;
    uint32_t pde = 0x00C00000u | PTE_PS | PTE_P | PTE_W | PTE_U;
    set_ram32(fx, FX_PD + 2 * 4, pde | (1u << 13));
    expect_all_fault(fx, lin, PF_P | PF_RSVD, 0);
    set_ram32(fx, FX_PD + 2 * 4, pde | (1u << 21));
    mmu_invlpg(&fx->mmu, lin);
    EXPECT_PF(fx, rd(fx, false, lin), lin, PF_P | PF_RSVD);
    /* Reserved bits win over missing rights: the walk stops at them. */
    set_ram32(fx, FX_PD + 2 * 4, (pde & ~PTE_U) | (1u << 17));
    EXPECT_PF(fx, wr(fx, true, lin, 0), lin, PF_P | PF_RSVD | PF_W | PF_U);
    set_ram32(fx, FX_PD + 2 * 4, pde | (1u << 12));
    assert_int_equal(mmu_translate(&fx->mmu, lin, ACCESS_READ, false), 0x00C12344u);
}

/* A 4 KiB PTE or a page-table PDE has no reserved bits in 32-bit paging:
 * bits 11:7 of a PTE (PAT, G, AVL) are harmless. */
static void no_reserved_bits_in_4k_entries(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | 0xF40u, PHYS, PTE_P | PTE_W | 0xF80u);
    paging32(fx, 0, CR4_PSE);
    assert_int_equal(mmu_translate(&fx->mmu, LIN, ACCESS_READ, false), PHYS + 0x234);
}

/* ---------------------------------------------------------------- PAE */

#define PLIN 0x40A01238u /* PDPTE 1, PDE 5, PTE 1 */
#define PPHYS 0x00300000u

static uint32_t pde_pae(void) { return pde_pae_addr(FX_PAE_PD1, PLIN); }
static uint32_t pte_pae(void) { return pte_pae_addr(FX_PAE_PT1, PLIN); }
static void map_plin(mmu_fx_t *fx, uint64_t pde_flags, uint64_t pte_flags)
{
    map_pae(fx, PLIN, FX_PAE_PD1, FX_PAE_PT1, pde_flags, PPHYS, pte_flags);
}

static void pae_translates(void **state)
{
    mmu_fx_t *fx = *state;
    map_plin(fx, PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
    set_ram32(fx, PPHYS + 0x238, 0x600DF00Du);
    paging_pae(fx, 0, 0, 0);
    assert_int_equal(pde_pae(), FX_PAE_PD1 + 5 * 8);
    assert_int_equal(pte_pae(), FX_PAE_PT1 + 1 * 8);
    assert_int_equal(rd(fx, true, PLIN), 0x600DF00Du);
    assert_int_equal(mmu_translate(&fx->mmu, PLIN, ACCESS_WRITE, true), PPHYS + 0x238);
}

static void pae_pdpte_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram64(fx, pdpte_addr(0), FX_PAE_PD0 | PTE_P); /* PDPTE 1 stays 0 */
    paging_pae(fx, 0, 0, 0);
    expect_all_fault(fx, PLIN, 0, 0);
    /* With NXE the I/D bit describes a fetch even when nothing is present. */
    mmu_set_efer(&fx->mmu, EFER_NXE);
    expect_all_fault(fx, PLIN, 0, PF_I);
}

static void pae_pde_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram64(fx, pdpte_addr(PLIN), FX_PAE_PD1 | PTE_P);
    paging_pae(fx, 0, 0, EFER_NXE);
    expect_all_fault(fx, PLIN, 0, PF_I);
}

static void pae_pte_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    map_plin(fx, PTE_P | PTE_W | PTE_U, 0);
    paging_pae(fx, 0, 0, 0);
    expect_all_fault(fx, PLIN, 0, 0);
    set_ram64(fx, pte_pae(), 0xFFFFFFFFFFFFFFFEull); /* P=0: the rest is ignored */
    expect_all_fault(fx, PLIN, 0, 0);
}

/* PDPTEs are loaded by MOV CR3 (and MOV CR0/CR4 turning PAE paging on);
 * a present one with reserved bits makes that instruction #GP (SDM 4.4.1):
 * the MMU refuses the write and keeps its state. */
static void pae_pdpte_reserved_bits(void **state)
{
    mmu_fx_t *fx = *state;
    static const uint64_t bad[] = {1ull << 1, 1ull << 2, 1ull << 5, 1ull << 8, 1ull << 36,
                                   1ull << 62, 1ull << 63};
    map_plin(fx, PTE_P | PTE_W, PTE_P | PTE_W);
    paging_pae(fx, 0, 0, EFER_NXE);
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        set_ram64(fx, pdpte_addr(PLIN), FX_PAE_PD1 | PTE_P | bad[k]);
        assert_false(mmu_set_cr3(&fx->mmu, FX_PDPT));
        assert_int_equal(fx->mmu.cr3, FX_PDPT);
        assert_int_equal(fx->mmu.pdpte[1], FX_PAE_PD1 | PTE_P); /* the old registers */
    }
    /* Turning paging on with such a table fails too, and leaves CR0 alone. */
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE));
    assert_false(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG));
    assert_int_equal(fx->mmu.cr0, CR0_PE);
    /* ... and so does setting PAE with paging on. */
    assert_true(mmu_set_cr4(&fx->mmu, 0));
    set_ram32(fx, FX_PD, 0);
    assert_true(mmu_set_cr3(&fx->mmu, FX_PDPT));
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG));
    assert_false(mmu_set_cr4(&fx->mmu, CR4_PAE));
    assert_int_equal(fx->mmu.cr4, 0);
    /* PWT, PCD and the ignored bits 11:9 are allowed; so is anything in a
     * not-present PDPTE. */
    set_ram64(fx, pdpte_addr(PLIN), FX_PAE_PD1 | PTE_P | PTE_PWT | PTE_PCD | 0xE00u);
    set_ram64(fx, pdpte_addr(0), 0xFFFFFFFFFFFFFFFEull);
    assert_true(mmu_set_cr4(&fx->mmu, CR4_PAE));
    assert_int_equal(rd(fx, false, PLIN), 0);
}

static void pae_reserved_bits(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t rsvd = PF_P | PF_RSVD;
    map_plin(fx, PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
    paging_pae(fx, 0, 0, 0);

    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | (1ull << 36)); /* bits 62:36 */
    expect_all_fault(fx, PLIN, rsvd, 0);
    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | (1ull << 62));
    EXPECT_PF(fx, rd(fx, false, PLIN), PLIN, rsvd);
    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | PTE_NX); /* XD without NXE */
    EXPECT_PF(fx, rd(fx, false, PLIN), PLIN, rsvd);

    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U);
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W | PTE_U | (1ull << 40));
    expect_all_fault(fx, PLIN, rsvd, 0);
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W | PTE_U | PTE_NX);
    EXPECT_PF(fx, wr(fx, true, PLIN, 0), PLIN, rsvd | PF_W | PF_U);

    /* With NXE, bit 63 is XD, no longer reserved. */
    mmu_set_efer(&fx->mmu, EFER_NXE);
    assert_int_equal(rd(fx, false, PLIN), 0);

    /* A 2 MiB PDE reserves bits 20:13 (bit 12 is PAT). */
    set_ram64(fx, pde_pae(), 0x00400000u | PTE_PS | PTE_P | PTE_W | (1ull << 13));
    mmu_invlpg(&fx->mmu, PLIN);
    EXPECT_PF(fx, rd(fx, false, PLIN), PLIN, rsvd);
    EXPECT_PF(fx, fetch(fx, false, PLIN), PLIN, rsvd | PF_I);
    set_ram64(fx, pde_pae(), 0x00400000u | PTE_PS | PTE_P | PTE_W | (1ull << 20));
    EXPECT_PF(fx, rd(fx, false, PLIN), PLIN, rsvd);
    set_ram64(fx, pde_pae(), 0x00400000u | PTE_PS | PTE_P | PTE_W | (1ull << 12));
    assert_int_equal(mmu_translate(&fx->mmu, PLIN, ACCESS_READ, false), 0x00400000u + (PLIN & 0x1FFFFF));
}

static void pae_2m_page(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram64(fx, pdpte_addr(0), FX_PAE_PD0 | PTE_P);
    /* 0x00A12345: PDE 5 of PD0, offset 0x12345 in the 2 MiB page. */
    set_ram64(fx, pde_pae_addr(FX_PAE_PD0, 0x00A12345u), 0x00600000u | PTE_PS | PTE_P | PTE_W | PTE_U);
    set_ram32(fx, 0x00612344u, 0xD00Du);
    paging_pae(fx, 0, 0, 0);
    assert_int_equal(mmu_translate(&fx->mmu, 0x00A12345u, ACCESS_READ, true), 0x00612345u);
    assert_int_equal(rd(fx, false, 0x00A12344u), 0xD00Du);
    /* CR4.PSE does not matter under PAE. */
    assert_true(mmu_set_cr4(&fx->mmu, CR4_PAE | CR4_PSE));
    assert_int_equal(mmu_translate(&fx->mmu, 0x00A12345u, ACCESS_READ, true), 0x00612345u);
}

static void pae_nx_fetch(void **state)
{
    mmu_fx_t *fx = *state;
    map_plin(fx, PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U | PTE_NX);
    paging_pae(fx, 0, 0, EFER_NXE);
    EXPECT_PF(fx, fetch(fx, false, PLIN), PLIN, PF_P | PF_I);
    EXPECT_PF(fx, fetch(fx, true, PLIN), PLIN, PF_P | PF_I | PF_U);
    /* Data accesses are not affected. */
    wr(fx, true, PLIN, 5);
    assert_int_equal(rd(fx, true, PLIN), 5);
    /* XD in the PDE alone forbids fetches as well (the OR of all levels). */
    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | PTE_NX);
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W | PTE_U);
    mmu_invlpg(&fx->mmu, PLIN);
    EXPECT_PF(fx, fetch(fx, false, PLIN), PLIN, PF_P | PF_I);
    set_ram64(fx, pde_pae(), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U);
    mmu_invlpg(&fx->mmu, PLIN);
    assert_int_equal(fetch(fx, true, PLIN), PPHYS + 0x238);
    /* A user fetch from a supervisor page reports U and I, P set. */
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W);
    mmu_invlpg(&fx->mmu, PLIN);
    EXPECT_PF(fx, fetch(fx, true, PLIN), PLIN, PF_P | PF_U | PF_I);
}

/* Paging structures or pages beyond our 4 GiB physical space read as
 * all-ones (nothing answers) and are never given host memory. */
static void pae_above_4g(void **state)
{
    mmu_fx_t *fx = *state;
    map_plin(fx, PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
    set_ram64(fx, pte_pae(), 0x100000000ull | PTE_P | PTE_W | PTE_U);
    paging_pae(fx, 0, 0, 0);
    assert_int_equal(rd(fx, false, PLIN), 0xFFFFFFFFu);
    wr(fx, false, PLIN, 0); /* goes nowhere: RAM page 0 stays as it is */
    assert_int_equal(ram32(fx, 0x238), 0);
    assert_int_equal(rd(fx, false, PLIN), 0xFFFFFFFFu);
    const tlb_entry_t *e = tlb_slot(sup(fx), PLIN);
    assert_int_equal(e->host, 0);
    assert_int_not_equal(e->tag_r, PLIN & PAGE_MASK);
    /* The truncated address (0x00000000 + ...) must not be used for the
     * page table either: an all-ones PTE has reserved bits set. */
    set_ram64(fx, pde_pae(), 0x100000000ull | PTE_P | PTE_W | PTE_U);
    set_ram64(fx, pte_pae_addr(0, PLIN), PPHYS | PTE_P | PTE_W | PTE_U);
    mmu_invlpg(&fx->mmu, PLIN);
    EXPECT_PF(fx, rd(fx, false, PLIN), PLIN, PF_P | PF_RSVD);
}

/* ---------------------------------------------------------------- A/D bits */

static void ad_read_sets_accessed_on_each_level(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    rd(fx, false, LIN);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_U | PTE_A);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_W | PTE_U | PTE_A);
}

static void ad_write_sets_dirty_on_last_level_only(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    wr(fx, true, LIN, 1);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_U | PTE_A);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
}

/* A read caches the translation with D clear; the first write must still
 * set D in memory (the processor does not write through a clean entry). */
static void ad_write_after_read_sets_dirty(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, PHYS, PTE_P | PTE_W);
    paging32(fx, 0, 0);
    rd(fx, false, LIN);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_W | PTE_A);
    wr(fx, false, LIN, 2);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_W | PTE_A | PTE_D);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_A);
    assert_int_equal(ram32(fx, PHYS + 0x234), 2);
}

static void ad_fetch_sets_accessed(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P, PHYS, PTE_P);
    paging32(fx, 0, 0);
    fetch(fx, false, LIN);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_A);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_A);
}

static void ad_4m_page(void **state)
{
    mmu_fx_t *fx = *state;
    uint32_t pde = 0x00C00000u | PTE_PS | PTE_P | PTE_W;
    set_ram32(fx, FX_PD + 2 * 4, pde);
    paging32(fx, 0, CR4_PSE);
    rd(fx, false, 0x00812344u);
    assert_int_equal(ram32(fx, FX_PD + 2 * 4), pde | PTE_A);
    wr(fx, false, 0x00812344u, 0);
    assert_int_equal(ram32(fx, FX_PD + 2 * 4), pde | PTE_A | PTE_D);
}

/* WP=0 lets the supervisor write a read-only page: it becomes dirty. */
static void ad_supervisor_write_readonly_wp0(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P, PHYS, PTE_P);
    paging32(fx, 0, 0);
    wr(fx, false, LIN, 3);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_A | PTE_D);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_A);
}

/* No translation, no A/D update: each kind of fault leaves the tables as
 * they were. */
static void ad_untouched_on_faults(void **state)
{
    mmu_fx_t *fx = *state;
    paging32(fx, CR0_WP, CR4_PSE);

    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_U); /* read-only */
    EXPECT_PF(fx, wr(fx, false, LIN, 0), LIN, PF_P | PF_W);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_U);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_U);

    set_ram32(fx, PTE_LIN, PHYS | PTE_P | PTE_W); /* supervisor page */
    EXPECT_PF(fx, rd(fx, true, LIN), LIN, PF_P | PF_U);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_U);
    assert_int_equal(ram32(fx, PTE_LIN), PHYS | PTE_P | PTE_W);

    set_ram32(fx, PTE_LIN, 0); /* not present */
    EXPECT_PF(fx, rd(fx, false, LIN), LIN, 0);
    assert_int_equal(ram32(fx, PDE_LIN), FX_PT1 | PTE_P | PTE_W | PTE_U);

    uint32_t pde = 0x00C00000u | PTE_PS | PTE_P | PTE_W | (1u << 14); /* reserved */
    set_ram32(fx, FX_PD + 2 * 4, pde);
    EXPECT_PF(fx, wr(fx, false, 0x00812344u, 0), 0x00812344u, PF_P | PF_W | PF_RSVD);
    assert_int_equal(ram32(fx, FX_PD + 2 * 4), pde);
}

static void ad_pae(void **state)
{
    mmu_fx_t *fx = *state;
    map_plin(fx, PTE_P | PTE_W | PTE_U, PTE_P | PTE_W | PTE_U);
    paging_pae(fx, 0, 0, EFER_NXE);
    uint64_t pdpte = ram64(fx, pdpte_addr(PLIN));
    rd(fx, true, PLIN);
    assert_int_equal(ram64(fx, pde_pae()), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | PTE_A);
    assert_int_equal(ram64(fx, pte_pae()), PPHYS | PTE_P | PTE_W | PTE_U | PTE_A);
    wr(fx, true, PLIN, 1);
    assert_int_equal(ram64(fx, pde_pae()), FX_PAE_PT1 | PTE_P | PTE_W | PTE_U | PTE_A);
    assert_int_equal(ram64(fx, pte_pae()), PPHYS | PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
    /* PAE PDPTEs have no A bit: memory keeps its value. */
    assert_int_equal(ram64(fx, pdpte_addr(PLIN)), pdpte);
    /* The high dword (XD) is preserved by the update. */
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W | PTE_U | PTE_NX);
    mmu_invlpg(&fx->mmu, PLIN);
    wr(fx, false, PLIN, 1);
    assert_int_equal(ram64(fx, pte_pae()), PPHYS | PTE_P | PTE_W | PTE_U | PTE_NX | PTE_A | PTE_D);
    /* A NX fetch fault changes nothing. */
    set_ram64(fx, pte_pae(), PPHYS | PTE_P | PTE_W | PTE_U | PTE_NX);
    mmu_invlpg(&fx->mmu, PLIN);
    EXPECT_PF(fx, fetch(fx, false, PLIN), PLIN, PF_P | PF_I);
    assert_int_equal(ram64(fx, pte_pae()), PPHYS | PTE_P | PTE_W | PTE_U | PTE_NX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pde_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pte_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(present_page_translates, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(readonly_pte_wp0, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(readonly_pte_wp1, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(readonly_pde, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(user_access_supervisor_pte, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(user_access_supervisor_pde, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(supervisor_reaches_user_pages, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pse_4m_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ps_ignored_without_pse, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pse_reserved_bits, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(no_reserved_bits_in_4k_entries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_translates, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_pdpte_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_pde_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_pte_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_pdpte_reserved_bits, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_reserved_bits, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_2m_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_nx_fetch, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pae_above_4g, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_read_sets_accessed_on_each_level, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_write_sets_dirty_on_last_level_only, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_write_after_read_sets_dirty, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_fetch_sets_accessed, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_4m_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_supervisor_write_readonly_wp0, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_untouched_on_faults, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ad_pae, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
