/* 8254: counts, OUT and status at given clock ticks, from the Intel 8254
 * datasheet's mode descriptions (a count is loaded on the clock pulse after
 * it is written; mode 0's OUT rises N + 1 pulses after the write; mode 3's
 * odd counts are high (N+1)/2 and low (N-1)/2 pulses). */
#include "devtest.h"

#include "devices/pit.h"

typedef struct {
    testbed_t t;
    pit_t pit;
    irq_probe_t irq0;
} fixture_t;

static fixture_t f;

static void setup(void)
{
    testbed_init(&f.t);
    f.irq0 = (irq_probe_t){0};
    assert_true(pit_init(&f.pit, &f.t.io, &f.t.clock, probe_line(&f.irq0)));
}

/* Moves to the start of PIT clock tick n. */
static void at_tick(uint64_t n)
{
    advance_to(&f.t, pit_ns_of_tick(n));
}

static uint16_t read_count(int k)
{
    outb(&f.t, 0x43, (uint8_t)(k << 6)); /* counter latch */
    uint8_t lo = inb(&f.t, 0x40 + k);
    return (uint16_t)(lo | inb(&f.t, 0x40 + k) << 8);
}

static uint8_t read_status(int k)
{
    outb(&f.t, 0x43, (uint8_t)(0xE0 | 2 << k)); /* read-back: status only */
    return inb(&f.t, 0x40 + k);
}

static void program(int k, uint8_t mode_bits, uint16_t count)
{
    outb(&f.t, 0x43, (uint8_t)(k << 6 | 0x30 | mode_bits));
    outb(&f.t, 0x40 + k, (uint8_t)count);
    outb(&f.t, 0x40 + k, (uint8_t)(count >> 8));
}

static void test_clock_rate(void **s)
{
    (void)s;
    /* 1193181.67 Hz: a tick lasts 838.095 ns. */
    assert_int_equal(pit_tick_at(838), 0);
    assert_int_equal(pit_tick_at(839), 1);
    assert_int_equal(pit_tick_at(1000000000), 1193181);
    assert_int_equal(pit_ns_of_tick(1), 839);
    assert_int_equal(pit_ns_of_tick(1193181), 999999442); /* 1193181 * 838.0952, rounded up */
}

static void test_mode0_terminal_count(void **s)
{
    (void)s;
    setup();
    program(0, 0x00, 100);
    assert_int_equal(read_status(0) & 0xC0, 0x40); /* OUT low; null count until tick 1 */
    at_tick(51);
    assert_int_equal(read_count(0), 50);
    at_tick(100);
    assert_int_equal(f.irq0.rises, 0);
    assert_int_equal(read_status(0) >> 7, 0);
    at_tick(101); /* N + 1 pulses after the write */
    assert_int_equal(f.irq0.rises, 1);
    assert_int_equal(read_status(0) >> 7, 1);
    at_tick(200000); /* OUT stays high, the count wraps on */
    assert_int_equal(f.irq0.rises, 1);
}

static void test_status_byte(void **s)
{
    (void)s;
    setup();
    outb(&f.t, 0x43, 0x34); /* counter 0, LSB/MSB, mode 2, binary */
    assert_int_equal(read_status(0), 0xF4); /* OUT high, null count */
    outb(&f.t, 0x40, 0x10);
    outb(&f.t, 0x40, 0x00);
    assert_int_equal(read_status(0), 0xF4); /* not in the counting element yet */
    at_tick(1);
    assert_int_equal(read_status(0), 0xB4);
    outb(&f.t, 0x43, 0xB1); /* counter 2, LSB/MSB, mode 0, BCD */
    assert_int_equal(read_status(2), 0x71); /* OUT low in mode 0 */
}

static void test_mode2_rate(void **s)
{
    (void)s;
    setup();
    program(0, 0x04, 1193);
    at_tick(1 + 1192);
    assert_int_equal(read_count(0), 1);
    assert_int_equal(read_status(0) >> 7, 0); /* the one-tick low pulse */
    at_tick(1 + 1193);
    assert_int_equal(read_count(0), 1193);
    assert_int_equal(f.irq0.rises, 1);
    advance_to(&f.t, 1000000000); /* one second: 1193181.67 / 1193 */
    assert_int_equal(f.irq0.rises, 1000);
}

static void test_mode3_even(void **s)
{
    (void)s;
    setup();
    program(0, 0x06, 10);
    static const uint16_t ce[10] = {10, 8, 6, 4, 2, 10, 8, 6, 4, 2};
    for (int d = 0; d < 10; d++) {
        at_tick(1 + (uint64_t)d);
        assert_int_equal(read_count(0), ce[d]);
        assert_int_equal(read_status(0) >> 7, d < 5);
    }
    at_tick(11);
    assert_int_equal(f.irq0.rises, 1);
}

static void test_mode3_odd(void **s)
{
    (void)s;
    setup();
    program(0, 0x06, 5);
    /* High 3 ticks (5, 4, 2), low 2 ticks (5, 2). */
    static const uint16_t ce[5] = {5, 4, 2, 5, 2};
    static const int out[5] = {1, 1, 1, 0, 0};
    for (int d = 0; d < 5; d++) {
        at_tick(1 + (uint64_t)d);
        assert_int_equal(read_count(0), ce[d]);
        assert_int_equal(read_status(0) >> 7, out[d]);
    }
}

static void test_mode4_strobe(void **s)
{
    (void)s;
    setup();
    program(0, 0x08, 20);
    at_tick(21); /* CE reaches 0: OUT low for one tick */
    assert_int_equal(read_status(0) >> 7, 0);
    assert_int_equal(f.irq0.rises, 0);
    at_tick(22);
    assert_int_equal(read_status(0) >> 7, 1);
    assert_int_equal(f.irq0.rises, 1);
    at_tick(100000);
    assert_int_equal(f.irq0.rises, 1); /* once only */
}

static void test_bcd(void **s)
{
    (void)s;
    setup();
    outb(&f.t, 0x43, 0x31); /* mode 0, BCD */
    outb(&f.t, 0x40, 0x00);
    outb(&f.t, 0x40, 0x01); /* 0100 = 100 decimal */
    at_tick(11);
    assert_int_equal(read_count(0), 0x0090);
    outb(&f.t, 0x43, 0x31);
    outb(&f.t, 0x40, 0x00);
    outb(&f.t, 0x40, 0x00); /* 0 = 10000 in BCD */
    at_tick(12);
    assert_int_equal(read_count(0), 0x0000); /* loaded: 10000 shows as 0000 */
    at_tick(13);
    assert_int_equal(read_count(0), 0x9999);
}

static void test_lsb_msb_only(void **s)
{
    (void)s;
    setup();
    outb(&f.t, 0x43, 0x10); /* LSB only, mode 0 */
    outb(&f.t, 0x40, 0x20);
    at_tick(1);
    outb(&f.t, 0x43, 0x00);
    assert_int_equal(inb(&f.t, 0x40), 0x20); /* reads the LSB only */
    outb(&f.t, 0x43, 0x20); /* MSB only */
    outb(&f.t, 0x40, 0x01); /* 256 */
    at_tick(1 + 1 + 16);
    assert_int_equal(inb(&f.t, 0x40), 0x00); /* 240 = 0x00F0: MSB 0 */
}

static void test_latch_holds_value(void **s)
{
    (void)s;
    setup();
    program(0, 0x04, 1000);
    at_tick(101);
    outb(&f.t, 0x43, 0x00); /* latch: 900 */
    at_tick(500);
    outb(&f.t, 0x43, 0x00); /* a second latch is ignored until read */
    uint8_t lo = inb(&f.t, 0x40);
    assert_int_equal(lo | inb(&f.t, 0x40) << 8, 900);
    /* Read-back latching count and status: status first. */
    outb(&f.t, 0x43, 0xC2);
    assert_int_equal(inb(&f.t, 0x40), 0xB4); /* OUT high, mode 2, LSB/MSB */
    lo = inb(&f.t, 0x40);
    assert_int_equal(lo | inb(&f.t, 0x40) << 8, 1000 - 499 % 1000);
}

static void test_mode2_new_count_at_period_end(void **s)
{
    (void)s;
    setup();
    program(0, 0x04, 100);
    at_tick(51);
    program(0, 0x04, 10); /* control word: restarts at once */
    at_tick(52);
    assert_int_equal(read_count(0), 10);
    outb(&f.t, 0x40, 50); /* a count alone waits for the period's end */
    outb(&f.t, 0x40, 0);
    at_tick(52 + 9);
    assert_int_equal(read_count(0), 1);
    at_tick(52 + 10);
    assert_int_equal(read_count(0), 50);
}

static void test_counter2_gate_and_port61(void **s)
{
    (void)s;
    setup();
    outb(&f.t, 0x43, 0xB2); /* counter 2, mode 1 one-shot */
    outb(&f.t, 0x42, 10);
    outb(&f.t, 0x42, 0);
    at_tick(5);
    assert_int_equal(inb(&f.t, 0x61) & 0x20, 0x20); /* OUT high before the trigger */
    outb(&f.t, 0x61, 0x01); /* gate rises: trigger */
    at_tick(6);
    assert_int_equal(inb(&f.t, 0x61) & 0x21, 0x01); /* OUT low, gate bit reads back */
    at_tick(6 + 9);
    assert_int_equal(inb(&f.t, 0x61) & 0x20, 0x00);
    at_tick(6 + 10);
    assert_int_equal(inb(&f.t, 0x61) & 0x20, 0x20);

    /* Mode 0 with the gate low: the count is held. */
    outb(&f.t, 0x61, 0x00);
    outb(&f.t, 0x43, 0xB0);
    outb(&f.t, 0x42, 100);
    outb(&f.t, 0x42, 0);
    at_tick(100);
    assert_int_equal(read_count(2), 100);
    outb(&f.t, 0x61, 0x01);
    at_tick(110);
    assert_int_equal(read_count(2), 90);
    outb(&f.t, 0x61, 0x00);
    at_tick(200);
    assert_int_equal(read_count(2), 90);
}

static void test_refresh_toggle(void **s)
{
    (void)s;
    setup();
    at_tick(0);
    uint8_t a = inb(&f.t, 0x61) & 0x10;
    at_tick(18); /* every 18 ticks: 15.08 us */
    uint8_t b = inb(&f.t, 0x61) & 0x10;
    at_tick(36);
    uint8_t c = inb(&f.t, 0x61) & 0x10;
    assert_int_not_equal(a, b);
    assert_int_equal(a, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_rate),
        cmocka_unit_test(test_mode0_terminal_count),
        cmocka_unit_test(test_status_byte),
        cmocka_unit_test(test_mode2_rate),
        cmocka_unit_test(test_mode3_even),
        cmocka_unit_test(test_mode3_odd),
        cmocka_unit_test(test_mode4_strobe),
        cmocka_unit_test(test_bcd),
        cmocka_unit_test(test_lsb_msb_only),
        cmocka_unit_test(test_latch_holds_value),
        cmocka_unit_test(test_mode2_new_count_at_period_end),
        cmocka_unit_test(test_counter2_gate_and_port61),
        cmocka_unit_test(test_refresh_toggle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
