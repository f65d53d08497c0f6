/* Runs the machine to the end without a debugger (headless, or with the
 * window driven from the run's poll) and turns the stop into an exit
 * status, with a message for every stop that is not a normal end. */
#ifndef X86SIM_BATCH_H
#define X86SIM_BATCH_H

#include "session.h"

int batch_run(session_t *s);
/* The message for a final stop (nothing for power-off and the like). */
void report_stop(const session_t *s, run_stop_t why);
/* --stats: what the run did in `host_elapsed_ns` of host time. */
void report_stats(const session_t *s, uint64_t host_elapsed_ns);

#endif
