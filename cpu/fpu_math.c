/* The x87 arithmetic, compare and transcendental instructions.
 *
 * A handler reads its memory operand first (a fault leaves everything as
 * it was), records FOP/FIP/FDP, checks the stack (an empty operand is a
 * stack underflow: masked, the destination gets the indefinite NaN), then
 * computes with the pure functions of fpu_arith.c/fpu_transcend.c and
 * commits: an unmasked invalid, denormal or divide-by-zero exception leaves
 * the destination and TOP unchanged.
 */
#include "fpu_internal.h"

typedef float80_t (*arith_fn)(fpenv_t *e, float80_t dst, float80_t src);

static float80_t op_fadd(fpenv_t *e, float80_t d, float80_t s) { return fp_add(e, d, s, false); }
static float80_t op_fmul(fpenv_t *e, float80_t d, float80_t s) { return fp_mul(e, d, s); }
static float80_t op_fsub(fpenv_t *e, float80_t d, float80_t s) { return fp_add(e, d, s, true); }
static float80_t op_fsubr(fpenv_t *e, float80_t d, float80_t s) { return fp_add(e, s, d, true); }
static float80_t op_fdiv(fpenv_t *e, float80_t d, float80_t s) { return fp_div(e, d, s); }
static float80_t op_fdivr(fpenv_t *e, float80_t d, float80_t s) { return fp_div(e, s, d); }

/* A memory operand converted to extended (exactly: an SNaN stays
 * signalling), and whether it was a denormal in its own format. */
typedef struct src {
    float80_t v;
    bool denormal;
} src_t;
typedef src_t (*load_fn)(cpu_t *cpu, const insn_t *i);

static src_t src_m32(cpu_t *cpu, const insn_t *i)
{
    src_t s;
    s.v = fp_from_single(ea_rd32(cpu, i), &s.denormal);
    return s;
}
static src_t src_m64(cpu_t *cpu, const insn_t *i)
{
    src_t s;
    s.v = fp_from_double(fpu_rd64(cpu, i), &s.denormal);
    return s;
}
static src_t src_mi16(cpu_t *cpu, const insn_t *i) { return (src_t){fp_from_int((int16_t)ea_rd16(cpu, i)), false}; }
static src_t src_mi32(cpu_t *cpu, const insn_t *i) { return (src_t){fp_from_int((int32_t)ea_rd32(cpu, i)), false}; }

/* ST(0) = ST(0) op memory. */
static inline void arith_mem(cpu_t *cpu, const insn_t *i, arith_fn op, load_fn load)
{
    FPU_BEGIN(cpu);
    src_t src = load(cpu, i);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0)) {
        if (fpu_stack_underflow(cpu))
            fpu_write(cpu, 0, F80_INDEFINITE);
        return;
    }
    fpenv_t e = fpu_env(cpu);
    e.denormal_src = src.denormal;
    float80_t r = op(&e, *fpu_st(cpu, 0), src.v);
    fpu_commit(cpu, &e, 0, r, 0);
}

/* ST(dst) = ST(dst) op ST(src), then `pops` pops. */
static inline void arith_reg(cpu_t *cpu, const insn_t *i, arith_fn op, unsigned dst, unsigned src, int pops)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, dst) || fpu_empty(cpu, src)) {
        if (fpu_stack_underflow(cpu)) {
            fpu_write(cpu, dst, F80_INDEFINITE);
            if (pops)
                fpu_pop(cpu);
        }
        return;
    }
    fpenv_t e = fpu_env(cpu);
    float80_t r = op(&e, *fpu_st(cpu, dst), *fpu_st(cpu, src));
    fpu_commit(cpu, &e, dst, r, pops);
}

#define DEFINE_ARITH(op)                                                                           \
    FPU_HANDLER(op##_m32) { arith_mem(cpu, i, op_##op, src_m32); }                                 \
    FPU_HANDLER(op##_m64) { arith_mem(cpu, i, op_##op, src_m64); }                                 \
    FPU_HANDLER(op##_mi16) { arith_mem(cpu, i, op_##op, src_mi16); }                               \
    FPU_HANDLER(op##_mi32) { arith_mem(cpu, i, op_##op, src_mi32); }                               \
    FPU_HANDLER(op##_st0_sti) { arith_reg(cpu, i, op_##op, 0, i->rm, 0); }                         \
    FPU_HANDLER(op##_sti_st0) { arith_reg(cpu, i, op_##op, i->rm, 0, 0); }                         \
    FPU_HANDLER(op##p_sti_st0) { arith_reg(cpu, i, op_##op, i->rm, 0, 1); }
FPU_ARITH_OPS(DEFINE_ARITH)

/* ---------------------------------------------------------------- compares */

#define CC_UNORDERED (FSW_C3 | FSW_C2 | FSW_C0)

/* Compares ST(0) with src into C0/C2/C3 (or ZF/PF/CF for FCOMI), then
 * pops.  An invalid operand or an empty register still writes
 * "unordered" when the exception is unmasked (what P6 and later parts do,
 * whatever the SDM's footnote says), but then nothing is popped. */
static void compare(cpu_t *cpu, float80_t src, bool src_empty, bool quiet, int pops, bool eflags,
                    fpenv_t *e)
{
    uint16_t cc, c1 = cpu->fpu.sw & FSW_C1;
    bool go_on;
    if (fpu_empty(cpu, 0) || src_empty) {
        c1 = 0;
        go_on = fpu_stack_underflow(cpu);
        cc = CC_UNORDERED;
    } else {
        cc = fp_compare(e, *fpu_st(cpu, 0), src, quiet);
        fpu_flags(cpu, e);
        go_on = !fp_unmasked_pre(e);
    }
    if (eflags) { /* FCOMI leaves C1 alone but for a stack fault */
        flags_load(cpu, ((cc & FSW_C3) ? FLAG_ZF : 0) | ((cc & FSW_C2) ? FLAG_PF : 0) |
                            ((cc & FSW_C0) ? FLAG_CF : 0));
        cpu->fpu.sw = (uint16_t)((cpu->fpu.sw & ~FSW_C1) | c1);
    } else {
        fpu_set_cc(cpu, cc);
    }
    while (go_on && pops-- > 0)
        fpu_pop(cpu);
}

static inline void compare_reg(cpu_t *cpu, const insn_t *i, unsigned r, bool quiet, int pops, bool eflags)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    fpenv_t e = fpu_env(cpu);
    compare(cpu, *fpu_st(cpu, r), fpu_empty(cpu, r), quiet, pops, eflags, &e);
}

static inline void compare_mem(cpu_t *cpu, const insn_t *i, int pops, load_fn load)
{
    FPU_BEGIN(cpu);
    src_t src = load(cpu, i);
    fpu_note_insn(cpu, i);
    fpenv_t e = fpu_env(cpu);
    e.denormal_src = src.denormal;
    compare(cpu, src.v, false, false, pops, false, &e);
}

FPU_HANDLER(fpu_fcom_sti) { compare_reg(cpu, i, i->rm, false, 0, false); }
FPU_HANDLER(fpu_fcomp_sti) { compare_reg(cpu, i, i->rm, false, 1, false); }
FPU_HANDLER(fpu_fcompp) { compare_reg(cpu, i, 1, false, 2, false); }
FPU_HANDLER(fpu_fucom_sti) { compare_reg(cpu, i, i->rm, true, 0, false); }
FPU_HANDLER(fpu_fucomp_sti) { compare_reg(cpu, i, i->rm, true, 1, false); }
FPU_HANDLER(fpu_fucompp) { compare_reg(cpu, i, 1, true, 2, false); }
FPU_HANDLER(fpu_fcomi) { compare_reg(cpu, i, i->rm, false, 0, true); }
FPU_HANDLER(fpu_fcomip) { compare_reg(cpu, i, i->rm, false, 1, true); }
FPU_HANDLER(fpu_fucomi) { compare_reg(cpu, i, i->rm, true, 0, true); }
FPU_HANDLER(fpu_fucomip) { compare_reg(cpu, i, i->rm, true, 1, true); }
FPU_HANDLER(fpu_fcom_m32) { compare_mem(cpu, i, 0, src_m32); }
FPU_HANDLER(fpu_fcomp_m32) { compare_mem(cpu, i, 1, src_m32); }
FPU_HANDLER(fpu_fcom_m64) { compare_mem(cpu, i, 0, src_m64); }
FPU_HANDLER(fpu_fcomp_m64) { compare_mem(cpu, i, 1, src_m64); }
FPU_HANDLER(fpu_ficom_m16) { compare_mem(cpu, i, 0, src_mi16); }
FPU_HANDLER(fpu_ficomp_m16) { compare_mem(cpu, i, 1, src_mi16); }
FPU_HANDLER(fpu_ficom_m32) { compare_mem(cpu, i, 0, src_mi32); }
FPU_HANDLER(fpu_ficomp_m32) { compare_mem(cpu, i, 1, src_mi32); }

FPU_HANDLER(fpu_ftst)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    fpenv_t e = fpu_env(cpu);
    compare(cpu, f80_zero(false), false, false, 0, false, &e);
}

FPU_HANDLER(fpu_fxam)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    float80_t a = *fpu_st(cpu, 0);
    uint16_t sign = f80_sign(a) ? FSW_C1 : 0;
    fpu_set_cc(cpu, fpu_empty(cpu, 0) ? (uint16_t)(FSW_C3 | FSW_C0 | sign) : fp_examine(a));
}

/* ---------------------------------------------------------------- ST(0) alone */

/* The prologue of an instruction working on ST(0) (and ST(1) when `two`):
 * false when an operand is empty (after the stack-underflow response,
 * which fills ST(0) with the indefinite NaN when masked). */
static bool operands_present(cpu_t *cpu, const insn_t *i, bool two)
{
    fpu_note_insn(cpu, i);
    if (!fpu_empty(cpu, 0) && !(two && fpu_empty(cpu, 1)))
        return true;
    if (fpu_stack_underflow(cpu))
        fpu_write(cpu, 0, F80_INDEFINITE);
    return false;
}

static inline void sign_op(cpu_t *cpu, const insn_t *i, uint16_t clear, uint16_t flip)
{
    FPU_BEGIN(cpu);
    if (!operands_present(cpu, i, false))
        return;
    float80_t a = *fpu_st(cpu, 0);
    a.sign_exp = (uint16_t)((a.sign_exp & ~clear) ^ flip);
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    fpu_write(cpu, 0, a);
}
FPU_HANDLER(fpu_fchs) { sign_op(cpu, i, 0, 0x8000); }
FPU_HANDLER(fpu_fabs) { sign_op(cpu, i, 0x8000, 0); }

static inline void unary(cpu_t *cpu, const insn_t *i, float80_t (*fn)(fpenv_t *, float80_t))
{
    FPU_BEGIN(cpu);
    if (!operands_present(cpu, i, false))
        return;
    fpenv_t e = fpu_env(cpu);
    float80_t r = fn(&e, *fpu_st(cpu, 0));
    fpu_commit(cpu, &e, 0, r, 0);
}
FPU_HANDLER(fpu_fsqrt) { unary(cpu, i, fp_sqrt); }
FPU_HANDLER(fpu_frndint) { unary(cpu, i, fp_rndint); }
FPU_HANDLER(fpu_f2xm1) { unary(cpu, i, fp_f2xm1); }

FPU_HANDLER(fpu_fscale)
{
    FPU_BEGIN(cpu);
    if (!operands_present(cpu, i, true))
        return;
    fpenv_t e = fpu_env(cpu);
    float80_t r = fp_scale(&e, *fpu_st(cpu, 0), *fpu_st(cpu, 1));
    fpu_commit(cpu, &e, 0, r, 0);
}

static inline void prem(cpu_t *cpu, const insn_t *i, bool round_nearest)
{
    FPU_BEGIN(cpu);
    if (!operands_present(cpu, i, true)) {
        cpu->fpu.sw &= (uint16_t)~FSW_C2;
        return;
    }
    fpenv_t e = fpu_env(cpu);
    uint16_t cc;
    float80_t r = fp_rem(&e, *fpu_st(cpu, 0), *fpu_st(cpu, 1), round_nearest, &cc);
    if (fpu_commit(cpu, &e, 0, r, 0) && cc != FP_REM_NO_QUOTIENT)
        fpu_set_cc(cpu, cc);
    else
        cpu->fpu.sw &= (uint16_t)~(FSW_C1 | FSW_C2);
}
FPU_HANDLER(fpu_fprem) { prem(cpu, i, false); }
FPU_HANDLER(fpu_fprem1) { prem(cpu, i, true); }

/* Pushes after replacing ST(0): FXTRACT, FPTAN, FSINCOS need ST(7) free. */
static bool push_room(cpu_t *cpu)
{
    if (!fpu_empty(cpu, 7)) {
        if (fpu_stack_overflow(cpu)) {
            fpu_write(cpu, 0, F80_INDEFINITE);
            fpu_push(cpu, F80_INDEFINITE);
        }
        return false;
    }
    return true;
}

/* ST(0) = first, then push second. */
static void replace_and_push(cpu_t *cpu, const fpenv_t *e, float80_t first, float80_t second)
{
    fpu_flags(cpu, e);
    if (fp_unmasked_pre(e))
        return;
    fpu_write(cpu, 0, first);
    fpu_push(cpu, second);
}

/* The stack checks of the instructions that replace ST(0) and push: an
 * empty ST(0) (masked: both results are the indefinite NaN), then a full
 * stack. */
static bool replace_push_operands(cpu_t *cpu, const insn_t *i)
{
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0)) {
        if (fpu_stack_underflow(cpu)) {
            fpu_write(cpu, 0, F80_INDEFINITE);
            fpu_push(cpu, F80_INDEFINITE);
        }
        return false;
    }
    return push_room(cpu);
}

FPU_HANDLER(fpu_fxtract)
{
    FPU_BEGIN(cpu);
    if (!replace_push_operands(cpu, i))
        return;
    fpenv_t e = fpu_env(cpu);
    float80_t sig;
    float80_t ex = fp_xtract(&e, *fpu_st(cpu, 0), &sig);
    replace_and_push(cpu, &e, ex, sig);
}

/* FSIN FCOS FPTAN FSINCOS: an operand beyond +-2^63 sets C2 and is left. */
static inline void trig(cpu_t *cpu, const insn_t *i, bool want_sin, bool want_cos, bool tan)
{
    FPU_BEGIN(cpu);
    cpu->fpu.sw &= (uint16_t)~FSW_C2; /* set again only for an operand out of range */
    bool push = tan || (want_sin && want_cos);
    if (push ? !replace_push_operands(cpu, i) : !operands_present(cpu, i, false))
        return;
    fpenv_t e = fpu_env(cpu);
    float80_t a = *fpu_st(cpu, 0), s, c;
    bool in_range = tan ? fp_tan(&e, a, &s) : fp_sincos(&e, a, want_sin ? &s : NULL, want_cos ? &c : NULL);
    fpu_flags(cpu, &e);
    if (!in_range)
        cpu->fpu.sw |= FSW_C2;
    if (!in_range || fp_unmasked_pre(&e))
        return;
    if (tan) /* a NaN result is pushed twice instead of 1.0 */
        replace_and_push(cpu, &e, s, f80_is_nan(s) ? s : f80_one(false));
    else if (want_sin && want_cos)
        replace_and_push(cpu, &e, s, c);
    else
        fpu_write(cpu, 0, want_sin ? s : c);
}
FPU_HANDLER(fpu_fsin) { trig(cpu, i, true, false, false); }
FPU_HANDLER(fpu_fcos) { trig(cpu, i, false, true, false); }
FPU_HANDLER(fpu_fsincos) { trig(cpu, i, true, true, false); }
FPU_HANDLER(fpu_fptan) { trig(cpu, i, false, false, true); }

/* ST(1) = f(ST(0), ST(1)), pop: FPATAN, FYL2X, FYL2XP1. */
static inline void binary_pop(cpu_t *cpu, const insn_t *i, float80_t (*fn)(fpenv_t *, float80_t, float80_t))
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0) || fpu_empty(cpu, 1)) {
        if (fpu_stack_underflow(cpu)) {
            fpu_write(cpu, 1, F80_INDEFINITE);
            fpu_pop(cpu);
        }
        return;
    }
    fpenv_t e = fpu_env(cpu);
    float80_t r = fn(&e, *fpu_st(cpu, 0), *fpu_st(cpu, 1));
    fpu_commit(cpu, &e, 1, r, 1);
}
static float80_t atan_op(fpenv_t *e, float80_t x, float80_t y) { return fp_atan2(e, y, x); }
FPU_HANDLER(fpu_fpatan) { binary_pop(cpu, i, atan_op); }
FPU_HANDLER(fpu_fyl2x) { binary_pop(cpu, i, fp_yl2x); }
FPU_HANDLER(fpu_fyl2xp1) { binary_pop(cpu, i, fp_yl2xp1); }
