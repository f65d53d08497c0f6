/* Multiplication and division: MUL, IMUL (one-operand F6/F7 /5, two-operand
 * 0F AF, three-operand 69 and 6B), DIV, IDIV.
 *
 * MUL and IMUL set CF = OF = "the high half carries information"; SF, ZF,
 * AF and PF are undefined and we derive SF, ZF and PF from the low half.
 * DIV and IDIV leave every flag as it was (all are undefined) and raise #DE
 * for a zero divisor and for a quotient that does not fit, before any
 * register changes.
 */
#include "exec.h"

/* ---------------------------------------------------------------- one operand */

static void mul8(cpu_t *cpu, uint32_t src)
{
    uint32_t r = get_r8(cpu, R_EAX) * (src & 0xFF);
    set_r16(cpu, R_EAX, (uint16_t)r);
    uint32_t c = (r >> 8) != 0;
    flags_set_co(cpu, r, 8, c, c);
}
static void mul16(cpu_t *cpu, uint32_t src)
{
    uint32_t r = get_r16(cpu, R_EAX) * (src & 0xFFFF);
    set_r16(cpu, R_EAX, (uint16_t)r);
    set_r16(cpu, R_EDX, (uint16_t)(r >> 16));
    uint32_t c = (r >> 16) != 0;
    flags_set_co(cpu, r, 16, c, c);
}
static void mul32(cpu_t *cpu, uint32_t src)
{
    uint64_t r = (uint64_t)cpu->gpr[R_EAX] * src;
    cpu->gpr[R_EAX] = (uint32_t)r;
    cpu->gpr[R_EDX] = (uint32_t)(r >> 32);
    uint32_t c = (r >> 32) != 0;
    flags_set_co(cpu, (uint32_t)r, 32, c, c);
}

static void imul8(cpu_t *cpu, uint32_t src)
{
    int32_t r = (int8_t)get_r8(cpu, R_EAX) * (int8_t)src;
    set_r16(cpu, R_EAX, (uint16_t)r);
    uint32_t c = r != (int8_t)r;
    flags_set_co(cpu, (uint32_t)r, 8, c, c);
}
static void imul16(cpu_t *cpu, uint32_t src)
{
    int32_t r = (int16_t)get_r16(cpu, R_EAX) * (int16_t)src;
    set_r16(cpu, R_EAX, (uint16_t)r);
    set_r16(cpu, R_EDX, (uint16_t)((uint32_t)r >> 16));
    uint32_t c = r != (int16_t)r;
    flags_set_co(cpu, (uint32_t)r, 16, c, c);
}
static void imul32(cpu_t *cpu, uint32_t src)
{
    int64_t r = (int64_t)(int32_t)cpu->gpr[R_EAX] * (int32_t)src;
    cpu->gpr[R_EAX] = (uint32_t)r;
    cpu->gpr[R_EDX] = (uint32_t)((uint64_t)r >> 32);
    uint32_t c = r != (int32_t)r;
    flags_set_co(cpu, (uint32_t)r, 32, c, c);
}

static void div8(cpu_t *cpu, uint32_t src)
{
    uint32_t d = src & 0xFF, n = get_r16(cpu, R_EAX);
    if (d == 0 || n / d > 0xFF)
        cpu_exception(cpu, EXC_DE, 0);
    set_r16(cpu, R_EAX, (uint16_t)(((n % d) << 8) | (n / d)));
}
static void div16(cpu_t *cpu, uint32_t src)
{
    uint32_t d = src & 0xFFFF, n = (uint32_t)get_r16(cpu, R_EDX) << 16 | get_r16(cpu, R_EAX);
    if (d == 0 || n / d > 0xFFFF)
        cpu_exception(cpu, EXC_DE, 0);
    set_r16(cpu, R_EAX, (uint16_t)(n / d));
    set_r16(cpu, R_EDX, (uint16_t)(n % d));
}
static void div32(cpu_t *cpu, uint32_t src)
{
    uint64_t n = (uint64_t)cpu->gpr[R_EDX] << 32 | cpu->gpr[R_EAX];
    if (src == 0 || n / src > 0xFFFFFFFFu)
        cpu_exception(cpu, EXC_DE, 0);
    cpu->gpr[R_EAX] = (uint32_t)(n / src);
    cpu->gpr[R_EDX] = (uint32_t)(n % src);
}

/* Signed division of an at most 64-bit dividend; false when it must raise
 * #DE: a zero divisor, or a quotient outside [lo, hi] (which includes the
 * one case C cannot divide, INT64_MIN / -1). */
static bool idiv_fits(int64_t n, int64_t d, int64_t lo, int64_t hi, int64_t *q, int64_t *r)
{
    if (d == 0 || (d == -1 && n == INT64_MIN))
        return false;
    *q = n / d; /* C and x86 both truncate toward zero */
    *r = n % d;
    return *q >= lo && *q <= hi;
}
static void idiv8(cpu_t *cpu, uint32_t src)
{
    int64_t q, r;
    if (!idiv_fits((int16_t)get_r16(cpu, R_EAX), (int8_t)src, INT8_MIN, INT8_MAX, &q, &r))
        cpu_exception(cpu, EXC_DE, 0);
    set_r16(cpu, R_EAX, (uint16_t)(((uint8_t)r << 8) | (uint8_t)q));
}
static void idiv16(cpu_t *cpu, uint32_t src)
{
    int64_t q, r;
    int32_t n = (int32_t)((uint32_t)get_r16(cpu, R_EDX) << 16 | get_r16(cpu, R_EAX));
    if (!idiv_fits(n, (int16_t)src, INT16_MIN, INT16_MAX, &q, &r))
        cpu_exception(cpu, EXC_DE, 0);
    set_r16(cpu, R_EAX, (uint16_t)q);
    set_r16(cpu, R_EDX, (uint16_t)r);
}
static void idiv32(cpu_t *cpu, uint32_t src)
{
    int64_t q, r;
    int64_t n = (int64_t)((uint64_t)cpu->gpr[R_EDX] << 32 | cpu->gpr[R_EAX]);
    if (!idiv_fits(n, (int32_t)src, INT32_MIN, INT32_MAX, &q, &r))
        cpu_exception(cpu, EXC_DE, 0);
    cpu->gpr[R_EAX] = (uint32_t)q;
    cpu->gpr[R_EDX] = (uint32_t)r;
}

/* The four forms of one F6/F7 operation. */
#define DEFINE_ACC_OP(name)                                                                        \
    static void name##_Eb_r(cpu_t *c, const insn_t *i) { name##8(c, get_r8(c, i->rm)); run_next(c, i); } \
    static void name##_Eb_m(cpu_t *c, const insn_t *i) { name##8(c, ea_rd8(c, i)); run_next(c, i); } \
    static void name##_Ew_r(cpu_t *c, const insn_t *i) { name##16(c, get_r16(c, i->rm)); run_next(c, i); } \
    static void name##_Ew_m(cpu_t *c, const insn_t *i) { name##16(c, ea_rd16(c, i)); run_next(c, i); } \
    static void name##_Ed_r(cpu_t *c, const insn_t *i) { name##32(c, c->gpr[i->rm]); run_next(c, i); } \
    static void name##_Ed_m(cpu_t *c, const insn_t *i) { name##32(c, ea_rd32(c, i)); run_next(c, i); }

DEFINE_ACC_OP(mul)
DEFINE_ACC_OP(imul)
DEFINE_ACC_OP(div)
DEFINE_ACC_OP(idiv)

/* ---------------------------------------------------------------- IMUL r, r/m [, imm] */

static inline uint16_t imul_trunc16(cpu_t *cpu, uint32_t a, uint32_t b)
{
    int32_t r = (int16_t)a * (int16_t)b;
    uint32_t c = r != (int16_t)r;
    flags_set_co(cpu, (uint32_t)r, 16, c, c);
    return (uint16_t)r;
}
static inline uint32_t imul_trunc32(cpu_t *cpu, uint32_t a, uint32_t b)
{
    int64_t r = (int64_t)(int32_t)a * (int32_t)b;
    uint32_t c = r != (int32_t)r;
    flags_set_co(cpu, (uint32_t)r, 32, c, c);
    return (uint32_t)r;
}

static void imul_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, imul_trunc16(c, get_r16(c, i->reg), get_r16(c, i->rm))); run_next(c, i); }
static void imul_GwEw_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, imul_trunc16(c, get_r16(c, i->reg), ea_rd16(c, i))); run_next(c, i); }
static void imul_GdEd_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = imul_trunc32(c, c->gpr[i->reg], c->gpr[i->rm]); run_next(c, i); }
static void imul_GdEd_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = imul_trunc32(c, c->gpr[i->reg], ea_rd32(c, i)); run_next(c, i); }
static void imul_GwEwI_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, imul_trunc16(c, get_r16(c, i->rm), i->imm)); run_next(c, i); }
static void imul_GwEwI_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, imul_trunc16(c, ea_rd16(c, i), i->imm)); run_next(c, i); }
static void imul_GdEdI_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = imul_trunc32(c, c->gpr[i->rm], i->imm); run_next(c, i); }
static void imul_GdEdI_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = imul_trunc32(c, ea_rd32(c, i), i->imm); run_next(c, i); }

const opdef_t muldiv_ops[] = {
    {0xF6, 4, -1, 0, 0, "mul", "Eb", 0, HR(mul_Eb_r, mul_Eb_m)},
    {0xF7, 4, -1, 0, 0, "mul", "Ev", 0, HRS(mul_Ew_r, mul_Ed_r, mul_Ew_m, mul_Ed_m)},
    {0xF6, 5, -1, 0, 0, "imul", "Eb", 0, HR(imul_Eb_r, imul_Eb_m)},
    {0xF7, 5, -1, 0, 0, "imul", "Ev", 0, HRS(imul_Ew_r, imul_Ed_r, imul_Ew_m, imul_Ed_m)},
    {0xF6, 6, -1, 0, 0, "div", "Eb", 0, HR(div_Eb_r, div_Eb_m)},
    {0xF7, 6, -1, 0, 0, "div", "Ev", 0, HRS(div_Ew_r, div_Ed_r, div_Ew_m, div_Ed_m)},
    {0xF6, 7, -1, 0, 0, "idiv", "Eb", 0, HR(idiv_Eb_r, idiv_Eb_m)},
    {0xF7, 7, -1, 0, 0, "idiv", "Ev", 0, HRS(idiv_Ew_r, idiv_Ed_r, idiv_Ew_m, idiv_Ed_m)},
    {0x1AF, -1, -1, 0, 0, "imul", "Gv,Ev", 0, HRS(imul_GwEw_r, imul_GdEd_r, imul_GwEw_m, imul_GdEd_m)},
    {0x69, -1, -1, 0, 0, "imul", "Gv,Ev,Iz", 0, HRS(imul_GwEwI_r, imul_GdEdI_r, imul_GwEwI_m, imul_GdEdI_m)},
    {0x6B, -1, -1, 0, 0, "imul", "Gv,Ev,sIb", 0, HRS(imul_GwEwI_r, imul_GdEdI_r, imul_GwEwI_m, imul_GdEdI_m)},
    {0},
};
