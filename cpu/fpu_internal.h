/* What the x87 files share.
 *
 *   fpu_arith.c      exact 80-bit arithmetic in integer code: classification,
 *                    rounding to a precision and exponent range, add, multiply,
 *                    divide, square root, remainders, integer and BCD
 *                    conversions, compares, FSCALE/FXTRACT/FRNDINT.  Pure
 *                    functions of their operands and an fpenv_t.
 *   fpu_transcend.c  FSIN FCOS FSINCOS FPTAN FPATAN F2XM1 FYL2X FYL2XP1, on a
 *                    small multi-word fixed-point type (also pure).
 *   fpu.c            the register stack, tags, exception reporting (#MF,
 *                    FERR#, #NM), control instructions and the opcode table.
 *   fpu_math.c       the arithmetic, compare and transcendental instructions.
 *   fpu_ldst.c       loads and stores of every format, FLDENV/FSTENV,
 *                    FSAVE/FRSTOR, FXSAVE/FXRSTOR.
 */
#ifndef X86SIM_FPU_INTERNAL_H
#define X86SIM_FPU_INTERNAL_H

#include "exec.h"

typedef unsigned __int128 u128;

/* Status word. */
#define FSW_IE 0x0001u
#define FSW_DE 0x0002u
#define FSW_ZE 0x0004u
#define FSW_OE 0x0008u
#define FSW_UE 0x0010u
#define FSW_PE 0x0020u
#define FSW_SF 0x0040u
#define FSW_ES 0x0080u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_TOP 0x3800u
#define FSW_C3 0x4000u
#define FSW_B 0x8000u
#define FSW_EXC 0x003Fu
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

/* Control word: exception masks (same bits as the flags), precision and
 * rounding control. */
#define FCW_PC_SHIFT 8
#define FCW_RC_SHIFT 10
enum { RC_NEAREST, RC_DOWN, RC_UP, RC_ZERO };

/* Tags. */
enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

#define EXP_BIAS 16383
#define EXP_MAX 0x7FFF
#define INT_BIT 0x8000000000000000ull
#define QUIET_BIT 0x4000000000000000ull
/* The unmasked overflow/underflow result's exponent adjustment. */
#define EXP_WRAP 24576

static inline float80_t f80(uint16_t sign_exp, uint64_t mant) { return (float80_t){mant, sign_exp}; }
static inline unsigned f80_exp(float80_t a) { return a.sign_exp & EXP_MAX; }
static inline bool f80_sign(float80_t a) { return a.sign_exp >> 15; }
static inline bool f80_is_zero(float80_t a) { return f80_exp(a) == 0 && a.mant == 0; }
/* Denormals and pseudo-denormals (exponent 0, integer bit either way). */
static inline bool f80_is_denormal(float80_t a) { return f80_exp(a) == 0 && a.mant != 0; }
/* Unnormals, pseudo-infinities and pseudo-NaNs: the P6 rejects them. */
static inline bool f80_unsupported(float80_t a) { return f80_exp(a) != 0 && !(a.mant & INT_BIT); }
static inline bool f80_is_inf(float80_t a) { return f80_exp(a) == EXP_MAX && a.mant == INT_BIT; }
static inline bool f80_is_nan(float80_t a) { return f80_exp(a) == EXP_MAX && (a.mant & INT_BIT) && (a.mant << 1); }
static inline bool f80_is_snan(float80_t a) { return f80_is_nan(a) && !(a.mant & QUIET_BIT); }
static inline float80_t f80_neg(float80_t a) { return f80(a.sign_exp ^ 0x8000, a.mant); }
static inline float80_t f80_abs(float80_t a) { return f80(a.sign_exp & EXP_MAX, a.mant); }

#define F80_INDEFINITE f80(0xFFFF, 0xC000000000000000ull)
static inline float80_t f80_zero(bool sign) { return f80(sign ? 0x8000 : 0, 0); }
static inline float80_t f80_inf(bool sign) { return f80((sign ? 0x8000 : 0) | EXP_MAX, INT_BIT); }
static inline float80_t f80_one(bool sign) { return f80((sign ? 0x8000 : 0) | EXP_BIAS, INT_BIT); }

/* The tag the hardware reports for a register holding `a`. */
static inline unsigned f80_tag(float80_t a)
{
    unsigned e = f80_exp(a);
    if (e == 0)
        return a.mant ? TAG_SPECIAL : TAG_ZERO;
    if (e == EXP_MAX || !(a.mant & INT_BIT))
        return TAG_SPECIAL;
    return TAG_VALID;
}

/* The rounding environment of one operation and what it raised. */
typedef struct fpenv {
    uint8_t rc;     /* RC_* */
    uint8_t prec;   /* significand bits: 24, 53 or 64 */
    uint8_t masks;  /* control word bits 0-5 */
    uint16_t flags; /* FSW_IE..FSW_PE raised; FSW_C1 when the result was rounded up */
    bool denormal_src; /* the memory operand was a denormal single/double */
} fpenv_t;

/* True when an unmasked invalid, denormal or divide-by-zero exception was
 * raised: the instruction must then leave its destination alone. */
static inline bool fp_unmasked_pre(const fpenv_t *e)
{
    return e->flags & ~e->masks & (FSW_IE | FSW_DE | FSW_ZE);
}
/* Raises exception bits; returns whether the instruction must stop (an
 * unmasked invalid, denormal or divide-by-zero). */
static inline bool fp_raise(fpenv_t *e, uint16_t bits)
{
    e->flags |= bits;
    return fp_unmasked_pre(e);
}

/* A finite nonzero value taken apart: mant normalized (bit 63 set) and
 * value = mant * 2^(exp - 63). */
typedef struct fpnum {
    bool sign;
    int32_t exp;
    uint64_t mant;
} fpnum_t;
fpnum_t fp_unpack(float80_t a);

/* The formats a value can be rounded into. */
typedef struct fpformat {
    uint8_t prec;
    int32_t emin, emax; /* unbiased exponents of normal numbers */
    bool wrap;          /* unmasked overflow/underflow deliver a wrapped result */
} fpformat_t;
extern const fpformat_t fmt_single, fmt_double, fmt_ext;

/* A rounded result: mant has the integer bit at 63 (clear for denormals,
 * which have exp == emin), or inf; mant == 0 is a zero.  `stored` is false
 * when an unmasked overflow or underflow forbids the store to memory. */
typedef struct fprounded {
    bool sign, inf, stored;
    int32_t exp;
    uint64_t mant;
} fprounded_t;

/* Rounds sign * sig * 2^(exp - 127) (sig != 0) into format f. */
fprounded_t fp_round(fpenv_t *e, bool sign, int32_t exp, u128 sig, const fpformat_t *f);
/* The same into the extended format with the precision control applied. */
float80_t fp_round_ext(fpenv_t *e, bool sign, int32_t exp, u128 sig);
float80_t fp_pack_ext(fprounded_t r);

/* The operand checks every arithmetic operation starts with: unsupported
 * formats and NaNs (both give the result in *res and return true; IE is
 * raised for unsupported operands and signalling NaNs), then the
 * denormal-operand flag. */
bool fp_nan_operands(fpenv_t *e, float80_t a, float80_t b, float80_t *res);
bool fp_nan_operand(fpenv_t *e, float80_t a, float80_t *res);
float80_t fp_quiet(float80_t a);
/* Raises DE when either operand (or the memory operand, see fpenv_t) is a
 * denormal; true when that must stop the operation (DE unmasked).  Each
 * operation calls it where the SDM's exception priorities put it: after
 * the invalid-operand checks, and after divide-by-zero for FDIV. */
bool fp_denormal_check(fpenv_t *e, float80_t a, float80_t b);

/* Arithmetic on extended values, rounded with e->prec and e->rc. */
float80_t fp_add(fpenv_t *e, float80_t a, float80_t b, bool subtract);
float80_t fp_mul(fpenv_t *e, float80_t a, float80_t b);
float80_t fp_div(fpenv_t *e, float80_t a, float80_t b);
float80_t fp_sqrt(fpenv_t *e, float80_t a);
float80_t fp_rndint(fpenv_t *e, float80_t a);
float80_t fp_scale(fpenv_t *e, float80_t a, float80_t b);
/* FXTRACT: *sig gets the significand, the return value the exponent. */
float80_t fp_xtract(fpenv_t *e, float80_t a, float80_t *sig);
/* FPREM (round_nearest false) and FPREM1: *cc gets C0..C3 bits, or
 * FP_REM_NO_QUOTIENT for a NaN or invalid operand (C1 and C2 are then
 * cleared, C0 and C3 left alone). */
#define FP_REM_NO_QUOTIENT 0xFFFFu
float80_t fp_rem(fpenv_t *e, float80_t a, float80_t b, bool round_nearest, uint16_t *cc);

/* Comparison: FSW C3/C2/C0 encoding (greater 0, less C0, equal C3,
 * unordered C3|C2|C0).  `quiet` is FUCOM's rule (only SNaNs are invalid). */
uint16_t fp_compare(fpenv_t *e, float80_t a, float80_t b, bool quiet);
/* FXAM's C3/C2/C1/C0 for a non-empty register. */
uint16_t fp_examine(float80_t a);

/* Conversions. */
float80_t fp_from_int(int64_t v);
/* Exact: SNaNs stay signalling; *denormal tells that the source was a
 * denormal (which the operation using it reports as DE, after its NaN
 * checks). */
float80_t fp_from_single(uint32_t v, bool *denormal);
float80_t fp_from_double(uint64_t v, bool *denormal);
/* Conversions to memory formats; return false when nothing may be stored
 * (an unmasked exception). */
bool fp_to_single(fpenv_t *e, float80_t a, uint32_t *out);
bool fp_to_double(fpenv_t *e, float80_t a, uint64_t *out);
/* To a signed integer of `bits` (16, 32, 64), rounded by e->rc. */
bool fp_to_int(fpenv_t *e, float80_t a, unsigned bits, int64_t *out);
/* Packed BCD (10 bytes); the indefinite is what invalid stores write. */
extern const uint8_t fp_bcd_indefinite[10];
float80_t fp_from_bcd(const uint8_t bcd[10]);
bool fp_to_bcd(fpenv_t *e, float80_t a, uint8_t bcd[10]);

/* Transcendentals (fpu_transcend.c).  Each returns false when the operand
 * is out of range (C2 set, nothing changes). */
bool fp_sincos(fpenv_t *e, float80_t a, float80_t *sin_out, float80_t *cos_out);
bool fp_tan(fpenv_t *e, float80_t a, float80_t *out);
float80_t fp_atan2(fpenv_t *e, float80_t y, float80_t x);
float80_t fp_f2xm1(fpenv_t *e, float80_t a);
float80_t fp_yl2x(fpenv_t *e, float80_t x, float80_t y);
float80_t fp_yl2xp1(fpenv_t *e, float80_t x, float80_t y);

/* Bit helpers. */
static inline int clz64(uint64_t v) { return __builtin_clzll(v); }
static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}
/* v >> n with the lost bits ORed into bit 0 (n may exceed 127). */
static inline u128 shr_sticky(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

/* ---------------------------------------------------------------- machine state (fpu.c) */

static inline float80_t *fpu_st(cpu_t *cpu, unsigned i) { return &cpu->fpu.st[(cpu->fpu.top + i) & 7]; }
static inline unsigned fpu_tag(const cpu_t *cpu, unsigned i)
{
    return (cpu->fpu.tw >> (2 * ((cpu->fpu.top + i) & 7))) & 3;
}
static inline bool fpu_empty(const cpu_t *cpu, unsigned i) { return fpu_tag(cpu, i) == TAG_EMPTY; }
static inline void fpu_set_tag_phys(fpu_t *f, unsigned reg, unsigned tag)
{
    f->tw = (uint16_t)((f->tw & ~(3u << (2 * reg))) | (tag << (2 * reg)));
}
/* Writes ST(i) and its tag. */
static inline void fpu_write(cpu_t *cpu, unsigned i, float80_t v)
{
    unsigned r = (cpu->fpu.top + i) & 7;
    cpu->fpu.st[r] = v;
    fpu_set_tag_phys(&cpu->fpu, r, f80_tag(v));
}
static inline void fpu_pop(cpu_t *cpu)
{
    fpu_set_tag_phys(&cpu->fpu, cpu->fpu.top, TAG_EMPTY);
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}
static inline void fpu_push(cpu_t *cpu, float80_t v)
{
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
    fpu_write(cpu, 0, v);
}

/* The environment for an operation from the control word. */
static inline fpenv_t fpu_env(const cpu_t *cpu)
{
    static const uint8_t prec[4] = {24, 64, 53, 64}; /* PC = 01 is reserved: the hardware keeps 64 */
    uint16_t cw = cpu->fpu.cw;
    return (fpenv_t){.rc = (cw >> FCW_RC_SHIFT) & 3, .prec = prec[(cw >> FCW_PC_SHIFT) & 3],
                     .masks = cw & FSW_EXC};
}

/* Instruction prologues.  fpu_wait_check performs what every waiting x87
 * instruction does first: #NM for CR0.EM/TS, then the report of a pending
 * unmasked exception (#MF, or with CR0.NE = 0 the FERR# freeze).  It
 * returns false when the CPU froze and the handler must return. */
bool fpu_wait_slow(cpu_t *cpu);
static inline bool fpu_wait_check(cpu_t *cpu)
{
    if (UNLIKELY((cpu->cr0 & (CR0_EM | CR0_TS)) || (cpu->fpu.sw & ~cpu->fpu.cw & FSW_EXC)))
        return fpu_wait_slow(cpu);
    return true;
}
/* The no-wait control instructions check only CR0.EM/TS. */
static inline void fpu_nowait_check(cpu_t *cpu)
{
    if (UNLIKELY(cpu->cr0 & (CR0_EM | CR0_TS)))
        cpu_exception(cpu, EXC_NM, 0);
}
#define FPU_BEGIN(cpu)                                                                             \
    do {                                                                                           \
        if (!fpu_wait_check(cpu))                                                                  \
            return;                                                                                \
    } while (0)

/* Records FOP, FIP/FCS (every non-control instruction) and FDP/FDS (those
 * with a memory operand). */
static inline void fpu_note_insn(cpu_t *cpu, const insn_t *i)
{
    fpu_t *f = &cpu->fpu;
    f->fop = (uint16_t)(((i->op & 7) << 8) | i->modrm);
    f->fip = cpu->prev_eip;
    f->fcs = cpu->seg[SEG_CS].sel;
    if (i->pfx & PFX_MEM) {
        f->fdp = ea_offset(cpu, i);
        f->fds = cpu->seg[i->seg].sel;
    }
}

/* Merges an operation's flags into the status word: exception flags are
 * sticky, C1 takes the round-up bit (or is cleared), and FERR# follows. */
void fpu_flags(cpu_t *cpu, const fpenv_t *e);
/* Raises FERR# (or lowers it) to match the pending unmasked exceptions. */
void fpu_update_ferr(cpu_t *cpu);
/* Stack faults: underflow (an empty operand) and overflow (a full push).
 * Both set IE, SF and C1 (1 for overflow); they return true when the
 * invalid exception is masked and the caller should deliver the default
 * result (the indefinite NaN). */
bool fpu_stack_underflow(cpu_t *cpu);
bool fpu_stack_overflow(cpu_t *cpu);
/* Sets C0..C3 (C1 included) to cc, leaving the other status bits. */
static inline void fpu_set_cc(cpu_t *cpu, uint16_t cc)
{
    cpu->fpu.sw = (uint16_t)((cpu->fpu.sw & ~FSW_CC) | cc);
}
/* Finishes an instruction whose result goes to ST(dest): stores it unless
 * an unmasked invalid/denormal/zero-divide exception stopped it, then pops
 * `pops` times.  Returns whether the result was stored. */
bool fpu_commit(cpu_t *cpu, const fpenv_t *e, unsigned dest, float80_t r, int pops);

/* Full tag word from contents, and loading one (11 = empty, anything
 * else: the tag the contents give). */
void fpu_load_tags(fpu_t *f, uint16_t tw);
void fpu_init_state(fpu_t *f);

/* Memory operands of 8 and 10 bytes. */
uint64_t fpu_rd64(cpu_t *cpu, const insn_t *i);
float80_t fpu_rd80(cpu_t *cpu, int seg, uint32_t off);
void fpu_wr64(cpu_t *cpu, const insn_t *i, uint64_t v);
void fpu_wr80(cpu_t *cpu, int seg, uint32_t off, float80_t v);

/* ---------------------------------------------------------------- handlers */

/* fpu_math.c.  The six arithmetic operations, each in every operand form:
 * m32/m64 real, m16/m32 integer, ST(0) op= ST(i), ST(i) op= ST(0), and the
 * popping ST(i) op= ST(0). */
#define FPU_HANDLER(name) void name(cpu_t *cpu, const insn_t *i)
#define FPU_ARITH_OPS(X) X(fadd) X(fmul) X(fsub) X(fsubr) X(fdiv) X(fdivr)
#define FPU_DECLARE_ARITH(op)                                                                      \
    FPU_HANDLER(op##_m32); FPU_HANDLER(op##_m64); FPU_HANDLER(op##_mi16); FPU_HANDLER(op##_mi32);  \
    FPU_HANDLER(op##_st0_sti); FPU_HANDLER(op##_sti_st0); FPU_HANDLER(op##p_sti_st0);
FPU_ARITH_OPS(FPU_DECLARE_ARITH)
FPU_HANDLER(fpu_fcom_sti); FPU_HANDLER(fpu_fcomp_sti); FPU_HANDLER(fpu_fcompp);
FPU_HANDLER(fpu_fucom_sti); FPU_HANDLER(fpu_fucomp_sti); FPU_HANDLER(fpu_fucompp);
FPU_HANDLER(fpu_fcom_m32); FPU_HANDLER(fpu_fcomp_m32); FPU_HANDLER(fpu_fcom_m64);
FPU_HANDLER(fpu_fcomp_m64); FPU_HANDLER(fpu_ficom_m16); FPU_HANDLER(fpu_ficomp_m16);
FPU_HANDLER(fpu_ficom_m32); FPU_HANDLER(fpu_ficomp_m32);
FPU_HANDLER(fpu_fcomi); FPU_HANDLER(fpu_fcomip); FPU_HANDLER(fpu_fucomi); FPU_HANDLER(fpu_fucomip);
FPU_HANDLER(fpu_ftst); FPU_HANDLER(fpu_fxam);
FPU_HANDLER(fpu_fchs); FPU_HANDLER(fpu_fabs); FPU_HANDLER(fpu_fsqrt); FPU_HANDLER(fpu_frndint);
FPU_HANDLER(fpu_fscale); FPU_HANDLER(fpu_fxtract); FPU_HANDLER(fpu_fprem); FPU_HANDLER(fpu_fprem1);
FPU_HANDLER(fpu_fsin); FPU_HANDLER(fpu_fcos); FPU_HANDLER(fpu_fsincos); FPU_HANDLER(fpu_fptan);
FPU_HANDLER(fpu_fpatan); FPU_HANDLER(fpu_f2xm1); FPU_HANDLER(fpu_fyl2x); FPU_HANDLER(fpu_fyl2xp1);

/* fpu_ldst.c */
FPU_HANDLER(fpu_fld_m32); FPU_HANDLER(fpu_fld_m64); FPU_HANDLER(fpu_fld_m80);
FPU_HANDLER(fpu_fild_m16); FPU_HANDLER(fpu_fild_m32); FPU_HANDLER(fpu_fild_m64);
FPU_HANDLER(fpu_fbld); FPU_HANDLER(fpu_fld_sti); FPU_HANDLER(fpu_fld_const);
FPU_HANDLER(fpu_fst_m32); FPU_HANDLER(fpu_fstp_m32); FPU_HANDLER(fpu_fst_m64);
FPU_HANDLER(fpu_fstp_m64); FPU_HANDLER(fpu_fstp_m80); FPU_HANDLER(fpu_fist_m16);
FPU_HANDLER(fpu_fistp_m16); FPU_HANDLER(fpu_fist_m32); FPU_HANDLER(fpu_fistp_m32);
FPU_HANDLER(fpu_fistp_m64); FPU_HANDLER(fpu_fbstp); FPU_HANDLER(fpu_fst_sti);
FPU_HANDLER(fpu_fstp_sti); FPU_HANDLER(fpu_fstp1);
FPU_HANDLER(fpu_fldenv); FPU_HANDLER(fpu_fnstenv); FPU_HANDLER(fpu_frstor); FPU_HANDLER(fpu_fnsave);
FPU_HANDLER(fpu_fxsave); FPU_HANDLER(fpu_fxrstor);

#endif
