/* Shifts and rotates: ROL ROR RCL RCR SHL/SAL SHR SAR by 1, by CL and by an
 * immediate (group 2: C0 C1 D0-D3), and the double shifts SHLD and SHRD.
 *
 * The count is masked to 5 bits for every operand size; a masked count of 0
 * changes nothing, not even the flags.  RCL/RCR then rotate through CF
 * modulo size+1, ROL/ROR modulo the size (CF and OF are still set when that
 * leaves the value unchanged).  The SDM defines OF only for a count of 1;
 * for other counts we apply the count-1 formula to the final result, which
 * is what the iterating 286 microcode produces and so what the hardware
 * captured SingleStepTests compare.  AF is undefined and left clear.
 *
 * One inline function computes each operation (the operation and size are
 * constants at every call site, so the switch folds away); macros stamp out
 * one handler per operation, size, count source and register/memory form.
 */
#include "exec.h"

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR };

static inline uint32_t msb(uint32_t v, unsigned bits) { return (v >> (bits - 1)) & 1; }

/* ROL/ROR change only CF and OF. */
static inline uint32_t rotate(cpu_t *cpu, bool left, uint32_t v, unsigned count, unsigned bits)
{
    unsigned n = count & (bits - 1);
    uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    uint32_t r = v;
    if (n)
        r = left ? ((v << n) | (v >> (bits - n))) & mask : ((v >> n) | (v << (bits - n))) & mask;
    if (left) {
        uint32_t cf = r & 1;
        flags_set_cf_of(cpu, cf, msb(r, bits) ^ cf);
    } else {
        flags_set_cf_of(cpu, msb(r, bits), msb(r, bits) ^ msb(r, bits - 1));
    }
    return r;
}

/* RCL/RCR rotate the size+1-bit value CF:v; they change only CF and OF. */
static inline uint32_t rotate_carry(cpu_t *cpu, bool left, uint32_t v, unsigned count, unsigned bits)
{
    unsigned n = bits == 32 ? count : count % (bits + 1);
    uint64_t all = (2ull << bits) - 1; /* bits+1 ones */
    uint64_t w = ((uint64_t)get_cf(cpu) << bits) | v;
    if (n)
        w = left ? ((w << n) | (w >> (bits + 1 - n))) & all : ((w >> n) | (w << (bits + 1 - n))) & all;
    uint32_t r = (uint32_t)(w & (all >> 1));
    uint32_t cf = (uint32_t)(w >> bits) & 1;
    flags_set_cf_of(cpu, cf, left ? msb(r, bits) ^ cf : msb(r, bits) ^ msb(r, bits - 1));
    return r;
}

static inline uint32_t shift(cpu_t *cpu, int op, uint32_t v, unsigned count, unsigned bits)
{
    count &= 31;
    if (count == 0)
        return v;
    uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    uint32_t r, cf;
    switch (op) {
    case SH_ROL: return rotate(cpu, true, v, count, bits);
    case SH_ROR: return rotate(cpu, false, v, count, bits);
    case SH_RCL: return rotate_carry(cpu, true, v, count, bits);
    case SH_RCR: return rotate_carry(cpu, false, v, count, bits);
    case SH_SHL: {
        uint64_t w = (uint64_t)v << count;
        r = (uint32_t)w & mask;
        cf = (uint32_t)(w >> bits) & 1;
        flags_set_co(cpu, r, bits, cf, msb(r, bits) ^ cf);
        return r;
    }
    case SH_SHR:
        r = v >> count;
        cf = (v >> (count - 1)) & 1;
        flags_set_co(cpu, r, bits, cf, msb(r, bits) ^ msb(r, bits - 1));
        return r;
    default: { /* SAR */
        int32_t s = (int32_t)sext(v, bits);
        r = (uint32_t)(s >> count) & mask;
        cf = (uint32_t)(s >> (count - 1)) & 1;
        flags_set_co(cpu, r, bits, cf, 0);
        return r;
    }
    }
}

/* The handlers of one group-2 operation with one count source. */
#define DEFINE_SHIFT_FORM(name, op, form, count)                                                   \
    static inline uint32_t name##form##_8(cpu_t *c, uint32_t v, unsigned n) { return shift(c, op, v, n, 8); } \
    static inline uint32_t name##form##_16(cpu_t *c, uint32_t v, unsigned n) { return shift(c, op, v, n, 16); } \
    static inline uint32_t name##form##_32(cpu_t *c, uint32_t v, unsigned n) { return shift(c, op, v, n, 32); } \
    static void name##_Eb##form##_r(cpu_t *c, const insn_t *i)                                     \
    {                                                                                              \
        uint8_t *d = reg8_ptr(c, i->rm);                                                           \
        *d = (uint8_t)shift(c, op, *d, count, 8);                                                  \
        run_next(c, i);                                                                            \
    }                                                                                              \
    static void name##_Ew##form##_r(cpu_t *c, const insn_t *i)                                     \
    {                                                                                              \
        set_r16(c, i->rm, (uint16_t)shift(c, op, get_r16(c, i->rm), count, 16));                   \
        run_next(c, i);                                                                            \
    }                                                                                              \
    static void name##_Ed##form##_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = shift(c, op, c->gpr[i->rm], count, 32); run_next(c, i); } \
    static void name##_Eb##form##_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 1, name##form##_8, count); run_next(c, i); } \
    static void name##_Ew##form##_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 2, name##form##_16, count); run_next(c, i); } \
    static void name##_Ed##form##_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 4, name##form##_32, count); run_next(c, i); }

#define DEFINE_SHIFT_OP(name, op)                                                                  \
    DEFINE_SHIFT_FORM(name, op, 1, 1)                                                              \
    DEFINE_SHIFT_FORM(name, op, CL, get_r8(c, R_ECX))                                              \
    DEFINE_SHIFT_FORM(name, op, I, i->imm)

DEFINE_SHIFT_OP(rol, SH_ROL)
DEFINE_SHIFT_OP(ror, SH_ROR)
DEFINE_SHIFT_OP(rcl, SH_RCL)
DEFINE_SHIFT_OP(rcr, SH_RCR)
DEFINE_SHIFT_OP(shl, SH_SHL)
DEFINE_SHIFT_OP(shr, SH_SHR)
DEFINE_SHIFT_OP(sar, SH_SAR)

/* ---------------------------------------------------------------- SHLD, SHRD */

/* dest shifted by `count`, filled from src.  A 16-bit count above 16 is
 * undefined; we shift the 48-bit dest:src:dest, which gives the defined
 * result for counts up to 16. */
static inline uint32_t shld(cpu_t *cpu, uint32_t dest, uint32_t src, unsigned count, unsigned bits)
{
    count &= 31;
    if (count == 0)
        return dest;
    uint32_t r, cf;
    if (bits == 16) {
        uint64_t w = ((uint64_t)dest << 32 | (uint64_t)src << 16 | dest) << count;
        r = (uint32_t)(w >> 32) & 0xFFFF;
        cf = (uint32_t)(w >> 48) & 1;
    } else {
        r = (dest << count) | (src >> (32 - count));
        cf = (dest >> (32 - count)) & 1;
    }
    flags_set_co(cpu, r, bits, cf, msb(r, bits) ^ cf);
    return r;
}

static inline uint32_t shrd(cpu_t *cpu, uint32_t dest, uint32_t src, unsigned count, unsigned bits)
{
    count &= 31;
    if (count == 0)
        return dest;
    uint32_t r, cf;
    if (bits == 16) {
        uint64_t w = (uint64_t)dest | (uint64_t)src << 16 | (uint64_t)dest << 32;
        r = (uint32_t)(w >> count) & 0xFFFF;
        cf = (uint32_t)(w >> (count - 1)) & 1;
    } else {
        r = (dest >> count) | (src << (32 - count));
        cf = (dest >> (count - 1)) & 1;
    }
    flags_set_co(cpu, r, bits, cf, msb(r, bits) ^ msb(r, bits - 1));
    return r;
}

/* The memory forms pass source and count to RMW_MEM as one argument. */
#define DBL_ARG(src, count) ((uint64_t)(src) << 8 | ((count) & 0xFF))
#define DEFINE_DOUBLE_FORM(name, form, count)                                                      \
    static inline uint32_t name##form##_16(cpu_t *c, uint32_t v, uint64_t a) { return name(c, v, (uint32_t)(a >> 8), a & 0xFF, 16); } \
    static inline uint32_t name##form##_32(cpu_t *c, uint32_t v, uint64_t a) { return name(c, v, (uint32_t)(a >> 8), a & 0xFF, 32); } \
    static void name##_Ew##form##_r(cpu_t *c, const insn_t *i)                                     \
    {                                                                                              \
        set_r16(c, i->rm, (uint16_t)name(c, get_r16(c, i->rm), get_r16(c, i->reg), count, 16));    \
        run_next(c, i);                                                                            \
    }                                                                                              \
    static void name##_Ed##form##_r(cpu_t *c, const insn_t *i)                                     \
    {                                                                                              \
        c->gpr[i->rm] = name(c, c->gpr[i->rm], c->gpr[i->reg], count, 32);                         \
        run_next(c, i);                                                                            \
    }                                                                                              \
    static void name##_Ew##form##_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 2, name##form##_16, DBL_ARG(get_r16(c, i->reg), count)); run_next(c, i); } \
    static void name##_Ed##form##_m(cpu_t *c, const insn_t *i) { RMW_MEM(c, i, 4, name##form##_32, DBL_ARG(c->gpr[i->reg], count)); run_next(c, i); }

DEFINE_DOUBLE_FORM(shld, I, i->imm)
DEFINE_DOUBLE_FORM(shld, CL, get_r8(c, R_ECX))
DEFINE_DOUBLE_FORM(shrd, I, i->imm)
DEFINE_DOUBLE_FORM(shrd, CL, get_r8(c, R_ECX))

/* ---------------------------------------------------------------- table */

/* ModRM.reg 6 is not in Intel's opcode map, but every Intel and AMD
 * processor executes it as SHL (AMD documents it as the SAL alias). */
#define SHIFT_ROWS(name, reg)                                                                      \
    {0xC0, reg, -1, 0, 0, #name, "Eb,Ib", 0, HR(name##_EbI_r, name##_EbI_m)},                      \
    {0xC1, reg, -1, 0, 0, #name, "Ev,Ib", 0, HRS(name##_EwI_r, name##_EdI_r, name##_EwI_m, name##_EdI_m)}, \
    {0xD0, reg, -1, 0, 0, #name, "Eb,1", 0, HR(name##_Eb1_r, name##_Eb1_m)},                       \
    {0xD1, reg, -1, 0, 0, #name, "Ev,1", 0, HRS(name##_Ew1_r, name##_Ed1_r, name##_Ew1_m, name##_Ed1_m)}, \
    {0xD2, reg, -1, 0, 0, #name, "Eb,CL", 0, HR(name##_EbCL_r, name##_EbCL_m)},                    \
    {0xD3, reg, -1, 0, 0, #name, "Ev,CL", 0, HRS(name##_EwCL_r, name##_EdCL_r, name##_EwCL_m, name##_EdCL_m)}

const opdef_t shift_ops[] = {
    SHIFT_ROWS(rol, 0),
    SHIFT_ROWS(ror, 1),
    SHIFT_ROWS(rcl, 2),
    SHIFT_ROWS(rcr, 3),
    SHIFT_ROWS(shl, 4),
    SHIFT_ROWS(shr, 5),
    SHIFT_ROWS(shl, 6),
    SHIFT_ROWS(sar, 7),
    {0x1A4, -1, -1, 0, 0, "shld", "Ev,Gv,Ib", 0, HRS(shld_EwI_r, shld_EdI_r, shld_EwI_m, shld_EdI_m)},
    {0x1A5, -1, -1, 0, 0, "shld", "Ev,Gv,CL", 0, HRS(shld_EwCL_r, shld_EdCL_r, shld_EwCL_m, shld_EdCL_m)},
    {0x1AC, -1, -1, 0, 0, "shrd", "Ev,Gv,Ib", 0, HRS(shrd_EwI_r, shrd_EdI_r, shrd_EwI_m, shrd_EdI_m)},
    {0x1AD, -1, -1, 0, 0, "shrd", "Ev,Gv,CL", 0, HRS(shrd_EwCL_r, shrd_EdCL_r, shrd_EwCL_m, shrd_EdCL_m)},
    {0},
};
