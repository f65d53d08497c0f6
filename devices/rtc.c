/* The MC146818 RTC and CMOS RAM (see rtc.h).
 *
 * Time base: the divider chain counts 32768 Hz cycles from `origin` (when
 * register A's divider bits last started it).  Update cycles happen every
 * second, the first one half a second after the chain starts; the periodic
 * flag sets at every multiple of the rate selected by RS. */
#include "rtc.h"

#include <string.h>
#include <time.h>

#define DV_NORMAL 2u           /* register A bits 6-4: 32.768 kHz time base */
#define UIP_WINDOW_NS 244141u  /* UIP rises 244 us (8 cycles) before an update */

/* 32768 Hz cycles: 1 cycle = 1953125 / 64 ns exactly. */
static uint64_t cycles_since(const rtc_t *r, uint64_t ns)
{
    if (ns <= r->origin)
        return 0;
    return (uint64_t)(((unsigned __int128)(ns - r->origin) * 64) / 1953125);
}

static uint64_t ns_of_cycle(const rtc_t *r, uint64_t cycle)
{
    unsigned __int128 ns = ((unsigned __int128)cycle * 1953125 + 63) / 64 + r->origin;
    return ns > CLOCK_NEVER ? CLOCK_NEVER : (uint64_t)ns;
}

static uint64_t update_ns(const rtc_t *r, uint64_t k)
{
    return ns_of_cycle(r, 16384 + 32768 * k);
}

/* The periodic interrupt's period in cycles, 0 when off. */
static uint64_t periodic_cycles(const rtc_t *r)
{
    unsigned rs = r->cmos[RTC_REG_A] & 15;
    if (rs == 0)
        return 0;
    return rs <= 2 ? 1u << (rs + 6) : 1u << (rs - 1); /* RS 1, 2 alias 8, 9 */
}

static bool binary(const rtc_t *r) { return r->cmos[RTC_REG_B] & RTC_B_BINARY; }

static unsigned from_reg(const rtc_t *r, uint8_t v)
{
    return binary(r) ? v : (v >> 4) * 10u + (v & 15u);
}

static uint8_t to_reg(const rtc_t *r, unsigned v)
{
    return binary(r) ? (uint8_t)v : (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

/* A time register as a number (hours in 0-23 whatever the format). */
static unsigned get(const rtc_t *r, int reg)
{
    uint8_t v = r->cmos[reg];
    if (reg != RTC_HOURS || (r->cmos[RTC_REG_B] & RTC_B_24H))
        return from_reg(r, v);
    return from_reg(r, v & 0x7F) % 12 + (v & 0x80 ? 12 : 0);
}

static void put(rtc_t *r, int reg, unsigned v)
{
    if (reg != RTC_HOURS || (r->cmos[RTC_REG_B] & RTC_B_24H)) {
        r->cmos[reg] = to_reg(r, v);
        return;
    }
    unsigned h12 = v % 12 ? v % 12 : 12;
    r->cmos[reg] = to_reg(r, h12) | (v >= 12 ? 0x80 : 0);
}

static unsigned days_in_month(unsigned month, unsigned year)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 31;
    return days[month - 1] + (month == 2 && year % 4 == 0); /* the chip's leap rule */
}

/* One update cycle's count: carries from seconds to years. */
static void advance_second(rtc_t *r)
{
    static const struct { int reg; unsigned limit; } field[] = {
        {RTC_SECONDS, 60}, {RTC_MINUTES, 60}, {RTC_HOURS, 24}};
    for (unsigned k = 0; k < 3; k++) {
        unsigned v = get(r, field[k].reg) + 1;
        if (v < field[k].limit) {
            put(r, field[k].reg, v);
            return;
        }
        put(r, field[k].reg, 0);
    }
    unsigned dow = get(r, RTC_DAY_OF_WEEK);
    put(r, RTC_DAY_OF_WEEK, dow >= 7 ? 1 : dow + 1);
    unsigned day = get(r, RTC_DAY) + 1;
    if (day <= days_in_month(get(r, RTC_MONTH), get(r, RTC_YEAR))) {
        put(r, RTC_DAY, day);
        return;
    }
    put(r, RTC_DAY, 1);
    unsigned month = get(r, RTC_MONTH) + 1;
    if (month <= 12) {
        put(r, RTC_MONTH, month);
        return;
    }
    put(r, RTC_MONTH, 1);
    unsigned year = get(r, RTC_YEAR) + 1;
    put(r, RTC_YEAR, year > 99 ? 0 : year);
}

/* An alarm byte of 0xC0-0xFF matches any value. */
static bool alarm_matches(const rtc_t *r)
{
    for (int reg = RTC_SECONDS; reg <= RTC_HOURS; reg += 2) {
        uint8_t a = r->cmos[reg + 1];
        if ((a & 0xC0) != 0xC0 && a != r->cmos[reg])
            return false;
    }
    return true;
}

/* Applies the update cycles and periodic ticks that happened up to now. */
static void catch_up(rtc_t *r, uint64_t now)
{
    if (!r->running)
        return;
    while (update_ns(r, r->next_update) <= now) {
        r->next_update++;
        if (r->cmos[RTC_REG_B] & RTC_B_SET)
            continue; /* updates inhibited while the guest sets the time */
        advance_second(r);
        r->flags |= RTC_C_UF;
        if (alarm_matches(r))
            r->flags |= RTC_C_AF;
    }
    uint64_t period = periodic_cycles(r);
    if (period && now > r->pf_checked &&
        cycles_since(r, now) / period > cycles_since(r, r->pf_checked) / period)
        r->flags |= RTC_C_PF;
    if (now > r->pf_checked)
        r->pf_checked = now;
}

static bool irqf(const rtc_t *r)
{
    uint8_t b = r->cmos[RTC_REG_B];
    return ((r->flags & RTC_C_PF) && (b & RTC_B_PIE)) || ((r->flags & RTC_C_AF) && (b & RTC_B_AIE)) ||
           ((r->flags & RTC_C_UF) && (b & RTC_B_UIE));
}

/* Brings the state to now, drives IRQ 8 and arms the timers an enabled
 * interrupt needs (none while the line is already up: the next edge needs
 * register C to be read first). */
static void refresh(rtc_t *r)
{
    uint64_t now = clock_now(r->clock);
    catch_up(r, now);
    bool level = irqf(r);
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(&r->irq, level);
    }
    uint8_t b = r->cmos[RTC_REG_B];
    uint64_t period = periodic_cycles(r);
    if (!level && r->running && period && (b & RTC_B_PIE))
        timer_arm(&r->periodic_timer, ns_of_cycle(r, (cycles_since(r, now) / period + 1) * period));
    else
        timer_disarm(&r->periodic_timer);
    if (!level && r->running && !(b & RTC_B_SET) && (b & (RTC_B_UIE | RTC_B_AIE)))
        timer_arm(&r->update_timer, update_ns(r, r->next_update));
    else
        timer_disarm(&r->update_timer);
}

static void rtc_timer(void *opaque)
{
    refresh(opaque);
}

static bool update_in_progress(const rtc_t *r, uint64_t now)
{
    if (!r->running || (r->cmos[RTC_REG_B] & RTC_B_SET))
        return false;
    return update_ns(r, r->next_update) - now <= UIP_WINDOW_NS;
}

uint8_t rtc_read(rtc_t *r, uint8_t reg)
{
    reg &= 0x7F;
    switch (reg) {
    case RTC_REG_A:
        refresh(r);
        return (r->cmos[RTC_REG_A] & 0x7F) | (update_in_progress(r, clock_now(r->clock)) ? RTC_A_UIP : 0);
    case RTC_REG_C: {
        refresh(r);
        uint8_t v = r->flags | (r->irq_level ? RTC_C_IRQF : 0);
        r->flags = 0;
        refresh(r);
        return v;
    }
    case RTC_REG_D:
        return 0x80; /* VRT: the battery is good */
    default:
        if (reg <= RTC_YEAR)
            refresh(r);
        return r->cmos[reg];
    }
}

void rtc_write(rtc_t *r, uint8_t reg, uint8_t v)
{
    reg &= 0x7F;
    if (reg > RTC_REG_D) {
        r->cmos[reg] = v;
        return;
    }
    refresh(r); /* the past is counted with the old settings */
    switch (reg) {
    case RTC_REG_A: {
        bool was_running = r->running;
        r->cmos[RTC_REG_A] = v & 0x7F;
        r->running = (v >> 4 & 7) == DV_NORMAL;
        if (r->running && !was_running) {
            /* Leaving divider reset: the first update comes 500 ms later. */
            r->origin = r->pf_checked = clock_now(r->clock);
            r->next_update = 0;
        }
        break;
    }
    case RTC_REG_B:
        if (v & RTC_B_SET)
            v &= (uint8_t)~RTC_B_UIE; /* setting SET clears UIE */
        r->cmos[RTC_REG_B] = v;
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break; /* read-only */
    default:
        r->cmos[reg] = v;
        break;
    }
    refresh(r);
}

static uint8_t bcd(unsigned v) { return (uint8_t)((v / 10 % 10) << 4 | v % 10); }

void rtc_set_time(rtc_t *r, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        memset(&tm, 0, sizeof tm);
    r->cmos[RTC_SECONDS] = bcd((unsigned)tm.tm_sec % 60);
    r->cmos[RTC_MINUTES] = bcd((unsigned)tm.tm_min);
    r->cmos[RTC_HOURS] = bcd((unsigned)tm.tm_hour);
    r->cmos[RTC_DAY_OF_WEEK] = bcd((unsigned)tm.tm_wday + 1); /* Sunday = 1 */
    r->cmos[RTC_DAY] = bcd((unsigned)tm.tm_mday);
    r->cmos[RTC_MONTH] = bcd((unsigned)tm.tm_mon + 1);
    r->cmos[RTC_YEAR] = bcd((unsigned)(tm.tm_year + 1900) % 100);
    r->cmos[0x32] = bcd((unsigned)(tm.tm_year + 1900) / 100); /* century (IBM AT) */
}

static void put16(rtc_t *r, int reg, unsigned v)
{
    r->cmos[reg] = (uint8_t)v;
    r->cmos[reg + 1] = (uint8_t)(v >> 8);
}

void rtc_fill_cmos(rtc_t *r, const rtc_cmos_setup_t *s)
{
    uint8_t *c = r->cmos;
    c[0x0E] = 0; /* diagnostic status: all good */
    c[0x0F] = 0; /* shutdown status: power-on */
    c[0x10] = (uint8_t)(s->floppy_type[0] << 4 | (s->floppy_type[1] & 15));
    unsigned floppies = (s->floppy_type[0] != 0) + (s->floppy_type[1] != 0);
    /* Equipment: floppies, math coprocessor, video with its own BIOS. */
    c[0x14] = (uint8_t)((floppies ? 0x01 | (floppies - 1) << 6 : 0) | 0x02);
    /* Hard disks: type 15 means "see 0x19/0x1A", type 47 user-defined
     * with the parameters at 0x1B and 0x24. */
    c[0x12] = (s->hd[0].present ? 0xF0 : 0) | (s->hd[1].present ? 0x0F : 0);
    for (int k = 0; k < 2; k++) {
        c[0x19 + k] = s->hd[k].present ? 47 : 0;
        int base = k ? 0x24 : 0x1B;
        if (!s->hd[k].present) {
            memset(c + base, 0, 9);
            continue;
        }
        put16(r, base, s->hd[k].cylinders);
        c[base + 2] = s->hd[k].heads;
        put16(r, base + 3, 0xFFFF); /* no write precompensation */
        c[base + 5] = s->hd[k].heads > 8 ? 0xC8 : 0xC0;
        put16(r, base + 6, s->hd[k].cylinders); /* landing zone */
        c[base + 8] = s->hd[k].sectors;
    }
    put16(r, 0x15, 640); /* base memory, KiB */
    uint32_t ext_kb = s->ram_size > 0x100000u ? (s->ram_size - 0x100000u) >> 10 : 0;
    put16(r, 0x17, ext_kb > 0xFFFF ? 0xFFFF : ext_kb);
    put16(r, 0x30, ext_kb > 0xFFFF ? 0xFFFF : ext_kb);
    uint32_t above16 = s->ram_size > 0x1000000u ? (s->ram_size - 0x1000000u) >> 16 : 0;
    put16(r, 0x34, above16 > 0xFFFF ? 0xFFFF : above16); /* 64 KiB units */
    c[0x5B] = c[0x5C] = c[0x5D] = 0; /* RAM above 4 GiB: none on a 32-bit map */
    /* Boot order as Bochs and SeaBIOS read it: first in 0x3D bits 3-0,
     * second in 0x3D bits 7-4, third in 0x38 bits 7-4. */
    c[0x3D] = (uint8_t)((s->boot[0] & 15) | (s->boot[1] & 15) << 4);
    c[0x38] = (uint8_t)((c[0x38] & 0x0F) | (s->boot[2] & 15) << 4);
    unsigned sum = 0;
    for (int k = 0x10; k <= 0x2D; k++)
        sum += c[k];
    c[0x2E] = (uint8_t)(sum >> 8); /* checksum, big-endian */
    c[0x2F] = (uint8_t)sum;
}

void rtc_reset(rtc_t *r)
{
    refresh(r);
    r->cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    r->flags = 0;
    refresh(r);
}

static uint32_t rtc_io_read(void *opaque, uint16_t port, unsigned size)
{
    rtc_t *r = opaque;
    (void)size;
    if (port == 0x70)
        return 0xFF; /* the index register is write-only */
    return rtc_read(r, r->index);
}

static void rtc_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    rtc_t *r = opaque;
    (void)size;
    if (port == 0x70) {
        r->index = value & 0x7F;
        r->nmi_disabled = value & 0x80;
    } else {
        rtc_write(r, r->index, (uint8_t)value);
    }
}

bool rtc_init(rtc_t *r, ioport_bus_t *bus, vclock_t *clock, irq_line_t irq, int64_t start)
{
    memset(r, 0, sizeof *r);
    r->clock = clock;
    r->irq = irq;
    if (!clock_add_timer(clock, &r->periodic_timer, rtc_timer, r, "rtc-periodic") ||
        !clock_add_timer(clock, &r->update_timer, rtc_timer, r, "rtc-update"))
        return false;
    r->cmos[RTC_REG_A] = DV_NORMAL << 4 | 6; /* 32.768 kHz, 1024 Hz periodic rate */
    r->cmos[RTC_REG_B] = RTC_B_24H;          /* BCD, 24-hour */
    r->running = true;
    r->origin = r->pf_checked = clock_now(clock);
    rtc_set_time(r, start);
    return ioport_register(bus, 0x70, 2, rtc_io_read, rtc_io_write, r, "rtc");
}
