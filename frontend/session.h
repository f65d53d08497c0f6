/* A run of the machine as the frontend drives it: the stop conditions
 * (instruction limit, host timeout, text on COM1, signals, the window),
 * breakpoints and watchpoints shared by the debugger and the gdb stub, the
 * trap log, and the fan-out of the CPU's observer hooks to the tracers.
 *
 * The fast loop runs untouched unless something needs to see every
 * instruction (a tracer, a breakpoint, a step): then the CPU runs in
 * single-step mode and asks session_exec_check before each instruction. */
#ifndef X86SIM_SESSION_H
#define X86SIM_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pc.h"
#include "options.h"

typedef enum run_stop {
    RUN_NONE,
    RUN_POWEROFF,      /* powered off, or halted with interrupts off */
    RUN_DEBUG_EXIT,    /* isa-debug-exit: m->exit_status */
    RUN_TRIPLE_FAULT,
    RUN_MAX_INSNS,     /* --max-insns */
    RUN_TIMEOUT,       /* --timeout */
    RUN_SIGNAL,        /* SIGINT or SIGTERM (Ctrl-C in the debugger) */
    RUN_SERIAL_MATCH,  /* --stop-on-serial text seen */
    RUN_WINDOW_CLOSED,
    RUN_STEPPED,       /* the requested number of instructions ran */
    RUN_BREAKPOINT,
    RUN_WATCHPOINT,
    RUN_INTERRUPTED,   /* gdb's Ctrl-C */
    RUN_UNTIL,         /* the debugger's `until` condition */
} run_stop_t;

typedef enum bp_origin { BP_DEBUGGER, BP_GDB } bp_origin_t;

typedef struct breakpoint {
    int id;
    uint32_t addr;
    bool physical;
    bool temporary;   /* deleted when hit (the debugger's `next`) */
    bp_origin_t origin;
    uint64_t hits;
} breakpoint_t;

typedef struct watchpoint {
    int id;
    uint32_t addr, len;
    bool physical;
    bool on_read, on_write;
    bp_origin_t origin;
} watchpoint_t;

/* What stopped a run at a watchpoint. */
typedef struct watch_hit {
    int id;
    uint32_t linear, physical, value;
    unsigned size;
    bool write;
} watch_hit_t;

/* One delivered interrupt or exception, for the debugger's `traps`. */
typedef struct trap_record {
    uint64_t icount;
    int kind, vector;      /* CPU_EVENT_* */
    bool has_error, delivered;
    uint32_t error;
    uint16_t cs_before, cs_after;
    uint32_t eip_before, eip_after;
    uint8_t cpl_before, cpl_after;
} trap_record_t;

#define SESSION_MAX_BREAK 64
#define SESSION_MAX_WATCH 16
#define SESSION_TRAP_LOG 64
#define SESSION_MAX_TRACERS 2
#define SESSION_SERIAL_TAIL 256 /* longest --stop-on-serial text */

typedef struct tracer tracer_t;
typedef struct sdl_ui sdl_ui_t;
typedef struct gdbstub gdbstub_t;

/* An observer of data accesses (the explainer) next to the watchpoints. */
typedef void (*access_fn)(void *opaque, uint32_t linear, uint32_t physical, unsigned size, uint32_t value,
                          bool write);

typedef struct session {
    machine_t *m;
    const options_t *opt;

    run_stop_t stop;          /* why the current run is stopping */
    uint64_t deadline_ns;     /* host time of --timeout, 0: none */
    int signal_number;        /* the signal that stopped the run */

    /* --stop-on-serial: the last bytes COM1 sent. */
    uint8_t serial_tail[SESSION_SERIAL_TAIL];
    uint64_t serial_seen;

    breakpoint_t breaks[SESSION_MAX_BREAK];
    int nbreaks, next_break_id;
    watchpoint_t watches[SESSION_MAX_WATCH];
    int nwatches, next_watch_id;
    int hit_break;            /* id of the breakpoint that stopped the run */
    watch_hit_t hit_watch;
    uint32_t resume_linear;   /* a breakpoint here does not fire on resuming */
    bool resuming;
    bool stepping;            /* session_run was asked for a number of steps */

    /* The debugger's `until`: stop when EIP passes this in the same CS. */
    bool until_active;
    uint16_t until_cs;
    uint32_t until_eip;

    trap_record_t traps[SESSION_TRAP_LOG];
    uint64_t ntraps;          /* total recorded; the ring holds the last ones */

    tracer_t *tracers[SESSION_MAX_TRACERS];
    int ntracers;

    access_fn recorder;       /* the explainer's access log, while stepping */
    void *recorder_opaque;

    sdl_ui_t *ui;
    gdbstub_t *gdb;
} session_t;

void session_init(session_t *s, machine_t *m, const options_t *opt);
/* Closes the tracers and removes the hooks. */
void session_finish(session_t *s);

/* Runs until a stop condition.  steps > 0 runs at most that many
 * instructions, one at a time, and returns RUN_STEPPED after them. */
run_stop_t session_run(session_t *s, uint64_t steps);
/* Asks the running machine to stop for `why` (the first reason wins). */
void session_request_stop(session_t *s, run_stop_t why);
/* A short description of a stop, for messages. */
const char *run_stop_name(run_stop_t why);
/* The process exit status for a final stop. */
int run_stop_status(const session_t *s, run_stop_t why);

/* Breakpoints and watchpoints; the add calls return the id or -1 when the
 * table is full. */
int session_add_break(session_t *s, uint32_t addr, bool physical, bool temporary, bp_origin_t origin);
bool session_delete_break(session_t *s, int id);
int session_find_break(const session_t *s, uint32_t addr, bool physical, bp_origin_t origin);
int session_add_watch(session_t *s, uint32_t addr, uint32_t len, bool physical, bool on_read, bool on_write,
                      bp_origin_t origin);
bool session_delete_watch(session_t *s, int id);
int session_find_watch(const session_t *s, uint32_t addr, uint32_t len, bool on_read, bool on_write,
                       bp_origin_t origin);
/* Installs or removes the explainer's access observer. */
void session_set_recorder(session_t *s, access_fn fn, void *opaque);

/* SIGINT and SIGTERM stop the machine (and are reported as RUN_SIGNAL). */
void session_catch_signals(session_t *s);
/* The signal caught since the last call (0: none), cleared; the debugger
 * uses it to tell Ctrl-C at its prompt. */
int session_take_signal(void);

#endif
