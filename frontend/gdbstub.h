/* The gdb remote stub: gdb's remote serial protocol on 127.0.0.1:PORT.
 * Registers as gdb's i386 target description, memory by linear address,
 * software and hardware breakpoints, watchpoints, single step, continue
 * and Ctrl-C.  Breakpoints live in the session, next to the debugger's. */
#ifndef X86SIM_GDBSTUB_H
#define X86SIM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

typedef struct gdbstub gdbstub_t;

/* What gdb asked the machine to do. */
typedef enum gdb_request { GDB_NOTHING, GDB_CONTINUE, GDB_STEP, GDB_DETACHED, GDB_KILL } gdb_request_t;

/* Listens on 127.0.0.1:port; NULL with a message in err when it cannot. */
gdbstub_t *gdbstub_open(session_t *s, int port, char *err, size_t errlen);
void gdbstub_close(gdbstub_t *g);
/* The socket to wait on while stopped (listening or connected). */
int gdbstub_fd(const gdbstub_t *g);
bool gdbstub_connected(const gdbstub_t *g);
/* Reads what arrived while stopped and answers it; returns what gdb wants
 * the machine to do next. */
gdb_request_t gdbstub_service(gdbstub_t *g);
/* While running: a Ctrl-C from gdb stops the machine. */
void gdbstub_poll_running(gdbstub_t *g);
/* Tells gdb the machine stopped (after a continue or step it asked for). */
void gdbstub_report_stop(gdbstub_t *g, run_stop_t why);

#endif
