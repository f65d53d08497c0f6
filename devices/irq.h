/* An interrupt request line from a device to an interrupt controller.
 * Devices hold one and drive its level; they do not know who listens. */
#ifndef X86SIM_IRQ_H
#define X86SIM_IRQ_H

#include <stdbool.h>

typedef struct irq_line {
    void (*set)(void *opaque, int line, bool level);
    void *opaque;
    int line;
} irq_line_t;

static inline void irq_set(const irq_line_t *l, bool level)
{
    if (l->set)
        l->set(l->opaque, l->line, level);
}

/* An edge: raise then lower (for edge-triggered ISA sources). */
static inline void irq_pulse(const irq_line_t *l)
{
    irq_set(l, true);
    irq_set(l, false);
}

#endif
