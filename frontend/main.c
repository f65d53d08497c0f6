/* x86sim: parses the command line, builds the machine and runs it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pc.h"

extern const uint8_t builtin_bios[];
extern const uint32_t builtin_bios_size;

/* Exit statuses.  isa-debug-exit produces odd values, so ours are even. */
enum { EXIT_POWEROFF = 0, EXIT_HOST_ERROR = 2, EXIT_TRIPLE_FAULT = 4, EXIT_MAX_INSNS = 6 };

static void usage(FILE *f)
{
    fprintf(f, "usage: x86sim [options]\n"
               "  -m MB                 guest RAM in MiB (default 128)\n"
               "  -bios FILE            firmware image instead of the built-in BIOS\n"
               "  -nographic            no window\n"
               "  -debugcon stdio|file:PATH   port 0xE9 output\n"
               "  -device isa-debug-exit[,iobase=N,iosize=N]\n"
               "  --max-insns N         stop after N instructions\n"
               "  -hda/-hdb/-hdc/-hdd FILE   IDE disk images (raw)\n"
               "  -cdrom FILE           ISO image in an ATAPI drive (\"\" for an empty drive)\n"
               "  -fda/-fdb FILE        floppy images (read-only file = write-protected)\n"
               "  -snapshot             disk writes go to memory, never to the image files\n"
               "  -serial SPEC          next COM port: stdio, file:PATH, pty, tcp:127.0.0.1:PORT,server[,nowait], none\n");
}

static uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

/* SIGINT/SIGTERM: ask the machine to stop; main then destroys it, which
 * flushes the disk images. */
static machine_t *volatile running_machine;
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
    caught_signal = sig;
    if (running_machine)
        machine_request_stop(running_machine);
}

/* -hda.. -hdd, -cdrom, -fda, -fdb: where the option puts its image. */
static const char **disk_option(machine_config_t *cfg, const char *o)
{
    static const char *const hd[4] = {"-hda", "-hdb", "-hdc", "-hdd"};
    for (int k = 0; k < 4; k++)
        if (!strcmp(o, hd[k]))
            return &cfg->hd[k];
    if (!strcmp(o, "-fda") || !strcmp(o, "-fdb"))
        return &cfg->fd[o[3] - 'a'];
    return !strcmp(o, "-cdrom") ? &cfg->cdrom : NULL;
}

int main(int argc, char **argv)
{
    machine_config_t cfg = {.ram_mb = 128, .halt_is_poweroff = true, .rtc_start = -1};
    int serial_ports = 0;
    const char *bios_path = NULL;
    uint64_t max_insns = 0;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a];
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(o, "-nographic")) {
        } else if (!strcmp(o, "-m") && v) {
            cfg.ram_mb = (uint32_t)strtoul(v, NULL, 0);
            a++;
        } else if (!strcmp(o, "-bios") && v) {
            bios_path = v;
            a++;
        } else if (!strcmp(o, "-debugcon") && v) {
            cfg.debugcon = !strcmp(v, "stdio") ? stdout : !strncmp(v, "file:", 5) ? fopen(v + 5, "w") : NULL;
            if (!cfg.debugcon) {
                fprintf(stderr, "x86sim: -debugcon %s: not stdio, or the file cannot be written\n", v);
                return EXIT_HOST_ERROR;
            }
            a++;
        } else if (!strcmp(o, "-device") && v && !strncmp(v, "isa-debug-exit", 14)) {
            cfg.debug_exit = true;
            cfg.debug_exit_base = 0x501;
            cfg.debug_exit_size = 2;
            const char *p = strstr(v, "iobase=");
            if (p)
                cfg.debug_exit_base = (uint16_t)strtoul(p + 7, NULL, 0);
            p = strstr(v, "iosize=");
            if (p)
                cfg.debug_exit_size = (uint16_t)strtoul(p + 7, NULL, 0);
            a++;
        } else if (!strcmp(o, "-kernel") && v) {
            cfg.kernel = v;
            a++;
        } else if (!strcmp(o, "-initrd") && v) {
            cfg.initrd = v;
            a++;
        } else if (!strcmp(o, "-append") && v) {
            cfg.append = v;
            a++;
        } else if (disk_option(&cfg, o) && v) {
            *disk_option(&cfg, o) = v;
            a++;
        } else if (!strcmp(o, "-snapshot")) {
            cfg.snapshot = true;
        } else if (!strcmp(o, "-serial") && v) {
            if (serial_ports == 4) {
                fprintf(stderr, "x86sim: -serial %s: at most four serial ports\n", v);
                return EXIT_HOST_ERROR;
            }
            cfg.serial[serial_ports++] = v;
            a++;
        } else if (!strcmp(o, "--max-insns") && v) {
            max_insns = strtoull(v, NULL, 0);
            a++;
        } else {
            fprintf(stderr, "x86sim: unknown option or missing value: %s\n", o);
            usage(stderr);
            return EXIT_HOST_ERROR;
        }
    }
    uint8_t *bios = NULL;
    if (bios_path) {
        bios = read_file(bios_path, &cfg.bios_size);
        if (!bios) {
            fprintf(stderr, "x86sim: -bios %s: cannot read the file\n", bios_path);
            return EXIT_HOST_ERROR;
        }
        cfg.bios_image = bios;
    } else {
        cfg.bios_image = builtin_bios;
        cfg.bios_size = builtin_bios_size;
    }
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "x86sim: %s\n", err);
        return EXIT_HOST_ERROR;
    }
    running_machine = m;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    machine_stop_t why = machine_run(m, max_insns);
    int status = caught_signal ? 128 + caught_signal : EXIT_POWEROFF;
    switch (why) {
    case STOP_DEBUG_EXIT: status = m->exit_status; break;
    case STOP_TRIPLE_FAULT:
        fprintf(stderr, "x86sim: triple fault at %04x:%08x\n", m->cpu.seg[SEG_CS].sel, m->cpu.eip);
        status = EXIT_TRIPLE_FAULT;
        break;
    case STOP_MAX_INSNS:
        fprintf(stderr, "x86sim: reached the instruction limit (%llu)\n", (unsigned long long)max_insns);
        status = EXIT_MAX_INSNS;
        break;
    default: break;
    }
    if (cfg.debugcon)
        fflush(cfg.debugcon);
    running_machine = NULL;
    machine_destroy(m);
    free(bios);
    return status;
}
