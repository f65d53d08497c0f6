/* Lazy arithmetic flags.
 *
 * An arithmetic instruction does not compute EFLAGS; it leaves two words:
 *   lf_res  the result, sign-extended from the operand size to 32 bits, so
 *           ZF is (lf_res == 0) and SF is bit 31;
 *   lf_aux  the carry information:
 *           bit 31  CF
 *           bit 30  CF xor OF (so OF = bit31 ^ bit30)
 *           bit 3   AF
 *           bit 1   SF correction (XORed into bit 31 of lf_res)
 *           bit 0   PF correction (XORed into the parity of lf_res's low byte)
 * For ADD and SUB, lf_aux comes straight from the carry (borrow) vector: the
 * carry out of bit n-1 is CF, the carry into it is CF^OF, the carry out of
 * bit 3 is AF.  The corrections let any explicit flag value (POPF, SAHF) be
 * represented.  Reading a flag is a shift and a mask; no switch on "the last
 * operation" is needed.
 */
#ifndef X86SIM_FLAGS_H
#define X86SIM_FLAGS_H

#include "cpu.h"

#define LF_CF_BIT 31
#define LF_PO_BIT 30
#define LF_AF 0x8u
#define LF_SD 0x2u
#define LF_PD 0x1u

extern const uint8_t parity_even[256]; /* 1 when the byte has an even number of 1 bits */

static inline uint32_t get_cf(const cpu_t *cpu) { return cpu->lf_aux >> LF_CF_BIT; }
static inline uint32_t get_of(const cpu_t *cpu) { return ((cpu->lf_aux >> LF_CF_BIT) ^ (cpu->lf_aux >> LF_PO_BIT)) & 1; }
static inline uint32_t get_zf(const cpu_t *cpu) { return cpu->lf_res == 0; }
static inline uint32_t get_sf(const cpu_t *cpu) { return ((cpu->lf_res >> 31) ^ (cpu->lf_aux >> 1)) & 1; }
static inline uint32_t get_af(const cpu_t *cpu) { return (cpu->lf_aux >> 3) & 1; }
static inline uint32_t get_pf(const cpu_t *cpu) { return parity_even[cpu->lf_res & 0xFF] ^ (cpu->lf_aux & LF_PD); }

/* Sign-extends the low `bits` of v to 32 bits. */
static inline uint32_t sext(uint32_t v, unsigned bits)
{
    return (uint32_t)((int32_t)(v << (32 - bits)) >> (32 - bits));
}

/* Places the carry vector's bits n-1 and n-2 at 31 and 30, keeps bit 3. */
static inline uint32_t carry_aux(uint32_t cvec, unsigned bits)
{
    return ((cvec << (32 - bits)) & 0xC0000000u) | (cvec & LF_AF);
}

static inline void flags_add(cpu_t *cpu, uint32_t a, uint32_t b, uint32_t r, unsigned bits)
{
    cpu->lf_res = sext(r, bits);
    cpu->lf_aux = carry_aux((a & b) | ((a | b) & ~r), bits);
}

static inline void flags_sub(cpu_t *cpu, uint32_t a, uint32_t b, uint32_t r, unsigned bits)
{
    cpu->lf_res = sext(r, bits);
    cpu->lf_aux = carry_aux((~a & b) | ((~a | b) & r), bits);
}

/* AND, OR, XOR, TEST: CF = OF = 0; AF is undefined and left 0. */
static inline void flags_logic(cpu_t *cpu, uint32_t r, unsigned bits)
{
    cpu->lf_res = sext(r, bits);
    cpu->lf_aux = 0;
}

/* INC/DEC keep CF: the new carry vector's CF bit is replaced by the old CF. */
static inline void flags_keep_cf(cpu_t *cpu, uint32_t new_aux)
{
    uint32_t cf = cpu->lf_aux >> LF_CF_BIT;
    uint32_t of = ((new_aux >> LF_CF_BIT) ^ (new_aux >> LF_PO_BIT)) & 1;
    cpu->lf_aux = (cf << LF_CF_BIT) | ((cf ^ of) << LF_PO_BIT) | (new_aux & LF_AF);
}

/* Sets the result-derived flags from `r` and the carry flags explicitly. */
static inline void flags_set_co(cpu_t *cpu, uint32_t r, unsigned bits, uint32_t cf, uint32_t of)
{
    cpu->lf_res = sext(r, bits);
    cpu->lf_aux = (cf << LF_CF_BIT) | ((cf ^ of) << LF_PO_BIT);
}

/* The six arithmetic flags as EFLAGS bits. */
static inline uint32_t flags_arith(const cpu_t *cpu)
{
    return get_cf(cpu) * FLAG_CF | get_pf(cpu) * FLAG_PF | get_af(cpu) * FLAG_AF |
           get_zf(cpu) * FLAG_ZF | get_sf(cpu) * FLAG_SF | get_of(cpu) * FLAG_OF;
}

/* Makes the lazy state represent exactly the arithmetic flags in `f`. */
static inline void flags_load(cpu_t *cpu, uint32_t f)
{
    uint32_t res = (f & FLAG_ZF) ? 0 : 1;
    uint32_t cf = (f & FLAG_CF) ? 1 : 0, of = (f & FLAG_OF) ? 1 : 0;
    uint32_t pd = ((f & FLAG_PF) ? 1 : 0) ^ parity_even[res];
    uint32_t sd = (f & FLAG_SF) ? 1 : 0;
    cpu->lf_res = res;
    cpu->lf_aux = (cf << LF_CF_BIT) | ((cf ^ of) << LF_PO_BIT) | ((f & FLAG_AF) ? LF_AF : 0) |
                  (sd << 1) | pd;
}

/* Changes single flags, keeping the others. */
static inline void flags_set_cf_of(cpu_t *cpu, uint32_t cf, uint32_t of)
{
    cpu->lf_aux = (cpu->lf_aux & ~(3u << LF_PO_BIT)) | (cf << LF_CF_BIT) | ((cf ^ of) << LF_PO_BIT);
}
static inline void flags_set_cf(cpu_t *cpu, uint32_t cf) { flags_set_cf_of(cpu, cf, get_of(cpu)); }
/* ZF alone (CMPXCHG8B): the rare case pays for a full reload. */
static inline void flags_set_zf(cpu_t *cpu, bool zf)
{
    flags_load(cpu, (flags_arith(cpu) & ~FLAG_ZF) | (zf ? FLAG_ZF : 0));
}

/* Result-derived SF, ZF, PF with CF, OF and AF given (BCD adjustments). */
static inline void flags_set_coa(cpu_t *cpu, uint32_t r, unsigned bits, uint32_t cf, uint32_t of,
                                 uint32_t af)
{
    flags_set_co(cpu, r, bits, cf, of);
    cpu->lf_aux |= af ? LF_AF : 0;
}

/* SF != OF, from bit 31 of each term: the result's sign, the SF
 * correction (aux bit 1), CF (aux bit 31) and CF^OF (aux bit 30). */
static inline uint32_t get_sf_ne_of(const cpu_t *cpu)
{
    uint32_t aux = cpu->lf_aux;
    return (cpu->lf_res ^ (aux << 30) ^ aux ^ (aux << 1)) >> 31;
}

/* Condition codes 0..15 as in Jcc/SETcc/CMOVcc. */
static inline bool cond_true(const cpu_t *cpu, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = get_of(cpu); break;
    case 1: r = get_cf(cpu); break;
    case 2: r = get_zf(cpu); break;
    case 3: r = get_cf(cpu) || get_zf(cpu); break;
    case 4: r = get_sf(cpu); break;
    case 5: r = get_pf(cpu); break;
    case 6: r = get_sf_ne_of(cpu); break;
    default: r = get_zf(cpu) || get_sf_ne_of(cpu); break;
    }
    return r ^ (cc & 1);
}

#endif
