/* The Intel 8254 programmable interval timer (ports 0x40-0x43) and the
 * PC's system control port B (0x61), which gates counter 2, enables the
 * speaker and shows counter 2's OUT and the DRAM refresh toggle.
 *
 * The counters are never stepped: each keeps the clock tick at which its
 * count was loaded, and its count and OUT are computed from the event
 * clock when read.  Counter 0's OUT rising edges raise IRQ 0 through one
 * timer armed at the next edge.  The input clock is 14.31818 MHz / 12. */
#ifndef X86SIM_PIT_H
#define X86SIM_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "ioport.h"
#include "irq.h"

/* PIT input clock: 3579545 Hz / 3 = 1193181.67 Hz. */
#define PIT_HZ_NUM 3579545u
#define PIT_HZ_DEN 3u

typedef struct pit_counter {
    uint8_t mode;           /* 0-5 (6, 7 are aliases of 2, 3) */
    uint8_t mode_bits;      /* M2-M0 as written, for the status byte */
    uint8_t rw;             /* 1 = LSB, 2 = MSB, 3 = LSB then MSB */
    bool bcd;
    bool write_msb_next, read_msb_next;
    uint8_t write_lsb;      /* the LSB of a two-byte count being written */
    uint16_t latch;         /* latched count */
    uint8_t latch_bytes;    /* latched bytes still to read (0 = none) */
    uint8_t status;         /* latched status */
    bool status_latched;
    bool gate;
    bool cr_valid;          /* a count has been written since the control word */
    uint32_t cr;            /* the count register, decoded: 1..65536 (BCD 1..10000) */
    /* The count in progress: loaded into the counting element at tick
     * `load`, `n` clocks per period; mode 3 starts `offset` ticks into its
     * period.  Modes 0 and 4 with the gate low hold `frozen` ticks. */
    bool running;
    bool suspended;
    uint64_t load, offset, frozen;
    uint32_t n;
    /* Modes 2 and 3: a count written while counting takes effect at the
     * end of the period (half-period in mode 3), at tick pending_tick. */
    bool has_pending;
    uint32_t pending_n;
    uint64_t pending_tick, pending_offset;
    uint64_t null_until;    /* NULL COUNT until this tick */
    /* Counting element and OUT while no count is in progress (or before
     * the tick a new one loads). */
    uint32_t idle_ce;
    bool idle_out;
} pit_counter_t;

typedef struct pit {
    pit_counter_t ctr[3];
    vclock_t *clock;
    vtimer_t timer;         /* counter 0's next OUT rising edge */
    irq_line_t irq0;
    uint8_t port_b;         /* port 0x61 bits 0-3 */
} pit_t;

/* Registers 0x40-0x43 and 0x61. */
bool pit_init(pit_t *p, ioport_bus_t *bus, vclock_t *clock, irq_line_t irq0);
void pit_reset(pit_t *p);
void pit_set_gate(pit_t *p, int counter, bool level);
bool pit_out(pit_t *p, int counter);
/* The PIT clock tick at time ns, and the first ns of a tick. */
uint64_t pit_tick_at(uint64_t ns);
uint64_t pit_ns_of_tick(uint64_t tick);

#endif
