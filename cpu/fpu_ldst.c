/* x87 loads and stores: reals of 32/64/80 bits, integers of 16/32/64 bits,
 * packed BCD, register copies, the constants, and the state images of
 * FLDENV/FNSTENV, FRSTOR/FNSAVE (16- and 32-bit, real and protected mode
 * layouts, SDM vol. 1, 8.1.10) and FXSAVE/FXRSTOR.
 *
 * Stores compute the value, write memory (a fault leaves the FPU as it
 * was), and only then update the status word and pop.
 */
#include "fpu_internal.h"

/* ---------------------------------------------------------------- memory */

uint64_t fpu_rd64(cpu_t *cpu, const insn_t *i)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), 8, SEG_RIGHT_R);
    return mmu_read64(&cpu->mmu, cpu->mmu.cur, lin);
}

void fpu_wr64(cpu_t *cpu, const insn_t *i, uint64_t v)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), 8, SEG_RIGHT_W);
    mmu_write64(&cpu->mmu, cpu->mmu.cur, lin, v);
}

float80_t fpu_rd80(cpu_t *cpu, int seg, uint32_t off)
{
    uint32_t lin = seg_linear(cpu, seg, off, 10, SEG_RIGHT_R);
    uint64_t mant = mmu_read64(&cpu->mmu, cpu->mmu.cur, lin);
    return f80(mmu_read16(&cpu->mmu, cpu->mmu.cur, lin + 8), mant);
}

void fpu_wr80(cpu_t *cpu, int seg, uint32_t off, float80_t v)
{
    uint32_t lin = seg_linear(cpu, seg, off, 10, SEG_RIGHT_W);
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, lin, 8);
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, 10);
    mmu_write64(&cpu->mmu, cpu->mmu.cur, lin, v.mant);
    mmu_write16(&cpu->mmu, cpu->mmu.cur, lin + 8, v.sign_exp);
}

/* Byte-wise images (packed BCD, the environment and state areas); `align`
 * is the operand's #AC alignment (SDM vol. 3, table 6-7). */
static void rd_bytes(cpu_t *cpu, const insn_t *i, uint8_t *buf, unsigned n, unsigned align)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), n, SEG_RIGHT_R);
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, lin, align);
    for (unsigned k = 0; k < n; k++)
        buf[k] = mmu_read8(&cpu->mmu, cpu->mmu.cur, lin + k);
}

static void wr_bytes(cpu_t *cpu, const insn_t *i, const uint8_t *buf, unsigned n, unsigned align)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), n, SEG_RIGHT_W);
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, lin, align);
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, n);
    for (unsigned k = 0; k < n; k++)
        mmu_write8(&cpu->mmu, cpu->mmu.cur, lin + k, buf[k]);
}

/* ---------------------------------------------------------------- loads */

/* Pushes v: a full stack (ST(7) in use) is a stack overflow, whose masked
 * response pushes the indefinite NaN. */
static void push_value(cpu_t *cpu, const fpenv_t *e, float80_t v)
{
    if (!fpu_empty(cpu, 7)) {
        if (fpu_stack_overflow(cpu))
            fpu_push(cpu, F80_INDEFINITE);
        return;
    }
    fpu_flags(cpu, e);
    /* A load completes despite an unmasked denormal-operand exception. */
    if (!(e->flags & ~e->masks & FSW_IE))
        fpu_push(cpu, v);
}

static inline void load(cpu_t *cpu, const insn_t *i, float80_t v, const fpenv_t *e)
{
    fpu_note_insn(cpu, i);
    push_value(cpu, e, v);
}

/* FLD of a single or double real: an SNaN is quietened (IE), a denormal
 * reports DE. */
static void load_binary(cpu_t *cpu, const insn_t *i, float80_t v, bool denormal)
{
    fpenv_t e = fpu_env(cpu);
    if (f80_is_snan(v)) {
        e.flags |= FSW_IE;
        v = fp_quiet(v);
    }
    if (denormal)
        e.flags |= FSW_DE;
    load(cpu, i, v, &e);
}

FPU_HANDLER(fpu_fld_m32)
{
    FPU_BEGIN(cpu);
    bool denormal;
    float80_t v = fp_from_single(ea_rd32(cpu, i), &denormal);
    load_binary(cpu, i, v, denormal);
}

FPU_HANDLER(fpu_fld_m64)
{
    FPU_BEGIN(cpu);
    bool denormal;
    float80_t v = fp_from_double(fpu_rd64(cpu, i), &denormal);
    load_binary(cpu, i, v, denormal);
}

FPU_HANDLER(fpu_fld_m80)
{
    FPU_BEGIN(cpu);
    fpenv_t e = fpu_env(cpu);
    float80_t v = fpu_rd80(cpu, i->seg, ea_offset(cpu, i));
    load(cpu, i, v, &e);
}

/* Loads of integers and BCD: exact, no exceptions but a full stack. */
static void load_exact(cpu_t *cpu, const insn_t *i, float80_t v)
{
    fpenv_t e = fpu_env(cpu);
    load(cpu, i, v, &e);
}

FPU_HANDLER(fpu_fild_m16)
{
    FPU_BEGIN(cpu);
    load_exact(cpu, i, fp_from_int((int16_t)ea_rd16(cpu, i)));
}

FPU_HANDLER(fpu_fild_m32)
{
    FPU_BEGIN(cpu);
    load_exact(cpu, i, fp_from_int((int32_t)ea_rd32(cpu, i)));
}

FPU_HANDLER(fpu_fild_m64)
{
    FPU_BEGIN(cpu);
    load_exact(cpu, i, fp_from_int((int64_t)fpu_rd64(cpu, i)));
}

FPU_HANDLER(fpu_fbld)
{
    FPU_BEGIN(cpu);
    uint8_t bcd[10];
    rd_bytes(cpu, i, bcd, 10, 1);
    load_exact(cpu, i, fp_from_bcd(bcd));
}

FPU_HANDLER(fpu_fld_sti)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, i->rm)) { /* checked before the full stack */
        if (fpu_stack_underflow(cpu))
            fpu_push(cpu, F80_INDEFINITE);
        return;
    }
    fpenv_t e = fpu_env(cpu);
    push_value(cpu, &e, *fpu_st(cpu, i->rm));
}

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ (D9 E8+rm).  The hardware
 * holds the irrational ones with more bits and rounds them by RC; `below`
 * says whether the bits after the 64th are above (1) or below (-1) half,
 * none of them being exactly half. */
FPU_HANDLER(fpu_fld_const)
{
    static const struct {
        uint16_t sign_exp;
        uint64_t mant;
        int8_t rest; /* 0: exact, 1: rest above half, -1: rest below half */
    } consts[7] = {
        {0x3FFF, 0x8000000000000000ull, 0},  /* 1 */
        {0x4000, 0xD49A784BCD1B8AFEull, -1}, /* log2(10) = ...8AFE 492B... */
        {0x3FFF, 0xB8AA3B295C17F0BBull, 1},  /* log2(e)  = ...F0BB BE87... */
        {0x4000, 0xC90FDAA22168C234ull, 1},  /* pi       = ...C234 C4C6... */
        {0x3FFD, 0x9A209A84FBCFF798ull, 1},  /* log10(2) = ...F798 8F89... */
        {0x3FFE, 0xB17217F7D1CF79ABull, 1},  /* ln(2)    = ...79AB C9E3... */
        {0x0000, 0, 0},                      /* +0 */
    };
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    fpenv_t e = fpu_env(cpu);
    float80_t v = f80(consts[i->rm].sign_exp, consts[i->rm].mant);
    int rest = consts[i->rm].rest;
    if ((rest > 0 && (e.rc == RC_NEAREST || e.rc == RC_UP)) || (rest < 0 && e.rc == RC_UP))
        v.mant++;
    push_value(cpu, &e, v);
}

/* ---------------------------------------------------------------- stores */

/* The store prologue: false when ST(0) is empty and the masked response
 * (store `indefinite`, then pop) or the unmasked one (nothing) was taken. */
typedef void (*store_fn)(cpu_t *cpu, const insn_t *i, uint64_t v);

static void st_m16(cpu_t *cpu, const insn_t *i, uint64_t v) { ea_wr16(cpu, i, (uint16_t)v); }
static void st_m32(cpu_t *cpu, const insn_t *i, uint64_t v) { ea_wr32(cpu, i, (uint32_t)v); }
static void st_m64(cpu_t *cpu, const insn_t *i, uint64_t v) { fpu_wr64(cpu, i, v); }

/* Stores ST(0) converted by `convert` through `store`, then pops when asked.
 * `indefinite` is what a masked stack underflow stores. */
static inline void store_value(cpu_t *cpu, const insn_t *i, bool pop, uint64_t indefinite, store_fn store,
                               bool (*convert)(fpenv_t *, float80_t, unsigned, uint64_t *), unsigned arg)
{
    FPU_BEGIN(cpu);
    if (fpu_empty(cpu, 0)) {
        if (cpu->fpu.cw & FSW_IE)
            store(cpu, i, indefinite);
        fpu_note_insn(cpu, i);
        if (fpu_stack_underflow(cpu) && pop)
            fpu_pop(cpu);
        return;
    }
    fpenv_t e = fpu_env(cpu);
    uint64_t v;
    bool ok = convert(&e, *fpu_st(cpu, 0), arg, &v);
    if (ok)
        store(cpu, i, v);
    fpu_note_insn(cpu, i);
    fpu_flags(cpu, &e);
    if (ok && pop)
        fpu_pop(cpu);
}

static bool cvt_single(fpenv_t *e, float80_t a, unsigned arg, uint64_t *v)
{
    uint32_t s;
    bool ok = fp_to_single(e, a, &s);
    *v = s;
    return ok;
}
static bool cvt_double(fpenv_t *e, float80_t a, unsigned arg, uint64_t *v) { return fp_to_double(e, a, v); }
static bool cvt_int(fpenv_t *e, float80_t a, unsigned bits, uint64_t *v)
{
    int64_t n;
    bool ok = fp_to_int(e, a, bits, &n);
    *v = (uint64_t)n;
    return ok;
}

FPU_HANDLER(fpu_fst_m32) { store_value(cpu, i, false, 0xFFC00000u, st_m32, cvt_single, 0); }
FPU_HANDLER(fpu_fstp_m32) { store_value(cpu, i, true, 0xFFC00000u, st_m32, cvt_single, 0); }
FPU_HANDLER(fpu_fst_m64) { store_value(cpu, i, false, 0xFFF8000000000000ull, st_m64, cvt_double, 0); }
FPU_HANDLER(fpu_fstp_m64) { store_value(cpu, i, true, 0xFFF8000000000000ull, st_m64, cvt_double, 0); }
FPU_HANDLER(fpu_fist_m16) { store_value(cpu, i, false, 0x8000, st_m16, cvt_int, 16); }
FPU_HANDLER(fpu_fistp_m16) { store_value(cpu, i, true, 0x8000, st_m16, cvt_int, 16); }
FPU_HANDLER(fpu_fist_m32) { store_value(cpu, i, false, 0x80000000u, st_m32, cvt_int, 32); }
FPU_HANDLER(fpu_fistp_m32) { store_value(cpu, i, true, 0x80000000u, st_m32, cvt_int, 32); }
FPU_HANDLER(fpu_fistp_m64) { store_value(cpu, i, true, 0x8000000000000000ull, st_m64, cvt_int, 64); }

FPU_HANDLER(fpu_fstp_m80)
{
    FPU_BEGIN(cpu);
    bool empty = fpu_empty(cpu, 0);
    if (!empty || (cpu->fpu.cw & FSW_IE))
        fpu_wr80(cpu, i->seg, ea_offset(cpu, i), empty ? F80_INDEFINITE : *fpu_st(cpu, 0));
    fpu_note_insn(cpu, i);
    if (empty && !fpu_stack_underflow(cpu))
        return;
    if (!empty)
        cpu->fpu.sw &= (uint16_t)~FSW_C1;
    fpu_pop(cpu);
}

FPU_HANDLER(fpu_fbstp)
{
    FPU_BEGIN(cpu);
    uint8_t bcd[10];
    fpenv_t e = fpu_env(cpu);
    bool empty = fpu_empty(cpu, 0);
    bool ok;
    if (empty) {
        memcpy(bcd, fp_bcd_indefinite, 10);
        ok = (cpu->fpu.cw & FSW_IE) != 0;
    } else {
        ok = fp_to_bcd(&e, *fpu_st(cpu, 0), bcd);
    }
    if (ok)
        wr_bytes(cpu, i, bcd, 10, 1);
    fpu_note_insn(cpu, i);
    if (empty) {
        if (fpu_stack_underflow(cpu))
            fpu_pop(cpu);
        return;
    }
    fpu_flags(cpu, &e);
    if (ok)
        fpu_pop(cpu);
}

/* FST/FSTP ST(i): a plain copy, no conversion and no exceptions. */
static inline void store_reg(cpu_t *cpu, const insn_t *i, bool pop)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (fpu_empty(cpu, 0)) {
        if (!fpu_stack_underflow(cpu))
            return;
        fpu_write(cpu, i->rm, F80_INDEFINITE);
    } else {
        cpu->fpu.sw &= (uint16_t)~FSW_C1;
        fpu_write(cpu, i->rm, *fpu_st(cpu, 0));
    }
    if (pop)
        fpu_pop(cpu);
}
FPU_HANDLER(fpu_fst_sti) { store_reg(cpu, i, false); }
FPU_HANDLER(fpu_fstp_sti) { store_reg(cpu, i, true); }

/* D9 D8+i, the undocumented FSTP1: FSTP ST(i), except that an empty ST(0)
 * is no stack fault: ST(i) is left as it was and the pop still happens. */
FPU_HANDLER(fpu_fstp1)
{
    FPU_BEGIN(cpu);
    fpu_note_insn(cpu, i);
    if (!fpu_empty(cpu, 0))
        fpu_write(cpu, i->rm, *fpu_st(cpu, 0));
    cpu->fpu.sw &= (uint16_t)~FSW_C1;
    fpu_pop(cpu);
}

/* ---------------------------------------------------------------- environment */

/* Real and V86 mode use the real-mode layouts, with 20/32-bit linear
 * pointers in place of selector:offset. */
static bool real_layout(const cpu_t *cpu) { return !cpu_is_protected(cpu) || cpu_is_v86(cpu); }

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

/* The environment and state areas are aligned by the operand size. */
static unsigned env_align(const insn_t *i) { return o32(i) ? 4 : 2; }

/* The environment image (14 or 28 bytes) of the current state. */
static unsigned env_image(cpu_t *cpu, bool o32, uint8_t *p)
{
    fpu_t *f = &cpu->fpu;
    uint16_t words[3] = {f->cw, fpu_status_word(f), f->tw};
    bool real = real_layout(cpu);
    uint32_t ip = real ? ((uint32_t)f->fcs << 4) + f->fip : f->fip;
    uint32_t dp = real ? ((uint32_t)f->fds << 4) + f->fdp : f->fdp;
    if (!o32) {
        for (int k = 0; k < 3; k++)
            put16(p + 2 * k, words[k]);
        put16(p + 6, ip);
        put16(p + 8, real ? ((ip >> 16) & 0xF) << 12 | f->fop : f->fcs);
        put16(p + 10, dp);
        put16(p + 12, real ? ((dp >> 16) & 0xF) << 12 : f->fds);
        return 14;
    }
    for (int k = 0; k < 3; k++)
        put32(p + 4 * k, 0xFFFF0000u | words[k]);
    if (real) {
        put32(p + 12, 0xFFFF0000u | (ip & 0xFFFF));
        put32(p + 16, (ip >> 16) << 12 | f->fop);
        put32(p + 20, 0xFFFF0000u | (dp & 0xFFFF));
        put32(p + 24, (dp >> 16) << 12);
    } else {
        put32(p + 12, ip);
        put32(p + 16, (uint32_t)f->fop << 16 | f->fcs);
        put32(p + 20, dp);
        put32(p + 24, 0xFFFF0000u | f->fds);
    }
    return 28;
}

/* Loads an environment image; the registers must already be in place
 * (the tags are recomputed from them). */
static void load_env_image(cpu_t *cpu, bool o32, const uint8_t *p)
{
    fpu_t *f = &cpu->fpu;
    unsigned w = o32 ? 4 : 2;
    uint16_t sw = (uint16_t)get16(p + w);
    f->cw = (uint16_t)((get16(p) & 0x1F7F) | 0x0040);
    f->sw = sw & (uint16_t)~(FSW_TOP | FSW_ES | FSW_B);
    f->top = (sw >> 11) & 7;
    fpu_load_tags(f, (uint16_t)get16(p + 2 * w));
    if (real_layout(cpu)) {
        uint32_t hi_ip = o32 ? (get32(p + 16) >> 12) & 0xFFFF : (get16(p + 8) >> 12);
        uint32_t hi_dp = o32 ? (get32(p + 24) >> 12) & 0xFFFF : (get16(p + 12) >> 12);
        f->fip = get16(p + 3 * w) | hi_ip << 16;
        f->fop = (uint16_t)(get16(p + 4 * w) & 0x7FF);
        f->fdp = get16(p + 5 * w) | hi_dp << 16;
        f->fcs = f->fds = 0;
    } else if (o32) {
        f->fip = get32(p + 12);
        f->fcs = (uint16_t)get16(p + 16);
        f->fop = (uint16_t)(get16(p + 18) & 0x7FF);
        f->fdp = get32(p + 20);
        f->fds = (uint16_t)get16(p + 24);
    } else { /* the 16-bit protected-mode image has no opcode field */
        f->fip = get16(p + 6);
        f->fcs = (uint16_t)get16(p + 8);
        f->fop = 0;
        f->fdp = get16(p + 10);
        f->fds = (uint16_t)get16(p + 12);
    }
    fpu_update_ferr(cpu);
}

FPU_HANDLER(fpu_fnstenv)
{
    fpu_nowait_check(cpu);
    uint8_t img[28];
    unsigned n = env_image(cpu, o32(i), img);
    wr_bytes(cpu, i, img, n, env_align(i));
    cpu->fpu.cw |= FSW_EXC; /* FSTENV leaves every exception masked */
    fpu_update_ferr(cpu);
}

FPU_HANDLER(fpu_fldenv)
{
    FPU_BEGIN(cpu);
    uint8_t img[28];
    rd_bytes(cpu, i, img, o32(i) ? 28 : 14, env_align(i));
    load_env_image(cpu, o32(i), img);
}

FPU_HANDLER(fpu_fnsave)
{
    fpu_nowait_check(cpu);
    uint8_t img[108];
    unsigned n = env_image(cpu, o32(i), img);
    for (unsigned k = 0; k < 8; k++) {
        float80_t v = *fpu_st(cpu, k);
        memcpy(img + n + 10 * k, &v.mant, 8);
        put16(img + n + 10 * k + 8, v.sign_exp);
    }
    wr_bytes(cpu, i, img, n + 80, env_align(i));
    fpu_init_state(&cpu->fpu);
    fpu_update_ferr(cpu);
}

FPU_HANDLER(fpu_frstor)
{
    FPU_BEGIN(cpu);
    uint8_t img[108];
    unsigned n = o32(i) ? 28 : 14;
    rd_bytes(cpu, i, img, n + 80, env_align(i));
    /* ST(k) is relative to the TOP of the image. */
    unsigned top = (get16(img + (o32(i) ? 4 : 2)) >> 11) & 7;
    for (unsigned k = 0; k < 8; k++) {
        float80_t *r = &cpu->fpu.st[(top + k) & 7];
        memcpy(&r->mant, img + n + 10 * k, 8);
        r->sign_exp = (uint16_t)get16(img + n + 10 * k + 8);
    }
    load_env_image(cpu, o32(i), img);
}

/* ---------------------------------------------------------------- FXSAVE / FXRSTOR */

/* The 512-byte area must be 16-byte aligned (#GP(0) otherwise, even with
 * alignment checking on: #AC is for word to qword data, SDM vol. 3, 6.15
 * "Interrupt 17"; the FXSAVE page lets either be raised).  Without
 * SSE on this CPU, MXCSR and the XMM area are neither written nor read. */
#define FXSAVE_X87_BYTES 160

static uint32_t fx_area(cpu_t *cpu, const insn_t *i, unsigned right)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), 512, right);
    if (lin & 15)
        cpu_exception(cpu, EXC_GP, 0);
    return lin;
}

FPU_HANDLER(fpu_fxsave)
{
    fpu_nowait_check(cpu);
    fpu_t *f = &cpu->fpu;
    uint32_t lin = fx_area(cpu, i, SEG_RIGHT_W);
    uint8_t img[FXSAVE_X87_BYTES];
    memset(img, 0, sizeof img);
    put16(img, f->cw);
    put16(img + 2, fpu_status_word(f));
    for (unsigned r = 0; r < 8; r++)
        if (((f->tw >> (2 * r)) & 3) != TAG_EMPTY)
            img[4] |= (uint8_t)(1u << r);
    put16(img + 6, f->fop);
    put32(img + 8, f->fip);
    put16(img + 12, f->fcs);
    put32(img + 16, f->fdp);
    put16(img + 20, f->fds);
    for (unsigned k = 0; k < 8; k++) {
        float80_t v = *fpu_st(cpu, k);
        memcpy(img + 32 + 16 * k, &v.mant, 8);
        put16(img + 40 + 16 * k, v.sign_exp);
    }
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, 512);
    for (unsigned k = 0; k < FXSAVE_X87_BYTES; k++) {
        if (k == 24) /* MXCSR, MXCSR_MASK: no SSE here */
            k = 32;
        mmu_write8(&cpu->mmu, cpu->mmu.cur, lin + k, img[k]);
    }
}

FPU_HANDLER(fpu_fxrstor)
{
    fpu_nowait_check(cpu);
    fpu_t *f = &cpu->fpu;
    uint32_t lin = fx_area(cpu, i, SEG_RIGHT_R);
    uint8_t img[FXSAVE_X87_BYTES];
    for (unsigned k = 0; k < FXSAVE_X87_BYTES; k++)
        img[k] = mmu_read8(&cpu->mmu, cpu->mmu.cur, lin + k);
    uint16_t sw = (uint16_t)get16(img + 2);
    f->cw = (uint16_t)((get16(img) & 0x1F7F) | 0x0040);
    f->sw = sw & (uint16_t)~(FSW_TOP | FSW_ES | FSW_B);
    f->top = (sw >> 11) & 7;
    for (unsigned k = 0; k < 8; k++) {
        float80_t *r = &f->st[(f->top + k) & 7];
        memcpy(&r->mant, img + 32 + 16 * k, 8);
        r->sign_exp = (uint16_t)get16(img + 40 + 16 * k);
    }
    uint16_t tw = 0;
    for (unsigned r = 0; r < 8; r++)
        if (!(img[4] & (1u << r)))
            tw |= (uint16_t)(TAG_EMPTY << (2 * r));
    fpu_load_tags(f, tw);
    f->fop = (uint16_t)(get16(img + 6) & 0x7FF);
    f->fip = get32(img + 8);
    f->fcs = (uint16_t)get16(img + 12);
    f->fdp = get32(img + 16);
    f->fds = (uint16_t)get16(img + 20);
    fpu_update_ferr(cpu);
}
