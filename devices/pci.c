/* The PCI bus and configuration mechanism #1 (see pci.h). */
#include "pci.h"

#include <string.h>

#define CONFADD_ENABLE 0x80000000u

static uint16_t cfg16(const pci_device_t *d, int reg)
{
    return (uint16_t)(d->config[reg] | d->config[reg + 1] << 8);
}

static uint32_t cfg32(const pci_device_t *d, int reg)
{
    return cfg16(d, reg) | (uint32_t)cfg16(d, reg + 2) << 16;
}

static void set32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> 8 * k);
}

void pci_device_init(pci_device_t *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                     uint8_t class_code, uint8_t subclass, uint8_t prog_if, const char *name)
{
    memset(d, 0, sizeof *d);
    d->devfn = (uint8_t)(dev << 3 | (fn & 7));
    d->name = name;
    d->config[PCI_VENDOR_ID] = (uint8_t)vendor;
    d->config[PCI_VENDOR_ID + 1] = (uint8_t)(vendor >> 8);
    d->config[PCI_DEVICE_ID] = (uint8_t)device;
    d->config[PCI_DEVICE_ID + 1] = (uint8_t)(device >> 8);
    d->config[PCI_PROG_IF] = prog_if;
    d->config[PCI_SUBCLASS] = subclass;
    d->config[PCI_CLASS] = class_code;
    /* Command: I/O, memory, bus master, parity and SERR# response, INTx#
     * disable.  Status: the error bits are write-one-to-clear. */
    d->wmask[PCI_COMMAND] = 0x47;
    d->wmask[PCI_COMMAND + 1] = 0x05;
    d->w1cmask[PCI_STATUS + 1] = 0xF9;
    d->wmask[0x0C] = 0xFF; /* cache line size */
    d->wmask[0x0D] = 0xFF; /* latency timer */
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
}

void pci_device_set_bar(pci_device_t *d, int n, uint32_t size, bool io)
{
    if (n < 0 || n > 5)
        return;
    uint32_t min = io ? 4 : 16;
    if (size < min)
        size = min;
    d->bar_size[n] = size;
    d->bar_io[n] = io;
    set32(d->config + PCI_BAR0 + 4 * n, io ? 1 : 0);
    set32(d->wmask + PCI_BAR0 + 4 * n, ~(size - 1) & (io ? 0xFFFFFFFCu : 0xFFFFFFF0u));
}

void pci_device_set_rom(pci_device_t *d, uint32_t size)
{
    if (size < 0x800)
        size = 0x800;
    d->rom_size = size;
    set32(d->wmask + PCI_ROM_BAR, (~(size - 1) & 0xFFFFF800u) | 1);
}

void pci_device_set_pin(pci_device_t *d, int pin)
{
    d->irq_pin = pin;
    d->config[PCI_INTERRUPT_PIN] = (uint8_t)pin;
}

/* Tells the device about BARs whose address or decoding changed. */
static void update_decode(pci_device_t *d)
{
    uint16_t cmd = cfg16(d, PCI_COMMAND);
    for (int n = 0; n <= PCI_ROM_SLOT; n++) {
        uint32_t addr;
        bool on;
        if (n == PCI_ROM_SLOT) {
            if (!d->rom_size)
                continue;
            uint32_t v = cfg32(d, PCI_ROM_BAR);
            addr = v & 0xFFFFF800u;
            on = (cmd & PCI_CMD_MEMORY) && (v & 1);
        } else {
            if (!d->bar_size[n])
                continue;
            uint32_t v = cfg32(d, PCI_BAR0 + 4 * n);
            addr = v & (d->bar_io[n] ? ~3u : ~15u);
            on = cmd & (d->bar_io[n] ? PCI_CMD_IO : PCI_CMD_MEMORY);
        }
        if (addr == d->bar_addr_seen[n] && on == d->bar_on_seen[n])
            continue;
        d->bar_addr_seen[n] = addr;
        d->bar_on_seen[n] = on;
        if (d->bar_changed)
            d->bar_changed(d, n, addr, on);
    }
}

int pci_pirq_of(const pci_device_t *d)
{
    /* The board's swizzle: slot s, pin p (1 = INTA#) reaches PIRQ
     * (s + p - 2) mod 4, so the devices of neighbouring slots spread over
     * the four lines (the wiring SeaBIOS and the ACPI tables expect). */
    return ((d->devfn >> 3) + d->irq_pin - 2) & 3;
}

static void drive_isa(pci_bus_t *bus)
{
    for (int n = 0; n < 16; n++) {
        bool level = false;
        for (int p = 0; p < 4; p++)
            level |= bus->pirq_route[p] == n && bus->pirq_level[p] > 0;
        if (level != bus->isa_level[n]) {
            bus->isa_level[n] = level;
            irq_set(&bus->isa_irq[n], level);
        }
    }
}

/* Counts the device on its PIRQ line while it asserts an enabled INTx#. */
static void update_intx(pci_bus_t *bus, pci_device_t *d)
{
    if (d->irq_level)
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else
        d->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
    bool assert = d->irq_level && d->irq_pin >= 1 && d->irq_pin <= 4 &&
                  !(cfg16(d, PCI_COMMAND) & PCI_CMD_INTX_DISABLE);
    if (assert == d->irq_counted)
        return;
    d->irq_counted = assert;
    int p = pci_pirq_of(d);
    bus->pirq_level[p] = (uint8_t)(bus->pirq_level[p] + (assert ? 1 : -1));
    drive_isa(bus);
}

void pci_device_set_irq(pci_bus_t *bus, pci_device_t *d, bool level)
{
    d->irq_level = level;
    update_intx(bus, d);
}

void pci_bus_set_pirq_route(pci_bus_t *bus, int pirq, uint8_t isa_irq)
{
    /* IRQ 0, 1, 2, 8 and 13 cannot take a PCI interrupt (PIIX3). */
    unsigned n = isa_irq & 15;
    bool valid = !(isa_irq & 0x80) && n >= 3 && n != 8 && n != 13;
    bus->pirq_route[pirq & 3] = valid ? (uint8_t)n : PCI_PIRQ_DISABLED;
    drive_isa(bus);
}

bool pci_bus_add(pci_bus_t *bus, pci_device_t *d)
{
    if (bus->dev[d->devfn])
        return false;
    bus->dev[d->devfn] = d;
    /* A device with several functions says so in function 0's header. */
    pci_device_t *f0 = bus->dev[d->devfn & ~7u];
    bool multi = false;
    for (int fn = 1; fn < 8; fn++)
        multi |= bus->dev[(d->devfn & ~7u) | fn] != NULL;
    if (f0 && multi)
        f0->config[PCI_HEADER_TYPE] |= 0x80;
    return true;
}

uint32_t pci_config_read(pci_bus_t *bus, uint8_t devfn, uint8_t reg, unsigned size)
{
    pci_device_t *d = bus->dev[devfn];
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++) {
        unsigned off = reg + k;
        uint8_t b = d && off < 256 ? d->config[off] : 0xFF;
        v |= (uint32_t)b << 8 * k;
    }
    return v;
}

void pci_config_write(pci_bus_t *bus, uint8_t devfn, uint8_t reg, uint32_t value, unsigned size)
{
    pci_device_t *d = bus->dev[devfn];
    if (!d)
        return;
    for (unsigned k = 0; k < size && reg + k < 256; k++) {
        unsigned off = reg + k;
        uint8_t b = (uint8_t)(value >> 8 * k);
        d->config[off] = (uint8_t)((d->config[off] & ~d->wmask[off]) | (b & d->wmask[off]));
        d->config[off] &= (uint8_t)~(b & d->w1cmask[off]);
    }
    update_decode(d);
    update_intx(bus, d);
    if (d->config_written)
        d->config_written(d, reg, value, size);
}

void pci_bus_reset(pci_bus_t *bus)
{
    bus->config_address = 0;
    for (int n = 0; n < PCI_MAX_DEVFN; n++) {
        pci_device_t *d = bus->dev[n];
        if (!d)
            continue;
        d->config[PCI_COMMAND] = d->config[PCI_COMMAND + 1] = 0;
        d->config[PCI_STATUS + 1] &= (uint8_t)~d->w1cmask[PCI_STATUS + 1];
        /* A BAR's address goes back to 0; its read-only flag bits (I/O,
         * type, prefetchable) stay. */
        for (int b = 0; b < 6; b++)
            if (d->bar_size[b])
                for (int k = 0; k < 4; k++)
                    d->config[PCI_BAR0 + 4 * b + k] &= (uint8_t)~d->wmask[PCI_BAR0 + 4 * b + k];
        set32(d->config + PCI_ROM_BAR, 0);
        d->config[PCI_INTERRUPT_LINE] = 0;
        update_decode(d);
        update_intx(bus, d);
    }
    for (int p = 0; p < 4; p++)
        pci_bus_set_pirq_route(bus, p, PCI_PIRQ_DISABLED);
}

static uint32_t confadd_read(void *opaque, uint16_t port, unsigned size)
{
    (void)port;
    /* Only dword accesses reach CONFADD; others go to the ISA bus. */
    return size == 4 ? ((pci_bus_t *)opaque)->config_address : 0xFFFFFFFFu;
}

static void confadd_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)port;
    if (size == 4)
        ((pci_bus_t *)opaque)->config_address = value & 0x80FFFFFCu;
}

/* The device and register CONFDATA's byte `port` reaches, or false. */
static bool confdata_target(const pci_bus_t *bus, uint16_t port, uint8_t *devfn, uint8_t *reg)
{
    uint32_t ca = bus->config_address;
    if (!(ca & CONFADD_ENABLE) || (ca >> 16 & 0xFF) != 0)
        return false; /* disabled, or a bus that does not exist */
    *devfn = (uint8_t)(ca >> 8);
    *reg = (uint8_t)((ca & 0xFC) | (port & 3));
    return true;
}

static unsigned within_dword(uint16_t port, unsigned size)
{
    unsigned room = 4 - (port & 3);
    return size < room ? size : room;
}

static uint32_t confdata_read(void *opaque, uint16_t port, unsigned size)
{
    pci_bus_t *bus = opaque;
    uint8_t devfn, reg;
    if (!confdata_target(bus, port, &devfn, &reg))
        return 0xFFFFFFFFu;
    return pci_config_read(bus, devfn, reg, within_dword(port, size));
}

static void confdata_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pci_bus_t *bus = opaque;
    uint8_t devfn, reg;
    if (confdata_target(bus, port, &devfn, &reg))
        pci_config_write(bus, devfn, reg, value, within_dword(port, size));
}

bool pci_bus_init(pci_bus_t *bus, ioport_bus_t *io)
{
    memset(bus, 0, sizeof *bus);
    for (int p = 0; p < 4; p++)
        bus->pirq_route[p] = PCI_PIRQ_DISABLED;
    return ioport_register(io, 0xCF8, 1, confadd_read, confadd_write, bus, "pci-confadd") &&
           ioport_register(io, 0xCFC, 4, confdata_read, confdata_write, bus, "pci-confdata");
}
