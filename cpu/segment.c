/* Segmentation: descriptor caches, loading segment registers in each mode
 * with the protected-mode checks, the limit/rights fast-path fields, and
 * segmented memory access helpers.
 */
#include "exec.h"

/* The rights and limits of seg_refresh in seg_linear's form. */
static void seg_spans(segment_t *sg)
{
    int64_t span = sg->lo <= sg->hi ? (int64_t)(sg->hi - sg->lo) : -1;
    sg->span_r = (sg->rights & SEG_RIGHT_R) ? span : -1;
    sg->span_w = (sg->rights & SEG_RIGHT_W) ? span : -1;
}

void seg_refresh(cpu_t *cpu, segment_t *sg, bool is_ss)
{
    (void)is_ss;
    bool prot = cpu_is_protected(cpu) && !cpu_is_v86(cpu);
    if ((sg->access & DESC_S) && !(sg->access & DESC_CODE) && (sg->access & DESC_EXPAND_DOWN)) {
        /* Expand-down data: valid offsets lie above the limit. */
        sg->lo = sg->limit + 1;
        sg->hi = (sg->flags & DESC_FLAG_DB) ? 0xFFFFFFFFu : 0xFFFFu;
        if (sg->lo == 0 && sg->limit != 0) /* limit 0xFFFFFFFF: nothing is valid */
            sg->lo = 0xFFFFFFFFu, sg->hi = 0;
    } else {
        sg->lo = 0;
        sg->hi = sg->limit;
    }
    if (!prot) {
        /* Real and V86 mode do not check types; the limit still applies. */
        sg->rights = SEG_RIGHT_R | SEG_RIGHT_W;
    } else if (!(sg->access & DESC_P) || !(sg->access & DESC_S)) {
        sg->rights = 0; /* the null selector, or not usable for data */
    } else if (sg->access & DESC_CODE) {
        sg->rights = (sg->access & DESC_READABLE) ? SEG_RIGHT_R : 0;
    } else {
        sg->rights = SEG_RIGHT_R | ((sg->access & DESC_WRITABLE) ? SEG_RIGHT_W : 0);
    }
    seg_spans(sg);
}

void cpu_load_seg_raw(cpu_t *cpu, int s, uint16_t sel, uint32_t base, uint32_t limit,
                      uint8_t access, uint8_t flags)
{
    segment_t *sg = &cpu->seg[s];
    sg->sel = sel;
    sg->base = base;
    sg->limit = limit;
    sg->access = access;
    sg->flags = flags;
    seg_refresh(cpu, sg, s == SEG_SS);
    if (s == SEG_CS || s == SEG_SS)
        cpu_update_mode(cpu);
}

void seg_load_real(cpu_t *cpu, int s, uint16_t sel)
{
    segment_t *sg = &cpu->seg[s];
    sg->sel = sel;
    sg->base = (uint32_t)sel << 4;
    if (cpu_is_v86(cpu)) {
        /* V86 mode: every load gives a 64 KiB, DPL 3, read/write segment. */
        sg->limit = 0xFFFF;
        sg->access = 0xF3;
        sg->flags = 0;
    }
    /* Real mode keeps the cached limit and attributes ("unreal mode"). */
    seg_refresh(cpu, sg, s == SEG_SS);
    if (s == SEG_CS || s == SEG_SS)
        cpu_update_mode(cpu);
}

/* ---------------------------------------------------------------- access */

uint32_t rd_sized(cpu_t *cpu, int s, uint32_t off, unsigned size)
{
    return lin_rd(cpu, seg_linear(cpu, s, off, size, SEG_RIGHT_R), size);
}

void wr_sized(cpu_t *cpu, int s, uint32_t off, uint32_t v, unsigned size)
{
    lin_wr(cpu, seg_linear(cpu, s, off, size, SEG_RIGHT_W), v, size);
}

void check_write(cpu_t *cpu, int s, uint32_t off, uint32_t len)
{
    if (len == 0)
        return;
    uint32_t lin = seg_linear(cpu, s, off, 1, SEG_RIGHT_W);
    seg_linear(cpu, s, off + len - 1, 1, SEG_RIGHT_W);
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, len);
}

NORETURN void seg_fault(cpu_t *cpu, int seg)
{
    cpu_exception(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
}

NORETURN void seg_check_failed(cpu_t *cpu, int seg, uint32_t off, unsigned size, unsigned right)
{
    cpu->seg_fault_info.seg = seg;
    cpu->seg_fault_info.offset = off;
    cpu->seg_fault_info.size = (uint8_t)size;
    cpu->seg_fault_info.right = (uint8_t)right;
    seg_fault(cpu, seg);
}

/* ---------------------------------------------------------------- descriptors */

uint32_t desc_base(desc_t d)
{
    return (d.lo >> 16) | ((d.hi & 0xFF) << 16) | (d.hi & 0xFF000000u);
}

uint32_t desc_limit(desc_t d)
{
    uint32_t limit = (d.lo & 0xFFFF) | (d.hi & 0xF0000u);
    if (d.hi & (1u << 23)) /* G: 4 KiB granularity */
        limit = (limit << 12) | 0xFFF;
    return limit;
}

uint8_t desc_access(desc_t d) { return (uint8_t)(d.hi >> 8); }
uint8_t desc_flags(desc_t d) { return (uint8_t)((d.hi >> 16) & 0xF0); }
unsigned desc_dpl(desc_t d) { return (d.hi >> 13) & 3; }

bool desc_read(cpu_t *cpu, uint16_t sel, desc_t *d)
{
    uint32_t base, limit;
    if (sel & 4) {
        if (!(cpu->ldtr.access & DESC_P) || (cpu->ldtr.sel & ~3u) == 0)
            return false;
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint32_t off = sel & ~7u;
    if (off + 7 > limit)
        return false;
    d->lo = sys_rd32(cpu, base + off);
    d->hi = sys_rd32(cpu, base + off + 4);
    return true;
}

void desc_set_accessed(cpu_t *cpu, uint16_t sel, desc_t *d)
{
    if (d->hi & (DESC_ACCESSED << 8))
        return;
    d->hi |= DESC_ACCESSED << 8;
    uint32_t base = (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
    sys_wr8(cpu, base + (sel & ~7u) + 5, desc_access(*d));
}

void seg_cache_from_desc(cpu_t *cpu, segment_t *sg, uint16_t sel, desc_t d, bool is_ss)
{
    sg->sel = sel;
    sg->base = desc_base(d);
    sg->limit = desc_limit(d);
    sg->access = desc_access(d);
    sg->flags = desc_flags(d);
    seg_refresh(cpu, sg, is_ss);
}

void seg_load_desc(cpu_t *cpu, int s, uint16_t sel, desc_t d)
{
    seg_cache_from_desc(cpu, &cpu->seg[s], sel, d, s == SEG_SS);
    if (s == SEG_CS || s == SEG_SS)
        cpu_update_mode(cpu);
}

void seg_load_null(cpu_t *cpu, int s, uint16_t sel)
{
    segment_t *sg = &cpu->seg[s];
    sg->sel = sel;
    sg->base = 0;
    sg->limit = 0;
    sg->access = 0;
    sg->flags = 0;
    seg_refresh(cpu, sg, s == SEG_SS);
}

/* Loads SS with the checks of MOV SS (vector #GP) or of a task switch
 * (vector #TS, `ext` the EXT bit); a descriptor that is not present gives
 * #SS either way. */
static void load_ss_checked(cpu_t *cpu, uint16_t sel, int vector, uint32_t ext)
{
    desc_t d;
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & ~3u) == 0 || !desc_read(cpu, sel, &d))
        cpu_exception(cpu, vector, err);
    uint8_t a = desc_access(d);
    if ((sel & 3) != cpu->cpl || desc_dpl(d) != cpu->cpl || !(a & DESC_S) || (a & DESC_CODE) ||
        !(a & DESC_WRITABLE))
        cpu_exception(cpu, vector, err);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_SS, err);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, SEG_SS, sel, d);
}

/* DS, ES, FS, GS: a null selector is allowed; the descriptor must be data
 * or readable code, and data or non-conforming code needs
 * DPL >= max(CPL, RPL).  Not present gives #NP. */
static void load_data_checked(cpu_t *cpu, int s, uint16_t sel, int vector, uint32_t ext)
{
    desc_t d;
    uint32_t err = (sel & 0xFFFC) | ext;
    if ((sel & ~3u) == 0) {
        seg_load_null(cpu, s, sel);
        return;
    }
    if (!desc_read(cpu, sel, &d))
        cpu_exception(cpu, vector, err);
    uint8_t a = desc_access(d);
    bool code = a & DESC_CODE;
    if (!(a & DESC_S) || (code && !(a & DESC_READABLE)))
        cpu_exception(cpu, vector, err);
    if ((!code || !(a & DESC_CONFORMING)) && ((sel & 3u) > desc_dpl(d) || cpu->cpl > desc_dpl(d)))
        cpu_exception(cpu, vector, err);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_NP, err);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, s, sel, d);
}

void seg_load_checked(cpu_t *cpu, int s, uint16_t sel, int vector, uint32_t ext)
{
    if (s == SEG_SS)
        load_ss_checked(cpu, sel, vector, ext);
    else
        load_data_checked(cpu, s, sel, vector, ext);
}

void seg_load(cpu_t *cpu, int s, uint16_t sel)
{
    if (!cpu_is_protected(cpu) || cpu_is_v86(cpu))
        seg_load_real(cpu, s, sel);
    else
        seg_load_checked(cpu, s, sel, EXC_GP, 0);
}

/* ---------------------------------------------------------------- LAR LSL VERR VERW ARPL */

/* These exist only in protected mode: real and V86 mode raise #UD. */
static void require_protected_mode(cpu_t *cpu)
{
    if (!cpu_is_protected(cpu) || cpu_is_v86(cpu))
        cpu_exception(cpu, EXC_UD, 0);
}

static void set_zf(cpu_t *cpu, bool zf)
{
    flags_load(cpu, (flags_arith(cpu) & ~FLAG_ZF) | (zf ? FLAG_ZF : 0));
}

/* The selector operand (Ew) of LAR, LSL, VERR and VERW. */
static uint16_t selector_operand(cpu_t *cpu, const insn_t *i)
{
    return (i->pfx & PFX_MEM) ? (uint16_t)ea_rd16(cpu, i) : get_r16(cpu, i->rm);
}

/* Reads the descriptor LAR, LSL, VERR and VERW report on: false when the
 * selector is null or beyond its table, names a system descriptor whose
 * type is not in `system_types` (a bit per type), or fails the privilege
 * rule (everything but conforming code needs DPL >= max(CPL, RPL)). */
static bool visible_desc(cpu_t *cpu, uint16_t sel, uint32_t system_types, desc_t *d)
{
    if ((sel & ~3u) == 0 || !desc_read(cpu, sel, d))
        return false;
    uint8_t a = desc_access(*d);
    if (!(a & DESC_S) && !(system_types & (1u << (a & 0x0F))))
        return false;
    bool conforming_code = (a & DESC_S) && (a & DESC_CODE) && (a & DESC_CONFORMING);
    unsigned dpl = desc_dpl(*d);
    return conforming_code || (dpl >= cpu->cpl && dpl >= (sel & 3u));
}

/* LAR accepts TSSs, LDTs, call and task gates (types 1 2 3 4 5 9 B C) but
 * not interrupt or trap gates; LSL only what has a limit (1 2 3 9 B). */
#define LAR_SYSTEM_TYPES 0x1A3Eu
#define LSL_SYSTEM_TYPES 0x0A0Eu

/* LAR and LSL: the access rights (masked as the SDM says for each operand
 * size) or the limit, into Gv, with ZF telling whether they were valid. */
static void lar_lsl(cpu_t *cpu, const insn_t *i, bool limit)
{
    require_protected_mode(cpu);
    desc_t d;
    bool ok = visible_desc(cpu, selector_operand(cpu, i), limit ? LSL_SYSTEM_TYPES : LAR_SYSTEM_TYPES, &d);
    if (ok) {
        uint32_t v = limit ? desc_limit(d) : d.hi & (o32(i) ? 0x00F0FF00u : 0xFF00u);
        if (o32(i))
            cpu->gpr[i->reg] = v;
        else
            set_r16(cpu, i->reg, (uint16_t)v);
    }
    set_zf(cpu, ok);
}
static void lar(cpu_t *c, const insn_t *i) { lar_lsl(c, i, false); }
static void lsl(cpu_t *c, const insn_t *i) { lar_lsl(c, i, true); }

/* VERR: readable code or data; VERW: writable data.  System descriptors
 * never qualify. */
static void verify(cpu_t *cpu, const insn_t *i, bool write)
{
    require_protected_mode(cpu);
    desc_t d;
    bool ok = visible_desc(cpu, selector_operand(cpu, i), 0, &d);
    if (ok) {
        uint8_t a = desc_access(d);
        if (a & DESC_CODE)
            ok = !write && (a & DESC_READABLE);
        else
            ok = !write || (a & DESC_WRITABLE);
    }
    set_zf(cpu, ok);
}
static void verr(cpu_t *c, const insn_t *i) { verify(c, i, false); }
static void verw(cpu_t *c, const insn_t *i) { verify(c, i, true); }

/* ARPL Ew,Gw: raises the destination selector's RPL to the source's. */
static uint32_t do_arpl(cpu_t *cpu, uint32_t dst, uint32_t src)
{
    bool raise = (dst & 3u) < (src & 3u);
    set_zf(cpu, raise);
    return raise ? (dst & ~3u) | (src & 3u) : dst;
}
static void arpl_r(cpu_t *cpu, const insn_t *i)
{
    require_protected_mode(cpu);
    set_r16(cpu, i->rm, (uint16_t)do_arpl(cpu, get_r16(cpu, i->rm), get_r16(cpu, i->reg)));
}
static void arpl_m(cpu_t *cpu, const insn_t *i)
{
    require_protected_mode(cpu);
    RMW_MEM(cpu, i, 2, do_arpl, get_r16(cpu, i->reg));
}

const opdef_t segment_ops[] = {
    {0x63, -1, -1, 0, 0, "arpl", "Ew,Gw", 0, HR(arpl_r, arpl_m)},
    {0x102, -1, -1, 0, 0, "lar", "Gv,Rv/Mw", 0, H(lar)},
    {0x103, -1, -1, 0, 0, "lsl", "Gv,Rv/Mw", 0, H(lsl)},
    {0x100, 4, -1, 0, 0, "verr", "Ew", 0, H(verr)},
    {0x100, 5, -1, 0, 0, "verw", "Ew", 0, H(verw)},
    {0},
};
