/* The instruction tracer: one line per retired instruction (count, CS:EIP,
 * linear address, bytes, disassembly, the registers and flags it changed),
 * with interrupts, exceptions and port I/O in the same stream.  It runs
 * off the CPU's hooks while the CPU single-steps, so when no tracer exists
 * the fast loop is untouched.  The -d log categories are tracers that
 * print a subset of the fields. */
#ifndef X86SIM_TRACE_H
#define X86SIM_TRACE_H

#include <stdbool.h>
#include <stdio.h>

#include "devices/pc.h"
#include "options.h"

typedef struct tracer tracer_t;

/* what: LOG_* bits; --trace is all of them but unimp. */
tracer_t *tracer_create(FILE *out, bool owns_file, unsigned what, const trace_filter_t *filter, machine_t *m);
void tracer_destroy(tracer_t *t);
/* True when it needs to see every instruction (single-step mode). */
bool tracer_wants_insns(const tracer_t *t);
/* The first retired count it can print (the run may go fast until then). */
uint64_t tracer_first_insn(const tracer_t *t);

/* Hooks, called by the session. */
void tracer_insn(tracer_t *t, uint32_t linear);
void tracer_event(tracer_t *t, int kind, int vector, bool has_error, uint32_t error);
void tracer_io(tracer_t *t, bool write, uint16_t port, uint32_t value, unsigned size);
/* Prints the instruction still pending (at a stop). */
void tracer_flush(tracer_t *t);

#endif
