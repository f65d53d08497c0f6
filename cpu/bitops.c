/* Bit instructions: BT BTS BTR BTC (register and immediate bit offsets),
 * BSF BSR, SETcc, BSWAP.
 *
 * BTx with a register bit offset and a memory operand addresses a bit
 * string: the offset is signed (16 or 32 bits by operand size), and the
 * operand accessed is the word or dword that holds the bit, at
 * EA + (offset >> 4) * 2 or EA + (offset >> 5) * 4, wrapped to the address
 * size.  With an immediate, or a register operand, the offset is taken
 * modulo the operand size.  BTx sets CF to the bit; ZF is unaffected and
 * OF, SF, AF, PF are undefined (we keep them).
 */
#include "exec.h"

enum { BIT_T, BIT_S, BIT_R, BIT_C };

/* Sets CF to bit `bit` of v; returns v with the operation applied. */
static inline uint32_t bit_op(cpu_t *cpu, int op, uint32_t v, unsigned bit)
{
    uint32_t m = 1u << bit;
    flags_set_cf(cpu, (v >> bit) & 1);
    switch (op) {
    case BIT_S: return v | m;
    case BIT_R: return v & ~m;
    case BIT_C: return v ^ m;
    default: return v;
    }
}

/* Offset of the word/dword holding bit `off` of the string at the ModRM
 * operand. */
static inline uint32_t bitstr_offset(const cpu_t *cpu, const insn_t *i, int32_t off, unsigned bits)
{
    int32_t units = bits == 16 ? off >> 4 : off >> 5; /* arithmetic shift: floor */
    uint32_t a = ea_offset(cpu, i) + (uint32_t)units * (bits / 8);
    return a32(i) ? a : (a & 0xFFFF);
}

/* Every form of one operation. */
#define DEFINE_BIT_OP(name, op)                                                                    \
    static inline uint32_t name##_16(cpu_t *c, uint32_t v, unsigned b) { return bit_op(c, op, v, b); } \
    static inline uint32_t name##_32(cpu_t *c, uint32_t v, unsigned b) { return bit_op(c, op, v, b); } \
    static void name##_EwGw_r(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        set_r16(c, i->rm, (uint16_t)bit_op(c, op, get_r16(c, i->rm), get_r16(c, i->reg) & 15));    \
    }                                                                                              \
    static void name##_EdGd_r(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        c->gpr[i->rm] = bit_op(c, op, c->gpr[i->rm], c->gpr[i->reg] & 31);                         \
    }                                                                                              \
    static void name##_EwI_r(cpu_t *c, const insn_t *i)                                            \
    {                                                                                              \
        set_r16(c, i->rm, (uint16_t)bit_op(c, op, get_r16(c, i->rm), i->imm & 15));                \
    }                                                                                              \
    static void name##_EdI_r(cpu_t *c, const insn_t *i)                                            \
    {                                                                                              \
        c->gpr[i->rm] = bit_op(c, op, c->gpr[i->rm], i->imm & 31);                                 \
    }                                                                                              \
    static void name##_m(cpu_t *c, const insn_t *i, uint32_t off, unsigned bit, unsigned bits)    \
    {                                                                                              \
        if (op == BIT_T)                                                                           \
            bit_op(c, op, rd_sized(c, i->seg, off, bits / 8), bit);                                \
        else if (bits == 16)                                                                       \
            RMW_AT(c, i->seg, off, 2, name##_16, bit);                                             \
        else                                                                                       \
            RMW_AT(c, i->seg, off, 4, name##_32, bit);                                             \
    }                                                                                              \
    static void name##_EwGw_m(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        int32_t off = (int16_t)get_r16(c, i->reg);                                                 \
        name##_m(c, i, bitstr_offset(c, i, off, 16), off & 15, 16);                                \
    }                                                                                              \
    static void name##_EdGd_m(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        int32_t off = (int32_t)c->gpr[i->reg];                                                     \
        name##_m(c, i, bitstr_offset(c, i, off, 32), off & 31, 32);                                \
    }                                                                                              \
    static void name##_EwI_m(cpu_t *c, const insn_t *i) { name##_m(c, i, ea_offset(c, i), i->imm & 15, 16); run_next(c, i); } \
    static void name##_EdI_m(cpu_t *c, const insn_t *i) { name##_m(c, i, ea_offset(c, i), i->imm & 31, 32); run_next(c, i); }

DEFINE_BIT_OP(bt, BIT_T)
DEFINE_BIT_OP(bts, BIT_S)
DEFINE_BIT_OP(btr, BIT_R)
DEFINE_BIT_OP(btc, BIT_C)

/* ---------------------------------------------------------------- BSF, BSR */

/* A zero source sets ZF and leaves the destination unchanged (what Intel
 * and AMD processors do; the SDM calls the value undefined).  CF, OF, SF,
 * AF and PF are undefined: flags_logic derives them from the source. */
static inline uint32_t bit_scan(cpu_t *cpu, bool reverse, uint32_t src, uint32_t old, unsigned bits)
{
    flags_logic(cpu, src, bits);
    if (src == 0)
        return old;
    return reverse ? 31u - (uint32_t)__builtin_clz(src) : (uint32_t)__builtin_ctz(src);
}

#define DEFINE_SCAN(name, reverse)                                                                 \
    static void name##_GwEw_r(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        set_r16(c, i->reg, (uint16_t)bit_scan(c, reverse, get_r16(c, i->rm), get_r16(c, i->reg), 16)); \
    }                                                                                              \
    static void name##_GwEw_m(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        set_r16(c, i->reg, (uint16_t)bit_scan(c, reverse, ea_rd16(c, i), get_r16(c, i->reg), 16)); \
    }                                                                                              \
    static void name##_GdEd_r(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        c->gpr[i->reg] = bit_scan(c, reverse, c->gpr[i->rm], c->gpr[i->reg], 32);                  \
    }                                                                                              \
    static void name##_GdEd_m(cpu_t *c, const insn_t *i)                                           \
    {                                                                                              \
        c->gpr[i->reg] = bit_scan(c, reverse, ea_rd32(c, i), c->gpr[i->reg], 32);                  \
    }

DEFINE_SCAN(bsf, false)
DEFINE_SCAN(bsr, true)

/* ---------------------------------------------------------------- SETcc, BSWAP */

/* SETcc ignores ModRM.reg. */
static void setcc_r(cpu_t *c, const insn_t *i) { set_r8(c, i->rm, cond_true(c, i->op & 15)); run_next(c, i); }
static void setcc_m(cpu_t *c, const insn_t *i) { ea_wr8(c, i, cond_true(c, i->op & 15)); run_next(c, i); }

static void bswap_d(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = __builtin_bswap32(c->gpr[i->reg]); run_next(c, i); }
/* With a 16-bit operand size the result is undefined; P6-family and later
 * processors clear the low word. */
static void bswap_w(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, 0); run_next(c, i); }

#define BIT_ROWS(name, op_gv, reg)                                                                 \
    {op_gv, -1, -1, 0, 0, #name, "Ev,Gv", OPF_LOCKABLE * (reg != 4),                               \
     HRS(name##_EwGw_r, name##_EdGd_r, name##_EwGw_m, name##_EdGd_m)},                             \
    {0x1BA, reg, -1, 0, 0, #name, "Ev,Ib", OPF_LOCKABLE * (reg != 4),                              \
     HRS(name##_EwI_r, name##_EdI_r, name##_EwI_m, name##_EdI_m)}

const opdef_t bitops_ops[] = {
    BIT_ROWS(bt, 0x1A3, 4),
    BIT_ROWS(bts, 0x1AB, 5),
    BIT_ROWS(btr, 0x1B3, 6),
    BIT_ROWS(btc, 0x1BB, 7),
    {0x1BC, -1, -1, 0, 0, "bsf", "Gv,Ev", 0, HRS(bsf_GwEw_r, bsf_GdEd_r, bsf_GwEw_m, bsf_GdEd_m)},
    {0x1BD, -1, -1, 0, 0, "bsr", "Gv,Ev", 0, HRS(bsr_GwEw_r, bsr_GdEd_r, bsr_GwEw_m, bsr_GdEd_m)},
    {0x190, -1, -1, 0, 16, "set%cc", "Eb", 0, HR(setcc_r, setcc_m)},
    {0x1C8, -1, -1, 0, 0, "bswap", "Zv", 0, HS(bswap_w, bswap_d)},
    {0},
};
