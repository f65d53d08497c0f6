/* Data movement (cpu/mov.c) against the host CPU: MOV in all its forms
 * (moffs with both address sizes, segment registers), LEA, MOVZX, MOVSX,
 * XCHG (including 91-97), XADD, CMPXCHG (equal and unequal), CMPXCHG8B,
 * CMOVcc for all 16 conditions, LDS LES LSS, CBW CWDE CWD CDQ, LAHF SAHF,
 * XLAT with segment overrides.  LFS and LGS by documented semantics (the
 * host's FS and GS belong to its C library).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 400

static void test_mov_forms(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"mov Eb,Gb", {0x88}, 1, 8, 0, XS_8, true, NULL},
        {"mov Ev,Gv", {0x89}, 1, 8, 0, XS_16 | XS_32, true, NULL},
        {"mov Gb,Eb", {0x8A}, 1, 8, 0, XS_8, true, NULL},
        {"mov Gv,Ev", {0x8B}, 1, 8, 0, XS_16 | XS_32, true, NULL},
        {"mov Eb,Ib", {0xC6}, 1, 0, 1, XS_8, true, NULL},
        {"mov Ev,Iz", {0xC7}, 1, 0, -1, XS_16 | XS_32, true, NULL},
        {"lea", {0x8D}, 1, 8, 0, XS_16 | XS_32, true, NULL}, /* register form: #UD */
        {"movzx Gv,Eb", {0x0F, 0xB6}, 2, 8, 0, XS_16 | XS_32, true, NULL},
        {"movzx Gv,Ew", {0x0F, 0xB7}, 2, 8, 0, XS_16 | XS_32, true, NULL},
        {"movsx Gv,Eb", {0x0F, 0xBE}, 2, 8, 0, XS_16 | XS_32, true, NULL},
        {"movsx Gv,Ew", {0x0F, 0xBF}, 2, 8, 0, XS_16 | XS_32, true, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, CASES);
    for (int r = 0; r < 8; r++) {
        xspec_t b = {"mov Zb,Ib", {(uint8_t)(0xB0 + r)}, 1, -1, 1, XS_8, false, NULL};
        xspec_t v = {"mov Zv,Iz", {(uint8_t)(0xB8 + r)}, 1, -1, -1, XS_16 | XS_32, false, NULL};
        bad += diff_spec(xemu, &b, CASES / 8);
        bad += diff_spec(xemu, &v, CASES / 8);
    }
    /* A0-A3 with a 16- and a 32-bit offset. */
    for (uint8_t op = 0xA0; op <= 0xA3; op++)
        for (int asize = 16; asize <= 32; asize += 16)
            for (int osize = 16; osize <= 32; osize += 16) {
                for (int k = 0; k < 50; k++) {
                    xcase_t p = {.code = {op}, .osize = (uint8_t)(op & 1 ? osize : 0), .asize = (uint8_t)asize,
                                 .stack32 = true};
                    uint32_t off = 0x100 + rnd32() % 0x1E00;
                    memcpy(p.code + 1, &off, 4);
                    p.len = 1 + asize / 8;
                    xform_t f = {.bits = op & 1 ? osize : 8, .imm_at = -1};
                    bad += diff_random(xemu, &p, &f, NULL, 1);
                }
            }
    assert_int_equal(bad, 0);
}

/* MOV to and from segment registers: ES, SS, DS exist alike on both
 * sides in protected mode; the loaded selector is 0x07 or 0x0F. */
static void prep_sreg(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    uint32_t sel = rnd32() & 1 ? XSEL_DATA32 : XSEL_DATA16;
    if (f->mem)
        xmem_put(c, f->mem_off, sel, 16);
    else
        xset(c, f->rm, 16, sel);
    c->modes = XM_PM_ONLY;
    k->sregs = XS_ALL;
}

static void test_mov_sreg(void **state)
{
    (void)state;
    int bad = 0;
    static const int regs[] = {0, 2, 3, 6, 7}; /* ES SS DS, and two that do not exist */
    for (size_t k = 0; k < sizeof regs / sizeof regs[0]; k++) {
        xspec_t to = {"mov Ew,Sw", {0x8C}, 1, regs[k], 0, XS_16 | XS_32, true, prep_sreg};
        xspec_t from = {"mov Sw,Ew", {0x8E}, 1, regs[k], 0, XS_16, true, prep_sreg};
        bad += diff_spec(xemu, &to, 60);
        bad += diff_spec(xemu, &from, 60);
    }
    xspec_t cs = {"mov cs,Ew", {0x8E}, 1, 1, 0, XS_16, true, prep_sreg}; /* #UD */
    bad += diff_spec(xemu, &cs, 20);
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- exchanges */

static void test_xchg_xadd(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"xchg Eb,Gb", {0x86}, 1, 8, 0, XS_8, true, NULL},
        {"xchg Ev,Gv", {0x87}, 1, 8, 0, XS_16 | XS_32, true, NULL},
        {"xadd Eb,Gb", {0x0F, 0xC0}, 2, 8, 0, XS_8, true, NULL},
        {"xadd Ev,Gv", {0x0F, 0xC1}, 2, 8, 0, XS_16 | XS_32, true, NULL},
        {"lock xchg", {0xF0, 0x87}, 2, 8, 0, XS_32, true, NULL},
        {"lock xadd", {0xF0, 0x0F, 0xC1}, 3, 8, 0, XS_32, true, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, CASES);
    for (int r = 1; r < 8; r++) {
        xspec_t s = {"xchg eAX,Zv", {(uint8_t)(0x90 + r)}, 1, -1, 0, XS_16 | XS_32, false, NULL};
        bad += diff_spec(xemu, &s, CASES / 4);
    }
    assert_int_equal(bad, 0);
}

/* CMPXCHG: half of the cases with the accumulator equal to the destination. */
static void prep_cmpxchg(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k;
    if (rnd32() & 1)
        xset(c, R_EAX, f->bits, f->mem ? xmem_get(c, f->mem_off, f->bits) : xget(c, f->rm, f->bits));
}

static void prep_cmpxchg8b(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k;
    if (f->mem && (rnd32() & 1)) {
        c->gpr[R_EAX] = xmem_get(c, f->mem_off, 32);
        c->gpr[R_EDX] = xmem_get(c, f->mem_off + 4, 32);
    }
}

static void test_cmpxchg(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"cmpxchg Eb,Gb", {0x0F, 0xB0}, 2, 8, 0, XS_8, true, prep_cmpxchg},
        {"cmpxchg Ev,Gv", {0x0F, 0xB1}, 2, 8, 0, XS_16 | XS_32, true, prep_cmpxchg},
        {"lock cmpxchg", {0xF0, 0x0F, 0xB1}, 3, 8, 0, XS_32, true, prep_cmpxchg},
        {"cmpxchg8b", {0x0F, 0xC7}, 2, 1, 0, XS_16 | XS_32, true, prep_cmpxchg8b}, /* register form: #UD */
        {"lock cmpxchg8b", {0xF0, 0x0F, 0xC7}, 3, 1, 0, XS_32, true, prep_cmpxchg8b},
        {"0f c7 /0", {0x0F, 0xC7}, 2, 0, 0, XS_32, true, NULL}, /* #UD */
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

static void test_cmov(void **state)
{
    (void)state;
    int bad = 0;
    for (int cc = 0; cc < 16; cc++) {
        xspec_t s = {"cmovcc", {0x0F, (uint8_t)(0x40 + cc)}, 2, 8, 0, XS_16 | XS_32, true, NULL};
        bad += diff_spec(xemu, &s, 150);
    }
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- far pointers */

/* The selector loaded is 0x07 or 0x0F; only the loaded register compares
 * in every mode (real and V86 mode have other selectors in the rest). */
static void prep_far(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    if (f->mem)
        xmem_put(c, f->mem_off + (uint32_t)f->bits / 8, rnd32() & 1 ? XSEL_DATA32 : XSEL_DATA16, 16);
    k->sregs = c->code[0] == 0xC4 ? XS_ES : c->code[0] == 0xC5 ? XS_DS : XS_SS;
}

static void test_load_far(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"les", {0xC4}, 1, 8, 0, XS_16 | XS_32, MEM_ONLY, prep_far},
        {"lds", {0xC5}, 1, 8, 0, XS_16 | XS_32, MEM_ONLY, prep_far},
        {"lss", {0x0F, 0xB2}, 2, 8, 0, XS_16 | XS_32, true, prep_far},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
    /* With a register operand LES and LDS are #UD on a P6 (the host, with
     * AVX, reads C4/C5 there as VEX prefixes). */
    for (uint8_t op = 0xC4; op <= 0xC5; op++)
        for (xmode_t m = 0; m < XM_COUNT; m++) {
            xcase_t c = {.code = {op, 0xC3}, .len = 2};
            xstate_t out;
            emu_run(xemu, m, false, &c, &out);
            assert_int_equal(out.exception, EXC_UD);
        }
}

/* LFS/LGS in real mode: offset to the register, selector to FS/GS (base =
 * selector * 16); the register form is #UD. */
static void test_lfs_lgs(void **state)
{
    (void)state;
    cpu_t *cpu = emu_cpu(xemu);
    uint8_t *win = emu_window(xemu);
    for (int gs = 0; gs < 2; gs++)
        for (int o32 = 0; o32 < 2; o32++) {
            uint8_t code[] = {0x66, 0x0F, (uint8_t)(gs ? 0xB5 : 0xB4), 0x1E, 0x40, 0x00}; /* Lxs bx, [0x40] */
            xcase_t c = {.len = o32 ? 6 : 5};
            memcpy(c.code, o32 ? code : code + 1, (size_t)c.len);
            c.gpr[R_EBX] = 0xAAAAAAAAu;
            memcpy(win + 0x40, "\x78\x56\x34\x12\xCD\xAB", 6);
            xstate_t out;
            emu_run(xemu, XM_REAL, false, &c, &out);
            assert_int_equal(out.exception, -1);
            assert_int_equal(out.gpr[R_EBX], o32 ? 0x12345678u : 0xAAAA5678u);
            const segment_t *s = &cpu->seg[gs ? SEG_GS : SEG_FS];
            uint16_t sel = o32 ? 0xABCD : 0x1234;
            assert_int_equal(s->sel, sel);
            assert_int_equal(s->base, (uint32_t)sel << 4);
        }
    xcase_t reg = {.code = {0x0F, 0xB4, 0xC3}, .len = 3};
    xstate_t out;
    emu_run(xemu, XM_REAL, false, &reg, &out);
    assert_int_equal(out.exception, EXC_UD);
}

/* ---------------------------------------------------------------- accumulator */

static void prep_xlat(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k;
    uint32_t base = 0x100 + rnd32() % 0x1D00;
    if (f->asize == 16)
        xset(c, R_EBX, 16, base);
    else
        c->gpr[R_EBX] = base;
}

static void test_accumulator(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"cbw/cwde", {0x98}, 1, -1, 0, XS_16 | XS_32, false, NULL},
        {"cwd/cdq", {0x99}, 1, -1, 0, XS_16 | XS_32, false, NULL},
        {"sahf", {0x9E}, 1, -1, 0, XS_32, false, NULL},
        {"lahf", {0x9F}, 1, -1, 0, XS_32, false, NULL},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, CASES);
    static const uint8_t segs[] = {0, 0x26, 0x36, 0x3E};
    for (int asize = 16; asize <= 32; asize += 16)
        for (size_t s = 0; s < sizeof segs; s++) {
            xcase_t p = {.asize = (uint8_t)asize, .stack32 = true};
            int n = 0;
            if (segs[s])
                p.code[n++] = segs[s];
            p.code[n++] = 0xD7;
            p.len = n;
            xform_t f = {.bits = 8, .asize = asize, .imm_at = -1};
            bad += diff_random(xemu, &p, &f, prep_xlat, CASES / 2);
        }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_forms),
        cmocka_unit_test(test_mov_sreg),
        cmocka_unit_test(test_xchg_xadd),
        cmocka_unit_test(test_cmpxchg),
        cmocka_unit_test(test_cmov),
        cmocka_unit_test(test_load_far),
        cmocka_unit_test(test_lfs_lgs),
        cmocka_unit_test(test_accumulator),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
