/* Small instructions (cpu/misc.c) and invalid encodings.
 *
 * Against the host CPU: BOUND (in range and #BR), SALC, NOP (90, 66 90,
 * F3 90 = PAUSE, 0F 1F /0 and the reserved NOPs 0F 19-1F /r with register
 * and memory operands), CLC STC CMC
 * CLD STD, UD2, and a list of encodings that must raise #UD.  Then random
 * byte sequences run through our CPU in every mode: whatever they decode
 * to, the host process must survive (this test fails by crashing, and the
 * sanitizer build checks every memory access).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

/* BOUND: the index inside, at either bound, or outside (#BR). */
static void prep_bound(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k;
    int32_t lo = (int32_t)rnd_operand((unsigned)f->bits), hi = (int32_t)rnd_operand((unsigned)f->bits);
    if (f->bits == 16) {
        lo = (int16_t)lo;
        hi = (int16_t)hi;
    }
    if (rnd32() & 1 && lo > hi) {
        int32_t t = lo;
        lo = hi;
        hi = t;
    }
    int32_t v;
    switch (rnd32() % 4) {
    case 0: v = lo; break;
    case 1: v = hi; break;
    case 2: v = (int32_t)(((int64_t)lo + hi) / 2); break;
    default: v = (int32_t)rnd_operand((unsigned)f->bits); break;
    }
    xmem_put(c, f->mem_off, (uint32_t)lo, f->bits);
    xmem_put(c, f->mem_off + (uint32_t)f->bits / 8, (uint32_t)hi, f->bits);
    xset(c, f->reg, f->bits, (uint32_t)v);
}

static void test_bound(void **state)
{
    (void)state;
    xspec_t s = {"bound", {0x62}, 1, 8, 0, XS_16 | XS_32, MEM_ONLY, prep_bound};
    assert_int_equal(diff_spec(xemu, &s, 2000), 0);
    /* The register form is #UD on a P6 (the host reads 62 there as EVEX). */
    for (xmode_t m = 0; m < XM_COUNT; m++) {
        xcase_t c = {.code = {0x62, 0xC0}, .len = 2};
        xstate_t out;
        emu_run(xemu, m, false, &c, &out);
        assert_int_equal(out.exception, EXC_UD);
    }
}

static void test_simple(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"salc", {0xD6}, 1, -1, 0, XS_32, false, NULL},
        {"nop", {0x90}, 1, -1, 0, XS_16 | XS_32, false, NULL},
        {"pause", {0xF3, 0x90}, 2, -1, 0, XS_32, false, NULL},
        {"nop Ev", {0x0F, 0x1F}, 2, 0, 0, XS_16 | XS_32, true, NULL},
        /* the reserved NOPs, each with another ModRM reg field */
        {"nop 0f19", {0x0F, 0x19}, 2, 1, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1a", {0x0F, 0x1A}, 2, 2, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1b", {0x0F, 0x1B}, 2, 3, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1c", {0x0F, 0x1C}, 2, 4, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1d", {0x0F, 0x1D}, 2, 5, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1e", {0x0F, 0x1E}, 2, 6, 0, XS_16 | XS_32, true, NULL},
        {"nop 0f1f /7", {0x0F, 0x1F}, 2, 7, 0, XS_16 | XS_32, true, NULL},
        {"clc", {0xF8}, 1, -1, 0, XS_32, false, NULL},
        {"stc", {0xF9}, 1, -1, 0, XS_32, false, NULL},
        {"cmc", {0xF5}, 1, -1, 0, XS_32, false, NULL},
        {"cld", {0xFC}, 1, -1, 0, XS_32, false, NULL},
        {"std", {0xFD}, 1, -1, 0, XS_32, false, NULL},
        {"ud2", {0x0F, 0x0B}, 2, -1, 0, XS_32, false, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, 200);
    assert_int_equal(bad, 0);
}

/* Encodings with no instruction (group members, LOCK where it is not
 * allowed, register forms of memory-only instructions): #UD on the host
 * and here, in every mode. */
static void test_invalid_encodings(void **state)
{
    (void)state;
    static const uint8_t codes[][4] = {
        {0xC6, 0xC8, 0x01}, {0xC6, 0xF8, 0x01}, {0xC7, 0xC8, 1, 0}, {0xC7, 0xD0, 1, 0},
        {0x8F, 0xC8}, {0x8F, 0xF8}, {0xFE, 0xD0}, {0xFE, 0xF8}, {0xFF, 0xF8},
        {0x8C, 0xF0}, {0x8C, 0xF8}, {0x8E, 0xC8}, {0x8E, 0xF0}, {0x8E, 0xF8},
        {0x8D, 0xC0}, {0x0F, 0xC7, 0xC8}, {0x0F, 0xC7, 0xC0}, {0x0F, 0xB2, 0xC0},
        {0x0F, 0xB4, 0xC0}, {0x0F, 0xB5, 0xC0}, {0x0F, 0x0B}, {0x0F, 0xB9, 0xC0},
        {0xF0, 0x90}, {0xF0, 0x01, 0xC0}, {0xF0, 0x8B, 0xC0}, {0xF0, 0xF8},
        {0xF0, 0x0F, 0xA3, 0xC0}, {0xF0, 0x0F, 0xBC, 0xC0}, {0xF0, 0xD1, 0xE0}, {0xF0, 0x27},
    };
    static const int lens[] = {3, 3, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 2, 3,
                               2, 3, 3, 2, 4, 4, 3, 2};
    int bad = 0;
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        xcase_t c = {.len = lens[k], .stack32 = true};
        memcpy(c.code, codes[k], 4);
        xcheck_t chk = xcheck_all();
        for (xmode_t m = 0; m < XM_COUNT; m++)
            if (xmode_fits(m, &c))
                bad += !diff_one(xemu, m, false, &c, &chk);
        xstate_t out;
        emu_run(xemu, XM_REAL, false, &c, &out);
        assert_int_equal(out.exception, EXC_UD);
    }
    assert_int_equal(bad, 0);
}

/* Random bytes in every mode, single-stepped and in blocks. */
static void test_random_bytes(void **state)
{
    (void)state;
    emu_t *fuzz = emu_create(); /* its own machine: the bytes may write anywhere */
    assert_non_null(fuzz);
    long exceptions = 0;
    for (int k = 0; k < 40000; k++) {
        xcase_t c = {.len = 15, .stack32 = rnd32() & 1};
        for (int b = 0; b < 15; b++)
            c.code[b] = (uint8_t)rnd32();
        for (int r = 0; r < 8; r++)
            c.gpr[r] = rnd_operand(32);
        c.flags = rnd_flags() | (rnd32() & FLAG_DF);
        xmode_t m = (xmode_t)(k % XM_COUNT);
        if (!xmode_fits(m, &c))
            m = XM_PM32;
        xstate_t out;
        emu_run(fuzz, m, k & 4, &c, &out);
        exceptions += out.exception >= 0;
    }
    emu_destroy(fuzz);
    /* Random bytes fault often, and not always. */
    assert_true(exceptions > 1000 && exceptions < 39000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_invalid_encodings),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
