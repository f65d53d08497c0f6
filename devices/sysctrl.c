/* Port 0x92, the A20 gate and FERR#/IRQ 13 (see sysctrl.h). */
#include "sysctrl.h"

#define P92_INIT 0x01
#define P92_A20 0x02

static void apply_a20(sysctrl_t *s)
{
    physmem_set_a20(s->mem, s->kbc_a20 || s->fast_a20);
}

void sysctrl_set_kbc_a20(sysctrl_t *s, bool enabled)
{
    s->kbc_a20 = enabled;
    apply_a20(s);
}

static void set_irq13(sysctrl_t *s, bool level)
{
    if (level != s->irq13_level)
        irq_set(&s->irq13, s->irq13_level = level);
}

void sysctrl_ferr(sysctrl_t *s, bool asserted)
{
    if (asserted && !s->ferr && !s->ignne)
        set_irq13(s, true);
    if (!asserted)
        s->ignne = false;
    s->ferr = asserted;
}

static uint32_t sysctrl_read(void *opaque, uint16_t port, unsigned size)
{
    sysctrl_t *s = opaque;
    (void)size;
    if (port == 0xF0)
        return 0xFF;
    return (s->fast_a20 ? P92_A20 : 0) | (s->init_bit ? P92_INIT : 0);
}

static void sysctrl_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    sysctrl_t *s = opaque;
    (void)size;
    if (port == 0xF0) { /* clear the coprocessor error */
        set_irq13(s, false);
        s->ignne = s->ferr;
        return;
    }
    s->fast_a20 = value & P92_A20;
    apply_a20(s);
    bool init = value & P92_INIT;
    if (init && !s->init_bit && s->reset_cpu)
        s->reset_cpu(s->opaque);
    s->init_bit = init;
}

void sysctrl_reset(sysctrl_t *s)
{
    s->fast_a20 = s->init_bit = false;
    s->kbc_a20 = true; /* the 8042's output port resets high */
    s->ferr = s->ignne = false;
    set_irq13(s, false);
    apply_a20(s);
}

bool sysctrl_init(sysctrl_t *s, ioport_bus_t *bus, physmem_t *mem, irq_line_t irq13,
                  void (*reset_cpu)(void *), void *opaque)
{
    *s = (sysctrl_t){.mem = mem, .irq13 = irq13, .reset_cpu = reset_cpu, .opaque = opaque};
    sysctrl_reset(s);
    return ioport_register(bus, 0x92, 1, sysctrl_read, sysctrl_write, s, "port92") &&
           ioport_register(bus, 0xF0, 1, sysctrl_read, sysctrl_write, s, "fpu-error");
}
