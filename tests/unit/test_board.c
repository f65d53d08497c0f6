/* The board's wiring: the A20 gate from the 8042 and port 0x92 (ORed, as
 * on a PC), CPU-only resets that keep the chips' state, FERR#/IRQ 13,
 * keyboard input reaching the CPU's INTR, timers armed mid-slice ending the
 * slice, and a halted CPU jumping to the next deadline. */
#include "devtest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/pc.h"

static uint8_t bios[0x10000];

static machine_t *make(void)
{
    memset(bios, 0xF4, sizeof bios); /* HLT everywhere */
    machine_config_t cfg = {.ram_mb = 4, .bios_image = bios, .bios_size = sizeof bios, .rtc_start = 0};
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    assert_non_null(m);
    return m;
}

static uint8_t in8(machine_t *m, uint16_t port) { return (uint8_t)ioport_read(&m->io, port, 1); }
static void out8(machine_t *m, uint16_t port, uint8_t v) { ioport_write(&m->io, port, v, 1); }

static void test_a20_sources(void **s)
{
    (void)s;
    machine_t *m = make();
    assert_true(physmem_a20(&m->mem));
    out8(m, 0x64, 0xD1);
    out8(m, 0x60, 0xDD); /* 8042: A20 off */
    assert_false(physmem_a20(&m->mem));
    out8(m, 0x92, 0x02); /* fast A20 on */
    assert_true(physmem_a20(&m->mem));
    assert_int_equal(in8(m, 0x92), 0x02);
    out8(m, 0x92, 0x00);
    assert_false(physmem_a20(&m->mem));
    out8(m, 0x64, 0xDF);
    assert_true(physmem_a20(&m->mem));
    machine_destroy(m);
}

static void test_cpu_reset_keeps_chips(void **s)
{
    (void)s;
    machine_t *m = make();
    out8(m, 0x64, 0xAA); /* self-test sets the system flag */
    in8(m, 0x60);
    out8(m, 0x21, 0x5A); /* a PIC mask */
    out8(m, 0x70, 0x0F);
    out8(m, 0x71, 0x0A); /* CMOS shutdown code */
    out8(m, 0x92, 0x01); /* fast init */
    assert_true(m->cpu_reset_pending);
    m->cpu.eip = 0x1234;
    assert_int_equal(machine_run(m, m->cpu.icount + 1), STOP_MAX_INSNS);
    assert_false(m->cpu_reset_pending);
    assert_int_equal(m->cpu.seg[SEG_CS].sel, 0xF000);
    assert_true(m->cpu.eip == 0xFFF0 || m->cpu.eip == 0xFFF1); /* at the reset vector's HLT */
    assert_true(in8(m, 0x64) & 0x04); /* warm start: flag kept */
    assert_int_equal(in8(m, 0x21), 0x5A);
    out8(m, 0x64, 0xFE); /* 8042 reset pulse: also the CPU alone */
    assert_true(m->cpu_reset_pending);
    machine_reset(m); /* a system reset: chips to power-on state */
    assert_false(in8(m, 0x64) & 0x04);
    assert_int_equal(in8(m, 0x21), 0x00);
    out8(m, 0x70, 0x0F);
    assert_int_equal(in8(m, 0x71), 0x0A); /* CMOS is battery-backed */
    machine_destroy(m);
}

/* A shutdown (triple fault) with reset_on_triple_fault is answered with
 * INIT, as a PIIX3 does: the registers restart at F000:FFF0 but the x87
 * state and the MSRs stay; a system reset then clears them too (SDM vol.
 * 3, table 9-1). */
static void test_shutdown_is_init(void **s)
{
    (void)s;
    machine_t *m = make();
    m->cfg.reset_on_triple_fault = true;
    /* At the reset vector: LIDT with a limit of 0, then INT3 (a triple
     * fault), over and over. */
    static const uint8_t code[16] = {0x2E, 0x0F, 0x01, 0x1E, 0xF8, 0xFF, /* lidt [cs:0xFFF8] */
                                     0xCC, 0xF4};                        /* int3; hlt */
    memcpy(m->mem.rom + m->mem.rom_size - 16, code, sizeof code);
    m->cpu.fpu.cw = 0x027F;
    m->cpu.msr.sysenter_cs = 0x1234;
    m->cpu.gpr[R_EAX] = 0xDEADBEEF;
    assert_int_equal(machine_run(m, m->cpu.icount + 5), STOP_MAX_INSNS);
    assert_int_equal(m->cpu.gpr[R_EAX], 0); /* a reset happened */
    assert_int_equal(m->cpu.seg[SEG_CS].sel, 0xF000);
    assert_int_equal(m->cpu.fpu.cw, 0x027F);
    assert_int_equal(m->cpu.msr.sysenter_cs, 0x1234);
    machine_reset(m);
    assert_int_equal(m->cpu.fpu.cw, 0x0040);
    assert_int_equal(m->cpu.msr.sysenter_cs, 0);
    machine_destroy(m);
}

static void init_pic(machine_t *m)
{
    static const uint8_t seq[] = {0x11, 0x08, 0x04, 0x01};
    static const uint8_t sseq[] = {0x11, 0x70, 0x02, 0x01};
    for (int k = 0; k < 4; k++) {
        out8(m, k ? 0x21 : 0x20, seq[k]);
        out8(m, k ? 0xA1 : 0xA0, sseq[k]);
    }
}

static void test_ferr_irq13(void **s)
{
    (void)s;
    machine_t *m = make();
    init_pic(m);
    sysctrl_ferr(&m->sysctrl, true);
    assert_true(m->cpu.intr);
    assert_int_equal(pic_intr_ack(&m->pic), 0x75);
    out8(m, 0xF0, 0); /* clear the error: IRQ 13 drops, IGNNE# while FERR# */
    assert_true(sysctrl_ignne(&m->sysctrl));
    sysctrl_ferr(&m->sysctrl, false);
    assert_false(sysctrl_ignne(&m->sysctrl));
    machine_destroy(m);
}

static void test_key_reaches_cpu(void **s)
{
    (void)s;
    machine_t *m = make();
    init_pic(m);
    assert_false(m->cpu.intr);
    machine_key(m, 0x1C, true);
    assert_true(m->cpu.intr);
    assert_int_equal(pic_intr_ack(&m->pic), 0x09);
    assert_int_equal(in8(m, 0x60), 0x1C);
    machine_destroy(m);
}

static void test_halt_skips_to_deadline(void **s)
{
    (void)s;
    machine_t *m = make();
    init_pic(m);
    out8(m, 0x21, 0xFE); /* IRQ 0 only */
    out8(m, 0x43, 0x34);
    out8(m, 0x40, 0xA9);
    out8(m, 0x40, 0x04); /* 1193: about 1 ms */
    /* The CPU halts with IF=0 at the reset vector: it sleeps through the
     * timer ticks, and each skip counts toward the instruction budget. */
    uint64_t t0 = clock_now(&m->clock);
    assert_int_equal(machine_run(m, 1000000), STOP_MAX_INSNS);
    uint64_t elapsed = clock_now(&m->clock) - t0;
    /* 1e6 instructions of 4 ns: 4 ms of virtual time. */
    assert_true(elapsed >= 3990000 && elapsed <= 4010000);
    assert_true(m->cpu.icount < 1000); /* it did not execute them */
    machine_destroy(m);
}

static int kicks;
static void count_kick(void *o) { (void)o; kicks++; }
static void nothing(void *o) { (void)o; }

static void test_clock_kick_and_pause(void **s)
{
    (void)s;
    uint64_t icount = 0;
    vclock_t c;
    vtimer_t t;
    clock_init(&c, &icount, false);
    assert_true(clock_add_timer(&c, &t, nothing, NULL, "t"));
    c.kick = count_kick;
    c.horizon = 1000;
    timer_arm(&t, 2000); /* after the slice: no kick */
    assert_int_equal(kicks, 0);
    timer_arm(&t, 500);
    assert_int_equal(kicks, 1);
    timer_arm(&t, 400); /* the horizon moved to 500: once more */
    assert_int_equal(kicks, 2);
    /* Deterministic: 4 ns per instruction, and skipping ahead. */
    icount = 250;
    assert_int_equal(clock_now(&c), 1000);
    assert_int_equal(clock_icount_at(&c, 2000), 500);
    assert_int_equal(clock_time_at(&c, 500), 2000);
    assert_int_equal(clock_skip_to(&c, 5000), 4000);
    assert_int_equal(clock_now(&c), 5000);
    icount = 251;
    assert_int_equal(clock_now(&c), 5004);
    /* Host time stops while paused. */
    vclock_t h;
    clock_init(&h, &icount, true);
    clock_pause(&h);
    uint64_t a = clock_now(&h);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    assert_int_equal(clock_now(&h), a);
    clock_resume(&h);
    assert_true(clock_now(&h) - a < 2000000);
}

/* Configuration mistakes are reported, naming the option, before anything runs. */
static void test_config_errors(void **s)
{
    (void)s;
    memset(bios, 0xF4, sizeof bios);
    machine_config_t cfg = {.ram_mb = 4, .bios_image = bios, .bios_size = sizeof bios, .rtc_start = 0};
    char err[256];
    cfg.serial[1] = "tcp:127.0.0.1:99999,server";
    assert_null(machine_create(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "COM2: -serial tcp:127.0.0.1:99999,server"));
    cfg.serial[1] = NULL;
    strcpy(cfg.boot_order, "cx");
    assert_null(machine_create(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "-boot cx: 'x' is not a boot device"));
    strcpy(cfg.boot_order, "dca");
    machine_t *m = machine_create(&cfg, err, sizeof err);
    assert_non_null(m);
    out8(m, 0x70, 0x3D);
    assert_int_equal(in8(m, 0x71), 0x23); /* CD-ROM, then hard disk */
    out8(m, 0x70, 0x38);
    assert_int_equal(in8(m, 0x71) >> 4, 1); /* then floppy */
    machine_destroy(m);
}

static double seconds_between(struct timespec a, struct timespec b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
}

static void stop_machine(void *opaque) { machine_request_stop(opaque); }

/* A host-time machine running `bios`, whose timer `stop` ends machine_run
 * 60 ms from now. */
static machine_t *host_time_machine_stopping(vtimer_t *stop)
{
    machine_config_t cfg = {.ram_mb = 4, .bios_image = bios, .bios_size = sizeof bios,
                            .rtc_start = 0, .host_time = true};
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    assert_non_null(m);
    assert_true(clock_add_timer(&m->clock, stop, stop_machine, m, "test-stop"));
    timer_arm(stop, clock_now(&m->clock) + 60000000);
    return m;
}

/* Host-time mode: a halted CPU sleeps until the next deadline instead of
 * spinning, and guest time follows the host's. */
static void test_host_time_idle_sleeps(void **s)
{
    (void)s;
    memset(bios, 0xF4, sizeof bios);
    vtimer_t stop;
    machine_t *m = host_time_machine_stopping(&stop);
    struct timespec w0, c0, w1, c1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    assert_int_equal(machine_run(m, 0), STOP_REQUESTED);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double wall = seconds_between(w0, w1);
    double cpu = seconds_between(c0, c1);
    assert_true(wall >= 0.059);
    assert_true(cpu < wall / 2); /* it slept */
    machine_destroy(m);
}

/* Host-time mode: the TSC counts guest time at 250 MHz, also while the CPU
 * sleeps in HLT (counting instructions, it stood still there and Linux
 * found it unstable against the PIT). */
static void test_host_time_tsc_follows_time(void **s)
{
    (void)s;
    static const uint8_t code[] = {
        0x0F, 0x31,       /* rdtsc */
        0x66, 0x89, 0xC3, /* mov ebx, eax */
        0x66, 0x89, 0xD1, /* mov ecx, edx */
        0xF4,             /* hlt: sleeps until the test's stop timer */
        0x0F, 0x31,       /* rdtsc */
        0xF4,
    };
    memset(bios, 0xF4, sizeof bios);
    memcpy(bios + 0xFFF0, code, sizeof code);
    vtimer_t stop;
    machine_t *m = host_time_machine_stopping(&stop);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    assert_int_equal(machine_run(m, 0), STOP_REQUESTED);
    assert_true(m->cpu.halted);
    m->cpu.halted = false; /* as an interrupt would wake it: on to the second RDTSC */
    assert_int_equal(machine_run(m, m->cpu.icount + 1), STOP_MAX_INSNS);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    uint64_t before = (uint64_t)m->cpu.gpr[R_ECX] << 32 | m->cpu.gpr[R_EBX];
    uint64_t after = (uint64_t)m->cpu.gpr[R_EDX] << 32 | m->cpu.gpr[R_EAX];
    uint64_t ticks = after - before;
    assert_true(ticks >= 250000000 * 0.05); /* most of the 60 ms (counting instructions: 3) */
    assert_true(ticks <= 250000000 * (seconds_between(w0, w1) + 0.001));
    machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a20_sources),
        cmocka_unit_test(test_cpu_reset_keeps_chips),
        cmocka_unit_test(test_shutdown_is_init),
        cmocka_unit_test(test_ferr_irq13),
        cmocka_unit_test(test_key_reaches_cpu),
        cmocka_unit_test(test_halt_skips_to_deadline),
        cmocka_unit_test(test_clock_kick_and_pause),
        cmocka_unit_test(test_host_time_idle_sleeps),
        cmocka_unit_test(test_host_time_tsc_follows_time),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
