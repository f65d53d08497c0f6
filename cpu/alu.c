/* Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in all their
 * encodings, TEST, INC, DEC, NEG, NOT.
 *
 * One inline function computes each operation and its lazy flags; macros
 * stamp out a handler per operand form (register or memory destination,
 * 8/16/32 bits), so each handler is straight-line code.
 */
#include "exec.h"

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP };

/* a op b on `bits`-wide operands; returns the result (CMP returns a). */
static inline uint32_t alu(cpu_t *cpu, int op, uint32_t a, uint32_t b, unsigned bits)
{
    uint32_t r, c;
    switch (op) {
    case OP_ADD: r = a + b; flags_add(cpu, a, b, r, bits); return r;
    case OP_OR: r = a | b; flags_logic(cpu, r, bits); return r;
    case OP_ADC: c = get_cf(cpu); r = a + b + c; flags_add(cpu, a, b, r, bits); return r;
    case OP_SBB: c = get_cf(cpu); r = a - b - c; flags_sub(cpu, a, b, r, bits); return r;
    case OP_AND: r = a & b; flags_logic(cpu, r, bits); return r;
    case OP_SUB: r = a - b; flags_sub(cpu, a, b, r, bits); return r;
    case OP_XOR: r = a ^ b; flags_logic(cpu, r, bits); return r;
    default: r = a - b; flags_sub(cpu, a, b, r, bits); return a;
    }
}

/* Register destinations. */
static inline void alu_r8(cpu_t *cpu, int op, unsigned reg, uint32_t src)
{
    uint8_t *d = reg8_ptr(cpu, reg);
    *d = (uint8_t)alu(cpu, op, *d, src, 8);
}
static inline void alu_r16(cpu_t *cpu, int op, unsigned reg, uint32_t src)
{
    set_r16(cpu, reg, (uint16_t)alu(cpu, op, get_r16(cpu, reg), src, 16));
}
static inline void alu_r32(cpu_t *cpu, int op, unsigned reg, uint32_t src)
{
    cpu->gpr[reg] = alu(cpu, op, cpu->gpr[reg], src, 32);
}

/* The handlers of one operation, in every form.  `define_mem` defines the
 * memory-destination forms: DEFINE_RMW_HANDLER, or DEFINE_LOAD_HANDLER for
 * CMP, which only reads its destination.  The operation is a compile-time
 * constant in every handler, so the switch in alu() folds away. */
#define DEFINE_ALU_OP(name, op, define_mem)                                                        \
    static void name##_EbGb_r(cpu_t *c, const insn_t *i) { alu_r8(c, op, i->rm, get_r8(c, i->reg)); run_next(c, i); } \
    define_mem(name##_EbGb_m, 1, alu(c, op, v, get_r8(c, i->reg), 8))                               \
    static void name##_EwGw_r(cpu_t *c, const insn_t *i) { alu_r16(c, op, i->rm, get_r16(c, i->reg)); run_next(c, i); } \
    define_mem(name##_EwGw_m, 2, alu(c, op, v, get_r16(c, i->reg), 16))                             \
    static void name##_EdGd_r(cpu_t *c, const insn_t *i) { alu_r32(c, op, i->rm, c->gpr[i->reg]); run_next(c, i); } \
    define_mem(name##_EdGd_m, 4, alu(c, op, v, c->gpr[i->reg], 32))                                 \
    static void name##_GbEb_r(cpu_t *c, const insn_t *i) { alu_r8(c, op, i->reg, get_r8(c, i->rm)); run_next(c, i); } \
    DEFINE_LOAD_HANDLER(name##_GbEb_m, 1, alu_r8(c, op, i->reg, v))                                 \
    static void name##_GwEw_r(cpu_t *c, const insn_t *i) { alu_r16(c, op, i->reg, get_r16(c, i->rm)); run_next(c, i); } \
    DEFINE_LOAD_HANDLER(name##_GwEw_m, 2, alu_r16(c, op, i->reg, v))                                \
    static void name##_GdEd_r(cpu_t *c, const insn_t *i) { alu_r32(c, op, i->reg, c->gpr[i->rm]); run_next(c, i); } \
    DEFINE_LOAD_HANDLER(name##_GdEd_m, 4, alu_r32(c, op, i->reg, v))                                \
    static void name##_EbI_r(cpu_t *c, const insn_t *i) { alu_r8(c, op, i->rm, i->imm & 0xFF); run_next(c, i); } \
    define_mem(name##_EbI_m, 1, alu(c, op, v, i->imm & 0xFF, 8))                                    \
    static void name##_EwI_r(cpu_t *c, const insn_t *i) { alu_r16(c, op, i->rm, i->imm & 0xFFFF); run_next(c, i); } \
    define_mem(name##_EwI_m, 2, alu(c, op, v, i->imm & 0xFFFF, 16))                                 \
    static void name##_EdI_r(cpu_t *c, const insn_t *i) { alu_r32(c, op, i->rm, i->imm); run_next(c, i); } \
    define_mem(name##_EdI_m, 4, alu(c, op, v, i->imm, 32))                                          \
    static void name##_ALI(cpu_t *c, const insn_t *i) { alu_r8(c, op, R_EAX, i->imm & 0xFF); run_next(c, i); } \
    static void name##_AXI(cpu_t *c, const insn_t *i) { alu_r16(c, op, R_EAX, i->imm & 0xFFFF); run_next(c, i); } \
    static void name##_EAXI(cpu_t *c, const insn_t *i) { alu_r32(c, op, R_EAX, i->imm); run_next(c, i); }

DEFINE_ALU_OP(add, OP_ADD, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(or, OP_OR, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(adc, OP_ADC, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(sbb, OP_SBB, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(and, OP_AND, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(sub, OP_SUB, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(xor, OP_XOR, DEFINE_RMW_HANDLER)
DEFINE_ALU_OP(cmp, OP_CMP, DEFINE_LOAD_HANDLER)

/* ---------------------------------------------------------------- TEST */

static void test_EbGb_r(cpu_t *c, const insn_t *i) { flags_logic(c, get_r8(c, i->rm) & get_r8(c, i->reg), 8); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EbGb_m, 1, flags_logic(c, v & get_r8(c, i->reg), 8))
static void test_EwGw_r(cpu_t *c, const insn_t *i) { flags_logic(c, get_r16(c, i->rm) & get_r16(c, i->reg), 16); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EwGw_m, 2, flags_logic(c, v & get_r16(c, i->reg), 16))
static void test_EdGd_r(cpu_t *c, const insn_t *i) { flags_logic(c, c->gpr[i->rm] & c->gpr[i->reg], 32); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EdGd_m, 4, flags_logic(c, v & c->gpr[i->reg], 32))
static void test_EbI_r(cpu_t *c, const insn_t *i) { flags_logic(c, get_r8(c, i->rm) & i->imm, 8); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EbI_m, 1, flags_logic(c, v & i->imm, 8))
static void test_EwI_r(cpu_t *c, const insn_t *i) { flags_logic(c, get_r16(c, i->rm) & i->imm, 16); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EwI_m, 2, flags_logic(c, v & i->imm, 16))
static void test_EdI_r(cpu_t *c, const insn_t *i) { flags_logic(c, c->gpr[i->rm] & i->imm, 32); run_next(c, i); }
DEFINE_LOAD_HANDLER(test_EdI_m, 4, flags_logic(c, v & i->imm, 32))
static void test_ALI(cpu_t *c, const insn_t *i) { flags_logic(c, get_r8(c, R_EAX) & i->imm, 8); run_next(c, i); }
static void test_AXI(cpu_t *c, const insn_t *i) { flags_logic(c, get_r16(c, R_EAX) & i->imm, 16); run_next(c, i); }
static void test_EAXI(cpu_t *c, const insn_t *i) { flags_logic(c, c->gpr[R_EAX] & i->imm, 32); run_next(c, i); }

/* ---------------------------------------------------------------- unary */

static inline uint32_t do_inc(cpu_t *cpu, uint32_t a, unsigned bits)
{
    uint32_t r = a + 1;
    cpu->lf_res = sext(r, bits);
    flags_keep_cf(cpu, carry_aux(a & ~r, bits)); /* carry vector of a + 1 */
    return r;
}
static inline uint32_t do_dec(cpu_t *cpu, uint32_t a, unsigned bits)
{
    uint32_t r = a - 1;
    cpu->lf_res = sext(r, bits);
    flags_keep_cf(cpu, carry_aux(~a & r, bits)); /* borrow vector of a - 1 */
    return r;
}
static inline uint32_t do_neg(cpu_t *cpu, uint32_t a, unsigned bits)
{
    uint32_t r = 0 - a;
    flags_sub(cpu, 0, a, r, bits);
    return r;
}
static inline uint32_t do_not(cpu_t *cpu, uint32_t a, unsigned bits)
{
    (void)cpu, (void)bits;
    return ~a;
}

#define DEFINE_UNARY(name)                                                                         \
    static inline uint32_t name##_8(cpu_t *c, uint32_t v, int unused) { (void)unused; return do_##name(c, v, 8); } \
    static inline uint32_t name##_16(cpu_t *c, uint32_t v, int unused) { (void)unused; return do_##name(c, v, 16); } \
    static inline uint32_t name##_32(cpu_t *c, uint32_t v, int unused) { (void)unused; return do_##name(c, v, 32); } \
    static void name##_Eb_r(cpu_t *c, const insn_t *i) { uint8_t *d = reg8_ptr(c, i->rm); *d = (uint8_t)do_##name(c, *d, 8); run_next(c, i); } \
    static void name##_Ew_r(cpu_t *c, const insn_t *i) { set_r16(c, i->rm, (uint16_t)do_##name(c, get_r16(c, i->rm), 16)); run_next(c, i); } \
    static void name##_Ed_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = do_##name(c, c->gpr[i->rm], 32); run_next(c, i); } \
    static void name##_Eb_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 1, name##_8, 0); run_next(c, i); } \
    static void name##_Ew_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 2, name##_16, 0); run_next(c, i); } \
    static void name##_Ed_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 4, name##_32, 0); run_next(c, i); }

/* INC/DEC r16/r32 with the register in the opcode (40-4F). */
#define DEFINE_UNARY_Z(name)                                                                       \
    static void name##_Zw(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)do_##name(c, get_r16(c, i->reg), 16)); run_next(c, i); } \
    static void name##_Zd(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = do_##name(c, c->gpr[i->reg], 32); run_next(c, i); }

DEFINE_UNARY(inc)
DEFINE_UNARY(dec)
DEFINE_UNARY(neg)
DEFINE_UNARY(not)
DEFINE_UNARY_Z(inc)
DEFINE_UNARY_Z(dec)

/* ---------------------------------------------------------------- table */

#define ALU_ROWS(name, base, reg)                                                                  \
    {base + 0, -1, -1, 0, 0, #name, "Eb,Gb", OPF_LOCKABLE * (reg != 7), HR_BD(name##_EbGb_r, name##_EbGb_m)}, \
    {base + 1, -1, -1, 0, 0, #name, "Ev,Gv", OPF_LOCKABLE * (reg != 7),                            \
     HRS_BD(name##_EwGw_r, name##_EdGd_r, name##_EwGw_m, name##_EdGd_m)},                             \
    {base + 2, -1, -1, 0, 0, #name, "Gb,Eb", 0, HR_BD(name##_GbEb_r, name##_GbEb_m)},                 \
    {base + 3, -1, -1, 0, 0, #name, "Gv,Ev", 0,                                                    \
     HRS_BD(name##_GwEw_r, name##_GdEd_r, name##_GwEw_m, name##_GdEd_m)},                             \
    {base + 4, -1, -1, 0, 0, #name, "AL,Ib", 0, H(name##_ALI)},                                    \
    {base + 5, -1, -1, 0, 0, #name, "eAX,Iz", 0, HS(name##_AXI, name##_EAXI)},                     \
    {0x80, reg, -1, 0, 0, #name, "Eb,Ib", OPF_LOCKABLE * (reg != 7), HR_BD(name##_EbI_r, name##_EbI_m)}, \
    {0x81, reg, -1, 0, 0, #name, "Ev,Iz", OPF_LOCKABLE * (reg != 7),                               \
     HRS_BD(name##_EwI_r, name##_EdI_r, name##_EwI_m, name##_EdI_m)},                                 \
    {0x82, reg, -1, 0, 0, #name, "Eb,Ib", OPF_LOCKABLE * (reg != 7), HR_BD(name##_EbI_r, name##_EbI_m)}, \
    {0x83, reg, -1, 0, 0, #name, "Ev,sIb", OPF_LOCKABLE * (reg != 7),                              \
     HRS_BD(name##_EwI_r, name##_EdI_r, name##_EwI_m, name##_EdI_m)}

#define UNARY_ROWS(name, reg, lock)                                                                \
    {0xF6, reg, -1, 0, 0, #name, "Eb", lock, HR(name##_Eb_r, name##_Eb_m)},                        \
    {0xF7, reg, -1, 0, 0, #name, "Ev", lock, HRS(name##_Ew_r, name##_Ed_r, name##_Ew_m, name##_Ed_m)}

const opdef_t alu_ops[] = {
    ALU_ROWS(add, 0x00, 0),
    ALU_ROWS(or, 0x08, 1),
    ALU_ROWS(adc, 0x10, 2),
    ALU_ROWS(sbb, 0x18, 3),
    ALU_ROWS(and, 0x20, 4),
    ALU_ROWS(sub, 0x28, 5),
    ALU_ROWS(xor, 0x30, 6),
    ALU_ROWS(cmp, 0x38, 7),
    {0x84, -1, -1, 0, 0, "test", "Eb,Gb", 0, HR_BD(test_EbGb_r, test_EbGb_m)},
    {0x85, -1, -1, 0, 0, "test", "Ev,Gv", 0, HRS_BD(test_EwGw_r, test_EdGd_r, test_EwGw_m, test_EdGd_m)},
    {0xA8, -1, -1, 0, 0, "test", "AL,Ib", 0, H(test_ALI)},
    {0xA9, -1, -1, 0, 0, "test", "eAX,Iz", 0, HS(test_AXI, test_EAXI)},
    {0xF6, 0, -1, 0, 0, "test", "Eb,Ib", 0, HR_BD(test_EbI_r, test_EbI_m)},
    {0xF6, 1, -1, 0, 0, "test", "Eb,Ib", 0, HR_BD(test_EbI_r, test_EbI_m)},
    {0xF7, 0, -1, 0, 0, "test", "Ev,Iz", 0, HRS_BD(test_EwI_r, test_EdI_r, test_EwI_m, test_EdI_m)},
    {0xF7, 1, -1, 0, 0, "test", "Ev,Iz", 0, HRS_BD(test_EwI_r, test_EdI_r, test_EwI_m, test_EdI_m)},
    UNARY_ROWS(not, 2, OPF_LOCKABLE),
    UNARY_ROWS(neg, 3, OPF_LOCKABLE),
    {0x40, -1, -1, 0, 0, "inc", "Zv", 0, HS(inc_Zw, inc_Zd)},
    {0x48, -1, -1, 0, 0, "dec", "Zv", 0, HS(dec_Zw, dec_Zd)},
    {0xFE, 0, -1, 0, 0, "inc", "Eb", OPF_LOCKABLE, HR(inc_Eb_r, inc_Eb_m)},
    {0xFE, 1, -1, 0, 0, "dec", "Eb", OPF_LOCKABLE, HR(dec_Eb_r, dec_Eb_m)},
    {0xFF, 0, -1, 0, 0, "inc", "Ev", OPF_LOCKABLE, HRS(inc_Ew_r, inc_Ed_r, inc_Ew_m, inc_Ed_m)},
    {0xFF, 1, -1, 0, 0, "dec", "Ev", OPF_LOCKABLE, HRS(dec_Ew_r, dec_Ed_r, dec_Ew_m, dec_Ed_m)},
    {0},
};
