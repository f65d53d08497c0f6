/* The port-I/O bus (see ioport.h). */
#include "ioport.h"

#include <string.h>

void ioport_init(ioport_bus_t *bus)
{
    memset(bus, 0, sizeof *bus);
}

bool ioport_register(ioport_bus_t *bus, uint16_t base, uint16_t count, io_read_fn read,
                     io_write_fn write, void *opaque, const char *name)
{
    if (count == 0 || (uint32_t)base + count > 0x10000)
        return false;
    for (uint32_t p = base; p < (uint32_t)base + count; p++)
        if (bus->owner[p])
            return false;
    /* A slot freed by ioport_unregister is used again first. */
    int slot = 0;
    while (slot < bus->nranges && bus->ranges[slot].count)
        slot++;
    if (slot == IOPORT_MAX_RANGES)
        return false;
    if (slot == bus->nranges)
        bus->nranges++;
    bus->ranges[slot] = (io_range_t){base, count, read, write, opaque, name};
    for (uint32_t p = base; p < (uint32_t)base + count; p++)
        bus->owner[p] = (uint8_t)(slot + 1);
    return true;
}

bool ioport_unregister(ioport_bus_t *bus, uint16_t base)
{
    uint8_t o = bus->owner[base];
    if (!o || bus->ranges[o - 1].base != base)
        return false;
    io_range_t *r = &bus->ranges[o - 1];
    for (uint32_t p = base; p < (uint32_t)base + r->count; p++)
        bus->owner[p] = 0;
    r->count = 0;
    return true;
}

static uint32_t all_ones(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

uint32_t ioport_read(ioport_bus_t *bus, uint16_t port, unsigned size)
{
    uint8_t o = bus->owner[port];
    if (o && bus->ranges[o - 1].read)
        return bus->ranges[o - 1].read(bus->ranges[o - 1].opaque, port, size) & all_ones(size);
    if (bus->unassigned_log)
        fprintf(bus->unassigned_log, "io: read%u from unassigned port 0x%04x\n", size * 8, port);
    return all_ones(size);
}

void ioport_write(ioport_bus_t *bus, uint16_t port, uint32_t value, unsigned size)
{
    uint8_t o = bus->owner[port];
    if (o && bus->ranges[o - 1].write) {
        bus->ranges[o - 1].write(bus->ranges[o - 1].opaque, port, value & all_ones(size), size);
        return;
    }
    if (bus->unassigned_log)
        fprintf(bus->unassigned_log, "io: write%u 0x%x to unassigned port 0x%04x\n", size * 8,
                value & all_ones(size), port);
}

const char *ioport_owner(const ioport_bus_t *bus, uint16_t port)
{
    uint8_t o = bus->owner[port];
    return o ? bus->ranges[o - 1].name : NULL;
}
