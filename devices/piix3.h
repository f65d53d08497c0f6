/* The Intel 82371SB (PIIX3) PCI-to-ISA bridge, function 01.0 (8086:7000):
 * the PIRQ route control registers (0x60-0x63) that connect PCI
 * interrupts to ISA IRQs, the chip's other configuration registers (kept,
 * without effect), and the reset control register at port 0xCF9.
 * The PIIX3's 8259s and their ELCR are in pic.c, its 8254 in pit.c, its
 * port 92h in sysctrl.c; its IDE function (01.1) is the disk code's. */
#ifndef X86SIM_PIIX3_H
#define X86SIM_PIIX3_H

#include "pci.h"

#define PIIX3_PIRQRC 0x60

typedef struct piix3 {
    pci_device_t dev;
    pci_bus_t *bus;
    uint8_t rcr;          /* port 0xCF9 */
    /* A reset through 0xCF9: hard (system) or soft (CPU only). */
    void (*reset)(void *opaque, bool hard);
    void *opaque;
} piix3_t;

bool piix3_init(piix3_t *p, pci_bus_t *bus, ioport_bus_t *io, void (*reset)(void *, bool),
                void *opaque);
void piix3_reset(piix3_t *p);

#endif
