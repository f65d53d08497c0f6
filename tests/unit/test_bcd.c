/* Decimal adjustments (cpu/bcd.c) against the host CPU.  DAA DAS AAA AAS
 * run exhaustively over AL x AF x CF (with random AH and other flags);
 * AAM and AAD over random AL, AH and bases, including base 0 (#DE for
 * AAM).  Flags the SDM leaves undefined are masked: OF for DAA/DAS; OF SF
 * ZF PF for AAA/AAS; OF AF CF for AAM/AAD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

static unsigned serial; /* walks AL x AF x CF */

static void prep_adjust(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)f;
    unsigned n = serial++;
    xset(c, R_EAX, 8, n & 0xFF);
    c->flags = (c->flags & ~(FLAG_AF | FLAG_CF)) | (n & 0x100 ? FLAG_AF : 0) | (n & 0x200 ? FLAG_CF : 0);
    k->flags_mask &= ~FLAG_OF;
    if (c->code[0] == 0x37 || c->code[0] == 0x3F) /* AAA, AAS */
        k->flags_mask &= ~(FLAG_SF | FLAG_ZF | FLAG_PF);
}

static void prep_base(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    uint32_t r = rnd32();
    c->code[f->imm_at] = (uint8_t)(r % 8 == 0 ? 10 : r % 8 == 1 ? 0 : r >> 8);
    k->flags_mask &= ~(FLAG_OF | FLAG_AF | FLAG_CF);
}

static void test_adjust(void **state)
{
    (void)state;
    static const uint8_t ops[] = {0x27, 0x2F, 0x37, 0x3F};
    int bad = 0;
    for (size_t k = 0; k < sizeof ops; k++) {
        xcase_t proto = {.code = {ops[k]}, .len = 1, .stack32 = true};
        xform_t f = {.bits = 8, .imm_at = -1};
        serial = 0;
        bad += diff_random(xemu, &proto, &f, prep_adjust, 1024 * 2);
    }
    assert_int_equal(bad, 0);
}

static void test_aam_aad(void **state)
{
    (void)state;
    int bad = 0;
    for (uint8_t op = 0xD4; op <= 0xD5; op++) {
        xcase_t proto = {.code = {op, 10}, .len = 2, .stack32 = true};
        xform_t f = {.bits = 8, .imm_at = 1};
        bad += diff_random(xemu, &proto, &f, prep_base, 8000);
    }
    assert_int_equal(bad, 0);
}

/* Worked examples from the SDM's descriptions. */
static void test_documented_examples(void **state)
{
    (void)state;
    static const struct {
        uint8_t code[2];
        int len;
        uint16_t ax;
        uint32_t flags;
        uint16_t ax_after;
        uint32_t cf_after;
    } ex[] = {
        {{0x27}, 1, 0x0079 + 0x0035, 0, 0x0014, 1},     /* 79 + 35 = AE: DAA gives 14, CF */
        {{0x2F}, 1, 0x0035 - 0x0047 + 0x100, FLAG_CF | FLAG_AF, 0x0088, 1}, /* 35 - 47 = EE: DAS gives 88 */
        {{0xD4, 0x0A}, 2, 0x0041, 0, 0x0605, 0},        /* AAM: 65 -> 06 05 */
        {{0xD5, 0x0A}, 2, 0x0605, 0, 0x0041, 0},        /* AAD: 06 05 -> 65 */
    };
    for (size_t k = 0; k < sizeof ex / sizeof ex[0]; k++) {
        xcase_t c = {.len = ex[k].len, .stack32 = true, .flags = ex[k].flags};
        memcpy(c.code, ex[k].code, 2);
        c.gpr[R_EAX] = ex[k].ax;
        xstate_t out;
        emu_run(xemu, XM_REAL, false, &c, &out);
        assert_int_equal(out.gpr[R_EAX] & 0xFFFF, ex[k].ax_after);
        if (ex[k].code[0] < 0xD4)
            assert_int_equal((out.eflags & FLAG_CF) != 0, ex[k].cf_after);
    }
    /* AAM 0 raises #DE and leaves AX alone. */
    xcase_t c = {.code = {0xD4, 0x00}, .len = 2, .stack32 = true};
    c.gpr[R_EAX] = 0x1234;
    xstate_t out;
    emu_run(xemu, XM_REAL, false, &c, &out);
    assert_int_equal(out.exception, EXC_DE);
    assert_int_equal(out.gpr[R_EAX], 0x1234);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adjust),
        cmocka_unit_test(test_aam_aad),
        cmocka_unit_test(test_documented_examples),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
