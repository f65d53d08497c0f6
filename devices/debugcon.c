/* Debug console, debug exit and POST-code ports (see debugcon.h). */
#include "debugcon.h"

static uint32_t debugcon_read(void *opaque, uint16_t port, unsigned size)
{
    (void)opaque, (void)size;
    return port & 0xFF; /* Bochs and QEMU answer with the port number: 0xE9 */
}

static void debugcon_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    debugcon_t *d = opaque;
    (void)port, (void)size;
    if (d->out) {
        fputc((int)(value & 0xFF), d->out);
        if ((value & 0xFF) == '\n')
            fflush(d->out);
    }
}

bool debugcon_init(debugcon_t *d, ioport_bus_t *bus, uint16_t port, FILE *out)
{
    d->out = out;
    return ioport_register(bus, port, 1, debugcon_read, debugcon_write, d, "debugcon");
}

static void debugexit_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    debugexit_t *d = opaque;
    (void)port, (void)size;
    d->requested = true;
    d->status = (int)(((value << 1) | 1) & 0xFF);
    if (d->stop)
        d->stop(d->stop_opaque);
}

bool debugexit_init(debugexit_t *d, ioport_bus_t *bus, uint16_t base, uint16_t size,
                    void (*stop)(void *), void *opaque)
{
    *d = (debugexit_t){.stop = stop, .stop_opaque = opaque};
    return ioport_register(bus, base, size, NULL, debugexit_write, d, "isa-debug-exit");
}

static uint32_t postcode_read(void *opaque, uint16_t port, unsigned size)
{
    (void)port, (void)size;
    return ((postcode_t *)opaque)->last;
}

static void postcode_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)port, (void)size;
    ((postcode_t *)opaque)->last = (uint8_t)value;
}

bool postcode_init(postcode_t *p, ioport_bus_t *bus)
{
    p->last = 0;
    return ioport_register(bus, 0x80, 1, postcode_read, postcode_write, p, "post-code");
}
