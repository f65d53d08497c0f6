/* The two cascaded Intel 8259A programmable interrupt controllers of the
 * PC/AT (master at 0x20/0x21, slave at 0xA0/0xA1 on the master's IR2) and
 * the edge/level control registers (ELCR, 0x4D0/0x4D1) that a PIIX-class
 * chipset adds to select each input's trigger mode.
 *
 * Devices drive ISA IRQ lines 0-15 through pic_irq_line(); the master's
 * INT output drives `intr` (the CPU's INTR pin); the CPU's interrupt
 * acknowledge cycle is pic_intr_ack(). */
#ifndef X86SIM_PIC_H
#define X86SIM_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"
#include "irq.h"

typedef struct pic8259 {
    uint8_t irr, isr, imr;
    uint8_t level;         /* current input levels */
    uint8_t elcr;          /* 1 = level-triggered input */
    uint8_t elcr_mask;     /* ELCR bits that exist */
    uint8_t vector_base;   /* ICW2 & 0xF8 */
    uint8_t icw3;          /* master: inputs with a slave; slave: its id */
    uint8_t lowest;        /* the input with the lowest priority (rotation) */
    uint8_t init_step;     /* 0 = ready, 2..4 = expecting ICW2..ICW4 */
    bool single;           /* ICW1 SNGL: no ICW3, no cascade */
    bool need_icw4;
    bool ltim;             /* ICW1 LTIM: all inputs level-triggered */
    bool auto_eoi;
    bool rotate_on_aeoi;
    bool sfnm;             /* special fully nested mode */
    bool special_mask;
    bool read_isr;         /* OCW3 RIS: port A0=0 reads ISR (else IRR) */
    bool poll;             /* OCW3 P: the next read is a poll */
    bool is_master;
    bool int_out;          /* INT output */
} pic8259_t;

typedef struct pic {
    pic8259_t chip[2];     /* [0] master, [1] slave */
    irq_line_t intr;       /* to the CPU */
    irq_line_t lines[16];  /* what devices hold: pic_irq_line(p, n) */
} pic_t;

/* Registers 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. */
bool pic_init(pic_t *p, ioport_bus_t *bus, irq_line_t intr);
void pic_reset(pic_t *p);
/* The line a device drives for ISA IRQ n (0-15); IRQ 2 is IRQ 9, as the
 * AT wires the bus's IRQ 2 pin (the master's IR2 takes the slave). */
const irq_line_t *pic_irq_line(pic_t *p, int n);
void pic_set_irq(pic_t *p, int n, bool level);
/* The interrupt acknowledge cycle: the vector of the highest-priority
 * request (base + 7 of the chip involved when none is left: spurious). */
uint8_t pic_intr_ack(pic_t *p);

uint8_t pic_port_read(pic_t *p, uint16_t port);
void pic_port_write(pic_t *p, uint16_t port, uint8_t value);

#endif
