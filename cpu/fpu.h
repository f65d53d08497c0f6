/* x87 FPU state.  The instructions live in cpu/fpu.c. */
#ifndef X86SIM_FPU_H
#define X86SIM_FPU_H

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
    uint16_t sw;     /* status word, TOP kept separately in `top` */
    uint16_t tw;     /* full tag word, 2 bits per physical register */
    uint8_t top;
    uint16_t fop;    /* last non-control opcode (11 bits) */
    uint32_t fip, fdp; /* last instruction and operand pointers */
    uint16_t fcs, fds;
} fpu_t;

/* The state after RESET (not FINIT): control word 0x0040, tags valid. */
void fpu_reset(fpu_t *fpu);

#endif
