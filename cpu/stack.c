/* The stack: PUSH and POP of registers, immediates and memory. */
#include "exec.h"

static void push_Zw(cpu_t *c, const insn_t *i) { push16(c, get_r16(c, i->reg)); }
static void push_Zd(cpu_t *c, const insn_t *i) { push32(c, c->gpr[i->reg]); }
static void pop_Zw(cpu_t *c, const insn_t *i) { uint16_t v = pop16(c); set_r16(c, i->reg, v); }
static void pop_Zd(cpu_t *c, const insn_t *i) { uint32_t v = pop32(c); c->gpr[i->reg] = v; }
static void push_Iw(cpu_t *c, const insn_t *i) { push16(c, (uint16_t)i->imm); }
static void push_Id(cpu_t *c, const insn_t *i) { push32(c, i->imm); }
static void push_Ew_r(cpu_t *c, const insn_t *i) { push16(c, get_r16(c, i->rm)); }
static void push_Ed_r(cpu_t *c, const insn_t *i) { push32(c, c->gpr[i->rm]); }
static void push_Ew_m(cpu_t *c, const insn_t *i) { push16(c, (uint16_t)ea_rd16(c, i)); }
static void push_Ed_m(cpu_t *c, const insn_t *i) { push32(c, ea_rd32(c, i)); }

static void pop_Ew_r(cpu_t *c, const insn_t *i) { uint16_t v = pop16(c); set_r16(c, i->rm, v); }
static void pop_Ed_r(cpu_t *c, const insn_t *i) { uint32_t v = pop32(c); c->gpr[i->rm] = v; }

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
static void pop_Ew_m(cpu_t *c, const insn_t *i) { pop_mem(c, i, false); }
static void pop_Ed_m(cpu_t *c, const insn_t *i) { pop_mem(c, i, true); }

const opdef_t stack_ops[] = {
    {0x50, -1, -1, 0, 0, "push", "Zv", 0, HS(push_Zw, push_Zd)},
    {0x58, -1, -1, 0, 0, "pop", "Zv", 0, HS(pop_Zw, pop_Zd)},
    {0x68, -1, -1, 0, 0, "push", "Iz", 0, HS(push_Iw, push_Id)},
    {0x6A, -1, -1, 0, 0, "push", "sIb", 0, HS(push_Iw, push_Id)},
    {0xFF, 6, -1, 0, 0, "push", "Ev", 0, HRS(push_Ew_r, push_Ed_r, push_Ew_m, push_Ed_m)},
    {0x8F, 0, -1, 0, 0, "pop", "Ev", 0, HRS(pop_Ew_r, pop_Ed_r, pop_Ew_m, pop_Ed_m)},
    {0},
};
