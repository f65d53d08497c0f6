/* The run loop follows decoded blocks from one to the next (cpu/exec.c,
 * run_blocks): these check, on small real-mode loops whose results are
 * counted by hand, that it still stops exactly at the instruction budget,
 * that a fault sees the count of instructions retired before it, and that
 * code modified while its blocks are chained runs in its new form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/exec.h"
#include "cpu_rig.h"

typedef struct rig {
    physmem_t pm;
    cpu_t cpu;
    int exceptions;          /* exceptions delivered */
    int first_vector;        /* the first one's vector */
    uint64_t icount_at_first; /* cpu.icount when it was delivered */
} rig_t;

static uint8_t no_ack(void *o) { (void)o; return 0; }

static void on_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    (void)has_error, (void)error;
    rig_t *r = opaque;
    if (kind != CPU_EVENT_EXCEPTION || r->exceptions++)
        return;
    r->first_vector = vector;
    r->icount_at_first = r->cpu.icount;
}

static rig_t *rig_new(void)
{
    static rig_t r;
    memset(&r, 0, sizeof r);
    rig_bring_up(&r.pm, &r.cpu, &r, no_ack);
    r.cpu.hooks.opaque = &r;
    r.cpu.hooks.event = on_event;
    rig_start_real(&r.cpu, 0x1000);
    return &r;
}

static void rig_free(rig_t *r) { rig_tear_down(&r->pm, &r->cpu); }

static void poke(rig_t *r, uint32_t addr, const void *bytes, uint32_t len)
{
    physmem_write_block(&r->pm, addr, bytes, len);
}

static uint16_t peek16(rig_t *r, uint32_t addr) { return (uint16_t)physmem_read(&r->pm, addr, 2); }

/* inc ax; jmp back: a one-block loop of two instructions that links to
 * itself.  Budgets that end inside the block stop exactly there. */
static void budget_is_exact(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t code[] = {0x40, 0xEB, 0xFD}; /* 1000: inc ax; jmp 1000 */
    poke(r, 0x1000, code, sizeof code);
    assert_int_equal(cpu_execute(&r->cpu, 1001), CPU_EXIT_BUDGET);
    /* Instruction 1001 is the 501st INC; the JMP after it is next. */
    assert_int_equal(r->cpu.icount, 1001);
    assert_int_equal(r->cpu.gpr[R_EAX], 501);
    assert_int_equal(r->cpu.eip, 0x1001);
    assert_int_equal(cpu_execute(&r->cpu, 2000), CPU_EXIT_BUDGET);
    assert_int_equal(r->cpu.icount, 2000);
    assert_int_equal(r->cpu.gpr[R_EAX], 1000);
    assert_int_equal(r->cpu.eip, 0x1000);
    rig_free(r);
}

/* A word read walks up DS until it crosses offset 0xFFFF, which raises
 * #GP in real mode (SDM vol. 3, 20.1.6 / the MOV page: "If any part of the
 * operand lies outside the effective address space from 0 to FFFFH").
 * The fault must see the instructions retired before it, after the loop
 * has been running chained. */
static void fault_sees_retired_count(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t code[] = {
        0xBE, 0xF0, 0xFF, /* 1000: mov si, 0xFFF0 */
        0x8B, 0x04,       /* 1003: mov ax, [si] */
        0x46,             /* 1005: inc si */
        0xEB, 0xFB,       /* 1006: jmp 1003 */
    };
    static const uint8_t handler[] = {0xF4}; /* 2000: hlt */
    static const uint8_t vec13[] = {0x00, 0x20, 0x00, 0x00}; /* IVT[13] = 0000:2000 */
    static const uint8_t data[] = {0x34, 0x12};
    poke(r, 0x1000, code, sizeof code);
    poke(r, 0x2000, handler, sizeof handler);
    poke(r, 13 * 4, vec13, sizeof vec13);
    poke(r, 0xFFFE, data, sizeof data);
    assert_int_equal(cpu_execute(&r->cpu, 1000), CPU_EXIT_HALT);
    assert_int_equal(r->exceptions, 1);
    assert_int_equal(r->first_vector, EXC_GP);
    /* MOV SI, then 15 rounds of three (SI = FFF0..FFFE); the 16th read faults. */
    assert_int_equal(r->icount_at_first, 1 + 15 * 3);
    assert_int_equal(r->cpu.icount, 1 + 15 * 3 + 1); /* and the HLT */
    assert_int_equal(r->cpu.gpr[R_ESI] & 0xFFFF, 0xFFFF);
    assert_int_equal(r->cpu.gpr[R_EAX] & 0xFFFF, 0x1234); /* the read at FFFE */
    /* The frame: IP of the faulting MOV, CS, FLAGS. */
    assert_int_equal(r->cpu.gpr[R_ESP] & 0xFFFF, 0x7000 - 6);
    assert_int_equal(peek16(r, 0x7000 - 6), 0x1003);
    assert_int_equal(peek16(r, 0x7000 - 4), 0);
    rig_free(r);
}

/* A store walking down memory by 0x1000 per round hits the immediate of
 * an ADD in round five, from a block that links to the ADD's block since
 * round one (the successor link must not be followed to the dropped
 * block).  Rounds 1-5 add 1, rounds 6-10 add 0x100: BX = 0x505. */
static void modified_by_a_linked_block(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t code[] = {
        0xB9, 0x0A, 0x00,       /* 1000: mov cx, 10 */
        0x31, 0xDB,             /* 1003: xor bx, bx */
        0xBE, 0x0D, 0x50,       /* 1005: mov si, 0x500D */
        0xB8, 0x00, 0x01,       /* 1008: mov ax, 0x100 */
        0x81, 0xC3, 0x01, 0x00, /* 100B: add bx, 1 (immediate at 100D) */
        0xEB, 0x00,             /* 100F: jmp 1011 */
        0x89, 0x04,             /* 1011: mov [si], ax */
        0x81, 0xEE, 0x00, 0x10, /* 1013: sub si, 0x1000 */
        0xE2, 0xF2,             /* 1017: loop 100B */
        0xF4,                   /* 1019: hlt */
    };
    poke(r, 0x1000, code, sizeof code);
    assert_int_equal(cpu_execute(&r->cpu, 10000), CPU_EXIT_HALT);
    assert_int_equal(r->exceptions, 0);
    assert_int_equal(r->cpu.gpr[R_EBX] & 0xFFFF, 0x505);
    /* 4 setup instructions, ten rounds of five, the HLT. */
    assert_int_equal(r->cpu.icount, 4 + 10 * 5 + 1);
    rig_free(r);
}

/* The same ten rounds, the immediate rewritten in round five by code on
 * another page, called from the loop. */
static void modified_from_another_page(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t code[] = {
        0xB9, 0x0A, 0x00,       /* 1000: mov cx, 10 */
        0x31, 0xDB,             /* 1003: xor bx, bx */
        0x81, 0xC3, 0x01, 0x00, /* 1005: add bx, 1 (immediate at 1007) */
        0x83, 0xF9, 0x06,       /* 1009: cmp cx, 6 */
        0x75, 0x03,             /* 100C: jne 1011 */
        0xE8, 0xEF, 0x1F,       /* 100E: call 3000 */
        0xE2, 0xF2,             /* 1011: loop 1005 */
        0xF4,                   /* 1013: hlt */
    };
    static const uint8_t patch[] = {
        0xC7, 0x06, 0x07, 0x10, 0x00, 0x01, /* 3000: mov word [1007], 0x100 */
        0xC3,                               /* 3006: ret */
    };
    poke(r, 0x1000, code, sizeof code);
    poke(r, 0x3000, patch, sizeof patch);
    assert_int_equal(cpu_execute(&r->cpu, 10000), CPU_EXIT_HALT);
    assert_int_equal(r->exceptions, 0);
    assert_int_equal(r->cpu.gpr[R_EBX] & 0xFFFF, 0x505);
    assert_int_equal(r->cpu.gpr[R_ECX] & 0xFFFF, 0);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(budget_is_exact),
        cmocka_unit_test(fault_sees_retired_count),
        cmocka_unit_test(modified_by_a_linked_block),
        cmocka_unit_test(modified_from_another_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
