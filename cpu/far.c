/* Far control transfers: JMP and CALL far (direct ptr16:16/32 and memory
 * m16:16/32) and RETF, in real, V86 and protected mode; in protected mode
 * to code segments, through call gates (with the inner-stack switch and
 * parameter copy), task gates and TSS descriptors.  The checks and their
 * error codes follow the SDM's JMP, CALL and RET pseudo-code.
 */
#include "exec.h"

static uint32_t sel_error(uint16_t sel) { return sel & 0xFFFC; }

/* ---------------------------------------------------------------- real and V86 mode */

static void far_real(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32, bool call)
{
    if (!is32)
        off &= 0xFFFF;
    if (off > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    if (call) {
        uint32_t frame[2] = {cpu->seg[SEG_CS].sel, cpu->eip};
        push_frame_here(cpu, frame, 2, is32 ? 4 : 2);
    }
    seg_load_real(cpu, SEG_CS, sel);
    cpu->eip = off;
}

/* ---------------------------------------------------------------- protected mode */

/* Enters code segment `sel` at the current privilege: CS.RPL becomes CPL.
 * A CALL first pushes the return CS:EIP (`size` bytes each). */
static void enter_same_level(cpu_t *cpu, uint16_t sel, desc_t d, uint32_t off, bool call, unsigned size)
{
    uint32_t frame[2] = {cpu->seg[SEG_CS].sel, cpu->eip};
    if (call)
        push_frame_check(cpu, &cpu->seg[SEG_SS], cpu->gpr[R_ESP], cpu->stack32, 2, size, 0,
                         cpu->cpl == 3);
    if (off > desc_limit(d))
        cpu_exception(cpu, EXC_GP, 0);
    if (call)
        push_frame_here(cpu, frame, 2, size);
    desc_set_accessed(cpu, sel, &d);
    seg_load_desc(cpu, SEG_CS, (sel & 0xFFFC) | cpu->cpl, d);
    cpu->eip = off;
}

/* CALL through a call gate to a more privileged non-conforming segment:
 * the stack of privilege `dpl` from the TSS receives the caller's SS:ESP,
 * `nparams` parameters copied from the caller's stack, and CS:EIP. */
static void call_inner(cpu_t *cpu, uint16_t cs_sel, desc_t cd, uint32_t off, bool gate32,
                       unsigned nparams)
{
    unsigned dpl = desc_dpl(cd);
    unsigned size = gate32 ? 4 : 2;
    uint16_t ss_sel;
    uint32_t esp;
    desc_t sd;
    tss_stack(cpu, dpl, &ss_sel, &esp, 0);
    check_inner_ss(cpu, ss_sel, dpl, 0, &sd);
    segment_t new_ss;
    seg_cache_from_desc(cpu, &new_ss, ss_sel, sd, true);
    bool stack32 = (new_ss.flags & DESC_FLAG_DB) != 0;

    uint32_t frame[4 + 31];
    int n = 0;
    frame[n++] = cpu->seg[SEG_SS].sel;
    frame[n++] = cpu->gpr[R_ESP];
    for (unsigned k = nparams; k-- > 0;) /* the caller's highest parameter first */
        frame[n++] = stack_peek(cpu, k * size, gate32);
    frame[n++] = cpu->seg[SEG_CS].sel;
    frame[n++] = cpu->eip;

    uint32_t top = push_frame_check(cpu, &new_ss, esp, stack32, n, size, sel_error(ss_sel), false);
    if (off > desc_limit(cd))
        cpu_exception(cpu, EXC_GP, 0);
    push_frame(cpu, &new_ss, esp, stack32, frame, n, size, sel_error(ss_sel), false);

    desc_set_accessed(cpu, ss_sel, &sd);
    desc_set_accessed(cpu, cs_sel, &cd);
    cpu_set_cpl(cpu, (uint8_t)dpl);
    seg_load_desc(cpu, SEG_SS, ss_sel, sd);
    cpu->gpr[R_ESP] = stack32 ? top : (esp & 0xFFFF0000u) | (top & 0xFFFF);
    seg_load_desc(cpu, SEG_CS, (cs_sel & 0xFFFC) | dpl, cd);
    cpu->eip = off;
}

/* JMP or CALL through the call gate `gate` (selector gate_sel). */
static void through_call_gate(cpu_t *cpu, uint16_t gate_sel, desc_t gate, bool call)
{
    unsigned gdpl = desc_dpl(gate);
    if (gdpl < cpu->cpl || gdpl < (gate_sel & 3u))
        cpu_exception(cpu, EXC_GP, sel_error(gate_sel));
    if (!(desc_access(gate) & DESC_P))
        cpu_exception(cpu, EXC_NP, sel_error(gate_sel));
    bool gate32 = (desc_access(gate) & 0x08) != 0;
    uint16_t cs_sel = (uint16_t)(gate.lo >> 16);
    uint32_t off = (gate.lo & 0xFFFF) | (gate32 ? (gate.hi & 0xFFFF0000u) : 0);
    if ((cs_sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    desc_t cd;
    if (!desc_read(cpu, cs_sel, &cd))
        cpu_exception(cpu, EXC_GP, sel_error(cs_sel));
    uint8_t ca = desc_access(cd);
    unsigned dpl = desc_dpl(cd);
    bool conforming = (ca & DESC_CONFORMING) != 0;
    if (!(ca & DESC_S) || !(ca & DESC_CODE) || dpl > cpu->cpl || (!call && !conforming && dpl != cpu->cpl))
        cpu_exception(cpu, EXC_GP, sel_error(cs_sel));
    if (!(ca & DESC_P))
        cpu_exception(cpu, EXC_NP, sel_error(cs_sel));
    if (call && !conforming && dpl < cpu->cpl)
        call_inner(cpu, cs_sel, cd, off, gate32, gate.hi & 0x1F);
    else
        enter_same_level(cpu, cs_sel, cd, off, call, gate32 ? 4 : 2);
}

/* JMP (no nesting) or CALL (nesting) to a task through a task gate or a
 * TSS descriptor. */
static void to_task(cpu_t *cpu, uint16_t sel, desc_t d, bool call)
{
    unsigned dpl = desc_dpl(d);
    unsigned type = desc_access(d) & 0x0F;
    if (dpl < cpu->cpl || dpl < (sel & 3u) || type == 0x03 || type == 0x0B)
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    if (!(desc_access(d) & DESC_P))
        cpu_exception(cpu, EXC_NP, sel_error(sel));
    uint16_t tss_sel = type == 0x05 ? (uint16_t)(d.lo >> 16) : sel;
    task_switch_gate(cpu, tss_sel, call ? TASK_FROM_CALL : TASK_FROM_JMP, false, 0, 0);
}

static void far_protected(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32, bool call)
{
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    desc_t d;
    if (!desc_read(cpu, sel, &d))
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    uint8_t a = desc_access(d);
    if (a & DESC_S) {
        unsigned dpl = desc_dpl(d);
        if (!(a & DESC_CODE))
            cpu_exception(cpu, EXC_GP, sel_error(sel));
        if ((a & DESC_CONFORMING) ? dpl > cpu->cpl : ((sel & 3u) > cpu->cpl || dpl != cpu->cpl))
            cpu_exception(cpu, EXC_GP, sel_error(sel));
        if (!(a & DESC_P))
            cpu_exception(cpu, EXC_NP, sel_error(sel));
        enter_same_level(cpu, sel, d, is32 ? off : off & 0xFFFF, call, is32 ? 4 : 2);
        return;
    }
    switch (a & 0x0F) {
    case 0x04: /* 16-bit call gate */
    case 0x0C: /* 32-bit call gate */
        through_call_gate(cpu, sel, d, call);
        break;
    case 0x01: /* TSS (16-bit, 32-bit; available or busy) */
    case 0x03:
    case 0x09:
    case 0x0B:
    case 0x05: /* task gate */
        to_task(cpu, sel, d, call);
        break;
    default:
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    }
}

static void far_transfer(cpu_t *cpu, uint16_t sel, uint32_t off, bool is32, bool call)
{
    if (cpu_is_protected(cpu) && !cpu_is_v86(cpu))
        far_protected(cpu, sel, off, is32, call);
    else
        far_real(cpu, sel, off, is32, call);
}

/* The m16:16 / m16:32 operand of FF /3 and FF /5. */
static void read_far_pointer(cpu_t *cpu, const insn_t *i, uint16_t *sel, uint32_t *off)
{
    uint32_t ea = ea_offset(cpu, i);
    unsigned size = o32(i) ? 4 : 2;
    *off = rd_sized(cpu, i->seg, ea, size);
    *sel = rd16(cpu, i->seg, ea + size);
}

static void jmp_Ap(cpu_t *c, const insn_t *i) { far_transfer(c, i->imm2, i->imm, o32(i), false); }
static void call_Ap(cpu_t *c, const insn_t *i) { far_transfer(c, i->imm2, i->imm, o32(i), true); }

static void far_indirect(cpu_t *cpu, const insn_t *i, bool call)
{
    uint16_t sel;
    uint32_t off;
    read_far_pointer(cpu, i, &sel, &off);
    far_transfer(cpu, sel, off, o32(i), call);
}
static void jmp_Mp(cpu_t *c, const insn_t *i) { far_indirect(c, i, false); }
static void call_Mp(cpu_t *c, const insn_t *i) { far_indirect(c, i, true); }

/* ---------------------------------------------------------------- RETF */

void check_return_cs(cpu_t *cpu, uint16_t sel, desc_t *d)
{
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, d))
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    uint8_t a = desc_access(*d);
    unsigned rpl = sel & 3u, dpl = desc_dpl(*d);
    if (!(a & DESC_S) || !(a & DESC_CODE) || rpl < cpu->cpl ||
        ((a & DESC_CONFORMING) ? dpl > rpl : dpl != rpl))
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_NP, sel_error(sel));
}

void check_outer_ss(cpu_t *cpu, uint16_t sel, unsigned rpl, desc_t *d)
{
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    if (!desc_read(cpu, sel, d))
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    uint8_t a = desc_access(*d);
    if ((sel & 3u) != rpl || desc_dpl(*d) != rpl || !(a & DESC_S) || (a & DESC_CODE) ||
        !(a & DESC_WRITABLE))
        cpu_exception(cpu, EXC_GP, sel_error(sel));
    if (!(a & DESC_P))
        cpu_exception(cpu, EXC_SS, sel_error(sel));
}

/* After a return to an outer level, data segment registers holding data or
 * non-conforming code more privileged than the new CPL become null. */
void null_outer_data_segments(cpu_t *cpu)
{
    static const int segs[4] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (int k = 0; k < 4; k++) {
        const segment_t *sg = &cpu->seg[segs[k]];
        bool data_or_nc_code = (sg->access & DESC_S) &&
                               (!(sg->access & DESC_CODE) || !(sg->access & DESC_CONFORMING));
        if (data_or_nc_code && ((sg->access >> 5) & 3u) < cpu->cpl)
            seg_load_null(cpu, segs[k], 0);
    }
}

void load_outer_sp(cpu_t *cpu, uint32_t sp)
{
    cpu->gpr[R_ESP] = cpu->stack32 ? sp : (cpu->gpr[R_ESP] & 0xFFFF0000u) | (sp & 0xFFFF);
}

static void retf_protected(cpu_t *cpu, bool is32, uint32_t release)
{
    unsigned size = is32 ? 4 : 2;
    uint32_t eip = stack_peek(cpu, 0, is32);
    uint16_t cs = (uint16_t)stack_peek(cpu, size, is32);
    desc_t cd;
    check_return_cs(cpu, cs, &cd);
    unsigned rpl = cs & 3u;
    if (rpl == cpu->cpl) {
        if (eip > desc_limit(cd))
            cpu_exception(cpu, EXC_GP, 0);
        set_sp(cpu, cpu->gpr[R_ESP] + 2 * size + release);
        desc_set_accessed(cpu, cs, &cd);
        seg_load_desc(cpu, SEG_CS, cs, cd);
        cpu->eip = eip;
        return;
    }
    uint32_t esp = stack_peek(cpu, 2 * size + release, is32);
    uint16_t ss = (uint16_t)stack_peek(cpu, 3 * size + release, is32);
    desc_t sd;
    check_outer_ss(cpu, ss, rpl, &sd);
    if (eip > desc_limit(cd))
        cpu_exception(cpu, EXC_GP, 0);
    desc_set_accessed(cpu, cs, &cd);
    desc_set_accessed(cpu, ss, &sd);
    cpu_set_cpl(cpu, (uint8_t)rpl);
    seg_load_desc(cpu, SEG_CS, cs, cd);
    seg_load_desc(cpu, SEG_SS, ss, sd);
    load_outer_sp(cpu, esp + release); /* the caller's parameters go too */
    cpu->eip = eip;
    null_outer_data_segments(cpu);
}

static void retf_real(cpu_t *cpu, bool is32, uint32_t release)
{
    unsigned size = is32 ? 4 : 2;
    uint32_t eip = stack_peek(cpu, 0, is32);
    uint16_t cs = (uint16_t)stack_peek(cpu, size, is32);
    if (eip > cpu->seg[SEG_CS].limit)
        cpu_exception(cpu, EXC_GP, 0);
    set_sp(cpu, cpu->gpr[R_ESP] + 2 * size + release);
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = eip;
}

static void retf(cpu_t *cpu, const insn_t *i)
{
    uint32_t release = i->op == 0xCA ? i->imm : 0;
    if (cpu_is_protected(cpu) && !cpu_is_v86(cpu))
        retf_protected(cpu, o32(i), release);
    else
        retf_real(cpu, o32(i), release);
}

const opdef_t far_ops[] = {
    {0xEA, -1, -1, 0, 0, "jmp", "Ap", OPF_END | OPF_FAR, H(jmp_Ap)},
    {0x9A, -1, -1, 0, 0, "call", "Ap", OPF_END | OPF_FAR, H(call_Ap)},
    {0xFF, 5, -1, OPMOD_MEM, 0, "jmp", "Mp", OPF_END | OPF_FAR, H(jmp_Mp)},
    {0xFF, 3, -1, OPMOD_MEM, 0, "call", "Mp", OPF_END | OPF_FAR, H(call_Mp)},
    {0xCB, -1, -1, 0, 0, "retf", "", OPF_END, H(retf)},
    {0xCA, -1, -1, 0, 0, "retf", "Iw", OPF_END, H(retf)},
    {0},
};
