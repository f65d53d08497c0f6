/* Small instructions that fit no larger family: NOP (and PAUSE, which is
 * F3 90: a NOP to a P6), the multi-byte NOP Ev, UD2, the flag bits (CLC STC
 * CMC CLD STD), SALC, BOUND.
 */
#include "exec.h"

static void nop(cpu_t *cpu, const insn_t *i) { run_next(cpu, i); }
static void clc(cpu_t *cpu, const insn_t *i) { flags_set_cf(cpu, 0); run_next(cpu, i); }
static void stc(cpu_t *cpu, const insn_t *i) { flags_set_cf(cpu, 1); run_next(cpu, i); }
static void cmc(cpu_t *cpu, const insn_t *i) { flags_set_cf(cpu, get_cf(cpu) ^ 1); run_next(cpu, i); }
static void cld(cpu_t *cpu, const insn_t *i) { cpu->eflags &= ~FLAG_DF; run_next(cpu, i); }
static void std_(cpu_t *cpu, const insn_t *i) { cpu->eflags |= FLAG_DF; run_next(cpu, i); }

/* SALC (D6): AL = CF ? FF : 00, flags unchanged.  Missing from the SDM's
 * opcode map, but executed by every Intel processor from the 8086 on
 * (R. Collins, "Undocumented OpCodes: SALC", who found Intel's name for it
 * in the P6 opcode map; Intel's XED decoder lists it as valid outside
 * 64-bit mode; the 286 SingleStepTests capture it). */
static void salc(cpu_t *cpu, const insn_t *i) { (void)i; set_r8(cpu, R_EAX, get_cf(cpu) ? 0xFF : 0); }

/* BOUND r, m: #BR (a fault) unless lower <= r <= upper, all signed. */
static void bound_w(cpu_t *cpu, const insn_t *i)
{
    uint32_t off = ea_offset(cpu, i);
    int16_t lo = (int16_t)rd16(cpu, i->seg, off), hi = (int16_t)rd16(cpu, i->seg, off + 2);
    int16_t v = (int16_t)get_r16(cpu, i->reg);
    if (v < lo || v > hi)
        cpu_exception(cpu, EXC_BR, 0);
}
static void bound_d(cpu_t *cpu, const insn_t *i)
{
    uint32_t off = ea_offset(cpu, i);
    int32_t lo = (int32_t)rd32(cpu, i->seg, off), hi = (int32_t)rd32(cpu, i->seg, off + 4);
    int32_t v = (int32_t)cpu->gpr[i->reg];
    if (v < lo || v > hi)
        cpu_exception(cpu, EXC_BR, 0);
}

const opdef_t misc_ops[] = {
    {0x90, -1, -1, 0, 0, "nop", "", 0, H(nop)},
    /* The multi-byte NOP 0F 1F /0 and the reserved NOPs 0F 19-1F /r, which a
     * P6 executes as NOPs without touching the operand (SDM vol. 2, NOP;
     * opcode map, table A-3). */
    {0x119, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11A, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11B, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11C, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11D, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11E, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x11F, -1, -1, 0, 0, "nop", "Ev", 0, H(nop)},
    {0x10B, -1, -1, 0, 0, "ud2", "", 0, H(op_ud)},
    {0xF5, -1, -1, 0, 0, "cmc", "", 0, H(cmc)},
    {0xF8, -1, -1, 0, 0, "clc", "", 0, H(clc)},
    {0xF9, -1, -1, 0, 0, "stc", "", 0, H(stc)},
    {0xFC, -1, -1, 0, 0, "cld", "", 0, H(cld)},
    {0xFD, -1, -1, 0, 0, "std", "", 0, H(std_)},
    {0xD6, -1, -1, 0, 0, "salc", "", 0, H(salc)},
    {0x62, -1, -1, OPMOD_MEM, 0, "bound", "Gv,Ma", 0, HS(bound_w, bound_d)},
    {0},
};
