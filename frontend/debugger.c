/* The teaching debugger (see debugger.h).
 *
 * Numbers are C literals (0x10, 16, 020); a value may also be a register
 * ($eax or eax) plus or minus a number.  An address is linear unless it is
 * written SEG:OFF (a selector value or a segment register name); the
 * physical forms are pbreak and xp. */
#include "debugger.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disasm.h"
#include "explain.h"
#include "inspect.h"
#include "screenshot.h"
#include "systables.h"

#define MAX_ARGS 8

struct debugger {
    session_t *s;
    machine_t *m;
    FILE *out;
    explain_record_t record;
    bool have_final;
    int final_status;
    int source_depth;
};

typedef struct command {
    const char *names; /* space-separated: the name, then aliases */
    bool (*fn)(debugger_t *d, int argc, char **argv); /* false: quit */
    const char *usage;
} command_t;

/* ---------------------------------------------------------------- values */

static const char *const reg16_names[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};

static bool register_value(debugger_t *d, const char *name, uint32_t *out)
{
    const cpu_t *cpu = &d->m->cpu;
    if (*name == '$')
        name++;
    for (int k = 0; k < 8; k++) {
        if (!strcmp(name, reg32_names[k])) {
            *out = cpu->gpr[k];
            return true;
        }
        if (!strcmp(name, reg16_names[k])) {
            *out = cpu->gpr[k] & 0xFFFF;
            return true;
        }
    }
    if (!strcmp(name, "eip") || !strcmp(name, "ip") || !strcmp(name, "pc")) {
        *out = cpu->eip;
        return true;
    }
    if (!strcmp(name, "eflags")) {
        *out = cpu_get_eflags(cpu);
        return true;
    }
    for (int k = 0; k < 6; k++)
        if (!strcmp(name, seg_names[k])) {
            *out = cpu->seg[k].sel;
            return true;
        }
    return false;
}

/* NUMBER, REGISTER, or either plus/minus NUMBER. */
static bool parse_value(debugger_t *d, const char *text, uint32_t *out)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", text);
    char *op = strpbrk(buf + 1, "+-");
    char sign = 0;
    if (op) {
        sign = *op;
        *op = 0;
    }
    uint32_t base;
    char *end;
    if (!register_value(d, buf, &base)) {
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 0);
        if (errno || *end || !*buf || v > 0xFFFFFFFFull)
            return false;
        base = (uint32_t)v;
    }
    if (op) {
        errno = 0;
        unsigned long long v = strtoull(op + 1, &end, 0);
        if (errno || *end || !op[1])
            return false;
        base = sign == '+' ? base + (uint32_t)v : base - (uint32_t)v;
    }
    *out = base;
    return true;
}

/* The base of selector `sel` as the current mode sees it. */
static bool selector_base(debugger_t *d, uint16_t sel, uint32_t *base)
{
    const cpu_t *cpu = &d->m->cpu;
    if (!cpu_is_protected(cpu) || cpu_is_v86(cpu)) {
        *base = (uint32_t)sel << 4;
        return true;
    }
    uint32_t table = (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
    uint32_t limit = (sel & 4) ? cpu->ldtr.limit : cpu->gdtr.limit;
    uint32_t desc[2];
    if ((sel & ~7u) + 7 > limit || guest_read(d->m, table + (sel & ~7u), false, desc, 8) != 8)
        return false;
    *base = (desc[0] >> 16) | ((desc[1] & 0xFF) << 16) | (desc[1] & 0xFF000000u);
    return true;
}

/* SEG:OFF (segment register name or selector) or a linear value. */
static bool parse_address(debugger_t *d, const char *text, uint32_t *linear)
{
    const char *colon = strchr(text, ':');
    if (!colon)
        return parse_value(d, text, linear);
    char seg[16];
    size_t n = (size_t)(colon - text);
    if (n == 0 || n >= sizeof seg)
        return false;
    memcpy(seg, text, n);
    seg[n] = 0;
    uint32_t off, base, sel;
    if (!parse_value(d, colon + 1, &off))
        return false;
    int named = -1;
    for (int k = 0; k < 6; k++)
        if (!strcmp(seg, seg_names[k]) || (seg[0] == '$' && !strcmp(seg + 1, seg_names[k])))
            named = k;
    if (named >= 0) {
        base = d->m->cpu.seg[named].base;
    } else if (!parse_value(d, seg, &sel) || sel > 0xFFFF || !selector_base(d, (uint16_t)sel, &base)) {
        return false;
    }
    *linear = base + off;
    return true;
}

static bool bad_arg(debugger_t *d, const char *what, const char *text)
{
    fprintf(d->out, "error: '%s' is not %s\n", text, what);
    return true;
}

/* ---------------------------------------------------------------- showing */

static void show_location(debugger_t *d)
{
    cpu_t *cpu = &d->m->cpu;
    uint32_t linear = cpu->seg[SEG_CS].base + cpu->eip;
    char text[96], hex[40] = "";
    uint8_t bytes[16];
    int len = disasm_at(cpu, linear, text, sizeof text, bytes);
    for (int k = 0, used = 0; k < len && used < (int)sizeof hex - 3; k++)
        used += snprintf(hex + used, sizeof hex - (size_t)used, "%02x", bytes[k]);
    fprintf(d->out, "(%llu) %04x:%08x [0x%08x] %s %s%s\n", (unsigned long long)cpu->icount, cpu->seg[SEG_CS].sel,
            cpu->eip, linear, hex, text, cpu->halted ? "  (halted)" : "");
}

static bool is_final(run_stop_t why)
{
    switch (why) {
    case RUN_POWEROFF: case RUN_DEBUG_EXIT: case RUN_TRIPLE_FAULT: case RUN_MAX_INSNS: case RUN_TIMEOUT:
    case RUN_SERIAL_MATCH: case RUN_WINDOW_CLOSED:
        return true;
    default:
        return false;
    }
}

void debugger_show_stop(debugger_t *d, run_stop_t why)
{
    session_t *s = d->s;
    switch (why) {
    case RUN_NONE: case RUN_STEPPED: case RUN_UNTIL:
        break;
    case RUN_BREAKPOINT:
        fprintf(d->out, "breakpoint %d hit\n", s->hit_break);
        break;
    case RUN_WATCHPOINT: {
        const watch_hit_t *h = &s->hit_watch;
        fprintf(d->out, "watchpoint %d: %s of %u bytes at linear 0x%08x (physical 0x%08x), value 0x%0*x\n", h->id,
                h->write ? "write" : "read", h->size, h->linear, h->physical, (int)h->size * 2, h->value);
        break;
    }
    case RUN_SIGNAL:
        fprintf(d->out, "interrupted\n");
        break;
    case RUN_DEBUG_EXIT:
        fprintf(d->out, "machine stopped: isa-debug-exit, status %d\n", s->m->exit_status);
        break;
    default:
        fprintf(d->out, "machine stopped: %s\n", run_stop_name(why));
        break;
    }
    if (is_final(why)) {
        d->have_final = true;
        d->final_status = run_stop_status(s, why);
    }
    show_location(d);
    fflush(d->out);
}

void debugger_prompt(debugger_t *d)
{
    if (isatty(STDIN_FILENO)) {
        fputs("(x86sim) ", d->out);
        fflush(d->out);
    }
}

int debugger_exit_status(const debugger_t *d)
{
    return d->have_final ? d->final_status : EXIT_POWEROFF;
}

/* ---------------------------------------------------------------- running */

/* Runs and reports.  steps = 0: until something stops it. */
static void run_and_show(debugger_t *d, uint64_t steps)
{
    session_take_signal(); /* a Ctrl-C typed at the prompt is not for this run */
    debugger_show_stop(d, session_run(d->s, steps));
}

static bool cmd_step(debugger_t *d, int argc, char **argv)
{
    uint32_t n = 1;
    if (argc > 1 && (!parse_value(d, argv[1], &n) || n == 0))
        return bad_arg(d, "a positive count", argv[1]);
    session_t *s = d->s;
    run_stop_t why = RUN_STEPPED;
    if (n > 1)
        why = session_run(s, n - 1);
    if (why == RUN_STEPPED) { /* the last one is recorded for `explain` */
        explain_begin(&d->record, s);
        why = session_run(s, 1);
        explain_end(&d->record, s);
    }
    debugger_show_stop(d, why);
    return true;
}

static bool cmd_continue(debugger_t *d, int argc, char **argv)
{
    (void)argc, (void)argv;
    run_and_show(d, 0);
    return true;
}

/* Steps over CALL and INT (and an interrupt that arrives): steps once,
 * and when that pushed a return address just past the instruction, runs
 * until execution comes back there.  This needs no disassembler: a return
 * address is an offset 1..15 bytes past the old EIP on top of the stack. */
static bool cmd_next(debugger_t *d, int argc, char **argv)
{
    (void)argc, (void)argv;
    cpu_t *cpu = &d->m->cpu;
    uint16_t cs = cpu->seg[SEG_CS].sel;
    uint32_t cs_base = cpu->seg[SEG_CS].base, eip = cpu->eip, esp = cpu->gpr[R_ESP];
    explain_begin(&d->record, d->s);
    run_stop_t why = session_run(d->s, 1);
    explain_end(&d->record, d->s);
    uint32_t width = cpu->stack32 ? 4 : 2, top = 0;
    bool pushed = why == RUN_STEPPED && esp - cpu->gpr[R_ESP] >= width &&
                  guest_read(d->m, cpu->seg[SEG_SS].base + (cpu->gpr[R_ESP] & (cpu->stack32 ? ~0u : 0xFFFFu)), false,
                             &top, width) == width;
    top &= width == 2 ? 0xFFFFu : ~0u;
    if (!pushed || top - eip - 1 >= 15 || (cpu->seg[SEG_CS].sel == cs && cpu->eip == top)) {
        debugger_show_stop(d, why);
        return true;
    }
    int id = session_add_break(d->s, cs_base + top, false, true, BP_DEBUGGER);
    if (id < 0) {
        fprintf(d->out, "error: too many breakpoints\n");
        return true;
    }
    why = session_run(d->s, 0);
    session_delete_break(d->s, id); /* when something else stopped the run */
    debugger_show_stop(d, why == RUN_BREAKPOINT && d->s->hit_break == id ? RUN_STEPPED : why);
    return true;
}

/* until: to the first instruction past this one in the same code segment
 * (the end of a loop); until ADDR: to ADDR. */
static bool cmd_until(debugger_t *d, int argc, char **argv)
{
    session_t *s = d->s;
    if (argc > 1) {
        uint32_t addr;
        if (!parse_address(d, argv[1], &addr))
            return bad_arg(d, "an address", argv[1]);
        int id = session_add_break(s, addr, false, true, BP_DEBUGGER);
        run_stop_t why = session_run(s, 0);
        session_delete_break(s, id);
        debugger_show_stop(d, why == RUN_BREAKPOINT && s->hit_break == id ? RUN_UNTIL : why);
        return true;
    }
    s->until_active = true;
    s->until_cs = d->m->cpu.seg[SEG_CS].sel;
    s->until_eip = d->m->cpu.eip;
    run_stop_t why = session_run(s, 0);
    s->until_active = false;
    debugger_show_stop(d, why);
    return true;
}

/* ---------------------------------------------------------------- breakpoints */

static bool add_break(debugger_t *d, int argc, char **argv, bool physical)
{
    if (argc < 2) {
        fprintf(d->out, "usage: %s ADDRESS\n", argv[0]);
        return true;
    }
    uint32_t addr;
    bool ok = physical ? parse_value(d, argv[1], &addr) : parse_address(d, argv[1], &addr);
    if (!ok)
        return bad_arg(d, physical ? "a physical address" : "an address (linear or SEG:OFF)", argv[1]);
    int id = session_add_break(d->s, addr, physical, false, BP_DEBUGGER);
    if (id < 0)
        fprintf(d->out, "error: too many breakpoints\n");
    else
        fprintf(d->out, "breakpoint %d at %s 0x%08x\n", id, physical ? "physical" : "linear", addr);
    return true;
}

static bool cmd_break(debugger_t *d, int argc, char **argv)
{
    if (argc > 2 && (!strcmp(argv[1], "p") || !strcmp(argv[1], "phys")))
        return add_break(d, argc - 1, argv + 1, true);
    return add_break(d, argc, argv, false);
}

static bool cmd_pbreak(debugger_t *d, int argc, char **argv) { return add_break(d, argc, argv, true); }

static void list_breaks(debugger_t *d)
{
    const session_t *s = d->s;
    if (!s->nbreaks && !s->nwatches)
        fprintf(d->out, "no breakpoints or watchpoints\n");
    for (int k = 0; k < s->nbreaks; k++) {
        const breakpoint_t *b = &s->breaks[k];
        fprintf(d->out, "breakpoint %d: %s 0x%08x%s, hit %llu times\n", b->id, b->physical ? "physical" : "linear",
                b->addr, b->origin == BP_GDB ? " (gdb)" : "", (unsigned long long)b->hits);
    }
    for (int k = 0; k < s->nwatches; k++) {
        const watchpoint_t *w = &s->watches[k];
        fprintf(d->out, "watchpoint %d: %s%s%s 0x%08x, %u bytes%s\n", w->id, w->on_read ? "read" : "",
                w->on_read && w->on_write ? "/" : "", w->on_write ? "write" : "", w->addr, w->len,
                w->origin == BP_GDB ? " (gdb)" : "");
    }
}

static bool cmd_delete(debugger_t *d, int argc, char **argv)
{
    if (argc < 2) {
        session_t *s = d->s;
        for (int k = s->nbreaks - 1; k >= 0; k--)
            if (s->breaks[k].origin == BP_DEBUGGER)
                session_delete_break(s, s->breaks[k].id);
        fprintf(d->out, "deleted every breakpoint\n");
        return true;
    }
    uint32_t id;
    if (!parse_value(d, argv[1], &id) || !session_delete_break(d->s, (int)id))
        return bad_arg(d, "a breakpoint number", argv[1]);
    fprintf(d->out, "deleted breakpoint %u\n", id);
    return true;
}

/* watch read|write ADDR [LEN]; watch with no arguments lists. */
static bool cmd_watch(debugger_t *d, int argc, char **argv)
{
    if (argc < 2) {
        list_breaks(d);
        return true;
    }
    bool rd = !strcmp(argv[1], "read") || !strcmp(argv[1], "r");
    bool wr = !strcmp(argv[1], "write") || !strcmp(argv[1], "w");
    bool both = !strcmp(argv[1], "access") || !strcmp(argv[1], "rw");
    uint32_t addr, len = 1;
    if ((!rd && !wr && !both) || argc < 3) {
        fprintf(d->out, "usage: watch read|write|access ADDRESS [LENGTH]\n");
        return true;
    }
    if (!parse_address(d, argv[2], &addr))
        return bad_arg(d, "an address", argv[2]);
    if (argc > 3 && (!parse_value(d, argv[3], &len) || len == 0))
        return bad_arg(d, "a length", argv[3]);
    int id = session_add_watch(d->s, addr, len, false, rd || both, wr || both, BP_DEBUGGER);
    if (id < 0)
        fprintf(d->out, "error: too many watchpoints\n");
    else
        fprintf(d->out, "watchpoint %d: %s linear 0x%08x, %u bytes\n", id, both ? "access" : rd ? "read" : "write",
                addr, len);
    return true;
}

static bool cmd_unwatch(debugger_t *d, int argc, char **argv)
{
    session_t *s = d->s;
    if (argc < 2 || !strcmp(argv[1], "all")) {
        while (s->nwatches)
            session_delete_watch(s, s->watches[0].id);
        fprintf(d->out, "deleted every watchpoint\n");
        return true;
    }
    uint32_t id;
    if (!parse_value(d, argv[1], &id) || !session_delete_watch(s, (int)id))
        return bad_arg(d, "a watchpoint number", argv[1]);
    fprintf(d->out, "deleted watchpoint %u\n", id);
    return true;
}

/* ---------------------------------------------------------------- state */

static bool cmd_regs(debugger_t *d, int argc, char **argv)
{
    (void)argc, (void)argv;
    cpu_t *cpu = &d->m->cpu;
    FILE *o = d->out;
    for (int k = 0; k < 8; k++)
        fprintf(o, "%s=%08x%s", reg32_names[k], cpu->gpr[k], k % 4 == 3 ? "\n" : " ");
    char flags[96];
    uint32_t fl = cpu_get_eflags(cpu);
    fprintf(o, "eip=%08x eflags=%08x [%s] cpl=%u icount=%llu\n", cpu->eip, fl, flags_names(fl, flags, sizeof flags),
            cpu->cpl, (unsigned long long)cpu->icount);
    return true;
}

static bool cmd_sregs(debugger_t *d, int argc, char **argv) { (void)argc, (void)argv; show_sregs(d->m, d->out); return true; }
static bool cmd_cregs(debugger_t *d, int argc, char **argv) { (void)argc, (void)argv; show_cregs(d->m, d->out); return true; }
static bool cmd_dregs(debugger_t *d, int argc, char **argv) { (void)argc, (void)argv; show_dregs(d->m, d->out); return true; }

/* set REG = VALUE (or set $REG VALUE) for the 32-bit registers, eip, eflags. */
static bool cmd_set(debugger_t *d, int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "";
    const char *value = argc > 3 && !strcmp(argv[2], "=") ? argv[3] : argc > 2 ? argv[2] : NULL;
    uint32_t v;
    if (*name == '$')
        name++;
    if (!value || !parse_value(d, value, &v)) {
        fprintf(d->out, "usage: set REGISTER = VALUE\n");
        return true;
    }
    cpu_t *cpu = &d->m->cpu;
    for (int k = 0; k < 8; k++)
        if (!strcmp(name, reg32_names[k])) {
            cpu->gpr[k] = v;
            return true;
        }
    if (!strcmp(name, "eip"))
        cpu->eip = v;
    else if (!strcmp(name, "eflags"))
        cpu_set_eflags(cpu, v);
    else if (!strcmp(name, "cr0"))
        cpu_set_cr0(cpu, v);
    else if (!strcmp(name, "cr3"))
        cpu_set_cr3(cpu, v);
    else if (!strcmp(name, "cr4"))
        cpu_set_cr4(cpu, v);
    else
        return bad_arg(d, "a register that can be set (eax..edi, eip, eflags, cr0, cr3, cr4)", name);
    return true;
}

/* setpmem ADDR SIZE VALUE: writes 1, 2 or 4 bytes of guest RAM (Bochs' name). */
static bool cmd_setpmem(debugger_t *d, int argc, char **argv)
{
    uint32_t addr, size, value;
    if (argc < 4 || !parse_value(d, argv[1], &addr) || !parse_value(d, argv[2], &size) ||
        (size != 1 && size != 2 && size != 4) || !parse_value(d, argv[3], &value)) {
        fprintf(d->out, "usage: setpmem PHYSICAL-ADDRESS 1|2|4 VALUE\n");
        return true;
    }
    if (guest_write(d->m, addr, true, &value, size) != size)
        fprintf(d->out, "error: 0x%08x is not RAM\n", addr);
    return true;
}

/* x /NUF ADDR: N units of U (b, h, w, g) in format F (x, d, u, o, t, c, s, i). */
static bool examine(debugger_t *d, int argc, char **argv, bool physical)
{
    unsigned count = 1, unit = 4;
    char format = 'x';
    int a = 1;
    if (argc > a && argv[a][0] == '/') {
        const char *p = argv[a++] + 1;
        if (isdigit((unsigned char)*p))
            count = (unsigned)strtoul(p, (char **)&p, 10);
        for (; *p; p++) {
            if (strchr("bhwg", *p))
                unit = *p == 'b' ? 1 : *p == 'h' ? 2 : *p == 'w' ? 4 : 8;
            else if (strchr("xduotcsi", *p))
                format = *p;
            else
                return bad_arg(d, "a /NUF specifier (units bhwg, formats xduotcsi)", argv[a - 1]);
        }
    }
    uint32_t addr;
    if (argc <= a) {
        fprintf(d->out, "usage: %s /NUF ADDRESS\n", argv[0]);
        return true;
    }
    if (!(physical ? parse_value(d, argv[a], &addr) : parse_address(d, argv[a], &addr)))
        return bad_arg(d, "an address", argv[a]);
    if (count == 0 || count > 4096)
        return bad_arg(d, "a count from 1 to 4096", argv[1]);
    if (format == 'i') {
        cpu_t *cpu = &d->m->cpu;
        for (unsigned k = 0; k < count; k++) {
            char text[96];
            uint8_t bytes[16];
            int len = disasm_at(cpu, addr, text, sizeof text, bytes);
            fprintf(d->out, "0x%08x: %s\n", addr, text);
            if (len <= 0)
                break;
            addr += (uint32_t)len;
        }
        return true;
    }
    if (format == 's') {
        char c;
        fprintf(d->out, "0x%08x: \"", addr);
        for (unsigned k = 0; k < 4096 && guest_read(d->m, addr + k, physical, &c, 1) == 1 && c; k++)
            fputc(isprint((unsigned char)c) ? c : '.', d->out);
        fprintf(d->out, "\"\n");
        return true;
    }
    if (format == 'c')
        unit = 1;
    unsigned per_line = unit == 1 ? 8 : unit == 2 ? 8 : unit == 4 ? 4 : 2;
    for (unsigned k = 0; k < count; k++) {
        uint32_t at = addr + k * unit;
        if (k % per_line == 0)
            fprintf(d->out, "%s0x%08x:", k ? "\n" : "", at);
        uint64_t v = 0;
        if (guest_read(d->m, at, physical, &v, unit) != unit) {
            fprintf(d->out, " (unreadable: not RAM or ROM, or not mapped)");
            break;
        }
        int64_t sv = unit == 1 ? (int8_t)v : unit == 2 ? (int16_t)v : unit == 4 ? (int32_t)v : (int64_t)v;
        switch (format) {
        case 'x': fprintf(d->out, " 0x%0*llx", unit * 2, (unsigned long long)v); break;
        case 'd': fprintf(d->out, " %lld", (long long)sv); break;
        case 'u': fprintf(d->out, " %llu", (unsigned long long)v); break;
        case 'o': fprintf(d->out, " 0%llo", (unsigned long long)v); break;
        case 'c': fprintf(d->out, " '%c'", isprint((int)v) ? (int)v : '.'); break;
        case 't':
            fputc(' ', d->out);
            for (int b = (int)unit * 8 - 1; b >= 0; b--)
                fputc('0' + (int)((v >> b) & 1), d->out);
            break;
        }
    }
    fputc('\n', d->out);
    return true;
}

static bool cmd_x(debugger_t *d, int argc, char **argv) { return examine(d, argc, argv, false); }
static bool cmd_xp(debugger_t *d, int argc, char **argv) { return examine(d, argc, argv, true); }

/* disasm [/N] [ADDR]: N instructions (default 5) from ADDR or CS:EIP. */
static bool cmd_disasm(debugger_t *d, int argc, char **argv)
{
    char count[16] = "/5i";
    char *args[3] = {argv[0], count, NULL};
    int a = 1;
    if (argc > a && argv[a][0] == '/')
        snprintf(count, sizeof count, "/%si", argv[a++] + 1);
    char here[16];
    if (argc > a) {
        args[2] = argv[a];
    } else {
        snprintf(here, sizeof here, "0x%x", d->m->cpu.seg[SEG_CS].base + d->m->cpu.eip);
        args[2] = here;
    }
    return examine(d, 3, args, false);
}

static bool cmd_xlate(debugger_t *d, int argc, char **argv)
{
    uint32_t addr;
    if (argc < 2) {
        fprintf(d->out, "usage: xlate ADDRESS (linear or SEG:OFF)\n");
        return true;
    }
    if (!parse_address(d, argv[1], &addr))
        return bad_arg(d, "an address", argv[1]);
    if (strchr(argv[1], ':'))
        fprintf(d->out, "%s -> linear 0x%08x (through the segment's base)\n", argv[1], addr);
    show_xlate(d->m, addr, d->out);
    return true;
}

static bool cmd_info(debugger_t *d, int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "idt"))
        show_idt(d->m, d->out);
    else if (!strcmp(what, "gdt"))
        show_gdt(d->m, d->out);
    else if (!strcmp(what, "ldt"))
        show_ldt(d->m, d->out);
    else if (!strcmp(what, "tss"))
        show_tss(d->m, d->out);
    else if (!strcmp(what, "tab"))
        show_page_tables(d->m, d->out);
    else if (!strcmp(what, "break") || !strcmp(what, "watch"))
        list_breaks(d);
    else if (!strcmp(what, "registers") || !strcmp(what, "cpu"))
        return cmd_regs(d, argc, argv);
    else
        fprintf(d->out, "usage: info idt|gdt|ldt|tss|tab|break|registers\n");
    return true;
}

/* stack [N]: N stack slots (default 8) from SS:ESP. */
static bool cmd_stack(debugger_t *d, int argc, char **argv)
{
    uint32_t n = 8;
    if (argc > 1 && (!parse_value(d, argv[1], &n) || n == 0 || n > 256))
        return bad_arg(d, "a count from 1 to 256", argv[1]);
    const cpu_t *cpu = &d->m->cpu;
    unsigned width = cpu->stack32 ? 4 : 2;
    uint32_t sp = cpu->gpr[R_ESP] & (cpu->stack32 ? 0xFFFFFFFFu : 0xFFFFu);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t off = sp + k * width, lin = cpu->seg[SEG_SS].base + off, v = 0;
        if (!cpu->stack32)
            off &= 0xFFFF;
        fprintf(d->out, "ss:%0*x [0x%08x]: ", cpu->stack32 ? 8 : 4, off, lin);
        if (guest_read(d->m, lin, false, &v, width) != width) {
            fprintf(d->out, "(unreadable)\n");
            break;
        }
        fprintf(d->out, "0x%0*x\n", width * 2, v);
    }
    return true;
}

/* traps [N]: the last N interrupts and exceptions (default 16). */
static bool cmd_traps(debugger_t *d, int argc, char **argv)
{
    uint32_t n = 16;
    if (argc > 1 && (!parse_value(d, argv[1], &n) || n == 0))
        return bad_arg(d, "a count", argv[1]);
    const session_t *s = d->s;
    uint64_t total = s->ntraps, first = total > n ? total - n : 0;
    if (first + SESSION_TRAP_LOG < total)
        first = total - SESSION_TRAP_LOG;
    if (!total)
        fprintf(d->out, "no interrupts or exceptions yet\n");
    for (uint64_t k = first; k < total; k++) {
        const trap_record_t *t = &s->traps[k % SESSION_TRAP_LOG];
        fprintf(d->out, "(%llu) %s %d (0x%02x) %s", (unsigned long long)t->icount, cpu_event_kind_name(t->kind), t->vector,
                t->vector, t->vector < 32 ? cpu_exception_name(t->vector) : "");
        if (t->has_error)
            fprintf(d->out, " error=0x%04x", t->error);
        fprintf(d->out, " at %04x:%08x cpl %u", t->cs_before, t->eip_before, t->cpl_before);
        if (t->delivered)
            fprintf(d->out, " -> %04x:%08x cpl %u%s", t->cs_after, t->eip_after, t->cpl_after,
                    t->cpl_after != t->cpl_before ? " (privilege change)" : "");
        fputc('\n', d->out);
    }
    return true;
}

static bool cmd_explain(debugger_t *d, int argc, char **argv)
{
    (void)argc, (void)argv;
    explain_print(&d->record, d->s, d->out);
    return true;
}

static bool cmd_screenshot(debugger_t *d, int argc, char **argv)
{
    char err[256];
    if (argc < 2)
        fprintf(d->out, "usage: screenshot FILE.png\n");
    else if (!screenshot_take(d->m, argv[1], err, sizeof err))
        fprintf(d->out, "error: %s\n", err);
    else
        fprintf(d->out, "wrote %s\n", argv[1]);
    return true;
}

static bool cmd_source(debugger_t *d, int argc, char **argv)
{
    if (argc < 2) {
        fprintf(d->out, "usage: source FILE\n");
        return true;
    }
    return debugger_source(d, argv[1]);
}

static bool cmd_quit(debugger_t *d, int argc, char **argv)
{
    (void)d, (void)argc, (void)argv;
    return false;
}

static bool cmd_help(debugger_t *d, int argc, char **argv);

static const command_t commands[] = {
    {"step s stepi si", cmd_step, "step [N]            run N instructions (default 1), recording the last for explain"},
    {"next n p", cmd_next, "next                run to the next instruction, over CALL and INT"},
    {"continue c cont", cmd_continue, "continue            run until a breakpoint, a watchpoint or Ctrl-C"},
    {"until", cmd_until, "until [ADDR]        run past this instruction (out of a loop), or to ADDR"},
    {"break b lbreak lb vbreak vb", cmd_break, "break ADDR          breakpoint at a linear address or SEG:OFF (break p ADDR: physical)"},
    {"pbreak pb", cmd_pbreak, "pbreak ADDR         breakpoint at a physical address"},
    {"delete d del", cmd_delete, "delete [N]          delete breakpoint N (all when no N)"},
    {"blist", cmd_watch, "blist               list breakpoints and watchpoints (also: info break)"},
    {"watch", cmd_watch, "watch read|write|access ADDR [LEN]   stop after an instruction touches the range"},
    {"unwatch", cmd_unwatch, "unwatch [N|all]     delete watchpoint N (all when no N)"},
    {"regs r registers", cmd_regs, "regs                general registers, EIP, EFLAGS, CPL, retired count"},
    {"sreg sregs", cmd_sregs, "sreg                segment registers with their descriptor caches, GDTR, IDTR, LDTR, TR"},
    {"creg cregs", cmd_cregs, "creg                control registers and EFER"},
    {"dreg dregs", cmd_dregs, "dreg                debug registers"},
    {"set", cmd_set, "set REG = VALUE     change eax..edi, eip, eflags, cr0, cr3 or cr4"},
    {"setpmem", cmd_setpmem, "setpmem ADDR N VAL  write N (1, 2, 4) bytes of RAM at a physical address"},
    {"x", cmd_x, "x /NUF ADDR         memory at a linear address: N units (b h w g), format (x d u o t c s i)"},
    {"xp", cmd_xp, "xp /NUF ADDR        the same at a physical address"},
    {"disasm u disassemble", cmd_disasm, "disasm [/N] [ADDR]  disassemble N instructions (default 5) from ADDR or CS:EIP"},
    {"xlate page", cmd_xlate, "xlate ADDR          the page walk: linear -> physical -> host"},
    {"info", cmd_info, "info idt|gdt|ldt|tss|tab|break   system tables, page mappings, breakpoints"},
    {"stack print-stack", cmd_stack, "stack [N]           N stack slots from SS:ESP"},
    {"traps", cmd_traps, "traps [N]           the last N interrupts and exceptions, with privilege changes"},
    {"explain", cmd_explain, "explain             what the last stepped instruction read, wrote, changed and checked"},
    {"screenshot", cmd_screenshot, "screenshot FILE     save the guest screen as PNG"},
    {"source", cmd_source, "source FILE         run the commands in FILE"},
    {"help h ?", cmd_help, "help                this list"},
    {"quit q exit", cmd_quit, "quit                leave x86sim"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static bool cmd_help(debugger_t *d, int argc, char **argv)
{
    (void)argc, (void)argv;
    for (size_t k = 0; k < COMMAND_COUNT; k++)
        fprintf(d->out, "  %s\n", commands[k].usage);
    fprintf(d->out, "numbers are C literals; addresses are linear or SEG:OFF; registers may appear as $eax\n");
    return true;
}

static const command_t *find_command(const char *name)
{
    size_t n = strlen(name);
    for (size_t k = 0; k < COMMAND_COUNT; k++)
        for (const char *p = commands[k].names; *p;) {
            size_t len = strcspn(p, " ");
            if (len == n && !strncmp(p, name, n))
                return &commands[k];
            p += len + (p[len] == ' ');
        }
    return NULL;
}

bool debugger_execute(debugger_t *d, const char *line)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", line);
    char *hash = strchr(buf, '#');
    if (hash)
        *hash = 0;
    char *argv[MAX_ARGS];
    int argc = 0;
    for (char *tok = strtok(buf, " \t\r\n"); tok && argc < MAX_ARGS; tok = strtok(NULL, " \t\r\n"))
        argv[argc++] = tok;
    if (argc == 0)
        return true;
    if (!isatty(STDIN_FILENO) || d->source_depth) /* echo, so a log reads like a session */
        fprintf(d->out, "(x86sim) %s\n", line);
    const command_t *c = find_command(argv[0]);
    if (!c) {
        fprintf(d->out, "error: unknown command '%s' (help lists them)\n", argv[0]);
        return true;
    }
    bool go_on = c->fn(d, argc, argv);
    fflush(d->out);
    return go_on;
}

bool debugger_source(debugger_t *d, const char *path)
{
    if (d->source_depth > 8) {
        fprintf(d->out, "error: source files nested too deeply\n");
        return true;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(d->out, "error: %s: %s\n", path, strerror(errno));
        return true;
    }
    d->source_depth++;
    char line[512];
    bool go_on = true;
    while (go_on && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        go_on = debugger_execute(d, line);
    }
    d->source_depth--;
    fclose(f);
    return go_on;
}

debugger_t *debugger_create(session_t *s, FILE *out)
{
    debugger_t *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->s = s;
    d->m = s->m;
    d->out = out;
    return d;
}

void debugger_destroy(debugger_t *d)
{
    free(d);
}
