/* The 8259A pair and the ELCR (see pic.h).
 *
 * Priorities: input (lowest + 1) & 7 has the highest priority; rotation
 * moves `lowest`.  A request is acknowledged when it is unmasked and no
 * in-service input of higher (or equal) priority blocks it.  In special
 * mask mode masked in-service inputs stop blocking; in special fully nested
 * mode the master lets a cascade input nest with itself.
 *
 * Edge-triggered inputs latch the rising edge in the IRR, which keeps the
 * request until it is acknowledged even when the device lowers its line at
 * once (our ISA devices pulse their lines in zero time).  Level-triggered
 * inputs (ICW1 LTIM, or the input's ELCR bit) make the IRR follow the line,
 * so a request withdrawn before the acknowledge becomes a spurious IRQ 7. */
#include "pic.h"

#include <string.h>

enum { MASTER, SLAVE };
#define CASCADE_IR 2 /* the slave's INT output drives master input 2 */

static bool is_level(const pic8259_t *c, int ir)
{
    return c->ltim || (c->elcr >> ir & 1);
}

/* 0 = highest priority. */
static int priority_of(const pic8259_t *c, int ir)
{
    return (ir - c->lowest - 1) & 7;
}

/* The input of highest priority among the bits of `mask`, or -1. */
static int highest(const pic8259_t *c, uint8_t mask)
{
    for (int k = 0; k < 8; k++) {
        int ir = (c->lowest + 1 + k) & 7;
        if (mask >> ir & 1)
            return ir;
    }
    return -1;
}

static bool is_cascade(const pic8259_t *c, int ir)
{
    return c->is_master && !c->single && (c->icw3 >> ir & 1);
}

/* The request an acknowledge would take now, or -1. */
static int pending(const pic8259_t *c)
{
    int ir = highest(c, c->irr & ~c->imr);
    if (ir < 0)
        return -1;
    uint8_t blocking = c->isr;
    if (c->special_mask)
        blocking &= ~c->imr;
    int cur = highest(c, blocking);
    if (cur < 0)
        return ir;
    if (cur == ir)
        return c->sfnm && is_cascade(c, ir) ? ir : -1;
    return priority_of(c, cur) < priority_of(c, ir) ? -1 : ir;
}

static void chip_input(pic8259_t *c, int ir, bool level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (is_level(c, ir))
        c->irr = level ? c->irr | bit : c->irr & ~bit;
    else if (level && !(c->level & bit))
        c->irr |= bit;
    c->level = level ? c->level | bit : c->level & ~bit;
}

/* The chip's part of an acknowledge (or poll): returns the input taken, or
 * -1 when nothing is pending. */
static int chip_ack(pic8259_t *c)
{
    int ir = pending(c);
    if (ir < 0)
        return -1;
    uint8_t bit = (uint8_t)(1u << ir);
    if (!is_level(c, ir))
        c->irr &= ~bit;
    if (!c->auto_eoi)
        c->isr |= bit;
    else if (c->rotate_on_aeoi)
        c->lowest = (uint8_t)ir;
    return ir;
}

static void update(pic_t *p)
{
    pic8259_t *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
    s->int_out = pending(s) >= 0;
    chip_input(m, CASCADE_IR, s->int_out);
    bool out = pending(m) >= 0;
    if (out != m->int_out) {
        m->int_out = out;
        irq_set(&p->intr, out);
    }
}

uint8_t pic_intr_ack(pic_t *p)
{
    pic8259_t *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
    int ir = chip_ack(m);
    uint8_t vector;
    if (ir < 0) {
        vector = m->vector_base | 7; /* spurious IRQ 7 */
    } else if (!is_cascade(m, ir)) {
        vector = m->vector_base | (uint8_t)ir;
    } else if (ir == CASCADE_IR && (s->icw3 & 7) == CASCADE_IR) {
        int sir = chip_ack(s);
        vector = s->vector_base | (uint8_t)(sir < 0 ? 7 : sir); /* spurious IRQ 15 */
        /* INT falls during the acknowledge: a request still pending on the
         * slave makes a new edge at the master. */
        chip_input(m, CASCADE_IR, false);
    } else {
        vector = 0xFF; /* no slave answers this cascade address: the bus floats */
    }
    update(p);
    return vector;
}

/* Everything but the input wires, the ELCR and the INT output. */
static void chip_reset(pic8259_t *c, bool master)
{
    uint8_t elcr = c->elcr, level = c->level;
    bool int_out = c->int_out;
    memset(c, 0, sizeof *c);
    c->level = level;
    c->int_out = int_out;
    c->is_master = master;
    c->elcr_mask = master ? 0xF8 : 0xDE; /* IRQ 0, 1, 2, 8, 13 are edge-only */
    c->elcr = elcr & c->elcr_mask;
    c->lowest = 7;
    c->icw3 = master ? 1u << CASCADE_IR : CASCADE_IR;
}

void pic_reset(pic_t *p)
{
    for (int k = 0; k < 2; k++) {
        p->chip[k].elcr = 0;
        chip_reset(&p->chip[k], k == MASTER);
    }
    p->chip[MASTER].int_out = false;
    irq_set(&p->intr, false);
}

static void write_icw1(pic8259_t *c, uint8_t v)
{
    chip_reset(c, c->is_master); /* IMR, ISR, IRR, rotation, SMM, OCW3 state */
    c->need_icw4 = v & 0x01;
    c->single = v & 0x02;
    c->ltim = v & 0x08;
    c->icw3 = 0;
    c->init_step = 2;
    /* Edge sense is reset: an edge input needs a new rising edge; a level
     * input that is high requests at once. */
    for (int ir = 0; ir < 8; ir++)
        if (is_level(c, ir) && (c->level >> ir & 1))
            c->irr |= (uint8_t)(1u << ir);
}

static void write_ocw2(pic8259_t *c, uint8_t v)
{
    int l = v & 7, ir;
    switch (v >> 5) {
    case 0: c->rotate_on_aeoi = false; break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        ir = highest(c, c->isr);
        if (ir >= 0) {
            c->isr &= (uint8_t)~(1u << ir);
            if (v >> 5 == 5)
                c->lowest = (uint8_t)ir;
        }
        break;
    case 2: break; /* no operation */
    case 3: c->isr &= (uint8_t)~(1u << l); break; /* specific EOI */
    case 4: c->rotate_on_aeoi = true; break;
    case 6: c->lowest = (uint8_t)l; break; /* set priority */
    case 7: /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << l);
        c->lowest = (uint8_t)l;
        break;
    }
}

static void write_ocw3(pic8259_t *c, uint8_t v)
{
    if (v & 0x40)
        c->special_mask = v & 0x20;
    if (v & 0x04)
        c->poll = true;
    if (v & 0x02)
        c->read_isr = v & 0x01;
}

static void write_data(pic8259_t *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xF8;
        c->init_step = c->single ? (c->need_icw4 ? 4 : 0) : 3;
        break;
    case 3:
        c->icw3 = v;
        c->init_step = c->need_icw4 ? 4 : 0;
        break;
    case 4:
        c->auto_eoi = v & 0x02;
        c->sfnm = v & 0x10;
        c->init_step = 0;
        break;
    default:
        c->imr = v; /* OCW1 */
        break;
    }
}

static pic8259_t *chip_at(pic_t *p, uint16_t port)
{
    return &p->chip[(port & 0x80) ? SLAVE : MASTER];
}

uint8_t pic_port_read(pic_t *p, uint16_t port)
{
    pic8259_t *c = chip_at(p, port);
    if (c->poll) { /* the read is the acknowledge: any address */
        c->poll = false;
        int ir = chip_ack(c);
        update(p);
        return ir < 0 ? 0x00 : (uint8_t)(0x80 | ir);
    }
    if (port & 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

void pic_port_write(pic_t *p, uint16_t port, uint8_t v)
{
    pic8259_t *c = chip_at(p, port);
    if (port & 1)
        write_data(c, v);
    else if (v & 0x10)
        write_icw1(c, v);
    else if (v & 0x08)
        write_ocw3(c, v);
    else
        write_ocw2(c, v);
    update(p);
}

static uint32_t pic_io_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return pic_port_read(opaque, port);
}

static void pic_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)size;
    pic_port_write(opaque, port, (uint8_t)value);
}

static uint32_t elcr_read(void *opaque, uint16_t port, unsigned size)
{
    pic_t *p = opaque;
    uint32_t v = p->chip[port & 1].elcr;
    if (size > 1 && !(port & 1)) /* a word access at 0x4D0 reads both */
        v |= (uint32_t)p->chip[SLAVE].elcr << 8;
    return v;
}

static void elcr_set(pic8259_t *c, uint8_t v)
{
    c->elcr = v & c->elcr_mask;
    for (int ir = 0; ir < 8; ir++) /* a level input's request is its line */
        if (is_level(c, ir))
            c->irr = (c->irr & (uint8_t)~(1u << ir)) | (c->level & (1u << ir));
}

static void elcr_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pic_t *p = opaque;
    elcr_set(&p->chip[port & 1], (uint8_t)value);
    if (size > 1 && !(port & 1))
        elcr_set(&p->chip[SLAVE], (uint8_t)(value >> 8));
    update(p);
}

static void line_set(void *opaque, int line, bool level)
{
    pic_set_irq(opaque, line, level);
}

void pic_set_irq(pic_t *p, int n, bool level)
{
    if (n < 0 || n > 15)
        return;
    if (n == 2) /* the ISA bus's IRQ 2 pin is wired to IRQ 9 on the AT */
        n = 9;
    chip_input(&p->chip[n >> 3], n & 7, level);
    update(p);
}

const irq_line_t *pic_irq_line(pic_t *p, int n)
{
    return &p->lines[n & 15];
}

bool pic_init(pic_t *p, ioport_bus_t *bus, irq_line_t intr)
{
    memset(p, 0, sizeof *p);
    p->intr = intr;
    for (int n = 0; n < 16; n++)
        p->lines[n] = (irq_line_t){.set = line_set, .opaque = p, .line = n};
    pic_reset(p);
    return ioport_register(bus, 0x20, 2, pic_io_read, pic_io_write, p, "pic-master") &&
           ioport_register(bus, 0xA0, 2, pic_io_read, pic_io_write, p, "pic-slave") &&
           ioport_register(bus, 0x4D0, 2, elcr_read, elcr_write, p, "elcr");
}
