/* The PIIX3 ISA bridge (see piix3.h). */
#include "piix3.h"

#include <string.h>

#define RCR_SRST 0x02 /* 1: the reset is a hard (system) reset */
#define RCR_RCPU 0x04 /* 0 -> 1 starts the reset */

/* Power-on values and writable bits of the bridge's registers. */
static const struct {
    uint8_t reg, value, wmask;
} defaults[] = {
    {0x4C, 0x4D, 0x7F},                     /* ISA I/O recovery timer */
    {0x4E, 0x03, 0xFF}, {0x4F, 0x00, 0x03}, /* X-bus chip select */
    {0x60, 0x80, 0x8F}, {0x61, 0x80, 0x8F}, /* PIRQ A-D route control */
    {0x62, 0x80, 0x8F}, {0x63, 0x80, 0x8F},
    {0x69, 0x02, 0xFE},                     /* top of memory */
    {0x6A, 0x00, 0xFF}, {0x6B, 0x00, 0xFF}, /* miscellaneous status */
    {0x70, 0x80, 0xCF}, {0x71, 0x80, 0xCF}, /* motherboard IRQ routing */
    {0x76, 0x04, 0x87}, {0x77, 0x04, 0x87}, /* motherboard DMA */
    {0x78, 0x02, 0xFF}, {0x79, 0x00, 0xFF}, /* programmable chip select */
    {0x80, 0x00, 0x7F},                     /* APIC base */
    {0x82, 0x00, 0x0F},                     /* deterministic latency */
    {0xA0, 0x08, 0x1F},                     /* SMI control */
    {0xA2, 0x00, 0xFF}, {0xA3, 0x00, 0xFF}, /* SMI enable */
    {0xA8, 0x0F, 0xFF},                     /* fast-off timer */
};

static void apply_routes(piix3_t *p)
{
    for (int k = 0; k < 4; k++)
        pci_bus_set_pirq_route(p->bus, k, p->dev.config[PIIX3_PIRQRC + k]);
}

static void piix3_written(pci_device_t *d, uint8_t reg, uint32_t value, unsigned size)
{
    (void)value;
    if (reg <= PIIX3_PIRQRC + 3 && reg + size > PIIX3_PIRQRC)
        apply_routes(d->opaque);
}

void piix3_reset(piix3_t *p)
{
    uint8_t *c = p->dev.config;
    c[PCI_COMMAND] = 0x07; /* I/O, memory, bus master */
    c[PCI_COMMAND + 1] = 0;
    c[PCI_STATUS] = 0;
    c[PCI_STATUS + 1] = 0x02;
    for (unsigned k = 0; k < sizeof defaults / sizeof defaults[0]; k++) {
        c[defaults[k].reg] = defaults[k].value;
        p->dev.wmask[defaults[k].reg] = defaults[k].wmask;
    }
    p->rcr = 0;
    apply_routes(p);
}

static uint32_t rcr_read(void *opaque, uint16_t port, unsigned size)
{
    (void)port, (void)size;
    return ((piix3_t *)opaque)->rcr;
}

static void rcr_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    piix3_t *p = opaque;
    (void)port, (void)size;
    bool start = !(p->rcr & RCR_RCPU) && (value & RCR_RCPU);
    p->rcr = value & (RCR_SRST | RCR_RCPU);
    if (start && p->reset)
        p->reset(p->opaque, value & RCR_SRST);
}

bool piix3_init(piix3_t *p, pci_bus_t *bus, ioport_bus_t *io, void (*reset)(void *, bool),
                void *opaque)
{
    memset(p, 0, sizeof *p);
    p->bus = bus;
    p->reset = reset;
    p->opaque = opaque;
    pci_device_init(&p->dev, 1, 0, 0x8086, 0x7000, 0x06, 0x01, 0x00, "piix3");
    p->dev.config[PCI_HEADER_TYPE] = 0x80; /* functions 1.1 (IDE) and up follow */
    p->dev.config_written = piix3_written;
    p->dev.opaque = p;
    piix3_reset(p);
    return pci_bus_add(bus, &p->dev) &&
           ioport_register(io, 0xCF9, 1, rcr_read, rcr_write, p, "piix3-reset-control");
}
