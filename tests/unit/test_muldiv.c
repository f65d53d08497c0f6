/* Multiplication and division (cpu/muldiv.c) against the host CPU: MUL,
 * IMUL, DIV, IDIV in 8/16/32 bits with register and memory operands, and
 * IMUL Gv,Ev / Gv,Ev,Iz / Gv,Ev,sIb.  Random operands (biased to 0, 1,
 * all-ones and the sign boundaries) make divide overflow common, so #DE is
 * compared too: the exception and the registers at the fault.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 1500

/* MUL/IMUL define CF and OF only; DIV/IDIV no flag at all. */
static void prep_mul(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)c, (void)f;
    k->flags_mask = FLAG_CF | FLAG_OF | FLAG_DF;
}

static void prep_div(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    k->flags_mask = FLAG_DF;
    /* Half of the cases get a dividend that fits, so quotients are tested
     * as much as #DE: the high half below the divisor. */
    if (rnd32() & 1) {
        uint32_t d = f->mem ? xmem_get(c, f->mem_off, 32) : c->gpr[f->rm & (f->bits == 8 ? 3 : 7)];
        if (f->bits == 8 && !f->mem && (f->rm & 4))
            d >>= 8;
        uint32_t mask = f->bits == 32 ? 0xFFFFFFFFu : (1u << f->bits) - 1;
        d &= mask;
        uint32_t high = d > 1 ? rnd32() % (d >> 1) : 0;
        if (f->bits == 8)
            xset(c, 4 /* AH */, 8, high);
        else
            xset(c, R_EDX, f->bits, high);
    }
}

static void test_accumulator_forms(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"mul", {0xF6}, 1, 4, 0, XS_8, true, prep_mul},
        {"mul", {0xF7}, 1, 4, 0, XS_16 | XS_32, true, prep_mul},
        {"imul", {0xF6}, 1, 5, 0, XS_8, true, prep_mul},
        {"imul", {0xF7}, 1, 5, 0, XS_16 | XS_32, true, prep_mul},
        {"div", {0xF6}, 1, 6, 0, XS_8, true, prep_div},
        {"div", {0xF7}, 1, 6, 0, XS_16 | XS_32, true, prep_div},
        {"idiv", {0xF6}, 1, 7, 0, XS_8, true, prep_div},
        {"idiv", {0xF7}, 1, 7, 0, XS_16 | XS_32, true, prep_div},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

static void test_imul_forms(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"imul Gv,Ev", {0x0F, 0xAF}, 2, 8, 0, XS_16 | XS_32, true, prep_mul},
        {"imul Gv,Ev,Iz", {0x69}, 1, 8, -1, XS_16 | XS_32, true, prep_mul},
        {"imul Gv,Ev,sIb", {0x6B}, 1, 8, 1, XS_16 | XS_32, true, prep_mul},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

/* The boundary cases by hand: quotients that just fit or just overflow,
 * INT_MIN / -1, division by zero. */
static void test_divide_edges(void **state)
{
    (void)state;
    static const struct {
        uint8_t code[2];
        int bits;
        uint32_t edx, eax, src;
    } cases[] = {
        {{0xF6, 0xF3}, 8, 0, 0x80FF, 0xFF},          /* div bl: 0x80FF / 0xFF = 0x81 fits */
        {{0xF6, 0xF3}, 8, 0, 0xFF00, 0xFF},          /* 0x100: #DE */
        {{0xF6, 0xFB}, 8, 0, 0xFF80, 0x01},          /* idiv bl: -128 / 1 fits */
        {{0xF6, 0xFB}, 8, 0, 0x0080, 0xFF},          /* 128 / -1 = -128 fits */
        {{0xF6, 0xFB}, 8, 0, 0xFF80, 0xFF},          /* -128 / -1 = 128: #DE */
        {{0xF7, 0xFB}, 32, 0x80000000u, 0, 0xFFFFFFFFu}, /* INT64_MIN / -1: #DE */
        {{0xF7, 0xFB}, 32, 0xFFFFFFFFu, 0x80000000u, 0xFFFFFFFFu}, /* INT32_MIN / -1: #DE */
        {{0xF7, 0xFB}, 32, 0xFFFFFFFFu, 0x80000000u, 1},  /* INT32_MIN / 1 fits */
        {{0xF7, 0xF3}, 32, 0xFFFFFFFEu, 0xFFFFFFFFu, 0xFFFFFFFFu}, /* largest fitting */
        {{0xF7, 0xF3}, 32, 5, 5, 0},                  /* / 0 */
        {{0xF7, 0xF3}, 16, 0x7FFF, 0xFFFF, 0x8000},   /* 16-bit: quotient 0xFFFF fits */
        {{0xF7, 0xFB}, 16, 0xFFFF, 0x8000, 0xFFFF},   /* -32768 / -1: #DE */
    };
    int bad = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        xcase_t c = {.len = 2, .osize = (uint8_t)(cases[k].bits == 8 ? 0 : cases[k].bits), .stack32 = true};
        memcpy(c.code, cases[k].code, 2);
        c.gpr[R_EAX] = cases[k].eax;
        c.gpr[R_EDX] = cases[k].edx;
        c.gpr[R_EBX] = cases[k].src;
        xcheck_t chk = xcheck_all();
        chk.flags_mask = FLAG_DF;
        for (xmode_t m = 0; m < XM_COUNT; m++)
            bad += !diff_one(xemu, m, false, &c, &chk);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accumulator_forms),
        cmocka_unit_test(test_imul_forms),
        cmocka_unit_test(test_divide_edges),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
