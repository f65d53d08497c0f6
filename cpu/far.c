/* Far control transfers: JMP, CALL and RET far (and through call gates and
 * task gates in protected mode).
 * TODO(helper): the protected-mode paths. */
#include "exec.h"

static void far_jump(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32)
{
    if (!is32)
        off &= 0xFFFF;
    if (cpu_is_protected(cpu) && !cpu_is_v86(cpu))
        cpu_exception(cpu, EXC_GP, 0); /* TODO(helper) */
    if (off > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    seg_load_real(cpu, SEG_CS, sel);
    cpu->eip = off;
}

static void jmp_Ap(cpu_t *c, const insn_t *i) { far_jump(c, i->imm2, i->imm, o32(i)); }

const opdef_t far_ops[] = {
    {0xEA, -1, -1, 0, 0, "jmp", "Ap", OPF_END | OPF_FAR, H(jmp_Ap)},
    {0},
};
