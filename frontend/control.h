/* The run when someone drives it: the debugger on the terminal, gdb on a
 * socket, or both.  While the machine is stopped it waits for a command
 * from either; a command that runs the machine blocks until the machine
 * stops, then both hear where it stopped. */
#ifndef X86SIM_CONTROL_H
#define X86SIM_CONTROL_H

#include "session.h"

/* Returns the exit status. */
int control_run(session_t *s);

#endif
