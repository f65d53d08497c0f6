/* The PC board: wires the CPU, memory and chips together and runs them.
 * The frontend fills a machine_config_t, creates the machine and drives
 * machine_run(); it never reaches into the chips itself except to read the
 * display and feed input. */
#ifndef X86SIM_PC_H
#define X86SIM_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../cpu/cpu.h"
#include "../mmu/mmu.h"
#include "chardev.h"
#include "clock.h"
#include "debugcon.h"
#include "i440fx.h"
#include "i8042.h"
#include "ioport.h"
#include "kernel_loader.h"
#include "vga.h"
#include "disk.h"
#include "dma.h"
#include "fdc.h"
#include "ide.h"
#include "pci.h"
#include "pic.h"
#include "piix3.h"
#include "pit.h"
#include "rtc.h"
#include "sysctrl.h"
#include "uart.h"

typedef struct machine_config {
    uint32_t ram_mb;
    const uint8_t *bios_image; /* the firmware image (builtin or -bios FILE) */
    uint32_t bios_size;

    /* Disks: NULL = absent.  hd[0..3] are -hda..-hdd (primary master, slave,
     * secondary master, slave); the CD-ROM takes the first free secondary
     * (or the slot -cdrom is given).  Images open read-write unless
     * `snapshot` (writes go to a copy-on-write overlay in memory). */
    const char *hd[4];
    const char *cdrom;
    const char *fd[2];
    bool snapshot;
    char boot_order[8];        /* -boot: "c", "d", "a", "cda", ... ("" = default) */

    /* Serial ports COM1..COM4: NULL = no backend (the UART still exists),
     * or "stdio", "file:PATH", "pty", "tcp:127.0.0.1:PORT,server", "none". */
    const char *serial[4];
    bool serial_line_rate;     /* UART characters take their baud-rate time */

    /* Direct kernel boot (Linux boot protocol or Multiboot). */
    const char *kernel, *initrd, *append;

    FILE *debugcon;            /* port 0xE9 output, or NULL */
    bool debug_exit;           /* isa-debug-exit present */
    uint16_t debug_exit_base, debug_exit_size;
    bool host_time;            /* follow host time instead of instructions */
    uint32_t ns_per_insn_fp;   /* deterministic guest speed, 16.16; 0 = default */
    int64_t rtc_start;         /* RTC start (Unix seconds); -1 = host time at start */
    bool halt_is_poweroff;     /* batch mode: HLT with IF=0 ends the run */
    bool reset_on_triple_fault;
    FILE *io_log;              /* log of unassigned port accesses, or NULL */
} machine_config_t;

typedef enum machine_stop {
    STOP_POWEROFF,     /* guest powered off, or halted with interrupts off */
    STOP_DEBUG_EXIT,   /* isa-debug-exit written: see exit_status */
    STOP_TRIPLE_FAULT, /* and reset_on_triple_fault is off */
    STOP_MAX_INSNS,    /* reached the instruction limit */
    STOP_REQUESTED,    /* the frontend asked (timeout, debugger, window closed) */
    STOP_BREAKPOINT,   /* a debugger breakpoint */
} machine_stop_t;

/* Where each disk image of the configuration is kept in machine_t.disks. */
enum { MACHINE_DISK_HD0 = 0, MACHINE_DISK_CDROM = 4, MACHINE_DISK_FD0 = 5, MACHINE_DISKS = 7 };

typedef struct machine {
    machine_config_t cfg;
    physmem_t mem;
    cpu_t cpu;
    ioport_bus_t io;
    vclock_t clock;
    debugcon_t debugcon;
    debugexit_t debugexit;
    postcode_t postcode;
    vga_t vga;
    kernel_image_t kernel; /* -kernel: placed in RAM at every reset */
    dma_t dma;
    fdc_t fdc;
    ide_t ide;
    disk_t disks[MACHINE_DISKS]; /* the images of MACHINE_DISK_* */
    pic_t pic;
    pit_t pit;
    rtc_t rtc;
    i8042_t kbc;
    sysctrl_t sysctrl;
    pci_bus_t pci;
    i440fx_t i440fx;
    piix3_t piix3;
    uart_t com[4];
    chardev_t serial_dev[4];

    bool cpu_reset_pending;    /* INIT: the CPU alone */
    uint64_t next_poll_host;   /* host ns of the next host-side poll */
    uint64_t idle_insns;       /* time spent halted, in instructions (deterministic mode) */
    bool reset_pending;
    bool stop_pending;
    int exit_status; /* for STOP_DEBUG_EXIT */
    /* Called by machine_run about every 10 ms of host time (MACHINE_POLL_NS). */
    void (*poll)(void *opaque);
    void *poll_opaque;
    /* Observer of every byte the guest transmits on serial port `port`
     * (0 = COM1), called by the UART back-end (devices/chardev.c) as it
     * sends the byte out; the frontend matches --stop-on-serial with it. */
    void (*serial_tap)(void *opaque, int port, uint8_t byte);
    void *serial_tap_opaque;
} machine_t;

/* Builds the machine; on failure writes a message to err and returns NULL. */
machine_t *machine_create(const machine_config_t *cfg, char *err, size_t errlen);
void machine_destroy(machine_t *m);
void machine_reset(machine_t *m);
/* Runs until one of the stop reasons; max_insns = 0 means no limit.  In
 * deterministic mode time spent halted counts against max_insns at the
 * guest's speed, so a guest that halts forever still stops. */
machine_stop_t machine_run(machine_t *m, uint64_t max_insns);
/* Asks machine_run to return STOP_REQUESTED soon (signal-safe enough: it
 * only sets flags). */
void machine_request_stop(machine_t *m);
/* A system reset: every chip and the CPU (0xCF9 hard reset, the frontend's
 * reset button).  CMOS RAM and the RTC's time survive, as on battery. */
void machine_request_reset(machine_t *m);
/* Makes every write to the disk images durable (fdatasync).  Not for a
 * signal handler: on SIGINT/SIGTERM the handler calls machine_request_stop
 * and the frontend, once machine_run returns, calls machine_destroy, which
 * flushes and closes the images.  False when the host reported an error. */
bool machine_flush_disks(machine_t *m);

/* The guest's screen as of now (the VGA or VBE picture); the frame and
 * its pixels belong to the machine and stay valid until the next call. */
const display_frame_t *machine_display(machine_t *m);
/* A reset of the CPU alone, the chips keep their state (the 8042's reset
 * line, port 0x92 fast init, 0xCF9 soft reset, a triple fault): the BIOS
 * tells a warm start by the 8042's system flag and CMOS shutdown byte. */
void machine_request_cpu_reset(machine_t *m);

/* Input from the frontend.  A key is named by its PC/AT scancode set 1 make
 * code, 0xE0xx for the extended keys (0xE11D for Pause); the keyboard
 * model turns it into what the guest asked for (set 1, 2 or 3). */
void machine_key(machine_t *m, uint16_t set1_code, bool down);
/* Relative mouse motion (dy positive = down), wheel (dz positive = toward
 * the user, scrolling down), buttons (bit 0 left, 1 right, 2 middle). */
void machine_mouse(machine_t *m, int dx, int dy, int dz, unsigned buttons);

#endif
