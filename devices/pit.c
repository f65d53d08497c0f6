/* The 8254 timer and port 0x61 (see pit.h).
 *
 * A counter in progress is a function of d, the clock ticks since its count
 * was loaded into the counting element (CE holds n at d = 0):
 *   mode 0, 1: CE = n - d (wrapping), OUT high from d = n on;
 *   mode 4, 5: CE = n - d, OUT low only at d = n;
 *   mode 2:    CE = n - d mod n, OUT low while CE = 1;
 *   mode 3:    OUT high for ceil(n/2) ticks, low for floor(n/2); CE counts
 *              down by 2 (odd n: by 1 then 2 in the high half, by 3 then 2
 *              in the low half), reloading at each half.
 * A count written takes effect on the next clock (the datasheet's "loaded
 * on the next CLK pulse"), so mode 0's OUT rises n + 1 ticks after the
 * write. */
#include "pit.h"

#include <string.h>

enum { LOW = false, HIGH = true };

uint64_t pit_tick_at(uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * PIT_HZ_NUM) / (PIT_HZ_DEN * 1000000000ull));
}

uint64_t pit_ns_of_tick(uint64_t tick)
{
    unsigned __int128 num = (unsigned __int128)tick * (PIT_HZ_DEN * 1000000000ull);
    unsigned __int128 ns = (num + PIT_HZ_NUM - 1) / PIT_HZ_NUM;
    return ns > CLOCK_NEVER ? CLOCK_NEVER : (uint64_t)ns;
}

static uint64_t now_tick(const pit_t *p)
{
    return pit_tick_at(clock_now(p->clock));
}

static uint32_t modulus(const pit_counter_t *c)
{
    return c->bcd ? 10000u : 0x10000u;
}

static uint32_t high_half(uint32_t n) { return (n + 1) / 2; }

/* A count of zero means the largest count. */
static uint32_t decode_count(const pit_counter_t *c, uint16_t v)
{
    uint32_t n = v;
    if (c->bcd)
        n = (v >> 12 & 15) * 1000u + (v >> 8 & 15) * 100u + (v >> 4 & 15) * 10u + (v & 15);
    return n ? n : modulus(c);
}

static uint16_t encode_ce(const pit_counter_t *c, uint32_t ce)
{
    ce %= modulus(c);
    if (!c->bcd)
        return (uint16_t)ce;
    return (uint16_t)((ce / 1000 % 10) << 12 | (ce / 100 % 10) << 8 | (ce / 10 % 10) << 4 | ce % 10);
}

/* Applies a deferred count whose time has come. */
static void settle(pit_counter_t *c, uint64_t t)
{
    if (c->has_pending && t >= c->pending_tick) {
        c->has_pending = false;
        c->load = c->pending_tick;
        c->n = c->pending_n;
        c->offset = c->pending_offset;
        c->running = true;
    }
}

/* CE and OUT at tick t. */
static void eval(pit_counter_t *c, uint64_t t, uint32_t *ce, bool *out)
{
    settle(c, t);
    if (!c->running || (!c->suspended && t < c->load)) {
        *ce = c->idle_ce;
        *out = c->idle_out;
        return;
    }
    uint64_t d = c->suspended ? c->frozen : t - c->load;
    uint32_t n = c->n, m = modulus(c);
    switch (c->mode) {
    case 0:
    case 1:
        *ce = (uint32_t)((n + m - d % m) % m);
        *out = d >= n;
        break;
    case 4:
    case 5:
        *ce = (uint32_t)((n + m - d % m) % m);
        *out = d != n;
        break;
    case 2: {
        uint32_t r = (uint32_t)(d % n);
        *ce = n - r;
        *out = r != n - 1;
        break;
    }
    default: { /* 3 */
        uint32_t r = (uint32_t)((d + c->offset) % n), hi = high_half(n);
        *out = r < hi;
        uint32_t q = *out ? r : r - hi; /* ticks into this half */
        if (q == 0)
            *ce = n;
        else if (n % 2 == 0)
            *ce = n - 2 * q;
        else
            *ce = *out ? n + 1 - 2 * q : n - 1 - 2 * q;
        break;
    }
    }
}

static bool out_at(pit_counter_t *c, uint64_t t)
{
    uint32_t ce;
    bool out;
    eval(c, t, &ce, &out);
    return out;
}

/* Freezes what the counter shows now, before a new count or mode. */
static void snapshot_idle(pit_counter_t *c, uint64_t t)
{
    eval(c, t, &c->idle_ce, &c->idle_out);
}

/* The first tick after t at which OUT rises, with the current count only;
 * CLOCK_NEVER when none. */
static uint64_t next_rise_plain(const pit_counter_t *c, uint64_t t)
{
    if (!c->running || c->suspended)
        return CLOCK_NEVER;
    uint64_t d = t < c->load ? 0 : t - c->load, n = c->n, at;
    bool before = t < c->load;
    switch (c->mode) {
    case 0:
    case 1:
        at = n;
        break;
    case 4:
    case 5:
        at = n + 1;
        break;
    case 2:
        if (n == 1)
            return CLOCK_NEVER; /* OUT stays low */
        at = before ? n : (d / n + 1) * n;
        break;
    default: /* 3: rises at the end of each period */
        if (n == 1)
            return CLOCK_NEVER; /* OUT stays high */
        at = before ? n - c->offset : ((d + c->offset) / n + 1) * n - c->offset;
        break;
    }
    if (!before && at <= d)
        return CLOCK_NEVER;
    return c->load + at;
}

static uint64_t next_rise(const pit_counter_t *c, uint64_t t)
{
    pit_counter_t cur = *c;
    settle(&cur, t);
    uint64_t at = next_rise_plain(&cur, t);
    if (cur.has_pending && at > cur.pending_tick) {
        settle(&cur, cur.pending_tick);
        at = next_rise_plain(&cur, cur.pending_tick);
    }
    return at;
}

static void update_timer(pit_t *p)
{
    uint64_t at = next_rise(&p->ctr[0], now_tick(p));
    if (at == CLOCK_NEVER)
        timer_disarm(&p->timer);
    else
        timer_arm(&p->timer, pit_ns_of_tick(at));
}

static void irq0_edge(void *opaque)
{
    pit_t *p = opaque;
    irq_pulse(&p->irq0);
    update_timer(p);
}

/* Starts counting `n` from the next tick. */
static void start(pit_counter_t *c, uint64_t t, uint32_t n)
{
    c->running = true;
    c->has_pending = false;
    c->load = t + 1;
    c->n = n;
    c->offset = 0;
    c->null_until = c->load;
    c->suspended = false;
    if (!c->gate && (c->mode == 0 || c->mode == 4)) {
        c->suspended = true; /* loaded, but the gate holds it */
        c->frozen = 0;
    }
}

static void load_count(pit_counter_t *c, uint64_t t, uint16_t value)
{
    settle(c, t);
    c->cr = decode_count(c, value);
    c->cr_valid = true;
    switch (c->mode) {
    case 0:
    case 4:
        snapshot_idle(c, t);
        if (c->mode == 0)
            c->idle_out = LOW;
        start(c, t, c->cr);
        break;
    case 1:
    case 5:
        c->null_until = CLOCK_NEVER; /* transferred by the next trigger */
        break;
    default: /* 2, 3 */
        if (!c->running) {
            if (c->gate)
                start(c, t, c->cr);
            else
                c->null_until = CLOCK_NEVER; /* loaded when the gate rises */
            break;
        }
        /* Counting: the new count loads at the end of this period (mode 2)
         * or half-period (mode 3). */
        uint64_t d = t < c->load ? 0 : t - c->load, b;
        c->pending_offset = 0;
        if (c->mode == 2) {
            b = (d / c->n + 1) * c->n;
        } else {
            uint64_t e = d + c->offset, r = e % c->n, hi = high_half(c->n);
            if (r < hi) {
                b = e - r + hi - c->offset;
                c->pending_offset = high_half(c->cr); /* starts in its low half */
            } else {
                b = e - r + c->n - c->offset;
            }
        }
        c->has_pending = true;
        c->pending_n = c->cr;
        c->pending_tick = c->load + b;
        c->null_until = c->pending_tick;
        break;
    }
}

static void write_counter(pit_t *p, int k, uint8_t v)
{
    pit_counter_t *c = &p->ctr[k];
    uint64_t t = now_tick(p);
    switch (c->rw) {
    case 1: load_count(c, t, v); break;
    case 2: load_count(c, t, (uint16_t)(v << 8)); break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            if (c->mode == 0) { /* the first byte stops the count, OUT low */
                settle(c, t);
                snapshot_idle(c, t);
                c->idle_out = LOW;
                c->running = false;
                c->has_pending = false;
            }
        } else {
            c->write_msb_next = false;
            load_count(c, t, (uint16_t)(c->write_lsb | v << 8));
        }
        break;
    }
    if (k == 0)
        update_timer(p);
}

static uint16_t current_ce(pit_t *p, int k)
{
    pit_counter_t *c = &p->ctr[k];
    uint32_t ce;
    bool out;
    eval(c, now_tick(p), &ce, &out);
    return encode_ce(c, ce);
}

static uint8_t read_counter(pit_t *p, int k)
{
    pit_counter_t *c = &p->ctr[k];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v;
    bool msb;
    if (c->latch_bytes) {
        v = c->latch;
        msb = c->rw == 2 || (c->rw == 3 && c->latch_bytes == 1);
        c->latch_bytes--;
    } else {
        v = current_ce(p, k);
        msb = c->rw == 2 || (c->rw == 3 && c->read_msb_next);
        if (c->rw == 3)
            c->read_msb_next = !c->read_msb_next;
    }
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void latch_count(pit_t *p, int k)
{
    pit_counter_t *c = &p->ctr[k];
    if (c->latch_bytes) /* a latched count is kept until read */
        return;
    c->latch = current_ce(p, k);
    c->latch_bytes = c->rw == 3 ? 2 : 1;
}

static void latch_status(pit_t *p, int k)
{
    pit_counter_t *c = &p->ctr[k];
    if (c->status_latched)
        return;
    uint64_t t = now_tick(p);
    bool out = out_at(c, t);
    bool null = t < c->null_until;
    c->status = (uint8_t)(out << 7 | null << 6 | c->rw << 4 | c->mode_bits << 1 | c->bcd);
    c->status_latched = true;
}

static void write_control(pit_t *p, uint8_t v)
{
    int k = v >> 6;
    if (k == 3) { /* read-back */
        for (int j = 0; j < 3; j++) {
            if (!(v >> (j + 1) & 1))
                continue;
            if (!(v & 0x20))
                latch_count(p, j);
            if (!(v & 0x10))
                latch_status(p, j);
        }
        return;
    }
    uint8_t rw = v >> 4 & 3;
    if (rw == 0) {
        latch_count(p, k);
        return;
    }
    pit_counter_t *c = &p->ctr[k];
    uint64_t t = now_tick(p);
    snapshot_idle(c, t);
    c->mode_bits = v >> 1 & 7;
    c->mode = c->mode_bits > 5 ? c->mode_bits - 4 : c->mode_bits;
    c->bcd = v & 1;
    c->rw = rw;
    c->write_msb_next = c->read_msb_next = false;
    c->latch_bytes = 0;
    c->status_latched = false;
    c->running = c->has_pending = c->suspended = false;
    c->cr_valid = false;
    c->null_until = CLOCK_NEVER;
    c->idle_out = c->mode == 0 ? LOW : HIGH;
    if (k == 0)
        update_timer(p);
}

void pit_set_gate(pit_t *p, int k, bool level)
{
    pit_counter_t *c = &p->ctr[k];
    if (c->gate == level)
        return;
    uint64_t t = now_tick(p);
    settle(c, t);
    if (level) {
        switch (c->mode) {
        case 0:
        case 4:
            if (c->running && c->suspended) { /* resume where it stopped */
                c->suspended = false;
                c->load = t - c->frozen;
            }
            break;
        default: /* 1, 2, 3, 5: a rising edge (re)starts the count */
            if (c->cr_valid) {
                snapshot_idle(c, t); /* OUT falls (modes 1, 5) with the load tick */
                start(c, t, c->cr);
            }
            break;
        }
    } else {
        switch (c->mode) {
        case 0:
        case 4:
            if (c->running && !c->suspended && t >= c->load) {
                c->frozen = t - c->load;
                c->suspended = true;
            }
            break;
        case 2:
        case 3:
            if (c->running) { /* counting stops, OUT high at once */
                snapshot_idle(c, t);
                c->idle_out = HIGH;
                c->running = c->has_pending = false;
            }
            break;
        default: break;
        }
    }
    c->gate = level;
    if (k == 0)
        update_timer(p);
}

bool pit_out(pit_t *p, int k)
{
    return out_at(&p->ctr[k], now_tick(p));
}

static uint32_t pit_io_read(void *opaque, uint16_t port, unsigned size)
{
    pit_t *p = opaque;
    (void)size;
    if (port == 0x61) {
        /* Bit 4 toggles with each DRAM refresh request (counter 1 at its
         * BIOS count of 18: every 15.08 us); bit 5 is counter 2's OUT. */
        bool refresh = (pit_tick_at(clock_now(p->clock)) / 18) & 1;
        return p->port_b | (uint32_t)refresh << 4 | (uint32_t)pit_out(p, 2) << 5;
    }
    if ((port & 3) == 3)
        return 0xFF; /* the control word register cannot be read */
    return read_counter(p, port & 3);
}

static void pit_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    pit_t *p = opaque;
    (void)size;
    if (port == 0x61) {
        p->port_b = value & 0x0F;
        pit_set_gate(p, 2, value & 1);
    } else if ((port & 3) == 3) {
        write_control(p, (uint8_t)value);
    } else {
        write_counter(p, port & 3, (uint8_t)value);
    }
}

void pit_reset(pit_t *p)
{
    for (int k = 0; k < 3; k++) {
        pit_counter_t *c = &p->ctr[k];
        memset(c, 0, sizeof *c);
        c->rw = 3;
        c->gate = k != 2; /* counters 0 and 1 have their gates tied high */
        c->idle_out = LOW; /* undefined at power-on; mode 0 state */
        c->null_until = CLOCK_NEVER;
    }
    p->port_b = 0;
    timer_disarm(&p->timer);
}

bool pit_init(pit_t *p, ioport_bus_t *bus, vclock_t *clock, irq_line_t irq0)
{
    memset(p, 0, sizeof *p);
    p->clock = clock;
    p->irq0 = irq0;
    if (!clock_add_timer(clock, &p->timer, irq0_edge, p, "pit-irq0"))
        return false;
    pit_reset(p);
    return ioport_register(bus, 0x40, 4, pit_io_read, pit_io_write, p, "pit") &&
           ioport_register(bus, 0x61, 1, pit_io_read, pit_io_write, p, "port-b");
}
