/* PCI: configuration mechanism #1 (CONFADD at 0xCF8 for dword accesses,
 * CONFDATA at 0xCFC-0xCFF for byte, word and dword accesses), one bus, and
 * the device model that chips on it (host bridge, PIIX3 ISA bridge and
 * IDE, VGA) fill in.  A device keeps its 256-byte configuration space; the
 * bus applies the writable and write-one-to-clear masks, handles BAR sizing
 * (writes of all-ones read back the size mask), the command register's
 * decode enables and INTx# disable, and tells the device when a BAR's
 * address or decoding changes.  Port 0xCF9 is not the bus's: the PIIX3's
 * reset control register lives there. */
#ifndef X86SIM_PCI_H
#define X86SIM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"
#include "irq.h"

typedef struct pci_device pci_device_t;

/* Configuration space offsets. */
enum {
    PCI_VENDOR_ID = 0x00, PCI_DEVICE_ID = 0x02, PCI_COMMAND = 0x04, PCI_STATUS = 0x06,
    PCI_REVISION = 0x08, PCI_PROG_IF = 0x09, PCI_SUBCLASS = 0x0A, PCI_CLASS = 0x0B,
    PCI_HEADER_TYPE = 0x0E, PCI_BAR0 = 0x10, PCI_SUBSYS_VENDOR = 0x2C, PCI_ROM_BAR = 0x30,
    PCI_INTERRUPT_LINE = 0x3C, PCI_INTERRUPT_PIN = 0x3D,
};
#define PCI_CMD_IO 0x0001
#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_INTERRUPT 0x0008
#define PCI_ROM_SLOT 6 /* bar_changed's number for the expansion ROM */

struct pci_device {
    uint8_t devfn;           /* device << 3 | function */
    uint8_t config[256];
    uint8_t wmask[256];      /* bits the guest may change */
    uint8_t w1cmask[256];    /* bits a guest write of 1 clears (status) */
    uint32_t bar_size[6];    /* 0 = no BAR; else a power of two */
    bool bar_io[6];          /* I/O space BAR (else memory) */
    uint32_t rom_size;       /* expansion ROM BAR size, 0 = none */
    /* Called when BAR `bar` (PCI_ROM_SLOT for the ROM) starts or stops
     * decoding or moves: `addr` is the base, `enabled` whether the command
     * register (and the ROM's enable bit) lets it decode. */
    void (*bar_changed)(pci_device_t *d, int bar, uint32_t addr, bool enabled);
    /* Optional: called after the guest wrote the configuration space (for
     * device-specific registers such as the PIIX3's PIRQ routing). */
    void (*config_written)(pci_device_t *d, uint8_t reg, uint32_t value, unsigned size);
    void *opaque;
    const char *name;
    int irq_pin;             /* 0 = none, 1..4 = INTA#..INTD# */
    /* Bus-private: what bar_changed was last told, and the INTx# level. */
    uint32_t bar_addr_seen[7];
    bool bar_on_seen[7];
    bool irq_level;          /* what the device drives */
    bool irq_counted;        /* counted in its PIRQ's pirq_level */
};

#define PCI_MAX_DEVFN 256
#define PCI_PIRQ_DISABLED 0x80

typedef struct pci_bus {
    pci_device_t *dev[PCI_MAX_DEVFN];
    uint32_t config_address; /* port 0xCF8 */
    /* PCI interrupt routing: the PIIX3 maps PIRQA-D to ISA IRQs. */
    uint8_t pirq_route[4];   /* ISA IRQ, or PCI_PIRQ_DISABLED */
    uint8_t pirq_level[4];   /* devices asserting each PIRQ line */
    irq_line_t isa_irq[16];  /* the ISA IRQ lines the routing drives */
    bool isa_level[16];      /* what the routing drives on them now */
} pci_bus_t;

/* Registers 0xCF8 and 0xCFC-0xCFF on the port bus. */
bool pci_bus_init(pci_bus_t *bus, ioport_bus_t *io);
/* Fills the identification header of a type-0 device (and the writable
 * masks of command, status, BARs, interrupt line). */
void pci_device_init(pci_device_t *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                     uint8_t class_code, uint8_t subclass, uint8_t prog_if, const char *name);
/* Declares BAR n: `size` bytes (power of two), I/O or memory. */
void pci_device_set_bar(pci_device_t *d, int n, uint32_t size, bool io);
/* Declares an expansion ROM BAR of `size` bytes (power of two, >= 2 KiB). */
void pci_device_set_rom(pci_device_t *d, uint32_t size);
/* Sets the interrupt pin (1..4 = INTA#..INTD#). */
void pci_device_set_pin(pci_device_t *d, int pin);
bool pci_bus_add(pci_bus_t *bus, pci_device_t *d);
/* A device drives its INTx# pin (routed through PIRQ to an ISA IRQ). */
void pci_device_set_irq(pci_bus_t *bus, pci_device_t *d, bool level);
/* The PIRQ line (0..3 = A..D) a device's pin reaches on this board. */
int pci_pirq_of(const pci_device_t *d);
/* Routes PIRQ n to an ISA IRQ (or PCI_PIRQ_DISABLED) and re-drives the lines. */
void pci_bus_set_pirq_route(pci_bus_t *bus, int pirq, uint8_t isa_irq);
/* Configuration space access as the CPU sees it (also used by tests). */
uint32_t pci_config_read(pci_bus_t *bus, uint8_t devfn, uint8_t reg, unsigned size);
void pci_config_write(pci_bus_t *bus, uint8_t devfn, uint8_t reg, uint32_t value, unsigned size);
/* The whole bus's power-on state: command registers and BARs cleared,
 * interrupt routing disabled.  Devices reset their own registers. */
void pci_bus_reset(pci_bus_t *bus);

#endif
