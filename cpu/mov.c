/* Data movement: MOV in its register, memory, immediate, moffs and segment
 * forms, LEA, MOVZX and MOVSX; the exchanges XCHG, XADD, CMPXCHG and
 * CMPXCHG8B; CMOVcc; the far-pointer loads LDS LES LFS LGS LSS; CBW/CWDE,
 * CWD/CDQ, LAHF, SAHF and XLAT.
 */
#include "exec.h"

/* MOV Eb,Gb / Ev,Gv: store a register. */
static void mov_EbGb_r(cpu_t *c, const insn_t *i) { set_r8(c, i->rm, get_r8(c, i->reg)); run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EbGb_m, 1, get_r8(c, i->reg))
static void mov_EwGw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->rm, get_r16(c, i->reg)); run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EwGw_m, 2, get_r16(c, i->reg))
static void mov_EdGd_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = c->gpr[i->reg]; run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EdGd_m, 4, c->gpr[i->reg])

/* MOV Gb,Eb / Gv,Ev: load a register. */
static void mov_GbEb_r(cpu_t *c, const insn_t *i) { set_r8(c, i->reg, get_r8(c, i->rm)); run_next(c, i); }
DEFINE_LOAD_HANDLER(mov_GbEb_m, 1, set_r8(c, i->reg, (uint8_t)v))
static void mov_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); run_next(c, i); }
DEFINE_LOAD_HANDLER(mov_GwEw_m, 2, set_r16(c, i->reg, (uint16_t)v))
static void mov_GdEd_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = c->gpr[i->rm]; run_next(c, i); }
DEFINE_LOAD_HANDLER(mov_GdEd_m, 4, c->gpr[i->reg] = v)

/* MOV with an immediate. */
static void mov_EbI_r(cpu_t *c, const insn_t *i) { set_r8(c, i->rm, (uint8_t)i->imm); run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EbI_m, 1, i->imm)
static void mov_EwI_r(cpu_t *c, const insn_t *i) { set_r16(c, i->rm, (uint16_t)i->imm); run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EwI_m, 2, i->imm)
static void mov_EdI_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = i->imm; run_next(c, i); }
DEFINE_STORE_HANDLER(mov_EdI_m, 4, i->imm)
static void mov_ZbI(cpu_t *c, const insn_t *i) { set_r8(c, i->reg, (uint8_t)i->imm); run_next(c, i); }
static void mov_ZwI(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)i->imm); run_next(c, i); }
static void mov_ZdI(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = i->imm; run_next(c, i); }

/* MOV between the accumulator and a memory offset (A0-A3): the offset is
 * in disp, the segment in seg (DS unless overridden). */
static void mov_AL_O(cpu_t *c, const insn_t *i) { set_r8(c, R_EAX, rd8(c, i->seg, i->disp)); run_next(c, i); }
static void mov_AX_O(cpu_t *c, const insn_t *i) { set_r16(c, R_EAX, rd16(c, i->seg, i->disp)); run_next(c, i); }
static void mov_EAX_O(cpu_t *c, const insn_t *i) { c->gpr[R_EAX] = rd32(c, i->seg, i->disp); run_next(c, i); }
static void mov_O_AL(cpu_t *c, const insn_t *i) { wr8(c, i->seg, i->disp, get_r8(c, R_EAX)); run_next(c, i); }
static void mov_O_AX(cpu_t *c, const insn_t *i) { wr16(c, i->seg, i->disp, get_r16(c, R_EAX)); run_next(c, i); }
static void mov_O_EAX(cpu_t *c, const insn_t *i) { wr32(c, i->seg, i->disp, c->gpr[R_EAX]); run_next(c, i); }

/* Segment register numbers 6 and 7 do not exist: #UD. */
static void check_sreg(cpu_t *cpu, const insn_t *i)
{
    if (i->reg > SEG_GS)
        cpu_exception(cpu, EXC_UD, 0);
}

/* MOV Ew,Sw: a register destination with 32-bit operand size is
 * zero-extended (P6 behaviour); memory always takes 16 bits. */
static void mov_EwSw_r16(cpu_t *c, const insn_t *i) { check_sreg(c, i); set_r16(c, i->rm, c->seg[i->reg].sel); run_next(c, i); }
static void mov_EwSw_r32(cpu_t *c, const insn_t *i) { check_sreg(c, i); c->gpr[i->rm] = c->seg[i->reg].sel; run_next(c, i); }
static void mov_EwSw_m(cpu_t *c, const insn_t *i) { check_sreg(c, i); ea_wr16(c, i, c->seg[i->reg].sel); run_next(c, i); }

/* MOV Sw,Ew: CS cannot be loaded this way; loading SS holds off
 * interrupts (and single-step traps) for one instruction. */
static void mov_sreg(cpu_t *cpu, const insn_t *i, uint16_t sel)
{
    seg_load(cpu, i->reg, sel);
    if (i->reg == SEG_SS) {
        cpu->irq_inhibit = true;
        cpu->suppress_tf = true;
    }
}
static void check_sreg_dest(cpu_t *cpu, const insn_t *i)
{
    if (i->reg == SEG_CS || i->reg > SEG_GS)
        cpu_exception(cpu, EXC_UD, 0);
}
static void mov_SwEw_r(cpu_t *c, const insn_t *i) { check_sreg_dest(c, i); mov_sreg(c, i, get_r16(c, i->rm)); run_next(c, i); }
static void mov_SwEw_m(cpu_t *c, const insn_t *i) { check_sreg_dest(c, i); mov_sreg(c, i, (uint16_t)ea_rd16(c, i)); run_next(c, i); }

/* LEA: the offset itself; a register operand is invalid. */
static void lea_w(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_offset(c, i)); run_next(c, i); }
static void lea_d(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = ea_offset(c, i); run_next(c, i); }
/* For a 32-bit address of a base and a displacement (opdef_t.fn_bd). */
static void lea_w_bd(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)(c->gpr[i->base] + i->disp)); run_next(c, i); }
static void lea_d_bd(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = c->gpr[i->base] + i->disp; run_next(c, i); }

/* MOVZX / MOVSX. */
static void movzx_GwEb_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r8(c, i->rm)); run_next(c, i); }
DEFINE_LOAD_HANDLER(movzx_GwEb_m, 1, set_r16(c, i->reg, (uint16_t)v))
static void movzx_GdEb_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = get_r8(c, i->rm); run_next(c, i); }
DEFINE_LOAD_HANDLER(movzx_GdEb_m, 1, c->gpr[i->reg] = v)
static void movzx_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); run_next(c, i); }
DEFINE_LOAD_HANDLER(movzx_GwEw_m, 2, set_r16(c, i->reg, (uint16_t)v))
static void movzx_GdEw_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = get_r16(c, i->rm); run_next(c, i); }
DEFINE_LOAD_HANDLER(movzx_GdEw_m, 2, c->gpr[i->reg] = v)
static void movsx_GwEb_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)sext(get_r8(c, i->rm), 8)); run_next(c, i); }
DEFINE_LOAD_HANDLER(movsx_GwEb_m, 1, set_r16(c, i->reg, (uint16_t)sext(v, 8)))
static void movsx_GdEb_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(get_r8(c, i->rm), 8); run_next(c, i); }
DEFINE_LOAD_HANDLER(movsx_GdEb_m, 1, c->gpr[i->reg] = sext(v, 8))
static void movsx_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); run_next(c, i); }
DEFINE_LOAD_HANDLER(movsx_GwEw_m, 2, set_r16(c, i->reg, (uint16_t)v))
static void movsx_GdEw_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(get_r16(c, i->rm), 16); run_next(c, i); }
DEFINE_LOAD_HANDLER(movsx_GdEw_m, 2, c->gpr[i->reg] = sext(v, 16))

/* ---------------------------------------------------------------- exchanges */

/* Read-modify-write steps (see RMW_MEM) that hand the old memory value back
 * through their argument. */
static inline uint32_t swap_in(cpu_t *cpu, uint32_t old, uint32_t *val)
{
    (void)cpu;
    uint32_t v = *val;
    *val = old;
    return v;
}
#define DEFINE_XADD_STEP(bits)                                                                     \
    static inline uint32_t xadd##bits(cpu_t *cpu, uint32_t dest, uint32_t *src)                    \
    {                                                                                              \
        uint32_t r = dest + *src;                                                                  \
        flags_add(cpu, dest, *src, r, bits);                                                       \
        *src = dest;                                                                               \
        return r;                                                                                  \
    }
DEFINE_XADD_STEP(8)
DEFINE_XADD_STEP(16)
DEFINE_XADD_STEP(32)

/* CMPXCHG compares the accumulator with the destination: equal stores the
 * source, unequal loads the accumulator (and memory is written back
 * unchanged, so a read-only destination faults either way). */
typedef struct cmpxchg_args {
    uint32_t acc, src;
    bool equal;
} cmpxchg_args_t;
#define DEFINE_CMPXCHG_STEP(bits)                                                                  \
    static inline uint32_t cmpxchg##bits(cpu_t *cpu, uint32_t dest, cmpxchg_args_t *a)            \
    {                                                                                              \
        flags_sub(cpu, a->acc, dest, a->acc - dest, bits);                                         \
        a->equal = a->acc == dest;                                                                 \
        if (a->equal)                                                                              \
            return a->src;                                                                         \
        a->acc = dest;                                                                             \
        return dest;                                                                               \
    }
DEFINE_CMPXCHG_STEP(8)
DEFINE_CMPXCHG_STEP(16)
DEFINE_CMPXCHG_STEP(32)

static void xchg_EbGb_r(cpu_t *c, const insn_t *i)
{
    uint8_t v = get_r8(c, i->rm);
    set_r8(c, i->rm, get_r8(c, i->reg));
    set_r8(c, i->reg, v);
    run_next(c, i);
}
static void xchg_EwGw_r(cpu_t *c, const insn_t *i)
{
    uint16_t v = get_r16(c, i->rm);
    set_r16(c, i->rm, get_r16(c, i->reg));
    set_r16(c, i->reg, v);
    run_next(c, i);
}
static void xchg_EdGd_r(cpu_t *c, const insn_t *i)
{
    uint32_t v = c->gpr[i->rm];
    c->gpr[i->rm] = c->gpr[i->reg];
    c->gpr[i->reg] = v;
    run_next(c, i);
}
static void xchg_EbGb_m(cpu_t *c, const insn_t *i) { uint32_t v = get_r8(c, i->reg); RMW_MEM(c, i, 1, swap_in, &v); set_r8(c, i->reg, (uint8_t)v); run_next(c, i); }
static void xchg_EwGw_m(cpu_t *c, const insn_t *i) { uint32_t v = get_r16(c, i->reg); RMW_MEM(c, i, 2, swap_in, &v); set_r16(c, i->reg, (uint16_t)v); run_next(c, i); }
static void xchg_EdGd_m(cpu_t *c, const insn_t *i) { uint32_t v = c->gpr[i->reg]; RMW_MEM(c, i, 4, swap_in, &v); c->gpr[i->reg] = v; run_next(c, i); }
/* 91-97: XCHG eAX with the register in the opcode (90 is NOP). */
static void xchg_Zw(cpu_t *c, const insn_t *i)
{
    uint16_t v = get_r16(c, i->reg);
    set_r16(c, i->reg, get_r16(c, R_EAX));
    set_r16(c, R_EAX, v);
    run_next(c, i);
}
static void xchg_Zd(cpu_t *c, const insn_t *i)
{
    uint32_t v = c->gpr[i->reg];
    c->gpr[i->reg] = c->gpr[R_EAX];
    c->gpr[R_EAX] = v;
    run_next(c, i);
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (so with one register
 * as both operands, the sum wins). */
static void xadd_EbGb_r(cpu_t *c, const insn_t *i)
{
    uint32_t src = get_r8(c, i->reg);
    uint32_t r = xadd8(c, get_r8(c, i->rm), &src);
    set_r8(c, i->reg, (uint8_t)src);
    set_r8(c, i->rm, (uint8_t)r);
}
static void xadd_EwGw_r(cpu_t *c, const insn_t *i)
{
    uint32_t src = get_r16(c, i->reg);
    uint32_t r = xadd16(c, get_r16(c, i->rm), &src);
    set_r16(c, i->reg, (uint16_t)src);
    set_r16(c, i->rm, (uint16_t)r);
}
static void xadd_EdGd_r(cpu_t *c, const insn_t *i)
{
    uint32_t src = c->gpr[i->reg];
    uint32_t r = xadd32(c, c->gpr[i->rm], &src);
    c->gpr[i->reg] = src;
    c->gpr[i->rm] = r;
}
static void xadd_EbGb_m(cpu_t *c, const insn_t *i) { uint32_t v = get_r8(c, i->reg); RMW_MEM(c, i, 1, xadd8, &v); set_r8(c, i->reg, (uint8_t)v); run_next(c, i); }
static void xadd_EwGw_m(cpu_t *c, const insn_t *i) { uint32_t v = get_r16(c, i->reg); RMW_MEM(c, i, 2, xadd16, &v); set_r16(c, i->reg, (uint16_t)v); run_next(c, i); }
static void xadd_EdGd_m(cpu_t *c, const insn_t *i) { uint32_t v = c->gpr[i->reg]; RMW_MEM(c, i, 4, xadd32, &v); c->gpr[i->reg] = v; run_next(c, i); }

static void cmpxchg_EbGb_r(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {get_r8(c, R_EAX), get_r8(c, i->reg), false};
    set_r8(c, i->rm, (uint8_t)cmpxchg8(c, get_r8(c, i->rm), &a));
    if (!a.equal)
        set_r8(c, R_EAX, (uint8_t)a.acc);
}
static void cmpxchg_EwGw_r(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {get_r16(c, R_EAX), get_r16(c, i->reg), false};
    set_r16(c, i->rm, (uint16_t)cmpxchg16(c, get_r16(c, i->rm), &a));
    if (!a.equal)
        set_r16(c, R_EAX, (uint16_t)a.acc);
}
static void cmpxchg_EdGd_r(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {c->gpr[R_EAX], c->gpr[i->reg], false};
    c->gpr[i->rm] = cmpxchg32(c, c->gpr[i->rm], &a);
    if (!a.equal)
        c->gpr[R_EAX] = a.acc;
}
static void cmpxchg_EbGb_m(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {get_r8(c, R_EAX), get_r8(c, i->reg), false};
    RMW_MEM(c, i, 1, cmpxchg8, &a);
    if (!a.equal)
        set_r8(c, R_EAX, (uint8_t)a.acc);
}
static void cmpxchg_EwGw_m(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {get_r16(c, R_EAX), get_r16(c, i->reg), false};
    RMW_MEM(c, i, 2, cmpxchg16, &a);
    if (!a.equal)
        set_r16(c, R_EAX, (uint16_t)a.acc);
}
static void cmpxchg_EdGd_m(cpu_t *c, const insn_t *i)
{
    cmpxchg_args_t a = {c->gpr[R_EAX], c->gpr[i->reg], false};
    RMW_MEM(c, i, 4, cmpxchg32, &a);
    if (!a.equal)
        c->gpr[R_EAX] = a.acc;
}

/* CMPXCHG8B m64: EDX:EAX against memory; only ZF changes.  The operand is
 * always written (back unchanged when unequal). */
static void cmpxchg8b(cpu_t *cpu, const insn_t *i)
{
    uint32_t lin = seg_linear(cpu, i->seg, ea_offset(cpu, i), 8, SEG_RIGHT_W);
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, lin, 8); /* #AC before #PF */
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, 8);
    uint64_t m = mmu_read64(&cpu->mmu, cpu->mmu.cur, lin);
    uint64_t expect = (uint64_t)cpu->gpr[R_EDX] << 32 | cpu->gpr[R_EAX];
    bool equal = m == expect;
    mmu_write64(&cpu->mmu, cpu->mmu.cur, lin, equal ? (uint64_t)cpu->gpr[R_ECX] << 32 | cpu->gpr[R_EBX] : m);
    if (!equal) {
        cpu->gpr[R_EAX] = (uint32_t)m;
        cpu->gpr[R_EDX] = (uint32_t)(m >> 32);
    }
    flags_set_zf(cpu, equal);
}

/* ---------------------------------------------------------------- CMOVcc */

/* A memory source is read (and may fault) whatever the condition. */
static void cmov_GwEw_r(cpu_t *c, const insn_t *i) { if (cond_true(c, i->op & 15)) set_r16(c, i->reg, get_r16(c, i->rm)); run_next(c, i); }
static void cmov_GdEd_r(cpu_t *c, const insn_t *i) { if (cond_true(c, i->op & 15)) c->gpr[i->reg] = c->gpr[i->rm]; run_next(c, i); }
static void cmov_GwEw_m(cpu_t *c, const insn_t *i)
{
    uint16_t v = (uint16_t)ea_rd16(c, i);
    if (cond_true(c, i->op & 15))
        set_r16(c, i->reg, v);
    run_next(c, i);
}
static void cmov_GdEd_m(cpu_t *c, const insn_t *i)
{
    uint32_t v = ea_rd32(c, i);
    if (cond_true(c, i->op & 15))
        c->gpr[i->reg] = v;
    run_next(c, i);
}

/* ---------------------------------------------------------------- far pointers */

/* LDS LES LFS LGS LSS: offset then selector from memory; the segment load
 * (with its protected-mode checks) happens before the register changes. */
static void load_far(cpu_t *cpu, const insn_t *i, int s)
{
    uint32_t off = ea_offset(cpu, i);
    unsigned size = o32(i) ? 4 : 2;
    uint32_t v = rd_sized(cpu, i->seg, off, size);
    uint16_t sel = rd16(cpu, i->seg, off + size);
    seg_load(cpu, s, sel);
    if (size == 4)
        cpu->gpr[i->reg] = v;
    else
        set_r16(cpu, i->reg, (uint16_t)v);
}
static void les(cpu_t *c, const insn_t *i) { load_far(c, i, SEG_ES); run_next(c, i); }
static void lds(cpu_t *c, const insn_t *i) { load_far(c, i, SEG_DS); run_next(c, i); }
static void lss(cpu_t *c, const insn_t *i) { load_far(c, i, SEG_SS); run_next(c, i); }
static void lfs(cpu_t *c, const insn_t *i) { load_far(c, i, SEG_FS); run_next(c, i); }
static void lgs(cpu_t *c, const insn_t *i) { load_far(c, i, SEG_GS); run_next(c, i); }

/* ---------------------------------------------------------------- accumulator */

static void cbw(cpu_t *c, const insn_t *i) { set_r16(c, R_EAX, (uint16_t)sext(get_r8(c, R_EAX), 8)); run_next(c, i); }
static void cwde(cpu_t *c, const insn_t *i) { c->gpr[R_EAX] = sext(get_r16(c, R_EAX), 16); run_next(c, i); }
static void cwd(cpu_t *c, const insn_t *i) { set_r16(c, R_EDX, (get_r16(c, R_EAX) & 0x8000) ? 0xFFFF : 0); run_next(c, i); }
static void cdq(cpu_t *c, const insn_t *i) { c->gpr[R_EDX] = (c->gpr[R_EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0; run_next(c, i); }

/* LAHF: AH = SF ZF 0 AF 0 PF 1 CF.  SAHF loads those five flags from AH. */
#define AH_FLAGS (FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF)
static void lahf(cpu_t *c, const insn_t *i) { set_r8(c, 4, (uint8_t)((flags_arith(c) & AH_FLAGS) | 2)); run_next(c, i); }
static void sahf(cpu_t *c, const insn_t *i) { flags_load(c, (flags_arith(c) & FLAG_OF) | (get_r8(c, 4) & AH_FLAGS)); run_next(c, i); }

/* XLAT: AL = [seg:eBX + AL] (DS unless overridden). */
static void xlat(cpu_t *cpu, const insn_t *i)
{
    uint32_t off = cpu->gpr[R_EBX] + get_r8(cpu, R_EAX);
    set_r8(cpu, R_EAX, rd8(cpu, i->seg, a32(i) ? off : off & 0xFFFF));
}

const opdef_t mov_ops[] = {
    {0x88, -1, -1, 0, 0, "mov", "Eb,Gb", 0, HR_BD(mov_EbGb_r, mov_EbGb_m)},
    {0x89, -1, -1, 0, 0, "mov", "Ev,Gv", 0, HRS_BD(mov_EwGw_r, mov_EdGd_r, mov_EwGw_m, mov_EdGd_m)},
    {0x8A, -1, -1, 0, 0, "mov", "Gb,Eb", 0, HR_BD(mov_GbEb_r, mov_GbEb_m)},
    {0x8B, -1, -1, 0, 0, "mov", "Gv,Ev", 0, HRS_BD(mov_GwEw_r, mov_GdEd_r, mov_GwEw_m, mov_GdEd_m)},
    {0x8C, -1, -1, 0, 0, "mov", "Ev,Sw", 0, HRS(mov_EwSw_r16, mov_EwSw_r32, mov_EwSw_m, mov_EwSw_m)},
    {0x8D, -1, -1, OPMOD_MEM, 0, "lea", "Gv,M", 0, HS_BD(lea_w, lea_d)},
    {0x8E, -1, -1, 0, 0, "mov", "Sw,Ew", 0, HR(mov_SwEw_r, mov_SwEw_m)},
    {0xA0, -1, -1, 0, 0, "mov", "AL,Ob", 0, H(mov_AL_O)},
    {0xA1, -1, -1, 0, 0, "mov", "eAX,Ov", 0, HS(mov_AX_O, mov_EAX_O)},
    {0xA2, -1, -1, 0, 0, "mov", "Ob,AL", 0, H(mov_O_AL)},
    {0xA3, -1, -1, 0, 0, "mov", "Ov,eAX", 0, HS(mov_O_AX, mov_O_EAX)},
    {0xB0, -1, -1, 0, 0, "mov", "Zb,Ib", 0, H(mov_ZbI)},
    {0xB8, -1, -1, 0, 0, "mov", "Zv,Iz", 0, HS(mov_ZwI, mov_ZdI)},
    {0xC6, 0, -1, 0, 0, "mov", "Eb,Ib", 0, HR_BD(mov_EbI_r, mov_EbI_m)},
    {0xC7, 0, -1, 0, 0, "mov", "Ev,Iz", 0, HRS_BD(mov_EwI_r, mov_EdI_r, mov_EwI_m, mov_EdI_m)},
    {0x1B6, -1, -1, 0, 0, "movzx", "Gv,Eb", 0, HRS_BD(movzx_GwEb_r, movzx_GdEb_r, movzx_GwEb_m, movzx_GdEb_m)},
    {0x1B7, -1, -1, 0, 0, "movzx", "Gv,Ew", 0, HRS_BD(movzx_GwEw_r, movzx_GdEw_r, movzx_GwEw_m, movzx_GdEw_m)},
    {0x1BE, -1, -1, 0, 0, "movsx", "Gv,Eb", 0, HRS_BD(movsx_GwEb_r, movsx_GdEb_r, movsx_GwEb_m, movsx_GdEb_m)},
    {0x1BF, -1, -1, 0, 0, "movsx", "Gv,Ew", 0, HRS_BD(movsx_GwEw_r, movsx_GdEw_r, movsx_GwEw_m, movsx_GdEw_m)},
    {0x86, -1, -1, 0, 0, "xchg", "Eb,Gb", OPF_LOCKABLE, HR(xchg_EbGb_r, xchg_EbGb_m)},
    {0x87, -1, -1, 0, 0, "xchg", "Ev,Gv", OPF_LOCKABLE, HRS(xchg_EwGw_r, xchg_EdGd_r, xchg_EwGw_m, xchg_EdGd_m)},
    {0x91, -1, -1, 0, 7, "xchg", "Zv,eAX", 0, HS(xchg_Zw, xchg_Zd)},
    {0x1C0, -1, -1, 0, 0, "xadd", "Eb,Gb", OPF_LOCKABLE, HR(xadd_EbGb_r, xadd_EbGb_m)},
    {0x1C1, -1, -1, 0, 0, "xadd", "Ev,Gv", OPF_LOCKABLE, HRS(xadd_EwGw_r, xadd_EdGd_r, xadd_EwGw_m, xadd_EdGd_m)},
    {0x1B0, -1, -1, 0, 0, "cmpxchg", "Eb,Gb", OPF_LOCKABLE, HR(cmpxchg_EbGb_r, cmpxchg_EbGb_m)},
    {0x1B1, -1, -1, 0, 0, "cmpxchg", "Ev,Gv", OPF_LOCKABLE,
     HRS(cmpxchg_EwGw_r, cmpxchg_EdGd_r, cmpxchg_EwGw_m, cmpxchg_EdGd_m)},
    {0x1C7, 1, -1, OPMOD_MEM, 0, "cmpxchg8b", "Mq", OPF_LOCKABLE, H(cmpxchg8b)},
    {0x140, -1, -1, 0, 16, "cmov%cc", "Gv,Ev", 0, HRS(cmov_GwEw_r, cmov_GdEd_r, cmov_GwEw_m, cmov_GdEd_m)},
    {0xC4, -1, -1, OPMOD_MEM, 0, "les", "Gv,Mp", 0, H(les)},
    {0xC5, -1, -1, OPMOD_MEM, 0, "lds", "Gv,Mp", 0, H(lds)},
    {0x1B2, -1, -1, OPMOD_MEM, 0, "lss", "Gv,Mp", 0, H(lss)},
    {0x1B4, -1, -1, OPMOD_MEM, 0, "lfs", "Gv,Mp", 0, H(lfs)},
    {0x1B5, -1, -1, OPMOD_MEM, 0, "lgs", "Gv,Mp", 0, H(lgs)},
    {0x98, -1, -1, 0, 0, "cbw/cwde", "", 0, HS(cbw, cwde)},
    {0x99, -1, -1, 0, 0, "cwd/cdq", "", 0, HS(cwd, cdq)},
    {0x9E, -1, -1, 0, 0, "sahf", "", 0, H(sahf)},
    {0x9F, -1, -1, 0, 0, "lahf", "", 0, H(lahf)},
    {0xD7, -1, -1, 0, 0, "xlat", "Xb", 0, H(xlat)}, /* X here is DS:eBX */
    {0},
};
