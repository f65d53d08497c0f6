/* Run control shared by the batch runner, the window, the debugger and the
 * gdb stub (see session.h). */
#include "session.h"

#include <string.h>

#include "gdbstub.h"
#include "sdl.h"
#include "trace.h"

/* ---------------------------------------------------------------- hooks */

static bool break_matches(session_t *s, const breakpoint_t *b, uint32_t linear)
{
    if (!b->physical)
        return b->addr == linear;
    uint32_t phys;
    return mmu_probe(&s->m->cpu.mmu, linear, s->m->cpu.cpl == 3, ACCESS_FETCH, &phys) && phys == b->addr;
}

/* Whether a breakpoint or the `until` condition stops the instruction at
 * `linear` before it runs. */
static bool stops_before(session_t *s, uint32_t linear)
{
    if (s->resuming) { /* the instruction we stopped at runs first */
        s->resuming = false;
        if (linear == s->resume_linear)
            return false;
    }
    for (int k = 0; k < s->nbreaks; k++) {
        breakpoint_t *b = &s->breaks[k];
        if (!break_matches(s, b, linear))
            continue;
        b->hits++;
        s->hit_break = b->id;
        s->stop = RUN_BREAKPOINT;
        if (b->temporary)
            session_delete_break(s, b->id);
        return true;
    }
    const cpu_t *cpu = &s->m->cpu;
    if (s->until_active && cpu->seg[SEG_CS].sel == s->until_cs && cpu->eip > s->until_eip) {
        s->stop = RUN_UNTIL;
        return true;
    }
    return false;
}

/* Before every instruction while single-stepping. */
static bool hook_exec_check(void *opaque, uint32_t linear)
{
    session_t *s = opaque;
    if (stops_before(s, linear))
        return true;
    for (int k = 0; k < s->ntracers; k++)
        tracer_insn(s->tracers[k], linear);
    return false;
}

static void hook_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    session_t *s = opaque;
    for (int k = 0; k < s->ntracers; k++)
        tracer_event(s->tracers[k], kind, vector, has_error, error);
    const cpu_t *cpu = &s->m->cpu;
    has_error = has_error && cpu_is_protected(cpu); /* real mode pushes no error code */
    trap_record_t *r = &s->traps[s->ntraps++ % SESSION_TRAP_LOG];
    *r = (trap_record_t){.icount = cpu->icount, .kind = kind, .vector = vector, .has_error = has_error,
                         .error = error, .cs_before = cpu->seg[SEG_CS].sel,
                         .eip_before = kind == CPU_EVENT_SW_INTERRUPT ? cpu->prev_eip : cpu->eip,
                         .cpl_before = cpu->cpl};
}

static void hook_event_done(void *opaque, int vector)
{
    session_t *s = opaque;
    if (!s->ntraps)
        return;
    trap_record_t *r = &s->traps[(s->ntraps - 1) % SESSION_TRAP_LOG];
    if (r->vector != vector || r->delivered)
        return; /* a trap the event hook did not announce (a single-step #DB) */
    const cpu_t *cpu = &s->m->cpu;
    r->delivered = true;
    r->cs_after = cpu->seg[SEG_CS].sel;
    r->eip_after = cpu->eip;
    r->cpl_after = cpu->cpl;
    /* A step that enters a handler ends at its first instruction, as the
     * trap flag would have it. */
    if (s->stepping)
        session_request_stop(s, RUN_STEPPED);
}

static void hook_io(void *opaque, bool write, uint16_t port, uint32_t value, unsigned size)
{
    session_t *s = opaque;
    for (int k = 0; k < s->ntracers; k++)
        tracer_io(s->tracers[k], write, port, value, size);
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static void hook_access(void *opaque, uint32_t linear, uint32_t physical, unsigned size, uint32_t value,
                        bool write)
{
    session_t *s = opaque;
    if (s->recorder)
        s->recorder(s->recorder_opaque, linear, physical, size, value, write);
    for (int k = 0; k < s->nwatches; k++) {
        const watchpoint_t *w = &s->watches[k];
        if (!(write ? w->on_write : w->on_read))
            continue;
        if (!ranges_overlap(w->physical ? physical : linear, size, w->addr, w->len))
            continue;
        s->hit_watch = (watch_hit_t){w->id, linear, physical, value, size, write};
        session_request_stop(s, RUN_WATCHPOINT); /* after this instruction */
        return;
    }
}

/* Installs exactly the hooks something needs. */
static void update_hooks(session_t *s)
{
    cpu_t *cpu = &s->m->cpu;
    cpu->hooks = (cpu_hooks_t){.opaque = s, .exec_check = hook_exec_check, .event = hook_event,
                               .event_done = hook_event_done, .io = s->ntracers ? hook_io : NULL};
    bool observe = s->nwatches || s->recorder;
    if (observe != (cpu->mmu.access_hook != NULL))
        mmu_set_access_hook(&cpu->mmu, observe ? hook_access : NULL, s);
}

/* The serial back-end shows us every byte COM1 sends. */
static void serial_tap(void *opaque, int port, uint8_t byte)
{
    session_t *s = opaque;
    const char *want = s->opt->stop_on_serial;
    if (port != 0 || !want)
        return;
    /* The last bytes in a ring; the text matches when they end with it. */
    s->serial_tail[s->serial_seen++ % SESSION_SERIAL_TAIL] = byte;
    size_t len = strlen(want);
    if (s->serial_seen < len)
        return;
    for (size_t k = 0; k < len; k++)
        if (s->serial_tail[(s->serial_seen - len + k) % SESSION_SERIAL_TAIL] != (uint8_t)want[k])
            return;
    session_request_stop(s, RUN_SERIAL_MATCH);
}

/* Called by machine_run between slices. */
static void session_poll(void *opaque)
{
    session_t *s = opaque;
    if (s->deadline_ns && host_ns() >= s->deadline_ns)
        session_request_stop(s, RUN_TIMEOUT);
#ifdef X86SIM_HAVE_SDL
    if (s->ui)
        sdl_poll(s->ui, true);
#endif
    if (s->gdb)
        gdbstub_poll_running(s->gdb);
}

/* ---------------------------------------------------------------- signals */

/* The one piece of global state: a signal handler needs to find the run. */
static session_t *volatile signalled_session;
static volatile sig_atomic_t pending_signal;

static void on_signal(int sig)
{
    pending_signal = sig;
    if (signalled_session)
        machine_request_stop(signalled_session->m);
}

void session_catch_signals(session_t *s)
{
    signalled_session = s;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a waiting read returns */
    sigaction(SIGTERM, &sa, NULL);
}

int session_take_signal(void)
{
    int sig = pending_signal;
    pending_signal = 0;
    return sig;
}

/* ---------------------------------------------------------------- running */

void session_init(session_t *s, machine_t *m, const options_t *opt)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->opt = opt;
    s->next_break_id = s->next_watch_id = 1;
    if (opt->timeout_s > 0)
        s->deadline_ns = host_ns() + (uint64_t)(opt->timeout_s * 1e9);
    m->serial_tap = serial_tap;
    m->serial_tap_opaque = s;
    update_hooks(s);
}

void session_finish(session_t *s)
{
    for (int k = 0; k < s->ntracers; k++)
        tracer_destroy(s->tracers[k]);
    s->ntracers = 0;
    s->nwatches = 0;
    s->recorder = NULL;
    update_hooks(s);
    if (signalled_session == s)
        signalled_session = NULL;
}

void session_request_stop(session_t *s, run_stop_t why)
{
    if (s->stop == RUN_NONE)
        s->stop = why;
    machine_request_stop(s->m);
}

static bool needs_single_step(const session_t *s, uint64_t steps, uint64_t *fast_until)
{
    if (steps || s->nbreaks || s->until_active)
        return true;
    bool want = false;
    for (int k = 0; k < s->ntracers; k++) {
        if (!tracer_wants_insns(s->tracers[k]))
            continue;
        uint64_t first = tracer_first_insn(s->tracers[k]);
        if (first > s->m->cpu.icount) {
            if (!*fast_until || first < *fast_until)
                *fast_until = first; /* run fast up to the traced range */
        } else {
            want = true;
        }
    }
    return want;
}

static uint64_t min_limit(uint64_t a, uint64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/* machine_run's limit counts time spent halted as instructions too
 * (m->idle_insns); this is the limit at which the CPU itself will have
 * retired `icount` instructions if it does not halt meanwhile. */
static uint64_t retired_limit(const machine_t *m, uint64_t icount)
{
    return icount ? icount + m->idle_insns : 0;
}

static run_stop_t run_until_stop(session_t *s, uint64_t steps)
{
    machine_t *m = s->m;
    cpu_t *cpu = &m->cpu;
    uint64_t step_end = steps ? cpu->icount + steps : 0;
    s->stop = RUN_NONE;
    s->stepping = steps != 0;
    s->resuming = true;
    s->resume_linear = cpu->seg[SEG_CS].base + cpu->eip;
    update_hooks(s);
    bool polled = s->deadline_ns || s->ui || s->gdb;
    m->poll = polled ? session_poll : NULL;
    m->poll_opaque = s;
    for (;;) {
        uint64_t fast_until = 0;
        bool step = needs_single_step(s, steps, &fast_until);
        if (step != cpu->debugger_step)
            cpu_set_debugger_step(cpu, step);
        /* --max-insns counts halted time, as machine_run does. */
        uint64_t limit = min_limit(min_limit(retired_limit(m, step_end), s->opt->max_insns),
                                   step ? 0 : retired_limit(m, fast_until));
        if (pending_signal) {
            s->signal_number = pending_signal;
            pending_signal = 0;
            return RUN_SIGNAL;
        }
        machine_stop_t r = machine_run(m, limit);
        switch (r) {
        case STOP_POWEROFF: return RUN_POWEROFF;
        case STOP_DEBUG_EXIT: return RUN_DEBUG_EXIT;
        case STOP_TRIPLE_FAULT: return RUN_TRIPLE_FAULT;
        case STOP_MAX_INSNS:
            if (step_end && cpu->icount >= step_end)
                return RUN_STEPPED;
            if (s->opt->max_insns && cpu->icount + m->idle_insns >= s->opt->max_insns)
                return RUN_MAX_INSNS;
            continue; /* the traced range starts here, or a halt used up the step's time */
        case STOP_BREAKPOINT:
            return s->stop;
        case STOP_REQUESTED:
            if (pending_signal) {
                s->signal_number = pending_signal;
                pending_signal = 0;
                return RUN_SIGNAL;
            }
            if (s->stop != RUN_NONE)
                return s->stop;
            continue;
        }
    }
}

run_stop_t session_run(session_t *s, uint64_t steps)
{
    run_stop_t why = run_until_stop(s, steps);
    for (int k = 0; k < s->ntracers; k++)
        tracer_flush(s->tracers[k]);
    return why;
}

const char *run_stop_name(run_stop_t why)
{
    switch (why) {
    case RUN_NONE: return "running";
    case RUN_POWEROFF: return "powered off (or halted with interrupts off)";
    case RUN_DEBUG_EXIT: return "isa-debug-exit written";
    case RUN_TRIPLE_FAULT: return "triple fault";
    case RUN_MAX_INSNS: return "instruction limit reached";
    case RUN_TIMEOUT: return "timeout";
    case RUN_SIGNAL: return "stopped by a signal";
    case RUN_SERIAL_MATCH: return "the awaited text appeared on COM1";
    case RUN_WINDOW_CLOSED: return "window closed";
    case RUN_STEPPED: return "stepped";
    case RUN_BREAKPOINT: return "breakpoint";
    case RUN_WATCHPOINT: return "watchpoint";
    case RUN_INTERRUPTED: return "interrupted";
    case RUN_UNTIL: return "until";
    }
    return "?";
}

int run_stop_status(const session_t *s, run_stop_t why)
{
    switch (why) {
    case RUN_DEBUG_EXIT: return s->m->exit_status;
    case RUN_TRIPLE_FAULT: return EXIT_TRIPLE_FAULT;
    case RUN_MAX_INSNS: return EXIT_MAX_INSNS;
    case RUN_TIMEOUT: return EXIT_TIMEOUT;
    case RUN_SIGNAL: return EXIT_SIGNAL;
    default: return EXIT_POWEROFF;
    }
}

/* ---------------------------------------------------------------- breakpoints */

int session_add_break(session_t *s, uint32_t addr, bool physical, bool temporary, bp_origin_t origin)
{
    if (s->nbreaks == SESSION_MAX_BREAK)
        return -1;
    breakpoint_t *b = &s->breaks[s->nbreaks++];
    *b = (breakpoint_t){.id = s->next_break_id++, .addr = addr, .physical = physical,
                        .temporary = temporary, .origin = origin};
    return b->id;
}

bool session_delete_break(session_t *s, int id)
{
    for (int k = 0; k < s->nbreaks; k++)
        if (s->breaks[k].id == id) {
            s->breaks[k] = s->breaks[--s->nbreaks];
            return true;
        }
    return false;
}

int session_find_break(const session_t *s, uint32_t addr, bool physical, bp_origin_t origin)
{
    for (int k = 0; k < s->nbreaks; k++) {
        const breakpoint_t *b = &s->breaks[k];
        if (b->addr == addr && b->physical == physical && b->origin == origin && !b->temporary)
            return b->id;
    }
    return -1;
}

int session_add_watch(session_t *s, uint32_t addr, uint32_t len, bool physical, bool on_read, bool on_write,
                      bp_origin_t origin)
{
    if (s->nwatches == SESSION_MAX_WATCH)
        return -1;
    watchpoint_t *w = &s->watches[s->nwatches++];
    *w = (watchpoint_t){.id = s->next_watch_id++, .addr = addr, .len = len ? len : 1, .physical = physical,
                        .on_read = on_read, .on_write = on_write, .origin = origin};
    update_hooks(s);
    return w->id;
}

bool session_delete_watch(session_t *s, int id)
{
    for (int k = 0; k < s->nwatches; k++)
        if (s->watches[k].id == id) {
            s->watches[k] = s->watches[--s->nwatches];
            update_hooks(s);
            return true;
        }
    return false;
}

int session_find_watch(const session_t *s, uint32_t addr, uint32_t len, bool on_read, bool on_write,
                       bp_origin_t origin)
{
    for (int k = 0; k < s->nwatches; k++) {
        const watchpoint_t *w = &s->watches[k];
        if (w->addr == addr && w->len == len && w->on_read == on_read && w->on_write == on_write &&
            w->origin == origin)
            return w->id;
    }
    return -1;
}

void session_set_recorder(session_t *s, access_fn fn, void *opaque)
{
    s->recorder = fn;
    s->recorder_opaque = opaque;
    update_hooks(s);
}
