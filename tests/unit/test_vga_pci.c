/* The VGA as PCI device 02.0 on the board: its identity, BAR0 sizing with
 * the prefetchable bit kept, and the linear framebuffer appearing at the
 * address the guest programs once memory decoding is on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "devices/pc.h"

static uint8_t bios[0x10000];

static machine_t *make_machine(void)
{
    memset(bios, 0xF4, sizeof bios);
    machine_config_t cfg = {.ram_mb = 16, .bios_image = bios, .bios_size = sizeof bios, .rtc_start = 0};
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    assert_non_null(m);
    return m;
}

#define VGA_DEVFN (2 << 3)

static void test_identity_and_bar_sizing(void **s)
{
    (void)s;
    machine_t *m = make_machine();
    assert_int_equal(pci_config_read(&m->pci, VGA_DEVFN, 0x00, 4), 0x11111234u);
    assert_int_equal(pci_config_read(&m->pci, VGA_DEVFN, 0x0B, 1), 0x03); /* display */
    /* Sizing: all-ones reads back the size mask of 16 MiB with the
     * memory-BAR flags: 32-bit, prefetchable (bit 3). */
    pci_config_write(&m->pci, VGA_DEVFN, 0x10, 0xFFFFFFFFu, 4);
    assert_int_equal(pci_config_read(&m->pci, VGA_DEVFN, 0x10, 4), 0xFF000008u);
    machine_destroy(m);
}

static void test_framebuffer_follows_bar(void **s)
{
    (void)s;
    machine_t *m = make_machine();
    pci_config_write(&m->pci, VGA_DEVFN, 0x10, 0xE0000000u, 4);
    /* Not decoding yet: the address space there is unassigned. */
    assert_int_equal(physmem_read(&m->mem, 0xE0000000u, 4), 0xFFFFFFFFu);
    pci_config_write(&m->pci, VGA_DEVFN, 0x04, 0x0002, 2); /* memory space on */
    physmem_write(&m->mem, 0xE0000010u, 0x11223344u, 4);
    assert_int_equal(physmem_read(&m->mem, 0xE0000010u, 4), 0x11223344u);
    assert_memory_equal(m->vga.vram + 0x10, "\x44\x33\x22\x11", 4);
    /* Moved: the same memory answers at the new base, not at the old. */
    pci_config_write(&m->pci, VGA_DEVFN, 0x10, 0xF0000000u, 4);
    assert_int_equal(physmem_read(&m->mem, 0xF0000010u, 4), 0x11223344u);
    assert_int_equal(physmem_read(&m->mem, 0xE0000010u, 4), 0xFFFFFFFFu);
    machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_bar_sizing),
        cmocka_unit_test(test_framebuffer_follows_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
