/* The 16550A UART (see uart.h). */
#include "uart.h"

#include <string.h>

#define IER_RDA 0x01
#define IER_THRE 0x02
#define IER_RLS 0x04
#define IER_MSI 0x08
#define LCR_DLAB 0x80
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_FIFO_ERR 0x80
#define LSR_ERRORS 0x1E

/* IIR interrupt identifications, highest priority first. */
#define IIR_NONE 0x01
#define IIR_RLS 0x06
#define IIR_RDA 0x04
#define IIR_TIMEOUT 0x0C
#define IIR_THRE 0x02
#define IIR_MSI 0x00
#define IIR_FIFO 0xC0

static void fifo_push(uart_fifo_t *f, uint8_t b)
{
    f->data[(f->head + f->count) % UART_FIFO] = b;
    f->count++;
}

static uint8_t fifo_pop(uart_fifo_t *f)
{
    uint8_t b = f->data[f->head];
    f->head = (uint8_t)((f->head + 1) % UART_FIFO);
    f->count--;
    return b;
}

static unsigned capacity(const uart_t *u) { return u->fifo_enabled ? UART_FIFO : 1; }

uint64_t uart_char_ns(const uart_t *u)
{
    if (!u->line_rate)
        return UART_FAST_CHAR_NS;
    unsigned divisor = (unsigned)u->dlm << 8 | u->dll;
    if (!divisor)
        divisor = 0x10000; /* no baud clock would never finish: take the slowest */
    /* Half-bits: start, data, parity, then 1, 1.5 (5-bit words) or 2 stops. */
    unsigned data = 5 + (u->lcr & 3);
    unsigned stop2 = !(u->lcr & 4) ? 2 : data == 5 ? 3 : 4;
    unsigned half_bits = 2 * (1 + data + !!(u->lcr & 8)) + stop2;
    return (uint64_t)half_bits * divisor * 16 * 1000000000ull / (2ull * UART_CLOCK_HZ);
}

/* The highest-priority pending interrupt, as IIR bits 3-0. */
static uint8_t identify(const uart_t *u)
{
    if ((u->ier & IER_RLS) && (u->line_errors & LSR_ERRORS))
        return IIR_RLS;
    if ((u->ier & IER_RDA) && u->rx.count >= (u->fifo_enabled ? u->rx_trigger : 1))
        return IIR_RDA;
    if ((u->ier & IER_RDA) && u->timeout_pending)
        return IIR_TIMEOUT;
    if ((u->ier & IER_THRE) && u->thre_pending)
        return IIR_THRE;
    if ((u->ier & IER_MSI) && u->msr_delta)
        return IIR_MSI;
    return IIR_NONE;
}

static void update_irq(uart_t *u)
{
    bool level = identify(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* MSR bits 4-7 (CTS, DSR, RI, DCD): the MCR outputs in loopback, else the
 * back-end's lines (asserted while something is attached). */
static uint8_t modem_inputs(const uart_t *u)
{
    if (u->mcr & MCR_LOOP)
        return (uint8_t)((u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 | (u->mcr & 0x04) << 4 |
                         (u->mcr & 0x08) << 4);
    return u->dev && chardev_connected(u->dev) ? 0xB0 : 0x00; /* CTS, DSR, DCD */
}

static void update_modem_status(uart_t *u)
{
    uint8_t now = modem_inputs(u), changed = now ^ u->modem_status;
    if (changed & 0x10) u->msr_delta |= 0x01; /* DCTS */
    if (changed & 0x20) u->msr_delta |= 0x02; /* DDSR */
    if ((changed & 0x40) && !(now & 0x40)) u->msr_delta |= 0x04; /* TERI: RI fell */
    if (changed & 0x80) u->msr_delta |= 0x08; /* DDCD */
    u->modem_status = now;
}

static void arm_timeout(uart_t *u)
{
    if (u->fifo_enabled && u->rx.count)
        timer_arm(&u->timeout_timer, clock_now(u->clock) + 4 * uart_char_ns(u));
    else
        timer_disarm(&u->timeout_timer);
}

/* A character arrives at the receiver (from the line or the loopback). */
static void receive(uart_t *u, uint8_t b)
{
    if (u->rx.count < capacity(u)) {
        fifo_push(&u->rx, b);
    } else {
        u->line_errors |= LSR_OE;
        if (!u->fifo_enabled) /* the holding register is overwritten */
            u->rx.data[u->rx.head] = b;
    }
    u->timeout_pending = false;
    arm_timeout(u);
}

/* Moves the next character into the shift register. */
static void start_tx(uart_t *u)
{
    u->tsr = fifo_pop(&u->tx);
    u->tsr_busy = true;
    if (!u->tx.count)
        u->thre_pending = true;
    timer_arm(&u->tx_timer, clock_now(u->clock) + uart_char_ns(u));
}

static void tx_done(void *opaque)
{
    uart_t *u = opaque;
    if (u->mcr & MCR_LOOP)
        receive(u, u->tsr);
    else if (u->dev)
        chardev_write(u->dev, u->tsr);
    u->tsr_busy = false;
    if (u->tx.count)
        start_tx(u);
    update_irq(u);
}

/* Host input enters at the line's pace, while the FIFO has room. */
static void rx_next(void *opaque)
{
    uart_t *u = opaque;
    if (!u->dev || (u->mcr & MCR_LOOP))
        return;
    if (u->rx.count < capacity(u) && chardev_has_input(u->dev)) {
        receive(u, (uint8_t)chardev_read(u->dev));
        update_irq(u);
    }
    if (chardev_has_input(u->dev))
        timer_arm(&u->rx_timer, clock_now(u->clock) + uart_char_ns(u));
}

static void rx_timeout(void *opaque)
{
    uart_t *u = opaque;
    if (u->fifo_enabled && u->rx.count)
        u->timeout_pending = true;
    update_irq(u);
}

void uart_poll(uart_t *u)
{
    if (!u->dev)
        return;
    chardev_poll(u->dev);
    chardev_flush(u->dev);
    update_modem_status(u);
    if (chardev_has_input(u->dev) && !u->rx_timer.armed)
        timer_arm(&u->rx_timer, clock_now(u->clock) + uart_char_ns(u));
    update_irq(u);
}

static void write_fcr(uart_t *u, uint8_t v)
{
    bool enable = v & 1;
    if (enable != u->fifo_enabled) { /* switching modes empties both FIFOs */
        u->rx.count = u->tx.count = 0;
        u->fifo_enabled = enable;
    }
    if (!enable)
        return;
    if (v & 0x02) {
        u->rx.count = 0;
        u->timeout_pending = false;
    }
    if (v & 0x04 && u->tx.count) {
        u->tx.count = 0;
        u->thre_pending = true;
    }
    static const uint8_t triggers[4] = {1, 4, 8, 14};
    u->rx_trigger = triggers[v >> 6];
    arm_timeout(u);
}

uint8_t uart_read(uart_t *u, uint8_t reg)
{
    uint8_t v = 0;
    switch (reg & 7) {
    case UART_RBR:
        if (u->lcr & LCR_DLAB)
            return u->dll;
        if (u->rx.count)
            v = fifo_pop(&u->rx);
        u->timeout_pending = false;
        arm_timeout(u);
        if (u->dev && chardev_has_input(u->dev) && !u->rx_timer.armed)
            timer_arm(&u->rx_timer, clock_now(u->clock) + uart_char_ns(u));
        break;
    case UART_IER:
        return u->lcr & LCR_DLAB ? u->dlm : u->ier;
    case UART_IIR: {
        uint8_t id = identify(u);
        if (id == IIR_THRE) /* reading the identification clears THRE */
            u->thre_pending = false;
        v = id | (u->fifo_enabled ? IIR_FIFO : 0);
        break;
    }
    case UART_LCR: return u->lcr;
    case UART_MCR: return u->mcr;
    case UART_LSR:
        v = (u->rx.count ? LSR_DR : 0) | u->line_errors | (u->tx.count ? 0 : LSR_THRE) |
            (u->tx.count || u->tsr_busy ? 0 : LSR_TEMT) |
            (u->fifo_enabled && (u->line_errors & 0x1C) ? LSR_FIFO_ERR : 0);
        u->line_errors = 0;
        break;
    case UART_MSR:
        update_modem_status(u);
        v = u->modem_status | u->msr_delta;
        u->msr_delta = 0;
        break;
    default: return u->scr;
    }
    update_irq(u);
    return v;
}

void uart_write(uart_t *u, uint8_t reg, uint8_t v)
{
    switch (reg & 7) {
    case UART_THR:
        if (u->lcr & LCR_DLAB) {
            u->dll = v;
            return;
        }
        if (u->tx.count < capacity(u))
            fifo_push(&u->tx, v);
        else if (!u->fifo_enabled)
            u->tx.data[u->tx.head] = v;
        u->thre_pending = false;
        if (!u->tsr_busy)
            start_tx(u);
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->dlm = v;
            return;
        }
        /* Enabling the THRE interrupt with the holding register empty
         * raises it at once. */
        if ((v & IER_THRE) && !(u->ier & IER_THRE) && !u->tx.count)
            u->thre_pending = true;
        u->ier = v & 0x0F;
        break;
    case UART_FCR: write_fcr(u, v); break;
    case UART_LCR: u->lcr = v; break;
    case UART_MCR:
        u->mcr = v & 0x1F;
        update_modem_status(u);
        break;
    case UART_LSR:
    case UART_MSR: break; /* factory test registers */
    default: u->scr = v; break;
    }
    update_irq(u);
}

void uart_reset(uart_t *u)
{
    u->ier = u->lcr = u->mcr = 0;
    u->fifo_enabled = false;
    u->rx_trigger = 1;
    u->rx.count = u->tx.count = 0;
    u->tsr_busy = u->thre_pending = u->timeout_pending = false;
    u->line_errors = u->msr_delta = 0;
    u->modem_status = modem_inputs(u);
    timer_disarm(&u->tx_timer);
    timer_disarm(&u->rx_timer);
    timer_disarm(&u->timeout_timer);
    update_irq(u);
}

static uint32_t uart_io_read(void *opaque, uint16_t port, unsigned size)
{
    uart_t *u = opaque;
    (void)size;
    return uart_read(u, (uint8_t)(port - u->base));
}

static void uart_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    uart_t *u = opaque;
    (void)size;
    uart_write(u, (uint8_t)(port - u->base), (uint8_t)value);
}

bool uart_init(uart_t *u, ioport_bus_t *bus, vclock_t *clock, uint16_t base, irq_line_t irq,
               chardev_t *dev, const char *name)
{
    memset(u, 0, sizeof *u);
    u->base = base;
    u->name = name;
    u->clock = clock;
    u->irq = irq;
    u->dev = dev;
    u->dll = 12; /* 9600 baud until the guest says otherwise */
    u->line_rate = true;
    if (!clock_add_timer(clock, &u->tx_timer, tx_done, u, name) ||
        !clock_add_timer(clock, &u->rx_timer, rx_next, u, name) ||
        !clock_add_timer(clock, &u->timeout_timer, rx_timeout, u, name))
        return false;
    uart_reset(u);
    return ioport_register(bus, base, 8, uart_io_read, uart_io_write, u, name);
}
