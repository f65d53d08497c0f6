/* 8042 controller, MF2 keyboard and PS/2 mouse: command and response
 * sequences from the IBM PS/2 and AT technical references (self-test 0x55,
 * interface tests 0x00, reset 0xFA 0xAA, identify 0xFA 0xAB 0x83 which the
 * controller's translation turns into 0xAB 0x41, mouse reset 0xFA 0xAA
 * 0x00, wheel ID 3 after rates 200/100/80) and scancode sets 1 and 2. */
#include "devtest.h"

#include "devices/i8042.h"

typedef struct {
    testbed_t t;
    i8042_t kbc;
    irq_probe_t irq1, irq12;
    bool a20;
    int resets;
} fixture_t;

static fixture_t f;

static void set_a20(void *o, bool on) { ((fixture_t *)o)->a20 = on; }
static void reset_cpu(void *o) { ((fixture_t *)o)->resets++; }

static void setup(void)
{
    testbed_init(&f.t);
    f.irq1 = f.irq12 = (irq_probe_t){0};
    f.a20 = true;
    f.resets = 0;
    assert_true(i8042_init(&f.kbc, &f.t.io, probe_line(&f.irq1), probe_line(&f.irq12), set_a20,
                           reset_cpu, &f));
}

static void cmd(uint8_t c) { outb(&f.t, 0x64, c); }
static void data(uint8_t d) { outb(&f.t, 0x60, d); }

/* Reads the next output byte, asserting there is one. */
static uint8_t next(void)
{
    assert_true(inb(&f.t, 0x64) & 0x01);
    return inb(&f.t, 0x60);
}

static void expect(const uint8_t *bytes, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        assert_int_equal(next(), bytes[k]);
    assert_false(inb(&f.t, 0x64) & 0x01);
}
#define EXPECT(...) do { static const uint8_t e_[] = {__VA_ARGS__}; expect(e_, sizeof e_); } while (0)

static void set_command_byte(uint8_t v)
{
    cmd(0x60);
    data(v);
}

static void test_self_test_and_interface_tests(void **s)
{
    (void)s;
    setup();
    assert_false(inb(&f.t, 0x64) & 0x04); /* system flag clear at power-on */
    cmd(0xAA);
    EXPECT(0x55);
    assert_true(inb(&f.t, 0x64) & 0x04);
    assert_true(inb(&f.t, 0x64) & 0x08); /* last write was a command */
    cmd(0xAB);
    EXPECT(0x00);
    cmd(0xA9);
    EXPECT(0x00);
    cmd(0xA4);
    EXPECT(0xF1); /* no password */
}

static void test_command_byte(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x65);
    cmd(0x20);
    EXPECT(0x65);
    cmd(0xAD); /* disable keyboard: bit 4 */
    cmd(0x20);
    EXPECT(0x75);
    cmd(0xA7); /* disable aux: bit 5 */
    cmd(0xAE);
    cmd(0x20);
    EXPECT(0x65 | 0x20);
    cmd(0x7F); /* RAM byte 31 */
    data(0x5A);
    cmd(0x3F);
    EXPECT(0x5A);
}

static void test_output_port_a20_and_reset(void **s)
{
    (void)s;
    setup();
    cmd(0xD1);
    data(0xDD); /* A20 off, reset line high */
    assert_false(f.a20);
    assert_int_equal(f.resets, 0);
    cmd(0xD0);
    assert_int_equal(next() & 0x03, 0x01);
    cmd(0xD1);
    data(0xDF);
    assert_true(f.a20);
    cmd(0xFE); /* pulse the reset line */
    assert_int_equal(f.resets, 1);
    cmd(0xFF); /* pulses nothing */
    assert_int_equal(f.resets, 1);
    cmd(0xD1);
    data(0xDE); /* holding reset low resets too */
    assert_int_equal(f.resets, 2);
}

static void test_keyboard_commands(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x01); /* untranslated */
    data(0xFF);
    EXPECT(0xFA, 0xAA);
    data(0xEE);
    EXPECT(0xEE);
    data(0xF2);
    EXPECT(0xFA, 0xAB, 0x83);
    data(0xED);
    data(0x07);
    EXPECT(0xFA, 0xFA);
    data(0xF3);
    data(0x20);
    EXPECT(0xFA, 0xFA);
    data(0xF0);
    data(0x00);
    EXPECT(0xFA, 0xFA, 0x02);
    data(0xF0);
    data(0x01);
    EXPECT(0xFA, 0xFA);
    data(0xF0);
    data(0x00);
    EXPECT(0xFA, 0xFA, 0x01);
    data(0xF0);
    data(0x03);
    EXPECT(0xFA, 0xFE); /* set 3 refused */
    data(0xFE);
    EXPECT(0xFE); /* resend the last byte */
    data(0x42);
    EXPECT(0xFE); /* unknown command */
}

static void test_translated_responses(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x41); /* translation on */
    data(0xF2);
    EXPECT(0xFA, 0xAB, 0x41);
    data(0xF0);
    data(0x00);
    EXPECT(0xFA, 0xFA, 0x41); /* set 2, as seen through translation */
}

static void test_scancodes_set2_and_translation(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x01);
    i8042_key(&f.kbc, 0x1E, true); /* A */
    i8042_key(&f.kbc, 0x1E, false);
    EXPECT(0x1C, 0xF0, 0x1C);
    i8042_key(&f.kbc, 0xE048, true); /* cursor up */
    i8042_key(&f.kbc, 0xE048, false);
    EXPECT(0xE0, 0x75, 0xE0, 0xF0, 0x75);
    i8042_key(&f.kbc, 0xE11D, true); /* Pause */
    i8042_key(&f.kbc, 0xE11D, false);
    EXPECT(0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
    set_command_byte(0x41);
    i8042_key(&f.kbc, 0x1E, true);
    i8042_key(&f.kbc, 0x1E, false);
    EXPECT(0x1E, 0x9E);
    i8042_key(&f.kbc, 0xE048, true);
    i8042_key(&f.kbc, 0xE048, false);
    EXPECT(0xE0, 0x48, 0xE0, 0xC8);
    i8042_key(&f.kbc, 0xE11D, true); /* translation yields set 1's Pause */
    EXPECT(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
    i8042_key(&f.kbc, 0xE037, true); /* Print Screen */
    i8042_key(&f.kbc, 0xE037, false);
    EXPECT(0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA);
    i8042_key(&f.kbc, 0x41, true); /* F7: set 2 code 0x83 */
    EXPECT(0x41);
}

static void test_scancode_set1(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x01);
    data(0xF0);
    data(0x01);
    EXPECT(0xFA, 0xFA);
    i8042_key(&f.kbc, 0x1C, true); /* Enter */
    i8042_key(&f.kbc, 0xE01C, false); /* keypad Enter released */
    EXPECT(0x1C, 0xE0, 0x9C);
}

static void test_tables_agree(void **s)
{
    (void)s;
    /* Every set-2 code we send must translate back to its set-1 key. */
    int keys = 0;
    for (int c = 1; c < 0x80; c++) {
        uint8_t s2 = i8042_set1_to_set2((uint8_t)c);
        if (!s2)
            continue;
        keys++;
        assert_int_equal(i8042_translate(s2), c);
    }
    assert_int_equal(keys, 0x58 - 1 + 3); /* 0x01-0x58 less 0x55, plus 3 Windows keys */
}

static void test_irq1_and_disable(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x41);
    i8042_key(&f.kbc, 0x10, true);
    assert_true(f.irq1.level);
    inb(&f.t, 0x60);
    assert_false(f.irq1.level);
    cmd(0xAD);
    i8042_key(&f.kbc, 0x10, false);
    assert_false(inb(&f.t, 0x64) & 0x01); /* held in the keyboard */
    cmd(0xAE);
    assert_true(f.irq1.level);
    EXPECT(0x90);
    set_command_byte(0x40); /* no IRQ 1 */
    i8042_key(&f.kbc, 0x10, true);
    assert_false(f.irq1.level);
    assert_int_equal(f.irq1.rises, 2);
}

/* Each byte of a multi-byte reply gets its own IRQ 1 edge: the 8042 drops
 * OBF (and with it IRQ 1) as the byte is read and raises it when the next
 * one comes, and the PIC latches requests on rising edges only. */
static void test_irq1_edge_per_byte(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x45); /* IRQ 1 on, translation on */
    data(0xF2);             /* identify: ACK, AB, 83 translated to 41 */
    assert_int_equal(f.irq1.rises, 1);
    EXPECT(0xFA, 0xAB, 0x41);
    assert_int_equal(f.irq1.rises, 3);
    assert_false(f.irq1.level);
}

static void test_keyboard_buffer_overrun(void **s)
{
    (void)s;
    setup();
    set_command_byte(0x10 | 0x01); /* keyboard interface off: bytes pile up */
    for (int k = 0; k < 20; k++)
        i8042_key(&f.kbc, 0x1E, true);
    set_command_byte(0x01);
    for (int k = 0; k < 16; k++)
        assert_int_equal(next(), 0x1C);
    EXPECT(0x00); /* the set 2 overrun code after the 16 buffered bytes */
}

static void test_controller_writes_buffers(void **s)
{
    (void)s;
    setup();
    cmd(0xD2);
    data(0x77);
    assert_false(inb(&f.t, 0x64) & 0x20);
    EXPECT(0x77);
    cmd(0xD3);
    data(0x66);
    assert_true(inb(&f.t, 0x64) & 0x20); /* from the aux port */
    assert_true(f.irq12.level);
    EXPECT(0x66);
    /* The controller answers 0xD3 even with the mouse interface disabled
     * (command byte bit 5): Linux probes for a multiplexer that way. */
    cmd(0x60);
    data(0x70); /* translation, both interfaces off, no interrupts */
    cmd(0xD3);
    data(0xF0);
    assert_int_equal(inb(&f.t, 0x64) & 0x21, 0x21);
    EXPECT(0xF0);
}

static void mouse(uint8_t v)
{
    cmd(0xD4);
    data(v);
}

static void test_mouse_reset_and_id(void **s)
{
    (void)s;
    setup();
    mouse(0xFF);
    assert_true(inb(&f.t, 0x64) & 0x20);
    assert_true(f.irq12.level);
    EXPECT(0xFA, 0xAA, 0x00);
    mouse(0xF2);
    EXPECT(0xFA, 0x00);
    static const uint8_t rates[3] = {200, 100, 80};
    for (int k = 0; k < 3; k++) {
        mouse(0xF3);
        mouse(rates[k]);
        EXPECT(0xFA, 0xFA);
    }
    mouse(0xF2);
    EXPECT(0xFA, 0x03);
    mouse(0xFF);
    EXPECT(0xFA, 0xAA, 0x00);
    mouse(0xF2);
    EXPECT(0xFA, 0x00); /* reset forgets the wheel */
}

static void test_mouse_stream_packets(void **s)
{
    (void)s;
    setup();
    i8042_mouse(&f.kbc, 5, 5, 0, 0);
    assert_false(inb(&f.t, 0x64) & 0x01); /* reporting is off after reset */
    mouse(0xF4);
    EXPECT(0xFA);
    i8042_mouse(&f.kbc, 5, -3, 0, 1); /* right 5, up 3, left button */
    EXPECT(0x09, 0x05, 0x03);
    i8042_mouse(&f.kbc, -2, 4, 0, 2); /* left 2, down 4, right button */
    EXPECT(0x3A, 0xFE, 0xFC);
    i8042_mouse(&f.kbc, 300, 0, 0, 0); /* beyond 9 bits: overflow */
    EXPECT(0x48, 0xFF, 0x00);
    static const uint8_t rates[3] = {200, 100, 80};
    for (int k = 0; k < 3; k++) {
        mouse(0xF3);
        mouse(rates[k]);
        EXPECT(0xFA, 0xFA);
    }
    i8042_mouse(&f.kbc, 0, 0, 1, 0); /* wheel: a fourth byte */
    EXPECT(0x08, 0x00, 0x00, 0x01);
}

static void test_mouse_status_remote_wrap(void **s)
{
    (void)s;
    setup();
    mouse(0xE8);
    mouse(0x03);
    EXPECT(0xFA, 0xFA);
    mouse(0xE7);
    EXPECT(0xFA);
    mouse(0xF4);
    EXPECT(0xFA);
    i8042_mouse(&f.kbc, 0, 0, 0, 5); /* left and middle held */
    EXPECT(0x0D, 0x00, 0x00);
    mouse(0xE9);
    EXPECT(0xFA, 0x20 | 0x10 | 0x04 | 0x02, 0x03, 100);
    mouse(0xF0); /* remote mode: motion waits for read data */
    EXPECT(0xFA);
    i8042_mouse(&f.kbc, 3, 0, 0, 5);
    assert_false(inb(&f.t, 0x64) & 0x01);
    mouse(0xEB);
    EXPECT(0xFA, 0x0D, 0x03, 0x00);
    mouse(0xEE); /* wrap mode echoes */
    EXPECT(0xFA);
    mouse(0x12);
    EXPECT(0x12);
    mouse(0xEC);
    EXPECT(0xFA);
    mouse(0x12);
    EXPECT(0xFE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_test_and_interface_tests),
        cmocka_unit_test(test_command_byte),
        cmocka_unit_test(test_output_port_a20_and_reset),
        cmocka_unit_test(test_keyboard_commands),
        cmocka_unit_test(test_translated_responses),
        cmocka_unit_test(test_scancodes_set2_and_translation),
        cmocka_unit_test(test_scancode_set1),
        cmocka_unit_test(test_tables_agree),
        cmocka_unit_test(test_irq1_and_disable),
        cmocka_unit_test(test_irq1_edge_per_byte),
        cmocka_unit_test(test_keyboard_buffer_overrun),
        cmocka_unit_test(test_controller_writes_buffers),
        cmocka_unit_test(test_mouse_reset_and_id),
        cmocka_unit_test(test_mouse_stream_packets),
        cmocka_unit_test(test_mouse_status_remote_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
