/* MC146818: time counting, formats, UIP, periodic/alarm/update interrupts
 * and register C, from the Motorola MC146818 datasheet (update cycle once
 * a second, the first 500 ms after the divider starts; UIP 244 us ahead;
 * periodic rates 2^(RS-1) / 32768 s; alarm bytes 0xC0-0xFF match any
 * value); CMOS layout from the IBM PC/AT technical reference. */
#include "devtest.h"

#include "devices/rtc.h"

typedef struct {
    testbed_t t;
    rtc_t rtc;
    irq_probe_t irq8;
} fixture_t;

static fixture_t f;

#define MS 1000000ull

/* 2024-02-28 23:59:58 UTC, a Wednesday (day of week 4). */
#define LEAP_EVE 1709164798

static void setup(int64_t start)
{
    testbed_init(&f.t);
    f.irq8 = (irq_probe_t){0};
    assert_true(rtc_init(&f.rtc, &f.t.io, &f.t.clock, probe_line(&f.irq8), start));
}

static uint8_t reg(uint8_t r)
{
    outb(&f.t, 0x70, r);
    return inb(&f.t, 0x71);
}

static void set_reg(uint8_t r, uint8_t v)
{
    outb(&f.t, 0x70, r);
    outb(&f.t, 0x71, v);
}

static void test_power_on_registers(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    assert_int_equal(reg(RTC_SECONDS), 0x58);
    assert_int_equal(reg(RTC_MINUTES), 0x59);
    assert_int_equal(reg(RTC_HOURS), 0x23);
    assert_int_equal(reg(RTC_DAY_OF_WEEK), 4);
    assert_int_equal(reg(RTC_DAY), 0x28);
    assert_int_equal(reg(RTC_MONTH), 0x02);
    assert_int_equal(reg(RTC_YEAR), 0x24);
    assert_int_equal(reg(0x32), 0x20);
    assert_int_equal(reg(RTC_REG_A), 0x26);
    assert_int_equal(reg(RTC_REG_B), 0x02);
    assert_int_equal(reg(RTC_REG_D), 0x80);
}

static void test_leap_day_rollover(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    advance_to(&f.t, 499 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x58);
    advance_to(&f.t, 500 * MS); /* the first update: half a second in */
    assert_int_equal(reg(RTC_SECONDS), 0x59);
    advance_to(&f.t, 1500 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x00);
    assert_int_equal(reg(RTC_MINUTES), 0x00);
    assert_int_equal(reg(RTC_HOURS), 0x00);
    assert_int_equal(reg(RTC_DAY), 0x29); /* 2024 is a leap year */
    assert_int_equal(reg(RTC_MONTH), 0x02);
    assert_int_equal(reg(RTC_DAY_OF_WEEK), 5);
    advance_to(&f.t, (1500 + 86400000ull) * MS); /* a day later */
    assert_int_equal(reg(RTC_DAY), 0x01);
    assert_int_equal(reg(RTC_MONTH), 0x03);
}

static void test_new_year_and_week_wrap(void **s)
{
    (void)s;
    setup(1704067199); /* 2023-12-31 23:59:59, a Sunday */
    assert_int_equal(reg(RTC_DAY_OF_WEEK), 1);
    advance_to(&f.t, 500 * MS);
    assert_int_equal(reg(RTC_YEAR), 0x24);
    assert_int_equal(reg(RTC_MONTH), 0x01);
    assert_int_equal(reg(RTC_DAY), 0x01);
    assert_int_equal(reg(RTC_DAY_OF_WEEK), 2);
}

static void test_binary_and_12_hour(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    set_reg(RTC_REG_B, RTC_B_SET | RTC_B_BINARY | RTC_B_24H);
    set_reg(RTC_SECONDS, 59);
    set_reg(RTC_MINUTES, 59);
    set_reg(RTC_HOURS, 9);
    set_reg(RTC_REG_B, RTC_B_BINARY | RTC_B_24H);
    advance_to(&f.t, 500 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0);
    assert_int_equal(reg(RTC_MINUTES), 0);
    assert_int_equal(reg(RTC_HOURS), 10);

    set_reg(RTC_REG_B, RTC_B_SET); /* BCD, 12-hour */
    set_reg(RTC_SECONDS, 0x59);
    set_reg(RTC_MINUTES, 0x59);
    set_reg(RTC_HOURS, 0x11); /* 11 AM */
    set_reg(RTC_REG_B, 0);
    advance_to(&f.t, 1500 * MS);
    assert_int_equal(reg(RTC_HOURS), 0x92); /* 12 PM */
    set_reg(RTC_REG_B, RTC_B_SET);
    set_reg(RTC_SECONDS, 0x59);
    set_reg(RTC_MINUTES, 0x59);
    set_reg(RTC_HOURS, 0x91); /* 11 PM */
    set_reg(RTC_DAY, 0x05);
    set_reg(RTC_REG_B, 0);
    advance_to(&f.t, 2500 * MS);
    assert_int_equal(reg(RTC_HOURS), 0x12); /* 12 AM */
    assert_int_equal(reg(RTC_DAY), 0x06);
}

static void test_set_inhibits_updates(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_UIE | RTC_B_SET);
    assert_int_equal(reg(RTC_REG_B), RTC_B_24H | RTC_B_SET); /* SET clears UIE */
    advance_to(&f.t, 3000 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x58);
}

static void test_uip(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    advance_to(&f.t, 500 * MS - 300000); /* 300 us before the update */
    assert_int_equal(reg(RTC_REG_A) & RTC_A_UIP, 0);
    advance_to(&f.t, 500 * MS - 200000); /* within 244 us */
    assert_int_equal(reg(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
    advance_to(&f.t, 500 * MS + 1000);
    assert_int_equal(reg(RTC_REG_A) & RTC_A_UIP, 0);
}

static void test_periodic_interrupt(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_PIE); /* 1024 Hz from register A */
    advance_to(&f.t, 976562); /* 976.5625 us */
    assert_false(f.irq8.level);
    advance_to(&f.t, 976563);
    assert_true(f.irq8.level);
    assert_int_equal(reg(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
    assert_false(f.irq8.level);
    assert_int_equal(reg(RTC_REG_C), 0); /* reading C cleared it */
    /* A second's worth, acknowledging each one. */
    int count = 1;
    while (f.t.now < 1000 * MS) {
        uint64_t next = clock_next_deadline(&f.t.clock);
        if (next > 1000 * MS)
            break;
        advance_to(&f.t, next);
        if (f.irq8.level) {
            count++;
            reg(RTC_REG_C);
        }
    }
    assert_int_equal(count, 1024);
    assert_int_equal(f.irq8.rises, 1024);
}

static void test_periodic_rates(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    set_reg(RTC_REG_A, 0x2F); /* RS 15: 500 ms */
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
    advance_to(&f.t, 499 * MS);
    assert_false(f.irq8.level);
    advance_to(&f.t, 500 * MS);
    assert_true(f.irq8.level);
    reg(RTC_REG_C);
    set_reg(RTC_REG_A, 0x23); /* RS 3: 122.070 us (8192 Hz) */
    advance_to(&f.t, 500 * MS + 122071);
    assert_true(f.irq8.level);
}

static void test_flags_without_interrupts(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    advance_to(&f.t, 600 * MS); /* PF and UF set whatever the enables */
    assert_false(f.irq8.level);
    assert_int_equal(reg(RTC_REG_C), RTC_C_PF | RTC_C_UF);
    assert_int_equal(reg(RTC_REG_C), 0);
    /* Enabling an interrupt whose flag is already set raises IRQ 8. */
    advance_to(&f.t, 1600 * MS);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    assert_true(f.irq8.level);
    /* 00:00:00 also matched the power-on alarm bytes (all 0). */
    assert_int_equal(reg(RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_AF | RTC_C_UF);
}

static void test_update_and_alarm_interrupts(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
    advance_to(&f.t, 500 * MS);
    assert_true(f.irq8.level);
    assert_int_equal(reg(RTC_REG_C) & 0xB0, RTC_C_IRQF | RTC_C_UF); /* PF aside */
    /* Alarm at second 0x03 of any hour and minute. */
    set_reg(RTC_SECONDS_ALARM, 0x03);
    set_reg(RTC_MINUTES_ALARM, 0xC0);
    set_reg(RTC_HOURS_ALARM, 0xFF);
    set_reg(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
    advance_to(&f.t, 4400 * MS); /* 00:00:02 */
    assert_false(f.irq8.level);
    advance_to(&f.t, 4500 * MS); /* 00:00:03 */
    assert_true(f.irq8.level);
    assert_int_equal(reg(RTC_REG_C) & 0xB0, RTC_C_IRQF | RTC_C_AF | RTC_C_UF);
}

static void test_divider_reset(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    advance_to(&f.t, 100 * MS);
    set_reg(RTC_REG_A, 0x76); /* divider held in reset */
    advance_to(&f.t, 5000 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x58);
    set_reg(RTC_REG_A, 0x26); /* released: first update 500 ms later */
    advance_to(&f.t, 5499 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x58);
    advance_to(&f.t, 5500 * MS);
    assert_int_equal(reg(RTC_SECONDS), 0x59);
}

static void test_nmi_mask_and_ram(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    outb(&f.t, 0x70, 0x80 | 0x40);
    assert_true(f.rtc.nmi_disabled);
    outb(&f.t, 0x71, 0xA5);
    outb(&f.t, 0x70, 0x40);
    assert_false(f.rtc.nmi_disabled);
    assert_int_equal(inb(&f.t, 0x71), 0xA5);
    set_reg(RTC_REG_D, 0x00); /* read-only */
    assert_int_equal(reg(RTC_REG_D), 0x80);
}

static void test_cmos_layout(void **s)
{
    (void)s;
    setup(LEAP_EVE);
    rtc_cmos_setup_t c = {.ram_size = 32u << 20, .floppy_type = {4, 0},
                          .hd = {{.present = true, .cylinders = 1024, .heads = 16, .sectors = 63}},
                          .boot = {2, 3, 1}};
    rtc_fill_cmos(&f.rtc, &c);
    static const uint8_t expect[0x14] = {
        0x40, 0x00, 0xF0, 0x00, 0x03,       /* floppies, -, disk types, -, equipment */
        0x80, 0x02, 0x00, 0x7C, 47, 0x00,   /* 640 KiB, 31 MiB extended, type 47 */
        0x00, 0x04, 16, 0xFF, 0xFF, 0xC8,   /* 1024 cylinders, 16 heads, no precomp */
        0x00, 0x04, 63};                    /* landing zone, 63 sectors */
    for (int k = 0; k < 0x14; k++)
        assert_int_equal(reg((uint8_t)(0x10 + k)), expect[k]);
    assert_int_equal(reg(0x2E), 0x05); /* checksum of 0x10-0x2D: 1405 */
    assert_int_equal(reg(0x2F), 0x7D);
    assert_int_equal(reg(0x30), 0x00);
    assert_int_equal(reg(0x31), 0x7C);
    assert_int_equal(reg(0x34), 0x00); /* 16 MiB above 16 MiB: 256 x 64 KiB */
    assert_int_equal(reg(0x35), 0x01);
    /* 128 MiB: extended memory saturates at 0xFFFF KiB; 0x34 holds it. */
    c.ram_size = 128u << 20;
    rtc_fill_cmos(&f.rtc, &c);
    assert_int_equal(reg(0x17) | reg(0x18) << 8, 0xFFFF);
    assert_int_equal(reg(0x34) | reg(0x35) << 8, 1792);
    assert_int_equal(reg(0x5B) | reg(0x5C) | reg(0x5D), 0);
    assert_int_equal(reg(0x3D), 0x32); /* hard disk, then CD-ROM */
    assert_int_equal(reg(0x38) >> 4, 1); /* then floppy */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_on_registers),
        cmocka_unit_test(test_leap_day_rollover),
        cmocka_unit_test(test_new_year_and_week_wrap),
        cmocka_unit_test(test_binary_and_12_hour),
        cmocka_unit_test(test_set_inhibits_updates),
        cmocka_unit_test(test_uip),
        cmocka_unit_test(test_periodic_interrupt),
        cmocka_unit_test(test_periodic_rates),
        cmocka_unit_test(test_flags_without_interrupts),
        cmocka_unit_test(test_update_and_alarm_interrupts),
        cmocka_unit_test(test_divider_reset),
        cmocka_unit_test(test_nmi_mask_and_ram),
        cmocka_unit_test(test_cmos_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
