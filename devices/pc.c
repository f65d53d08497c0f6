/* The PC board (see pc.h). */
#include "pc.h"

#include <stdlib.h>
#include <string.h>

static uint32_t bus_in(void *opaque, uint16_t port, unsigned size)
{
    return ioport_read(&((machine_t *)opaque)->io, port, size);
}

static void bus_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ioport_write(&((machine_t *)opaque)->io, port, value, size);
}

static uint8_t bus_intr_ack(void *opaque)
{
    (void)opaque;
    return 0x08; /* replaced by the PIC's acknowledge cycle */
}

static void stop_from_device(void *opaque)
{
    machine_request_stop(opaque);
}

void machine_request_stop(machine_t *m)
{
    m->stop_pending = true;
    cpu_request_stop(&m->cpu);
}

void machine_request_reset(machine_t *m)
{
    m->reset_pending = true;
    cpu_request_stop(&m->cpu);
}

machine_t *machine_create(const machine_config_t *cfg, char *err, size_t errlen)
{
    machine_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (!physmem_init(&m->mem, cfg->ram_mb << 20)) {
        snprintf(err, errlen, "cannot allocate %u MiB of guest RAM (1 to %u MiB)", cfg->ram_mb,
                 PHYS_RAM_MAX >> 20);
        free(m);
        return NULL;
    }
    if (!physmem_load_bios(&m->mem, cfg->bios_image, cfg->bios_size)) {
        snprintf(err, errlen, "the BIOS image must be 64 KiB to 1 MiB, a multiple of 4 KiB (it is %u bytes)",
                 cfg->bios_size);
        machine_destroy(m);
        return NULL;
    }
    ioport_init(&m->io);
    m->io.unassigned_log = cfg->io_log;
    cpu_bus_t bus = {.opaque = m, .in = bus_in, .out = bus_out, .intr_ack = bus_intr_ack};
    if (!cpu_init(&m->cpu, &m->mem, &bus)) {
        snprintf(err, errlen, "out of memory for the CPU");
        machine_destroy(m);
        return NULL;
    }
    clock_init(&m->clock, &m->cpu.icount, cfg->host_time);
    if (cfg->ns_per_insn_fp)
        m->clock.ns_per_insn_fp = cfg->ns_per_insn_fp;

    debugcon_init(&m->debugcon, &m->io, 0xE9, cfg->debugcon);
    postcode_init(&m->postcode, &m->io);
    if (cfg->debug_exit &&
        !debugexit_init(&m->debugexit, &m->io, cfg->debug_exit_base, cfg->debug_exit_size,
                        stop_from_device, m)) {
        snprintf(err, errlen, "isa-debug-exit: ports 0x%x-0x%x are taken", cfg->debug_exit_base,
                 cfg->debug_exit_base + cfg->debug_exit_size - 1);
        machine_destroy(m);
        return NULL;
    }
    if (!vga_init(&m->vga, &m->mem, &m->io, &m->clock)) {
        snprintf(err, errlen, "cannot create the VGA (out of memory for its 16 MiB, or its ports are taken)");
        machine_destroy(m);
        return NULL;
    }
    if (cfg->kernel && !kernel_open(&m->kernel, cfg->kernel, cfg->initrd, cfg->append,
                                    m->mem.ram_size, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    machine_reset(m);
    return m;
}

void machine_destroy(machine_t *m)
{
    if (!m)
        return;
    kernel_close(&m->kernel);
    cpu_free(&m->cpu);
    vga_free(&m->vga);
    physmem_free(&m->mem);
    free(m);
}

void machine_reset(machine_t *m)
{
    physmem_set_a20(&m->mem, true);
    cpu_reset(&m->cpu);
    vga_reset(&m->vga);
    /* Direct kernel boot starts at the kernel's 32-bit entry, without the
     * BIOS. */
    kernel_boot(&m->kernel, &m->mem, &m->cpu);
    m->reset_pending = false;
}

const display_frame_t *machine_display(machine_t *m)
{
    return vga_render(&m->vga);
}

/* Instructions run between checks of host-side work (polling, stop
 * requests) when no device deadline comes sooner. */
#define SLICE_INSNS 1000000u
#define HOST_IDLE_MAX_NS 10000000u

machine_stop_t machine_run(machine_t *m, uint64_t max_insns)
{
    cpu_t *cpu = &m->cpu;
    for (;;) {
        if (m->debugexit.requested) {
            m->debugexit.requested = false;
            m->exit_status = m->debugexit.status;
            return STOP_DEBUG_EXIT;
        }
        if (m->stop_pending) {
            m->stop_pending = false;
            return STOP_REQUESTED;
        }
        if (m->reset_pending)
            machine_reset(m);
        if (max_insns && cpu->icount >= max_insns)
            return STOP_MAX_INSNS;

        uint64_t until = cpu->icount + SLICE_INSNS;
        uint64_t deadline = clock_next_deadline(&m->clock);
        if (!m->clock.host_time && deadline != CLOCK_NEVER) {
            uint64_t at = clock_icount_at(&m->clock, deadline);
            if (at < until)
                until = at > cpu->icount ? at : cpu->icount + 1;
        }
        if (max_insns && until > max_insns)
            until = max_insns;

        cpu_exit_t r = cpu_execute(cpu, until);
        clock_run_due(&m->clock);
        if (m->poll)
            m->poll(m->poll_opaque);

        switch (r) {
        case CPU_EXIT_HALT:
            if (!(cpu->eflags & FLAG_IF) && !cpu->nmi_pending && m->cfg.halt_is_poweroff)
                return STOP_POWEROFF;
            deadline = clock_next_deadline(&m->clock);
            if (deadline == CLOCK_NEVER && !m->clock.host_time && !m->poll)
                return STOP_POWEROFF; /* halted forever: nothing can wake it */
            clock_idle_until(&m->clock, deadline == CLOCK_NEVER ? clock_now(&m->clock) + HOST_IDLE_MAX_NS
                                                                : deadline,
                             HOST_IDLE_MAX_NS);
            clock_run_due(&m->clock);
            break;
        case CPU_EXIT_SHUTDOWN:
            if (!m->cfg.reset_on_triple_fault)
                return STOP_TRIPLE_FAULT;
            machine_reset(m);
            break;
        case CPU_EXIT_BREAKPOINT:
            return STOP_BREAKPOINT;
        case CPU_EXIT_STOP:
        case CPU_EXIT_BUDGET:
            break;
        }
    }
}
