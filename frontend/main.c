/* x86sim: parses the command line, builds the machine, attaches what the
 * options ask for (tracers, window, gdb stub, debugger) and runs it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "control.h"
#include "gdbstub.h"
#include "options.h"
#include "screenshot.h"
#include "sdl.h"
#include "session.h"
#include "trace.h"

extern const uint8_t builtin_bios[];
extern const uint32_t builtin_bios_size;

static uint8_t *read_whole_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= (16L << 20) && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        *size = (uint32_t)n;
    return buf;
}

/* The tracers the options ask for: --trace FILE and the -d log. */
static bool open_tracers(session_t *s, const options_t *o)
{
    static const trace_filter_t everything = {.addr_hi = 0xFFFFFFFFu, .cpl = -1};
    if (o->trace_path) {
        FILE *f = fopen(o->trace_path, "w");
        if (!f) {
            fprintf(stderr, "x86sim: --trace: %s: %s\n", o->trace_path, strerror(errno));
            return false;
        }
        unsigned all = LOG_INT | LOG_EXEC | LOG_IN_ASM | LOG_CPU | LOG_IO;
        s->tracers[s->ntracers++] = tracer_create(f, true, all, &o->trace_filter, s->m);
    }
    if (o->log_mask) {
        FILE *f = o->log_path ? fopen(o->log_path, "w") : stderr;
        if (!f) {
            fprintf(stderr, "x86sim: -D: %s: %s\n", o->log_path, strerror(errno));
            return false;
        }
        s->tracers[s->ntracers++] = tracer_create(f, o->log_path != NULL, o->log_mask, &everything, s->m);
    }
    for (int k = 0; k < s->ntracers; k++)
        if (!s->tracers[k]) {
            fprintf(stderr, "x86sim: out of memory for the tracer\n");
            return false;
        }
    return true;
}

int main(int argc, char **argv)
{
    options_t opt;
    int status = options_parse(&opt, argc, argv);
    if (status >= 0)
        return status;

    uint8_t *bios = NULL;
    if (opt.bios_path) {
        bios = read_whole_file(opt.bios_path, &opt.cfg.bios_size);
        if (!bios) {
            fprintf(stderr, "x86sim: -bios: %s: cannot read the file (or it is empty or over 16 MiB)\n",
                    opt.bios_path);
            options_free(&opt);
            return EXIT_HOST_ERROR;
        }
        opt.cfg.bios_image = bios;
    } else {
        opt.cfg.bios_image = builtin_bios;
        opt.cfg.bios_size = builtin_bios_size;
    }
    /* Batch runs end when the guest halts with interrupts off; in the
     * window it may be waiting for the user to look. */
    opt.cfg.halt_is_poweroff = opt.display == DISPLAY_NONE || opt.debug;

    char err[256];
    machine_t *m = machine_create(&opt.cfg, err, sizeof err);
    if (!m) {
        fprintf(stderr, "x86sim: %s\n", err);
        free(bios);
        options_free(&opt);
        return EXIT_HOST_ERROR;
    }
    session_t s;
    session_init(&s, m, &opt);
    status = EXIT_HOST_ERROR;
    if (!open_tracers(&s, &opt))
        goto out;
#ifdef X86SIM_HAVE_SDL
    if (opt.display == DISPLAY_SDL && !(s.ui = sdl_open(&s, err, sizeof err))) {
        fprintf(stderr, "x86sim: -display sdl: %s (use -nographic or -display none without a desktop)\n", err);
        goto out;
    }
#endif
    if (opt.gdb_port && !(s.gdb = gdbstub_open(&s, opt.gdb_port, err, sizeof err))) {
        fprintf(stderr, "x86sim: -gdb tcp::%d: %s\n", opt.gdb_port, err);
        goto out;
    }
    session_catch_signals(&s);
    uint64_t started_ns = host_ns();
    status = (opt.debug || opt.gdb_port) ? control_run(&s) : batch_run(&s);
    if (opt.stats)
        report_stats(&s, host_ns() - started_ns);
    if (opt.screenshot && !screenshot_take(m, opt.screenshot, err, sizeof err)) {
        fprintf(stderr, "x86sim: --screenshot: %s\n", err);
        status = EXIT_HOST_ERROR;
    }
out:
    session_finish(&s);
#ifdef X86SIM_HAVE_SDL
    sdl_close(s.ui);
#endif
    gdbstub_close(s.gdb);
    if (opt.cfg.debugcon)
        fflush(opt.cfg.debugcon);
    machine_destroy(m); /* flushes disk images */
    free(bios);
    options_free(&opt);
    fflush(stdout);
    return status;
}
