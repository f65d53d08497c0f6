/* Far control transfers: JMP, CALL and RET far (and through call gates and
 * task gates in protected mode).
 * TODO(helper): the protected-mode paths. */
#include "exec.h"

/* The checks of a far target in real and V86 mode: the offset (cut to 16
 * bits by the operand size) within the CS limit. */
static uint32_t far_target(cpu_t *cpu, uint32_t off, bool is32)
{
    if (!is32)
        off &= 0xFFFF;
    if (cpu_is_protected(cpu) && !cpu_is_v86(cpu))
        cpu_exception(cpu, EXC_GP, 0); /* TODO(helper) */
    if (off > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    return off;
}

static void far_jump(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32)
{
    off = far_target(cpu, off, is32);
    seg_load_real(cpu, SEG_CS, sel);
    cpu->eip = off;
}

/* CALL far in real and V86 mode: both slots of the return address are
 * checked before anything is pushed. */
static void far_call(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32)
{
    off = far_target(cpu, off, is32);
    uint32_t ret[2] = {cpu->seg[SEG_CS].sel, cpu->eip};
    set_sp(cpu, push_frame(cpu, &cpu->seg[SEG_SS], cpu->gpr[R_ESP], cpu->stack32, ret, 2, is32 ? 4 : 2, 0));
    seg_load_real(cpu, SEG_CS, sel);
    cpu->eip = off;
}

/* The far pointer (offset, then selector) of an Mp operand. */
static uint32_t far_pointer(cpu_t *cpu, const insn_t *i, uint16_t *sel)
{
    uint32_t off = ea_offset(cpu, i);
    unsigned size = o32(i) ? 4 : 2;
    uint32_t v = rd_sized(cpu, i->seg, off, size);
    *sel = rd16(cpu, i->seg, off + size);
    return v;
}

static void jmp_Ap(cpu_t *c, const insn_t *i) { far_jump(c, i->imm2, i->imm, o32(i)); }
static void call_Ap(cpu_t *c, const insn_t *i) { far_call(c, i->imm2, i->imm, o32(i)); }
static void jmp_Mp(cpu_t *c, const insn_t *i)
{
    uint16_t sel;
    uint32_t off = far_pointer(c, i, &sel);
    far_jump(c, sel, off, o32(i));
}
static void call_Mp(cpu_t *c, const insn_t *i)
{
    uint16_t sel;
    uint32_t off = far_pointer(c, i, &sel);
    far_call(c, sel, off, o32(i));
}

/* RET far [imm16] in real and V86 mode: ESP moves only after the checks. */
static void ret_far(cpu_t *cpu, const insn_t *i)
{
    if (cpu_is_protected(cpu) && !cpu_is_v86(cpu))
        cpu_exception(cpu, EXC_GP, 0); /* TODO(helper) */
    bool is32 = o32(i);
    unsigned size = is32 ? 4 : 2;
    uint32_t eip = stack_peek(cpu, 0, is32);
    uint16_t cs = (uint16_t)stack_peek(cpu, size, is32);
    if (eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    set_sp(cpu, cpu->gpr[R_ESP] + 2 * size + (i->op == 0xCA ? i->imm : 0));
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = eip;
}

const opdef_t far_ops[] = {
    {0xEA, -1, -1, 0, 0, "jmp", "Ap", OPF_END | OPF_FAR, H(jmp_Ap)},
    {0x9A, -1, -1, 0, 0, "call", "Ap", OPF_END | OPF_FAR, H(call_Ap)},
    {0xFF, 5, -1, OPMOD_MEM, 0, "jmp", "Mp", OPF_END | OPF_FAR, H(jmp_Mp)},
    {0xFF, 3, -1, OPMOD_MEM, 0, "call", "Mp", OPF_END | OPF_FAR, H(call_Mp)},
    {0xCB, -1, -1, 0, 0, "retf", "", OPF_END, H(ret_far)},
    {0xCA, -1, -1, 0, 0, "retf", "Iw", OPF_END, H(ret_far)},
    {0},
};
