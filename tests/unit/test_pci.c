/* PCI configuration mechanism #1, BAR sizing, command register, PIRQ
 * routing, and the i440FX and PIIX3 registers: values from the PCI Local
 * Bus specification 2.1 and the Intel 82441FX and 82371SB datasheets
 * (8086:1237 rev 02 class 060000; 8086:7000 class 060100 multi-function;
 * PIRQ route bit 7 disables; PAM bit 1 write enable; 0xCF9 bit 2 starts a
 * reset, bit 1 makes it a hard one). */
#include "devtest.h"

#include <string.h>

#include "devices/i440fx.h"
#include "devices/piix3.h"

typedef struct {
    testbed_t t;
    physmem_t mem;
    pci_bus_t bus;
    i440fx_t host;
    piix3_t isa;
    irq_probe_t isa_irq[16];
    int hard_resets, soft_resets;
} fixture_t;

static fixture_t f;

static void reset_cb(void *o, bool hard)
{
    fixture_t *x = o;
    if (hard)
        x->hard_resets++;
    else
        x->soft_resets++;
}

static int setup(void **s)
{
    (void)s;
    memset(&f, 0, sizeof f);
    testbed_init(&f.t);
    assert_true(physmem_init(&f.mem, 32u << 20));
    assert_true(pci_bus_init(&f.bus, &f.t.io));
    for (int n = 0; n < 16; n++)
        f.bus.isa_irq[n] = probe_line(&f.isa_irq[n]);
    assert_true(i440fx_init(&f.host, &f.bus, &f.mem, 32u << 20));
    assert_true(piix3_init(&f.isa, &f.bus, &f.t.io, reset_cb, &f));
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    physmem_free(&f.mem);
    return 0;
}

static uint32_t cfg_read(uint8_t devfn, uint8_t reg)
{
    outl(&f.t, 0xCF8, 0x80000000u | (uint32_t)devfn << 8 | reg);
    return inl(&f.t, 0xCFC);
}

static void cfg_write(uint8_t devfn, uint8_t reg, uint32_t v)
{
    outl(&f.t, 0xCF8, 0x80000000u | (uint32_t)devfn << 8 | reg);
    outl(&f.t, 0xCFC, v);
}

static void test_mechanism1(void **s)
{
    (void)s;
    outl(&f.t, 0xCF8, 0x80000000u);
    assert_int_equal(inl(&f.t, 0xCF8), 0x80000000u);
    outb(&f.t, 0xCFB, 0x01); /* byte writes do not reach CONFADD */
    assert_int_equal(inl(&f.t, 0xCF8), 0x80000000u);
    assert_int_equal(cfg_read(0x00, 0x00), 0x12378086u);
    assert_int_equal(cfg_read(0x00, 0x08), 0x06000002u);
    assert_int_equal(cfg_read(0x08, 0x00), 0x70008086u);
    assert_int_equal(cfg_read(0x08, 0x08), 0x06010000u);
    assert_int_equal(cfg_read(0x08, 0x0C) >> 16 & 0xFF, 0x80); /* multi-function */
    assert_int_equal(cfg_read(0x10, 0x00), 0xFFFFFFFFu); /* nothing in slot 2 */
    outl(&f.t, 0xCF8, 0x80010000u); /* bus 1 does not exist */
    assert_int_equal(inl(&f.t, 0xCFC), 0xFFFFFFFFu);
    outl(&f.t, 0xCF8, 0x00000000u); /* enable bit clear */
    assert_int_equal(inl(&f.t, 0xCFC), 0xFFFFFFFFu);
    /* Byte and word accesses within the data window. */
    outl(&f.t, 0xCF8, 0x80000000u);
    assert_int_equal(ioport_read(&f.t.io, 0xCFE, 2), 0x1237);
    assert_int_equal(ioport_read(&f.t.io, 0xCFD, 1), 0x80);
}

typedef struct {
    int calls, bar;
    uint32_t addr;
    bool on;
} bar_log_t;

static bar_log_t bar_log;

static void bar_changed(pci_device_t *d, int bar, uint32_t addr, bool on)
{
    (void)d;
    bar_log = (bar_log_t){bar_log.calls + 1, bar, addr, on};
}

static void test_bar_sizing_and_decode(void **s)
{
    (void)s;
    pci_device_t dev;
    pci_device_init(&dev, 3, 0, 0x1234, 0x5678, 0x03, 0x00, 0x00, "test");
    pci_device_set_bar(&dev, 0, 0x1000, false);
    pci_device_set_bar(&dev, 1, 0x20, true);
    pci_device_set_rom(&dev, 0x10000);
    dev.bar_changed = bar_changed;
    assert_true(pci_bus_add(&f.bus, &dev));
    uint8_t devfn = 3 << 3;
    cfg_write(devfn, 0x10, 0xFFFFFFFFu);
    assert_int_equal(cfg_read(devfn, 0x10), 0xFFFFF000u);
    cfg_write(devfn, 0x14, 0xFFFFFFFFu);
    assert_int_equal(cfg_read(devfn, 0x14), 0xFFFFFFE1u);
    cfg_write(devfn, 0x30, 0xFFFFFFFFu);
    assert_int_equal(cfg_read(devfn, 0x30), 0xFFFF0001u);
    cfg_write(devfn, 0x30, 0);
    cfg_write(devfn, 0x10, 0xE0000000u);
    cfg_write(devfn, 0x14, 0xC000u);
    bar_log.calls = 0;
    cfg_write(devfn, 0x04, 0x0002); /* memory decode on */
    assert_int_equal(bar_log.calls, 1);
    assert_int_equal(bar_log.bar, 0);
    assert_int_equal(bar_log.addr, 0xE0000000u);
    assert_true(bar_log.on);
    cfg_write(devfn, 0x04, 0x0000);
    assert_false(bar_log.on);
    cfg_write(devfn, 0x04, 0xFFFF);
    assert_int_equal(cfg_read(devfn, 0x04) & 0xFFFF, 0x0547);
    /* Status error bits clear when written with one. */
    dev.config[0x07] |= 0x20; /* received master abort */
    assert_int_equal(cfg_read(devfn, 0x04) >> 16 & 0x2000, 0x2000);
    cfg_write(devfn, 0x04, 0x20000547u);
    assert_int_equal(cfg_read(devfn, 0x04) >> 16 & 0x2000, 0);
    f.bus.dev[devfn] = NULL;
}

static void test_pirq_routing(void **s)
{
    (void)s;
    pci_device_t dev;
    pci_device_init(&dev, 3, 0, 0x1234, 0x5678, 0x02, 0x00, 0x00, "nic");
    pci_device_set_pin(&dev, 1); /* INTA# of slot 3: PIRQC */
    assert_true(pci_bus_add(&f.bus, &dev));
    assert_int_equal(pci_pirq_of(&dev), 2);
    uint8_t devfn = 3 << 3;
    assert_int_equal(cfg_read(devfn, 0x3C) >> 8 & 0xFF, 1);
    assert_int_equal(cfg_read(0x08, 0x60), 0x80808080u); /* all disabled */
    pci_device_set_irq(&f.bus, &dev, true);
    for (int n = 0; n < 16; n++)
        assert_false(f.isa_irq[n].level);
    assert_int_equal(cfg_read(devfn, 0x04) >> 16 & 0x08, 0x08); /* interrupt status */
    cfg_write(0x08, 0x60, 0x800B8080u); /* PIRQC -> IRQ 11 */
    assert_true(f.isa_irq[11].level);
    cfg_write(devfn, 0x04, 0x0400); /* INTx# disable */
    assert_false(f.isa_irq[11].level);
    cfg_write(devfn, 0x04, 0x0000);
    assert_true(f.isa_irq[11].level);
    cfg_write(0x08, 0x60, 0x80028080u); /* IRQ 2 cannot take PCI interrupts */
    assert_false(f.isa_irq[11].level);
    assert_false(f.isa_irq[2].level);
    cfg_write(0x08, 0x60, 0x800A8080u);
    assert_true(f.isa_irq[10].level);
    pci_device_set_irq(&f.bus, &dev, false);
    assert_false(f.isa_irq[10].level);
    f.bus.dev[devfn] = NULL;
}

static void test_pam(void **s)
{
    (void)s;
    int blk_c0000 = 0, blk_c4000 = 1, blk_f0000 = (0xF0000 - 0xC0000) / 0x4000;
    assert_false(f.mem.shadow_writable[blk_f0000]);
    cfg_write(0x00, 0x58, 0x00003000u); /* PAM0 (0x59): F0000-FFFFF read/write */
    for (int b = blk_f0000; b < blk_f0000 + 4; b++)
        assert_true(f.mem.shadow_writable[b]);
    outl(&f.t, 0xCF8, 0x80000058u);
    ioport_write(&f.t.io, 0xCFE, 0x13, 1); /* PAM1 = 0x13 via a byte access */
    assert_true(f.mem.shadow_writable[blk_c0000]); /* 3: read/write */
    assert_false(f.mem.shadow_writable[blk_c4000]); /* 1: read only */
    ioport_write(&f.t.io, 0xCFE, 0x23, 1);
    assert_true(f.mem.shadow_writable[blk_c4000]); /* 2: write only */
    i440fx_reset(&f.host);
    assert_false(f.mem.shadow_writable[blk_f0000]);
}

static void test_smram_lock(void **s)
{
    (void)s;
    assert_int_equal(cfg_read(0x00, 0x70) >> 16 & 0xFF, 0x02);
    cfg_write(0x00, 0x70, 0x004A0000u); /* D_OPEN, G_SMRAME */
    assert_int_equal(cfg_read(0x00, 0x70) >> 16 & 0xFF, 0x4A);
    cfg_write(0x00, 0x70, 0x001A0000u); /* D_LCK */
    cfg_write(0x00, 0x70, 0x004A0000u);
    assert_int_equal(cfg_read(0x00, 0x70) >> 16 & 0x50, 0x10); /* locked, closed */
}

static void test_reset_control(void **s)
{
    (void)s;
    outb(&f.t, 0xCF9, 0x02);
    assert_int_equal(f.hard_resets + f.soft_resets, 0);
    assert_int_equal(inb(&f.t, 0xCF9), 0x02);
    outb(&f.t, 0xCF9, 0x06);
    assert_int_equal(f.hard_resets, 1);
    outb(&f.t, 0xCF9, 0x06); /* no new 0 -> 1 transition */
    assert_int_equal(f.hard_resets, 1);
    outb(&f.t, 0xCF9, 0x00);
    outb(&f.t, 0xCF9, 0x04);
    assert_int_equal(f.soft_resets, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mechanism1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bar_sizing_and_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pirq_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pam, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smram_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_control, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
