/* Decimal arithmetic: DAA DAS (packed BCD in AL) and AAA AAS AAM AAD
 * (unpacked BCD in AX), following the SDM's operation sections.  AAA and AAS
 * adjust AX as a whole (a carry out of AL reaches AH), as every processor
 * since the 286 does.  Flags the SDM leaves undefined are cleared.
 */
#include "exec.h"

static void daa(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint8_t old = get_r8(cpu, R_EAX), al = old;
    uint32_t old_cf = get_cf(cpu), af = 0;
    if ((al & 0x0F) > 9 || get_af(cpu)) {
        al += 6;
        af = 1;
    }
    uint32_t cf = old > 0x99 || old_cf;
    if (cf)
        al += 0x60;
    set_r8(cpu, R_EAX, al);
    flags_set_coa(cpu, al, 8, cf, 0, af);
}

static void das(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint8_t old = get_r8(cpu, R_EAX), al = old;
    uint32_t old_cf = get_cf(cpu), cf = 0, af = 0;
    if ((al & 0x0F) > 9 || get_af(cpu)) {
        al -= 6;
        cf = old_cf || old < 6;
        af = 1;
    }
    if (old > 0x99 || old_cf) {
        al -= 0x60;
        cf = 1;
    }
    set_r8(cpu, R_EAX, al);
    flags_set_coa(cpu, al, 8, cf, 0, af);
}

/* AAA and AAS: adjust when the low digit overflowed (or AF says it did). */
static void aaa(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint16_t ax = get_r16(cpu, R_EAX);
    uint32_t adjust = (ax & 0x0F) > 9 || get_af(cpu);
    if (adjust)
        ax += 0x106;
    ax &= 0xFF0F;
    set_r16(cpu, R_EAX, ax);
    flags_set_coa(cpu, ax & 0xFF, 8, adjust, 0, adjust);
}

static void aas(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint16_t ax = get_r16(cpu, R_EAX);
    uint32_t adjust = (ax & 0x0F) > 9 || get_af(cpu);
    if (adjust)
        ax -= 0x106;
    ax &= 0xFF0F;
    set_r16(cpu, R_EAX, ax);
    flags_set_coa(cpu, ax & 0xFF, 8, adjust, 0, adjust);
}

/* AAM imm8: AH = AL / imm8, AL = AL mod imm8; a zero base raises #DE. */
static void aam(cpu_t *cpu, const insn_t *i)
{
    uint8_t base = (uint8_t)i->imm, al = get_r8(cpu, R_EAX);
    if (base == 0)
        cpu_exception(cpu, EXC_DE, 0);
    set_r16(cpu, R_EAX, (uint16_t)((al / base) << 8 | (al % base)));
    flags_set_co(cpu, al % base, 8, 0, 0);
}

/* AAD imm8: AL = AL + AH * imm8, AH = 0. */
static void aad(cpu_t *cpu, const insn_t *i)
{
    uint8_t al = (uint8_t)(get_r8(cpu, R_EAX) + get_r8(cpu, 4 /* AH */) * (uint8_t)i->imm);
    set_r16(cpu, R_EAX, al);
    flags_set_co(cpu, al, 8, 0, 0);
}

const opdef_t bcd_ops[] = {
    {0x27, -1, -1, 0, 0, "daa", "", 0, H(daa)},
    {0x2F, -1, -1, 0, 0, "das", "", 0, H(das)},
    {0x37, -1, -1, 0, 0, "aaa", "", 0, H(aaa)},
    {0x3F, -1, -1, 0, 0, "aas", "", 0, H(aas)},
    {0xD4, -1, -1, 0, 0, "aam", "Ib", 0, H(aam)},
    {0xD5, -1, -1, 0, 0, "aad", "Ib", 0, H(aad)},
    {0},
};
