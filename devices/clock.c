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
                    .ns_per_insn_fp = CLOCK_DEFAULT_NS_PER_INSN_FP, .horizon = CLOCK_NEVER};
    c->host_origin = host_ns();
}

uint64_t clock_now(const vclock_t *c)
{
    if (c->host_time)
        return (c->paused_at ? c->paused_at : host_ns()) - c->host_origin;
    return c->base_ns + (((*c->icount - c->base_icount) * c->ns_per_insn_fp) >> 16);
}

bool clock_add_timer(vclock_t *c, vtimer_t *t, timer_fn fn, void *opaque, const char *name)
{
    if (c->ntimers == CLOCK_MAX_TIMERS)
        return false;
    *t = (vtimer_t){.fn = fn, .opaque = opaque, .name = name, .clock = c};
    c->timers[c->ntimers++] = t;
    return true;
}

void timer_arm(vtimer_t *t, uint64_t deadline_ns)
{
    t->deadline = deadline_ns;
    t->armed = true;
    vclock_t *c = t->clock;
    if (c && deadline_ns < c->horizon && c->kick) {
        c->horizon = deadline_ns; /* one kick per slice is enough */
        c->kick(c->kick_opaque);
    }
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
    if (delta > (UINT64_MAX >> 17))
        return UINT64_MAX;
    /* Round up so that time has really reached ns at that count. */
    uint64_t insns = ((delta << 16) + c->ns_per_insn_fp - 1) / c->ns_per_insn_fp;
    return *c->icount + insns;
}

uint64_t clock_time_at(const vclock_t *c, uint64_t icount)
{
    uint64_t now = clock_now(c);
    if (icount <= *c->icount)
        return now;
    uint64_t insns = icount - *c->icount;
    if (insns > (UINT64_MAX >> 32))
        return CLOCK_NEVER;
    return now + ((insns * c->ns_per_insn_fp) >> 16);
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

uint64_t clock_skip_to(vclock_t *c, uint64_t ns)
{
    uint64_t now = clock_now(c);
    if (c->host_time || ns <= now)
        return 0;
    c->base_ns = ns;
    c->base_icount = *c->icount;
    return ns - now;
}

void clock_pause(vclock_t *c)
{
    if (c->host_time && !c->paused_at)
        c->paused_at = host_ns();
}

void clock_resume(vclock_t *c)
{
    if (!c->paused_at)
        return;
    c->host_origin += host_ns() - c->paused_at;
    c->paused_at = 0;
}

void clock_calibrate(vclock_t *c, uint64_t insns, uint64_t host)
{
    /* Too short a sample says more about the timer than about the speed. */
    if (!c->host_time || insns < 10000 || host < 100000)
        return;
    uint64_t sample = (host << 16) / insns;
    if (sample == 0)
        sample = 1;
    if (sample > UINT32_MAX)
        sample = UINT32_MAX;
    /* An exponential average: the speed changes as the guest's work does. */
    c->ns_per_insn_fp = (uint32_t)((3 * (uint64_t)c->ns_per_insn_fp + sample) / 4);
    if (c->ns_per_insn_fp == 0)
        c->ns_per_insn_fp = 1;
}
