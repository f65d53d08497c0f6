/* Small instructions that fit no larger family: NOP, the flag bits
 * (CLC STC CMC CLD STD). */
#include "exec.h"

static void nop(cpu_t *cpu, const insn_t *i) { (void)cpu, (void)i; }
static void clc(cpu_t *cpu, const insn_t *i) { (void)i; flags_set_cf(cpu, 0); }
static void stc(cpu_t *cpu, const insn_t *i) { (void)i; flags_set_cf(cpu, 1); }
static void cmc(cpu_t *cpu, const insn_t *i) { (void)i; flags_set_cf(cpu, get_cf(cpu) ^ 1); }
static void cld(cpu_t *cpu, const insn_t *i) { (void)i; cpu->eflags &= ~FLAG_DF; }
static void std_(cpu_t *cpu, const insn_t *i) { (void)i; cpu->eflags |= FLAG_DF; }

const opdef_t misc_ops[] = {
    {0x90, -1, -1, 0, 0, "nop", "", 0, H(nop)},
    {0xF5, -1, -1, 0, 0, "cmc", "", 0, H(cmc)},
    {0xF8, -1, -1, 0, 0, "clc", "", 0, H(clc)},
    {0xF9, -1, -1, 0, 0, "stc", "", 0, H(stc)},
    {0xFC, -1, -1, 0, 0, "cld", "", 0, H(cld)},
    {0xFD, -1, -1, 0, 0, "std", "", 0, H(std_)},
    {0},
};
