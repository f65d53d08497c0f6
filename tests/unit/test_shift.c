/* Shifts and rotates (cpu/shift.c) against the host CPU: ROL ROR RCL RCR
 * SHL SHR SAL(/6) SAR by 1, CL and imm8 in 8/16/32 bits, register and
 * memory operands; SHLD/SHRD by imm8 and CL.  Counts are biased to the
 * edges (0, 1, size-1, size, size+1, 31, 32 and beyond); flags the SDM
 * leaves undefined for a case are not compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 300

enum { ROL, ROR, RCL, RCR, SHL, SHR, SAL, SAR };

static uint8_t pick_count(void)
{
    static const uint8_t edges[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 255};
    uint32_t r = rnd32();
    return r & 1 ? edges[(r >> 1) % sizeof edges] : (uint8_t)(r >> 8);
}

/* What the SDM defines after a group-2 operation by `count`. */
static void group2_defined(xcheck_t *k, const xform_t *f, unsigned count)
{
    unsigned n = count & 31;
    if (n == 0)
        return; /* nothing changes */
    if (f->reg >= SHL)
        k->flags_mask &= ~FLAG_AF;
    if (n != 1)
        k->flags_mask &= ~FLAG_OF;
    /* CF is undefined for SHL/SHR by the operand size or more. */
    if ((f->reg == SHL || f->reg == SAL || f->reg == SHR) && n >= (unsigned)f->bits)
        k->flags_mask &= ~FLAG_CF;
}

static void prep_by1(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)c;
    group2_defined(k, f, 1);
}

static void prep_imm(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    c->code[f->imm_at] = pick_count();
    group2_defined(k, f, c->code[f->imm_at]);
}

static void prep_cl(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    xset(c, R_ECX, 8, pick_count());
    group2_defined(k, f, xget(c, R_ECX, 8));
}

static void test_group2(void **state)
{
    (void)state;
    static const struct {
        uint8_t op;
        int imm;
        unsigned sizes;
        xprepare_fn prep;
    } forms[] = {
        {0xC0, 1, XS_8, prep_imm}, {0xC1, 1, XS_16 | XS_32, prep_imm},
        {0xD0, 0, XS_8, prep_by1}, {0xD1, 0, XS_16 | XS_32, prep_by1},
        {0xD2, 0, XS_8, prep_cl},  {0xD3, 0, XS_16 | XS_32, prep_cl},
    };
    static const char *const names[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    int bad = 0;
    for (int reg = 0; reg < 8; reg++)
        for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
            xspec_t s = {names[reg], {forms[k].op}, 1, reg, forms[k].imm, forms[k].sizes, true, forms[k].prep};
            bad += diff_spec(xemu, &s, CASES);
        }
    assert_int_equal(bad, 0);
}

/* SHLD/SHRD: a 16-bit count above 16 leaves result and flags undefined;
 * memory forms keep to defined counts. */
static void double_defined(xcase_t *c, xcheck_t *k, const xform_t *f, unsigned count)
{
    unsigned n = count & 31;
    if (n == 0)
        return;
    k->flags_mask &= ~FLAG_AF;
    if (n != 1)
        k->flags_mask &= ~FLAG_OF;
    if (f->bits == 16 && n > 16) {
        k->flags_mask = FLAG_DF;
        k->gpr_mask[f->rm] = 0xFFFF0000u;
    }
    (void)c;
}

static unsigned double_count(const xform_t *f)
{
    unsigned n = pick_count();
    if (f->mem && f->bits == 16 && (n & 31) > 16)
        n &= 15;
    return n;
}

static void prep_double_imm(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    c->code[f->imm_at] = (uint8_t)double_count(f);
    double_defined(c, k, f, c->code[f->imm_at]);
}

static void prep_double_cl(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    xset(c, R_ECX, 8, double_count(f));
    double_defined(c, k, f, xget(c, R_ECX, 8));
}

static void test_double(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"shld imm", {0x0F, 0xA4}, 2, 8, 1, XS_16 | XS_32, true, prep_double_imm},
        {"shld cl", {0x0F, 0xA5}, 2, 8, 0, XS_16 | XS_32, true, prep_double_cl},
        {"shrd imm", {0x0F, 0xAC}, 2, 8, 1, XS_16 | XS_32, true, prep_double_imm},
        {"shrd cl", {0x0F, 0xAD}, 2, 8, 0, XS_16 | XS_32, true, prep_double_cl},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, 4 * CASES);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group2),
        cmocka_unit_test(test_double),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
