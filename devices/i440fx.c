/* The i440FX host bridge (see i440fx.h). */
#include "i440fx.h"

#include <string.h>

#define SMRAM_D_OPEN 0x40
#define SMRAM_D_CLS 0x20
#define SMRAM_D_LCK 0x10
#define SMRAM_G_SMRAME 0x08
#define SMRAM_C_BASE 0x02 /* compatible SMRAM at 0xA0000, fixed */

/* Each PAM register holds two 4-bit fields (bit 0 read enable, bit 1
 * write enable): PAM0's high field covers 0xF0000-0xFFFFF; PAM1-6 cover
 * 0xC0000-0xEFFFF in 16 KiB blocks, low field first.  Reads always find
 * the shadow RAM (which holds the ROM's contents until written), so only
 * the write enables matter here. */
static void apply_pam(i440fx_t *h)
{
    const uint8_t *c = h->dev.config;
    physmem_set_shadow_writable(h->mem, 0xF0000, 0x10000, c[I440FX_PAM0] & 0x20);
    for (int k = 1; k <= 6; k++) {
        uint8_t v = c[I440FX_PAM0 + k];
        uint32_t base = 0xC0000 + (uint32_t)(k - 1) * 0x8000;
        physmem_set_shadow_writable(h->mem, base, 0x4000, v & 0x02);
        physmem_set_shadow_writable(h->mem, base + 0x4000, 0x4000, v & 0x20);
    }
}

static void smram_lock_check(i440fx_t *h)
{
    uint8_t *smram = &h->dev.config[I440FX_SMRAM];
    if (*smram & SMRAM_D_LCK) { /* until the next reset: D_OPEN off and fixed */
        *smram &= (uint8_t)~SMRAM_D_OPEN;
        h->dev.wmask[I440FX_SMRAM] = SMRAM_D_CLS;
    }
}

static void i440fx_written(pci_device_t *d, uint8_t reg, uint32_t value, unsigned size)
{
    i440fx_t *h = d->opaque;
    (void)value;
    if (reg <= I440FX_PAM0 + 6 && reg + size > I440FX_PAM0)
        apply_pam(h);
    if (reg <= I440FX_SMRAM && reg + size > I440FX_SMRAM)
        smram_lock_check(h);
}

void i440fx_reset(i440fx_t *h)
{
    uint8_t *c = h->dev.config, *w = h->dev.wmask;
    c[PCI_COMMAND] = 0x06; /* memory and bus master */
    c[PCI_COMMAND + 1] = 0;
    c[PCI_STATUS] = 0x80;  /* fast back-to-back capable */
    c[PCI_STATUS + 1] = 0x02; /* medium DEVSEL# timing */
    memset(c + 0x50, 0, 0x30);
    /* DRAM control registers 0x50-0x58: kept, no effect. */
    memset(w + 0x50, 0xFF, 9);
    w[I440FX_PAM0] = 0x30;
    memset(w + I440FX_PAM0 + 1, 0x33, 6);
    /* Row boundaries in 8 MiB units: all the RAM in row 0. */
    uint32_t rows = h->ram_size >> 23;
    memset(c + I440FX_DRB0, rows > 0xFF ? 0xFF : (int)rows, 8);
    memset(w + I440FX_DRB0, 0xFF, 8);
    c[I440FX_SMRAM] = SMRAM_C_BASE;
    w[I440FX_SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
    apply_pam(h);
}

bool i440fx_init(i440fx_t *h, pci_bus_t *bus, physmem_t *mem, uint32_t ram_size)
{
    memset(h, 0, sizeof *h);
    h->mem = mem;
    h->ram_size = ram_size;
    pci_device_init(&h->dev, 0, 0, 0x8086, 0x1237, 0x06, 0x00, 0x00, "i440fx");
    h->dev.config[PCI_REVISION] = 0x02;
    h->dev.config_written = i440fx_written;
    h->dev.opaque = h;
    i440fx_reset(h);
    return pci_bus_add(bus, &h->dev);
}
