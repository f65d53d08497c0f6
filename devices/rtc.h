/* The Motorola MC146818 real-time clock and its 128 bytes of
 * battery-backed CMOS RAM (index 0x70, data 0x71), interrupting on IRQ 8.
 *
 * The clock counts in the format the guest chose (BCD or binary, 12 or 24
 * hours).  Nothing runs per second: the time registers are brought up to
 * date when read, update-ended and alarm flags come from the update cycles
 * that passed, and the periodic flag from the divider's taps; timers are
 * armed only while an enabled interrupt could be raised.  Bit 7 of port
 * 0x70 is the board's NMI mask. */
#ifndef X86SIM_RTC_H
#define X86SIM_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "ioport.h"
#include "irq.h"

/* Register numbers. */
enum {
    RTC_SECONDS = 0x00, RTC_SECONDS_ALARM = 0x01, RTC_MINUTES = 0x02, RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04, RTC_HOURS_ALARM = 0x05, RTC_DAY_OF_WEEK = 0x06, RTC_DAY = 0x07,
    RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0A, RTC_REG_B = 0x0B, RTC_REG_C = 0x0C,
    RTC_REG_D = 0x0D,
};
#define RTC_A_UIP 0x80
#define RTC_B_SET 0x80
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_SQWE 0x08
#define RTC_B_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10

typedef struct rtc {
    uint8_t cmos[128];      /* registers 0x00-0x0D, then CMOS RAM */
    uint8_t index;
    bool nmi_disabled;      /* port 0x70 bit 7 */
    uint8_t flags;          /* register C: PF, AF, UF (IRQF derived) */
    bool irq_level;
    vclock_t *clock;
    vtimer_t periodic_timer, update_timer;
    irq_line_t irq;
    bool running;           /* divider in its 32.768 kHz operating mode */
    uint64_t origin;        /* ns when the divider chain started */
    uint64_t next_update;   /* index of the next update cycle since origin */
    uint64_t pf_checked;    /* ns up to which periodic ticks are in `flags` */
} rtc_t;

/* What the board puts in CMOS at power-on. */
typedef struct rtc_cmos_setup {
    uint32_t ram_size;          /* bytes */
    uint8_t floppy_type[2];     /* 0 none, 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M */
    struct {
        bool present;
        uint16_t cylinders;
        uint8_t heads, sectors;
    } hd[2];                    /* the first two hard disks */
    uint8_t boot[3];            /* boot devices in order: 1 floppy, 2 hard disk, 3 CD-ROM */
} rtc_cmos_setup_t;

/* Registers 0x70-0x71; the clock starts at `start` (Unix seconds, UTC). */
bool rtc_init(rtc_t *r, ioport_bus_t *bus, vclock_t *clock, irq_line_t irq, int64_t start);
/* Sets the time registers (24-hour BCD, the power-on format) to `t`. */
void rtc_set_time(rtc_t *r, int64_t t);
/* Fills the standard PC/AT (and Bochs/SeaBIOS) CMOS layout. */
void rtc_fill_cmos(rtc_t *r, const rtc_cmos_setup_t *s);
/* The chip's RESET: interrupt enables and flags clear; time and RAM stay. */
void rtc_reset(rtc_t *r);
uint8_t rtc_read(rtc_t *r, uint8_t reg);
void rtc_write(rtc_t *r, uint8_t reg, uint8_t value);

#endif
