/* Near control transfers: JMP, Jcc, CALL, RET, LOOP/LOOPE/LOOPNE, JCXZ.
 * Far forms (and everything through gates) live in far.c.
 */
#include "icache.h"

void jump_near(cpu_t *cpu, uint32_t eip)
{
    if (UNLIKELY(eip > cpu->seg[SEG_CS].limit))
        cpu_exception(cpu, EXC_GP, 0);
    cpu->eip = eip;
}

/* Relative target: the operand size truncates it to 16 bits. */
static inline uint32_t rel_target(const cpu_t *cpu, const insn_t *i)
{
    uint32_t t = cpu->eip + i->imm;
    return o32(i) ? t : (t & 0xFFFF);
}

static void jmp_rel(cpu_t *cpu, const insn_t *i) { take_jump(cpu, i, rel_target(cpu, i)); }

/* A handler per condition: with the condition a constant, cond_true folds
 * to the few instructions that test its flags.  Not taken, the block goes
 * on with the next instruction. */
#define DEFINE_JCC(cc)                                                                             \
    static void jcc_##cc(cpu_t *cpu, const insn_t *i)                                             \
    {                                                                                              \
        if (cond_true(cpu, 0x##cc)) {                                                              \
            take_jump(cpu, i, rel_target(cpu, i));                                                 \
            return;                                                                                \
        }                                                                                          \
        run_next(cpu, i);                                                                          \
    }
DEFINE_JCC(0) DEFINE_JCC(1) DEFINE_JCC(2) DEFINE_JCC(3) DEFINE_JCC(4) DEFINE_JCC(5)
DEFINE_JCC(6) DEFINE_JCC(7) DEFINE_JCC(8) DEFINE_JCC(9) DEFINE_JCC(A) DEFINE_JCC(B)
DEFINE_JCC(C) DEFINE_JCC(D) DEFINE_JCC(E) DEFINE_JCC(F)

static void jmp_Ew_r(cpu_t *c, const insn_t *i) { jump_near(c, get_r16(c, i->rm)); take_transfer(c); }
static void jmp_Ed_r(cpu_t *c, const insn_t *i) { jump_near(c, c->gpr[i->rm]); take_transfer(c); }
static void jmp_Ew_m(cpu_t *c, const insn_t *i) { jump_near(c, ea_rd16(c, i)); take_transfer(c); }
static void jmp_Ed_m(cpu_t *c, const insn_t *i) { jump_near(c, ea_rd32(c, i)); take_transfer(c); }

/* CALL: the target is checked before anything is pushed. */
static void call_to(cpu_t *cpu, uint32_t target, bool is32)
{
    if (UNLIKELY(target > cpu->seg[SEG_CS].limit))
        cpu_exception(cpu, EXC_GP, 0);
    push_sized(cpu, cpu->eip, is32);
    cpu->eip = target;
}

static void call_rel(cpu_t *c, const insn_t *i)
{
    call_to(c, rel_target(c, i), o32(i));
    take_jump(c, i, c->eip);
}
static void call_Ew_r(cpu_t *c, const insn_t *i) { call_to(c, get_r16(c, i->rm), false); take_transfer(c); }
static void call_Ed_r(cpu_t *c, const insn_t *i) { call_to(c, c->gpr[i->rm], true); take_transfer(c); }
static void call_Ew_m(cpu_t *c, const insn_t *i) { call_to(c, ea_rd16(c, i), false); take_transfer(c); }
static void call_Ed_m(cpu_t *c, const insn_t *i) { call_to(c, ea_rd32(c, i), true); take_transfer(c); }

/* RET [imm16]: ESP changes only once the target passed the limit check. */
static void ret_near(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    uint32_t target = stack_peek(cpu, 0, is32);
    jump_near(cpu, target);
    set_sp(cpu, cpu->gpr[R_ESP] + (is32 ? 4 : 2) + (i->op == 0xC2 ? i->imm : 0));
    take_transfer(cpu);
}

/* The count register of LOOP and JCXZ follows the address size.  The
 * count is written after the jump's limit check, so a fault leaves it. */
static void loop_common(cpu_t *cpu, const insn_t *i, bool (*extra)(const cpu_t *))
{
    uint32_t count = a32(i) ? cpu->gpr[R_ECX] - 1 : (uint16_t)(get_r16(cpu, R_ECX) - 1);
    if (count != 0 && extra(cpu))
        jump_near(cpu, rel_target(cpu, i));
    if (a32(i))
        cpu->gpr[R_ECX] = count;
    else
        set_r16(cpu, R_ECX, (uint16_t)count);
}

static bool always(const cpu_t *cpu) { (void)cpu; return true; }
static bool zf_set(const cpu_t *cpu) { return get_zf(cpu); }
static bool zf_clear(const cpu_t *cpu) { return !get_zf(cpu); }
static void loop_rel(cpu_t *c, const insn_t *i) { loop_common(c, i, always); }
static void loope_rel(cpu_t *c, const insn_t *i) { loop_common(c, i, zf_set); }
static void loopne_rel(cpu_t *c, const insn_t *i) { loop_common(c, i, zf_clear); }

static void jcxz_rel(cpu_t *cpu, const insn_t *i)
{
    uint32_t count = a32(i) ? cpu->gpr[R_ECX] : get_r16(cpu, R_ECX);
    if (count == 0)
        jump_near(cpu, rel_target(cpu, i));
}

const opdef_t branch_ops[] = {
#define JCC_OPS(cc)                                                                                \
    {0x70 + 0x##cc, -1, -1, 0, 0, "j%cc", "Jb", 0, H(jcc_##cc)},                                   \
    {0x180 + 0x##cc, -1, -1, 0, 0, "j%cc", "Jz", 0, H(jcc_##cc)}
    JCC_OPS(0), JCC_OPS(1), JCC_OPS(2), JCC_OPS(3), JCC_OPS(4), JCC_OPS(5), JCC_OPS(6), JCC_OPS(7),
    JCC_OPS(8), JCC_OPS(9), JCC_OPS(A), JCC_OPS(B), JCC_OPS(C), JCC_OPS(D), JCC_OPS(E), JCC_OPS(F),
    {0xEB, -1, -1, 0, 0, "jmp", "Jb", OPF_END, H(jmp_rel)},
    {0xE9, -1, -1, 0, 0, "jmp", "Jz", OPF_END, H(jmp_rel)},
    {0xFF, 4, -1, 0, 0, "jmp", "Ev", OPF_END, HRS(jmp_Ew_r, jmp_Ed_r, jmp_Ew_m, jmp_Ed_m)},
    {0xE8, -1, -1, 0, 0, "call", "Jz", OPF_END, H(call_rel)},
    {0xFF, 2, -1, 0, 0, "call", "Ev", OPF_END, HRS(call_Ew_r, call_Ed_r, call_Ew_m, call_Ed_m)},
    {0xC3, -1, -1, 0, 0, "ret", "", OPF_END, H(ret_near)},
    {0xC2, -1, -1, 0, 0, "ret", "Iw", OPF_END, H(ret_near)},
    {0xE0, -1, -1, 0, 0, "loopne", "Jb", OPF_END, H(loopne_rel)},
    {0xE1, -1, -1, 0, 0, "loope", "Jb", OPF_END, H(loope_rel)},
    {0xE2, -1, -1, 0, 0, "loop", "Jb", OPF_END, H(loop_rel)},
    {0xE3, -1, -1, 0, 0, "jcxz/jecxz", "Jb", OPF_END | OPF_ASIZE_MNEM, H(jcxz_rel)},
    {0},
};
