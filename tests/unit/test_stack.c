/* The stack (cpu/stack.c) against the host CPU, with 16- and 32-bit stacks
 * and operand sizes: PUSH/POP of registers (ESP included), immediates and
 * memory; PUSH/POP of ES SS DS FS (valid, null and invalid selectors);
 * PUSHA/POPA; PUSHF/POPF; ENTER with nesting levels 0-31 and beyond;
 * LEAVE.  By documented semantics: PUSH CS/GS, POPF's IF/IOPL rules in
 * real mode and the V86 IOPL rules, POP SS holding off interrupts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

#define CASES 500

/* A stack in the case's memory; 16-bit stacks keep random upper ESP bits. */
static void place_stack(xcase_t *c)
{
    c->stack32 = rnd32() & 1;
    uint32_t sp = 0x1000 + rnd32() % 0x800;
    if (rnd32() & 1)
        sp &= ~3u;
    c->gpr[R_ESP] = c->stack32 ? sp : (c->gpr[R_ESP] & 0xFFFF0000u) | sp;
}

static void prep_stack(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k, (void)f;
    place_stack(c);
}

static void test_push_pop(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"push Iz", {0x68}, 1, -1, -1, XS_16 | XS_32, false, prep_stack},
        {"push sIb", {0x6A}, 1, -1, 1, XS_16 | XS_32, false, prep_stack},
        {"push Ev", {0xFF}, 1, 6, 0, XS_16 | XS_32, true, prep_stack},
        {"pop Ev", {0x8F}, 1, 0, 0, XS_16 | XS_32, true, prep_stack},
        {"pusha", {0x60}, 1, -1, 0, XS_16 | XS_32, false, prep_stack},
        {"popa", {0x61}, 1, -1, 0, XS_16 | XS_32, false, prep_stack},
    };
    int bad = 0;
    bad += DIFF_SPECS(xemu, specs, CASES);
    for (int r = 0; r < 8; r++) {
        xspec_t push = {"push Zv", {(uint8_t)(0x50 + r)}, 1, -1, 0, XS_16 | XS_32, false, prep_stack};
        xspec_t pop = {"pop Zv", {(uint8_t)(0x58 + r)}, 1, -1, 0, XS_16 | XS_32, false, prep_stack};
        bad += diff_spec(xemu, &push, CASES / 4);
        bad += diff_spec(xemu, &pop, CASES / 4);
    }
    /* ESP-relative memory operands: POP computes the address with ESP
     * already incremented. */
    static const uint8_t esp_forms[][4] = {
        {0x8F, 0x44, 0x24, 0x08}, /* pop [esp+8] */
        {0x8F, 0x04, 0x24},       /* pop [esp] */
        {0xFF, 0x74, 0x24, 0x04}, /* push [esp+4] */
    };
    for (size_t k = 0; k < 3; k++)
        for (int osize = 16; osize <= 32; osize += 16) {
            xcase_t p = {.osize = (uint8_t)osize, .asize = 32, .len = k == 1 ? 3 : 4};
            memcpy(p.code, esp_forms[k], 4);
            xform_t f = {.bits = osize, .imm_at = -1};
            bad += diff_random(xemu, &p, &f, prep_stack, CASES / 2);
        }
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- segment registers */

/* The value POP sreg finds: one of the harness's selectors, the null
 * selector, or garbage (#GP in protected mode). */
static void prep_pop_sreg(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)f;
    place_stack(c);
    uint16_t sel;
    switch (rnd32() % 4) {
    case 0: sel = XSEL_DATA32; break;
    case 1: sel = XSEL_DATA16; break;
    case 2: sel = (uint16_t)(rnd32() & 3); break; /* null */
    default: sel = (uint16_t)rnd32(); break;
    }
    uint8_t *m = xmem(c) + (c->gpr[R_ESP] & 0xFFFF);
    memcpy(m, &sel, 2);
    c->modes = XM_PM_ONLY; /* real mode takes any value: tested below */
    k->sregs = XS_ALL;
}

/* With a 32-bit operand size, Intel processors (and Bochs's P6) write the
 * selector's word only; AMD processors like the host zero-extend it (the
 * SDM allows both).  The upper word of the slot is not compared here;
 * test_segment_semantics checks that ours is left unmodified. */
static void prep_push_sreg(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    place_stack(c);
    c->modes = XM_PM_ONLY; /* where the selectors are the same numbers */
    if (f->bits == 32) {
        uint32_t sp = c->stack32 ? c->gpr[R_ESP] : c->gpr[R_ESP] & 0xFFFF;
        k->skip_lo = (sp - 2) & 0xFFFF;
        k->skip_hi = k->skip_lo + 2;
    }
}

static void test_segment_push_pop(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"push es", {0x06}, 1, -1, 0, XS_16 | XS_32, false, prep_push_sreg},
        {"push ss", {0x16}, 1, -1, 0, XS_16 | XS_32, false, prep_push_sreg},
        {"push ds", {0x1E}, 1, -1, 0, XS_16 | XS_32, false, prep_push_sreg},
        {"push fs", {0x0F, 0xA0}, 2, -1, 0, XS_16 | XS_32, false, prep_push_sreg},
        {"pop es", {0x07}, 1, -1, 0, XS_16 | XS_32, false, prep_pop_sreg},
        {"pop ss", {0x17}, 1, -1, 0, XS_16 | XS_32, false, prep_pop_sreg},
        {"pop ds", {0x1F}, 1, -1, 0, XS_16 | XS_32, false, prep_pop_sreg},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

/* PUSH CS/GS push the selector (the host's differ from ours); POP DS in
 * real mode takes any value as a paragraph number; POP SS holds off
 * interrupts for one instruction. */
static void test_segment_semantics(void **state)
{
    (void)state;
    cpu_t *cpu = emu_cpu(xemu);
    uint8_t *win = emu_window(xemu);
    for (xmode_t m = 0; m < XM_COUNT; m++)
        for (int o32 = 0; o32 < 2; o32++) {
            xcase_t c = {.code = {0x0E}, .len = 1, .osize = (uint8_t)(o32 ? 32 : 16)};
            c.gpr[R_ESP] = 0x800;
            memset(win + 0x7F8, 0xEE, 8);
            xstate_t out;
            emu_run(xemu, m, false, &c, &out);
            assert_int_equal(out.gpr[R_ESP], o32 ? 0x7FC : 0x7FE);
            uint16_t pushed = (uint16_t)(win[out.gpr[R_ESP]] | win[out.gpr[R_ESP] + 1] << 8);
            assert_int_equal(pushed, cpu->seg[SEG_CS].sel);
            if (o32) /* only the selector's word is written */
                assert_int_equal(win[0x7FE] << 8 | win[0x7FF], 0xEEEE);
        }
    xcase_t pop = {.code = {0x1F}, .len = 1};
    pop.gpr[R_ESP] = 0x800;
    win[0x800] = 0x34;
    win[0x801] = 0x12;
    xstate_t out;
    emu_run(xemu, XM_REAL, false, &pop, &out);
    assert_int_equal(out.ds, 0x1234);
    assert_int_equal(cpu->seg[SEG_DS].base, 0x12340);
    assert_int_equal(out.gpr[R_ESP], 0x802);

    /* pop ss; then an instruction: a pending interrupt waits for it. */
    xcase_t popss = {.code = {0x17, 0x90}, .len = 2};
    popss.gpr[R_ESP] = 0x800;
    win[0x800] = 0x00;
    win[0x801] = EMU_WINDOW >> 12;
    emu_load(xemu, XM_REAL, &popss);
    cpu->idtr = (dtable_t){0, 0x3FF};
    cpu_step(cpu); /* pop ss */
    uint32_t after_pop = cpu->eip;
    cpu_set_intr(cpu, true); /* an interrupt arrives: it waits for the next instruction */
    cpu_step(cpu);
    uint32_t after_nop = cpu->eip;
    cpu_step(cpu); /* now the interrupt */
    cpu_set_intr(cpu, false);
    assert_int_equal(after_pop, EMU_IP + 1);
    assert_int_equal(after_nop, EMU_IP + 2);
    assert_int_equal(cpu->seg[SEG_CS].sel, 0x0050);
}

/* ---------------------------------------------------------------- PUSHF, POPF */

static void prep_pushf(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k, (void)f;
    place_stack(c);
    c->modes = XM_BIT(XM_REAL) | XM_PM_ONLY; /* V86 pushes IOPL 3 */
}

/* POPF at CPL 3 with IOPL 0, as on the host: IF and IOPL do not change.
 * TF, AC and NT stay clear in the popped value (the host would trap,
 * check alignment, or carry NT into the C code). */
static void prep_popf(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    place_stack(c);
    uint32_t v = rnd32() & ~(FLAG_TF | FLAG_AC | FLAG_NT);
    memcpy(xmem(c) + (c->gpr[R_ESP] & 0xFFFF), &v, 4);
    c->modes = XM_PM_ONLY;
    k->flags_mask = FLAGS_ARITH | FLAG_DF | FLAG_IF | FLAG_IOPL | (f->bits == 32 ? FLAG_ID : 0);
}

static void test_pushf_popf(void **state)
{
    (void)state;
    const xspec_t specs[] = {
        {"pushf", {0x9C}, 1, -1, 0, XS_16 | XS_32, false, prep_pushf},
        {"popf", {0x9D}, 1, -1, 0, XS_16 | XS_32, false, prep_popf},
    };
    assert_int_equal(DIFF_SPECS(xemu, specs, CASES), 0);
}

/* POPF where the host cannot go: real mode (CPL 0: IF and IOPL change),
 * V86 (IOPL 3: IF changes, IOPL does not; IOPL < 3: #GP, also PUSHF). */
static void test_popf_privilege(void **state)
{
    (void)state;
    uint8_t *win = emu_window(xemu);
    static const struct {
        xmode_t mode;
        unsigned iopl;
        uint32_t popped;
        int exception;
        uint32_t expect_mask, expect; /* EFLAGS bits after, under the mask */
    } cases[] = {
        {XM_REAL, 0, 0x3000 | FLAG_CF, -1, FLAG_IOPL | FLAG_IF | FLAG_CF, 0x3000 | FLAG_CF},
        {XM_REAL, 0, FLAG_IF | FLAG_NT, -1, FLAG_IOPL | FLAG_IF | FLAG_NT, FLAG_IF | FLAG_NT},
        {XM_V86, 3, 0x1000 | FLAG_ZF, -1, FLAG_IOPL | FLAG_IF | FLAG_ZF, 0x3000 | FLAG_ZF},
        {XM_V86, 0, 0, EXC_GP, 0, 0},
        {XM_V86, 2, 0, EXC_GP, 0, 0},
        {XM_PM32, 0, 0x3000, -1, FLAG_IOPL | FLAG_IF, FLAG_IF},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        emu_set_v86_iopl(xemu, cases[k].iopl);
        xcase_t c = {.code = {0x9D}, .len = 1, .osize = 16};
        c.gpr[R_ESP] = 0x800;
        win[0x800] = (uint8_t)cases[k].popped;
        win[0x801] = (uint8_t)(cases[k].popped >> 8);
        xstate_t out;
        emu_run(xemu, cases[k].mode, false, &c, &out);
        assert_int_equal(out.exception, cases[k].exception);
        if (cases[k].exception < 0) {
            assert_int_equal(out.eflags & cases[k].expect_mask, cases[k].expect);
            assert_int_equal(out.gpr[R_ESP], 0x802);
        } else {
            assert_int_equal(out.gpr[R_ESP], 0x800);
        }
        /* PUSHF follows the same V86 rule */
        xcase_t p = {.code = {0x9C}, .len = 1};
        p.gpr[R_ESP] = 0x800;
        emu_run(xemu, cases[k].mode, false, &p, &out);
        assert_int_equal(out.exception, cases[k].mode == XM_V86 && cases[k].iopl < 3 ? EXC_GP : -1);
    }
    emu_set_v86_iopl(xemu, 3);
    /* POPFD clears RF and cannot set VM; PUSHFD stores neither. */
    xcase_t c = {.code = {0x9D}, .len = 1, .osize = 32};
    c.gpr[R_ESP] = 0x800;
    uint32_t v = FLAG_VM | FLAG_RF | FLAG_CF;
    memcpy(win + 0x800, &v, 4);
    xstate_t out;
    emu_run(xemu, XM_REAL, false, &c, &out);
    assert_int_equal(out.eflags & (FLAG_VM | FLAG_RF | FLAG_CF), FLAG_CF);
}

/* ---------------------------------------------------------------- ENTER, LEAVE */

static void prep_enter(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k, (void)f;
    place_stack(c);
    uint32_t r = rnd32() % 8;
    uint8_t level = r == 0 ? 0 : r == 1 ? 1 : r == 2 ? 2 : r == 3 ? (uint8_t)(32 + rnd32() % 8)
                                                                : (uint8_t)(rnd32() % 32);
    uint16_t alloc = (uint16_t)(rnd32() % 4 == 0 ? 0 : rnd32() % 0x300);
    memcpy(c->code + 1, &alloc, 2);
    c->code[3] = level;
    uint32_t bp = 0x200 + rnd32() % 0xC00;
    c->gpr[R_EBP] = c->stack32 ? bp : (c->gpr[R_EBP] & 0xFFFF0000u) | bp;
}

static void prep_leave(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k, (void)f;
    place_stack(c);
    uint32_t bp = 0x200 + rnd32() % 0x1C00;
    c->gpr[R_EBP] = c->stack32 ? bp : (c->gpr[R_EBP] & 0xFFFF0000u) | bp;
}

static void test_enter_leave(void **state)
{
    (void)state;
    int bad = 0;
    for (int osize = 16; osize <= 32; osize += 16) {
        xcase_t p = {.code = {0xC8}, .len = 4, .osize = (uint8_t)osize};
        xform_t f = {.bits = osize, .imm_at = -1};
        bad += diff_random(xemu, &p, &f, prep_enter, 2 * CASES);
        xcase_t l = {.code = {0xC9}, .len = 1, .osize = (uint8_t)osize};
        bad += diff_random(xemu, &l, &f, prep_leave, CASES);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_pop),
        cmocka_unit_test(test_segment_push_pop),
        cmocka_unit_test(test_segment_semantics),
        cmocka_unit_test(test_pushf_popf),
        cmocka_unit_test(test_popf_privilege),
        cmocka_unit_test(test_enter_leave),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
