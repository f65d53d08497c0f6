/* Integer arithmetic and logic (cpu/alu.c) against the host CPU: ADD OR
 * ADC SBB AND SUB XOR CMP in all eleven encodings, TEST, INC, DEC, NEG, NOT
 * in 8/16/32 bits with register and memory operands, and LOCK: accepted
 * on a read-modify-write of memory, #UD elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 400

/* AND, OR, XOR, TEST leave AF undefined. */
static void prep_logic(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)c, (void)f;
    k->flags_mask &= ~FLAG_AF;
}

static void test_binary_ops(void **state)
{
    (void)state;
    static const char *const names[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    int bad = 0;
    for (int op = 0; op < 8; op++) {
        uint8_t b = (uint8_t)(op * 8);
        xprepare_fn p = (op == 1 || op == 4 || op == 6) ? prep_logic : NULL;
        const xspec_t specs[] = {
            {names[op], {b}, 1, 8, 0, XS_8, true, p},
            {names[op], {(uint8_t)(b + 1)}, 1, 8, 0, XS_16 | XS_32, true, p},
            {names[op], {(uint8_t)(b + 2)}, 1, 8, 0, XS_8, true, p},
            {names[op], {(uint8_t)(b + 3)}, 1, 8, 0, XS_16 | XS_32, true, p},
            {names[op], {(uint8_t)(b + 4)}, 1, -1, 1, XS_8, false, p},
            {names[op], {(uint8_t)(b + 5)}, 1, -1, -1, XS_16 | XS_32, false, p},
            {names[op], {0x80}, 1, op, 1, XS_8, true, p},
            {names[op], {0x81}, 1, op, -1, XS_16 | XS_32, true, p},
            {names[op], {0x82}, 1, op, 1, XS_8, true, p},
            {names[op], {0x83}, 1, op, 1, XS_16 | XS_32, true, p},
        };
        bad += DIFF_SPECS(xemu, specs, CASES);
    }
    assert_int_equal(bad, 0);
}

static void test_test_and_unary(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"test", {0x84}, 1, 8, 0, XS_8, true, prep_logic},
        {"test", {0x85}, 1, 8, 0, XS_16 | XS_32, true, prep_logic},
        {"test", {0xA8}, 1, -1, 1, XS_8, false, prep_logic},
        {"test", {0xA9}, 1, -1, -1, XS_16 | XS_32, false, prep_logic},
        {"test", {0xF6}, 1, 0, 1, XS_8, true, prep_logic},
        {"test /1", {0xF6}, 1, 1, 1, XS_8, true, prep_logic},
        {"test", {0xF7}, 1, 0, -1, XS_16 | XS_32, true, prep_logic},
        {"test /1", {0xF7}, 1, 1, -1, XS_16 | XS_32, true, prep_logic},
        {"not", {0xF6}, 1, 2, 0, XS_8, true, NULL},
        {"not", {0xF7}, 1, 2, 0, XS_16 | XS_32, true, NULL},
        {"neg", {0xF6}, 1, 3, 0, XS_8, true, NULL},
        {"neg", {0xF7}, 1, 3, 0, XS_16 | XS_32, true, NULL},
        {"inc", {0xFE}, 1, 0, 0, XS_8, true, NULL},
        {"dec", {0xFE}, 1, 1, 0, XS_8, true, NULL},
        {"inc", {0xFF}, 1, 0, 0, XS_16 | XS_32, true, NULL},
        {"dec", {0xFF}, 1, 1, 0, XS_16 | XS_32, true, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, CASES);
    for (int r = 0; r < 8; r++) { /* 40-4F: not encodable in 64-bit mode */
        xspec_t inc = {"inc r", {(uint8_t)(0x40 + r)}, 1, -1, 0, XS_16 | XS_32, false, NULL};
        xspec_t dec = {"dec r", {(uint8_t)(0x48 + r)}, 1, -1, 0, XS_16 | XS_32, false, NULL};
        bad += diff_spec(xemu, &inc, CASES / 4);
        bad += diff_spec(xemu, &dec, CASES / 4);
    }
    assert_int_equal(bad, 0);
}

/* LOCK: the host decides which forms are #UD. */
static void test_lock(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"lock add Ev,Gv", {0xF0, 0x01}, 2, 8, 0, XS_16 | XS_32, true, NULL},
        {"lock sub Eb,Ib", {0xF0, 0x80}, 2, 5, 1, XS_8, true, NULL},
        {"lock cmp Ev,Gv", {0xF0, 0x39}, 2, 8, 0, XS_32, true, NULL},
        {"lock add Gv,Ev", {0xF0, 0x03}, 2, 8, 0, XS_32, true, NULL},
        {"lock not", {0xF0, 0xF7}, 2, 2, 0, XS_32, true, NULL},
        {"lock test", {0xF0, 0xF7}, 2, 0, 4, XS_32, true, NULL},
        {"lock inc", {0xF0, 0xFE}, 2, 0, 0, XS_8, true, NULL},
        {"lock mov", {0xF0, 0x89}, 2, 8, 0, XS_32, true, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, 40);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_ops),
        cmocka_unit_test(test_test_and_unary),
        cmocka_unit_test(test_lock),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
