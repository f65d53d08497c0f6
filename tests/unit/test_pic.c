/* 8259A pair: expected values from the Intel 8259A datasheet's description
 * of initialization, priorities, EOI, rotation, special mask, poll and
 * spurious interrupts, and the PC's cascade on IR2. */
#include "devtest.h"

#include "devices/pic.h"

typedef struct {
    testbed_t t;
    pic_t pic;
    irq_probe_t intr;
} fixture_t;

static fixture_t f;

/* The PC BIOS programming: vectors 0x08 and 0x70, cascade on IR2. */
static void init_pc(uint8_t master_icw4, uint8_t slave_icw4)
{
    testbed_init(&f.t);
    f.intr = (irq_probe_t){0};
    assert_true(pic_init(&f.pic, &f.t.io, probe_line(&f.intr)));
    outb(&f.t, 0x20, 0x11);
    outb(&f.t, 0x21, 0x08);
    outb(&f.t, 0x21, 0x04);
    outb(&f.t, 0x21, master_icw4);
    outb(&f.t, 0xA0, 0x11);
    outb(&f.t, 0xA1, 0x70);
    outb(&f.t, 0xA1, 0x02);
    outb(&f.t, 0xA1, slave_icw4);
}

static uint8_t isr(uint16_t base)
{
    outb(&f.t, base, 0x0B);
    return inb(&f.t, base);
}

static uint8_t irr(uint16_t base)
{
    outb(&f.t, base, 0x0A);
    return inb(&f.t, base);
}

static void pulse(int n)
{
    pic_set_irq(&f.pic, n, true);
    pic_set_irq(&f.pic, n, false);
}

static void test_init_clears_mask(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    assert_int_equal(inb(&f.t, 0x21), 0x00); /* ICW1 clears the IMR */
    outb(&f.t, 0x21, 0xFB);
    assert_int_equal(inb(&f.t, 0x21), 0xFB);
    outb(&f.t, 0x20, 0x11); /* a new ICW1 clears it again */
    assert_int_equal(inb(&f.t, 0x21), 0x00);
}

static void test_priority_and_nonspecific_eoi(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pulse(3);
    pulse(1);
    assert_true(f.intr.level);
    assert_int_equal(irr(0x20), 0x0A);
    assert_int_equal(pic_intr_ack(&f.pic), 0x09); /* IR1 beats IR3 */
    assert_int_equal(isr(0x20), 0x02);
    assert_int_equal(irr(0x20), 0x08);
    assert_false(f.intr.level); /* IR3 waits behind IR1 in service */
    pulse(0);
    assert_true(f.intr.level); /* but IR0 has higher priority */
    assert_int_equal(pic_intr_ack(&f.pic), 0x08);
    assert_int_equal(isr(0x20), 0x03);
    outb(&f.t, 0x20, 0x20); /* non-specific EOI: the highest, IR0 */
    assert_int_equal(isr(0x20), 0x02);
    outb(&f.t, 0x20, 0x20);
    assert_int_equal(isr(0x20), 0x00);
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0B);
}

static void test_specific_eoi(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pulse(5);
    pic_intr_ack(&f.pic);
    pulse(4);
    pic_intr_ack(&f.pic);
    assert_int_equal(isr(0x20), 0x30);
    outb(&f.t, 0x20, 0x65); /* specific EOI for IR5 */
    assert_int_equal(isr(0x20), 0x10);
}

static void test_mask(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    outb(&f.t, 0x21, 0x40);
    pulse(6);
    assert_false(f.intr.level);
    assert_int_equal(irr(0x20), 0x40); /* the request waits in the IRR */
    outb(&f.t, 0x21, 0x00);
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0E);
}

static void test_edge_needs_new_rising_edge(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pic_set_irq(&f.pic, 4, true);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0C);
    outb(&f.t, 0x20, 0x20);
    pic_set_irq(&f.pic, 4, true); /* still high: no new request */
    assert_false(f.intr.level);
    pic_set_irq(&f.pic, 4, false);
    pic_set_irq(&f.pic, 4, true);
    assert_true(f.intr.level);
}

static void test_level_and_spurious_irq7(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    outb(&f.t, 0x4D0, 0x20); /* IRQ 5 level-triggered */
    assert_int_equal(inb(&f.t, 0x4D0), 0x20);
    pic_set_irq(&f.pic, 5, true);
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0D);
    outb(&f.t, 0x20, 0x20);
    assert_true(f.intr.level); /* still asserted: requests again after EOI */
    pic_set_irq(&f.pic, 5, false); /* withdrawn before the acknowledge */
    assert_false(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0F); /* IRQ 7 vector, not in service */
    assert_int_equal(isr(0x20), 0x00);
}

static void test_spurious_irq15(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    outb(&f.t, 0x4D1, 0x08); /* IRQ 11 level-triggered */
    pic_set_irq(&f.pic, 11, true);
    assert_true(f.intr.level);
    pic_set_irq(&f.pic, 11, false);
    /* The master latched the slave's INT edge on IR2; the slave has nothing. */
    assert_int_equal(pic_intr_ack(&f.pic), 0x77);
    assert_int_equal(isr(0x20), 0x04); /* the master's IR2 is in service */
    assert_int_equal(isr(0xA0), 0x00);
}

static void test_cascade(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pulse(12);
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x74);
    assert_int_equal(isr(0x20), 0x04);
    assert_int_equal(isr(0xA0), 0x10);
    pulse(9); /* higher than IRQ 12 inside the slave... */
    assert_false(f.intr.level); /* ...but the master's IR2 is in service */
    outb(&f.t, 0xA0, 0x20);
    outb(&f.t, 0x20, 0x20);
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x71);
    /* ISA IRQ 2 is IRQ 9 on the AT. */
    outb(&f.t, 0xA0, 0x20);
    outb(&f.t, 0x20, 0x20);
    irq_set(pic_irq_line(&f.pic, 2), true);
    assert_int_equal(pic_intr_ack(&f.pic), 0x71);
}

static void test_special_fully_nested(void **s)
{
    (void)s;
    init_pc(0x11, 0x01); /* master in SFNM */
    pulse(12);
    assert_int_equal(pic_intr_ack(&f.pic), 0x74);
    pulse(8); /* higher priority inside the slave */
    assert_true(f.intr.level); /* SFNM lets the cascade input nest */
    assert_int_equal(pic_intr_ack(&f.pic), 0x70);
    assert_int_equal(isr(0xA0), 0x11);
}

static void test_auto_eoi_and_rotation(void **s)
{
    (void)s;
    init_pc(0x03, 0x01); /* AEOI */
    pulse(0);
    assert_int_equal(pic_intr_ack(&f.pic), 0x08);
    assert_int_equal(isr(0x20), 0x00); /* AEOI leaves nothing in service */
    outb(&f.t, 0x20, 0x80); /* rotate in AEOI mode */
    pulse(0);
    assert_int_equal(pic_intr_ack(&f.pic), 0x08);
    /* IR0 is now the lowest priority: IR7 wins over IR0. */
    pulse(0);
    pulse(7);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0F);
    assert_int_equal(pic_intr_ack(&f.pic), 0x08);
}

static void test_rotate_on_eoi_and_set_priority(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pulse(3);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0B);
    outb(&f.t, 0x20, 0xA0); /* rotate on non-specific EOI: IR3 lowest */
    pulse(1);
    pulse(4);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0C); /* IR4 is now highest */
    outb(&f.t, 0x20, 0xE4); /* rotate on specific EOI 4: IR4 lowest */
    pulse(5);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0D); /* order 5,6,7,0,1,2,3,4 */
    outb(&f.t, 0x20, 0x65);
    outb(&f.t, 0x20, 0xC7); /* set priority: IR7 lowest, IR0 highest again */
    pulse(1);
    assert_int_equal(pic_intr_ack(&f.pic), 0x09);
}

static void test_special_mask_mode(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    pulse(3);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0B);
    outb(&f.t, 0x21, 0x08); /* mask the level in service */
    pulse(5);
    assert_false(f.intr.level); /* lower priority blocked by IR3 in service */
    outb(&f.t, 0x20, 0x68); /* set special mask mode */
    assert_true(f.intr.level);
    assert_int_equal(pic_intr_ack(&f.pic), 0x0D);
    outb(&f.t, 0x20, 0x48); /* reset special mask mode */
}

static void test_poll(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    outb(&f.t, 0x20, 0x0C); /* poll */
    assert_int_equal(inb(&f.t, 0x20), 0x00);
    pulse(6);
    outb(&f.t, 0x20, 0x0C);
    assert_int_equal(inb(&f.t, 0x21), 0x86); /* any address reads the poll word */
    assert_int_equal(isr(0x20), 0x40);
}

static void test_elcr_reserved_bits(void **s)
{
    (void)s;
    init_pc(0x01, 0x01);
    outb(&f.t, 0x4D0, 0xFF);
    outb(&f.t, 0x4D1, 0xFF);
    assert_int_equal(inb(&f.t, 0x4D0), 0xF8); /* IRQ 0, 1, 2 edge only */
    assert_int_equal(inb(&f.t, 0x4D1), 0xDE); /* IRQ 8, 13 edge only */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_clears_mask),
        cmocka_unit_test(test_priority_and_nonspecific_eoi),
        cmocka_unit_test(test_specific_eoi),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_edge_needs_new_rising_edge),
        cmocka_unit_test(test_level_and_spurious_irq7),
        cmocka_unit_test(test_spurious_irq15),
        cmocka_unit_test(test_cascade),
        cmocka_unit_test(test_special_fully_nested),
        cmocka_unit_test(test_auto_eoi_and_rotation),
        cmocka_unit_test(test_rotate_on_eoi_and_set_priority),
        cmocka_unit_test(test_special_mask_mode),
        cmocka_unit_test(test_poll),
        cmocka_unit_test(test_elcr_reserved_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
