/* Bit instructions (cpu/bitops.c) against the host CPU: BT BTS BTR BTC
 * with register offsets (including bit strings in memory, offsets far
 * outside the addressed word, negative ones, and 16-bit address wrap) and
 * immediate offsets; BSF BSR (zero sources included); SETcc for all 16
 * conditions; BSWAP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 1500

/* BTx: CF defined; OF SF AF PF undefined; ZF unchanged. */
static void bt_defined(xcheck_t *k) { k->flags_mask = FLAG_CF | FLAG_ZF | FLAG_DF; }

/* A register offset addressing a bit string: mostly inside the case's
 * memory, sometimes (16-bit addressing) wrapping below offset 0. */
static void prep_bt_reg(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    bt_defined(k);
    if (!f->mem)
        return;
    int32_t span = f->bits == 16 ? 0xFF0 : 0x1E00;
    int32_t target = (int32_t)(rnd32() % 0x1FF0);
    int32_t bytes = target - (int32_t)f->mem_off;
    if (bytes > span || bytes < -span)
        bytes = (int32_t)(rnd32() % 0x200) - 0x100;
    if (f->asize == 16 && rnd32() % 8 == 0) /* below 0: wraps to the top of the segment */
        bytes = -(int32_t)f->mem_off - 1 - (int32_t)(rnd32() % 64);
    xset(c, f->reg, f->bits, (uint32_t)(bytes * 8 + (int32_t)(rnd32() % 8)));
}

static void prep_bt_imm(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)c, (void)f;
    bt_defined(k);
}

/* BSF/BSR: ZF defined; the destination is undefined for a zero source. */
static void prep_scan(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    k->flags_mask = FLAG_ZF | FLAG_DF;
    uint32_t src;
    if (f->mem) {
        if (rnd32() % 8 == 0)
            memset(xmem(c) + f->mem_off, 0, 4);
        src = xmem_get(c, f->mem_off, f->bits);
    } else {
        src = xget(c, f->rm, f->bits);
    }
    if (src == 0)
        k->gpr_mask[f->reg] = f->bits == 16 ? 0xFFFF0000u : 0;
}

static void test_bt(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"bt Ev,Gv", {0x0F, 0xA3}, 2, 8, 0, XS_16 | XS_32, true, prep_bt_reg},
        {"bts Ev,Gv", {0x0F, 0xAB}, 2, 8, 0, XS_16 | XS_32, true, prep_bt_reg},
        {"btr Ev,Gv", {0x0F, 0xB3}, 2, 8, 0, XS_16 | XS_32, true, prep_bt_reg},
        {"btc Ev,Gv", {0x0F, 0xBB}, 2, 8, 0, XS_16 | XS_32, true, prep_bt_reg},
        {"bt Ev,Ib", {0x0F, 0xBA}, 2, 4, 1, XS_16 | XS_32, true, prep_bt_imm},
        {"bts Ev,Ib", {0x0F, 0xBA}, 2, 5, 1, XS_16 | XS_32, true, prep_bt_imm},
        {"btr Ev,Ib", {0x0F, 0xBA}, 2, 6, 1, XS_16 | XS_32, true, prep_bt_imm},
        {"btc Ev,Ib", {0x0F, 0xBA}, 2, 7, 1, XS_16 | XS_32, true, prep_bt_imm},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

static void test_scan(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"bsf", {0x0F, 0xBC}, 2, 8, 0, XS_16 | XS_32, true, prep_scan},
        {"bsr", {0x0F, 0xBD}, 2, 8, 0, XS_16 | XS_32, true, prep_scan},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

/* SETcc: every condition, both forms; ModRM.reg is ignored. */
static void test_setcc(void **state)
{
    (void)state;
    int bad = 0;
    for (int cc = 0; cc < 16; cc++) {
        xspec_t s = {"setcc", {0x0F, (uint8_t)(0x90 + cc)}, 2, 8, 0, XS_8, true, NULL};
        bad += diff_spec(xemu, &s, 300);
    }
    assert_int_equal(bad, 0);
}

/* BSWAP r32, and r16: the SDM leaves the 16-bit form undefined; Intel
 * and AMD processors clear the low word, and the host shows it. */
static void test_bswap(void **state)
{
    (void)state;
    int bad = 0;
    for (int r = 0; r < 8; r++)
        for (uint8_t osize = 16; osize <= 32; osize += 16) {
            xcase_t proto = {.code = {0x0F, (uint8_t)(0xC8 + r)}, .len = 2, .osize = osize, .stack32 = true};
            xform_t f = {.bits = osize, .imm_at = -1};
            bad += diff_random(xemu, &proto, &f, NULL, 200);
        }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bt),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_setcc),
        cmocka_unit_test(test_bswap),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
