/* Hardware task switches (SDM vol. 3, chapter 7): JMP and CALL to a TSS or
 * task gate, interrupts and exceptions through task gates, and IRET with NT
 * set.  16-bit (286) and 32-bit TSSs are both supported.
 *
 * Everything that can fault in the old task's context (reading the new TSS,
 * the writability of the old TSS and of the descriptors) is checked before
 * the first write.  After the commit point the new task's state is loaded
 * and its segment descriptors are checked; a fault there is delivered in
 * the new task's context, at its first instruction.
 */
#include "exec.h"

#define DESC_TYPE_BUSY 0x02u /* in a TSS descriptor's type */
#define TSS32_MIN_LIMIT 0x67u
#define TSS16_MIN_LIMIT 0x2Bu
#define DR6_BT (1u << 15)
#define DR7_LOCAL_ENABLES 0x155u /* L0-L3 and LE: cleared by a task switch */

/* Where things are in a TSS of each size. */
typedef struct tss_layout {
    uint32_t eip, eflags, gpr, seg, ldt; /* offsets; gpr and seg are arrays */
    unsigned step;                       /* bytes per gpr and seg slot */
} tss_layout_t;
static const tss_layout_t layout16 = {0x0E, 0x10, 0x12, 0x22, 0x2A, 2};
static const tss_layout_t layout32 = {0x20, 0x24, 0x28, 0x48, 0x60, 4};

/* The state a task switch loads. */
typedef struct task_state {
    uint32_t eip, eflags, cr3, gpr[8];
    uint16_t sel[6], ldt;
    bool trap; /* the T bit: #DB when the task starts */
} task_state_t;

static void read_state(cpu_t *cpu, uint32_t base, bool is32, task_state_t *t)
{
    const tss_layout_t *l = is32 ? &layout32 : &layout16;
    unsigned size = l->step;
    t->eip = size == 4 ? sys_rd32(cpu, base + l->eip) : sys_rd16(cpu, base + l->eip);
    t->eflags = size == 4 ? sys_rd32(cpu, base + l->eflags) : sys_rd16(cpu, base + l->eflags);
    for (int r = 0; r < 8; r++) /* a 16-bit TSS leaves the upper halves all ones */
        t->gpr[r] = size == 4 ? sys_rd32(cpu, base + l->gpr + 4 * r)
                              : 0xFFFF0000u | sys_rd16(cpu, base + l->gpr + 2 * r);
    int nseg = is32 ? 6 : 4; /* a 16-bit TSS has no FS and GS */
    for (int s = 0; s < 6; s++)
        t->sel[s] = s < nseg ? sys_rd16(cpu, base + l->seg + size * s) : 0;
    t->ldt = sys_rd16(cpu, base + l->ldt);
    t->cr3 = is32 ? sys_rd32(cpu, base + 0x1C) : 0;
    t->trap = is32 && (sys_rd16(cpu, base + 0x64) & 1);
}

/* Saves the outgoing task's registers in its TSS. */
static void save_state(cpu_t *cpu, uint32_t base, bool is32, uint32_t eflags)
{
    const tss_layout_t *l = is32 ? &layout32 : &layout16;
    if (is32) {
        sys_wr32(cpu, base + l->eip, cpu->eip);
        sys_wr32(cpu, base + l->eflags, eflags);
        for (int r = 0; r < 8; r++)
            sys_wr32(cpu, base + l->gpr + 4 * r, cpu->gpr[r]);
    } else {
        sys_wr16(cpu, base + l->eip, (uint16_t)cpu->eip);
        sys_wr16(cpu, base + l->eflags, (uint16_t)eflags);
        for (int r = 0; r < 8; r++)
            sys_wr16(cpu, base + l->gpr + 2 * r, (uint16_t)cpu->gpr[r]);
    }
    int nseg = is32 ? 6 : 4;
    for (int s = 0; s < nseg; s++)
        sys_wr16(cpu, base + l->seg + l->step * s, cpu->seg[s].sel);
}

/* The part of a TSS that save_state writes: from EIP to the last selector. */
static uint32_t saved_bytes(bool is32)
{
    return is32 ? 0x5E - 0x20 : 0x2A - 0x0E;
}

static uint32_t gdt_entry(const cpu_t *cpu, uint16_t sel)
{
    return cpu->gdtr.base + (sel & ~7u);
}

static void set_busy(cpu_t *cpu, uint16_t sel, bool busy)
{
    uint32_t lin = gdt_entry(cpu, sel) + 5;
    uint8_t a = sys_rd8(cpu, lin);
    sys_wr8(cpu, lin, busy ? a | DESC_TYPE_BUSY : a & ~DESC_TYPE_BUSY);
}

/* LDTR from the new task: null, or an LDT descriptor in the GDT. */
static void load_task_ldt(cpu_t *cpu, uint16_t sel, uint32_t ext)
{
    uint32_t err = (sel & 0xFFFC) | ext;
    cpu->ldtr = (segment_t){.sel = sel};
    if ((sel & ~3u) == 0)
        return;
    desc_t d;
    if ((sel & 4) || !desc_read(cpu, sel, &d) || (desc_access(d) & 0x1F) != 0x02 ||
        !(desc_access(d) & DESC_P))
        cpu_exception(cpu, EXC_TS, err);
    seg_cache_from_desc(cpu, &cpu->ldtr, sel, d, false);
}

/* CS from the new task: the CPL becomes its RPL. */
static void load_task_cs(cpu_t *cpu, uint16_t sel, uint32_t ext)
{
    uint32_t err = (sel & 0xFFFC) | ext;
    desc_t d;
    if ((sel & ~3u) == 0 || !desc_read(cpu, sel, &d))
        cpu_exception(cpu, EXC_TS, err);
    uint8_t a = desc_access(d);
    unsigned dpl = desc_dpl(d), rpl = sel & 3u;
    if (!(a & DESC_S) || !(a & DESC_CODE) || ((a & DESC_CONFORMING) ? dpl > rpl : dpl != rpl))
        cpu_exception(cpu, EXC_TS, err);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_NP, err);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, SEG_CS, sel, d);
}

/* Loads the new task's registers; faults here are in its context. */
static void load_state(cpu_t *cpu, const task_state_t *t, bool is32, uint32_t ext)
{
    if (is32 && (cpu->cr0 & CR0_PG) && !cpu_set_cr3(cpu, t->cr3))
        cpu_exception(cpu, EXC_GP, 0);
    cpu->eip = cpu->prev_eip = t->eip;
    memcpy(cpu->gpr, t->gpr, sizeof t->gpr);
    /* The selectors are loaded first with empty caches; the descriptors
     * follow, so a fault leaves the new selectors visible. */
    for (int s = 0; s < 6; s++)
        seg_load_null(cpu, s, t->sel[s]);
    cpu_set_eflags(cpu, is32 ? t->eflags : (cpu_get_eflags(cpu) & 0xFFFF0000u & ~FLAG_VM) | t->eflags);
    load_task_ldt(cpu, t->ldt, ext);
    if (cpu_is_v86(cpu)) {
        for (int s = 0; s < 6; s++)
            seg_load_real(cpu, s, t->sel[s]);
        return;
    }
    cpu_set_cpl(cpu, t->sel[SEG_CS] & 3);
    load_task_cs(cpu, t->sel[SEG_CS], ext);
    seg_load_checked(cpu, SEG_SS, t->sel[SEG_SS], EXC_TS, ext);
    static const int data[4] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (int k = 0; k < 4; k++)
        seg_load_checked(cpu, data[k], t->sel[data[k]], EXC_TS, ext);
}

/* The task switch proper, to the TSS `sel` (descriptor d, checked by the
 * caller for type, busy state and presence). */
static void switch_to(cpu_t *cpu, uint16_t sel, desc_t d, int reason, uint32_t ext)
{
    bool new32 = (desc_access(d) & 0x08) != 0;
    uint32_t base = desc_base(d);
    if (desc_limit(d) < (new32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        cpu_exception(cpu, EXC_TS, (sel & 0xFFFC) | ext);
    bool old32 = (cpu->tr.access & 0x08) != 0;
    if (cpu->tr.limit < (old32 ? TSS32_MIN_LIMIT : TSS16_MIN_LIMIT))
        cpu_exception(cpu, EXC_TS, (cpu->tr.sel & 0xFFFC) | ext);

    /* Before the commit point: everything that may fault. */
    task_state_t t;
    read_state(cpu, base, new32, &t);
    tlb_entry_t *sys = cpu->mmu.tlb[0];
    mmu_check_write(&cpu->mmu, sys, cpu->tr.base + (old32 ? layout32.eip : layout16.eip), saved_bytes(old32));
    mmu_check_write(&cpu->mmu, sys, base, 2); /* the back link */
    mmu_check_write(&cpu->mmu, sys, gdt_entry(cpu, sel) + 5, 1);
    mmu_check_write(&cpu->mmu, sys, gdt_entry(cpu, cpu->tr.sel) + 5, 1);

    uint32_t eflags = cpu_get_eflags(cpu);
    if (reason == TASK_FROM_JMP || reason == TASK_FROM_IRET)
        set_busy(cpu, cpu->tr.sel, false);
    if (reason == TASK_FROM_IRET)
        eflags &= ~FLAG_NT;
    save_state(cpu, cpu->tr.base, old32, eflags);
    if (reason == TASK_FROM_CALL || reason == TASK_FROM_INT) {
        sys_wr16(cpu, base, cpu->tr.sel);
        t.eflags |= FLAG_NT;
    }
    if (reason != TASK_FROM_IRET)
        set_busy(cpu, sel, true);

    /* Commit: the new task. */
    d.hi |= DESC_TYPE_BUSY << 8;
    seg_cache_from_desc(cpu, &cpu->tr, sel, d, false);
    cpu_set_cr0(cpu, cpu->cr0 | CR0_TS);
    cpu->dr[7] &= ~DR7_LOCAL_ENABLES;
    cpu_debug_changed(cpu);
    load_state(cpu, &t, new32, ext);
    if (t.trap) {
        cpu->pending_db |= DR6_BT;
        cpu->single_step = true;
    }
    end_block(cpu);
}

/* Pushes an exception's error code on the new task's stack. */
static void push_error_code(cpu_t *cpu, uint32_t error, bool is32, uint32_t ext)
{
    segment_t *ss = &cpu->seg[SEG_SS];
    uint32_t top = push_frame(cpu, ss, cpu->gpr[R_ESP], cpu->stack32, &error, 1, is32 ? 4 : 2, ext,
                              cpu->cpl == 3);
    set_sp(cpu, top);
}

void task_switch_gate(cpu_t *cpu, uint16_t sel, int reason, bool has_error, uint32_t error, uint32_t ext)
{
    desc_t d;
    if (reason == TASK_FROM_IRET) {
        /* Back to the task in the link field, which must be busy. */
        sel = sys_rd16(cpu, cpu->tr.base);
        if ((sel & 4) || !desc_read(cpu, sel, &d) || ((desc_access(d) & 0x17) != 0x03))
            cpu_exception(cpu, EXC_TS, sel & 0xFFFC);
    } else {
        /* An available TSS in the GDT. */
        if ((sel & 4) || !desc_read(cpu, sel, &d) || ((desc_access(d) & 0x17) != 0x01))
            cpu_exception(cpu, EXC_GP, (sel & 0xFFFC) | ext);
    }
    if (!(desc_access(d) & DESC_P))
        cpu_exception(cpu, EXC_NP, (sel & 0xFFFC) | ext);
    switch_to(cpu, sel, d, reason, ext);
    if (has_error)
        push_error_code(cpu, error, (desc_access(d) & 0x08) != 0, ext);
    if (cpu->eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, ext);
}
