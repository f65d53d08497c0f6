/* PCI: configuration mechanism #1 (ports 0xCF8/0xCFC), one bus, and the
 * device model that chips on it (host bridge, PIIX3 ISA bridge and IDE,
 * VGA) fill in.  A device keeps its 256-byte configuration space; the bus
 * handles BAR sizing (writes of all-ones) and the command register, and
 * tells the device when a BAR's address or decoding changes. */
#ifndef X86SIM_PCI_H
#define X86SIM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"
#include "irq.h"

typedef struct pci_device pci_device_t;

struct pci_device {
    uint8_t devfn;           /* device << 3 | function */
    uint8_t config[256];
    uint8_t wmask[256];      /* bits the guest may change */
    uint32_t bar_size[6];    /* 0 = no BAR; else a power of two */
    bool bar_io[6];          /* I/O space BAR (else memory) */
    /* Called when BAR `bar` starts or stops decoding or moves: `addr` is the
     * new base, `enabled` whether the command register lets it decode. */
    void (*bar_changed)(pci_device_t *d, int bar, uint32_t addr, bool enabled);
    /* Optional: called after the guest wrote the configuration space (for
     * device-specific registers such as the PIIX3's PIRQ routing). */
    void (*config_written)(pci_device_t *d, uint8_t reg, uint32_t value, unsigned size);
    void *opaque;
    const char *name;
    int irq_pin;             /* 0 = none, 1..4 = INTA#..INTD# */
};

#define PCI_MAX_DEVFN 256

typedef struct pci_bus {
    pci_device_t *dev[PCI_MAX_DEVFN];
    uint32_t config_address; /* port 0xCF8 */
    /* PCI interrupt routing: the PIIX3 maps PIRQA-D to ISA IRQs. */
    uint8_t pirq_route[4];   /* ISA IRQ, or 0x80 = disabled */
    uint8_t pirq_level[4];   /* devices asserting each PIRQ line */
    irq_line_t isa_irq[16];  /* the ISA IRQ lines the routing drives */
} pci_bus_t;

/* Registers 0xCF8-0xCFF on the port bus. */
bool pci_bus_init(pci_bus_t *bus, ioport_bus_t *io);
/* Fills the identification header of a type-0 device (and the writable
 * masks of command, BARs, interrupt line). */
void pci_device_init(pci_device_t *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                     uint8_t class_code, uint8_t subclass, uint8_t prog_if, const char *name);
/* Declares BAR n: `size` bytes (power of two), I/O or memory. */
void pci_device_set_bar(pci_device_t *d, int n, uint32_t size, bool io);
bool pci_bus_add(pci_bus_t *bus, pci_device_t *d);
/* A device drives its INTx# pin (routed through PIRQ to an ISA IRQ). */
void pci_device_set_irq(pci_bus_t *bus, pci_device_t *d, bool level);
/* Configuration space access as the CPU sees it (also used by tests). */
uint32_t pci_config_read(pci_bus_t *bus, uint8_t devfn, uint8_t reg, unsigned size);
void pci_config_write(pci_bus_t *bus, uint8_t devfn, uint8_t reg, uint32_t value, unsigned size);

#endif
