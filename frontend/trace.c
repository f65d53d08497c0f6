/* The instruction tracer (see trace.h).
 *
 * An instruction's line is printed when the next one starts (or at a
 * stop), so it can show what the instruction changed.  Port I/O and
 * software interrupts happen inside an instruction: their lines are held
 * and printed after the instruction's.  An exception that arrives while the
 * retired count has not moved means the instruction faulted. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "disasm.h"
#include "inspect.h"

#define HELD_MAX 2048

struct tracer {
    FILE *out;
    bool owns_file;
    unsigned what;
    trace_filter_t filter;
    machine_t *m;

    bool pending; /* an instruction started and is not printed yet */
    uint64_t icount;
    uint16_t cs;
    uint32_t eip, linear;
    int len;
    uint8_t bytes[16];
    char text[96];
    cpu_snap_t before;

    char held[HELD_MAX]; /* lines from inside the pending instruction */
    size_t held_len;
};

#define LOG_INSNS (LOG_EXEC | LOG_IN_ASM | LOG_CPU)

tracer_t *tracer_create(FILE *out, bool owns_file, unsigned what, const trace_filter_t *filter, machine_t *m)
{
    tracer_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->out = out;
    t->owns_file = owns_file;
    if (owns_file)
        setvbuf(out, NULL, _IOFBF, 1 << 20); /* fewer, larger writes */
    t->what = what;
    t->filter = *filter;
    t->m = m;
    if (what & LOG_UNIMP)
        m->io.unassigned_log = out;
    return t;
}

void tracer_destroy(tracer_t *t)
{
    if (!t)
        return;
    tracer_flush(t);
    if (t->m->io.unassigned_log == t->out)
        t->m->io.unassigned_log = NULL;
    if (t->owns_file)
        fclose(t->out);
    else
        fflush(t->out);
    free(t);
}

bool tracer_wants_insns(const tracer_t *t)
{
    return (t->what & LOG_INSNS) != 0;
}

uint64_t tracer_first_insn(const tracer_t *t)
{
    return t->filter.from;
}

static bool count_in_range(const tracer_t *t, uint64_t icount)
{
    return icount >= t->filter.from && (!t->filter.to || icount <= t->filter.to);
}

static bool insn_selected(const tracer_t *t, uint32_t linear)
{
    const trace_filter_t *f = &t->filter;
    return count_in_range(t, t->m->cpu.icount) && linear >= f->addr_lo && linear <= f->addr_hi &&
           (f->cpl < 0 || f->cpl == t->m->cpu.cpl);
}

static char *put_dec(char *p, uint64_t v)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Prints the pending instruction's line (hand-formatted: printf would
 * cost more than running the instruction many times over). */
static void print_pending(tracer_t *t, bool faulted)
{
    if (!t->pending)
        return;
    t->pending = false;
    char line[sizeof t->text + 600], *p = line;
    p = put_dec(p, t->icount);
    *p++ = ' ';
    p = put_hex(p, t->cs, 4);
    *p++ = ':';
    p = put_hex(p, t->eip, 8);
    *p++ = ' ';
    p = put_hex(p, t->linear, 8);
    if (t->what & LOG_IN_ASM) {
        *p++ = ' ';
        char *bytes = p;
        for (int k = 0; k < t->len; k++)
            p = put_hex(p, t->bytes[k], 2);
        while (p < bytes + 16)
            *p++ = ' ';
        *p++ = ' ';
        p = put_str(p, t->text);
    }
    if (faulted) {
        p = put_str(p, " ; faulted");
    } else if (t->what & LOG_CPU) {
        cpu_snap_t after;
        snap_take(&t->m->cpu, &after);
        char changes[512];
        if (snap_diff(&t->before, &after, (unsigned)t->len, changes, sizeof changes)) {
            p = put_str(p, " ; ");
            p = put_str(p, changes);
        }
    }
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), t->out);
    fwrite(t->held, 1, t->held_len, t->out);
    t->held_len = 0;
}

/* A line that belongs after the pending instruction's, or now. */
static void emit(tracer_t *t, const char *line)
{
    size_t n = strlen(line);
    if (!t->pending) {
        fputs(line, t->out);
        return;
    }
    if (t->held_len + n > HELD_MAX) { /* a long string I/O: keep the order within the held lines */
        fwrite(t->held, 1, t->held_len, t->out);
        t->held_len = 0;
    }
    memcpy(t->held + t->held_len, line, n);
    t->held_len += n;
}

void tracer_insn(tracer_t *t, uint32_t linear)
{
    print_pending(t, false);
    if (!(t->what & LOG_INSNS) || !insn_selected(t, linear))
        return;
    cpu_t *cpu = &t->m->cpu;
    t->pending = true;
    t->icount = cpu->icount;
    t->cs = cpu->seg[SEG_CS].sel;
    t->eip = cpu->eip;
    t->linear = linear;
    t->len = disasm_at(cpu, linear, t->text, sizeof t->text, t->bytes);
    if (t->what & LOG_CPU)
        snap_take(cpu, &t->before);
}

void tracer_event(tracer_t *t, int kind, int vector, bool has_error, uint32_t error)
{
    cpu_t *cpu = &t->m->cpu;
    if (kind == CPU_EVENT_EXCEPTION || kind == CPU_EVENT_TRIPLE_FAULT)
        print_pending(t, t->pending && cpu->icount == t->icount);
    else if (kind == CPU_EVENT_HW_INTERRUPT)
        print_pending(t, false);
    if (!(t->what & LOG_INT) || !count_in_range(t, cpu->icount))
        return;
    char line[160];
    char err[24] = "";
    if (has_error && cpu_is_protected(cpu)) /* real mode pushes no error code */
        snprintf(err, sizeof err, " error=%04x", error);
    const char *name = vector < 32 ? cpu_exception_name(vector) : "";
    snprintf(line, sizeof line, "-- %s %u (0x%02x%s%s)%s at %04x:%08x cpl %u\n", cpu_event_kind_name(kind),
             vector, vector, *name ? " " : "", name, err, cpu->seg[SEG_CS].sel,
             kind == CPU_EVENT_SW_INTERRUPT ? cpu->prev_eip : cpu->eip, cpu->cpl);
    emit(t, line);
}

void tracer_io(tracer_t *t, bool write, uint16_t port, uint32_t value, unsigned size)
{
    if (!(t->what & LOG_IO) || !count_in_range(t, t->m->cpu.icount))
        return;
    if ((t->what & LOG_INSNS) && !t->pending)
        return; /* from an instruction the filters left out */
    char line[96];
    snprintf(line, sizeof line, "-- io %s port 0x%04x size %u value 0x%0*x\n", write ? "out" : "in", port, size,
             (int)size * 2, value);
    emit(t, line);
}

void tracer_flush(tracer_t *t)
{
    print_pending(t, false);
    fflush(t->out);
}
