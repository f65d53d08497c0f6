/* String instructions (cpu/string.c).
 *
 * Against the host CPU: MOVS CMPS STOS LODS SCAS in 8/16/32 bits with 16-
 * and 32-bit addressing, alone and with REP/REPE/REPNE, DF both ways,
 * segment-override prefixes, counts from 0 to several pages (the bulk
 * paths), index wrap at 64 KiB, and runs that cross the segment limit
 * part-way (#GP with the registers of the elements done).  Every case runs
 * single-stepped and, in the bulk runs, through whole chunks.
 *
 * By documented semantics (the host has no I/O rights and its segments
 * share one base): overrides with six different segment bases, INS/OUTS
 * with REP through a fake port, the I/O permission bitmap, interrupts
 * serviced between the chunks of a long REP, REP MOVS overwriting the code
 * that follows it, and REP STOS into an MMIO region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "harness.h"

enum { MOVS = 0xA4, CMPS = 0xA6, STOS = 0xAA, LODS = 0xAC, SCAS = 0xAE };

typedef struct str_form {
    uint8_t op; /* byte form */
    int size;
    int asize;
    uint8_t rep; /* 0, 0xF3 or 0xF2 */
    uint8_t seg; /* 0 or an override prefix */
} str_form_t;

static str_form_t cur;

static uint32_t pick_count(void)
{
    uint32_t r = rnd32() % 20;
    if (r == 0)
        return 0;
    if (r < 9)
        return 1 + rnd32() % 16;
    if (r < 16)
        return 17 + rnd32() % 300;
    return 300 + rnd32() % (0x1800 / (uint32_t)cur.size); /* crosses pages */
}

static void prep_string(xcase_t *c, xcheck_t *k, const xform_t *f)
{
    (void)k, (void)f;
    int size = cur.size;
    bool down = rnd32() & 1;
    c->flags |= down ? FLAG_DF : 0;
    uint32_t count = cur.rep ? pick_count() : 1;
    uint32_t bytes = count * (uint32_t)size;
    /* Start offsets that keep the run inside the case's memory ... */
    uint32_t room = bytes < 0x1F00 ? 0x1F00 - bytes : 0;
    uint32_t si = 0x40 + rnd32() % (room + 1), di = 0x40 + rnd32() % (room + 1);
    if (rnd32() % 4 == 0) /* ... often overlapping, source and destination close */
        di = si + (rnd32() % 9) - 4;
    if (down) {
        si += bytes;
        di += bytes;
    }
    uint32_t r = rnd32() % 16;
    if (r == 0 && cur.asize == 16) {
        /* The 16-bit index wraps around the segment (an element straddling
         * the top faults; again only one operand at the edge). */
        uint32_t edge = down ? rnd32() % 8 : 0xFFF8 + rnd32() % 8;
        if (rnd32() & 1)
            si = edge;
        else
            di = edge;
    } else if (r == 1 && cur.asize == 32) {
        /* One operand leaves the 64 KiB segment part-way: #GP (#SS with an
         * SS override).  Only one: which of two bad operands faults first
         * is not architectural. */
        uint32_t edge = down ? rnd32() % 16 : 0xFFF0 + rnd32() % 8;
        if (rnd32() & 1)
            si = edge;
        else
            di = edge;
    }
    /* The lowest offsets the run touches, when it stays in the case's memory. */
    int64_t lo_s = down ? (int64_t)si - bytes + size : si, lo_d = down ? (int64_t)di - bytes + size : di;
    bool in_mem = bytes > 0 && lo_s >= 0 && lo_d >= 0 && lo_s + bytes <= 0x2000 && lo_d + bytes <= 0x2000;
    uint8_t *mem = xmem(c);
    if (cur.op == CMPS && in_mem && (rnd32() & 1)) {
        /* equal runs for REPE, with perhaps one difference */
        memmove(mem + lo_d, mem + lo_s, bytes);
        if (rnd32() & 1)
            mem[lo_d + rnd32() % bytes] ^= 0x10;
    }
    if (cur.op == SCAS && in_mem && (rnd32() & 1)) {
        /* a run of the accumulator's value (REPE) or of others (REPNE) */
        for (uint32_t a = 0; a < bytes; a++)
            mem[lo_d + a] = (uint8_t)(c->gpr[R_EAX] >> (8 * (a % (uint32_t)size)));
        if (rnd32() & 1)
            mem[lo_d + rnd32() % bytes] ^= 0x01;
    }
    if (cur.asize == 16) {
        xset(c, R_ESI, 16, si);
        xset(c, R_EDI, 16, di);
        xset(c, R_ECX, 16, count);
    } else {
        c->gpr[R_ESI] = si;
        c->gpr[R_EDI] = di;
        c->gpr[R_ECX] = count;
    }
}

static void test_against_host(void **state)
{
    (void)state;
    static const uint8_t ops[] = {MOVS, CMPS, STOS, LODS, SCAS};
    static const uint8_t reps[] = {0, 0xF3, 0xF2};
    static const uint8_t segs[] = {0, 0x26, 0x36, 0x3E};
    int bad = 0;
    for (size_t o = 0; o < sizeof ops; o++)
        for (int size = 1; size <= 4; size *= 2)
            for (int asize = 16; asize <= 32; asize += 16)
                for (size_t r = 0; r < sizeof reps; r++) {
                    cur = (str_form_t){ops[o], size, asize, reps[r], 0};
                    xcase_t proto = {.osize = (uint8_t)(size == 1 ? 0 : size * 8), .asize = (uint8_t)asize,
                                     .stack32 = true};
                    xform_t f = {.bits = size * 8, .imm_at = -1};
                    for (int k = 0; k < 300 && bad < 8; k++) {
                        xcase_t p = proto;
                        cur.seg = segs[rnd32() % sizeof segs];
                        int n = 0;
                        if (cur.seg)
                            p.code[n++] = cur.seg;
                        if (cur.rep)
                            p.code[n++] = cur.rep;
                        p.code[n++] = (uint8_t)(ops[o] + (size > 1));
                        p.len = n;
                        bad += diff_random(xemu, &p, &f, prep_string, 1);
                    }
                }
    assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------- by documented semantics */

/* Runs `code` in real mode with the given registers, after `setup`. */
static void run_real(const uint8_t *code, int len, const uint32_t gpr[8], uint32_t flags, bool bulk,
                     void (*setup)(cpu_t *cpu), xstate_t *out)
{
    xcase_t c = {.len = len, .flags = flags};
    memcpy(c.code, code, (size_t)len);
    memcpy(c.gpr, gpr, sizeof c.gpr);
    emu_load(xemu, XM_REAL, &c);
    if (setup)
        setup(emu_cpu(xemu));
    emu_go(xemu, bulk, out);
}

/* Segments 0x3000 (DS), 0x4000 (ES), 0x5000 (FS), 0x6000 (GS), 0x7000
 * (SS); CS is the harness's 0x1000.  Offset 0x10 of each holds 16 bytes of
 * its own pattern. */
static const uint16_t seg_sel[6] = {0x4000, EMU_CODE >> 4, 0x7000, 0x3000, 0x5000, 0x6000};

static void distinct_segments(cpu_t *cpu)
{
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            seg_load_real(cpu, s, seg_sel[s]);
}

static uint8_t pattern(int s, int k) { return (uint8_t)(0x11 * (s + 1) + k); }

static void test_segment_overrides(void **state)
{
    (void)state;
    physmem_t *pm = emu_physmem(xemu);
    static const uint8_t prefix[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
    for (int bulk = 0; bulk < 2; bulk++)
        for (int s = 0; s < 6; s++) {
            for (int t = 0; t < 6; t++)
                for (int k = 0; k < 16; k++)
                    pm->ram[(uint32_t)seg_sel[t] * 16 + 0x10 + k] = pattern(t, k);
            memset(pm->ram + 0x40000 + 0x80, 0, 16);
            /* rep movsb with an override: source seg:SI, destination ES:DI */
            uint8_t code[] = {prefix[s], 0xF3, 0xA4};
            uint32_t gpr[8] = {[R_ECX] = 16, [R_ESI] = 0x10, [R_EDI] = 0x80, [R_ESP] = 0x100};
            xstate_t out;
            run_real(code, 3, gpr, 0, bulk, distinct_segments, &out);
            assert_int_equal(out.exception, -1);
            for (int k = 0; k < 16; k++)
                assert_int_equal(pm->ram[0x40000 + 0x80 + k], pattern(s, k));
            assert_int_equal(out.gpr[R_ECX], 0);
            assert_int_equal(out.gpr[R_ESI], 0x20);
            assert_int_equal(out.gpr[R_EDI], 0x90);
        }
    /* An override does not move the destination of STOS off ES, nor the
     * source of SCAS. */
    memset(pm->ram + 0x40000 + 0x80, 0, 4);
    uint8_t stos[] = {0x64, 0xAB};
    uint32_t gpr[8] = {[R_EAX] = 0xBEEF, [R_EDI] = 0x80};
    xstate_t out;
    run_real(stos, 2, gpr, 0, false, distinct_segments, &out);
    assert_int_equal(pm->ram[0x40080] | pm->ram[0x40081] << 8, 0xBEEF);
    uint8_t scas[] = {0x65, 0xAE};
    uint32_t gpr2[8] = {[R_EAX] = pattern(SEG_ES, 3), [R_EDI] = 0x13};
    for (int k = 0; k < 16; k++)
        pm->ram[0x40000 + 0x10 + k] = pattern(SEG_ES, k);
    run_real(scas, 2, gpr2, 0, false, distinct_segments, &out);
    assert_true(out.eflags & FLAG_ZF);
}

/* REP INS/OUTS through the fake bus: INS stores io_in_value(port, n) for
 * the n-th read; OUTS sends the memory words in order (DF=1: downwards). */
static void test_ins_outs(void **state)
{
    (void)state;
    physmem_t *pm = emu_physmem(xemu);
    for (int size = 1; size <= 4; size *= 2) {
        uint8_t ins[] = {0x66, 0xF3, (uint8_t)(size == 1 ? 0x6C : 0x6D)};
        const uint8_t *code = size == 4 ? ins : ins + 1;
        memset(pm->ram + EMU_WINDOW, 0, 0x200);
        uint32_t gpr[8] = {[R_ECX] = 5, [R_EDX] = 0x1234, [R_EDI] = 0x100};
        emu_io_reset(xemu);
        xstate_t out;
        run_real(code, size == 4 ? 3 : 2, gpr, 0, false, NULL, &out);
        assert_int_equal(out.gpr[R_ECX], 0);
        assert_int_equal(out.gpr[R_EDI], 0x100 + 5 * size);
        for (unsigned n = 0; n < 5; n++) {
            uint32_t v = 0;
            memcpy(&v, pm->ram + EMU_WINDOW + 0x100 + n * size, (size_t)size);
            assert_int_equal(v, io_in_value(0x1234, n, (unsigned)size));
        }
        assert_int_equal(emu_io_count(xemu), 5);

        /* rep outs downwards with an FS override */
        uint8_t outs[] = {0x66, 0x64, 0xF3, (uint8_t)(size == 1 ? 0x6E : 0x6F)};
        const uint8_t *ocode = size == 4 ? outs : outs + 1;
        for (int k = 0; k < 0x40; k++)
            pm->ram[0x50000 + 0x20 + k] = (uint8_t)(0xA0 + k);
        uint32_t gpr2[8] = {[R_ECX] = 3, [R_EDX] = 0x80, [R_ESI] = 0x30};
        emu_io_reset(xemu);
        run_real(ocode, size == 4 ? 4 : 3, gpr2, FLAG_DF, false, distinct_segments, &out);
        assert_int_equal(emu_io_count(xemu), 3);
        for (int n = 0; n < 3; n++) {
            const io_event_t *ev = &emu_io_log(xemu)[n];
            uint32_t v = 0;
            memcpy(&v, pm->ram + 0x50000 + 0x30 - n * size, (size_t)size);
            assert_true(ev->write);
            assert_int_equal(ev->port, 0x80);
            assert_int_equal(ev->size, size);
            assert_int_equal(ev->value, v);
        }
        assert_int_equal(out.gpr[R_ESI], 0x30 - 3 * size);
    }
}

/* In protected mode at CPL 3 > IOPL, and in V86 mode, INS/OUTS consult the
 * TSS bitmap: a set bit for any byte of the access is #GP(0), before any
 * I/O or memory change. */
static void test_io_permission(void **state)
{
    (void)state;
    physmem_t *pm = emu_physmem(xemu);
    uint8_t *bitmap = pm->ram + EMU_TSS + 0x68;
    static const xmode_t modes[] = {XM_PM32, XM_PM16, XM_V86, XM_REAL};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++)
        for (int denied = 0; denied < 2; denied++) {
            bitmap[0x1235 / 8] = denied ? 1u << (0x1235 % 8) : 0; /* port 0x1235 */
            emu_set_v86_iopl(xemu, 0);
            xcase_t c = {.code = {0x6D}, .len = 1, .osize = 16, .asize = 16};
            c.gpr[R_EDX] = 0x1234; /* a word at 0x1234 covers 0x1235 */
            c.gpr[R_EDI] = 0x200;
            c.gpr[R_ESP] = 0x1000;
            emu_io_reset(xemu);
            xstate_t out;
            emu_run(xemu, modes[m], false, &c, &out);
            bool faults = denied && modes[m] != XM_REAL;
            assert_int_equal(out.exception, faults ? EXC_GP : -1);
            assert_int_equal(emu_io_count(xemu), faults ? 0 : 1);
            assert_int_equal(out.gpr[R_EDI] & 0xFFFF, faults ? 0x200 : 0x202);
        }
    bitmap[0x1235 / 8] = 0;
    emu_set_v86_iopl(xemu, 3);
}

/* A long REP runs in chunks: with an interrupt pending, the first chunk
 * ends, the interrupt is taken with the REP instruction's address pushed,
 * and the registers show the elements done. */
static void test_interrupt_between_chunks(void **state)
{
    (void)state;
    physmem_t *pm = emu_physmem(xemu);
    cpu_t *cpu = emu_cpu(xemu);
    uint8_t code[] = {0xF3, 0xAA}; /* rep stosb */
    xcase_t c = {.len = 2};
    memcpy(c.code, code, 2);
    c.gpr[R_ECX] = 20000;
    c.gpr[R_EDI] = 0x10;
    c.gpr[R_ESP] = 0xFFF0;
    c.gpr[R_EAX] = 0x5A;
    emu_load(xemu, XM_REAL, &c);
    memset(pm->ram + EMU_WINDOW + 0x10, 0, 20000);
    cpu->idtr = (dtable_t){0, 0x3FF}; /* the IVT: every vector to 0050:0000 */
    /* One pass runs one chunk and comes back to the instruction. */
    cpu_execute(cpu, cpu->icount + 1);
    uint32_t done = 20000 - (cpu->gpr[R_ECX] & 0xFFFF);
    assert_true(done > 0 && done < 20000);
    assert_int_equal(cpu->eip, EMU_IP);
    assert_int_equal(cpu->gpr[R_EDI] & 0xFFFF, 0x10 + done);
    /* Now the interrupt is taken before the next chunk. */
    cpu_set_intr(cpu, true);
    cpu_execute(cpu, cpu->icount + 1);
    cpu_set_intr(cpu, false);
    assert_int_equal(cpu->seg[SEG_CS].sel, 0x0050); /* in the handler */
    assert_int_equal(20000 - (cpu->gpr[R_ECX] & 0xFFFF), done);
    uint16_t pushed_ip = pm->ram[EMU_WINDOW + 0xFFF0 - 6] | pm->ram[EMU_WINDOW + 0xFFF0 - 5] << 8;
    uint16_t pushed_cs = pm->ram[EMU_WINDOW + 0xFFF0 - 4] | pm->ram[EMU_WINDOW + 0xFFF0 - 3] << 8;
    assert_int_equal(pushed_ip, EMU_IP);
    assert_int_equal(pushed_cs, EMU_CODE >> 4);
    assert_int_equal(pm->ram[EMU_WINDOW + 0x10 + done - 1], 0x5A);
    assert_int_equal(pm->ram[EMU_WINDOW + 0x10 + done], 0);
}

/* REP MOVSB that overwrites the code right after it: the copy goes
 * through the slow path (the page holds decoded code), the stale decoded
 * instruction is dropped and the new one (mov al, 42h) runs. */
static void test_rep_movs_over_code(void **state)
{
    (void)state;
    physmem_t *pm = emu_physmem(xemu);
    cpu_t *cpu = emu_cpu(xemu);
    /* rep movsb; then "mov al, 11h" to be replaced by "mov al, 42h"; jmp $ */
    uint8_t code[] = {0xF3, 0xA4, 0xB0, 0x11, 0xEB, 0xFE};
    xcase_t c = {.len = (int)sizeof code};
    memcpy(c.code, code, sizeof code);
    c.gpr[R_ECX] = 2;
    c.gpr[R_ESI] = 0x40;
    c.gpr[R_EDI] = EMU_IP + 2;
    for (int pass = 0; pass < 2; pass++) { /* the second time the block is cached */
        emu_load(xemu, XM_REAL, &c);
        seg_load_real(cpu, SEG_ES, EMU_CODE >> 4);
        pm->ram[EMU_WINDOW + 0x40] = 0xB0;
        pm->ram[EMU_WINDOW + 0x41] = 0x42;
        /* run the block (decoding both instructions) */
        for (int k = 0; k < 8; k++)
            cpu_execute(cpu, cpu->icount + 1);
        assert_int_equal(pm->ram[EMU_CODE + EMU_IP + 3], 0x42);
        assert_int_equal(cpu->gpr[R_EAX] & 0xFF, 0x42);
    }
}

/* REP STOSW into MMIO reaches the device element by element. */
static uint32_t mmio_writes, mmio_last;
static uint32_t mmio_read(void *o, uint32_t off, unsigned size)
{
    (void)o, (void)off, (void)size;
    return 0;
}
static void mmio_write(void *o, uint32_t off, uint32_t v, unsigned size)
{
    (void)o;
    mmio_writes++;
    mmio_last = off << 16 | (v & 0xFFFF);
    assert_int_equal(size, 2);
}

static void test_rep_stos_mmio(void **state)
{
    (void)state;
    static const mmio_ops_t ops = {mmio_read, mmio_write};
    assert_true(physmem_add_mmio(emu_physmem(xemu), 0xA0000, 0x1000, &ops, NULL, "test"));
    uint8_t code[] = {0xF3, 0xAB};
    uint32_t gpr[8] = {[R_ECX] = 100, [R_EAX] = 0x1234, [R_EDI] = 0x10};
    for (int bulk = 0; bulk < 2; bulk++) {
        mmio_writes = 0;
        xcase_t c = {.len = 2};
        memcpy(c.code, code, 2);
        memcpy(c.gpr, gpr, sizeof gpr);
        emu_load(xemu, XM_REAL, &c);
        seg_load_real(emu_cpu(xemu), SEG_ES, 0xA000);
        xstate_t out;
        emu_go(xemu, bulk, &out);
        assert_int_equal(out.exception, -1);
        assert_int_equal(mmio_writes, 100);
        assert_int_equal(mmio_last, (0x10u + 99 * 2) << 16 | 0x1234);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_host),
        cmocka_unit_test(test_segment_overrides),
        cmocka_unit_test(test_ins_outs),
        cmocka_unit_test(test_io_permission),
        cmocka_unit_test(test_interrupt_between_chunks),
        cmocka_unit_test(test_rep_movs_over_code),
        cmocka_unit_test(test_rep_stos_mmio),
    };
    return cmocka_run_group_tests(tests, xgroup_setup, xgroup_teardown);
}
