/* The PC board (see pc.h). */
#define _GNU_SOURCE /* ppoll */
#include "pc.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Instructions run between checks of host-side work (polling, stop
 * requests) when no device deadline comes sooner. */
#define SLICE_INSNS 1000000u
/* Host-side polling (serial input, the frontend's events) and the longest
 * a halted machine sleeps before polling again. */
#define MACHINE_POLL_NS 10000000u

static const struct {
    uint16_t base;
    uint8_t irq;
    const char *name;
} com_ports[4] = {{0x3F8, 4, "COM1"}, {0x2F8, 3, "COM2"}, {0x3E8, 4, "COM3"}, {0x2E8, 3, "COM4"}};

static uint32_t bus_in(void *opaque, uint16_t port, unsigned size)
{
    return ioport_read(&((machine_t *)opaque)->io, port, size);
}

static void bus_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ioport_write(&((machine_t *)opaque)->io, port, value, size);
}

static void bus_ferr(void *opaque, bool asserted)
{
    sysctrl_ferr(&((machine_t *)opaque)->sysctrl, asserted);
}

static bool bus_ignne(void *opaque)
{
    return sysctrl_ignne(&((machine_t *)opaque)->sysctrl);
}

static uint8_t bus_intr_ack(void *opaque)
{
    return pic_intr_ack(&((machine_t *)opaque)->pic);
}

static void set_intr(void *opaque, int line, bool level)
{
    (void)line;
    cpu_set_intr(&((machine_t *)opaque)->cpu, level);
}

/* A timer armed inside the running slice ends it early. */
static void kick_cpu(void *opaque)
{
    cpu_request_stop(&((machine_t *)opaque)->cpu);
}

static void stop_from_device(void *opaque)
{
    machine_request_stop(opaque);
}

static void cpu_reset_from_device(void *opaque)
{
    machine_request_cpu_reset(opaque);
}

static void kbc_a20(void *opaque, bool enabled)
{
    sysctrl_set_kbc_a20(&((machine_t *)opaque)->sysctrl, enabled);
}

static void reset_control(void *opaque, bool hard)
{
    if (hard)
        machine_request_reset(opaque);
    else
        machine_request_cpu_reset(opaque);
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
 * checked here, before the guest runs.  After build_chips (the PIC, the PCI
 * bus). */
static bool storage_init(machine_t *m, char *err, size_t errlen)
{
    static const char *const hd_option[4] = {"-hda", "-hdb", "-hdc", "-hdd"};
    static const char *const fd_option[2] = {"-fda", "-fdb"};
    const machine_config_t *cfg = &m->cfg;
    if (!dma_init(&m->dma, &m->io, &m->mem) ||
        !fdc_init(&m->fdc, &m->io, &m->clock, &m->dma, *pic_irq_line(&m->pic, FDC_IRQ)) ||
        !ide_init(&m->ide, &m->io, &m->clock, &m->mem, *pic_irq_line(&m->pic, 14),
                  *pic_irq_line(&m->pic, 15)) ||
        !ide_pci_register(&m->ide, &m->pci)) {
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

void machine_request_cpu_reset(machine_t *m)
{
    m->cpu_reset_pending = true;
    cpu_request_stop(&m->cpu);
}

void machine_key(machine_t *m, uint16_t set1_code, bool down)
{
    i8042_key(&m->kbc, set1_code, down);
}

void machine_mouse(machine_t *m, int dx, int dy, int dz, unsigned buttons)
{
    i8042_mouse(&m->kbc, dx, dy, dz, buttons);
}

/* ---------------------------------------------------------------- CMOS setup */

static int64_t file_size(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* CMOS floppy type of an image, by its size (1.44 MB when unknown). */
static uint8_t floppy_type(const char *path)
{
    static const struct { int64_t size; uint8_t type; } kinds[] = {
        {368640, 1}, {1228800, 2}, {737280, 3}, {1474560, 4}, {2949120, 5}};
    if (!path)
        return 0;
    int64_t size = file_size(path);
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (size == kinds[k].size)
            return kinds[k].type;
    return 4;
}

static bool cmos_setup(const machine_config_t *cfg, rtc_cmos_setup_t *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->ram_size = cfg->ram_mb << 20;
    for (int k = 0; k < 2; k++) {
        s->floppy_type[k] = floppy_type(cfg->fd[k]);
        int64_t size = file_size(cfg->hd[k]);
        if (!cfg->hd[k] || size < 0)
            continue;
        /* The LBA-style geometry: 16 heads, 63 sectors per track. */
        int64_t cylinders = size / (16 * 63 * 512);
        s->hd[k].present = true;
        s->hd[k].cylinders = (uint16_t)(cylinders > 16383 ? 16383 : cylinders < 1 ? 1 : cylinders);
        s->hd[k].heads = 16;
        s->hd[k].sectors = 63;
    }
    const char *order = cfg->boot_order[0] ? cfg->boot_order : "cad";
    for (int k = 0; k < 3 && order[k]; k++) {
        const char *devices = "acd", *at = strchr(devices, order[k]);
        if (!at) {
            snprintf(err, errlen, "-boot %s: '%c' is not a boot device (a floppy, c hard disk, d CD-ROM)",
                     order, order[k]);
            return false;
        }
        s->boot[k] = (uint8_t)(at - devices + 1);
    }
    return true;
}

/* ---------------------------------------------------------------- building */

/* A byte COM1..COM4 sent, for the frontend's observer. */
static void serial_tap_relay(void *opaque, const chardev_t *c, uint8_t b)
{
    machine_t *m = opaque;
    if (m->serial_tap)
        m->serial_tap(m->serial_tap_opaque, (int)(c - m->serial_dev), b);
}

static bool build_chips(machine_t *m, char *err, size_t errlen)
{
    const machine_config_t *cfg = &m->cfg;
    pic_t *pic = &m->pic;
    if (!pic_init(pic, &m->io, (irq_line_t){.set = set_intr, .opaque = m})) {
        snprintf(err, errlen, "cannot place the interrupt controllers");
        return false;
    }
    int64_t start = cfg->rtc_start >= 0 ? cfg->rtc_start : (int64_t)time(NULL);
    rtc_cmos_setup_t cmos;
    if (!cmos_setup(cfg, &cmos, err, errlen))
        return false;
    bool ok = pit_init(&m->pit, &m->io, &m->clock, *pic_irq_line(pic, 0)) &&
              rtc_init(&m->rtc, &m->io, &m->clock, *pic_irq_line(pic, 8), start) &&
              sysctrl_init(&m->sysctrl, &m->io, &m->mem, *pic_irq_line(pic, 13), cpu_reset_from_device, m) &&
              i8042_init(&m->kbc, &m->io, *pic_irq_line(pic, 1), *pic_irq_line(pic, 12), kbc_a20,
                         cpu_reset_from_device, m) &&
              pci_bus_init(&m->pci, &m->io) &&
              i440fx_init(&m->i440fx, &m->pci, &m->mem, m->mem.ram_size) &&
              piix3_init(&m->piix3, &m->pci, &m->io, reset_control, m);
    if (!ok) {
        snprintf(err, errlen, "cannot place the board's chips (ports or timers taken)");
        return false;
    }
    rtc_fill_cmos(&m->rtc, &cmos);
    for (int n = 0; n < 16; n++)
        m->pci.isa_irq[n] = *pic_irq_line(pic, n);
    for (int k = 0; k < 4; k++) {
        if (!chardev_open(&m->serial_dev[k], cfg->serial[k], com_ports[k].name, err, errlen))
            return false;
        m->serial_dev[k].tap = serial_tap_relay;
        m->serial_dev[k].tap_opaque = m;
        if (!uart_init(&m->com[k], &m->io, &m->clock, com_ports[k].base, *pic_irq_line(pic, com_ports[k].irq),
                       &m->serial_dev[k], com_ports[k].name)) {
            snprintf(err, errlen, "%s: cannot place the UART at 0x%x", com_ports[k].name, com_ports[k].base);
            return false;
        }
        m->com[k].line_rate = cfg->serial_line_rate;
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

/* The TSC counts guest time at 250 MHz (one tick per 4 ns, the default
 * instruction length of deterministic mode, where it therefore counts
 * instructions), in both clock modes: it goes on while the CPU sleeps in
 * HLT or time jumps to the next timer, and keeps one rate whatever the
 * host's speed.  Counting instructions in host-time mode would make it run
 * at the host's speed and stop while the CPU sleeps; Linux then finds it
 * disagreeing with the PIT, calls it unstable, and its timers run many
 * times too slow in real time. */
_Static_assert(CLOCK_DEFAULT_NS_PER_INSN_FP % 65536 == 0, "whole nanoseconds per tick");
static uint64_t guest_time_tsc_ticks(void *opaque)
{
    machine_t *m = opaque;
    return clock_now(&m->clock) / (CLOCK_DEFAULT_NS_PER_INSN_FP >> 16);
}

machine_t *machine_create(const machine_config_t *cfg, char *err, size_t errlen)
{
    machine_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    for (int k = 0; k < 4; k++) /* nothing open yet: safe to close */
        m->serial_dev[k].in_fd = m->serial_dev[k].out_fd = m->serial_dev[k].listen_fd = -1;
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
    /* Before the CPU, whose reset reads the TSC's clock. */
    clock_init(&m->clock, &m->cpu.icount, cfg->host_time);
    if (cfg->ns_per_insn_fp)
        m->clock.ns_per_insn_fp = cfg->ns_per_insn_fp;
    m->clock.kick = kick_cpu;
    m->clock.kick_opaque = m;
    /* The FPU's FERR# output goes to IRQ 13 through the system-control
     * logic, which also answers IGNNE# (set by a write to port 0xF0). */
    cpu_bus_t bus = {.opaque = m, .in = bus_in, .out = bus_out, .intr_ack = bus_intr_ack,
                     .ferr = bus_ferr, .ignne = bus_ignne,
                     .tsc_ticks = guest_time_tsc_ticks};
    if (!cpu_init(&m->cpu, &m->mem, &bus)) {
        snprintf(err, errlen, "out of memory for the CPU");
        machine_destroy(m);
        return NULL;
    }

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
    if (!build_chips(m, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    if (!vga_init(&m->vga, &m->mem, &m->io, &m->clock)) {
        snprintf(err, errlen, "cannot create the VGA (out of memory for its 16 MiB, or its ports are taken)");
        machine_destroy(m);
        return NULL;
    }
    vga_pci_init(&m->vga);
    if (!pci_bus_add(&m->pci, &m->vga.pci)) {
        snprintf(err, errlen, "cannot add the VGA to the PCI bus");
        machine_destroy(m);
        return NULL;
    }
    if (cfg->kernel && !kernel_open(&m->kernel, cfg->kernel, cfg->initrd, cfg->append,
                                    m->mem.ram_size, err, errlen)) {
        machine_destroy(m);
        return NULL;
    }
    kernel_use_bios(&m->kernel, cfg->bios_image, cfg->bios_size);
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
    for (int k = 0; k < 4; k++)
        chardev_close(&m->serial_dev[k]);
    cpu_free(&m->cpu);
    vga_free(&m->vga);
    physmem_free(&m->mem);
    free(m);
}

void machine_reset(machine_t *m)
{
    pic_reset(&m->pic);
    pit_reset(&m->pit);
    rtc_reset(&m->rtc);
    i8042_reset(&m->kbc);
    sysctrl_reset(&m->sysctrl); /* A20 on */
    pci_bus_reset(&m->pci);
    i440fx_reset(&m->i440fx);
    piix3_reset(&m->piix3);
    for (int k = 0; k < 4; k++)
        uart_reset(&m->com[k]);
    cpu_reset(&m->cpu);
    vga_reset(&m->vga);
    dma_reset(&m->dma);
    fdc_reset(&m->fdc);
    ide_reset(&m->ide);
    /* Direct kernel boot: the kernel's 32-bit entry, or (with our BIOS)
     * the reset vector, the BIOS then entering the kernel. */
    kernel_boot(&m->kernel, &m->mem, &m->cpu);
    m->reset_pending = m->cpu_reset_pending = false;
}
const display_frame_t *machine_display(machine_t *m)
{
    return vga_render(&m->vga);
}

/* ---------------------------------------------------------------- running */

/* Serial input and output, and the frontend's events, at most every
 * MACHINE_POLL_NS of host time unless `now` says otherwise. */
static void poll_host(machine_t *m, bool now)
{
    uint64_t t = host_ns();
    if (!now && t < m->next_poll_host)
        return;
    m->next_poll_host = t + MACHINE_POLL_NS;
    for (int k = 0; k < 4; k++)
        uart_poll(&m->com[k]);
    if (m->poll)
        m->poll(m->poll_opaque);
}

/* Sleeps the host up to `ns`, waking early when a serial back-end has
 * input.  Returns false when nothing could ever wake it. */
static bool wait_host(machine_t *m, uint64_t ns)
{
    struct pollfd fds[4];
    nfds_t n = 0;
    for (int k = 0; k < 4; k++) {
        int fd = chardev_wait_fd(&m->serial_dev[k]);
        if (fd >= 0)
            fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    }
    if (!n && !m->poll && ns == CLOCK_NEVER)
        return false;
    if (ns > MACHINE_POLL_NS)
        ns = MACHINE_POLL_NS;
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    ppoll(fds, n, &ts, NULL);
    return true;
}

/* A halted CPU waits for the next event.  Deterministic mode jumps time to
 * the next deadline (the TSC, counting guest time, moves with it);
 * host-time mode sleeps until it or until input.  Returns false when
 * nothing can ever wake the CPU. */
static bool idle(machine_t *m)
{
    vclock_t *c = &m->clock;
    uint64_t deadline = clock_next_deadline(c);
    if (!c->host_time && deadline != CLOCK_NEVER) {
        uint64_t skipped = clock_skip_to(c, deadline);
        uint64_t insns = (skipped << 16) / c->ns_per_insn_fp;
        m->idle_insns += insns;
    } else {
        uint64_t now = clock_now(c);
        if (!wait_host(m, deadline == CLOCK_NEVER ? CLOCK_NEVER : deadline > now ? deadline - now : 0))
            return false;
    }
    clock_run_due(c);
    poll_host(m, true);
    return true;
}

/* The instruction count the next slice runs to. */
static uint64_t slice_end(machine_t *m, uint64_t max_insns)
{
    cpu_t *cpu = &m->cpu;
    vclock_t *c = &m->clock;
    uint64_t until = cpu->icount + SLICE_INSNS;
    uint64_t deadline = clock_next_deadline(c);
    if (c->host_time) /* come back in time to poll the host */
        deadline = deadline < clock_now(c) + MACHINE_POLL_NS ? deadline : clock_now(c) + MACHINE_POLL_NS;
    if (deadline != CLOCK_NEVER) {
        uint64_t at = clock_icount_at(c, deadline);
        if (at < until)
            until = at > cpu->icount ? at : cpu->icount + 1;
    }
    if (max_insns) {
        uint64_t left = max_insns - cpu->icount - m->idle_insns;
        if (until - cpu->icount > left)
            until = cpu->icount + left;
    }
    return until;
}

static void flush_serial(machine_t *m)
{
    for (int k = 0; k < 4; k++)
        chardev_flush(&m->serial_dev[k]);
}

machine_stop_t machine_run(machine_t *m, uint64_t max_insns)
{
    cpu_t *cpu = &m->cpu;
    vclock_t *c = &m->clock;
    machine_stop_t why;
    clock_resume(c);
    for (;;) {
        if (m->debugexit.requested) {
            m->debugexit.requested = false;
            m->exit_status = m->debugexit.status;
            why = STOP_DEBUG_EXIT;
            break;
        }
        if (m->stop_pending) {
            m->stop_pending = false;
            why = STOP_REQUESTED;
            break;
        }
        if (m->reset_pending)
            machine_reset(m);
        if (m->cpu_reset_pending) {
            m->cpu_reset_pending = false;
            cpu_signal_init(cpu);
        }
        if (max_insns && cpu->icount + m->idle_insns >= max_insns) {
            why = STOP_MAX_INSNS;
            break;
        }

        uint64_t until = slice_end(m, max_insns);
        c->horizon = clock_time_at(c, until);
        uint64_t icount0 = cpu->icount, host0 = c->host_time ? host_ns() : 0;
        cpu_exit_t r = cpu_execute(cpu, until);
        c->horizon = CLOCK_NEVER;
        if (c->host_time)
            clock_calibrate(c, cpu->icount - icount0, host_ns() - host0);
        clock_run_due(c);
        poll_host(m, false);

        if (r == CPU_EXIT_HALT) {
            if (!(cpu->eflags & FLAG_IF) && !cpu->nmi_pending && m->cfg.halt_is_poweroff) {
                why = STOP_POWEROFF;
                break;
            }
            bool wakes = (cpu->eflags & FLAG_IF) && cpu->intr; /* delivered next slice */
            if (!wakes && !idle(m)) {
                why = STOP_POWEROFF; /* halted forever: nothing can wake it */
                break;
            }
        } else if (r == CPU_EXIT_SHUTDOWN) {
            if (!m->cfg.reset_on_triple_fault) {
                why = STOP_TRIPLE_FAULT;
                break;
            }
            cpu_signal_init(cpu); /* the chipset answers a shutdown cycle with INIT */
        } else if (r == CPU_EXIT_BREAKPOINT) {
            why = STOP_BREAKPOINT;
            break;
        }
    }
    clock_pause(c);
    flush_serial(m);
    return why;
}
