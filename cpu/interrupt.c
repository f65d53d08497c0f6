/* Interrupt and exception delivery: through the real-mode IVT, and through
 * the protected-mode IDT's interrupt, trap and task gates with the
 * inner-stack switch from the TSS (SDM vol. 3, chapter 6; INT n in vol. 2);
 * and IRET in every mode.
 */
#include "exec.h"

static void deliver_real(cpu_t *cpu, int vector)
{
    uint32_t entry = (uint32_t)vector * 4;
    if (entry + 3 > cpu->idtr.limit)
        cpu_exception(cpu, EXC_GP, 0);
    uint16_t ip = sys_rd16(cpu, cpu->idtr.base + entry);
    uint16_t cs = sys_rd16(cpu, cpu->idtr.base + entry + 2);
    uint32_t frame[3] = {(uint16_t)cpu_get_eflags(cpu), cpu->seg[SEG_CS].sel, (uint16_t)cpu->eip};
    push_frame_here(cpu, frame, 3, 2);
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = ip;
    cpu_set_eflags(cpu, cpu_get_eflags(cpu) & ~(FLAG_IF | FLAG_TF | FLAG_AC | FLAG_RF));
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
void tss_stack(cpu_t *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, uint32_t ext)
{
    bool tss32 = (cpu->tr.access & 0x08) != 0;
    uint32_t off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t last = tss32 ? off + 5 : off + 3; /* the SS selector's last byte */
    if (last > cpu->tr.limit)
        cpu_exception(cpu, EXC_TS, (cpu->tr.sel & 0xFFFC) | ext);
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

uint32_t push_frame_check(cpu_t *cpu, const segment_t *ss, uint32_t sp, bool stack32, int n,
                          unsigned size, uint32_t fault_error, bool user)
{
    uint32_t mask = stack32 ? 0xFFFFFFFFu : 0xFFFFu;
    uint32_t top = (sp - (uint32_t)n * size) & mask;
    /* Every slot must be inside the limit (expand-down aware). */
    for (int k = 0; k < n; k++) {
        uint32_t off = (top + (uint32_t)k * size) & mask;
        if (off < ss->lo || (uint64_t)off + size - 1 > ss->hi)
            cpu_exception(cpu, EXC_SS, fault_error);
    }
    tlb_entry_t *t = cpu->mmu.tlb[user];
    for (int k = 0; k < n; k++)
        mmu_check_write(&cpu->mmu, t, ss->base + ((top + (uint32_t)k * size) & mask), size);
    return top;
}

uint32_t push_frame(cpu_t *cpu, const segment_t *ss, uint32_t sp, bool stack32, const uint32_t *vals,
                    int n, unsigned size, uint32_t fault_error, bool user)
{
    uint32_t top = push_frame_check(cpu, ss, sp, stack32, n, size, fault_error, user);
    uint32_t mask = stack32 ? 0xFFFFFFFFu : 0xFFFFu;
    tlb_entry_t *t = cpu->mmu.tlb[user];
    for (int k = 0; k < n; k++) {
        uint32_t lin = ss->base + ((sp - (uint32_t)(k + 1) * size) & mask);
        if (size == 4)
            mmu_write32(&cpu->mmu, t, lin, vals[k]);
        else
            mmu_write16(&cpu->mmu, t, lin, (uint16_t)vals[k]);
    }
    return top;
}

void push_frame_here(cpu_t *cpu, const uint32_t *vals, int n, unsigned size)
{
    set_sp(cpu, push_frame(cpu, &cpu->seg[SEG_SS], cpu->gpr[R_ESP], cpu->stack32, vals, n, size, 0,
                           cpu->cpl == 3));
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

    uint32_t frame[10];
    int n = 0;
    unsigned size = gate32 ? 4 : 2;
    uint16_t new_ss_sel = cpu->seg[SEG_SS].sel;
    segment_t new_ss = cpu->seg[SEG_SS];
    uint32_t sp = cpu->gpr[R_ESP];
    bool stack32 = cpu->stack32;
    desc_t ssd = {0, 0};
    if (inner) {
        tss_stack(cpu, dpl, &new_ss_sel, &sp, ext);
        check_inner_ss(cpu, new_ss_sel, dpl, ext, &ssd);
        seg_cache_from_desc(cpu, &new_ss, new_ss_sel, ssd, true);
        stack32 = (new_ss.flags & DESC_FLAG_DB) != 0;
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
    uint32_t fault = inner ? (new_ss_sel & 0xFFFC) | ext : ext;
    /* The new stack is checked and written with the new privilege. */
    uint8_t new_cpl = inner ? (uint8_t)dpl : cpu->cpl;
    uint32_t top = push_frame_check(cpu, &new_ss, sp, stack32, n, size, fault, new_cpl == 3);
    if (offset > desc_limit(cd))
        cpu_exception(cpu, EXC_GP, ext);
    push_frame(cpu, &new_ss, sp, stack32, frame, n, size, fault, new_cpl == 3);

    /* Commit. */
    desc_set_accessed(cpu, sel, &cd);
    if (inner) {
        desc_set_accessed(cpu, new_ss_sel, &ssd);
        cpu_set_eflags(cpu, eflags & ~FLAG_VM); /* leave V86 before loading selectors */
        cpu_set_cpl(cpu, new_cpl);
        seg_load_desc(cpu, SEG_SS, new_ss_sel, ssd);
        if (v86)
            for (int s = SEG_ES; s <= SEG_GS; s++)
                if (s != SEG_CS && s != SEG_SS)
                    seg_load_null(cpu, s, 0);
    }
    cpu->gpr[R_ESP] = stack32 ? top : (sp & 0xFFFF0000u) | (top & 0xFFFF);
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

/* INT n, INT3, INTO.  In V86 mode INT n goes through the IDT, to the
 * 8086 program's vector table (VME), or faults to the monitor (vme.c);
 * INT3 and INTO always go through the IDT.  They clear TF on the way in,
 * and no single-step trap follows them: a debugger that steps must emulate
 * them (80386 manual, 12.3.1.4). */
static void int_n(cpu_t *cpu, const insn_t *i)
{
    uint8_t vector = (uint8_t)i->imm;
    bool to_8086 = cpu_is_v86(cpu) && v86_int_to_8086(cpu, vector);
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, vector, false, 0);
    if (to_8086)
        v86_redirect_int(cpu, vector);
    else
        cpu_interrupt(cpu, vector, INT_SW, false, 0);
    cpu->suppress_tf = true;
}

static void int3(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, EXC_BP, false, 0);
    cpu_interrupt(cpu, EXC_BP, INT_SW_EXC, false, 0);
    cpu->suppress_tf = true;
}

static void into(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (!get_of(cpu))
        return;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, EXC_OF, false, 0);
    cpu_interrupt(cpu, EXC_OF, INT_SW_EXC, false, 0);
    cpu->suppress_tf = true;
}

/* INT1 (ICEBP): a debug-exception trap without setting any DR6 bit.  It
 * is delivered as the hardware delivers #DB, so neither the gate's DPL
 * nor IOPL in V86 mode is checked and error codes have EXT set (SDM vol.
 * 2, INT n/INTO/INT3/INT1). */
static void int1(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_SW_INTERRUPT, EXC_DB, false, 0);
    cpu_interrupt(cpu, EXC_DB, INT_EXCEPTION, false, 0);
    cpu->suppress_tf = true;
}

/* The IRET frame: EIP, CS, EFLAGS as the operand size says.  Reading it
 * checks that it lies inside the stack segment (#SS(0)). */
typedef struct iret_frame {
    uint32_t eip, eflags;
    uint16_t cs;
} iret_frame_t;

static iret_frame_t read_iret_frame(cpu_t *cpu, bool is32)
{
    unsigned size = is32 ? 4 : 2;
    iret_frame_t f;
    f.eip = stack_peek(cpu, 0, is32);
    f.cs = (uint16_t)stack_peek(cpu, size, is32);
    f.eflags = stack_peek(cpu, 2 * size, is32);
    return f;
}

/* The EFLAGS bits a POPF/IRET image may change: the 16-bit form reaches
 * only bits 15..0. */
#define FLAGS_LOW16 (FLAGS_ARITH | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT)

/* Loads EFLAGS from an IRET image with the protected-mode rules: IF needs
 * CPL <= IOPL, IOPL/VIF/VIP need CPL 0 (the CPL before the return). */
static void iret_load_eflags(cpu_t *cpu, uint32_t image, bool is32, unsigned old_cpl)
{
    uint32_t mask = FLAGS_ARITH | FLAG_TF | FLAG_DF | FLAG_NT;
    if (is32)
        mask |= FLAG_RF | FLAG_AC | FLAG_ID;
    if (old_cpl <= (cpu->eflags & FLAG_IOPL) >> 12)
        mask |= FLAG_IF;
    if (old_cpl == 0) {
        mask |= FLAG_IOPL;
        if (is32)
            mask |= FLAG_VIF | FLAG_VIP;
    }
    cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~mask) | (image & mask));
}

/* IRET in real mode: IP, CS and FLAGS (or their 32-bit forms) from the
 * stack; VM, VIF and VIP cannot change here. */
static void iret_real(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    iret_frame_t f = read_iret_frame(cpu, is32);
    if (f.eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    set_sp(cpu, cpu->gpr[R_ESP] + 3 * (is32 ? 4 : 2));
    uint32_t keep = is32 ? (FLAG_VM | FLAG_VIF | FLAG_VIP) : 0xFFFF0000u;
    seg_load_real(cpu, SEG_CS, f.cs);
    cpu->eip = f.eip;
    cpu_set_eflags(cpu, (f.eflags & ~keep) | (cpu_get_eflags(cpu) & keep));
}

/* IRET in V86 mode: with IOPL 3 a real-mode style return that cannot
 * change IOPL, VM, VIF or VIP.  With IOPL < 3 the monitor's business
 * (#GP(0)), except a 16-bit IRET with VME, which loads IF of the image into
 * VIF (vme.c). */
static void iret_v86(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    bool vme = (cpu->eflags & FLAG_IOPL) != FLAG_IOPL;
    if (vme && (is32 || !(cpu->cr4 & CR4_VME)))
        cpu_exception(cpu, EXC_GP, 0);
    iret_frame_t f = read_iret_frame(cpu, is32);
    if (f.eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t mask = is32 ? 0x003F7FD5u & ~(FLAG_IOPL | FLAG_VM | FLAG_VIF | FLAG_VIP)
                         : FLAGS_LOW16 & ~FLAG_IOPL;
    uint32_t eflags = vme ? vme_load_flags(cpu, f.eflags)
                          : (cpu_get_eflags(cpu) & ~mask) | (f.eflags & mask);
    set_sp(cpu, cpu->gpr[R_ESP] + 3 * (is32 ? 4 : 2));
    seg_load_real(cpu, SEG_CS, f.cs);
    cpu->eip = f.eip;
    cpu_set_eflags(cpu, eflags);
}

/* IRETD at CPL 0 with VM set in the image: back to V86 mode.  The frame
 * goes on with ESP, SS, ES, DS, FS, GS. */
static void iret_to_v86(cpu_t *cpu, const iret_frame_t *f)
{
    uint32_t rest[6];
    for (int k = 0; k < 6; k++)
        rest[k] = stack_peek(cpu, 12 + 4 * (uint32_t)k, true);
    if (f->eip > 0xFFFF) /* beyond the V86 code segment's limit */
        cpu_exception(cpu, EXC_GP, 0);
    cpu_set_eflags(cpu, f->eflags); /* VM: CPL 3, real-mode segment loads */
    static const int order[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (int k = 0; k < 4; k++)
        seg_load_real(cpu, order[k], (uint16_t)rest[2 + k]);
    seg_load_real(cpu, SEG_SS, (uint16_t)rest[1]);
    seg_load_real(cpu, SEG_CS, f->cs);
    cpu->gpr[R_ESP] = rest[0];
    cpu->eip = f->eip;
}

void iret_protected(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    unsigned size = is32 ? 4 : 2;
    if (cpu_is_v86(cpu)) {
        iret_v86(cpu, i);
        return;
    }
    if (cpu->eflags & FLAG_NT) {
        task_switch_gate(cpu, 0, TASK_FROM_IRET, false, 0, 0);
        return;
    }
    iret_frame_t f = read_iret_frame(cpu, is32);
    if (is32 && (f.eflags & FLAG_VM) && cpu->cpl == 0) {
        iret_to_v86(cpu, &f);
        return;
    }
    desc_t cd;
    check_return_cs(cpu, f.cs, &cd);
    unsigned rpl = f.cs & 3u, old_cpl = cpu->cpl;
    if (rpl == old_cpl) {
        if (f.eip > desc_limit(cd))
            cpu_exception(cpu, EXC_GP, 0);
        set_sp(cpu, cpu->gpr[R_ESP] + 3 * size);
    } else {
        uint32_t esp = stack_peek(cpu, 3 * size, is32);
        uint16_t ss = (uint16_t)stack_peek(cpu, 4 * size, is32);
        desc_t sd;
        check_outer_ss(cpu, ss, rpl, &sd);
        if (f.eip > desc_limit(cd))
            cpu_exception(cpu, EXC_GP, 0);
        desc_set_accessed(cpu, ss, &sd);
        cpu_set_cpl(cpu, (uint8_t)rpl);
        seg_load_desc(cpu, SEG_SS, ss, sd);
        load_outer_sp(cpu, esp);
    }
    desc_set_accessed(cpu, f.cs, &cd);
    seg_load_desc(cpu, SEG_CS, f.cs, cd);
    cpu->eip = f.eip;
    iret_load_eflags(cpu, f.eflags, is32, old_cpl);
    if (rpl != old_cpl)
        null_outer_data_segments(cpu);
}

static void iret(cpu_t *cpu, const insn_t *i)
{
    if (!cpu_is_protected(cpu))
        iret_real(cpu, i);
    else
        iret_protected(cpu, i);
    cpu->nmi_blocked = false;
}

const opdef_t interrupt_ops[] = {
    {0xCC, -1, -1, 0, 0, "int3", "", OPF_END, H(int3)},
    {0xCD, -1, -1, 0, 0, "int", "Ib", OPF_END, H(int_n)},
    {0xCE, -1, -1, 0, 0, "into", "", OPF_END, H(into)},
    {0xCF, -1, -1, 0, 0, "iret/iretd", "", OPF_END, H(iret)},
    {0xF1, -1, -1, 0, 0, "int1", "", OPF_END, H(int1)},
    {0},
};
