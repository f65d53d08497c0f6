/* A bare CPU on 1 MiB of RAM whose I/O bus answers nothing: for tests that
 * run small guest programs through cpu_execute.  Include after cmocka.h. */
#ifndef X86SIM_TEST_CPU_RIG_H
#define X86SIM_TEST_CPU_RIG_H

#include "cpu/exec.h"

static inline uint32_t rig_no_in(void *o, uint16_t port, unsigned size)
{
    (void)o, (void)port, (void)size;
    return 0xFFFFFFFFu;
}

static inline void rig_no_out(void *o, uint16_t port, uint32_t v, unsigned size)
{
    (void)o, (void)port, (void)v, (void)size;
}

/* Brings up the memory and the CPU; interrupt acknowledge cycles call
 * `ack` with `opaque`. */
static inline void rig_bring_up(physmem_t *pm, cpu_t *cpu, void *opaque, uint8_t (*ack)(void *))
{
    assert_true(physmem_init(pm, 1u << 20));
    cpu_bus_t bus = {.opaque = opaque, .in = rig_no_in, .out = rig_no_out, .intr_ack = ack};
    assert_true(cpu_init(cpu, pm, &bus));
}

static inline void rig_tear_down(physmem_t *pm, cpu_t *cpu)
{
    cpu_free(cpu);
    physmem_free(pm);
}

/* Real mode, CS:IP = 0:ip, DS = SS = 0, SP = 0x7000. */
static inline void rig_start_real(cpu_t *cpu, uint16_t ip)
{
    cpu_load_seg_raw(cpu, SEG_CS, 0, 0, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(cpu, SEG_SS, 0, 0, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(cpu, SEG_DS, 0, 0, 0xFFFF, 0x93, 0);
    cpu->gpr[R_ESP] = 0x7000;
    cpu->eip = ip;
}

#endif
