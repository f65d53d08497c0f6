/* The frontend's one entry to the CPU's disassembler (cpu_disasm_at). */
#ifndef X86SIM_FRONTEND_DISASM_H
#define X86SIM_FRONTEND_DISASM_H

#include <stdint.h>

#include "cpu/cpu.h"

/* Disassembles the instruction at `linear` in the CPU's current code size.
 * Returns its length (0 when nothing could be read: text says so). */
int disasm_at(cpu_t *cpu, uint32_t linear, char *text, int size, uint8_t *bytes);

#endif
