/* Interrupt and exception delivery: through the real-mode IVT, and through
 * the protected-mode IDT's interrupt, trap and task gates with the
 * inner-stack switch from the TSS (SDM vol. 3, chapter 6; INT n in vol. 2).
 */
#include "exec.h"

static void deliver_real(cpu_t *cpu, int vector)
{
    uint32_t entry = (uint32_t)vector * 4;
    if (entry + 3 > cpu->idtr.limit)
        cpu_exception(cpu, EXC_GP, 0);
    uint16_t ip = sys_rd16(cpu, cpu->idtr.base + entry);
    uint16_t cs = sys_rd16(cpu, cpu->idtr.base + entry + 2);
    push16(cpu, (uint16_t)cpu_get_eflags(cpu));
    push16(cpu, cpu->seg[SEG_CS].sel);
    push16(cpu, (uint16_t)cpu->eip);
    cpu->eflags &= ~(FLAG_IF | FLAG_TF | FLAG_AC | FLAG_RF);
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = ip;
    cpu_update_stepping(cpu);
}

/* The error code of a fault about IDT entry `vector`: IDT bit, EXT bit. */
static uint32_t idt_error(int vector, int kind)
{
    return (uint32_t)vector * 8 + 2 + (kind == INT_SW || kind == INT_SW_EXC ? 0 : 1);
}

/* The EXT bit of error codes about selectors met during delivery. */
static uint32_t ext_bit(int kind)
{
    return kind == INT_SW || kind == INT_SW_EXC ? 0 : 1;
}

/* The inner stack (SS:ESP for privilege level `dpl`) from the current TSS. */
void tss_stack(cpu_t *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp)
{
    bool tss32 = (cpu->tr.access & 0x08) != 0;
    uint32_t off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t size = tss32 ? 8 : 4;
    if (off + size - 1 > cpu->tr.limit)
        cpu_exception(cpu, EXC_TS, cpu->tr.sel & 0xFFFC);
    if (tss32) {
        *esp = sys_rd32(cpu, cpu->tr.base + off);
        *ss = sys_rd16(cpu, cpu->tr.base + off + 4);
    } else {
        *esp = sys_rd16(cpu, cpu->tr.base + off);
        *ss = sys_rd16(cpu, cpu->tr.base + off + 2);
    }
}

/* Checks a new stack segment for an inner-privilege transfer to `dpl`;
 * faults with #TS (or #SS when not present). */
void check_inner_ss(cpu_t *cpu, uint16_t ss, unsigned dpl, uint32_t ext, desc_t *d)
{
    if ((ss & ~3u) == 0)
        cpu_exception(cpu, EXC_TS, ext);
    if (!desc_read(cpu, ss, d))
        cpu_exception(cpu, EXC_TS, (ss & 0xFFFC) | ext);
    uint8_t a = desc_access(*d);
    if ((ss & 3u) != dpl || desc_dpl(*d) != dpl || !(a & DESC_S) || (a & DESC_CODE) ||
        !(a & DESC_WRITABLE))
        cpu_exception(cpu, EXC_TS, (ss & 0xFFFC) | ext);
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_SS, (ss & 0xFFFC) | ext);
}

/* Pushes vals[0], vals[1], ... (vals[0] ends up highest) as `size`-byte
 * values below `sp` on the stack described by `ss`, after checking that all
 * of them fit in the segment and the pages, with the privilege of the
 * current CPL.  Returns the new stack pointer; nothing is written if any
 * check fails. */
uint32_t push_frame(cpu_t *cpu, const segment_t *ss, uint32_t sp, bool stack32, const uint32_t *vals,
                    int n, unsigned size, uint32_t fault_error)
{
    uint32_t mask = stack32 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t total = (uint32_t)n * size;
    uint32_t top = (sp - total) & mask;
    /* Every slot must be inside the limit (expand-down aware). */
    for (int k = 0; k < n; k++) {
        uint32_t off = (top + (uint32_t)k * size) & mask;
        if (off < ss->lo || (uint64_t)off + size - 1 > ss->hi)
            cpu_exception(cpu, EXC_SS, fault_error);
    }
    tlb_entry_t *t = cpu->mmu.tlb[cpu->cpl == 3];
    for (int k = 0; k < n; k++)
        mmu_check_write(&cpu->mmu, t, ss->base + ((top + (uint32_t)k * size) & mask), size);
    for (int k = 0; k < n; k++) {
        uint32_t lin = ss->base + ((sp - (uint32_t)(k + 1) * size) & mask);
        if (size == 4)
            mmu_write32(&cpu->mmu, t, lin, vals[k]);
        else
            mmu_write16(&cpu->mmu, t, lin, (uint16_t)vals[k]);
    }
    return top;
}

static void deliver_protected(cpu_t *cpu, int vector, int kind, bool has_error, uint32_t error)
{
    uint32_t ext = ext_bit(kind);
    if ((uint32_t)vector * 8 + 7 > cpu->idtr.limit)
        cpu_exception(cpu, EXC_GP, idt_error(vector, kind));
    desc_t gate = {sys_rd32(cpu, cpu->idtr.base + vector * 8),
                   sys_rd32(cpu, cpu->idtr.base + vector * 8 + 4)};
    uint8_t ga = desc_access(gate);
    unsigned type = ga & 0x1F;
    bool gate32 = type == 0x0E || type == 0x0F;
    if (type != 0x05 && type != 0x06 && type != 0x07 && type != 0x0E && type != 0x0F)
        cpu_exception(cpu, EXC_GP, idt_error(vector, kind));
    if ((kind == INT_SW || kind == INT_SW_EXC) && desc_dpl(gate) < cpu->cpl)
        cpu_exception(cpu, EXC_GP, idt_error(vector, kind));
    if (!(ga & DESC_P))
        cpu_exception(cpu, EXC_NP, idt_error(vector, kind));

    uint16_t sel = (uint16_t)(gate.lo >> 16);
    if (type == 0x05) {
        task_switch_gate(cpu, sel, TASK_FROM_INT, has_error, error, ext);
        return;
    }
    uint32_t offset = (gate.lo & 0xFFFF) | (gate32 ? (gate.hi & 0xFFFF0000u) : 0);

    desc_t cd;
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, ext);
    if (!desc_read(cpu, sel, &cd))
        cpu_exception(cpu, EXC_GP, (sel & 0xFFFC) | ext);
    uint8_t ca = desc_access(cd);
    unsigned dpl = desc_dpl(cd);
    if (!(ca & DESC_S) || !(ca & DESC_CODE) || dpl > cpu->cpl)
        cpu_exception(cpu, EXC_GP, (sel & 0xFFFC) | ext);
    if (!(ca & DESC_P))
        cpu_exception(cpu, EXC_NP, (sel & 0xFFFC) | ext);

    uint32_t eflags = cpu_get_eflags(cpu);
    bool v86 = (eflags & FLAG_VM) != 0;
    bool inner = !(ca & DESC_CONFORMING) && dpl < cpu->cpl;
    if (v86 && (!inner || dpl != 0))
        cpu_exception(cpu, EXC_GP, (sel & 0xFFFC) | ext);
    if (offset > desc_limit(cd))
        cpu_exception(cpu, EXC_GP, ext);

    uint32_t frame[10];
    int n = 0;
    unsigned size = gate32 ? 4 : 2;
    uint16_t new_ss_sel = cpu->seg[SEG_SS].sel;
    segment_t new_ss = cpu->seg[SEG_SS];
    uint32_t sp = cpu->gpr[R_ESP];
    bool stack32 = cpu->stack32;
    desc_t ssd = {0, 0};
    if (inner) {
        uint32_t new_esp;
        tss_stack(cpu, dpl, &new_ss_sel, &new_esp);
        check_inner_ss(cpu, new_ss_sel, dpl, ext, &ssd);
        new_ss.sel = new_ss_sel;
        new_ss.base = desc_base(ssd);
        new_ss.limit = desc_limit(ssd);
        new_ss.access = desc_access(ssd);
        new_ss.flags = desc_flags(ssd);
        seg_refresh(cpu, &new_ss, true);
        stack32 = (new_ss.flags & DESC_FLAG_DB) != 0;
        sp = new_esp;
        if (v86) {
            frame[n++] = cpu->seg[SEG_GS].sel;
            frame[n++] = cpu->seg[SEG_FS].sel;
            frame[n++] = cpu->seg[SEG_DS].sel;
            frame[n++] = cpu->seg[SEG_ES].sel;
        }
        frame[n++] = cpu->seg[SEG_SS].sel;
        frame[n++] = cpu->gpr[R_ESP];
    }
    frame[n++] = eflags;
    frame[n++] = cpu->seg[SEG_CS].sel;
    frame[n++] = cpu->eip;
    if (has_error)
        frame[n++] = error;
    uint32_t fault = inner ? (new_ss_sel & 0xFFFC) | ext : 0;
    uint8_t old_cpl = cpu->cpl;
    if (inner) /* the new stack is written with the new privilege */
        cpu->cpl = (uint8_t)dpl;
    uint32_t top = push_frame(cpu, &new_ss, sp, stack32, frame, n, size, fault);
    cpu->cpl = old_cpl;

    /* Commit. */
    desc_set_accessed(cpu, sel, &cd);
    if (inner) {
        desc_set_accessed(cpu, new_ss_sel, &ssd);
        cpu_set_eflags(cpu, eflags & ~FLAG_VM); /* leave V86 before loading selectors */
        cpu_set_cpl(cpu, (uint8_t)dpl);
        seg_load_desc(cpu, SEG_SS, new_ss_sel, ssd);
        if (v86)
            for (int s = SEG_ES; s <= SEG_GS; s++)
                if (s != SEG_CS && s != SEG_SS)
                    seg_load_null(cpu, s, 0);
    }
    cpu->gpr[R_ESP] = stack32 ? top : (cpu->gpr[R_ESP] & 0xFFFF0000u) | (top & 0xFFFF);
    seg_load_desc(cpu, SEG_CS, (sel & 0xFFFC) | cpu->cpl, cd);
    cpu->eip = offset;
    uint32_t clear = FLAG_TF | FLAG_NT | FLAG_RF | FLAG_VM;
    if (!(type & 1)) /* interrupt gate, not trap gate */
        clear |= FLAG_IF;
    cpu_set_eflags(cpu, cpu_get_eflags(cpu) & ~clear);
}

void cpu_interrupt(cpu_t *cpu, int vector, int kind, bool has_error, uint32_t error)
{
    if (cpu_is_protected(cpu))
        deliver_protected(cpu, vector, kind, has_error, error);
    else
        deliver_real(cpu, vector);
    end_block(cpu);
    if (cpu->hooks.event_done)
        cpu->hooks.event_done(cpu->hooks.opaque, vector);
}

/* ---------------------------------------------------------------- INT, IRET */

/* INT n, INT3, INTO.  In V86 mode with IOPL < 3, INT n faults to the
 * monitor (#GP(0)); INT3 and INTO always go through the IDT. */
static void int_n(cpu_t *cpu, const insn_t *i)
{
    if (cpu_is_v86(cpu) && (cpu->eflags & FLAG_IOPL) != FLAG_IOPL)
        cpu_exception(cpu, EXC_GP, 0);
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, i->imm & 0xFF, false, 0);
    cpu_interrupt(cpu, i->imm & 0xFF, INT_SW, false, 0);
}

static void int3(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, EXC_BP, false, 0);
    cpu_interrupt(cpu, EXC_BP, INT_SW_EXC, false, 0);
}

static void into(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (!get_of(cpu))
        return;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, EXC_OF, false, 0);
    cpu_interrupt(cpu, EXC_OF, INT_SW_EXC, false, 0);
}

/* IRET in real mode: IP, CS and FLAGS (or their 32-bit forms) from the
 * stack; VM, VIF and VIP cannot change here. */
static void iret_real(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    unsigned size = is32 ? 4 : 2;
    uint32_t eip = stack_peek(cpu, 0, is32);
    uint16_t cs = (uint16_t)stack_peek(cpu, size, is32);
    uint32_t fl = stack_peek(cpu, 2 * size, is32);
    if (eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    set_sp(cpu, cpu->gpr[R_ESP] + 3 * size);
    uint32_t keep = is32 ? (FLAG_VM | FLAG_VIF | FLAG_VIP) : 0xFFFF0000u;
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = eip;
    cpu_set_eflags(cpu, (fl & ~keep) | (cpu_get_eflags(cpu) & keep));
    cpu->nmi_blocked = false;
}

static void iret(cpu_t *cpu, const insn_t *i)
{
    if (!cpu_is_protected(cpu))
        iret_real(cpu, i);
    else
        iret_protected(cpu, i);
}

const opdef_t interrupt_ops[] = {
    {0xCC, -1, -1, 0, 0, "int3", "", OPF_END, H(int3)},
    {0xCD, -1, -1, 0, 0, "int", "Ib", OPF_END, H(int_n)},
    {0xCE, -1, -1, 0, 0, "into", "", OPF_END, H(into)},
    {0xCF, -1, -1, 0, 0, "iret/iretd", "", OPF_END, H(iret)},
    {0},
};
