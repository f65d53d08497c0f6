/* A bench for the IDE tests: memory, the port bus, the event clock, the
 * PIIX3 IDE function on a PCI bus, interrupt lines that count edges, and
 * helpers that talk to the controller the way a driver does (task file,
 * status polling, PIO blocks, ATAPI packets, bus-master PRD tables). */
#ifndef X86SIM_TEST_IDE_RIG_H
#define X86SIM_TEST_IDE_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "devices/ide.h"
#include "image_util.h"

#define BM_BASE 0xC000
#define IDE_DEVFN (1 << 3 | 1)
#define PRD_TABLE 0x8000

typedef struct rig {
    uint64_t icount;
    vclock_t clock;
    physmem_t mem;
    ioport_bus_t io;
    pci_bus_t pci;
    ide_t ide;
    disk_t disk[4];
    bool irq[2];
    int irq_edges[2];
} rig_t;

static rig_t *R;
static char err[512];

static void irq_capture(void *opaque, int line, bool level)
{
    rig_t *r = opaque;
    int ch = line == 15;
    if (level && !r->irq[ch])
        r->irq_edges[ch]++;
    r->irq[ch] = level;
}

static inline void rig_create(void)
{
    R = calloc(1, sizeof *R);
    clock_init(&R->clock, &R->icount, false);
    assert_true(physmem_init(&R->mem, 16u << 20));
    ioport_init(&R->io);
    irq_line_t l14 = {irq_capture, R, 14}, l15 = {irq_capture, R, 15};
    assert_true(pci_bus_init(&R->pci, &R->io));
    assert_true(ide_init(&R->ide, &R->io, &R->clock, &R->mem, l14, l15));
    assert_true(ide_pci_register(&R->ide, &R->pci));
    /* What a BIOS does: BAR4, then I/O decoding and bus mastering on. */
    pci_config_write(&R->pci, IDE_DEVFN, 0x20, BM_BASE, 4);
    pci_config_write(&R->pci, IDE_DEVFN, 0x04, 0x0005, 2);
}

static inline void rig_destroy(void)
{
    ide_free(&R->ide);
    for (int k = 0; k < 4; k++)
        disk_close(&R->disk[k]);
    physmem_free(&R->mem);
    free(R);
}

/* cmocka fixtures: a scratch directory and a fresh rig per test. */
static inline int rig_setup(void **state)
{
    (void)state;
    scratch_init();
    rig_create();
    return 0;
}

static inline int rig_teardown(void **state)
{
    (void)state;
    rig_destroy();
    scratch_cleanup();
    return 0;
}

/* Opens an image and attaches it as an ATA disk in `slot`. */
static inline void attach_disk(int slot, const char *path, disk_mode_t mode)
{
    assert_true(disk_open(&R->disk[slot], path, mode, 512, err, sizeof err));
    assert_true(ide_attach_disk(&R->ide, slot, &R->disk[slot], err, sizeof err));
}

static inline void attach_cdrom(int slot, const char *iso)
{
    disk_t *disc = NULL;
    if (iso) {
        assert_true(disk_open(&R->disk[slot], iso, DISK_READ_ONLY, 2048, err, sizeof err));
        disc = &R->disk[slot];
    }
    ide_attach_cdrom(&R->ide, slot, disc);
}

static inline uint16_t cmd_base(int ch) { return ch ? 0x170 : 0x1F0; }
static inline uint16_t ctl_port(int ch) { return ch ? 0x376 : 0x3F6; }

static inline void out8(uint16_t port, uint8_t v) { ioport_write(&R->io, port, v, 1); }
static inline uint8_t in8(uint16_t port) { return (uint8_t)ioport_read(&R->io, port, 1); }
static inline uint16_t in16(uint16_t port) { return (uint16_t)ioport_read(&R->io, port, 2); }

/* Lets virtual time run until nothing is scheduled. */
static inline void settle(void)
{
    for (int k = 0; k < 1000; k++) {
        uint64_t next = clock_next_deadline(&R->clock);
        if (next == CLOCK_NEVER)
            return;
        clock_skip_to(&R->clock, next);
        clock_run_due(&R->clock);
    }
    fail_msg("the controller keeps scheduling work");
}

static inline uint8_t status(int ch) { return in8(cmd_base(ch) + 7); }
static inline uint8_t alt_status(int ch) { return in8(ctl_port(ch)); }
static inline uint8_t error_reg(int ch) { return in8(cmd_base(ch) + 1); }

static inline void select_drive(int slot, uint8_t lba_bit)
{
    out8(cmd_base(slot >> 1) + 6, (uint8_t)(0xA0 | lba_bit | (slot & 1) << 4));
}

/* LBA28 task file and a command. */
static inline void ata_lba28(int slot, uint8_t cmd, uint32_t lba, uint8_t count)
{
    uint16_t b = cmd_base(slot >> 1);
    out8(b + 6, (uint8_t)(0xE0 | (slot & 1) << 4 | ((lba >> 24) & 0x0F)));
    out8(b + 2, count);
    out8(b + 3, (uint8_t)lba);
    out8(b + 4, (uint8_t)(lba >> 8));
    out8(b + 5, (uint8_t)(lba >> 16));
    out8(b + 7, cmd);
}

/* LBA48: the high bytes go first, as the two-deep registers want. */
static inline void ata_lba48(int slot, uint8_t cmd, uint64_t lba, uint16_t count)
{
    uint16_t b = cmd_base(slot >> 1);
    out8(b + 6, (uint8_t)(0x40 | (slot & 1) << 4));
    out8(b + 2, (uint8_t)(count >> 8));
    out8(b + 3, (uint8_t)(lba >> 24));
    out8(b + 4, (uint8_t)(lba >> 32));
    out8(b + 5, (uint8_t)(lba >> 40));
    out8(b + 2, (uint8_t)count);
    out8(b + 3, (uint8_t)lba);
    out8(b + 4, (uint8_t)(lba >> 8));
    out8(b + 5, (uint8_t)(lba >> 16));
    out8(b + 7, cmd);
}

static inline void ata_simple(int slot, uint8_t cmd, uint8_t feature, uint8_t nsector)
{
    uint16_t b = cmd_base(slot >> 1);
    select_drive(slot, 0x40);
    out8(b + 1, feature);
    out8(b + 2, nsector);
    out8(b + 7, cmd);
}

/* Reads `bytes` through the data port (a DRQ block must be ready). */
static inline void pio_in(int ch, uint8_t *buf, uint32_t bytes)
{
    for (uint32_t k = 0; k < bytes; k += 2) {
        uint16_t w = in16(cmd_base(ch));
        buf[k] = (uint8_t)w;
        buf[k + 1] = (uint8_t)(w >> 8);
    }
}

static inline void pio_out(int ch, const uint8_t *buf, uint32_t bytes)
{
    for (uint32_t k = 0; k < bytes; k += 2)
        ioport_write(&R->io, cmd_base(ch), (uint32_t)(buf[k] | buf[k + 1] << 8), 2);
}

/* PIO data-in of `sectors` sectors in DRQ blocks of `per_block`; checks the
 * handshake of every block. */
static inline void read_blocks_pio(int ch, uint8_t *buf, uint32_t sectors, uint32_t per_block)
{
    uint32_t done = 0;
    while (done < sectors) {
        settle();
        assert_int_equal(alt_status(ch) & 0x89, 0x08); /* DRQ, not BSY, no ERR */
        assert_true(R->irq[ch]);
        assert_int_equal(status(ch) & 0x89, 0x08);     /* acknowledges the interrupt */
        assert_false(R->irq[ch]);
        uint32_t n = sectors - done < per_block ? sectors - done : per_block;
        pio_in(ch, buf + done * 512, n * 512);
        done += n;
    }
    assert_int_equal(alt_status(ch) & 0x89, 0x00);
}

/* ---------------------------------------------------------------- bus master */

static inline void bm_write8(int ch, unsigned reg, uint8_t v) { out8(BM_BASE + 8 * ch + reg, v); }
static inline uint8_t bm_read8(int ch, unsigned reg) { return in8(BM_BASE + 8 * ch + reg); }

/* A PRD table of (address, bytes) pairs; the last one gets EOT. */
static inline void prd_table(int ch, const uint32_t *pairs, int n)
{
    for (int k = 0; k < n; k++) {
        physmem_write(&R->mem, PRD_TABLE + 8 * k, pairs[2 * k], 4);
        physmem_write(&R->mem, PRD_TABLE + 8 * k + 4,
                      (pairs[2 * k + 1] & 0xFFFF) | (k == n - 1 ? 0x80000000u : 0), 4);
    }
    ioport_write(&R->io, BM_BASE + 8 * ch + 4, PRD_TABLE, 4);
}

/* Starts the engine: to_memory for reads from the drive. */
static inline void bm_start(int ch, bool to_memory)
{
    bm_write8(ch, 2, 0x06); /* clear interrupt and error */
    bm_write8(ch, 0, (uint8_t)((to_memory ? 0x08 : 0) | 0x01));
}

static inline void bm_stop(int ch) { bm_write8(ch, 0, 0); }

#endif
