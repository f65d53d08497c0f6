/* Board-level system control that is not one chip's own register file:
 *   port 0x92 ("system control port A"): fast A20 gate (bit 1) and fast
 *             CPU init (bit 0, on a 0 -> 1 write);
 *   the A20 gate itself: on when either the 8042's output port or port
 *             0x92 enables it, as the two are wired together on a PC;
 *   FERR#/IRQ 13: a floating-point error from the CPU latches IRQ 13
 *             until a write to port 0xF0, which also asserts IGNNE#
 *             while FERR# stays asserted (the AT's coprocessor wiring).
 * Kept apart from piix3.c because all three concern the CPU's pins rather
 * than the PCI bridge, and a board without PCI needs them as well. */
#ifndef X86SIM_SYSCTRL_H
#define X86SIM_SYSCTRL_H

#include "../mmu/mmu.h"
#include "ioport.h"
#include "irq.h"

typedef struct sysctrl {
    physmem_t *mem;
    bool kbc_a20, fast_a20;
    bool init_bit;            /* port 0x92 bit 0 as last written */
    bool ferr, ignne, irq13_level;
    irq_line_t irq13;
    void (*reset_cpu)(void *opaque);
    void *opaque;
} sysctrl_t;

/* Registers 0x92 and 0xF0. */
bool sysctrl_init(sysctrl_t *s, ioport_bus_t *bus, physmem_t *mem, irq_line_t irq13,
                  void (*reset_cpu)(void *), void *opaque);
void sysctrl_reset(sysctrl_t *s);
/* The 8042 output port's A20 bit. */
void sysctrl_set_kbc_a20(sysctrl_t *s, bool enabled);
/* The CPU's FERR# pin (the FPU's cpu_bus_t callback ends here). */
void sysctrl_ferr(sysctrl_t *s, bool asserted);
/* IGNNE# as the CPU sees it. */
static inline bool sysctrl_ignne(const sysctrl_t *s) { return s->ignne; }

#endif
