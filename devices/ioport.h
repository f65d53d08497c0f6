/* The port-I/O bus: devices register port ranges with read and write
 * callbacks; the CPU's IN/OUT reach them through ioport_read/ioport_write.
 * An access goes to the device owning its first port, with its size
 * (1, 2 or 4); unassigned ports read all-ones and ignore writes. */
#ifndef X86SIM_IOPORT_H
#define X86SIM_IOPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef uint32_t (*io_read_fn)(void *opaque, uint16_t port, unsigned size);
typedef void (*io_write_fn)(void *opaque, uint16_t port, uint32_t value, unsigned size);

#define IOPORT_MAX_RANGES 255

typedef struct io_range {
    uint16_t base, count;
    io_read_fn read;
    io_write_fn write;
    void *opaque;
    const char *name;
} io_range_t;

typedef struct ioport_bus {
    uint8_t owner[65536]; /* index into ranges + 1, 0 = unassigned */
    io_range_t ranges[IOPORT_MAX_RANGES];
    int nranges;
    FILE *unassigned_log; /* when set, unassigned accesses are logged here */
} ioport_bus_t;

void ioport_init(ioport_bus_t *bus);
/* Returns false when a port is taken already or the table is full. */
bool ioport_register(ioport_bus_t *bus, uint16_t base, uint16_t count, io_read_fn read,
                     io_write_fn write, void *opaque, const char *name);
/* Frees the range registered at `base` (a PCI BAR that moves or stops
 * decoding); false when no range starts there. */
bool ioport_unregister(ioport_bus_t *bus, uint16_t base);
uint32_t ioport_read(ioport_bus_t *bus, uint16_t port, unsigned size);
void ioport_write(ioport_bus_t *bus, uint16_t port, uint32_t value, unsigned size);
/* The name of the device at `port`, or NULL. */
const char *ioport_owner(const ioport_bus_t *bus, uint16_t port);

#endif
