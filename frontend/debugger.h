/* The teaching debugger (--debug): Bochs' command names where Bochs has
 * one (step, next, continue, break, watch, regs, sreg, creg, x, xp, disasm
 * (u), info idt/gdt/ldt/tss/tab, print-stack) and ours for the rest
 * (until, xlate, traps, explain).  Commands come from a script
 * (--debug-script, `source FILE`) or standard input; `help` lists them. */
#ifndef X86SIM_DEBUGGER_H
#define X86SIM_DEBUGGER_H

#include <stdbool.h>
#include <stdio.h>

#include "session.h"

typedef struct debugger debugger_t;

debugger_t *debugger_create(session_t *s, FILE *out);
void debugger_destroy(debugger_t *d);
/* Runs one command line; false when it was `quit`. */
bool debugger_execute(debugger_t *d, const char *line);
/* Runs every line of a file; false when one was `quit` (or the file could
 * not be opened: the message says so). */
bool debugger_source(debugger_t *d, const char *path);
/* Tells the user the machine stopped (gdb ran it, or at start). */
void debugger_show_stop(debugger_t *d, run_stop_t why);
void debugger_prompt(debugger_t *d);
/* The exit status `quit` ends with: the status of the machine's last final
 * stop (power-off, triple fault, ...), 0 when none happened. */
int debugger_exit_status(const debugger_t *d);

#endif
