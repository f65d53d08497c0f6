/* The physical address map of a PC: RAM sizes, the BIOS at the top of
 * 4 GiB and its alias below 1 MiB, option ROMs, shadow blocks, device
 * regions and their placement rules, unassigned space, and reads without
 * side effects (physmem_peek).  Expected values follow from the map that
 * mmu/physmem.c documents and the PC's (i440FX PAM) conventions.
 */
#include "mmu_fixture.h"

static void ram_sizes(void **state)
{
    (void)state;
    physmem_t pm;
    assert_false(physmem_init(&pm, 0));
    assert_false(physmem_init(&pm, 0xFFFFFu));
    assert_false(physmem_init(&pm, 0x180000u)); /* not a whole MiB */
    assert_false(physmem_init(&pm, PHYS_RAM_MAX + 0x100000u));
    assert_true(physmem_init(&pm, 0x100000u));
    assert_int_equal(pm.ram_pages, 256);
    physmem_free(&pm);
}

static uint8_t *pattern(uint32_t size)
{
    uint8_t *img = malloc(size);
    for (uint32_t i = 0; i < size; i++)
        img[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));
    return img;
}

/* A 256 KiB BIOS: all of it ends at 4 GiB, its last 128 KiB ends at 1 MiB. */
static void bios_placement(void **state)
{
    mmu_fx_t *fx = *state;
    const uint32_t size = 0x40000;
    uint8_t *img = pattern(size);
    assert_false(physmem_load_bios(&fx->pm, img, 0x8000));   /* < 64 KiB */
    assert_false(physmem_load_bios(&fx->pm, img, 0x10800));  /* not whole pages */
    assert_true(physmem_load_bios(&fx->pm, img, size));
    assert_int_equal(fx->pm.rom_base, 0xFFFC0000u);
    assert_int_equal(physmem_read(&fx->pm, 0xFFFC0000u, 4), img[0] | img[1] << 8 | img[2] << 16 | (uint32_t)img[3] << 24);
    assert_int_equal(physmem_read(&fx->pm, 0xFFFFFFFFu, 1), img[size - 1]);
    assert_int_equal(physmem_read(&fx->pm, 0xE0000u, 1), img[size - 0x20000]);
    assert_int_equal(physmem_read(&fx->pm, 0xFFFF0u, 1), img[size - 0x10]);
    assert_int_equal(physmem_read(&fx->pm, 0xDFFFFu, 1), 0); /* below the alias: RAM */
    assert_int_equal(physmem_read(&fx->pm, 0xFFFBFFFFu, 1), 0xFF); /* below the ROM */
    phys_where_t w = physmem_where(&fx->pm, 0xFFFC1000u);
    assert_int_equal(w.kind, PHYS_ROM);
    assert_int_equal(w.offset, 0x1000);
    assert_int_equal(physmem_where(&fx->pm, 0xF0000u).kind, PHYS_SHADOW_ROM);
    free(img);
}

/* Loading firmware over a page holding decoded code drops that code. */
static void bios_reload_invalidates_code(void **state)
{
    mmu_fx_t *fx = *state;
    uint8_t *img = pattern(0x10000);
    physmem_mark_code(&fx->pm, 0xFF);
    assert_true(physmem_load_bios(&fx->pm, img, 0x10000));
    assert_int_equal(fx->code_written, 1);
    assert_int_equal(fx->code_page, 0xFF);
    assert_int_equal(fx->pm.code_page[0xFF], 0);
    free(img);
}

static void option_rom_bounds(void **state)
{
    (void)state;
    physmem_t pm;
    assert_true(physmem_init(&pm, 0x100000u)); /* 1 MiB: the end of RAM is near */
    uint8_t *img = pattern(0x20000);
    assert_true(physmem_load_option_rom(&pm, 0xC0000u, img, 0x8000));
    assert_memory_equal(pm.ram + 0xC0000u, img, 0x8000);
    assert_true(physmem_load_option_rom(&pm, 0xD8000u, img, 0x8000)); /* ends at 0xE0000 */
    assert_false(physmem_load_option_rom(&pm, 0xD8001u, img, 0x8000));
    assert_false(physmem_load_option_rom(&pm, 0xB0000u, img, 0x100));
    /* Past 0xE0000 the size check must not wrap around. */
    assert_false(physmem_load_option_rom(&pm, 0xF0000u, img, 0x20000));
    assert_false(physmem_load_option_rom(&pm, 0xFFFFF000u, img, 0x2000));
    free(img);
    physmem_free(&pm);
}

/* Shadow RAM opens and closes per 16 KiB block; a range covers every block
 * it touches. */
static void shadow_block_granularity(void **state)
{
    mmu_fx_t *fx = *state;
    physmem_set_shadow_writable(&fx->pm, 0xC2000u, 0x4000, true); /* touches blocks 0 and 1 */
    assert_true(fx->pm.shadow_writable[0]);
    assert_true(fx->pm.shadow_writable[1]);
    assert_false(fx->pm.shadow_writable[2]);
    physmem_set_shadow_writable(&fx->pm, 0xBF000u, 0x2000, false); /* from below the area */
    assert_false(fx->pm.shadow_writable[0]);
    assert_true(fx->pm.shadow_writable[1]);
    physmem_set_shadow_writable(&fx->pm, 0xFC000u, 0x100000u, true); /* runs past 1 MiB */
    assert_true(fx->pm.shadow_writable[PHYS_SHADOW_BLOCKS - 1]);
    physmem_set_shadow_writable(&fx->pm, 0xFFFFF000u, 0x2000, true); /* wraps: ignored */
    physmem_set_shadow_writable(&fx->pm, 0xC8000u, 0, true);       /* empty */
    assert_false(fx->pm.shadow_writable[2]);
    physmem_write(&fx->pm, 0xC4000u, 0xAB, 1);
    physmem_write(&fx->pm, 0xC0000u, 0xAB, 1);
    assert_int_equal(fx->pm.ram[0xC4000], 0xAB);
    assert_int_equal(fx->pm.ram[0xC0000], 0);
    assert_int_equal(physmem_where(&fx->pm, 0xC4000u).kind, PHYS_RAM);
    assert_int_equal(physmem_where(&fx->pm, 0xC0000u).kind, PHYS_SHADOW_ROM);
}

static uint32_t nop_read(void *o, uint32_t off, unsigned size)
{
    int *calls = o;
    (*calls)++;
    return off + size;
}
static void nop_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
    int *calls = o;
    (*calls)++;
    (void)off, (void)v, (void)size;
}
static const mmio_ops_t nop_ops = {nop_read, nop_write};

static void region_rules(void **state)
{
    mmu_fx_t *fx = *state;
    int calls = 0;
    static uint8_t fb[0x4000];
    /* Not over RAM (except the VGA window), ROM or another region. */
    assert_false(physmem_add_mmio(&fx->pm, 0x100000u, 0x1000, &nop_ops, &calls, "ram"));
    assert_false(physmem_add_mmio(&fx->pm, FX_RAM - 0x10, 0x20, &nop_ops, &calls, "ram end"));
    assert_true(physmem_add_mmio(&fx->pm, 0xA0000u, 0x20000, &nop_ops, &calls, "vga"));
    assert_false(physmem_add_mmio(&fx->pm, 0xBF000u, 0x2000, &nop_ops, &calls, "vga+"));
    assert_true(physmem_add_mmio(&fx->pm, 0xFEC00000u, 0x20, &nop_ops, &calls, "ioapic"));
    assert_false(physmem_add_mmio(&fx->pm, 0xFEC0001Fu, 0x10, &nop_ops, &calls, "overlap"));
    assert_false(physmem_add_mmio(&fx->pm, 0xFFFFFF00u, 0x200, &nop_ops, &calls, "past 4G"));
    assert_false(physmem_add_mmio(&fx->pm, 0xFED00000u, 0, &nop_ops, &calls, "empty"));
    assert_false(physmem_add_mmio(&fx->pm, 0xFED00000u, 0x10, NULL, &calls, "no ops"));
    /* Host memory comes by whole pages. */
    assert_false(physmem_add_ram_region(&fx->pm, 0xE0000800u, 0x1000, fb, "fb"));
    assert_false(physmem_add_ram_region(&fx->pm, 0xE0000000u, 0x1800, fb, "fb"));
    assert_true(physmem_add_ram_region(&fx->pm, 0xE0000000u, 0x4000, fb, "fb"));
    assert_false(physmem_move_region(&fx->pm, "fb", 0xE1000800u));
    assert_false(physmem_move_region(&fx->pm, "fb", 0xFEBFE000u)); /* onto the ioapic */
    assert_true(physmem_move_region(&fx->pm, "fb", 0xE1000000u));
    assert_int_equal(physmem_where(&fx->pm, 0xE1003FFFu).kind, PHYS_MMIO);
    assert_int_equal(physmem_where(&fx->pm, 0xE0000000u).kind, PHYS_UNASSIGNED);
    assert_false(physmem_move_region(&fx->pm, "nothing", 0xE2000000u));
    /* A ROM may not land on a region either. */
    uint8_t *img = pattern(0x10000);
    assert_true(physmem_add_mmio(&fx->pm, 0xFFFF8000u, 0x100, &nop_ops, &calls, "late"));
    assert_false(physmem_load_bios(&fx->pm, img, 0x10000));
    free(img);
    assert_int_equal(calls, 0);
}

/* A full table is refused, not overrun. */
static void region_table_full(void **state)
{
    mmu_fx_t *fx = *state;
    int calls = 0;
    for (int i = 0; i < PHYS_MAX_MMIO; i++)
        assert_true(physmem_add_mmio(&fx->pm, 0xF0000000u + i * 0x1000u, 0x100, &nop_ops, &calls, "r"));
    assert_false(physmem_add_mmio(&fx->pm, 0xF8000000u, 0x100, &nop_ops, &calls, "r"));
}

static void unassigned_reads_all_ones(void **state)
{
    mmu_fx_t *fx = *state;
    assert_int_equal(physmem_read(&fx->pm, 0x80000000u, 1), 0xFFu);
    assert_int_equal(physmem_read(&fx->pm, 0x80000000u, 2), 0xFFFFu);
    assert_int_equal(physmem_read(&fx->pm, 0x80000000u, 4), 0xFFFFFFFFu);
    physmem_write(&fx->pm, 0x80000000u, 0, 4); /* vanishes */
    assert_int_equal(physmem_read(&fx->pm, 0x80000000u, 4), 0xFFFFFFFFu);
    assert_int_equal(physmem_where(&fx->pm, 0x80000000u).kind, PHYS_UNASSIGNED);
    assert_null(physmem_page_ptr(&fx->pm, 0x80000000u, false));
    /* The VGA window with no VGA: a hole in RAM. */
    assert_int_equal(physmem_where(&fx->pm, 0xB8000u).kind, PHYS_UNASSIGNED);
    assert_int_equal(physmem_read(&fx->pm, 0xB8000u, 2), 0xFFFFu);
    assert_null(physmem_page_ptr(&fx->pm, 0xB8000u, false));
    assert_string_equal(phys_kind_name(PHYS_UNASSIGNED), "unassigned");
    assert_string_equal(phys_kind_name(PHYS_SHADOW_ROM), "shadow ROM");
}

static void page_pointers(void **state)
{
    mmu_fx_t *fx = *state;
    uint8_t *img = pattern(0x10000);
    assert_true(physmem_load_bios(&fx->pm, img, 0x10000));
    assert_ptr_equal(physmem_page_ptr(&fx->pm, 0x123456u, true), fx->pm.ram + 0x123000u);
    assert_ptr_equal(physmem_page_ptr(&fx->pm, 0xFFFF0010u, false), fx->pm.rom);
    assert_null(physmem_page_ptr(&fx->pm, 0xFFFF0010u, true));
    assert_ptr_equal(physmem_page_ptr(&fx->pm, 0xF0000u, false), fx->pm.ram + 0xF0000u);
    assert_null(physmem_page_ptr(&fx->pm, 0xF0000u, true));
    physmem_mark_code(&fx->pm, 0x123);
    assert_null(physmem_page_ptr(&fx->pm, 0x123456u, true));
    assert_non_null(physmem_page_ptr(&fx->pm, 0x123456u, false));
    physmem_mark_code(&fx->pm, 0xFFFFFFu); /* beyond RAM: ignored */
    free(img);
}

/* peek never calls a device: unknown bytes read as 0xFF and it says so. */
static void peek_has_no_side_effects(void **state)
{
    mmu_fx_t *fx = *state;
    int calls = 0;
    assert_true(physmem_add_mmio(&fx->pm, 0xFEB00000u, 0x10, &nop_ops, &calls, "dev"));
    memcpy(fx->pm.ram + 0x2000, "\x01\x02\x03\x04", 4);
    uint8_t b[8];
    assert_true(physmem_peek(&fx->pm, 0x2000, b, 4));
    assert_memory_equal(b, "\x01\x02\x03\x04", 4);
    assert_false(physmem_peek(&fx->pm, 0xFEB0000Cu, b, 8));
    assert_memory_equal(b, "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8);
    assert_int_equal(calls, 0);
    assert_true(physmem_peek(&fx->pm, 0xFFFFFFFEull, b, 4)); /* unassigned, then past 4 GiB */
    assert_memory_equal(b, "\xFF\xFF\xFF\xFF", 4);
    physmem_set_a20(&fx->pm, false);
    assert_true(physmem_peek(&fx->pm, 0x102000u, b, 2));
    assert_memory_equal(b, "\x01\x02", 2);
}

/* Accesses of the documented sizes stay inside RAM even at its last byte. */
static void accesses_at_ram_end(void **state)
{
    mmu_fx_t *fx = *state;
    fx->pm.ram[FX_RAM - 1] = 0x5C;
    assert_int_equal(physmem_read(&fx->pm, FX_RAM - 1, 2), 0xFF5Cu);
    assert_int_equal(physmem_read(&fx->pm, FX_RAM - 1, 4), 0xFFFFFF5Cu);
    physmem_write(&fx->pm, FX_RAM - 1, 0x01020304u, 4);
    assert_int_equal(fx->pm.ram[FX_RAM - 1], 0x04);
    physmem_write(&fx->pm, 0xFFFFFFFEu, 0x01020304u, 4); /* wraps into address 0 */
    assert_int_equal(fx->pm.ram[0], 0x02);
    assert_int_equal(fx->pm.ram[1], 0x01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ram_sizes),
        cmocka_unit_test_setup_teardown(bios_placement, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bios_reload_invalidates_code, fx_setup, fx_teardown),
        cmocka_unit_test(option_rom_bounds),
        cmocka_unit_test_setup_teardown(shadow_block_granularity, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(region_rules, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(region_table_full, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unassigned_reads_all_ones, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(page_pointers, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(peek_has_no_side_effects, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(accesses_at_ram_end, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
