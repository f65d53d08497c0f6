/* The event clock (see clock.h). */
#include "clock.h"

#include <time.h>

uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void clock_init(vclock_t *c, const uint64_t *icount, bool host_time)
{
    *c = (vclock_t){.icount = icount, .base_icount = *icount, .host_time = host_time,
                    .ns_per_insn_fp = CLOCK_DEFAULT_NS_PER_INSN_FP};
    c->host_origin = host_ns();
}

uint64_t clock_now(const vclock_t *c)
{
    if (c->host_time)
        return host_ns() - c->host_origin;
    return c->base_ns + (((*c->icount - c->base_icount) * c->ns_per_insn_fp) >> 16);
}

bool clock_add_timer(vclock_t *c, vtimer_t *t, timer_fn fn, void *opaque, const char *name)
{
    if (c->ntimers == CLOCK_MAX_TIMERS)
        return false;
    *t = (vtimer_t){.fn = fn, .opaque = opaque, .name = name};
    c->timers[c->ntimers++] = t;
    return true;
}

void timer_arm(vtimer_t *t, uint64_t deadline_ns)
{
    t->deadline = deadline_ns;
    t->armed = true;
}

void timer_disarm(vtimer_t *t)
{
    t->armed = false;
}

uint64_t clock_next_deadline(const vclock_t *c)
{
    uint64_t next = CLOCK_NEVER;
    for (int k = 0; k < c->ntimers; k++)
        if (c->timers[k]->armed && c->timers[k]->deadline < next)
            next = c->timers[k]->deadline;
    return next;
}

uint64_t clock_icount_at(const vclock_t *c, uint64_t ns)
{
    uint64_t now = clock_now(c);
    if (ns <= now)
        return *c->icount;
    uint64_t delta = ns - now;
    /* Round up so that time has really reached ns at that count. */
    uint64_t insns = ((delta << 16) + c->ns_per_insn_fp - 1) / c->ns_per_insn_fp;
    if (delta > (UINT64_MAX >> 17))
        return UINT64_MAX;
    return *c->icount + insns;
}

void clock_run_due(vclock_t *c)
{
    for (;;) {
        uint64_t now = clock_now(c);
        vtimer_t *due = NULL;
        for (int k = 0; k < c->ntimers; k++) {
            vtimer_t *t = c->timers[k];
            if (t->armed && t->deadline <= now && (!due || t->deadline < due->deadline))
                due = t;
        }
        if (!due)
            return;
        due->armed = false;
        due->fn(due->opaque);
    }
}

void clock_idle_until(vclock_t *c, uint64_t ns, uint64_t max_sleep_ns)
{
    uint64_t now = clock_now(c);
    if (ns <= now)
        return;
    if (!c->host_time) {
        c->base_ns = ns;
        c->base_icount = *c->icount;
        return;
    }
    uint64_t wait = ns - now;
    if (wait > max_sleep_ns)
        wait = max_sleep_ns;
    struct timespec ts = {(time_t)(wait / 1000000000u), (long)(wait % 1000000000u)};
    nanosleep(&ts, NULL);
}
