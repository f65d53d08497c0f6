/* Helpers for the chip tests: a port bus, an event clock whose time is a
 * counter the test moves (1 ns per "instruction"), and IRQ probes. */
#ifndef X86SIM_DEVTEST_H
#define X86SIM_DEVTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/clock.h"
#include "devices/ioport.h"
#include "devices/irq.h"

typedef struct irq_probe {
    bool level;
    int rises;
} irq_probe_t;

static void probe_set(void *opaque, int line, bool level)
{
    irq_probe_t *p = opaque;
    (void)line;
    if (level && !p->level)
        p->rises++;
    p->level = level;
}

static inline irq_line_t probe_line(irq_probe_t *p)
{
    return (irq_line_t){.set = probe_set, .opaque = p};
}

typedef struct testbed {
    ioport_bus_t io;
    vclock_t clock;
    uint64_t now; /* ns */
} testbed_t;

static inline void testbed_init(testbed_t *t)
{
    ioport_init(&t->io);
    t->now = 0;
    clock_init(&t->clock, &t->now, false);
    t->clock.ns_per_insn_fp = 1u << 16;
}

/* Moves time to `ns`, firing every timer on its deadline on the way. */
static inline void advance_to(testbed_t *t, uint64_t ns)
{
    for (;;) {
        uint64_t d = clock_next_deadline(&t->clock);
        if (d > ns)
            break;
        if (d > t->now)
            t->now = d;
        clock_run_due(&t->clock);
    }
    if (ns > t->now)
        t->now = ns;
    clock_run_due(&t->clock);
}

static inline uint8_t inb(testbed_t *t, uint16_t port) { return (uint8_t)ioport_read(&t->io, port, 1); }
static inline void outb(testbed_t *t, uint16_t port, uint8_t v) { ioport_write(&t->io, port, v, 1); }
static inline uint32_t inl(testbed_t *t, uint16_t port) { return ioport_read(&t->io, port, 4); }
static inline void outl(testbed_t *t, uint16_t port, uint32_t v) { ioport_write(&t->io, port, v, 4); }

#endif
