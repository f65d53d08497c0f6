/* The event clock.  Devices arm timers at a time in nanoseconds; the machine
 * runs the CPU until the earliest deadline and then fires what is due.
 *
 * In the default, deterministic mode time is derived from retired
 * instructions: now = base_ns + (icount - base_icount) * ns_per_insn, so a
 * batch run repeats exactly.  When the CPU halts, time jumps straight to the
 * next deadline.  In host-time mode, time follows the host's monotonic
 * clock (stopped while the machine is paused) and a halted CPU sleeps until
 * the next deadline; ns_per_insn is then a measured estimate of the host's
 * speed, used only to size the slices the CPU runs between deadlines. */
#ifndef X86SIM_CLOCK_H
#define X86SIM_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*timer_fn)(void *opaque);

typedef struct vclock vclock_t;

typedef struct vtimer {
    uint64_t deadline; /* ns; valid when armed */
    bool armed;
    timer_fn fn;
    void *opaque;
    const char *name;
    vclock_t *clock;
} vtimer_t;

#define CLOCK_MAX_TIMERS 48
#define CLOCK_NEVER UINT64_MAX

struct vclock {
    const uint64_t *icount;  /* the CPU's retired-instruction counter */
    uint64_t base_ns, base_icount;
    uint32_t ns_per_insn_fp; /* 16.16 fixed point */
    bool host_time;
    uint64_t host_origin;    /* host ns at time 0 (host-time mode) */
    uint64_t paused_at;      /* host ns when paused, 0 when running */
    vtimer_t *timers[CLOCK_MAX_TIMERS];
    int ntimers;
    /* While the CPU runs a slice that should end at `horizon` (ns), arming
     * a timer before it calls kick() so the slice ends early. */
    uint64_t horizon;
    void (*kick)(void *opaque);
    void *kick_opaque;
};

/* Default guest speed in deterministic mode: 4 ns per instruction. */
#define CLOCK_DEFAULT_NS_PER_INSN_FP (4u << 16)

void clock_init(vclock_t *c, const uint64_t *icount, bool host_time);
uint64_t clock_now(const vclock_t *c);
/* Registers a timer (not armed).  Returns false when the table is full. */
bool clock_add_timer(vclock_t *c, vtimer_t *t, timer_fn fn, void *opaque, const char *name);
void timer_arm(vtimer_t *t, uint64_t deadline_ns);
void timer_disarm(vtimer_t *t);
uint64_t clock_next_deadline(const vclock_t *c);
/* The instruction count at which time reaches `ns` (in host-time mode, an
 * estimate from the measured speed). */
uint64_t clock_icount_at(const vclock_t *c, uint64_t ns);
/* The time (ns) at which the instruction count reaches `icount`. */
uint64_t clock_time_at(const vclock_t *c, uint64_t icount);
/* Fires every timer whose deadline has passed, earliest first. */
void clock_run_due(vclock_t *c);
/* Deterministic mode: advances time to `ns` without instructions (a halted
 * CPU).  Returns the nanoseconds skipped. */
uint64_t clock_skip_to(vclock_t *c, uint64_t ns);
/* Host-time mode: stops and restarts the flow of guest time (the machine
 * is not running: debugger prompt, frontend pause). */
void clock_pause(vclock_t *c);
void clock_resume(vclock_t *c);
/* Host-time mode: records that `insns` instructions took `host_ns` of host
 * time, refining the speed estimate behind clock_icount_at. */
void clock_calibrate(vclock_t *c, uint64_t insns, uint64_t host_ns);
uint64_t host_ns(void);

#endif
