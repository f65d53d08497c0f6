/* CPU event rules that a guest ROM cannot easily provoke: NMI blocking
 * until IRET, and the EXT bit in the error code of a fault raised while a
 * hardware interrupt is delivered (SDM vol. 3, 6.7.1 and 6.13). */
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
    uint8_t vector; /* what the interrupt acknowledge returns */
} rig_t;

static uint8_t ack(void *o) { return ((rig_t *)o)->vector; }

static rig_t *rig_new(void)
{
    static rig_t r;
    memset(&r, 0, sizeof r);
    rig_bring_up(&r.pm, &r.cpu, &r, ack);
    return &r;
}

static void rig_free(rig_t *r) { rig_tear_down(&r->pm, &r->cpu); }

static void poke(rig_t *r, uint32_t addr, const void *bytes, uint32_t len)
{
    physmem_write_block(&r->pm, addr, bytes, len);
}

static void poke32(rig_t *r, uint32_t addr, uint32_t v) { poke(r, addr, &v, 4); }

static void start_real(rig_t *r, uint16_t ip) { rig_start_real(&r->cpu, ip); }

static uint8_t peek8(rig_t *r, uint32_t addr)
{
    return (uint8_t)physmem_read(&r->pm, addr, 1);
}

/* An NMI handler that never returns keeps further NMIs blocked; one that
 * IRETs lets the next NMI in. */
static void nmi_blocked_until_iret(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t loop[] = {0xEB, 0xFE};                   /* jmp $ */
    static const uint8_t stay[] = {0xFE, 0x06, 0x00, 0x06, 0xEB, 0xFE}; /* inc byte [0x600]; jmp $ */
    static const uint8_t back[] = {0xFE, 0x06, 0x00, 0x06, 0xCF};       /* inc byte [0x600]; iret */
    poke(r, 0x2000, loop, sizeof loop);
    poke(r, 0x1000, stay, sizeof stay);
    poke32(r, 2 * 4, 0x00001000); /* IVT[2] = 0000:1000 */
    start_real(r, 0x2000);
    cpu_raise_nmi(&r->cpu);
    cpu_execute(&r->cpu, 100);
    cpu_raise_nmi(&r->cpu);
    cpu_execute(&r->cpu, 200);
    assert_int_equal(peek8(r, 0x600), 1);
    assert_int_equal(r->cpu.seg[SEG_CS].base + r->cpu.eip, 0x1004);

    poke(r, 0x1000, back, sizeof back);
    cpu_reset(&r->cpu);
    poke(r, 0x600, "\0", 1);
    start_real(r, 0x2000);
    cpu_raise_nmi(&r->cpu);
    cpu_execute(&r->cpu, r->cpu.icount + 100);
    cpu_raise_nmi(&r->cpu);
    cpu_execute(&r->cpu, r->cpu.icount + 100);
    assert_int_equal(peek8(r, 0x600), 2);
    rig_free(r);
}

/* A hardware interrupt whose IDT gate is not present: #NP with the IDT
 * bit and EXT set (vector * 8 + 3). */
static void hardware_interrupt_sets_ext(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    /* GDT at 0x1000: null, flat code (0x08), flat data (0x10). */
    poke32(r, 0x1008, 0x0000FFFF), poke32(r, 0x100C, 0x00CF9B00);
    poke32(r, 0x1010, 0x0000FFFF), poke32(r, 0x1014, 0x00CF9300);
    /* IDT at 0x2000: #NP (11) -> 0x08:0x3000; vector 0x30 an interrupt
     * gate that is not present. */
    poke32(r, 0x2000 + 11 * 8, 0x00083000), poke32(r, 0x2000 + 11 * 8 + 4, 0x00008E00);
    poke32(r, 0x2000 + 0x30 * 8, 0x00083000), poke32(r, 0x2000 + 0x30 * 8 + 4, 0x00000E00);
    static const uint8_t handler[] = {0x58, 0xF4}; /* pop eax; hlt */
    static const uint8_t idle[] = {0xEB, 0xFE};    /* jmp $ */
    poke(r, 0x3000, handler, sizeof handler);
    poke(r, 0x4000, idle, sizeof idle);
    cpu_t *c = &r->cpu;
    c->gdtr = (dtable_t){0x1000, 0x17};
    c->idtr = (dtable_t){0x2000, 0x7FF};
    cpu_set_cr0(c, c->cr0 | CR0_PE);
    cpu_load_seg_raw(c, SEG_CS, 0x08, 0, 0xFFFFFFFFu, 0x9B, 0xC0);
    cpu_load_seg_raw(c, SEG_SS, 0x10, 0, 0xFFFFFFFFu, 0x93, 0xC0);
    cpu_load_seg_raw(c, SEG_DS, 0x10, 0, 0xFFFFFFFFu, 0x93, 0xC0);
    c->gpr[R_ESP] = 0x7000;
    c->eip = 0x4000;
    cpu_set_eflags(c, cpu_get_eflags(c) | FLAG_IF);
    r->vector = 0x30;
    cpu_set_intr(c, true);
    assert_int_equal(cpu_execute(c, 1000), CPU_EXIT_HALT);
    assert_int_equal(c->gpr[R_EAX], 0x30 * 8 + 2 + 1);
    rig_free(r);
}

/* A handler whose first instruction faults takes the same exception again
 * with no instruction retired, forever (fuzzer stream seed 1 / 2219).
 * cpu_execute must still return at its budget: each repeated delivery
 * counts as one instruction.  Every delivery pushes FLAGS, CS and IP. */
static void exception_livelock_ends_at_budget(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t undefined[] = {0x0F, 0xFF}; /* #UD */
    poke(r, 0x2000, undefined, sizeof undefined);
    poke32(r, 6 * 4, 0x00002000); /* IVT[6] = 0000:2000, the same #UD */
    start_real(r, 0x2000);
    assert_int_equal(cpu_execute(&r->cpu, 100), CPU_EXIT_BUDGET);
    assert_int_equal(r->cpu.icount, 100);
    /* 101 deliveries: the first one, then one per counted instruction. */
    assert_int_equal(r->cpu.gpr[R_ESP], 0x7000 - 101 * 6);
    assert_int_equal(r->cpu.eip, 0x2000);
    rig_free(r);
}

/* A double fault is the second half of one nested delivery, not a
 * repetition: it adds no instruction to the count.  Real mode, an IDT
 * limit that holds vectors 0-8 only: INT 20h is past it (#GP), #GP (13)
 * too (#DF), the #DF handler HLTs.  Retired: the HLT alone. */
static void double_fault_adds_no_instruction(void **state)
{
    (void)state;
    rig_t *r = rig_new();
    static const uint8_t int20[] = {0xCD, 0x20};
    static const uint8_t halt[] = {0xF4};
    poke(r, 0x2000, int20, sizeof int20);
    poke(r, 0x3000, halt, sizeof halt);
    poke32(r, 8 * 4, 0x00003000); /* IVT[8] = 0000:3000 */
    start_real(r, 0x2000);
    r->cpu.idtr = (dtable_t){0, 9 * 4 - 1};
    assert_int_equal(cpu_execute(&r->cpu, 100), CPU_EXIT_HALT);
    assert_int_equal(r->cpu.eip, 0x3001);
    assert_int_equal(r->cpu.icount, 1);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nmi_blocked_until_iret),
        cmocka_unit_test(hardware_interrupt_sets_ext),
        cmocka_unit_test(exception_livelock_ends_at_budget),
        cmocka_unit_test(double_fault_adds_no_instruction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
