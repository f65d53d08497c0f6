/* The command line: QEMU's option names where QEMU has the option, ours
 * (double dash) for the batch runner, the tracer and the debugger.  Parsing
 * checks every value and every conflict before the machine is built. */
#ifndef X86SIM_OPTIONS_H
#define X86SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pc.h"

/* Exit statuses.  isa-debug-exit produces odd values, so ours are even. */
enum {
    EXIT_POWEROFF = 0,
    EXIT_HOST_ERROR = 2,
    EXIT_TRIPLE_FAULT = 4,
    EXIT_MAX_INSNS = 6,
    EXIT_TIMEOUT = 8,
    EXIT_SIGNAL = 10, /* SIGINT or SIGTERM */
};

typedef enum display_kind { DISPLAY_DEFAULT, DISPLAY_SDL, DISPLAY_NONE } display_kind_t;

/* -d categories (QEMU's names where QEMU has one). */
#define LOG_INT 0x01u    /* interrupts and exceptions */
#define LOG_EXEC 0x02u   /* the address of every instruction */
#define LOG_IN_ASM 0x04u /* address, bytes and disassembly of every instruction */
#define LOG_CPU 0x08u    /* the registers each instruction changed */
#define LOG_IO 0x10u     /* port I/O */
#define LOG_UNIMP 0x20u  /* accesses to ports no device claims */

/* Instruction-trace filters; an instruction is traced when all match. */
typedef struct trace_filter {
    uint64_t from, to;      /* retired-count range [from, to]; to = 0: no end */
    uint32_t addr_lo, addr_hi; /* linear address range, inclusive */
    int cpl;                /* -1: any */
} trace_filter_t;

typedef struct options {
    machine_config_t cfg;
    const char *bios_path;
    display_kind_t display;
    bool nographic;

    uint64_t max_insns;      /* 0: no limit */
    double timeout_s;        /* 0: none */
    const char *stop_on_serial;
    const char *screenshot;  /* written when the run ends */

    const char *trace_path;  /* --trace */
    trace_filter_t trace_filter;
    unsigned log_mask;       /* -d */
    const char *log_path;    /* -D; NULL: standard error */

    bool debug;              /* --debug */
    const char *debug_script;
    int gdb_port;            /* 0: no stub */
    bool start_stopped;      /* -S */
    bool stats;              /* --stats: instructions and host time at the end */
} options_t;

/* Parses argv into *o.  Returns -1 when the program should go on, or the
 * exit status to end with (0 after --help/--version, 2 after an error,
 * which has been printed naming the option). */
int options_parse(options_t *o, int argc, char **argv);
/* Releases what parsing opened (debugcon and log files). */
void options_free(options_t *o);

#endif
