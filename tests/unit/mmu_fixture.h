/* Shared set-up for the MMU unit tests: a physical memory with hand-built
 * page tables, an MMU whose #PF callback unwinds into the test, and
 * helpers that write entries the way the SDM lays them out.
 * Included by tests/unit/test_mmu_*.c (cmocka). */
#ifndef X86SIM_TEST_MMU_FIXTURE_H
#define X86SIM_TEST_MMU_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "mmu/mmu.h"

#define FX_RAM (16u << 20)

/* Physical layout used by the tests (all in RAM). */
#define FX_PD 0x10000u   /* 32-bit page directory (CR3) */
#define FX_PT0 0x11000u  /* page tables */
#define FX_PT1 0x12000u
#define FX_PT2 0x13000u
#define FX_PDPT 0x14000u /* PAE page-directory-pointer table (CR3) */
#define FX_PAE_PD0 0x15000u
#define FX_PAE_PD1 0x16000u
#define FX_PAE_PT0 0x17000u
#define FX_PAE_PT1 0x18000u

typedef struct mmu_fx {
    physmem_t pm;
    mmu_t mmu;
    jmp_buf jb;
    volatile bool armed; /* a #PF is expected */
    uint32_t cr2, error;
    int faults;
    int code_written; /* physmem's SMC callback: calls and last page */
    uint32_t code_page;
} mmu_fx_t;

static void fx_fault(void *opaque, uint32_t linear, uint32_t error)
{
    mmu_fx_t *fx = opaque;
    fx->cr2 = linear;
    fx->error = error;
    fx->faults++;
    if (!fx->armed)
        fail_msg("unexpected #PF at %08x, error %x", linear, error);
    longjmp(fx->jb, 1);
}

static void fx_code_written(void *opaque, uint32_t page)
{
    mmu_fx_t *fx = opaque;
    fx->code_written++;
    fx->code_page = page;
}

/* What the CPU does when the map changes under the TLB (A20, PAM, BARs). */
static void fx_map_changed(void *opaque)
{
    mmu_fx_t *fx = opaque;
    mmu_flush_all(&fx->mmu, false);
}

static int fx_setup(void **state)
{
    mmu_fx_t *fx = calloc(1, sizeof *fx);
    if (!fx || !physmem_init(&fx->pm, FX_RAM))
        return -1;
    mmu_init(&fx->mmu, &fx->pm, fx_fault, fx);
    fx->pm.code_written = fx_code_written;
    fx->pm.code_opaque = fx;
    fx->pm.a20_changed = fx_map_changed;
    fx->pm.a20_opaque = fx;
    *state = fx;
    return 0;
}

static int fx_teardown(void **state)
{
    mmu_fx_t *fx = *state;
    physmem_free(&fx->pm);
    free(fx);
    return 0;
}

/* Runs `stmt`, which must raise #PF with CR2 = lin and error code `code`. */
#define EXPECT_PF(fx, stmt, lin, code)                                                             \
    do {                                                                                           \
        (fx)->armed = true;                                                                        \
        if (setjmp((fx)->jb) == 0) {                                                               \
            stmt;                                                                                  \
            (fx)->armed = false;                                                                   \
            fail_msg("no #PF from: %s", #stmt);                                                    \
        }                                                                                          \
        (fx)->armed = false;                                                                       \
        assert_int_equal((fx)->cr2, (uint32_t)(lin));                                              \
        assert_int_equal((fx)->error, (uint32_t)(code));                                           \
    } while (0)

/* Direct views of guest RAM (the tests own the machine). */
static inline uint32_t ram32(mmu_fx_t *fx, uint32_t pa)
{
    uint32_t v;
    memcpy(&v, fx->pm.ram + pa, 4);
    return v;
}
static inline void set_ram32(mmu_fx_t *fx, uint32_t pa, uint32_t v) { memcpy(fx->pm.ram + pa, &v, 4); }
static inline uint64_t ram64(mmu_fx_t *fx, uint32_t pa)
{
    uint64_t v;
    memcpy(&v, fx->pm.ram + pa, 8);
    return v;
}
static inline void set_ram64(mmu_fx_t *fx, uint32_t pa, uint64_t v) { memcpy(fx->pm.ram + pa, &v, 8); }

/* 32-bit paging: the PDE and PTE addresses of a linear address (SDM 4.3). */
static inline uint32_t pde32_addr(uint32_t lin) { return FX_PD + (lin >> 22) * 4; }
static inline uint32_t pte32_addr(uint32_t pt, uint32_t lin) { return pt + ((lin >> 12) & 0x3FF) * 4; }

/* Maps the 4 KiB page of `lin` to `phys` through page table `pt`. */
static inline void map32(mmu_fx_t *fx, uint32_t lin, uint32_t pt, uint32_t pde_flags, uint32_t phys,
                         uint32_t pte_flags)
{
    set_ram32(fx, pde32_addr(lin), pt | pde_flags);
    set_ram32(fx, pte32_addr(pt, lin), (phys & PAGE_MASK) | pte_flags);
}

/* Turns on 32-bit paging with CR3 = FX_PD. */
static inline void paging32(mmu_fx_t *fx, uint32_t cr0_extra, uint32_t cr4)
{
    assert_true(mmu_set_cr4(&fx->mmu, cr4));
    assert_true(mmu_set_cr3(&fx->mmu, FX_PD));
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG | cr0_extra));
}

/* PAE (SDM 4.4): PDPTE, PDE, PTE addresses of a linear address. */
static inline uint32_t pdpte_addr(uint32_t lin) { return FX_PDPT + (lin >> 30) * 8; }
static inline uint32_t pde_pae_addr(uint32_t pd, uint32_t lin) { return pd + ((lin >> 21) & 0x1FF) * 8; }
static inline uint32_t pte_pae_addr(uint32_t pt, uint32_t lin) { return pt + ((lin >> 12) & 0x1FF) * 8; }

static inline void map_pae(mmu_fx_t *fx, uint32_t lin, uint32_t pd, uint32_t pt, uint64_t pde_flags,
                           uint64_t phys, uint64_t pte_flags)
{
    set_ram64(fx, pdpte_addr(lin), pd | PTE_P);
    set_ram64(fx, pde_pae_addr(pd, lin), pt | pde_flags);
    set_ram64(fx, pte_pae_addr(pt, lin), (phys & ~0xFFFull) | pte_flags);
}

/* Turns on PAE paging with CR3 = FX_PDPT (the PDPTEs must be in place). */
static inline void paging_pae(mmu_fx_t *fx, uint32_t cr0_extra, uint32_t cr4_extra, uint64_t efer)
{
    mmu_set_efer(&fx->mmu, efer);
    assert_true(mmu_set_cr4(&fx->mmu, CR4_PAE | cr4_extra));
    assert_true(mmu_set_cr3(&fx->mmu, FX_PDPT));
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG | cr0_extra));
}

static inline tlb_entry_t *sup(mmu_fx_t *fx) { return fx->mmu.tlb[0]; }
static inline tlb_entry_t *usr(mmu_fx_t *fx) { return fx->mmu.tlb[1]; }

#endif
