/* ATAPI CD/DVD-ROM packet commands (see atapi.h).  References: SPC-3 (sense
 * data, INQUIRY), MMC-3/MMC-5 (TOC, mode pages, features, events). */
#include "atapi.h"

#include <string.h>

/* Additional sense codes. */
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED 0x39
#define ASC_NO_MEDIUM 0x3A
#define ASC_REMOVAL_PREVENTED 0x53

/* Discs larger than a 99-minute CD are DVDs. */
#define CD_MAX_BLOCKS 445500u

enum { PROFILE_NONE = 0x0000, PROFILE_CD_ROM = 0x0008, PROFILE_DVD_ROM = 0x0010 };
enum { EVENT_NONE = 0, EVENT_NEW_MEDIA = 2, EVENT_MEDIA_REMOVAL = 3 };

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return get16(p) << 16 | get16(p + 2); }

void atapi_init(atapi_t *a, disk_t *medium)
{
    *a = (atapi_t){.medium = medium};
}

bool atapi_medium_present(const atapi_t *a)
{
    return a->medium && !a->tray_open;
}

void atapi_change_medium(atapi_t *a, disk_t *medium)
{
    a->medium = medium;
    a->tray_open = false;
    a->unit_attention = true;
    a->media_event = medium ? EVENT_NEW_MEDIA : EVENT_MEDIA_REMOVAL;
}

static uint32_t blocks(const atapi_t *a)
{
    return (uint32_t)disk_sectors(a->medium);
}

static void set_sense(atapi_t *a, uint8_t key, uint8_t asc, uint8_t ascq)
{
    a->sense_key = key, a->asc = asc, a->ascq = ascq;
}

static void check_condition(atapi_t *a, atapi_reply_t *r, uint8_t key, uint8_t asc, uint8_t ascq)
{
    set_sense(a, key, asc, ascq);
    r->check_condition = true;
    r->len = 0;
    r->read_blocks = 0;
}

/* The unit attention, reported once, then whether a disc can be read. */
static bool ready(atapi_t *a, atapi_reply_t *r)
{
    if (a->unit_attention) {
        a->unit_attention = false;
        check_condition(a, r, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        return false;
    }
    if (!atapi_medium_present(a)) {
        /* ASCQ 1: tray closed, 2: tray open. */
        check_condition(a, r, SENSE_NOT_READY, ASC_NO_MEDIUM, a->tray_open ? 2 : 1);
        return false;
    }
    return true;
}

static void reply(atapi_reply_t *r, uint32_t len, uint32_t alloc)
{
    r->len = len < alloc ? len : alloc;
}

/* Frames from the start of the disc: LBA 0 is at 00:02:00 (150 frames). */
static void put_msf(uint8_t *p, uint32_t lba)
{
    uint32_t f = lba + 150;
    p[0] = (uint8_t)(f / (75 * 60));
    p[1] = (uint8_t)(f / 75 % 60);
    p[2] = (uint8_t)(f % 75);
}

/* A track address as READ TOC gives it: LBA, or 0 M S F. */
static void put_address(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf) {
        p[0] = 0;
        put_msf(p + 1, lba);
    } else {
        put32(p, lba);
    }
}

#define ADR_CONTROL_DATA 0x14 /* ADR 1 (position), control 4 (data track) */

static void read_toc(atapi_t *a, const uint8_t *cdb, uint8_t *buf, atapi_reply_t *r)
{
    if (!ready(a, r))
        return;
    bool msf = cdb[1] & 2;
    unsigned format = cdb[2] & 0x0F;
    if (!format && (cdb[9] >> 6)) /* the SFF-8020 place of the format */
        format = cdb[9] >> 6;
    unsigned start = cdb[6];
    uint32_t len;
    switch (format) {
    case 0: /* TOC: track 1 and the lead-out */
        if (start > 1 && start != 0xAA) {
            check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        len = 4;
        buf[2] = 1, buf[3] = 1;
        if (start <= 1) {
            memset(buf + len, 0, 8);
            buf[len + 1] = ADR_CONTROL_DATA;
            buf[len + 2] = 1;
            put_address(buf + len + 4, 0, msf);
            len += 8;
        }
        memset(buf + len, 0, 8);
        buf[len + 1] = ADR_CONTROL_DATA;
        buf[len + 2] = 0xAA;
        put_address(buf + len + 4, blocks(a), msf);
        len += 8;
        break;
    case 1: /* session information: one session, starting with track 1 */
        len = 12;
        memset(buf, 0, len);
        buf[2] = 1, buf[3] = 1;
        buf[5] = ADR_CONTROL_DATA;
        buf[6] = 1;
        put_address(buf + 8, 0, msf);
        break;
    case 2: { /* full TOC: points A0, A1, A2 and track 1, addresses in MSF */
        static const uint8_t points[4] = {0xA0, 0xA1, 0xA2, 0x01};
        len = 4;
        buf[2] = 1, buf[3] = 1;
        for (int k = 0; k < 4; k++) {
            uint8_t *d = buf + len;
            memset(d, 0, 11);
            d[0] = 1; /* session */
            d[1] = ADR_CONTROL_DATA;
            d[3] = points[k];
            if (points[k] == 0xA0 || points[k] == 0xA1)
                d[8] = 1; /* first / last track number */
            else
                put_msf(d + 8, points[k] == 0xA2 ? blocks(a) : 0);
            len += 11;
        }
        break;
    }
    default:
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    put16(buf, len - 2);
    reply(r, len, get16(cdb + 7));
}

/* Mode page 0x01 (read error recovery) or 0x2A (capabilities); with
 * `changeable`, the mask of what MODE SELECT could change: nothing. */
static uint32_t mode_page(const atapi_t *a, unsigned page, bool changeable, uint8_t *p)
{
    uint32_t len = page == 0x01 ? 12 : 22;
    memset(p, 0, len);
    p[0] = (uint8_t)page;
    p[1] = (uint8_t)(len - 2);
    if (changeable)
        return len;
    if (page == 0x01) {
        p[3] = 5; /* read retry count */
        return len;
    }
    p[2] = 0x0B;                     /* reads CD-R, CD-RW, DVD-ROM */
    p[4] = 0x70;                     /* mode 2 form 1 and 2, multi-session */
    p[6] = 0x29 | (a->prevent_removal ? 0x02 : 0); /* lock, eject, tray; lock state */
    put16(p + 8, 2816);              /* maximum read speed: 16x, kB/s */
    put16(p + 12, 512);              /* buffer, KiB */
    put16(p + 14, 2816);             /* current read speed */
    return len;
}

static void mode_sense(atapi_t *a, const uint8_t *cdb, uint8_t *buf, atapi_reply_t *r)
{
    if (a->unit_attention && !ready(a, r))
        return;
    unsigned control = cdb[2] >> 6, page = cdb[2] & 0x3F;
    if (control == 3) {
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    if (page != 0x01 && page != 0x2A && page != 0x3F) {
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(buf, 0, 8);
    buf[2] = atapi_medium_present(a) ? 0x01 : 0x70; /* 120 mm data disc / no disc */
    uint32_t len = 8;
    if (page == 0x01 || page == 0x3F)
        len += mode_page(a, 0x01, control == 1, buf + len);
    if (page == 0x2A || page == 0x3F)
        len += mode_page(a, 0x2A, control == 1, buf + len);
    put16(buf, len - 2);
    reply(r, len, get16(cdb + 7));
}

static uint16_t current_profile(const atapi_t *a)
{
    if (!atapi_medium_present(a))
        return PROFILE_NONE;
    return blocks(a) > CD_MAX_BLOCKS ? PROFILE_DVD_ROM : PROFILE_CD_ROM;
}

/* Writes feature `code` at p (when it exists); returns its length. */
static uint32_t feature(const atapi_t *a, uint16_t code, uint8_t *p)
{
    uint16_t profile = current_profile(a);
    bool medium = profile != PROFILE_NONE;
    uint32_t len;
    memset(p, 0, 16);
    put16(p, code);
    switch (code) {
    case 0x0000: /* profile list: DVD-ROM, CD-ROM */
        p[2] = 0x03;
        p[3] = 8;
        put16(p + 4, PROFILE_DVD_ROM);
        p[6] = profile == PROFILE_DVD_ROM;
        put16(p + 8, PROFILE_CD_ROM);
        p[10] = profile == PROFILE_CD_ROM;
        len = 12;
        break;
    case 0x0001: /* core: ATAPI, device busy events */
        p[2] = 0x0B;
        p[3] = 8;
        put32(p + 4, 2);
        p[8] = 0x01;
        len = 12;
        break;
    case 0x0002: /* morphing: operational change events, polled */
        p[2] = 0x07;
        p[3] = 4;
        p[4] = 0x02;
        len = 8;
        break;
    case 0x0003: /* removable medium: tray, eject, lock */
        p[2] = 0x03;
        p[3] = 4;
        p[4] = 0x29;
        len = 8;
        break;
    case 0x0010: /* random readable */
        p[2] = medium;
        p[3] = 8;
        put32(p + 4, ATAPI_BLOCK);
        put16(p + 8, profile == PROFILE_DVD_ROM ? 16 : 1);
        len = 12;
        break;
    case 0x001E: /* CD read */
        p[2] = 0x08 | (profile == PROFILE_CD_ROM);
        p[3] = 4;
        len = 8;
        break;
    case 0x001F: /* DVD read */
        p[2] = profile == PROFILE_DVD_ROM;
        len = 4;
        break;
    default:
        return 0;
    }
    return len;
}

static void get_configuration(atapi_t *a, const uint8_t *cdb, uint8_t *buf, atapi_reply_t *r)
{
    static const uint16_t codes[] = {0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001E, 0x001F};
    unsigned rt = cdb[1] & 3;
    uint16_t start = (uint16_t)get16(cdb + 2);
    if (rt == 3) {
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(buf, 0, 8);
    put16(buf + 6, current_profile(a));
    uint32_t len = 8;
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        uint16_t code = codes[k];
        if (code < start || (rt == 2 && code != start))
            continue;
        uint32_t n = feature(a, code, buf + len);
        if (rt == 1 && !(buf[len + 2] & 1)) /* only the current ones */
            continue;
        len += n;
    }
    put32(buf, len - 4);
    reply(r, len, get16(cdb + 7));
}

static void get_event_status(atapi_t *a, const uint8_t *cdb, uint8_t *buf, atapi_reply_t *r)
{
    if (!(cdb[1] & 1)) { /* asynchronous notification is not supported */
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    uint32_t len = 4;
    buf[3] = 0x10; /* supported classes: media */
    if (cdb[4] & 0x10) {
        buf[2] = 0x04; /* media class */
        buf[4] = a->media_event;
        buf[5] = (uint8_t)((a->medium ? 0x02 : 0) | (a->tray_open ? 0x01 : 0));
        buf[6] = buf[7] = 0;
        a->media_event = EVENT_NONE;
        len = 8;
    } else {
        buf[2] = 0x80; /* no event available in the requested classes */
    }
    put16(buf, len - 2);
    reply(r, len, get16(cdb + 7));
}

static void start_stop(atapi_t *a, const uint8_t *cdb, atapi_reply_t *r)
{
    bool start = cdb[4] & 1, load_eject = cdb[4] & 2;
    if (!load_eject)
        return; /* spinning up or down: nothing to do */
    if (!start) {
        if (a->prevent_removal) {
            check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 2);
            return;
        }
        if (!a->tray_open && a->medium)
            a->media_event = EVENT_MEDIA_REMOVAL;
        a->tray_open = true;
    } else if (a->tray_open) {
        a->tray_open = false;
        if (a->medium) {
            a->unit_attention = true;
            a->media_event = EVENT_NEW_MEDIA;
        }
    }
}

static void read_blocks(atapi_t *a, uint64_t lba, uint64_t count, atapi_reply_t *r)
{
    if (!ready(a, r))
        return;
    if (lba + count > blocks(a)) {
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    r->read_lba = lba;
    r->read_blocks = (uint32_t)count;
}

void atapi_command(atapi_t *a, const uint8_t cdb[12], uint8_t *buf, uint32_t bufsize,
                   atapi_reply_t *r)
{
    (void)bufsize; /* every reply here is under 256 bytes */
    *r = (atapi_reply_t){0};
    switch (cdb[0]) {
    case 0x00: /* TEST UNIT READY */
        ready(a, r);
        break;
    case 0x03: /* REQUEST SENSE */
        if (a->unit_attention) {
            a->unit_attention = false;
            set_sense(a, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        }
        memset(buf, 0, 18);
        buf[0] = 0x70; /* current error, fixed format */
        buf[2] = a->sense_key;
        buf[7] = 10;
        buf[12] = a->asc;
        buf[13] = a->ascq;
        set_sense(a, SENSE_NONE, 0, 0);
        reply(r, 18, cdb[4]);
        return; /* keeps the sense it just cleared from being set again */
    case 0x12: /* INQUIRY */
        if (cdb[1] & 1) { /* vital product data pages: none */
            check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            break;
        }
        memset(buf, 0, 36);
        buf[0] = 0x05; /* CD/DVD device */
        buf[1] = 0x80; /* removable */
        buf[2] = 0x05; /* SPC-3 */
        buf[3] = 0x02; /* response data format */
        buf[4] = 31;
        memcpy(buf + 8, "X86SIM  ", 8);
        memcpy(buf + 16, "DVD-ROM         ", 16);
        memcpy(buf + 32, "1.0 ", 4);
        reply(r, 36, get16(cdb + 3));
        break;
    case 0x1B: /* START STOP UNIT */
        start_stop(a, cdb, r);
        break;
    case 0x1E: /* PREVENT ALLOW MEDIUM REMOVAL */
        a->prevent_removal = cdb[4] & 1;
        break;
    case 0x25: /* READ CAPACITY */
        if (!ready(a, r))
            break;
        put32(buf, blocks(a) - 1);
        put32(buf + 4, ATAPI_BLOCK);
        reply(r, 8, 8);
        break;
    case 0x28: /* READ(10) */
        read_blocks(a, get32(cdb + 2), get16(cdb + 7), r);
        break;
    case 0xA8: /* READ(12) */
        read_blocks(a, get32(cdb + 2), get32(cdb + 6), r);
        break;
    case 0x2B: /* SEEK(10) */
        read_blocks(a, get32(cdb + 2), 1, r);
        r->read_blocks = 0;
        break;
    case 0x43: /* READ TOC/PMA/ATIP */
        read_toc(a, cdb, buf, r);
        break;
    case 0x5A: /* MODE SENSE(10) */
        mode_sense(a, cdb, buf, r);
        break;
    case 0x46: /* GET CONFIGURATION */
        get_configuration(a, cdb, buf, r);
        break;
    case 0x4A: /* GET EVENT STATUS NOTIFICATION */
        get_event_status(a, cdb, buf, r);
        break;
    case 0xBD: /* MECHANISM STATUS: no changer, idle, no slots */
        if (a->unit_attention && !ready(a, r))
            break;
        memset(buf, 0, 8);
        buf[1] = a->tray_open ? 0x10 : 0;
        reply(r, 8, get16(cdb + 8));
        break;
    default:
        check_condition(a, r, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
        return;
    }
    if (!r->check_condition)
        set_sense(a, SENSE_NONE, 0, 0);
}
