/* x87 FPU state.  The instructions live in cpu/fpu*.c (see fpu_internal.h
 * for how the files divide the work). */
#ifndef X86SIM_FPU_H
#define X86SIM_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* An 80-bit extended-precision value as the hardware stores it: a 64-bit
 * significand with an explicit integer bit, and sign plus 15-bit exponent. */
typedef struct float80 {
    uint64_t mant;
    uint16_t sign_exp;
} float80_t;

typedef struct fpu {
    float80_t st[8]; /* physical registers R0..R7; ST(i) is st[(top + i) & 7] */
    uint16_t cw;     /* control word */
    /* Status word without TOP (kept in `top`) and without ES and B, which
     * the hardware derives from the exception flags and their masks; read
     * the full word with fpu_status_word(). */
    uint16_t sw;
    uint16_t tw;     /* full tag word, 2 bits per physical register, kept exact */
    uint8_t top;
    uint16_t fop;    /* last non-control opcode (11 bits) */
    uint32_t fip, fdp; /* last instruction and operand pointers */
    uint16_t fcs, fds;
    bool ferr;       /* the FERR# output: an unmasked exception is pending */
} fpu_t;

/* The state after RESET (not FINIT): control word 0x0040, tags valid. */
void fpu_reset(fpu_t *fpu);

/* The status word as FNSTSW reads it: TOP, ES and B included. */
uint16_t fpu_status_word(const fpu_t *fpu);

#endif
