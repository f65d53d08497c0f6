/* A stand-in for the PCI bus (devices/pci.c is built on another branch):
 * the pci.h functions the IDE function calls, and what a BIOS does to it
 * (program a BAR, switch on decoding), reduced to the callbacks pci.h
 * promises.  Remove when devices/pci.c lands. */
#ifndef X86SIM_TEST_PCI_DOUBLE_H
#define X86SIM_TEST_PCI_DOUBLE_H

#include <string.h>

#include "devices/pci.h"

void pci_device_init(pci_device_t *d, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device,
                     uint8_t class_code, uint8_t subclass, uint8_t prog_if, const char *name)
{
    memset(d, 0, sizeof *d);
    d->devfn = (uint8_t)(dev << 3 | fn);
    d->config[0] = (uint8_t)vendor, d->config[1] = (uint8_t)(vendor >> 8);
    d->config[2] = (uint8_t)device, d->config[3] = (uint8_t)(device >> 8);
    d->config[9] = prog_if, d->config[10] = subclass, d->config[11] = class_code;
    d->name = name;
}

void pci_device_set_bar(pci_device_t *d, int n, uint32_t size, bool io)
{
    d->bar_size[n] = size;
    d->bar_io[n] = io;
    d->config[0x10 + 4 * n] = io ? 1 : 0;
}

bool pci_bus_add(pci_bus_t *bus, pci_device_t *d)
{
    bus->dev[d->devfn] = d;
    return true;
}

/* Sets the command register and BAR n of the device at devfn 01.1. */
static inline void pci_double_program_bar(pci_bus_t *bus, uint16_t command, int n, uint32_t addr)
{
    pci_device_t *d = bus->dev[1 << 3 | 1];
    d->config[4] = (uint8_t)command;
    d->config[0x10 + 4 * n] = (uint8_t)(addr | 1);
    d->config[0x11 + 4 * n] = (uint8_t)(addr >> 8);
    d->bar_changed(d, n, addr, command & 1);
    if (d->config_written)
        d->config_written(d, 4, command, 2);
}

#endif
