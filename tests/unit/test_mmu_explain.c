/* The explainer and mmu_probe: every step of a walk (CR3, each entry's
 * address, value and flags), the physical result and what lives there,
 * the #PF a real access would take, and no side effect at all: the TLB,
 * the A/D bits and the devices stay untouched.
 */
#include "mmu_fixture.h"

#define LIN 0x00401234u
#define PTE_PAT_4K (1u << 7) /* bit 7 of a PTE (PS in a PDE) */
#define PHYS 0x00200000u

/* Everything an explanation must not change. */
typedef struct snapshot {
    tlb_entry_t tlb[2][TLB_ENTRIES];
    uint64_t walks, misses;
    uint8_t tables[0x9000]; /* FX_PD .. FX_PAE_PT1 */
} snapshot_t;

static snapshot_t *snap(mmu_fx_t *fx)
{
    snapshot_t *s = malloc(sizeof *s);
    memcpy(s->tlb, fx->mmu.tlb, sizeof s->tlb);
    s->walks = fx->mmu.walks;
    s->misses = fx->mmu.misses;
    memcpy(s->tables, fx->pm.ram + FX_PD, sizeof s->tables);
    return s;
}

static void assert_unchanged(mmu_fx_t *fx, snapshot_t *s)
{
    assert_memory_equal(s->tlb, fx->mmu.tlb, sizeof s->tlb);
    assert_int_equal(s->walks, fx->mmu.walks);
    assert_int_equal(s->misses, fx->mmu.misses);
    assert_memory_equal(s->tables, fx->pm.ram + FX_PD, sizeof s->tables);
    free(s);
}

static void explain_32bit_4k(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PHYS, PTE_P | PTE_U | PTE_G);
    paging32(fx, CR0_WP, CR4_PGE);
    snapshot_t *s = snap(fx);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, LIN, true, ACCESS_READ, &ex);
    assert_true(ex.paging);
    assert_false(ex.pae);
    assert_int_equal(ex.cr3, FX_PD);
    assert_int_equal(ex.linear, LIN);
    assert_int_equal(ex.nsteps, 2);
    assert_string_equal(ex.steps[0].level, "PDE");
    assert_int_equal(ex.steps[0].entry_addr, FX_PD + 1 * 4);
    assert_int_equal(ex.steps[0].entry, FX_PT1 | PTE_P | PTE_W | PTE_U);
    assert_string_equal(ex.steps[0].flags, "P W U");
    assert_string_equal(ex.steps[1].level, "PTE");
    assert_int_equal(ex.steps[1].entry_addr, FX_PT1 + 1 * 4);
    assert_int_equal(ex.steps[1].entry, PHYS | PTE_P | PTE_U | PTE_G);
    assert_string_equal(ex.steps[1].flags, "P U G");
    assert_true(ex.ok);
    assert_int_equal(ex.physical, PHYS + 0x234);
    assert_int_equal(ex.page_size, PAGE_SIZE);
    assert_int_equal(ex.where.kind, PHYS_RAM);
    assert_int_equal(ex.where.offset, PHYS + 0x234);
    assert_false(ex.writable);
    assert_true(ex.user);
    assert_true(ex.executable);
    assert_true(ex.global);
    assert_false(ex.dirty);
    /* Explaining a write that would fault: the #PF the CPU would take. */
    mmu_explain(&fx->mmu, LIN, true, ACCESS_WRITE, &ex);
    assert_false(ex.ok);
    assert_int_equal(ex.fault_error, PF_P | PF_W | PF_U);
    assert_int_equal(ex.nsteps, 2);
    assert_unchanged(fx, s);
}

/* A write that would succeed and set A and D: the explainer sets neither,
 * and leaves the TLB as it was (here: holding another translation). */
static void explain_changes_nothing(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, PHYS, PTE_P | PTE_W);
    set_ram32(fx, pte32_addr(FX_PT1, LIN + PAGE_SIZE), (PHYS + PAGE_SIZE) | PTE_P | PTE_W);
    paging32(fx, 0, 0);
    mmu_read8(&fx->mmu, sup(fx), LIN + PAGE_SIZE);
    snapshot_t *s = snap(fx);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, LIN, false, ACCESS_WRITE, &ex);
    assert_true(ex.ok);
    assert_true(ex.writable);
    assert_false(ex.dirty);
    assert_string_equal(ex.steps[1].flags, "P W");
    uint32_t phys = 0;
    assert_true(mmu_probe(&fx->mmu, LIN, false, ACCESS_WRITE, &phys));
    assert_int_equal(phys, PHYS + 0x234);
    assert_unchanged(fx, s);
    /* The real access does set them: proof the snapshot would notice. */
    mmu_write8(&fx->mmu, sup(fx), LIN, 1);
    assert_int_equal(ram32(fx, pte32_addr(FX_PT1, LIN)), PHYS | PTE_P | PTE_W | PTE_A | PTE_D);
}

static void explain_not_present(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram32(fx, FX_PD + 4, FX_PT1 | PTE_P | PTE_W);
    paging32(fx, 0, 0);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, LIN, false, ACCESS_FETCH, &ex);
    assert_false(ex.ok);
    assert_int_equal(ex.fault_error, 0);
    assert_int_equal(ex.nsteps, 2);
    assert_int_equal(ex.steps[1].entry, 0);
    assert_string_equal(ex.steps[1].flags, "");
    mmu_explain(&fx->mmu, 0x00C00000u, true, ACCESS_WRITE, &ex); /* PDE 3: absent */
    assert_int_equal(ex.nsteps, 1);
    assert_int_equal(ex.steps[0].entry_addr, FX_PD + 3 * 4);
    assert_int_equal(ex.fault_error, PF_W | PF_U);
    uint32_t phys = 0xDEAD;
    assert_false(mmu_probe(&fx->mmu, LIN, false, ACCESS_READ, &phys));
    assert_int_equal(phys, 0xDEAD);
}

static void explain_4m_page(void **state)
{
    mmu_fx_t *fx = *state;
    set_ram32(fx, FX_PD + 2 * 4, 0x00C00000u | PTE_PS | PTE_P | PTE_W | PTE_A | PTE_D);
    paging32(fx, 0, CR4_PSE);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, 0x00812345u, false, ACCESS_READ, &ex);
    assert_true(ex.ok);
    assert_int_equal(ex.nsteps, 1);
    assert_string_equal(ex.steps[0].flags, "P W A D PS");
    assert_int_equal(ex.page_size, 4u << 20);
    assert_int_equal(ex.physical, 0x00C12345u);
    assert_true(ex.dirty);
    /* A reserved bit: the same RSVD fault as the walk. */
    set_ram32(fx, FX_PD + 2 * 4, 0x00C00000u | PTE_PS | PTE_P | (1u << 13));
    mmu_explain(&fx->mmu, 0x00812345u, false, ACCESS_READ, &ex);
    assert_false(ex.ok);
    assert_int_equal(ex.fault_error, PF_P | PF_RSVD);
}

static void explain_pae(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t lin = 0x40A01238u;
    map_pae(fx, lin, FX_PAE_PD1, FX_PAE_PT1, PTE_P | PTE_W | PTE_U, 0x00300000u,
            PTE_P | PTE_U | PTE_A | PTE_NX | PTE_PAT_4K);
    paging_pae(fx, 0, 0, EFER_NXE);
    snapshot_t *s = snap(fx);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, lin, true, ACCESS_FETCH, &ex);
    assert_true(ex.pae);
    assert_int_equal(ex.cr3, FX_PDPT);
    assert_int_equal(ex.nsteps, 3);
    assert_string_equal(ex.steps[0].level, "PDPTE");
    assert_int_equal(ex.steps[0].entry_addr, FX_PDPT + 8);
    assert_int_equal(ex.steps[0].entry, FX_PAE_PD1 | PTE_P);
    assert_string_equal(ex.steps[1].level, "PDE");
    assert_int_equal(ex.steps[1].entry_addr, FX_PAE_PD1 + 5 * 8);
    assert_string_equal(ex.steps[2].level, "PTE");
    assert_int_equal(ex.steps[2].entry_addr, FX_PAE_PT1 + 1 * 8);
    assert_int_equal(ex.steps[2].entry, 0x00300000u | PTE_P | PTE_U | PTE_A | PTE_NX | PTE_PAT_4K);
    assert_string_equal(ex.steps[2].flags, "P U A PAT NX");
    assert_false(ex.ok);
    assert_int_equal(ex.fault_error, PF_P | PF_U | PF_I);
    mmu_explain(&fx->mmu, lin, true, ACCESS_READ, &ex);
    assert_true(ex.ok);
    assert_false(ex.executable);
    assert_int_equal(ex.physical, 0x00300238u);
    assert_unchanged(fx, s);
}

/* With paging off the answer is the linear address itself, A20 applied
 * when saying where it lives. */
static void explain_no_paging(void **state)
{
    mmu_fx_t *fx = *state;
    mmu_explain_t ex;
    physmem_set_a20(&fx->pm, false);
    mmu_explain(&fx->mmu, 0x101234u, false, ACCESS_WRITE, &ex);
    assert_false(ex.paging);
    assert_int_equal(ex.nsteps, 0);
    assert_true(ex.ok);
    assert_int_equal(ex.physical, 0x101234u);
    assert_int_equal(ex.where.kind, PHYS_RAM);
    assert_int_equal(ex.where.offset, 0x1234u);
    uint32_t phys;
    assert_true(mmu_probe(&fx->mmu, 0x101234u, true, ACCESS_FETCH, &phys));
    assert_int_equal(phys, 0x1234u);
}

static int dev_calls;
static uint32_t dev_read(void *o, uint32_t off, unsigned size) { (void)o, (void)off, (void)size; dev_calls++; return 0; }
static void dev_write(void *o, uint32_t off, uint32_t v, unsigned size) { (void)o, (void)off, (void)v, (void)size; dev_calls++; }
static const mmio_ops_t dev_ops = {dev_read, dev_write};

/* A device page is described, never touched; a table placed in device
 * memory is not read from the device either (it explains as all-ones). */
static void explain_device_memory(void **state)
{
    mmu_fx_t *fx = *state;
    dev_calls = 0;
    assert_true(physmem_add_mmio(&fx->pm, 0xFEB00000u, 0x2000, &dev_ops, NULL, "dev"));
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, 0xFEB01000u, PTE_P | PTE_W);
    set_ram32(fx, FX_PD + 8, 0xFEB00000u | PTE_P | PTE_W);
    paging32(fx, 0, 0);
    mmu_explain_t ex;
    mmu_explain(&fx->mmu, LIN, false, ACCESS_READ, &ex);
    assert_true(ex.ok);
    assert_int_equal(ex.where.kind, PHYS_MMIO);
    assert_int_equal(ex.where.offset, 0x1234u);
    assert_string_equal(ex.where.mmio->name, "dev");
    mmu_explain(&fx->mmu, 0x00800000u, false, ACCESS_READ, &ex);
    assert_int_equal(ex.steps[1].entry_addr, 0xFEB00000u);
    assert_int_equal(ex.steps[1].entry, 0xFFFFFFFFu);
    /* 32-bit PTEs have no reserved bits: all-ones maps frame 0xFFFFF000. */
    uint32_t phys;
    assert_true(mmu_probe(&fx->mmu, 0x00800000u, false, ACCESS_READ, &phys));
    assert_int_equal(phys, 0xFFFFF000u);
    assert_int_equal(dev_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(explain_32bit_4k, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_changes_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_not_present, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_4m_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_pae, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_no_paging, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(explain_device_memory, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
