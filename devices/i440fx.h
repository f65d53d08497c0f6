/* The Intel 82441FX (i440FX) PCI and memory controller as host bridge
 * 00.0 (8086:1237).  Its PAM registers (0x59-0x5F) decide which 16 KiB
 * blocks of 0xC0000-0xFFFFF shadow RAM accept writes; the DRAM row
 * boundaries describe the RAM size; the SMRAM register (0x72) is present
 * with its lock but has no effect (no SMM). */
#ifndef X86SIM_I440FX_H
#define X86SIM_I440FX_H

#include "../mmu/mmu.h"
#include "pci.h"

#define I440FX_PAM0 0x59
#define I440FX_DRB0 0x60
#define I440FX_SMRAM 0x72

typedef struct i440fx {
    pci_device_t dev;
    physmem_t *mem;
    uint32_t ram_size;
} i440fx_t;

bool i440fx_init(i440fx_t *h, pci_bus_t *bus, physmem_t *mem, uint32_t ram_size);
void i440fx_reset(i440fx_t *h);

#endif
