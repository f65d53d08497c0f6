/* The PIIX3 IDE controller's PCI function 01.1 (see ide.h): 8086:7010,
 * class 01 (mass storage) / 01 (IDE), programming interface 80h (bus-master
 * capable, both channels in fixed compatibility mode: legacy ports and
 * IRQs 14/15), BAR4 = the 16 bus-master ports.  Kept apart from ide.c the
 * way vga_pci.c is, so the ATA model links without the PCI bus. */
#include "ide.h"

#include <string.h>

static void bar_changed(pci_device_t *pd, int bar, uint32_t addr, bool enabled)
{
    if (bar == 4)
        ide_map_bus_master(pd->opaque, (uint16_t)addr, enabled && addr <= 0xFFF0);
}

/* Bus mastering switched on in the command register lets a waiting
 * transfer go. */
static void config_written(pci_device_t *pd, uint8_t reg, uint32_t value, unsigned size)
{
    (void)value;
    if (reg <= 4 && reg + size > 4)
        ide_bus_master_changed(pd->opaque);
}

bool ide_pci_register(ide_t *ide, pci_bus_t *bus)
{
    pci_device_t *pd = &ide->pci;
    pci_device_init(pd, 1, 1, 0x8086, 0x7010, 0x01, 0x01, 0x80, "piix3-ide");
    pci_device_set_bar(pd, 4, 16, true);
    memset(pd->wmask + 0x40, 0xFF, 5); /* IDETIM primary and secondary, SIDETIM */
    pd->bar_changed = bar_changed;
    pd->config_written = config_written;
    pd->opaque = ide;
    return pci_bus_add(bus, pd);
}
