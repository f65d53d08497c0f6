/* Command-line parsing (see options.h).  Every option is one entry of
 * `table`; its parser checks the value and says what is wrong, naming the
 * option.  Checks that involve several options run after the whole line. */
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef X86SIM_VERSION
#define X86SIM_VERSION "0.1"
#endif

typedef struct option_def option_def_t;
typedef bool (*option_fn)(options_t *o, const option_def_t *d, const char *value);

struct option_def {
    const char *name;
    const char *arg;  /* value shown in --help, NULL for a flag */
    option_fn parse;
    int slot;         /* which disk or serial port, for shared parsers */
    const char *help;
};

static bool fail(const char *option, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "x86sim: %s: ", option);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return false;
}

/* An unsigned number in C syntax (decimal, 0x hex, 0 octal), nothing after. */
static bool parse_u64(const char *s, uint64_t *out)
{
    if (!*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool number_in(const char *option, const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    *out = lo; /* defined even on failure (and gcc -O2 can see it) */
    if (!parse_u64(s, out) || *out < lo || *out > hi)
        return fail(option, "'%s' is not a number from %llu to %llu", s, (unsigned long long)lo,
                    (unsigned long long)hi);
    return true;
}

static bool readable(const char *option, const char *path)
{
    if (access(path, R_OK) != 0)
        return fail(option, "%s: %s", path, strerror(errno));
    return true;
}

/* ---------------------------------------------------------------- machine */

static bool opt_memory(options_t *o, const option_def_t *d, const char *v)
{
    const char *s = strncmp(v, "size=", 5) ? v : v + 5;
    char num[32];
    size_t n = strlen(s);
    uint64_t scale = 1;
    if (n && (s[n - 1] == 'M' || s[n - 1] == 'm' || s[n - 1] == 'G' || s[n - 1] == 'g')) {
        scale = (s[n - 1] == 'G' || s[n - 1] == 'g') ? 1024 : 1;
        n--;
    }
    uint64_t mb;
    if (n == 0 || n >= sizeof num)
        return fail(d->name, "'%s' is not a size in MiB (like 128, 512M or 1G)", v);
    memcpy(num, s, n);
    num[n] = 0;
    uint32_t max = PHYS_RAM_MAX >> 20;
    if (!parse_u64(num, &mb) || mb == 0 || mb > max / scale)
        return fail(d->name, "'%s' is not a size from 1 to %u MiB", v, max);
    o->cfg.ram_mb = (uint32_t)(mb * scale);
    return true;
}

static bool set_once(const char **field, const option_def_t *d, const char *v)
{
    if (*field)
        return fail(d->name, "given twice (%s and %s)", *field, v);
    *field = v;
    return true;
}

static bool opt_file(options_t *o, const option_def_t *d, const char *v, const char **field)
{
    (void)o;
    return set_once(field, d, v) && readable(d->name, v);
}

static bool opt_hd(options_t *o, const option_def_t *d, const char *v) { return opt_file(o, d, v, &o->cfg.hd[d->slot]); }
static bool opt_fd(options_t *o, const option_def_t *d, const char *v) { return opt_file(o, d, v, &o->cfg.fd[d->slot]); }
/* -cdrom "" is a drive with no disc in it. */
static bool opt_cdrom(options_t *o, const option_def_t *d, const char *v)
{
    return *v ? opt_file(o, d, v, &o->cfg.cdrom) : set_once(&o->cfg.cdrom, d, v);
}
static bool opt_bios(options_t *o, const option_def_t *d, const char *v) { return opt_file(o, d, v, &o->bios_path); }
static bool opt_kernel(options_t *o, const option_def_t *d, const char *v) { return opt_file(o, d, v, &o->cfg.kernel); }
static bool opt_initrd(options_t *o, const option_def_t *d, const char *v) { return opt_file(o, d, v, &o->cfg.initrd); }
static bool opt_append(options_t *o, const option_def_t *d, const char *v) { return set_once(&o->cfg.append, d, v); }

static bool opt_snapshot(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->cfg.snapshot = true;
    return true;
}

/* -boot [order=]LETTERS: a floppy, c hard disk, d CD-ROM. */
static bool opt_boot(options_t *o, const option_def_t *d, const char *v)
{
    const char *s = strncmp(v, "order=", 6) ? v : v + 6;
    size_t n = strlen(s);
    if (n == 0 || n > 3)
        return fail(d->name, "'%s': give one to three of the letters a (floppy), c (disk), d (CD-ROM)", v);
    for (size_t k = 0; k < n; k++)
        if (!strchr("acd", s[k]) || memchr(s, s[k], k))
            return fail(d->name, "'%s': '%c' is not a boot device (a, c or d, each once)", v, s[k]);
    memcpy(o->cfg.boot_order, s, n + 1);
    return true;
}

/* ---------------------------------------------------------------- character devices */

/* tcp:[127.0.0.1|localhost]:PORT[,server][,nowait]: the port, or 0. */
static int tcp_port(const char *v, bool need_server)
{
    if (strncmp(v, "tcp:", 4))
        return 0;
    const char *host = v + 4, *colon = strchr(host, ':');
    if (!colon)
        return 0;
    size_t hl = (size_t)(colon - host);
    if (hl && !(hl == 9 && !strncmp(host, "127.0.0.1", 9)) && !(hl == 9 && !strncmp(host, "localhost", 9)))
        return 0;
    char port[8];
    const char *comma = strchr(colon, ',');
    size_t pl = comma ? (size_t)(comma - colon - 1) : strlen(colon + 1);
    if (pl == 0 || pl >= sizeof port)
        return 0;
    memcpy(port, colon + 1, pl);
    port[pl] = 0;
    bool server = false;
    for (const char *p = comma; p; p = strchr(p + 1, ',')) {
        if (!strncmp(p, ",server", 7) && (p[7] == ',' || !p[7]))
            server = true;
        else if (!(!strncmp(p, ",nowait", 7) && (p[7] == ',' || !p[7])))
            return 0;
    }
    uint64_t n;
    if (!parse_u64(port, &n) || n == 0 || n > 65535 || (need_server && !server))
        return 0;
    return (int)n;
}

/* A writable file for file:PATH back-ends; opened (and truncated) now so
 * that a bad path is reported before the guest runs. */
static bool writable_file(const char *option, const char *path, FILE **out)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(option, "%s: %s", path, strerror(errno));
    if (out)
        *out = f;
    else
        fclose(f);
    return true;
}

static bool opt_serial(options_t *o, const option_def_t *d, const char *v)
{
    int n = 0;
    while (n < 4 && o->cfg.serial[n])
        n++;
    if (n == 4)
        return fail(d->name, "at most four serial ports (COM1 to COM4)");
    bool ok = !strcmp(v, "stdio") || !strcmp(v, "pty") || !strcmp(v, "none") || !strcmp(v, "null") ||
              (!strncmp(v, "file:", 5) && v[5]) || tcp_port(v, true);
    if (!ok)
        return fail(d->name, "'%s' is not stdio, file:PATH, pty, tcp:127.0.0.1:PORT,server or none", v);
    if (!strncmp(v, "file:", 5) && !writable_file(d->name, v + 5, NULL))
        return false;
    for (int k = 0; k < n; k++)
        if (!strcmp(v, "stdio") && !strcmp(o->cfg.serial[k], "stdio"))
            return fail(d->name, "only one serial port can use stdio");
    o->cfg.serial[n] = !strcmp(v, "null") ? "none" : v;
    return true;
}

static bool opt_debugcon(options_t *o, const option_def_t *d, const char *v)
{
    if (o->cfg.debugcon)
        return fail(d->name, "given twice");
    if (!strcmp(v, "stdio")) {
        o->cfg.debugcon = stdout;
        return true;
    }
    if (!strcmp(v, "none") || !strcmp(v, "null"))
        return true;
    if (strncmp(v, "file:", 5) || !v[5])
        return fail(d->name, "'%s' is not stdio, file:PATH or none", v);
    if (!writable_file(d->name, v + 5, &o->cfg.debugcon))
        return false;
    setvbuf(o->cfg.debugcon, NULL, _IOLBF, 0); /* lines show up while the guest runs */
    return true;
}

/* -device isa-debug-exit[,iobase=N][,iosize=N] */
static bool opt_device(options_t *o, const option_def_t *d, const char *v)
{
    const char *name = "isa-debug-exit";
    size_t nl = strlen(name);
    if (strncmp(v, name, nl) || (v[nl] && v[nl] != ','))
        return fail(d->name, "'%s': the only device that can be added is isa-debug-exit", v);
    if (o->cfg.debug_exit)
        return fail(d->name, "isa-debug-exit given twice");
    o->cfg.debug_exit = true;
    o->cfg.debug_exit_base = 0x501; /* QEMU's defaults */
    o->cfg.debug_exit_size = 2;
    char prop[64];
    for (const char *p = v + nl; *p == ',';) {
        const char *next = strchr(p + 1, ',');
        size_t len = next ? (size_t)(next - p - 1) : strlen(p + 1);
        if (len >= sizeof prop)
            return fail(d->name, "'%s': property too long", v);
        memcpy(prop, p + 1, len);
        prop[len] = 0;
        uint64_t n;
        if (!strncmp(prop, "iobase=", 7)) {
            if (!number_in("-device isa-debug-exit,iobase", prop + 7, 0, 0xFFFF, &n))
                return false;
            o->cfg.debug_exit_base = (uint16_t)n;
        } else if (!strncmp(prop, "iosize=", 7)) {
            if (!number_in("-device isa-debug-exit,iosize", prop + 7, 1, 4, &n))
                return false;
            o->cfg.debug_exit_size = (uint16_t)n;
        } else {
            return fail(d->name, "isa-debug-exit has no property '%s' (iobase=, iosize=)", prop);
        }
        p = next ? next : p + 1 + len;
    }
    if ((uint32_t)o->cfg.debug_exit_base + o->cfg.debug_exit_size > 0x10000)
        return fail(d->name, "isa-debug-exit ports end beyond 0xffff");
    return true;
}

/* ---------------------------------------------------------------- display */

static bool opt_nographic(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->nographic = true;
    return true;
}

static bool opt_display(options_t *o, const option_def_t *d, const char *v)
{
    if (!strcmp(v, "none")) {
        o->display = DISPLAY_NONE;
        return true;
    }
    if (strcmp(v, "sdl"))
        return fail(d->name, "'%s' is not sdl or none", v);
#ifdef X86SIM_HAVE_SDL
    o->display = DISPLAY_SDL;
    return true;
#else
    return fail(d->name, "this x86sim was built without SDL2 (only none)");
#endif
}

static bool opt_screenshot(options_t *o, const option_def_t *d, const char *v)
{
    return set_once(&o->screenshot, d, v) && writable_file(d->name, v, NULL);
}

/* ---------------------------------------------------------------- time and limits */

static bool opt_icount(options_t *o, const option_def_t *d, const char *v)
{
    const char *s = strncmp(v, "shift=", 6) ? v : v + 6;
    uint64_t n;
    if (!number_in(d->name, s, 0, 10, &n))
        return false;
    o->cfg.ns_per_insn_fp = (1u << n) << 16; /* 2^shift ns per instruction */
    return true;
}

static bool opt_serial_line_rate(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->cfg.serial_line_rate = true;
    return true;
}

static bool opt_host_time(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->cfg.host_time = true;
    return true;
}

/* -rtc base=utc|YYYY-MM-DDTHH:MM:SS (UTC) */
static bool opt_rtc(options_t *o, const option_def_t *d, const char *v)
{
    if (strncmp(v, "base=", 5))
        return fail(d->name, "'%s': expected base=utc or base=YYYY-MM-DDTHH:MM:SS", v);
    const char *s = v + 5;
    if (!strcmp(s, "utc")) {
        o->cfg.rtc_start = -1;
        return true;
    }
    int y, mo, da, h = 0, mi = 0, se = 0, used = 0, more = 0;
    int n = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &da, &used);
    if (n == 3 && s[used] == 'T')
        used = sscanf(s + used, "T%2d:%2d:%2d%n", &h, &mi, &se, &more) == 3 ? used + more : -1;
    bool ok = n == 3 && used >= 0 && !s[used] && y >= 1970 && y <= 2099 && mo >= 1 && mo <= 12 && da >= 1 &&
              da <= 31 && h < 24 && mi < 60 && se < 60;
    if (!ok)
        return fail(d->name, "'%s' is not base=utc or base=YYYY-MM-DDTHH:MM:SS (1970 to 2099)", v);
    /* Days since 1970-01-01 by the civil calendar. */
    int yy = mo <= 2 ? y - 1 : y;
    int era = yy / 400, yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + da - 1;
    long days = (long)era * 146097 + (long)yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    o->cfg.rtc_start = (int64_t)days * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

static bool opt_max_insns(options_t *o, const option_def_t *d, const char *v)
{
    return number_in(d->name, v, 1, UINT64_MAX, &o->max_insns);
}

static bool opt_timeout(options_t *o, const option_def_t *d, const char *v)
{
    char *end;
    errno = 0;
    double t = strtod(v, &end);
    if (errno || *end || end == v || !(t > 0) || t > 1e7)
        return fail(d->name, "'%s' is not a number of seconds above 0", v);
    o->timeout_s = t;
    return true;
}

static bool opt_stop_on_serial(options_t *o, const option_def_t *d, const char *v)
{
    if (!*v || strlen(v) > 256)
        return fail(d->name, "the text must have 1 to 256 characters");
    return set_once(&o->stop_on_serial, d, v);
}

/* ---------------------------------------------------------------- tracing and logs */

static bool opt_trace(options_t *o, const option_def_t *d, const char *v)
{
    return set_once(&o->trace_path, d, v) && writable_file(d->name, v, NULL);
}

/* A:B, A: or :B into [lo, hi]; `hi` keeps its default when B is empty. */
static bool parse_range(const char *option, const char *v, uint64_t max, uint64_t *lo, uint64_t *hi)
{
    const char *colon = strchr(v, ':');
    char a[32];
    if (!colon || (size_t)(colon - v) >= sizeof a)
        return fail(option, "'%s' is not a range FROM:TO", v);
    memcpy(a, v, (size_t)(colon - v));
    a[colon - v] = 0;
    if (*a && !number_in(option, a, 0, max, lo))
        return false;
    if (colon[1] && !number_in(option, colon + 1, 0, max, hi))
        return false;
    if (*hi < *lo)
        return fail(option, "'%s': the end is below the start", v);
    return true;
}

static bool opt_trace_insns(options_t *o, const option_def_t *d, const char *v)
{
    uint64_t hi = UINT64_MAX;
    if (!parse_range(d->name, v, UINT64_MAX, &o->trace_filter.from, &hi))
        return false;
    o->trace_filter.to = hi == UINT64_MAX ? 0 : hi;
    return true;
}

static bool opt_trace_addr(options_t *o, const option_def_t *d, const char *v)
{
    uint64_t lo = 0, hi = 0xFFFFFFFFu;
    if (!parse_range(d->name, v, 0xFFFFFFFFu, &lo, &hi))
        return false;
    o->trace_filter.addr_lo = (uint32_t)lo;
    o->trace_filter.addr_hi = (uint32_t)hi;
    return true;
}

static bool opt_trace_cpl(options_t *o, const option_def_t *d, const char *v)
{
    uint64_t n;
    if (!number_in(d->name, v, 0, 3, &n))
        return false;
    o->trace_filter.cpl = (int)n;
    return true;
}

static const struct {
    const char *name;
    unsigned mask;
    const char *help;
} log_items[] = {
    {"int", LOG_INT, "interrupts and exceptions (vector, error code, CS:EIP)"},
    {"exec", LOG_EXEC, "the address of every instruction executed"},
    {"in_asm", LOG_IN_ASM, "the bytes and disassembly of every instruction executed"},
    {"cpu", LOG_CPU, "the registers and flags every instruction changed"},
    {"io", LOG_IO, "every port read and write"},
    {"unimp", LOG_UNIMP, "accesses to I/O ports that no device claims"},
};
#define LOG_ITEMS (sizeof log_items / sizeof log_items[0])

static bool opt_log(options_t *o, const option_def_t *d, const char *v)
{
    if (!strcmp(v, "help")) {
        printf("-d categories (comma-separated):\n");
        for (size_t k = 0; k < LOG_ITEMS; k++)
            printf("  %-8s %s\n", log_items[k].name, log_items[k].help);
        exit(EXIT_POWEROFF);
    }
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < LOG_ITEMS && !(strlen(log_items[k].name) == len && !strncmp(log_items[k].name, p, len)))
            k++;
        if (k == LOG_ITEMS)
            return fail(d->name, "'%.*s' is not a category (-d help lists them)", (int)len, p);
        o->log_mask |= log_items[k].mask;
        p += len + (p[len] == ',');
    }
    if (!o->log_mask)
        return fail(d->name, "no category given (-d help lists them)");
    return true;
}

static bool opt_log_file(options_t *o, const option_def_t *d, const char *v)
{
    return set_once(&o->log_path, d, v) && writable_file(d->name, v, NULL);
}

/* ---------------------------------------------------------------- debugging */

static bool opt_debug(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->debug = true;
    return true;
}

static bool opt_debug_script(options_t *o, const option_def_t *d, const char *v)
{
    o->debug = true;
    return set_once(&o->debug_script, d, v) && readable(d->name, v);
}

static bool opt_stats(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->stats = true;
    return true;
}

static bool opt_gdb_default(options_t *o, const option_def_t *d, const char *v)
{
    (void)v;
    if (o->gdb_port)
        return fail(d->name, "the gdb stub's port is already given");
    o->gdb_port = 1234;
    return true;
}

static bool opt_gdb(options_t *o, const option_def_t *d, const char *v)
{
    if (o->gdb_port)
        return fail(d->name, "the gdb stub's port is already given (-s means -gdb tcp::1234)");
    int port = tcp_port(v, false);
    if (!port || strchr(v + 4, ','))
        return fail(d->name, "'%s' is not tcp::PORT or tcp:127.0.0.1:PORT", v);
    o->gdb_port = port;
    return true;
}

static bool opt_start_stopped(options_t *o, const option_def_t *d, const char *v)
{
    (void)d, (void)v;
    o->start_stopped = true;
    return true;
}

static bool opt_help(options_t *o, const option_def_t *d, const char *v);
static bool opt_version(options_t *o, const option_def_t *d, const char *v)
{
    (void)o, (void)d, (void)v;
    printf("x86sim %s\n", X86SIM_VERSION);
    exit(EXIT_POWEROFF);
}

static const option_def_t table[] = {
    {"-m", "MB", opt_memory, 0, "guest RAM in MiB: 128, 512M, 1G (default 128)"},
    {"-hda", "FILE", opt_hd, 0, "hard disk image, primary master"},
    {"-hdb", "FILE", opt_hd, 1, "hard disk image, primary slave"},
    {"-hdc", "FILE", opt_hd, 2, "hard disk image, secondary master"},
    {"-hdd", "FILE", opt_hd, 3, "hard disk image, secondary slave"},
    {"-cdrom", "FILE", opt_cdrom, 0, "CD-ROM image (ISO 9660); \"\" for an empty drive"},
    {"-fda", "FILE", opt_fd, 0, "floppy image, drive A:"},
    {"-fdb", "FILE", opt_fd, 1, "floppy image, drive B:"},
    {"-boot", "ORDER", opt_boot, 0, "boot order, letters a (floppy), c (disk), d (CD-ROM): -boot cd"},
    {"-snapshot", NULL, opt_snapshot, 0, "write disk changes to memory only"},
    {"-bios", "FILE", opt_bios, 0, "firmware image instead of the built-in BIOS"},
    {"-kernel", "FILE", opt_kernel, 0, "boot this Linux kernel (bzImage) or Multiboot image"},
    {"-initrd", "FILE", opt_initrd, 0, "initial RAM disk for -kernel"},
    {"-append", "TEXT", opt_append, 0, "kernel command line for -kernel"},
    {"-nographic", NULL, opt_nographic, 0, "no window; COM1 on standard input/output"},
#ifdef X86SIM_HAVE_SDL
    {"-display", "sdl|none", opt_display, 0, "the window (sdl) or none"},
#else
    {"-display", "none", opt_display, 0, "no window (built without SDL2)"},
#endif
    {"-serial", "DEV", opt_serial, 0,
     "next serial port (COM1..COM4): stdio, file:PATH, pty, tcp:127.0.0.1:PORT,server, none"},
    {"-debugcon", "DEV", opt_debugcon, 0, "port 0xE9 output: stdio, file:PATH or none"},
    {"-device", "isa-debug-exit[,iobase=N,iosize=N]", opt_device, 0,
     "exit port: writing V ends x86sim with status (V << 1) | 1 (default iobase 0x501, iosize 2)"},
    {"-icount", "shift=N", opt_icount, 0, "deterministic time: each instruction takes 2^N ns (the default without the window: 4 ns)"},
    {"--host-time", NULL, opt_host_time, 0, "guest time follows the host clock (not deterministic; the default in the window)"},
    {"--serial-line-rate", NULL, opt_serial_line_rate, 0,
     "serial characters take the time of their baud rate (default: 1 us each)"},
    {"-rtc", "base=utc|DATE", opt_rtc, 0, "the RTC's start: host time, or YYYY-MM-DDTHH:MM:SS (UTC)"},
    {"-s", NULL, opt_gdb_default, 0, "gdb stub on tcp::1234"},
    {"-S", NULL, opt_start_stopped, 0, "do not start the CPU: wait for gdb or the debugger"},
    {"-gdb", "tcp::PORT", opt_gdb, 0, "gdb stub on 127.0.0.1:PORT"},
    {"-d", "ITEMS", opt_log, 0, "log categories: int,exec,in_asm,cpu,io,unimp (-d help)"},
    {"-D", "FILE", opt_log_file, 0, "write the -d log to FILE (default standard error)"},
    {"--max-insns", "N", opt_max_insns, 0, "stop after N instructions (status 6)"},
    {"--timeout", "SECONDS", opt_timeout, 0, "stop after this much host time (status 8)"},
    {"--stop-on-serial", "TEXT", opt_stop_on_serial, 0, "stop (status 0) when COM1 prints TEXT"},
    {"--screenshot", "FILE", opt_screenshot, 0, "write the guest screen as PNG when the run ends"},
    {"--trace", "FILE", opt_trace, 0, "instruction trace: count, CS:EIP, bytes, disassembly, changes"},
    {"--trace-insns", "FROM:TO", opt_trace_insns, 0, "trace only instructions FROM..TO (retired count)"},
    {"--trace-addr", "LO:HI", opt_trace_addr, 0, "trace only linear addresses LO..HI"},
    {"--trace-cpl", "N", opt_trace_cpl, 0, "trace only at privilege level N (0-3)"},
    {"--debug", NULL, opt_debug, 0, "start in the debugger (commands on standard input)"},
    {"--debug-script", "FILE", opt_debug_script, 0, "run debugger commands from FILE first"},
    {"--stats", NULL, opt_stats, 0, "at the end: instructions retired, host seconds, MIPS, TLB and code-cache counts (stderr)"},
    {"--help", NULL, opt_help, 0, "this text"},
    {"-h", NULL, opt_help, 0, NULL},
    {"--version", NULL, opt_version, 0, "the version"},
};
#define TABLE_SIZE (sizeof table / sizeof table[0])

static bool opt_help(options_t *o, const option_def_t *d, const char *v)
{
    (void)o, (void)d, (void)v;
    printf("usage: x86sim [options]\n\n");
    for (size_t k = 0; k < TABLE_SIZE; k++) {
        if (!table[k].help)
            continue;
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", table[k].name, table[k].arg ? " " : "",
                 table[k].arg ? table[k].arg : "");
        printf("  %-22s %s\n", left, table[k].help);
    }
    printf("\nexit status: 0 power-off (or halt with interrupts off), 2 host error or bad option,\n"
           "4 triple fault, 6 --max-insns reached, 8 --timeout reached, 10 SIGINT/SIGTERM,\n"
           "odd: isa-debug-exit ((value << 1) | 1)\n");
    exit(EXIT_POWEROFF);
}

/* Checks between options, after the whole line is read. */
static bool check_combination(options_t *o)
{
    if (o->nographic && o->display == DISPLAY_SDL)
        return fail("-nographic", "conflicts with -display sdl");
    if (o->cfg.cdrom && o->cfg.hd[2] && o->cfg.hd[3])
        return fail("-cdrom", "both secondary IDE slots are taken by -hdc and -hdd");
    if (o->cfg.initrd && !o->cfg.kernel)
        return fail("-initrd", "needs -kernel");
    if (o->cfg.append && !o->cfg.kernel)
        return fail("-append", "needs -kernel");
    if (o->cfg.host_time && o->cfg.ns_per_insn_fp)
        return fail("--host-time", "conflicts with -icount");
    if (!o->trace_path && (o->trace_filter.from || o->trace_filter.to || o->trace_filter.addr_lo ||
                           o->trace_filter.addr_hi != 0xFFFFFFFFu || o->trace_filter.cpl >= 0))
        return fail("--trace-insns/--trace-addr/--trace-cpl", "need --trace FILE");
    if (o->start_stopped && !o->gdb_port && !o->debug)
        return fail("-S", "needs -s, -gdb or --debug (something to start the CPU)");
    if (o->log_path && !o->log_mask)
        return fail("-D", "needs -d");
    if (!o->cfg.snapshot)
        for (int k = 0; k < 4; k++)
            if (o->cfg.hd[k] && access(o->cfg.hd[k], W_OK) != 0)
                return fail((const char *[]){"-hda", "-hdb", "-hdc", "-hdd"}[k], "%s is read-only (use -snapshot)",
                            o->cfg.hd[k]);
    bool serial_stdio = false;
    for (int k = 0; k < 4; k++)
        serial_stdio |= o->cfg.serial[k] && !strcmp(o->cfg.serial[k], "stdio");
    if (o->nographic && !o->cfg.serial[0] && !o->debug) {
        o->cfg.serial[0] = "stdio"; /* as in QEMU: -nographic puts COM1 on the terminal */
        serial_stdio = true;
    }
    if (serial_stdio && o->debug)
        return fail("-serial stdio", "conflicts with --debug, which reads its commands from standard input");
    if (o->display == DISPLAY_DEFAULT)
#ifdef X86SIM_HAVE_SDL
        o->display = o->nographic ? DISPLAY_NONE : DISPLAY_SDL;
#else
        o->display = DISPLAY_NONE;
#endif
    /* In the window, guest time follows the host's, as on a PC on the
     * desk: the guest's clock keeps time and an idle guest leaves the host
     * idle.  -icount asks for deterministic time there too. */
    if (o->display == DISPLAY_SDL && !o->cfg.ns_per_insn_fp)
        o->cfg.host_time = true;
    return true;
}

int options_parse(options_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->cfg.ram_mb = 128;
    o->cfg.rtc_start = -1;
    o->trace_filter.addr_hi = 0xFFFFFFFFu;
    o->trace_filter.cpl = -1;
    for (int a = 1; a < argc; a++) {
        const char *name = argv[a];
        /* QEMU accepts --opt for -opt; we accept both spellings of each. */
        const option_def_t *d = NULL;
        for (size_t k = 0; k < TABLE_SIZE && !d; k++) {
            const char *t = table[k].name;
            if (!strcmp(name, t) || (name[0] == '-' && name[1] == '-' && t[1] != '-' && !strcmp(name + 1, t)) ||
                (t[1] == '-' && name[1] != '-' && !strcmp(name, t + 1)))
                d = &table[k];
        }
        if (!d) {
            fprintf(stderr, "x86sim: %s: unknown option (x86sim --help lists them)\n", name);
            return EXIT_HOST_ERROR;
        }
        const char *value = NULL;
        if (d->arg) {
            if (a + 1 >= argc) {
                fprintf(stderr, "x86sim: %s: needs a value (%s)\n", d->name, d->arg);
                return EXIT_HOST_ERROR;
            }
            value = argv[++a];
        }
        if (!d->parse(o, d, value))
            return EXIT_HOST_ERROR;
    }
    return check_combination(o) ? -1 : EXIT_HOST_ERROR;
}

void options_free(options_t *o)
{
    if (o->cfg.debugcon && o->cfg.debugcon != stdout)
        fclose(o->cfg.debugcon);
    o->cfg.debugcon = NULL;
}
