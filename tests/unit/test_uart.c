/* 16550A: registers, interrupt identification and priorities, FIFO
 * trigger levels and character timeout, loopback, line and modem status,
 * and character timing, from the National Semiconductor PC16550D
 * datasheet (IIR codes 06/04/0C/02/00, FIFO bits 7-6 set; a character
 * takes start + data + parity + stop bits of 16 x divisor clocks of
 * 1.8432 MHz; timeout after 4 character times). */
#include "devtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "devices/uart.h"

#define COM1 0x3F8

typedef struct {
    testbed_t t;
    uart_t u;
    irq_probe_t irq;
} fixture_t;

static fixture_t f;

static void setup_with(chardev_t *dev)
{
    testbed_init(&f.t);
    f.irq = (irq_probe_t){0};
    assert_true(uart_init(&f.u, &f.t.io, &f.t.clock, COM1, probe_line(&f.irq), dev, "COM1"));
}

static void setup(void) { setup_with(NULL); }

static void reg_w(int r, uint8_t v) { outb(&f.t, (uint16_t)(COM1 + r), v); }
static uint8_t reg_r(int r) { return inb(&f.t, (uint16_t)(COM1 + r)); }

static void set_divisor(uint16_t d, uint8_t lcr)
{
    reg_w(UART_LCR, 0x80);
    reg_w(UART_DLL, (uint8_t)d);
    reg_w(UART_DLM, (uint8_t)(d >> 8));
    reg_w(UART_LCR, lcr);
}

static void wait_chars(unsigned n)
{
    advance_to(&f.t, f.t.now + n * uart_char_ns(&f.u));
}

/* Without line_rate (the board's default) every character takes
 * UART_FAST_CHAR_NS, whatever the divisor. */
static void test_fast_line(void **s)
{
    (void)s;
    setup();
    f.u.line_rate = false;
    set_divisor(12, 0x03); /* 9600 baud */
    reg_w(UART_THR, 'x');
    advance_to(&f.t, UART_FAST_CHAR_NS - 1);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x20);
    advance_to(&f.t, UART_FAST_CHAR_NS);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x60);
}

static void test_registers(void **s)
{
    (void)s;
    setup();
    reg_w(UART_SCR, 0x5A);
    assert_int_equal(reg_r(UART_SCR), 0x5A);
    set_divisor(0x0180, 0x03);
    reg_w(UART_LCR, 0x83);
    assert_int_equal(reg_r(UART_DLL), 0x80);
    assert_int_equal(reg_r(UART_DLM), 0x01);
    reg_w(UART_LCR, 0x03);
    assert_int_equal(reg_r(UART_LCR), 0x03);
    reg_w(UART_IER, 0xFF);
    assert_int_equal(reg_r(UART_IER), 0x0F); /* bits 7-4 are zero */
    reg_w(UART_IER, 0);
    assert_int_equal(reg_r(UART_IIR), 0x01);
    assert_int_equal(reg_r(UART_LSR), 0x60); /* THRE and TEMT */
    reg_w(UART_FCR, 0x01);
    assert_int_equal(reg_r(UART_IIR), 0xC1); /* FIFOs enabled */
}

static void test_char_time(void **s)
{
    (void)s;
    setup();
    set_divisor(1, 0x03); /* 115200 baud, 8N1: 10 bits */
    assert_int_equal(uart_char_ns(&f.u), 86805);
    set_divisor(12, 0x03); /* 9600 baud */
    assert_int_equal(uart_char_ns(&f.u), 1041666);
    set_divisor(12, 0x1E); /* 7 data, even parity, 2 stop: 11 bits */
    assert_int_equal(uart_char_ns(&f.u), 1145833);
    set_divisor(12, 0x04); /* 5 data, 1.5 stop: 7.5 bits */
    assert_int_equal(uart_char_ns(&f.u), 781250);
}

static void test_transmit_timing(void **s)
{
    (void)s;
    setup();
    set_divisor(12, 0x03);
    reg_w(UART_THR, 'x');
    /* The holding register empties into the shift register at once. */
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x20);
    advance_to(&f.t, uart_char_ns(&f.u) - 1);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x20);
    advance_to(&f.t, uart_char_ns(&f.u));
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x60);
    reg_w(UART_FCR, 0x07);
    for (int k = 0; k < 16; k++)
        reg_w(UART_THR, (uint8_t)k);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x00);
    wait_chars(15);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x20); /* the last is shifting */
    wait_chars(1);
    assert_int_equal(reg_r(UART_LSR) & 0x60, 0x60);
}

static void test_thre_interrupt(void **s)
{
    (void)s;
    setup();
    reg_w(UART_MCR, 0x08); /* OUT2 gates the IRQ on a PC */
    reg_w(UART_IER, 0x02);
    assert_int_equal(reg_r(UART_IIR), 0x02); /* raised on enable */
    assert_int_equal(reg_r(UART_IIR), 0x01); /* reading IIR cleared it */
    reg_w(UART_THR, 'a');
    assert_true(f.irq.level); /* THR moved to the shifter: empty again */
    assert_int_equal(reg_r(UART_IIR), 0x02);
    assert_false(f.irq.level);
    reg_w(UART_MCR, 0x00);
    reg_w(UART_IER, 0x00);
    reg_w(UART_IER, 0x02);
    assert_int_equal(reg_r(UART_IIR), 0x02);
    assert_false(f.irq.level); /* without OUT2 the PIC sees nothing */
}

static void test_loopback_data_and_overrun(void **s)
{
    (void)s;
    setup();
    set_divisor(1, 0x03);
    reg_w(UART_MCR, 0x10);
    reg_w(UART_THR, 'A');
    reg_w(UART_THR, 'B');
    assert_int_equal(reg_r(UART_LSR) & 0x01, 0);
    wait_chars(1);
    assert_int_equal(reg_r(UART_LSR) & 0x61, 0x21); /* A received, B shifting */
    assert_int_equal(reg_r(UART_RBR), 0x41);
    assert_int_equal(reg_r(UART_LSR) & 0x01, 0);
    wait_chars(1);
    assert_int_equal(reg_r(UART_LSR) & 0x63, 0x61);
    assert_int_equal(reg_r(UART_RBR), 0x42);
    assert_int_equal(reg_r(UART_LSR) & 0x01, 0);
    /* Without FIFOs a second character overruns the first. */
    reg_w(UART_THR, '1');
    wait_chars(1);
    reg_w(UART_THR, '2');
    wait_chars(1);
    assert_int_equal(reg_r(UART_LSR) & 0x03, 0x03);
    assert_int_equal(reg_r(UART_LSR) & 0x02, 0); /* reading LSR cleared OE */
    assert_int_equal(reg_r(UART_RBR), '2');
}

static void test_loopback_modem_status(void **s)
{
    (void)s;
    setup();
    reg_r(UART_MSR);
    reg_w(UART_MCR, 0x1F); /* DTR RTS OUT1 OUT2 + loop */
    assert_int_equal(reg_r(UART_MSR), 0xF0 | 0x0B); /* deltas: CTS DSR DCD; RI rose */
    assert_int_equal(reg_r(UART_MSR), 0xF0);
    reg_w(UART_MCR, 0x10);
    assert_int_equal(reg_r(UART_MSR), 0x0F); /* RI fell: trailing edge */
    reg_w(UART_MCR, 0x12); /* RTS -> CTS */
    assert_int_equal(reg_r(UART_MSR), 0x11);
}

static void test_interrupt_priorities(void **s)
{
    (void)s;
    setup();
    set_divisor(1, 0x03);
    reg_w(UART_FCR, 0x01); /* FIFO, trigger 1 */
    reg_w(UART_MCR, 0x10);
    for (int k = 0; k < 17; k++) {
        reg_w(UART_THR, (uint8_t)k);
        wait_chars(1);
    }
    reg_w(UART_IER, 0x0F);
    reg_w(UART_MCR, 0x12); /* CTS changes: modem status pending too */
    assert_int_equal(reg_r(UART_IIR), 0xC6); /* overrun: line status first */
    assert_int_equal(reg_r(UART_LSR) & 0x03, 0x03);
    assert_int_equal(reg_r(UART_IIR), 0xC4); /* received data */
    for (int k = 0; k < 16; k++)
        assert_int_equal(reg_r(UART_RBR), k);
    assert_int_equal(reg_r(UART_IIR), 0xC2); /* THR empty */
    assert_int_equal(reg_r(UART_IIR), 0xC0); /* modem status last */
    reg_r(UART_MSR);
    assert_int_equal(reg_r(UART_IIR), 0xC1);
}

static void test_fifo_trigger_and_timeout(void **s)
{
    (void)s;
    setup();
    set_divisor(1, 0x03);
    reg_w(UART_FCR, 0x81); /* trigger level 8 */
    reg_w(UART_MCR, 0x10);
    reg_w(UART_IER, 0x01);
    for (int k = 0; k < 7; k++) {
        reg_w(UART_THR, 'a');
        wait_chars(1);
    }
    assert_int_equal(reg_r(UART_IIR), 0xC1); /* 7 < 8 */
    reg_w(UART_THR, 'a');
    wait_chars(1);
    assert_int_equal(reg_r(UART_IIR), 0xC4);
    for (int k = 0; k < 6; k++)
        reg_r(UART_RBR);
    assert_int_equal(reg_r(UART_IIR), 0xC1); /* 2 left, below the trigger */
    wait_chars(3);
    assert_int_equal(reg_r(UART_IIR), 0xC1);
    wait_chars(1); /* four character times without activity */
    assert_int_equal(reg_r(UART_IIR), 0xCC);
    reg_r(UART_RBR); /* reading clears the timeout (it restarts) */
    assert_int_equal(reg_r(UART_IIR), 0xC1);
    wait_chars(4);
    assert_int_equal(reg_r(UART_IIR), 0xCC);
    reg_w(UART_FCR, 0x83); /* clear the receive FIFO */
    assert_int_equal(reg_r(UART_LSR) & 0x01, 0);
    assert_int_equal(reg_r(UART_IIR), 0xC1);
}

static void test_file_backend(void **s)
{
    (void)s;
    char path[] = "/tmp/x86sim-uart-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char spec[64], err[128];
    snprintf(spec, sizeof spec, "file:%s", path);
    chardev_t dev;
    assert_true(chardev_open(&dev, spec, "COM1", err, sizeof err));
    setup_with(&dev);
    set_divisor(1, 0x03);
    reg_w(UART_FCR, 0x01);
    reg_r(UART_MSR);
    assert_int_equal(reg_r(UART_MSR) & 0xF0, 0xB0); /* CTS, DSR, DCD */
    const char *msg = "hi\r\n";
    for (const char *p = msg; *p; p++)
        reg_w(UART_THR, (uint8_t)*p);
    wait_chars(4);
    uart_poll(&f.u);
    chardev_close(&dev);
    FILE *in = fopen(path, "rb");
    char buf[16] = {0};
    assert_int_equal(fread(buf, 1, sizeof buf, in), 4);
    fclose(in);
    unlink(path);
    assert_string_equal(buf, msg);
}

static void test_bad_specs(void **s)
{
    (void)s;
    chardev_t dev;
    char err[160];
    assert_false(chardev_open(&dev, "bogus", "COM1", err, sizeof err));
    assert_non_null(strstr(err, "unknown back-end"));
    assert_false(chardev_open(&dev, "tcp:127.0.0.1:notaport,server", "COM1", err, sizeof err));
    assert_false(chardev_open(&dev, "tcp:127.0.0.1:4555", "COM2", err, sizeof err));
    assert_non_null(strstr(err, "server"));
    assert_false(chardev_open(&dev, "file:/nonexistent/dir/x", "COM1", err, sizeof err));
    /* A port in use: the second listener fails with a clear message. */
    chardev_t a;
    int port = 0;
    for (int p = 45000; p < 45100 && !port; p++) {
        char spec[64];
        snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d,server,nowait", p);
        if (chardev_open(&a, spec, "COM1", err, sizeof err))
            port = p;
    }
    assert_true(port != 0);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d,server,nowait", port);
    assert_false(chardev_open(&dev, spec, "COM2", err, sizeof err));
    assert_non_null(strstr(err, "in use"));
    chardev_close(&a);
}

/* Polls the back-end until the bytes the test sent it have arrived. */
static void wait_for_host_input(chardev_t *dev)
{
    for (int k = 0; k < 200 && !chardev_has_input(dev); k++) {
        uart_poll(&f.u);
        usleep(1000);
    }
    assert_true(chardev_has_input(dev));
}

/* The UART sends `b`; the other end of the back-end, `fd`, receives it. */
static void send_and_expect(int fd, char b)
{
    reg_w(UART_THR, (uint8_t)b);
    wait_chars(1);
    uart_poll(&f.u);
    char c = 0;
    assert_int_equal(read(fd, &c, 1), 1);
    assert_int_equal(c, b);
}

/* A listening back-end without waiting: a client connects later, its
 * bytes reach the receiver at the line's pace, and DCD follows it. */
static void test_tcp_backend(void **s)
{
    (void)s;
    chardev_t dev;
    char err[160], spec[64];
    int port = 0;
    for (int p = 45100; p < 45200 && !port; p++) {
        snprintf(spec, sizeof spec, "tcp:127.0.0.1:%d,server,nowait", p);
        if (chardev_open(&dev, spec, "COM1", err, sizeof err))
            port = p;
    }
    assert_true(port != 0);
    setup_with(&dev);
    set_divisor(1, 0x03);
    reg_w(UART_FCR, 0x01);
    uart_poll(&f.u);
    assert_int_equal(reg_r(UART_MSR) & 0x80, 0); /* no client: no carrier */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(write(fd, "ok", 2), 2);
    wait_for_host_input(&dev);
    assert_int_equal(reg_r(UART_MSR) & 0x88, 0x88); /* DCD rose */
    wait_chars(1);
    assert_int_equal(reg_r(UART_LSR) & 0x01, 0x01);
    assert_int_equal(reg_r(UART_RBR), 'o');
    wait_chars(1);
    assert_int_equal(reg_r(UART_RBR), 'k');
    send_and_expect(fd, '!');
    close(fd);
    chardev_close(&dev);
}

/* A pseudo-terminal: what the other side writes arrives, what the UART
 * sends can be read there. */
static void test_pty_backend(void **s)
{
    (void)s;
    chardev_t dev;
    char err[160];
    assert_true(chardev_open(&dev, "pty", "COM1", err, sizeof err));
    int fd = open(dev.path, O_RDWR | O_NOCTTY);
    assert_true(fd >= 0);
    struct termios t;
    tcgetattr(fd, &t);
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
    setup_with(&dev);
    set_divisor(1, 0x03);
    assert_int_equal(write(fd, "p", 1), 1);
    wait_for_host_input(&dev);
    wait_chars(1);
    assert_int_equal(reg_r(UART_RBR), 'p');
    send_and_expect(fd, 'q');
    close(fd);
    chardev_close(&dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_char_time),
        cmocka_unit_test(test_fast_line),
        cmocka_unit_test(test_transmit_timing),
        cmocka_unit_test(test_thre_interrupt),
        cmocka_unit_test(test_loopback_data_and_overrun),
        cmocka_unit_test(test_loopback_modem_status),
        cmocka_unit_test(test_interrupt_priorities),
        cmocka_unit_test(test_fifo_trigger_and_timeout),
        cmocka_unit_test(test_file_backend),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_tcp_backend),
        cmocka_unit_test(test_pty_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
