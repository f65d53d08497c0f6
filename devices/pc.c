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

/* The ISA interrupt line `n`.  TODO(platform): route to the PIC when the
 * board has one; until then device interrupts go nowhere. */
static irq_line_t isa_irq(machine_t *m, int n)
{
    (void)m;
    return (irq_line_t){.line = n};
}

/* Opens the image of -hda.. -fdb (`option` names it in messages). */
static bool open_image(machine_t *m, int index, const char *option, const char *path,
                       disk_mode_t mode, uint32_t sector, char *err, size_t errlen)
{
    char why[512];
    if (disk_open(&m->disks[index], path, mode, sector, why, sizeof why))
        return true;
    snprintf(err, errlen, "%s %s", option, why);
    return false;
}

/* The disk controllers and the images of the configuration: every image is
 * checked here, before the guest runs. */
static bool storage_init(machine_t *m, char *err, size_t errlen)
{
    static const char *const hd_option[4] = {"-hda", "-hdb", "-hdc", "-hdd"};
    static const char *const fd_option[2] = {"-fda", "-fdb"};
    const machine_config_t *cfg = &m->cfg;
    if (!dma_init(&m->dma, &m->io, &m->mem) ||
        !fdc_init(&m->fdc, &m->io, &m->clock, &m->dma, isa_irq(m, FDC_IRQ)) ||
        !ide_init(&m->ide, &m->io, &m->clock, &m->mem, isa_irq(m, 14), isa_irq(m, 15))) {
        snprintf(err, errlen, "cannot create the disk controllers (ports taken or out of memory)");
        return false;
    }
    disk_mode_t hd_mode = cfg->snapshot ? DISK_SNAPSHOT : DISK_READ_WRITE;
    for (int k = 0; k < 4; k++) {
        if (!cfg->hd[k])
            continue;
        if (!open_image(m, MACHINE_DISK_HD0 + k, hd_option[k], cfg->hd[k], hd_mode, 512, err, errlen) ||
            !ide_attach_disk(&m->ide, k, &m->disks[MACHINE_DISK_HD0 + k], err, errlen))
            return false;
    }
    if (cfg->cdrom) {
        /* The first free place on the secondary channel, else primary slave. */
        static const int slots[3] = {2, 3, 1};
        int slot = -1;
        for (int k = 0; k < 3 && slot < 0; k++)
            if (!cfg->hd[slots[k]])
                slot = slots[k];
        if (slot < 0) {
            snprintf(err, errlen, "-cdrom %s: no free IDE place (-hdb, -hdc and -hdd are taken)",
                     cfg->cdrom);
            return false;
        }
        disk_t *disc = NULL;
        if (cfg->cdrom[0]) { /* -cdrom "" is a drive without a disc */
            if (!open_image(m, MACHINE_DISK_CDROM, "-cdrom", cfg->cdrom, DISK_READ_ONLY, ATAPI_BLOCK,
                            err, errlen))
                return false;
            disc = &m->disks[MACHINE_DISK_CDROM];
        }
        ide_attach_cdrom(&m->ide, slot, disc);
    }
    /* A floppy image the user cannot write is a write-protected disk. */
    disk_mode_t fd_mode = cfg->snapshot ? DISK_SNAPSHOT : DISK_WRITE_IF_CAN;
    for (int k = 0; k < 2; k++) {
        if (!cfg->fd[k])
            continue;
        char why[512];
        if (!open_image(m, MACHINE_DISK_FD0 + k, fd_option[k], cfg->fd[k], fd_mode, 512, err, errlen))
            return false;
        if (!fdc_insert(&m->fdc, k, &m->disks[MACHINE_DISK_FD0 + k], why, sizeof why)) {
            snprintf(err, errlen, "%s %s", fd_option[k], why);
            return false;
        }
    }
    return true;
}

static void storage_free(machine_t *m)
{
    ide_free(&m->ide);
    for (int k = 0; k < MACHINE_DISKS; k++)
        disk_close(&m->disks[k]);
}

bool machine_flush_disks(machine_t *m)
{
    bool ok = true;
    for (int k = 0; k < MACHINE_DISKS; k++)
        ok &= disk_flush(&m->disks[k]);
    return ok;
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
    if (!storage_init(m, err, errlen)) {
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
    storage_free(m);
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
    dma_reset(&m->dma);
    fdc_reset(&m->fdc);
    ide_reset(&m->ide);
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
