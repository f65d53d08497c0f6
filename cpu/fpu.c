/* The x87 FPU: register stack and tags, exception reporting, the control
 * instructions, and the opcode table of every x87 instruction.
 *
 * Exceptions (SDM vol. 1, 8.4-8.7): an operation raises flags into the
 * status word; a masked exception gets its default result, an unmasked one
 * is only recorded (ES, B and FERR# go active) and is reported when the
 * next waiting x87 instruction starts: #MF (vector 16) with CR0.NE = 1,
 * otherwise (MS-DOS compatibility) the CPU freezes before that instruction
 * until an interrupt arrives, unless the board holds IGNNE# active (after
 * the IRQ 13 handler wrote port F0h on a PC).  The
 * P6 asserts FERR# when the faulting instruction completes (SDM vol. 3,
 * "Assertion of the FERR# pin").
 */
#include "fpu_internal.h"

void fpu_reset(fpu_t *fpu)
{
    memset(fpu, 0, sizeof *fpu);
    fpu->cw = 0x0040;
    fpu->tw = 0x5555; /* every register holds +0 */
}

uint16_t fpu_status_word(const fpu_t *f)
{
    uint16_t sw = (uint16_t)(f->sw | (f->top << 11));
    if (f->sw & ~f->cw & FSW_EXC)
        sw |= FSW_ES | FSW_B;
    return sw;
}

void fpu_init_state(fpu_t *f)
{
    f->cw = 0x037F;
    f->sw = 0;
    f->top = 0;
    f->tw = 0xFFFF;
    f->fop = 0;
    f->fip = f->fdp = 0;
    f->fcs = f->fds = 0;
}

void fpu_load_tags(fpu_t *f, uint16_t tw)
{
    for (unsigned r = 0; r < 8; r++) {
        unsigned t = (tw >> (2 * r)) & 3;
        fpu_set_tag_phys(f, r, t == TAG_EMPTY ? TAG_EMPTY : f80_tag(f->st[r]));
    }
}

/* ---------------------------------------------------------------- exceptions */

void fpu_update_ferr(cpu_t *cpu)
{
    bool pending = (cpu->fpu.sw & ~cpu->fpu.cw & FSW_EXC) != 0;
    if (pending != cpu->fpu.ferr) {
        cpu->fpu.ferr = pending;
        if (cpu->bus.ferr)
            cpu->bus.ferr(cpu->bus.opaque, pending);
    }
}

/* A waiting instruction found an unmasked exception pending.  Returns
 * false when the CPU froze (MS-DOS compatibility mode without IGNNE#). */
static bool report_pending(cpu_t *cpu)
{
    if (cpu->cr0 & CR0_NE)
        cpu_exception(cpu, EXC_MF, 0);
    if (cpu->bus.ignne && cpu->bus.ignne(cpu->bus.opaque))
        return true;
    /* Freeze before this instruction until an interrupt: the handler of
     * IRQ 13 returns here, with the error cleared or IGNNE# active. */
    cpu->eip = cpu->prev_eip;
    cpu->halted = true;
    end_block(cpu);
    return false;
}

bool fpu_wait_slow(cpu_t *cpu)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        cpu_exception(cpu, EXC_NM, 0);
    return report_pending(cpu);
}

void fpu_flags(cpu_t *cpu, const fpenv_t *e)
{
    fpu_t *f = &cpu->fpu;
    f->sw = (uint16_t)((f->sw & ~FSW_C1) | (e->flags & (FSW_EXC | FSW_C1)));
    if (e->flags & ~e->masks & FSW_EXC)
        fpu_update_ferr(cpu);
}

static bool stack_fault(cpu_t *cpu, uint16_t c1)
{
    fpu_t *f = &cpu->fpu;
    f->sw = (uint16_t)((f->sw & ~FSW_C1) | FSW_IE | FSW_SF | c1);
    if (f->cw & FSW_IE)
        return true;
    fpu_update_ferr(cpu);
    return false;
}

bool fpu_stack_underflow(cpu_t *cpu) { return stack_fault(cpu, 0); }
bool fpu_stack_overflow(cpu_t *cpu) { return stack_fault(cpu, FSW_C1); }

bool fpu_commit(cpu_t *cpu, const fpenv_t *e, unsigned dest, float80_t r, int pops)
{
    fpu_flags(cpu, e);
    if (fp_unmasked_pre(e))
        return false;
    fpu_write(cpu, dest, r);
    while (pops-- > 0)
        fpu_pop(cpu);
    return true;
}

/* ---------------------------------------------------------------- control instructions */

static void fninit(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
    fpu_init_state(&cpu->fpu);
    fpu_update_ferr(cpu);
}

static void fnclex(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
    cpu->fpu.sw &= (uint16_t)~(FSW_EXC | FSW_SF);
    fpu_update_ferr(cpu);
}

/* FNENI, FNDISI, FNSETPM: 8087/287 controls that the 387 and later ignore. */
static void fnop_legacy(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
}

static void fldcw(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    uint16_t cw = (uint16_t)ea_rd16(cpu, i);
    cpu->fpu.cw = (cw & 0x1F7F) | 0x0040; /* bit 6 reads as 1, bits 13-15 as 0 */
    fpu_update_ferr(cpu);
}

static void fnstcw(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
    ea_wr16(cpu, i, cpu->fpu.cw);
}

static void fnstsw_m(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
    ea_wr16(cpu, i, fpu_status_word(&cpu->fpu));
}

static void fnstsw_ax(cpu_t *cpu, const insn_t *i)
{
    fpu_nowait_check(cpu);
    set_r16(cpu, R_EAX, fpu_status_word(&cpu->fpu));
}

/* WAIT: #NM only when both MP and TS are set, then pending exceptions. */
static void fwait(cpu_t *cpu, const insn_t *i)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_exception(cpu, EXC_NM, 0);
    if (cpu->fpu.sw & ~cpu->fpu.cw & FSW_EXC)
        report_pending(cpu);
}

static void fnop(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
}

static void fincstp(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    cpu->fpu.top = (cpu->fpu.top + 1) & 7;
}

static void fdecstp(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    cpu->fpu.top = (cpu->fpu.top - 1) & 7;
}

static void ffree(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    fpu_set_tag_phys(&cpu->fpu, (cpu->fpu.top + i->rm) & 7, TAG_EMPTY);
}

static void ffreep(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    fpu_set_tag_phys(&cpu->fpu, (cpu->fpu.top + i->rm) & 7, TAG_EMPTY);
    fpu_pop(cpu);
}

static void fxch(cpu_t *cpu, const insn_t *i)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0) || fpu_empty(cpu, i->rm)) {
        if (!fpu_stack_underflow(cpu))
            return;
        /* Masked: empty registers take the indefinite NaN, then swap. */
        if (fpu_empty(cpu, 0))
            fpu_write(cpu, 0, F80_INDEFINITE);
        if (fpu_empty(cpu, i->rm))
            fpu_write(cpu, i->rm, F80_INDEFINITE);
    } else {
        cpu->fpu.sw &= (uint16_t)~FSW_C1;
    }
    float80_t t = *fpu_st(cpu, 0);
    fpu_write(cpu, 0, *fpu_st(cpu, i->rm));
    fpu_write(cpu, i->rm, t);
}

/* FCMOVcc: the condition is an EFLAGS test fixed by the opcode; C1 is
 * left alone unless the stack underflows. */
static inline void fcmov(cpu_t *cpu, const insn_t *i, bool cond)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0) || fpu_empty(cpu, i->rm)) {
        if (fpu_stack_underflow(cpu))
            fpu_write(cpu, 0, F80_INDEFINITE);
        return;
    }
    if (cond)
        fpu_write(cpu, 0, *fpu_st(cpu, i->rm));
}
static void fcmovb(cpu_t *c, const insn_t *i) { fcmov(c, i, get_cf(c)); }
static void fcmove(cpu_t *c, const insn_t *i) { fcmov(c, i, get_zf(c)); }
static void fcmovbe(cpu_t *c, const insn_t *i) { fcmov(c, i, get_cf(c) || get_zf(c)); }
static void fcmovu(cpu_t *c, const insn_t *i) { fcmov(c, i, get_pf(c)); }
static void fcmovnb(cpu_t *c, const insn_t *i) { fcmov(c, i, !get_cf(c)); }
static void fcmovne(cpu_t *c, const insn_t *i) { fcmov(c, i, !get_zf(c)); }
static void fcmovnbe(cpu_t *c, const insn_t *i) { fcmov(c, i, !get_cf(c) && !get_zf(c)); }
static void fcmovnu(cpu_t *c, const insn_t *i) { fcmov(c, i, !get_pf(c)); }

/* ---------------------------------------------------------------- opcode table */

/* Entry shorthands: memory form with ModRM.reg r, register form with
 * ModRM.reg r (any rm), register form with exact ModRM reg/rm. */
#define FM(op, r, mn, args, fn) {op, r, -1, OPMOD_MEM, 0, mn, args, 0, H(fn)}
#define FR(op, r, mn, args, fn) {op, r, -1, OPMOD_REG, 0, mn, args, 0, H(fn)}
#define FX(op, r, rm, mn, args, fn) {op, r, rm, OPMOD_REG, 0, mn, args, 0, H(fn)}

/* The mnemonics are the SDM's, spelled as objdump -Mintel prints them (the
 * disassembler's reference): the 8087/287 controls carry its remarks, and
 * the undocumented aliases that the P6 executes (D9 D8+i, DC D0+i/D8+i,
 * DD C8+i, DE D0+i, DF C8+i/D0+i/D8+i, known elsewhere as FSTP1, FCOM2,
 * FCOMP3, FXCH4, FCOMP5, FXCH7, FSTP8, FSTP9) show as "(bad)", as there.
 * ESC encodings without an entry raise #NM or #UD (op_ud). */
const opdef_t fpu_ops[] = {
    /* D8: single-real operands and ST(0), ST(i) */
    FM(0xD8, 0, "fadd", "Md", fadd_m32), FM(0xD8, 1, "fmul", "Md", fmul_m32),
    FM(0xD8, 2, "fcom", "Md", fpu_fcom_m32), FM(0xD8, 3, "fcomp", "Md", fpu_fcomp_m32),
    FM(0xD8, 4, "fsub", "Md", fsub_m32), FM(0xD8, 5, "fsubr", "Md", fsubr_m32),
    FM(0xD8, 6, "fdiv", "Md", fdiv_m32), FM(0xD8, 7, "fdivr", "Md", fdivr_m32),
    FR(0xD8, 0, "fadd", "ST,STi", fadd_st0_sti), FR(0xD8, 1, "fmul", "ST,STi", fmul_st0_sti),
    FR(0xD8, 2, "fcom", "STi", fpu_fcom_sti), FR(0xD8, 3, "fcomp", "STi", fpu_fcomp_sti),
    FR(0xD8, 4, "fsub", "ST,STi", fsub_st0_sti), FR(0xD8, 5, "fsubr", "ST,STi", fsubr_st0_sti),
    FR(0xD8, 6, "fdiv", "ST,STi", fdiv_st0_sti), FR(0xD8, 7, "fdivr", "ST,STi", fdivr_st0_sti),

    /* D9: loads and stores of single reals, environment, control word,
     * and the operations on ST(0) alone */
    FM(0xD9, 0, "fld", "Md", fpu_fld_m32), FM(0xD9, 2, "fst", "Md", fpu_fst_m32),
    FM(0xD9, 3, "fstp", "Md", fpu_fstp_m32), FM(0xD9, 4, "fldenv", "M", fpu_fldenv),
    FM(0xD9, 5, "fldcw", "Mw", fldcw), FM(0xD9, 6, "fnstenv", "M", fpu_fnstenv),
    FM(0xD9, 7, "fnstcw", "Mw", fnstcw),
    FR(0xD9, 0, "fld", "STi", fpu_fld_sti), FR(0xD9, 1, "fxch", "STi", fxch),
    FX(0xD9, 2, 0, "fnop", "", fnop),
    FR(0xD9, 3, "(bad)", "", fpu_fstp1), /* FSTP1: FSTP ST(i), lenient with an empty ST(0) */
    FX(0xD9, 4, 0, "fchs", "", fpu_fchs), FX(0xD9, 4, 1, "fabs", "", fpu_fabs),
    FX(0xD9, 4, 4, "ftst", "", fpu_ftst), FX(0xD9, 4, 5, "fxam", "", fpu_fxam),
    FX(0xD9, 5, 0, "fld1", "", fpu_fld_const), FX(0xD9, 5, 1, "fldl2t", "", fpu_fld_const),
    FX(0xD9, 5, 2, "fldl2e", "", fpu_fld_const), FX(0xD9, 5, 3, "fldpi", "", fpu_fld_const),
    FX(0xD9, 5, 4, "fldlg2", "", fpu_fld_const), FX(0xD9, 5, 5, "fldln2", "", fpu_fld_const),
    FX(0xD9, 5, 6, "fldz", "", fpu_fld_const),
    FX(0xD9, 6, 0, "f2xm1", "", fpu_f2xm1), FX(0xD9, 6, 1, "fyl2x", "", fpu_fyl2x),
    FX(0xD9, 6, 2, "fptan", "", fpu_fptan), FX(0xD9, 6, 3, "fpatan", "", fpu_fpatan),
    FX(0xD9, 6, 4, "fxtract", "", fpu_fxtract), FX(0xD9, 6, 5, "fprem1", "", fpu_fprem1),
    FX(0xD9, 6, 6, "fdecstp", "", fdecstp), FX(0xD9, 6, 7, "fincstp", "", fincstp),
    FX(0xD9, 7, 0, "fprem", "", fpu_fprem), FX(0xD9, 7, 1, "fyl2xp1", "", fpu_fyl2xp1),
    FX(0xD9, 7, 2, "fsqrt", "", fpu_fsqrt), FX(0xD9, 7, 3, "fsincos", "", fpu_fsincos),
    FX(0xD9, 7, 4, "frndint", "", fpu_frndint), FX(0xD9, 7, 5, "fscale", "", fpu_fscale),
    FX(0xD9, 7, 6, "fsin", "", fpu_fsin), FX(0xD9, 7, 7, "fcos", "", fpu_fcos),

    /* DA: 32-bit integer operands, FCMOV on CF/ZF/PF, FUCOMPP */
    FM(0xDA, 0, "fiadd", "Md", fadd_mi32), FM(0xDA, 1, "fimul", "Md", fmul_mi32),
    FM(0xDA, 2, "ficom", "Md", fpu_ficom_m32), FM(0xDA, 3, "ficomp", "Md", fpu_ficomp_m32),
    FM(0xDA, 4, "fisub", "Md", fsub_mi32), FM(0xDA, 5, "fisubr", "Md", fsubr_mi32),
    FM(0xDA, 6, "fidiv", "Md", fdiv_mi32), FM(0xDA, 7, "fidivr", "Md", fdivr_mi32),
    FR(0xDA, 0, "fcmovb", "ST,STi", fcmovb), FR(0xDA, 1, "fcmove", "ST,STi", fcmove),
    FR(0xDA, 2, "fcmovbe", "ST,STi", fcmovbe), FR(0xDA, 3, "fcmovu", "ST,STi", fcmovu),
    FX(0xDA, 5, 1, "fucompp", "", fpu_fucompp),

    /* DB: 32-bit integer load/store, extended-real load/store, FCMOVN*,
     * FNCLEX/FNINIT, FUCOMI/FCOMI */
    FM(0xDB, 0, "fild", "Md", fpu_fild_m32), FM(0xDB, 2, "fist", "Md", fpu_fist_m32),
    FM(0xDB, 3, "fistp", "Md", fpu_fistp_m32), FM(0xDB, 5, "fld", "Mt", fpu_fld_m80),
    FM(0xDB, 7, "fstp", "Mt", fpu_fstp_m80),
    FR(0xDB, 0, "fcmovnb", "ST,STi", fcmovnb), FR(0xDB, 1, "fcmovne", "ST,STi", fcmovne),
    FR(0xDB, 2, "fcmovnbe", "ST,STi", fcmovnbe), FR(0xDB, 3, "fcmovnu", "ST,STi", fcmovnu),
    FX(0xDB, 4, 0, "fneni(8087 only)", "", fnop_legacy),
    FX(0xDB, 4, 1, "fndisi(8087 only)", "", fnop_legacy),
    FX(0xDB, 4, 2, "fnclex", "", fnclex), FX(0xDB, 4, 3, "fninit", "", fninit),
    FX(0xDB, 4, 4, "fnsetpm(287 only)", "", fnop_legacy),
    FR(0xDB, 5, "fucomi", "ST,STi", fpu_fucomi), FR(0xDB, 6, "fcomi", "ST,STi", fpu_fcomi),

    /* DC: double-real operands and ST(i), ST(0) */
    FM(0xDC, 0, "fadd", "Mq", fadd_m64), FM(0xDC, 1, "fmul", "Mq", fmul_m64),
    FM(0xDC, 2, "fcom", "Mq", fpu_fcom_m64), FM(0xDC, 3, "fcomp", "Mq", fpu_fcomp_m64),
    FM(0xDC, 4, "fsub", "Mq", fsub_m64), FM(0xDC, 5, "fsubr", "Mq", fsubr_m64),
    FM(0xDC, 6, "fdiv", "Mq", fdiv_m64), FM(0xDC, 7, "fdivr", "Mq", fdivr_m64),
    FR(0xDC, 0, "fadd", "STi,ST", fadd_sti_st0), FR(0xDC, 1, "fmul", "STi,ST", fmul_sti_st0),
    FR(0xDC, 2, "(bad)", "", fpu_fcom_sti),  /* FCOM2 */
    FR(0xDC, 3, "(bad)", "", fpu_fcomp_sti), /* FCOMP3 */
    FR(0xDC, 4, "fsubr", "STi,ST", fsubr_sti_st0), FR(0xDC, 5, "fsub", "STi,ST", fsub_sti_st0),
    FR(0xDC, 6, "fdivr", "STi,ST", fdivr_sti_st0), FR(0xDC, 7, "fdiv", "STi,ST", fdiv_sti_st0),

    /* DD: double-real load/store, FRSTOR/FNSAVE, FNSTSW, FFREE, FST ST(i), FUCOM */
    FM(0xDD, 0, "fld", "Mq", fpu_fld_m64), FM(0xDD, 2, "fst", "Mq", fpu_fst_m64),
    FM(0xDD, 3, "fstp", "Mq", fpu_fstp_m64), FM(0xDD, 4, "frstor", "M", fpu_frstor),
    FM(0xDD, 6, "fnsave", "M", fpu_fnsave), FM(0xDD, 7, "fnstsw", "Mw", fnstsw_m),
    FR(0xDD, 0, "ffree", "STi", ffree),
    FR(0xDD, 1, "(bad)", "", fxch), /* FXCH4 */
    FR(0xDD, 2, "fst", "STi", fpu_fst_sti), FR(0xDD, 3, "fstp", "STi", fpu_fstp_sti),
    FR(0xDD, 4, "fucom", "STi", fpu_fucom_sti), FR(0xDD, 5, "fucomp", "STi", fpu_fucomp_sti),

    /* DE: 16-bit integer operands and the popping register forms */
    FM(0xDE, 0, "fiadd", "Mw", fadd_mi16), FM(0xDE, 1, "fimul", "Mw", fmul_mi16),
    FM(0xDE, 2, "ficom", "Mw", fpu_ficom_m16), FM(0xDE, 3, "ficomp", "Mw", fpu_ficomp_m16),
    FM(0xDE, 4, "fisub", "Mw", fsub_mi16), FM(0xDE, 5, "fisubr", "Mw", fsubr_mi16),
    FM(0xDE, 6, "fidiv", "Mw", fdiv_mi16), FM(0xDE, 7, "fidivr", "Mw", fdivr_mi16),
    FR(0xDE, 0, "faddp", "STi,ST", faddp_sti_st0), FR(0xDE, 1, "fmulp", "STi,ST", fmulp_sti_st0),
    FR(0xDE, 2, "(bad)", "", fpu_fcomp_sti), /* FCOMP5 */
    FX(0xDE, 3, 1, "fcompp", "", fpu_fcompp),
    FR(0xDE, 4, "fsubrp", "STi,ST", fsubrp_sti_st0), FR(0xDE, 5, "fsubp", "STi,ST", fsubp_sti_st0),
    FR(0xDE, 6, "fdivrp", "STi,ST", fdivrp_sti_st0), FR(0xDE, 7, "fdivp", "STi,ST", fdivp_sti_st0),

    /* DF: 16/64-bit integer and BCD load/store, FNSTSW AX, FUCOMIP/FCOMIP */
    FM(0xDF, 0, "fild", "Mw", fpu_fild_m16), FM(0xDF, 2, "fist", "Mw", fpu_fist_m16),
    FM(0xDF, 3, "fistp", "Mw", fpu_fistp_m16), FM(0xDF, 4, "fbld", "Mt", fpu_fbld),
    FM(0xDF, 5, "fild", "Mq", fpu_fild_m64), FM(0xDF, 6, "fbstp", "Mt", fpu_fbstp),
    FM(0xDF, 7, "fistp", "Mq", fpu_fistp_m64),
    FR(0xDF, 0, "ffreep", "STi", ffreep),
    FR(0xDF, 1, "(bad)", "", fxch),          /* FXCH7 */
    FR(0xDF, 2, "(bad)", "", fpu_fstp_sti),  /* FSTP8 */
    FR(0xDF, 3, "(bad)", "", fpu_fstp_sti),  /* FSTP9 */
    FX(0xDF, 4, 0, "fnstsw", "AX", fnstsw_ax),
    FR(0xDF, 5, "fucomip", "ST,STi", fpu_fucomip), FR(0xDF, 6, "fcomip", "ST,STi", fpu_fcomip),

    {0x9B, -1, -1, 0, 0, "fwait", "", 0, H(fwait)},
    {0x1AE, 0, -1, OPMOD_MEM, 0, "fxsave", "M", 0, H(fpu_fxsave)},
    {0x1AE, 1, -1, OPMOD_MEM, 0, "fxrstor", "M", 0, H(fpu_fxrstor)},
    {0},
};
