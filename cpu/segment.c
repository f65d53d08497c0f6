/* Segmentation: descriptor caches, loading segment registers in each mode
 * with the protected-mode checks, the limit/rights fast-path fields, and
 * segmented memory access helpers.
 */
#include "exec.h"

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
        return;
    }
    if (!(sg->access & DESC_P) || !(sg->access & DESC_S)) {
        sg->rights = 0; /* the null selector, or not usable for data */
        return;
    }
    if (sg->access & DESC_CODE)
        sg->rights = (sg->access & DESC_READABLE) ? SEG_RIGHT_R : 0;
    else
        sg->rights = SEG_RIGHT_R | ((sg->access & DESC_WRITABLE) ? SEG_RIGHT_W : 0);
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

void seg_load_desc(cpu_t *cpu, int s, uint16_t sel, desc_t d)
{
    segment_t *sg = &cpu->seg[s];
    sg->sel = sel;
    sg->base = desc_base(d);
    sg->limit = desc_limit(d);
    sg->access = desc_access(d);
    sg->flags = desc_flags(d);
    seg_refresh(cpu, sg, s == SEG_SS);
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

/* MOV/POP/LxS to SS: the checks of the SDM's MOV instruction. */
static void load_ss_protected(cpu_t *cpu, uint16_t sel)
{
    desc_t d;
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, &d))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    uint8_t a = desc_access(d);
    if ((sel & 3) != cpu->cpl || desc_dpl(d) != cpu->cpl || !(a & DESC_S) || (a & DESC_CODE) ||
        !(a & DESC_WRITABLE))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_SS, sel & 0xFFFC);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, SEG_SS, sel, d);
}

static void load_data_protected(cpu_t *cpu, int s, uint16_t sel)
{
    desc_t d;
    if ((sel & ~3u) == 0) {
        seg_load_null(cpu, s, sel);
        return;
    }
    if (!desc_read(cpu, sel, &d))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    uint8_t a = desc_access(d);
    bool code = a & DESC_CODE;
    if (!(a & DESC_S) || (code && !(a & DESC_READABLE)))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    /* Data and non-conforming code need DPL >= max(CPL, RPL). */
    if ((!code || !(a & DESC_CONFORMING)) && ((sel & 3u) > desc_dpl(d) || cpu->cpl > desc_dpl(d)))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_NP, sel & 0xFFFC);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, s, sel, d);
}

void seg_load(cpu_t *cpu, int s, uint16_t sel)
{
    if (!cpu_is_protected(cpu) || cpu_is_v86(cpu))
        seg_load_real(cpu, s, sel);
    else if (s == SEG_SS)
        load_ss_protected(cpu, sel);
    else
        load_data_protected(cpu, s, sel);
}

const opdef_t segment_ops[] = {
    {0},
};
