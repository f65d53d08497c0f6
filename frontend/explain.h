/* The debugger's `explain`: what one instruction did, in plain words.
 * The instruction runs in single-step mode with a recorder attached to the
 * MMU's data-access observer, so every read and write is seen with its
 * linear and physical address and value; the CPU's event hook tells the
 * exceptions and interrupts, and cpu_t.seg_fault_info which segment check
 * failed.  From that the explainer writes the operands read, values
 * written, registers and flags changed, the protection checks and why a
 * fault was raised. */
#ifndef X86SIM_EXPLAIN_H
#define X86SIM_EXPLAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "inspect.h"
#include "session.h"

#define EXPLAIN_MAX_ACCESSES 32

typedef struct explain_access {
    uint32_t linear, physical, value;
    uint8_t size;
    bool write;
} explain_access_t;

typedef struct explain_record {
    bool valid;
    uint64_t icount;
    cpu_snap_t before, after;
    uint32_t linear;         /* of the instruction */
    uint32_t seg_base[6], seg_lo[6], seg_hi[6];
    uint8_t seg_rights[6], seg_access[6];
    int len;
    uint8_t bytes[16];
    char text[96];
    explain_access_t acc[EXPLAIN_MAX_ACCESSES];
    int nacc, dropped;
    uint64_t traps_before;   /* session->ntraps when the step began */
    bool seg_failed;         /* a segment check failed: see seg_fault */
    int fault_seg;
    uint32_t fault_offset;
    unsigned fault_size, fault_right;
    bool retired;            /* the retired count moved */
} explain_record_t;

/* Arms the recorder for the next instruction. */
void explain_begin(explain_record_t *r, session_t *s);
/* Disarms it after the step. */
void explain_end(explain_record_t *r, session_t *s);
/* Writes the explanation. */
void explain_print(const explain_record_t *r, const session_t *s, FILE *out);

#endif
