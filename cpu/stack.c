/* The stack: PUSH and POP of registers, immediates, memory and segment
 * registers; PUSHA/POPA, ENTER and LEAVE.  (PUSHF/POPF, with their IOPL
 * rules, are in system.c.)
 *
 * Every instruction that pushes or pops several values checks all of them
 * (segment limit and pages) before it changes any register or memory.
 */
#include "exec.h"

static void push_Zw(cpu_t *c, const insn_t *i) { push16(c, get_r16(c, i->reg)); run_next(c, i); }
static void push_Zd(cpu_t *c, const insn_t *i) { push32(c, c->gpr[i->reg]); run_next(c, i); }
static void pop_Zw(cpu_t *c, const insn_t *i) { uint16_t v = pop16(c); set_r16(c, i->reg, v); run_next(c, i); }
static void pop_Zd(cpu_t *c, const insn_t *i) { uint32_t v = pop32(c); c->gpr[i->reg] = v; run_next(c, i); }
static void push_Iw(cpu_t *c, const insn_t *i) { push16(c, (uint16_t)i->imm); run_next(c, i); }
static void push_Id(cpu_t *c, const insn_t *i) { push32(c, i->imm); run_next(c, i); }
static void push_Ew_r(cpu_t *c, const insn_t *i) { push16(c, get_r16(c, i->rm)); run_next(c, i); }
static void push_Ed_r(cpu_t *c, const insn_t *i) { push32(c, c->gpr[i->rm]); run_next(c, i); }
static void push_Ew_m(cpu_t *c, const insn_t *i) { push16(c, (uint16_t)ea_rd16(c, i)); run_next(c, i); }
static void push_Ed_m(cpu_t *c, const insn_t *i) { push32(c, ea_rd32(c, i)); run_next(c, i); }

static void pop_Ew_r(cpu_t *c, const insn_t *i) { uint16_t v = pop16(c); set_r16(c, i->rm, v); run_next(c, i); }
static void pop_Ed_r(cpu_t *c, const insn_t *i) { uint32_t v = pop32(c); c->gpr[i->rm] = v; run_next(c, i); }

/* POP to memory: an ESP-based address is computed with ESP already
 * incremented, but ESP is committed only after the store succeeded. */
static void pop_mem(cpu_t *cpu, const insn_t *i, bool is32)
{
    unsigned size = is32 ? 4 : 2;
    uint32_t value = stack_peek(cpu, 0, is32);
    uint32_t old = cpu->gpr[R_ESP];
    set_sp(cpu, old + size);
    uint32_t off = ea_offset(cpu, i);
    uint32_t new_esp = cpu->gpr[R_ESP];
    cpu->gpr[R_ESP] = old;
    wr_sized(cpu, i->seg, off, value, size);
    cpu->gpr[R_ESP] = new_esp;
}
static void pop_Ew_m(cpu_t *c, const insn_t *i) { pop_mem(c, i, false); run_next(c, i); }
static void pop_Ed_m(cpu_t *c, const insn_t *i) { pop_mem(c, i, true); run_next(c, i); }

/* ---------------------------------------------------------------- segment registers */

/* PUSH sreg with a 32-bit operand size moves ESP by 4 but writes only the
 * selector's word, leaving the upper half of the slot unmodified (the SDM's
 * note on PUSH; what P6-family and later Intel processors do). */
static void push_sreg(cpu_t *cpu, const insn_t *i, int s)
{
    if (!o32(i)) {
        push16(cpu, cpu->seg[s].sel);
        return;
    }
    uint32_t sp = (cpu->gpr[R_ESP] - 4) & sp_mask(cpu);
    wr16(cpu, SEG_SS, sp, cpu->seg[s].sel);
    set_sp(cpu, sp);
}

/* POP sreg: the new ESP follows the stack size in force before the load
 * (POP SS may change it); ESP moves only after the load succeeded.  Like
 * MOV SS, POP SS holds off interrupts and single-step traps for one
 * instruction so that a following MOV/POP eSP completes the switch. */
static void pop_sreg(cpu_t *cpu, const insn_t *i, int s)
{
    bool is32 = o32(i);
    uint32_t mask = sp_mask(cpu);
    uint16_t sel = (uint16_t)stack_peek(cpu, 0, is32);
    uint32_t esp = (cpu->gpr[R_ESP] & ~mask) | ((cpu->gpr[R_ESP] + (is32 ? 4 : 2)) & mask);
    seg_load(cpu, s, sel);
    cpu->gpr[R_ESP] = esp;
    if (s == SEG_SS) {
        cpu->irq_inhibit = true;
        cpu->suppress_tf = true;
    }
}

static void push_es(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_ES); }
static void push_cs(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_CS); }
static void push_ss(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_SS); }
static void push_ds(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_DS); }
static void push_fs(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_FS); }
static void push_gs(cpu_t *c, const insn_t *i) { push_sreg(c, i, SEG_GS); }
static void pop_es(cpu_t *c, const insn_t *i) { pop_sreg(c, i, SEG_ES); }
static void pop_ss(cpu_t *c, const insn_t *i) { pop_sreg(c, i, SEG_SS); }
static void pop_ds(cpu_t *c, const insn_t *i) { pop_sreg(c, i, SEG_DS); }
static void pop_fs(cpu_t *c, const insn_t *i) { pop_sreg(c, i, SEG_FS); }
static void pop_gs(cpu_t *c, const insn_t *i) { pop_sreg(c, i, SEG_GS); }

/* ---------------------------------------------------------------- PUSHA, POPA */

/* PUSHA: eAX eCX eDX eBX, the original eSP, eBP eSI eDI. */
static void pusha(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    uint32_t vals[8];
    for (int r = R_EAX; r <= R_EDI; r++)
        vals[r] = is32 ? cpu->gpr[r] : get_r16(cpu, r);
    push_frame_here(cpu, vals, 8, is32 ? 4 : 2);
}

/* POPA: the reverse; the saved eSP slot is skipped. */
static void popa(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    unsigned size = is32 ? 4 : 2;
    uint32_t vals[8];
    for (int k = 0; k < 8; k++)
        vals[k] = stack_peek(cpu, (uint32_t)k * size, is32);
    for (int r = R_EAX; r <= R_EDI; r++) {
        if (r == R_ESP)
            continue;
        if (is32)
            cpu->gpr[r] = vals[R_EDI - r];
        else
            set_r16(cpu, r, (uint16_t)vals[R_EDI - r]);
    }
    set_sp(cpu, cpu->gpr[R_ESP] + 8 * size);
}

/* ---------------------------------------------------------------- ENTER, LEAVE */

/* ENTER alloc, level: push eBP; for a nesting level L > 0 copy L-1 frame
 * pointers from the caller's display (read at eBP - k*size, eBP per the
 * stack size) and push the new frame pointer; then eBP = the frame and
 * eSP -= alloc.  Everything is read and checked (including a write probe
 * of the final eSP) before anything changes. */
static void enter(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    unsigned size = is32 ? 4 : 2;
    unsigned level = i->imm2 & 31;
    uint32_t mask = sp_mask(cpu);
    uint32_t ebp = cpu->gpr[R_EBP];
    /* The frame pointer: ESP after the first push (all 32 bits of it, also
     * with a 16-bit stack, as processors do). */
    uint32_t frame = (cpu->gpr[R_ESP] & ~mask) | ((cpu->gpr[R_ESP] - size) & mask);
    uint32_t vals[32];
    int n = 0;
    vals[n++] = is32 ? ebp : (uint16_t)ebp;
    if (level > 0) {
        for (unsigned k = 1; k < level; k++)
            vals[n++] = rd_sized(cpu, SEG_SS, (ebp - k * size) & mask, size);
        vals[n++] = is32 ? frame : (uint16_t)frame;
    }
    uint32_t sp = (cpu->gpr[R_ESP] - (uint32_t)n * size - (i->imm & 0xFFFF)) & mask;
    check_write(cpu, SEG_SS, sp, size);
    push_frame_here(cpu, vals, n, size);
    if (is32)
        cpu->gpr[R_EBP] = frame;
    else
        set_r16(cpu, R_EBP, (uint16_t)frame);
    set_sp(cpu, sp);
}

/* LEAVE: eSP = eBP (stack size), then pop eBP (operand size). */
static void leave(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    uint32_t sp = cpu->gpr[R_EBP] & sp_mask(cpu);
    uint32_t v = rd_sized(cpu, SEG_SS, sp, is32 ? 4 : 2);
    set_sp(cpu, sp + (is32 ? 4 : 2));
    if (is32)
        cpu->gpr[R_EBP] = v;
    else
        set_r16(cpu, R_EBP, (uint16_t)v);
    run_next(cpu, i);
}

const opdef_t stack_ops[] = {
    {0x50, -1, -1, 0, 0, "push", "Zv", 0, HS(push_Zw, push_Zd)},
    {0x58, -1, -1, 0, 0, "pop", "Zv", 0, HS(pop_Zw, pop_Zd)},
    {0x68, -1, -1, 0, 0, "push", "Iz", 0, HS(push_Iw, push_Id)},
    {0x6A, -1, -1, 0, 0, "push", "sIb", 0, HS(push_Iw, push_Id)},
    {0xFF, 6, -1, 0, 0, "push", "Ev", 0, HRS(push_Ew_r, push_Ed_r, push_Ew_m, push_Ed_m)},
    {0x8F, 0, -1, 0, 0, "pop", "Ev", 0, HRS(pop_Ew_r, pop_Ed_r, pop_Ew_m, pop_Ed_m)},
    {0x06, -1, -1, 0, 0, "push", "ES", 0, H(push_es)},
    {0x0E, -1, -1, 0, 0, "push", "CS", 0, H(push_cs)},
    {0x16, -1, -1, 0, 0, "push", "SS", 0, H(push_ss)},
    {0x1E, -1, -1, 0, 0, "push", "DS", 0, H(push_ds)},
    {0x1A0, -1, -1, 0, 0, "push", "FS", 0, H(push_fs)},
    {0x1A8, -1, -1, 0, 0, "push", "GS", 0, H(push_gs)},
    {0x07, -1, -1, 0, 0, "pop", "ES", 0, H(pop_es)},
    {0x17, -1, -1, 0, 0, "pop", "SS", 0, H(pop_ss)},
    {0x1F, -1, -1, 0, 0, "pop", "DS", 0, H(pop_ds)},
    {0x1A1, -1, -1, 0, 0, "pop", "FS", 0, H(pop_fs)},
    {0x1A9, -1, -1, 0, 0, "pop", "GS", 0, H(pop_gs)},
    {0x60, -1, -1, 0, 0, "pusha/pushad", "", 0, H(pusha)},
    {0x61, -1, -1, 0, 0, "popa/popad", "", 0, H(popa)},
    {0xC8, -1, -1, 0, 0, "enter", "Iw,Ib", 0, H(enter)},
    {0xC9, -1, -1, 0, 0, "leave", "", 0, H(leave)},
    {0},
};
