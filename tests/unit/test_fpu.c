/* x87 behaviour the host cannot show (it runs in 64-bit user mode): #NM
 * from CR0.EM/TS/MP, deferred #MF with CR0.NE = 1, the FERR# output and
 * the freeze with CR0.NE = 0, the instruction and operand pointers, the
 * real-mode and protected-mode environment layouts, FXSAVE alignment.
 * Expected values come from the SDM (vol. 1 8.1.8-8.1.10, 8.7; vol. 3
 * 2.5, 6.15) and are worked out by hand in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fpu_harness.h"
#include "cpu/exec.h"

typedef struct events {
    int vector;      /* first exception delivered, or -1 */
    uint32_t eip;    /* EIP it reported */
    int ferr_edges;  /* FERR# changes seen */
    bool ferr;       /* FERR# level */
} events_t;

static events_t ev;

static void on_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    cpu_t *cpu = opaque;
    if (kind == CPU_EVENT_EXCEPTION && ev.vector < 0) {
        ev.vector = vector;
        ev.eip = cpu->eip;
    }
}

static void on_ferr(void *opaque, bool asserted)
{
    ev.ferr_edges++;
    ev.ferr = asserted;
}

static bool ignne_level;
static bool on_ignne(void *opaque) { return ignne_level; }

static x87_rig_t *setup(uint32_t cr0_extra)
{
    x87_rig_t *e = x87_rig_create();
    e->cpu.hooks.event = on_event;
    e->cpu.hooks.opaque = &e->cpu;
    e->cpu.bus.ferr = on_ferr;
    e->cpu.bus.ignne = on_ignne;
    ignne_level = false;
    x87_rig_flat32(e, cr0_extra);
    memset(&ev, 0, sizeof ev);
    ev.vector = -1;
    return e;
}

/* Loads code at RIG_CODE (the caller ends it with HLT) and runs up to
 * `max` instructions; ESI = RIG_MEM, EDI = RIG_IMAGE. */
static cpu_exit_t run(x87_rig_t *e, const uint8_t *code, size_t len, uint64_t max)
{
    physmem_write_block(&e->pm, RIG_CODE, code, (uint32_t)len);
    e->cpu.eip = RIG_CODE;
    e->cpu.gpr[R_ESI] = RIG_MEM;
    e->cpu.gpr[R_EDI] = RIG_IMAGE;
    return cpu_execute(&e->cpu, e->cpu.icount + max);
}

static uint16_t rd16_at(x87_rig_t *e, uint32_t a) { return (uint16_t)physmem_read(&e->pm, a, 2); }
static uint32_t rd32_at(x87_rig_t *e, uint32_t a) { return physmem_read(&e->pm, a, 4); }

/* ---------------------------------------------------------------- #NM */

static void expect_vector(uint32_t cr0, const uint8_t *code, size_t len, int vector)
{
    x87_rig_t *e = setup(cr0);
    run(e, code, len, 10);
    assert_int_equal(ev.vector, vector);
    if (vector >= 0)
        assert_int_equal(ev.eip, RIG_CODE); /* a fault: EIP at the instruction */
    x87_rig_destroy(e);
}

static void test_nm_em_and_ts(void **state)
{
    static const uint8_t fld1[] = {0xD9, 0xE8, 0xF4};
    expect_vector(CR0_NE, fld1, sizeof fld1, -1);
    expect_vector(CR0_NE | CR0_EM, fld1, sizeof fld1, EXC_NM);
    expect_vector(CR0_NE | CR0_TS, fld1, sizeof fld1, EXC_NM);
    /* the no-wait control instructions too */
    static const uint8_t fninit[] = {0xDB, 0xE3, 0xF4};
    expect_vector(CR0_NE | CR0_TS, fninit, sizeof fninit, EXC_NM);
    static const uint8_t fnstsw[] = {0xDF, 0xE0, 0xF4};
    expect_vector(CR0_NE | CR0_EM, fnstsw, sizeof fnstsw, EXC_NM);
    /* FXSAVE */
    static const uint8_t fxsave[] = {0x0F, 0xAE, 0x06, 0xF4};
    expect_vector(CR0_NE | CR0_TS, fxsave, sizeof fxsave, EXC_NM);
}

/* WAIT: #NM only with both MP and TS; EM does not matter. */
static void test_nm_wait(void **state)
{
    static const uint8_t wait[] = {0x9B, 0xF4};
    expect_vector(CR0_NE | CR0_TS, wait, sizeof wait, -1);
    expect_vector(CR0_NE | CR0_TS | CR0_MP, wait, sizeof wait, EXC_NM);
    expect_vector(CR0_NE | CR0_EM, wait, sizeof wait, -1);
    expect_vector(CR0_NE | CR0_EM | CR0_MP, wait, sizeof wait, -1);
}

/* An undefined ESC encoding: #NM when EM or TS is set, #UD otherwise. */
static void test_undefined_esc(void **state)
{
    static const uint8_t bad[] = {0xD9, 0xD1, 0xF4};
    expect_vector(CR0_NE, bad, sizeof bad, EXC_UD);
    expect_vector(CR0_NE | CR0_TS, bad, sizeof bad, EXC_NM);
    static const uint8_t fisttp[] = {0xDB, 0x0E, 0xF4}; /* SSE3, not on the P6 */
    expect_vector(CR0_NE, fisttp, sizeof fisttp, EXC_UD);
}

/* ---------------------------------------------------------------- #MF */

/* FNINIT; FLDCW [esi] (0x037B: ZE unmasked); FLD1; FLDZ; FDIV ST(1),ST
 * i.e. ST(1) = 1 / 0: the divide-by-zero is unmasked, so ST(1) keeps 1.0
 * and the exception waits for the next waiting instruction. */
static const uint8_t divide_by_zero[] = {
    0xDB, 0xE3,       /* fninit */
    0xD9, 0x2E,       /* fldcw [esi] */
    0xD9, 0xE8,       /* fld1 */
    0xD9, 0xEE,       /* fldz */
    0xDC, 0xF9,       /* fdiv st(1), st */
};
#define DIV_INSNS 5
#define DIV_LEN sizeof divide_by_zero

static x87_rig_t *setup_divide(uint32_t cr0)
{
    x87_rig_t *e = setup(cr0);
    uint8_t cw[2] = {0x7B, 0x03};
    physmem_write_block(&e->pm, RIG_MEM, cw, 2);
    return e;
}

static void test_mf_deferred(void **state)
{
    x87_rig_t *e = setup_divide(CR0_NE);
    uint8_t code[32];
    memcpy(code, divide_by_zero, DIV_LEN);
    size_t n = DIV_LEN;
    code[n++] = 0xDF, code[n++] = 0xE0; /* fnstsw ax: no-wait, no #MF */
    code[n++] = 0x9B;                   /* fwait: #MF here */
    code[n++] = 0xF4;
    run(e, code, n, 20);
    assert_int_equal(ev.vector, EXC_MF);
    assert_int_equal(ev.eip, RIG_CODE + DIV_LEN + 2);
    /* SW after the FDIV: B, TOP = 6, ES, ZE */
    assert_int_equal(e->cpu.gpr[R_EAX] & 0xFFFF, 0x8000 | (6 << 11) | 0x80 | 0x04);
    /* ST(1) still 1.0, ST(0) 0.0 */
    fpu_t *f = &e->cpu.fpu;
    assert_int_equal(f->st[(f->top + 1) & 7].sign_exp, 0x3FFF);
    assert_int_equal(f->st[f->top].sign_exp, 0);
    /* FOP/FIP describe the FDIV */
    assert_int_equal(f->fop, 0x4F9);
    assert_int_equal(f->fip, RIG_CODE + 8);
    x87_rig_destroy(e);

    /* The next x87 arithmetic instruction reports it as well. */
    e = setup_divide(CR0_NE);
    memcpy(code, divide_by_zero, DIV_LEN);
    n = DIV_LEN;
    code[n++] = 0xD8, code[n++] = 0xC1; /* fadd st, st(1) */
    code[n++] = 0xF4;
    run(e, code, n, 20);
    assert_int_equal(ev.vector, EXC_MF);
    assert_int_equal(ev.eip, RIG_CODE + DIV_LEN);
    x87_rig_destroy(e);
}

/* FNCLEX in between clears it: no #MF. */
static void test_mf_cleared(void **state)
{
    x87_rig_t *e = setup_divide(CR0_NE);
    uint8_t code[32];
    memcpy(code, divide_by_zero, DIV_LEN);
    size_t n = DIV_LEN;
    code[n++] = 0xDB, code[n++] = 0xE2; /* fnclex */
    code[n++] = 0x9B;
    code[n++] = 0xF4;
    cpu_exit_t r = run(e, code, n, 20);
    assert_int_equal(r, CPU_EXIT_HALT);
    assert_int_equal(ev.vector, -1);
    assert_int_equal(ev.ferr_edges, 2); /* raised by the FDIV, lowered by FNCLEX */
    assert_false(ev.ferr);
    x87_rig_destroy(e);
}

/* Unmasking a flag that is already set makes it pending (FLDCW), and
 * masking it again withdraws it. */
static void test_fldcw_unmask(void **state)
{
    x87_rig_t *e = setup(CR0_NE);
    uint8_t cws[4] = {0x7F, 0x03, 0x7B, 0x03}; /* all masked, then ZE unmasked */
    physmem_write_block(&e->pm, RIG_MEM, cws, 4);
    static const uint8_t code[] = {
        0xDB, 0xE3,             /* fninit */
        0xD9, 0xE8, 0xD9, 0xEE, /* fld1; fldz */
        0xDE, 0xF9,             /* fdivp: masked, ZE set, ST = +inf */
        0xD9, 0x6E, 0x02,       /* fldcw [esi+2]: ZE unmasked -> pending */
        0x9B, 0xF4,
    };
    run(e, code, sizeof code, 20);
    assert_int_equal(ev.vector, EXC_MF);
    assert_int_equal(ev.eip, RIG_CODE + 11);
    assert_true(ev.ferr);
    x87_rig_destroy(e);
}

/* ---------------------------------------------------------------- FERR# */

static void test_ferr_freeze(void **state)
{
    x87_rig_t *e = setup_divide(0); /* CR0.NE = 0: MS-DOS compatibility */
    uint8_t code[32];
    memcpy(code, divide_by_zero, DIV_LEN);
    size_t n = DIV_LEN;
    code[n++] = 0xD9, code[n++] = 0xE8; /* fld1: waiting, freezes */
    code[n++] = 0xF4;
    physmem_write_block(&e->pm, RIG_CODE, code, (uint32_t)n);
    e->cpu.eip = RIG_CODE;
    e->cpu.gpr[R_ESI] = RIG_MEM;
    for (int k = 0; k < DIV_INSNS; k++)
        cpu_step(&e->cpu);
    /* FERR# went active when the FDIV completed. */
    assert_true(ev.ferr);
    assert_int_equal(ev.ferr_edges, 1);
    assert_int_equal(e->cpu.eip, RIG_CODE + DIV_LEN);
    /* The FLD1 does not execute: the CPU waits for an interrupt, EIP on it. */
    cpu_exit_t r = cpu_execute(&e->cpu, e->cpu.icount + 5);
    assert_int_equal(r, CPU_EXIT_HALT);
    assert_true(e->cpu.halted);
    assert_int_equal(e->cpu.eip, RIG_CODE + DIV_LEN);
    assert_int_equal(ev.vector, -1);
    assert_int_equal(e->cpu.fpu.top, 6);
    /* With IGNNE# active (the handler wrote port F0h) it goes through. */
    ignne_level = true;
    e->cpu.halted = false;
    r = cpu_execute(&e->cpu, e->cpu.icount + 5);
    assert_int_equal(r, CPU_EXIT_HALT);
    assert_int_equal(e->cpu.eip, RIG_CODE + DIV_LEN + 3);
    assert_int_equal(e->cpu.fpu.top, 5);
    assert_int_equal(ev.vector, -1);
    x87_rig_destroy(e);
}

/* ---------------------------------------------------------------- pointers, layouts */

/* fld dword [esi+4] ; fldcw [esi] ; fnstenv [edi]: FLDCW and FNSTENV are
 * control instructions and leave the pointers of the FLD. */
static void test_pointers_protected(void **state)
{
    x87_rig_t *e = setup(CR0_NE);
    uint8_t mem[8] = {0x7F, 0x03, 0, 0, 0x00, 0x00, 0x80, 0x3F}; /* cw, then 1.0f */
    physmem_write_block(&e->pm, RIG_MEM, mem, 8);
    static const uint8_t code[] = {
        0xDB, 0xE3,       /* fninit (0x1000) */
        0xD9, 0x46, 0x04, /* fld dword [esi+4] (0x1002) */
        0xD9, 0x2E,       /* fldcw [esi] */
        0xD9, 0x37,       /* fnstenv [edi] */
        0xF4,
    };
    run(e, code, sizeof code, 10);
    assert_int_equal(ev.vector, -1);
    uint32_t img = RIG_IMAGE;
    assert_int_equal(rd32_at(e, img + 0), 0xFFFF037F);       /* CW, reserved bits set */
    assert_int_equal(rd32_at(e, img + 4), 0xFFFF3800);       /* SW: TOP = 7 */
    assert_int_equal(rd32_at(e, img + 8), 0xFFFF3FFF);       /* TW: R7 valid, rest empty */
    assert_int_equal(rd32_at(e, img + 12), 0x1002);          /* FIP */
    assert_int_equal(rd32_at(e, img + 16), 0x01460008);      /* FOP 146 (D9 46), FCS 08 */
    assert_int_equal(rd32_at(e, img + 20), RIG_MEM + 4);     /* FDP */
    assert_int_equal(rd32_at(e, img + 24), 0xFFFF0010);      /* FDS 10 */
    /* FNSTENV masked every exception afterwards */
    assert_int_equal(e->cpu.fpu.cw, 0x037F);
    x87_rig_destroy(e);
}

/* Real mode: CS = 0100h, DS = 0200h; the images hold 20-bit (16-bit form)
 * or 32-bit (32-bit form) linear pointers with the opcode. */
static void test_env_real_mode(void **state)
{
    x87_rig_t *e = x87_rig_create();
    memset(&ev, 0, sizeof ev);
    ev.vector = -1;
    e->cpu.hooks.event = on_event;
    e->cpu.hooks.opaque = &e->cpu;
    cpu_t *c = &e->cpu;
    cpu_set_cr0(c, CR0_ET | CR0_NE);
    cpu_load_seg_raw(c, SEG_CS, 0x0100, 0x1000, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(c, SEG_DS, 0x0200, 0x2000, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(c, SEG_ES, 0x0200, 0x2000, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(c, SEG_SS, 0x0000, 0x0000, 0xFFFF, 0x93, 0);
    uint8_t one[4] = {0x00, 0x00, 0x80, 0x3F};
    physmem_write_block(&e->pm, 0x2010, one, 4);
    static const uint8_t code[] = {
        0xDB, 0xE3,             /* 0000 fninit */
        0xD9, 0x04,             /* 0002 fld dword [si] (16-bit addressing) */
        0xD9, 0x35,             /* 0004 fnstenv [di] (16-bit form) */
        0x66, 0xD9, 0x75, 0x20, /* 0006 fnstenv [di+20h] (32-bit form) */
        0xDB, 0xE3,             /* 000A fninit: pointers cleared */
        0xD9, 0x25,             /* 000C fldenv [di]: back from the 16-bit form */
        0x66, 0xD9, 0x75, 0x40, /* 000E fnstenv [di+40h] */
        0xF4,
    };
    physmem_write_block(&e->pm, 0x1000, code, sizeof code);
    c->eip = 0;
    c->gpr[R_ESI] = 0x0010;
    c->gpr[R_EDI] = 0x0100;
    cpu_execute(c, c->icount + 10);
    assert_int_equal(ev.vector, -1);
    /* 16-bit form at 2100h: CW SW TW IP(15:0) IP(19:16)<<12|FOP DP(15:0) DP(19:16)<<12.
     * FIP linear = 1000h + 0002h, FOP = 104h (D9 04), FDP linear = 2000h + 0010h. */
    assert_int_equal(rd16_at(e, 0x2100), 0x037F);
    assert_int_equal(rd16_at(e, 0x2102), 0x3800);
    assert_int_equal(rd16_at(e, 0x2104), 0x3FFF);
    assert_int_equal(rd16_at(e, 0x2106), 0x1002);
    assert_int_equal(rd16_at(e, 0x2108), 0x0104);
    assert_int_equal(rd16_at(e, 0x210A), 0x2010);
    assert_int_equal(rd16_at(e, 0x210C), 0x0000);
    /* 32-bit form at 2120h: IP(15:0) in the low word at +12, IP(31:16) in
     * bits 27:12 at +16 with FOP in 10:0. */
    assert_int_equal(rd32_at(e, 0x2120 + 12) & 0xFFFF, 0x1002);
    assert_int_equal(rd32_at(e, 0x2120 + 16), 0x00000104);
    assert_int_equal(rd32_at(e, 0x2120 + 20) & 0xFFFF, 0x2010);
    assert_int_equal(rd32_at(e, 0x2120 + 24), 0);
    /* FLDENV of the 16-bit image restored the same linear pointers (and
     * the control word FNSTENV had before masking). */
    assert_int_equal(rd16_at(e, 0x2140), 0x037F);
    assert_int_equal(rd32_at(e, 0x2140 + 12) & 0xFFFF, 0x1002);
    assert_int_equal(rd32_at(e, 0x2140 + 16), 0x00000104);
    assert_int_equal(rd32_at(e, 0x2140 + 20) & 0xFFFF, 0x2010);
    x87_rig_destroy(e);
}

/* FNSAVE leaves the FPU initialised; FRSTOR brings the state back. */
static void test_save_restore(void **state)
{
    x87_rig_t *e = setup(CR0_NE);
    static const uint8_t code[] = {
        0xDB, 0xE3,             /* fninit */
        0xD9, 0xEB, 0xD9, 0xE8, /* fldpi; fld1 */
        0xDD, 0x37,             /* fnsave [edi] */
        0xDF, 0xE0,             /* fnstsw ax: after FNSAVE, 0 */
        0x89, 0xC3,             /* mov ebx, eax */
        0xDD, 0x27,             /* frstor [edi] */
        0xDF, 0xE0,             /* fnstsw ax: TOP = 6 again */
        0xF4,
    };
    run(e, code, sizeof code, 20);
    assert_int_equal(ev.vector, -1);
    assert_int_equal(e->cpu.gpr[R_EBX] & 0xFFFF, 0);
    assert_int_equal(e->cpu.gpr[R_EAX] & 0xFFFF, 6 << 11);
    fpu_t *f = &e->cpu.fpu;
    assert_int_equal(f->top, 6);
    assert_int_equal(f->st[6].sign_exp, 0x3FFF);           /* 1.0 */
    assert_true(f->st[7].mant == 0xC90FDAA22168C235ull);   /* pi, rounded to nearest */
    assert_int_equal(f->tw, 0x0FFF);
    /* the image: ST(0) = 1.0 first, at offset 28 */
    assert_int_equal(rd16_at(e, RIG_IMAGE + 36), 0x3FFF);
    assert_int_equal(rd16_at(e, RIG_IMAGE + 46), 0x4000);
    x87_rig_destroy(e);
}

/* FXSAVE/FXRSTOR need a 16-byte aligned area: #GP(0) otherwise. */
static void test_fxsave_alignment(void **state)
{
    x87_rig_t *e = setup(CR0_NE);
    static const uint8_t code[] = {0x0F, 0xAE, 0x46, 0x08, 0xF4}; /* fxsave [esi+8] */
    run(e, code, sizeof code, 5);
    assert_int_equal(ev.vector, EXC_GP);
    assert_int_equal(ev.eip, RIG_CODE);
    x87_rig_destroy(e);

    e = setup(CR0_NE);
    static const uint8_t ok[] = {
        0xDB, 0xE3, 0xD9, 0xE8,     /* fninit; fld1 */
        0x0F, 0xAE, 0x46, 0x10,     /* fxsave [esi+10h] */
        0xF4,
    };
    run(e, ok, sizeof ok, 5);
    assert_int_equal(ev.vector, -1);
    uint32_t a = RIG_MEM + 0x10;
    assert_int_equal(rd16_at(e, a + 0), 0x037F);
    assert_int_equal(rd16_at(e, a + 2), 0x3800);
    assert_int_equal(physmem_read(&e->pm, a + 4, 1), 0x80);  /* abridged tags: R7 in use */
    assert_int_equal(rd16_at(e, a + 6), 0x1E8);              /* FOP of FLD1 */
    assert_int_equal(rd32_at(e, a + 8), RIG_CODE + 2);       /* FIP */
    assert_int_equal(rd16_at(e, a + 40), 0x3FFF);            /* ST(0) = 1.0 */
    x87_rig_destroy(e);
}

/* ---------------------------------------------------------------- disassembly */

/* How the x87 table entries disassemble, as objdump -Mintel prints the
 * same bytes (checked by hand against binutils 2.40). */
static void test_disassembly(void **state)
{
    static const struct {
        uint8_t b[6];
        int len;
        bool code32;
        const char *text;
    } cases[] = {
        {{0xDC, 0xE1}, 2, true, "fsubr  st(1),st"},  /* the SDM's names, not AT&T's */
        {{0xDE, 0xE9}, 2, true, "fsubp  st(1),st"},
        {{0xDB, 0xF3}, 2, true, "fcomi  st,st(3)"},
        {{0xDF, 0x2E, 0x00, 0x10}, 4, false, "fild   QWORD PTR ds:0x1000"},
        {{0x66, 0xD9, 0x30}, 3, true, "fnstenvw [eax]"},
        {{0x66, 0xDD, 0x20}, 3, false, "frstord [bx+si]"},
        {{0x9B, 0xDB, 0xE3}, 3, true, "finit"},      /* WAIT joins the next x87 instruction */
        {{0x9B, 0xDF, 0xE0}, 3, true, "fstsw  ax"},
        {{0x9B, 0xD9, 0xE8}, 3, true, "fld1"},
        {{0x9B, 0x90}, 1, true, "fwait"},
        {{0xDB, 0xE0}, 2, true, "fneni(8087 only)"},
        {{0xD9, 0xD9}, 2, true, "(bad)"},            /* FSTP1: runs, but objdump calls it (bad) */
        {{0x0F, 0xAE, 0x00}, 3, true, "fxsave [eax]"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char buf[64];
        int len = disasm_bytes(cases[k].b, 6, cases[k].code32, 0, buf, sizeof buf);
        assert_string_equal(buf, cases[k].text);
        assert_int_equal(len, cases[k].len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nm_em_and_ts),
        cmocka_unit_test(test_nm_wait),
        cmocka_unit_test(test_undefined_esc),
        cmocka_unit_test(test_mf_deferred),
        cmocka_unit_test(test_mf_cleared),
        cmocka_unit_test(test_fldcw_unmask),
        cmocka_unit_test(test_ferr_freeze),
        cmocka_unit_test(test_pointers_protected),
        cmocka_unit_test(test_env_real_mode),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_fxsave_alignment),
        cmocka_unit_test(test_disassembly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
