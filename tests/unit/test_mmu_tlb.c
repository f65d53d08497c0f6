/* The TLB and the access helpers: translations stay cached (stale) until
 * INVLPG or a CR3 load as the SDM allows software to see (4.10.4), global
 * pages survive CR3 loads but not a CR4.PGE change, INVLPG drops a whole
 * large page, page-crossing accesses fault before writing anything, host
 * pointers exist only for plain memory (never MMIO, never writable ROM),
 * self-modifying code is caught, and the A20 gate wraps.
 */
#include "mmu_fixture.h"

#define LIN 0x00401000u
#define PA 0x00200000u
#define PB 0x00300000u

static uint32_t rd(mmu_fx_t *fx, uint32_t lin) { return mmu_read32(&fx->mmu, sup(fx), lin); }
static void wr(mmu_fx_t *fx, uint32_t lin, uint32_t v) { mmu_write32(&fx->mmu, sup(fx), lin, v); }

/* LIN -> PA with distinct contents in PA and PB. */
static void two_frames(mmu_fx_t *fx, uint32_t pte_flags)
{
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PA, pte_flags);
    set_ram32(fx, PA, 0xAAAAAAAAu);
    set_ram32(fx, PB, 0xBBBBBBBBu);
}

/* ---------------------------------------------------------------- staleness */

/* LIN is read through the TLB, then its PTE is moved to PB behind the
 * TLB's back: the cached translation stays in use. */
static void remap_behind_tlb(mmu_fx_t *fx)
{
    two_frames(fx, PTE_P | PTE_W);
    paging32(fx, 0, 0);
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PB | PTE_P | PTE_W);
    mmu_invlpg(&fx->mmu, LIN + PAGE_SIZE); /* another page: no effect */
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu);
}

static void stale_until_invlpg(void **state)
{
    mmu_fx_t *fx = *state;
    remap_behind_tlb(fx);
    mmu_invlpg(&fx->mmu, LIN + 0x123); /* any address in the page */
    assert_int_equal(rd(fx, LIN), 0xBBBBBBBBu);
}

static void stale_until_cr3_load(void **state)
{
    mmu_fx_t *fx = *state;
    remap_behind_tlb(fx);
    assert_true(mmu_set_cr3(&fx->mmu, FX_PD)); /* the same value still flushes */
    assert_int_equal(rd(fx, LIN), 0xBBBBBBBBu);
}

/* A page made not-present stays reachable until invalidated; then #PF. */
static void stale_after_unmap(void **state)
{
    mmu_fx_t *fx = *state;
    two_frames(fx, PTE_P | PTE_W);
    paging32(fx, 0, 0);
    wr(fx, LIN, 1);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), 0);
    wr(fx, LIN, 2);
    assert_int_equal(ram32(fx, PA), 2);
    mmu_invlpg(&fx->mmu, LIN);
    EXPECT_PF(fx, rd(fx, LIN), LIN, 0);
    EXPECT_PF(fx, mmu_read32(&fx->mmu, usr(fx), LIN), LIN, PF_U);
}

/* Supervisor and user TLBs are both flushed. */
static void invlpg_flushes_user_entries(void **state)
{
    mmu_fx_t *fx = *state;
    two_frames(fx, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    assert_int_equal(mmu_read32(&fx->mmu, usr(fx), LIN), 0xAAAAAAAAu);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PB | PTE_P | PTE_W | PTE_U);
    mmu_invlpg(&fx->mmu, LIN);
    assert_int_equal(mmu_read32(&fx->mmu, usr(fx), LIN), 0xBBBBBBBBu);
}

static void global_pages(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t lin2 = LIN + PAGE_SIZE;
    two_frames(fx, PTE_P | PTE_W | PTE_G);
    set_ram32(fx, pte32_addr(FX_PT1, lin2), PA | PTE_P | PTE_W); /* not global */
    paging32(fx, 0, CR4_PGE);
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu);
    assert_int_equal(rd(fx, lin2), 0xAAAAAAAAu);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PB | PTE_P | PTE_W | PTE_G);
    set_ram32(fx, pte32_addr(FX_PT1, lin2), PB | PTE_P | PTE_W);
    assert_true(mmu_set_cr3(&fx->mmu, FX_PD));
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu); /* global: survives */
    assert_int_equal(rd(fx, lin2), 0xBBBBBBBBu);
    /* Clearing and setting CR4.PGE flushes global entries too. */
    assert_true(mmu_set_cr4(&fx->mmu, 0));
    assert_int_equal(rd(fx, LIN), 0xBBBBBBBBu);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PA | PTE_P | PTE_W | PTE_G);
    assert_true(mmu_set_cr4(&fx->mmu, CR4_PGE));
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu);
    /* INVLPG drops a global entry. */
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PB | PTE_P | PTE_W | PTE_G);
    mmu_invlpg(&fx->mmu, LIN);
    assert_int_equal(rd(fx, LIN), 0xBBBBBBBBu);
}

/* Without CR4.PGE the G bit is ignored: a CR3 load flushes the entry. */
static void g_bit_ignored_without_pge(void **state)
{
    mmu_fx_t *fx = *state;
    two_frames(fx, PTE_P | PTE_W | PTE_G);
    paging32(fx, 0, 0);
    assert_int_equal(rd(fx, LIN), 0xAAAAAAAAu);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), PB | PTE_P | PTE_W | PTE_G);
    assert_true(mmu_set_cr3(&fx->mmu, FX_PD));
    assert_int_equal(rd(fx, LIN), 0xBBBBBBBBu);
}

/* INVLPG of any address in a 4 MiB page drops every cached piece of it. */
static void invlpg_whole_large_page(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t base = 0x00800000u;
    set_ram32(fx, FX_PD + 2 * 4, 0x00400000u | PTE_PS | PTE_P | PTE_W | PTE_G);
    set_ram32(fx, 0x00400000u + 0x3000, 0x11111111u);
    set_ram32(fx, 0x00C00000u + 0x3000, 0x22222222u);
    paging32(fx, 0, CR4_PSE | CR4_PGE);
    rd(fx, base + 0x1000);
    assert_int_equal(rd(fx, base + 0x3000), 0x11111111u);
    set_ram32(fx, FX_PD + 2 * 4, 0x00C00000u | PTE_PS | PTE_P | PTE_W | PTE_G);
    assert_int_equal(rd(fx, base + 0x3000), 0x11111111u); /* stale */
    mmu_invlpg(&fx->mmu, base + 0x1000);
    assert_int_equal(rd(fx, base + 0x3000), 0x22222222u);
}

static void invlpg_whole_2m_page(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t base = 0x40200000u; /* PDPTE 1, PDE 1 */
    set_ram64(fx, pdpte_addr(base), FX_PAE_PD1 | PTE_P);
    set_ram64(fx, pde_pae_addr(FX_PAE_PD1, base), 0x00400000u | PTE_PS | PTE_P | PTE_W);
    set_ram32(fx, 0x00400000u + 0x1FF000, 0x11111111u);
    set_ram32(fx, 0x00600000u + 0x1FF000, 0x22222222u);
    paging_pae(fx, 0, 0, 0);
    assert_int_equal(rd(fx, base + 0x1FF000), 0x11111111u);
    set_ram64(fx, pde_pae_addr(FX_PAE_PD1, base), 0x00600000u | PTE_PS | PTE_P | PTE_W);
    mmu_invlpg(&fx->mmu, base);
    assert_int_equal(rd(fx, base + 0x1FF000), 0x22222222u);
}

/* The TLB's cached rights follow CR0.WP (the SDM evaluates WP at each
 * access; hardware needs no flush). */
static void wp_change_takes_effect(void **state)
{
    mmu_fx_t *fx = *state;
    two_frames(fx, PTE_P | PTE_D | PTE_A);
    paging32(fx, 0, 0);
    wr(fx, LIN, 1);
    assert_true(mmu_set_cr0(&fx->mmu, CR0_PE | CR0_PG | CR0_WP));
    EXPECT_PF(fx, wr(fx, LIN, 2), LIN, PF_P | PF_W);
    assert_int_equal(ram32(fx, PA), 1);
}

/* Toggling EFER.NXE changes what bit 63 means; no stale rights remain. */
static void nxe_change_takes_effect(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t lin = 0x00201000u;
    map_pae(fx, lin, FX_PAE_PD0, FX_PAE_PT0, PTE_P | PTE_W, PA, PTE_P | PTE_W | PTE_NX);
    paging_pae(fx, 0, 0, EFER_NXE);
    assert_int_equal(mmu_translate(&fx->mmu, lin, ACCESS_READ, false), PA);
    EXPECT_PF(fx, mmu_translate(&fx->mmu, lin, ACCESS_FETCH, false), lin, PF_P | PF_I);
    mmu_set_efer(&fx->mmu, 0);
    EXPECT_PF(fx, rd(fx, lin), lin, PF_P | PF_RSVD);
}

/* ---------------------------------------------------------------- page crossing */

#define CROSS (LIN + PAGE_SIZE - 2) /* the last two bytes of LIN's page */

/* LIN -> PA, LIN+4K -> PB (not adjacent in physical memory). */
static void cross_setup(mmu_fx_t *fx, uint32_t second_flags)
{
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, PA, PTE_P | PTE_W | PTE_U);
    set_ram32(fx, pte32_addr(FX_PT1, LIN + PAGE_SIZE), PB | second_flags);
    memcpy(fx->pm.ram + PA + PAGE_SIZE - 2, "\x11\x22", 2);
    memcpy(fx->pm.ram + PB, "\x33\x44", 2);
    memcpy(fx->pm.ram + PA + PAGE_SIZE, "\xEE\xEE", 2); /* what a linear read of PA would see */
}

static void cross_read(void **state)
{
    mmu_fx_t *fx = *state;
    cross_setup(fx, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    assert_int_equal(rd(fx, CROSS), 0x44332211u);
    assert_int_equal(mmu_read16(&fx->mmu, sup(fx), CROSS + 1), 0x3322u);
    assert_int_equal(mmu_read64(&fx->mmu, sup(fx), CROSS - 4), 0x4433221100000000ull);
}

static void cross_write(void **state)
{
    mmu_fx_t *fx = *state;
    cross_setup(fx, PTE_P | PTE_W | PTE_U);
    paging32(fx, 0, 0);
    wr(fx, CROSS, 0xD4C3B2A1u);
    assert_memory_equal(fx->pm.ram + PA + PAGE_SIZE - 2, "\xA1\xB2", 2);
    assert_memory_equal(fx->pm.ram + PB, "\xC3\xD4", 2);
    assert_memory_equal(fx->pm.ram + PA + PAGE_SIZE, "\xEE\xEE", 2);
    mmu_write64(&fx->mmu, sup(fx), CROSS - 5, 0x0807060504030201ull);
    assert_memory_equal(fx->pm.ram + PA + PAGE_SIZE - 7, "\x01\x02\x03\x04\x05\x06\x07", 7);
    assert_memory_equal(fx->pm.ram + PB, "\x08\xD4", 2);
}

/* A fault on the second page: CR2 is its first byte, nothing is written,
 * and the first page's PTE gets no A/D bit from the aborted store. */
static void cross_write_second_page_readonly(void **state)
{
    mmu_fx_t *fx = *state;
    cross_setup(fx, PTE_P | PTE_U);
    paging32(fx, CR0_WP, 0);
    EXPECT_PF(fx, wr(fx, CROSS, 0xFFFFFFFFu), LIN + PAGE_SIZE, PF_P | PF_W);
    EXPECT_PF(fx, mmu_write16(&fx->mmu, usr(fx), LIN + PAGE_SIZE - 1, 0xFFFF), LIN + PAGE_SIZE,
              PF_P | PF_W | PF_U);
    EXPECT_PF(fx, mmu_write64(&fx->mmu, sup(fx), CROSS - 4, ~0ull), LIN + PAGE_SIZE, PF_P | PF_W);
    assert_memory_equal(fx->pm.ram + PA + PAGE_SIZE - 2, "\x11\x22", 2);
    assert_memory_equal(fx->pm.ram + PB, "\x33\x44", 2);
    assert_int_equal(ram32(fx, pte32_addr(FX_PT1, LIN)), PA | PTE_P | PTE_W | PTE_U);
    assert_int_equal(ram32(fx, pte32_addr(FX_PT1, LIN + PAGE_SIZE)), PB | PTE_P | PTE_U);
    /* Reading across works. */
    assert_int_equal(rd(fx, CROSS), 0x44332211u);
}

static void cross_write_second_page_missing(void **state)
{
    mmu_fx_t *fx = *state;
    cross_setup(fx, 0);
    paging32(fx, 0, 0);
    rd(fx, LIN); /* the first page is in the TLB, writable and clean */
    EXPECT_PF(fx, wr(fx, CROSS, 0xFFFFFFFFu), LIN + PAGE_SIZE, PF_W);
    assert_memory_equal(fx->pm.ram + PA + PAGE_SIZE - 2, "\x11\x22", 2);
    assert_int_equal(ram32(fx, pte32_addr(FX_PT1, LIN)), PA | PTE_P | PTE_W | PTE_U | PTE_A);
    EXPECT_PF(fx, rd(fx, CROSS), LIN + PAGE_SIZE, 0);
}

static void cross_fault_on_first_page(void **state)
{
    mmu_fx_t *fx = *state;
    cross_setup(fx, PTE_P | PTE_W | PTE_U);
    set_ram32(fx, pte32_addr(FX_PT1, LIN), 0);
    paging32(fx, 0, 0);
    EXPECT_PF(fx, wr(fx, CROSS, 0), CROSS, PF_W);
    EXPECT_PF(fx, rd(fx, CROSS), CROSS, 0);
    assert_memory_equal(fx->pm.ram + PB, "\x33\x44", 2);
}

/* mmu_check_write covers every page of a long range before anything. */
static void check_write_range(void **state)
{
    mmu_fx_t *fx = *state;
    for (uint32_t p = 0; p < 3; p++)
        set_ram32(fx, pte32_addr(FX_PT1, LIN + p * PAGE_SIZE), (PA + p * PAGE_SIZE) | PTE_P | PTE_W);
    set_ram32(fx, pte32_addr(FX_PT1, LIN + 2 * PAGE_SIZE), (PA + 2 * PAGE_SIZE) | PTE_P);
    set_ram32(fx, pde32_addr(LIN), FX_PT1 | PTE_P | PTE_W);
    paging32(fx, CR0_WP, 0);
    mmu_check_write(&fx->mmu, sup(fx), LIN + 10, 2 * PAGE_SIZE - 10);
    EXPECT_PF(fx, mmu_check_write(&fx->mmu, sup(fx), LIN + 10, 2 * PAGE_SIZE - 9), LIN + 2 * PAGE_SIZE,
              PF_P | PF_W);
}

/* ---------------------------------------------------------------- host pointers */

typedef struct dev {
    int reads, writes;
    uint32_t last_off, last_val;
    unsigned last_size;
} fake_dev_t;

static uint32_t dev_read(void *opaque, uint32_t off, unsigned size)
{
    fake_dev_t *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    return 0x5A5A5A00u | (off & 0xFF); /* junk above `size` bytes: physmem must drop it */
}

static void dev_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    fake_dev_t *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_val = v;
    d->last_size = size;
}

static const mmio_ops_t dev_ops = {dev_read, dev_write};

static void assert_no_fast_path(const tlb_entry_t *e, uint32_t lin)
{
    uint32_t page = lin & PAGE_MASK;
    assert_int_equal(e->page, page);
    assert_int_not_equal(e->tag_r, page);
    assert_int_not_equal(e->tag_w, page);
    assert_int_not_equal(e->tag_x, page);
}

static void mmio_never_in_fast_path(void **state)
{
    mmu_fx_t *fx = *state;
    fake_dev_t d = {0};
    assert_true(physmem_add_mmio(&fx->pm, 0xFEB00000u, 0x1000, &dev_ops, &d, "dev"));
    /* Paging off: identity. */
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), 0xFEB00010u), 0x5A5A5A10u);
    assert_int_equal(d.reads, 1);
    assert_int_equal(d.last_size, 4);
    assert_no_fast_path(tlb_slot(sup(fx), 0xFEB00010u), 0xFEB00010u);
    mmu_write16(&fx->mmu, sup(fx), 0xFEB00020u, 0xBEEF);
    assert_int_equal(d.writes, 1);
    assert_int_equal(d.last_off, 0x20);
    assert_int_equal(d.last_val, 0xBEEF);
    assert_int_equal(d.last_size, 2);
    /* Every access reaches the device, none is cached. */
    mmu_read8(&fx->mmu, sup(fx), 0xFEB00011u);
    mmu_read8(&fx->mmu, sup(fx), 0xFEB00011u);
    assert_int_equal(d.reads, 3);
    assert_null(mmu_rmw_ptr(sup(fx), 0xFEB00011u, 1));
    uint32_t phys;
    assert_null(mmu_fetch_page(&fx->mmu, 0xFEB00000u, &phys));
    assert_int_equal(phys, 0xFEB00000u);
    /* Paged, writable, dirty, user: still no host pointer. */
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W | PTE_U, 0xFEB00000u, PTE_P | PTE_W | PTE_U | PTE_A | PTE_D);
    paging32(fx, 0, 0);
    assert_int_equal(mmu_read32(&fx->mmu, usr(fx), LIN + 0x40), 0x5A5A5A40u);
    mmu_write32(&fx->mmu, usr(fx), LIN + 0x44, 7);
    assert_no_fast_path(tlb_slot(usr(fx), LIN), LIN);
    assert_int_equal(d.last_off, 0x44);
}

/* An access that runs off the end of a device region is split: the device
 * sees only its own bytes. */
static void mmio_straddling_end(void **state)
{
    mmu_fx_t *fx = *state;
    fake_dev_t d = {0};
    assert_true(physmem_add_mmio(&fx->pm, 0xFEB00000u, 0x10, &dev_ops, &d, "dev"));
    uint32_t v = mmu_read32(&fx->mmu, sup(fx), 0xFEB0000Eu);
    assert_int_equal(d.reads, 2);
    assert_int_equal(d.last_size, 1);
    assert_int_equal(v, 0xFFFF0000u | 0x0F0Eu); /* two device bytes, two unassigned */
}

/* A framebuffer-style region backed by host memory is plain memory. */
static void host_region_fast_path(void **state)
{
    mmu_fx_t *fx = *state;
    static uint8_t fb[2 * PAGE_SIZE];
    assert_true(physmem_add_ram_region(&fx->pm, 0xE0000000u, sizeof fb, fb, "fb"));
    mmu_write32(&fx->mmu, sup(fx), 0xE0001004u, 0x01020304u);
    assert_memory_equal(fb + 0x1004, "\x04\x03\x02\x01", 4);
    const tlb_entry_t *e = tlb_slot(sup(fx), 0xE0001004u);
    assert_int_equal(e->tag_w, 0xE0001000u);
    assert_ptr_equal((uint8_t *)(e->host + 0xE0001004u), fb + 0x1004);
}

static void ram_fast_path_points_into_ram(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, PA, PTE_P | PTE_W);
    paging32(fx, 0, 0);
    wr(fx, LIN + 8, 1); /* walk sets D: the write path opens */
    const tlb_entry_t *e = tlb_slot(sup(fx), LIN);
    assert_int_equal(e->tag_r, LIN);
    assert_int_equal(e->tag_w, LIN);
    assert_int_equal(e->tag_x, LIN);
    assert_ptr_equal((uint8_t *)(e->host + LIN + 8), fx->pm.ram + PA + 8);
    assert_ptr_equal(mmu_rmw_ptr(sup(fx), LIN + 8, 4), fx->pm.ram + PA + 8);
}

static const uint8_t *bios_image(void)
{
    static uint8_t img[0x10000];
    for (unsigned i = 0; i < sizeof img; i++)
        img[i] = (uint8_t)(i * 7 + 1);
    return img;
}

static void rom_never_writable(void **state)
{
    mmu_fx_t *fx = *state;
    const uint8_t *img = bios_image();
    assert_true(physmem_load_bios(&fx->pm, img, 0x10000));
    uint32_t orig;
    memcpy(&orig, img + 0xFFF0, 4);
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), 0xFFFFFFF0u), orig);
    mmu_write32(&fx->mmu, sup(fx), 0xFFFFFFF0u, 0);
    mmu_write8(&fx->mmu, sup(fx), 0xFFFFFFF1u, 0);
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), 0xFFFFFFF0u), orig);
    const tlb_entry_t *e = tlb_slot(sup(fx), 0xFFFFF000u);
    assert_int_equal(e->tag_r, 0xFFFFF000u);
    assert_int_not_equal(e->tag_w, 0xFFFFF000u);
    assert_null(mmu_rmw_ptr(sup(fx), 0xFFFFFFF0u, 4));
    /* Through a writable, dirty PTE as well. */
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, 0xFFFFF000u, PTE_P | PTE_W | PTE_A | PTE_D);
    paging32(fx, 0, 0);
    wr(fx, LIN + 0xFF0, 0);
    assert_int_equal(rd(fx, LIN + 0xFF0), orig);
    assert_int_not_equal(tlb_slot(sup(fx), LIN)->tag_w, LIN);
}

/* The BIOS's copy below 1 MiB is shadow RAM: read-only until the chipset
 * opens a 16 KiB block, then ordinary RAM. */
static void shadow_rom_blocks(void **state)
{
    mmu_fx_t *fx = *state;
    const uint8_t *img = bios_image();
    assert_true(physmem_load_bios(&fx->pm, img, 0x10000));
    uint8_t orig = img[0x1234];
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xF1234u), orig);
    mmu_write8(&fx->mmu, sup(fx), 0xF1234u, (uint8_t)~orig);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xF1234u), orig);
    physmem_set_shadow_writable(&fx->pm, 0xF0000u, 0x4000, true);
    mmu_write8(&fx->mmu, sup(fx), 0xF1234u, (uint8_t)~orig);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xF1234u), (uint8_t)~orig);
    mmu_write8(&fx->mmu, sup(fx), 0xF4000u, (uint8_t)~img[0x4000]); /* next block: closed */
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xF4000u), img[0x4000]);
    physmem_set_shadow_writable(&fx->pm, 0xF0000u, 0x4000, false);
    mmu_write8(&fx->mmu, sup(fx), 0xF1234u, 0);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xF1234u), (uint8_t)~orig);
}

/* ---------------------------------------------------------------- SMC */

static void code_page_writes_are_caught(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t a = 0x5010u;
    mmu_write8(&fx->mmu, sup(fx), a, 1);
    assert_int_equal(tlb_slot(sup(fx), a)->tag_w, 0x5000u);
    mmu_read8(&fx->mmu, usr(fx), a); /* a second mapping of the page */
    physmem_mark_code(&fx->pm, 5);
    mmu_protect_code_page(&fx->mmu, 0x5000u);
    assert_int_not_equal(tlb_slot(sup(fx), a)->tag_w, 0x5000u);
    assert_int_not_equal(tlb_slot(usr(fx), a)->tag_w, 0x5000u);
    assert_null(mmu_rmw_ptr(sup(fx), a, 1));
    mmu_write8(&fx->mmu, sup(fx), a + 1, 0x90);
    assert_int_equal(fx->code_written, 1);
    assert_int_equal(fx->code_page, 5);
    assert_int_equal(fx->pm.ram[a + 1], 0x90);
    /* The page holds no code now: the fast path reopens, no second call. */
    assert_int_equal(tlb_slot(sup(fx), a)->tag_w, 0x5000u);
    mmu_write8(&fx->mmu, sup(fx), a + 2, 0x90);
    assert_int_equal(fx->code_written, 1);
    /* A fill after marking keeps the write path closed. */
    physmem_mark_code(&fx->pm, 6);
    mmu_read8(&fx->mmu, sup(fx), 0x6000u);
    assert_int_not_equal(tlb_slot(sup(fx), 0x6000u)->tag_w, 0x6000u);
    /* Device DMA into a code page is caught too. */
    physmem_write_block(&fx->pm, 0x6FFEu, "\1\2\3\4", 4);
    assert_int_equal(fx->code_written, 2);
    assert_int_equal(fx->code_page, 6);
}

/* ---------------------------------------------------------------- A20, bounds */

static void a20_wraps(void **state)
{
    mmu_fx_t *fx = *state;
    fx->pm.ram[0x1234] = 0x5A;
    fx->pm.ram[0x101234] = 0xA5;
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0x101234u), 0xA5);
    physmem_set_a20(&fx->pm, false); /* the callback flushes the TLB */
    assert_false(physmem_a20(&fx->pm));
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0x101234u), 0x5A);
    assert_int_equal(physmem_read(&fx->pm, 0x101234u, 1), 0x5A);
    fx->pm.ram[0x201234] = 0x6B;
    assert_int_equal(physmem_read(&fx->pm, 0x301234u, 1), 0x6B); /* only bit 20 is masked */
    mmu_write8(&fx->mmu, sup(fx), 0x101235u, 0x77);
    assert_int_equal(fx->pm.ram[0x1235], 0x77);
    assert_int_equal(fx->pm.ram[0x101235], 0);
    /* Real mode's FFFF:0010 is linear 0x100000: address 0 with A20 off. */
    fx->pm.ram[0] = 0x42;
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xFFFF0u + 0x10), 0x42);
    physmem_set_a20(&fx->pm, true);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0x101234u), 0xA5);
}

/* Paging's output goes through A20 too, and so do the walker's reads. */
static void a20_with_paging(void **state)
{
    mmu_fx_t *fx = *state;
    map32(fx, LIN, FX_PT1, PTE_P | PTE_W, 0x00100000u, PTE_P | PTE_W);
    fx->pm.ram[0x000010] = 0x3C;
    fx->pm.ram[0x100010] = 0xC3;
    paging32(fx, 0, 0);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), LIN + 0x10), 0xC3);
    physmem_set_a20(&fx->pm, false);
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), LIN + 0x10), 0x3C);
    assert_int_equal(mmu_translate(&fx->mmu, LIN + 0x10, ACCESS_READ, false), 0x10);
}

/* Nothing past the RAM buffer is ever touched (ASan checks the host side):
 * the guest sees all-ones there, and accesses straddling the end split. */
static void past_ram_and_holes(void **state)
{
    mmu_fx_t *fx = *state;
    memcpy(fx->pm.ram + FX_RAM - 2, "\x12\x34", 2);
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), FX_RAM), 0xFFFFFFFFu);
    assert_int_equal(mmu_read16(&fx->mmu, sup(fx), FX_RAM + 0x100), 0xFFFFu);
    assert_int_equal(mmu_read32(&fx->mmu, sup(fx), FX_RAM - 2), 0xFFFF3412u);
    assert_int_equal(physmem_read(&fx->pm, FX_RAM - 2, 4), 0xFFFF3412u);
    mmu_write32(&fx->mmu, sup(fx), FX_RAM - 2, 0xAABBCCDDu);
    physmem_write(&fx->pm, FX_RAM - 1, 0x11223344u, 4);
    assert_memory_equal(fx->pm.ram + FX_RAM - 2, "\xDD\x44", 2);
    assert_int_equal(tlb_slot(sup(fx), FX_RAM)->host, 0);
    uint8_t buf[8];
    physmem_read_block(&fx->pm, FX_RAM - 4, buf, sizeof buf);
    assert_memory_equal(buf, "\0\0\xDD\x44\xFF\xFF\xFF\xFF", 8);
    physmem_write_block(&fx->pm, FX_RAM - 4, "\1\2\3\4\5\6\7\x8", 8);
    assert_memory_equal(fx->pm.ram + FX_RAM - 4, "\1\2\3\4", 4);
    /* The top of the linear space wraps to 0 with paging off. */
    fx->pm.ram[0] = 0x99;
    assert_int_equal(mmu_read16(&fx->mmu, sup(fx), 0xFFFFFFFFu), 0x99FFu);
    /* The VGA window with no VGA registered is a hole, not RAM. */
    fx->pm.ram[0xA0000] = 0x12;
    assert_int_equal(mmu_read8(&fx->mmu, sup(fx), 0xA0000u), 0xFF);
    mmu_write8(&fx->mmu, sup(fx), 0xA0001u, 0x34);
    assert_int_equal(fx->pm.ram[0xA0001], 0);
    assert_int_equal(tlb_slot(sup(fx), 0xA0000u)->host, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stale_until_invlpg, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stale_until_cr3_load, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(stale_after_unmap, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(invlpg_flushes_user_entries, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(global_pages, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(g_bit_ignored_without_pge, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(invlpg_whole_large_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(invlpg_whole_2m_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(wp_change_takes_effect, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(nxe_change_takes_effect, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cross_read, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cross_write, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cross_write_second_page_readonly, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cross_write_second_page_missing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cross_fault_on_first_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(check_write_range, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(mmio_never_in_fast_path, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(mmio_straddling_end, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(host_region_fast_path, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(ram_fast_path_points_into_ram, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(rom_never_writable, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(shadow_rom_blocks, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(code_page_writes_are_caught, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a20_wraps, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a20_with_paging, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(past_ram_and_holes, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
