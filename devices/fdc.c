/* 82077AA floppy disk controller (see fdc.h). */
#include "fdc.h"

#include <string.h>

/* Registers (offset from 0x3F0). */
enum { REG_SRA = 0, REG_SRB = 1, REG_DOR = 2, REG_TDR = 3, REG_MSR_DSR = 4, REG_FIFO = 5,
       REG_DIR_CCR = 7 };

#define DOR_NRESET 0x04
#define DOR_DMA_IRQ 0x08

#define MSR_RQM 0x80
#define MSR_DIO 0x40
#define MSR_NDMA 0x20
#define MSR_CB 0x10

#define ST0_ABNORMAL 0x40
#define ST0_INVALID 0x80
#define ST0_POLLED 0xC0
#define ST0_SEEK_END 0x20
#define ST1_MISSING_AM 0x01
#define ST1_NOT_WRITABLE 0x02
#define ST1_NO_DATA 0x04
#define ST1_OVERRUN 0x10
#define ST1_END_OF_CYLINDER 0x80
#define ST2_BAD_CYLINDER 0x02
#define ST2_WRONG_CYLINDER 0x10
#define ST3_WRITE_PROTECT 0x40
#define ST3_READY 0x20
#define ST3_TRACK0 0x10
#define ST3_TWO_SIDE 0x08

#define CONFIG_EIS 0x40
#define CONFIG_EFIFO 0x20
#define CONFIG_POLL 0x10
#define SPECIFY_ND 0x01

#define SECTOR_BYTES 512
#define SECTOR_CODE 2 /* N: 128 << 2 = 512 */

/* Delays: long enough that a guest sees the controller busy, short enough
 * not to slow a boot. */
#define FDC_EXEC_DELAY_NS 50000u
#define FDC_SEEK_DELAY_NS 100000u
#define FDC_RESET_DELAY_NS 10000u

/* Data-rate codes: 0 = 500, 1 = 300, 2 = 250, 3 = 1000 kbit/s. */
static const fdc_format_t formats[] = {
    {163840, 40, 1, 8, 0x06, 1},  {184320, 40, 1, 9, 0x06, 1},  {327680, 40, 2, 8, 0x06, 1},
    {368640, 40, 2, 9, 0x06, 1},  {737280, 80, 2, 9, 0x04, 3},  {1228800, 80, 2, 15, 0x01, 2},
    {1474560, 80, 2, 18, 0x01, 4}, {1720320, 80, 2, 21, 0x01, 4}, {2949120, 80, 2, 36, 0x08, 5},
};

enum { CMD_READ, CMD_WRITE, CMD_READ_ID, CMD_FORMAT, CMD_RECALIBRATE, CMD_SENSE_INT, CMD_SPECIFY,
       CMD_SENSE_DRIVE, CMD_SEEK, CMD_VERSION, CMD_DUMPREG, CMD_PERPENDICULAR, CMD_CONFIGURE,
       CMD_LOCK, CMD_INVALID };

static const struct {
    uint8_t mask, value, len, id;
} commands[] = {
    {0x1F, 0x06, 9, CMD_READ},        {0x3F, 0x05, 9, CMD_WRITE},
    {0xBF, 0x0A, 2, CMD_READ_ID},     {0xBF, 0x0D, 6, CMD_FORMAT},
    {0xFF, 0x07, 2, CMD_RECALIBRATE}, {0xFF, 0x08, 1, CMD_SENSE_INT},
    {0xFF, 0x03, 3, CMD_SPECIFY},     {0xFF, 0x04, 2, CMD_SENSE_DRIVE},
    {0xFF, 0x0F, 3, CMD_SEEK},        {0xFF, 0x10, 1, CMD_VERSION},
    {0xFF, 0x0E, 1, CMD_DUMPREG},     {0xFF, 0x12, 2, CMD_PERPENDICULAR},
    {0xFF, 0x13, 4, CMD_CONFIGURE},   {0x7F, 0x14, 1, CMD_LOCK},
};

static int command_id(uint8_t opcode)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if ((opcode & commands[k].mask) == commands[k].value)
            return commands[k].id;
    return CMD_INVALID;
}

static unsigned command_length(uint8_t opcode)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if ((opcode & commands[k].mask) == commands[k].value)
            return commands[k].len;
    return 1;
}

/* ---------------------------------------------------------------- interrupt */

static void update_irq(fdc_t *f)
{
    irq_set(&f->irq, f->int_pending && (f->dor & DOR_DMA_IRQ));
}

static void raise_interrupt(fdc_t *f)
{
    f->int_pending = true;
    update_irq(f);
}

static void lower_interrupt(fdc_t *f)
{
    f->int_pending = false;
    update_irq(f);
}

/* ---------------------------------------------------------------- phases */

static void enter_result(fdc_t *f, const uint8_t *bytes, unsigned n, bool interrupt)
{
    memcpy(f->result, bytes, n);
    f->result_len = n;
    f->result_pos = 0;
    f->phase = FDC_RESULT;
    if (interrupt)
        raise_interrupt(f);
}

static void enter_command(fdc_t *f)
{
    f->phase = FDC_COMMAND;
    f->cmd_pos = 0;
}

/* ST0 ST1 ST2 C H R N, ending a data command. */
static void finish_transfer(fdc_t *f)
{
    uint8_t r[7] = {f->xfer.st0, f->xfer.st1, f->xfer.st2, f->xfer.c, f->xfer.h, f->xfer.r,
                    f->xfer.n};
    enter_result(f, r, 7, true);
}

static void fail_transfer(fdc_t *f, uint8_t st1, uint8_t st2)
{
    f->xfer.st0 |= ST0_ABNORMAL;
    f->xfer.st1 |= st1;
    f->xfer.st2 |= st2;
    finish_transfer(f);
}

static void controller_reset(fdc_t *f)
{
    timer_disarm(&f->exec_timer);
    f->reset_irq_due = false;
    enter_command(f);
    lower_interrupt(f);
    f->pending_mask = 0;
    f->busy_mask = 0;
    f->perpendicular &= 0x3C; /* GAP and WGATE clear; the drive bits stay */
    if (!f->lock) {
        f->config = CONFIG_EFIFO; /* FIFO off, polling on, implied seek off */
        f->pretrk = 0;
    }
    for (int d = 0; d < FDC_DRIVES; d++)
        f->drive[d].seek_done_at = 0;
    timer_disarm(&f->seek_timer);
}

/* Leaving reset: with drive polling on, the controller reports a ready
 * change for each of the four drives (four SENSE INTERRUPTs). */
static void reset_done(fdc_t *f)
{
    if (!(f->config & CONFIG_POLL)) {
        for (int d = 0; d < 4; d++)
            f->pending_st0[d] = ST0_POLLED | (uint8_t)d;
        f->pending_mask = 0x0F;
    }
    raise_interrupt(f);
}

/* ---------------------------------------------------------------- sectors */

static fdc_drive_t *drive_of(fdc_t *f, int unit)
{
    return unit < FDC_DRIVES ? &f->drive[unit] : NULL;
}

/* Whether the drive can read the medium at the programmed data rate: on a
 * real drive a wrong rate finds no address marks at all. */
static bool readable(const fdc_t *f, const fdc_drive_t *d)
{
    return d && d->disk && (d->format->rates & (1u << f->rate));
}

/* Validates the current sector address against the track under the head;
 * on success gives its offset in the image. */
static bool locate_sector(fdc_t *f, uint64_t *offset)
{
    fdc_drive_t *d = drive_of(f, f->xfer.drive);
    if (!readable(f, d)) {
        fail_transfer(f, ST1_MISSING_AM, 0);
        return false;
    }
    const fdc_format_t *fmt = d->format;
    if (f->xfer.c != d->cylinder || d->cylinder >= fmt->cylinders) {
        fail_transfer(f, ST1_NO_DATA, f->xfer.c == 0xFF ? ST2_BAD_CYLINDER : ST2_WRONG_CYLINDER);
        return false;
    }
    if (f->xfer.h != d->head || d->head >= fmt->heads || f->xfer.n != SECTOR_CODE ||
        f->xfer.r < 1 || f->xfer.r > fmt->sectors) {
        fail_transfer(f, ST1_NO_DATA, 0);
        return false;
    }
    *offset = (((uint64_t)d->cylinder * fmt->heads + d->head) * fmt->sectors + f->xfer.r - 1) *
              SECTOR_BYTES;
    return true;
}

/* Moves to the next sector; false at the end of the track (or cylinder
 * with MT), leaving C H R as the data sheet's result table says. */
static bool advance_sector(fdc_t *f)
{
    if (f->xfer.r != f->xfer.eot) {
        f->xfer.r++;
        return true;
    }
    f->xfer.r = 1;
    if (f->xfer.multitrack && f->xfer.h == 0) {
        f->xfer.h = 1;
        f->drive[f->xfer.drive].head = 1;
        f->xfer.st0 |= 0x04;
        return true;
    }
    if (f->xfer.multitrack)
        f->xfer.h = 0; /* ST0 keeps head 1: the last sector was there */
    f->xfer.c++;
    return false;
}

/* READ DATA / WRITE DATA through DMA: sector by sector until terminal
 * count or the end of the track. */
static void dma_data_transfer(fdc_t *f)
{
    uint8_t sector[SECTOR_BYTES];
    fdc_drive_t *d = &f->drive[f->xfer.drive];
    for (;;) {
        uint64_t offset;
        if (!locate_sector(f, &offset))
            return;
        bool tc = false;
        uint32_t moved;
        if (f->xfer.write) {
            moved = dma_transfer(f->dma, FDC_DMA_CHANNEL, sector, SECTOR_BYTES, false, &tc);
            if (moved == 0) {
                fail_transfer(f, ST1_OVERRUN, 0);
                return;
            }
            memset(sector + moved, 0, SECTOR_BYTES - moved); /* TC mid-sector: zero fill */
            if (!disk_write(d->disk, offset, sector, SECTOR_BYTES)) {
                fail_transfer(f, ST1_NOT_WRITABLE, 0);
                return;
            }
        } else {
            if (!disk_read(d->disk, offset, sector, SECTOR_BYTES)) {
                fail_transfer(f, ST1_NO_DATA, 0);
                return;
            }
            moved = dma_transfer(f->dma, FDC_DMA_CHANNEL, sector, SECTOR_BYTES, true, &tc);
            if (moved == 0) {
                fail_transfer(f, ST1_OVERRUN, 0);
                return;
            }
        }
        d->next_id = f->xfer.r;
        bool more = advance_sector(f);
        if (tc) {
            finish_transfer(f);
            return;
        }
        if (!more) {
            /* No terminal count before the end of the track. */
            fail_transfer(f, ST1_END_OF_CYLINDER, 0);
            return;
        }
    }
}

/* Non-DMA mode: the data goes through the FIFO a sector at a time.  A PC
 * cannot raise TC by software, so such transfers end at the end of the
 * track.  Reads fetch the current sector; writes only check it exists. */
static void pio_start_sector(fdc_t *f)
{
    uint64_t offset;
    if (!locate_sector(f, &offset))
        return;
    if (!f->xfer.write && !disk_read(f->drive[f->xfer.drive].disk, offset, f->buf, SECTOR_BYTES)) {
        fail_transfer(f, ST1_NO_DATA, 0);
        return;
    }
    f->xfer.pos = 0;
    raise_interrupt(f); /* non-DMA: the interrupt asks for data */
}

static void pio_sector_done(fdc_t *f)
{
    fdc_drive_t *d = &f->drive[f->xfer.drive];
    if (f->xfer.write) {
        uint64_t offset;
        if (!locate_sector(f, &offset))
            return;
        if (!disk_write(d->disk, offset, f->buf, SECTOR_BYTES)) {
            fail_transfer(f, ST1_NOT_WRITABLE, 0);
            return;
        }
    }
    d->next_id = f->xfer.r;
    if (!advance_sector(f))
        fail_transfer(f, ST1_END_OF_CYLINDER, 0);
    else
        pio_start_sector(f);
}

static bool dma_mode(const fdc_t *f)
{
    return !(f->specify[1] & SPECIFY_ND);
}

/* ---------------------------------------------------------------- commands */

/* Moves the head; step pulses with a disk in the drive clear its change
 * line (a seek to where the head already is sends none). */
static void step_to(fdc_drive_t *d, uint8_t cylinder)
{
    if (d->cylinder != cylinder && d->disk)
        d->disk_changed = false;
    d->cylinder = cylinder;
}

static void start_seek(fdc_t *f, int unit, uint8_t cylinder, uint8_t head)
{
    fdc_drive_t *d = drive_of(f, unit);
    f->busy_mask |= 1u << unit;
    f->pending_st0[unit] = ST0_SEEK_END | (uint8_t)(head << 2) | (uint8_t)unit;
    if (d) {
        step_to(d, cylinder);
        d->head = head;
        d->seek_done_at = clock_now(f->clock) + FDC_SEEK_DELAY_NS;
        if (!f->seek_timer.armed || d->seek_done_at < f->seek_timer.deadline)
            timer_arm(&f->seek_timer, d->seek_done_at);
    } else {
        /* No drive: the seek ends at once (no track-0 signal would come; the
         * 82077AA reports the seek as ended all the same). */
        f->pending_mask |= 1u << unit;
        raise_interrupt(f);
    }
}

static void seek_timer_fired(void *opaque)
{
    fdc_t *f = opaque;
    uint64_t now = clock_now(f->clock), next = CLOCK_NEVER;
    for (int u = 0; u < FDC_DRIVES; u++) {
        fdc_drive_t *d = &f->drive[u];
        if (!d->seek_done_at)
            continue;
        if (d->seek_done_at <= now) {
            d->seek_done_at = 0;
            f->pending_mask |= 1u << u;
            raise_interrupt(f);
        } else if (d->seek_done_at < next) {
            next = d->seek_done_at;
        }
    }
    if (next != CLOCK_NEVER)
        timer_arm(&f->seek_timer, next);
}

static void begin_data_command(fdc_t *f, bool write)
{
    const uint8_t *c = f->cmd;
    int unit = c[1] & 3;
    uint8_t head = (c[1] >> 2) & 1;
    f->xfer.drive = unit;
    f->xfer.c = c[2], f->xfer.h = c[3], f->xfer.r = c[4], f->xfer.n = c[5], f->xfer.eot = c[6];
    f->xfer.multitrack = c[0] & 0x80;
    f->xfer.write = write;
    f->xfer.st0 = (uint8_t)(head << 2 | unit);
    f->xfer.st1 = f->xfer.st2 = 0;
    f->xfer.pos = 0;
    f->last_eot = c[6];
    fdc_drive_t *d = drive_of(f, unit);
    if (d) {
        d->head = head;
        if (f->config & CONFIG_EIS) /* implied seek: no interrupt of its own */
            step_to(d, f->xfer.c);
    }
    f->phase = FDC_EXECUTION;
    timer_arm(&f->exec_timer, clock_now(f->clock) + FDC_EXEC_DELAY_NS);
}

static void exec_timer_fired(void *opaque)
{
    fdc_t *f = opaque;
    if (f->phase != FDC_EXECUTION)
        return;
    int op = command_id(f->cmd[0]);
    fdc_drive_t *d = drive_of(f, f->xfer.drive);
    if (op == CMD_READ_ID) {
        if (!readable(f, d)) {
            fail_transfer(f, ST1_MISSING_AM, 0);
            return;
        }
        d->next_id = (uint8_t)(d->next_id % d->format->sectors + 1);
        f->xfer.c = d->cylinder, f->xfer.h = d->head, f->xfer.r = d->next_id;
        f->xfer.n = SECTOR_CODE;
        finish_transfer(f);
        return;
    }
    if (op == CMD_FORMAT) {
        if (!readable(f, d)) {
            fail_transfer(f, ST1_MISSING_AM, 0);
            return;
        }
        if (d->disk->read_only) {
            fail_transfer(f, ST1_NOT_WRITABLE, 0);
            return;
        }
        /* The image keeps its geometry: a format must lay out the track
         * the same way (N = 2, the format's sector count). */
        uint8_t sectors = f->cmd[3], fill = f->cmd[5];
        if (f->cmd[2] != SECTOR_CODE || sectors != d->format->sectors) {
            fail_transfer(f, ST1_NO_DATA, 0);
            return;
        }
        uint8_t ids[4 * 36], data[SECTOR_BYTES];
        bool tc;
        if (dma_transfer(f->dma, FDC_DMA_CHANNEL, ids, 4u * sectors, false, &tc) != 4u * sectors) {
            fail_transfer(f, ST1_OVERRUN, 0);
            return;
        }
        memset(data, fill, sizeof data);
        for (unsigned k = 0; k < sectors; k++) {
            f->xfer.c = ids[4 * k], f->xfer.h = ids[4 * k + 1], f->xfer.r = ids[4 * k + 2];
            f->xfer.n = ids[4 * k + 3];
            uint64_t offset;
            if (!locate_sector(f, &offset))
                return;
            if (!disk_write(d->disk, offset, data, SECTOR_BYTES)) {
                fail_transfer(f, ST1_NOT_WRITABLE, 0);
                return;
            }
        }
        finish_transfer(f);
        return;
    }
    /* READ DATA / WRITE DATA */
    if (f->xfer.write && d && d->disk && d->disk->read_only) {
        fail_transfer(f, ST1_NOT_WRITABLE, 0);
        return;
    }
    if (dma_mode(f)) {
        if (!(f->dor & DOR_DMA_IRQ)) {
            fail_transfer(f, ST1_OVERRUN, 0); /* DRQ gated off: nobody serves it */
            return;
        }
        dma_data_transfer(f);
        return;
    }
    pio_start_sector(f);
}

static void command_complete(fdc_t *f)
{
    uint8_t *c = f->cmd;
    int unit = c[1] & 3;
    fdc_drive_t *d = drive_of(f, unit);
    uint8_t r[10];
    switch (command_id(c[0])) {
    case CMD_READ:
    case CMD_WRITE:
        begin_data_command(f, command_id(c[0]) == CMD_WRITE);
        break;
    case CMD_READ_ID:
    case CMD_FORMAT:
        f->xfer.drive = unit;
        f->xfer.st0 = (uint8_t)((c[1] & 4) | unit);
        f->xfer.st1 = f->xfer.st2 = 0;
        if (d)
            d->head = (c[1] >> 2) & 1;
        f->phase = FDC_EXECUTION;
        timer_arm(&f->exec_timer, clock_now(f->clock) + FDC_EXEC_DELAY_NS);
        break;
    case CMD_RECALIBRATE:
        enter_command(f);
        start_seek(f, unit, 0, 0);
        break;
    case CMD_SEEK:
        enter_command(f);
        start_seek(f, unit, c[2], (c[1] >> 2) & 1);
        break;
    case CMD_SENSE_INT: {
        lower_interrupt(f);
        if (!f->pending_mask) {
            r[0] = ST0_INVALID;
            enter_result(f, r, 1, false);
            break;
        }
        int u = __builtin_ctz(f->pending_mask);
        f->pending_mask &= (uint8_t)~(1u << u);
        f->busy_mask &= (uint8_t)~(1u << u);
        r[0] = f->pending_st0[u];
        r[1] = drive_of(f, u) ? f->drive[u].cylinder : 0;
        enter_result(f, r, 2, false);
        if (f->pending_mask)
            raise_interrupt(f);
        break;
    }
    case CMD_SPECIFY:
        f->specify[0] = c[1];
        f->specify[1] = c[2];
        enter_command(f);
        break;
    case CMD_SENSE_DRIVE:
        if (d)
            d->head = (c[1] >> 2) & 1;
        r[0] = (uint8_t)((c[1] & 7) | ST3_READY | ST3_TWO_SIDE);
        if (d && d->cylinder == 0)
            r[0] |= ST3_TRACK0;
        if (d && d->disk && d->disk->read_only)
            r[0] |= ST3_WRITE_PROTECT;
        enter_result(f, r, 1, false);
        break;
    case CMD_VERSION:
        r[0] = 0x90; /* 82077AA (an 8272A/765 answers 0x80: invalid) */
        enter_result(f, r, 1, false);
        break;
    case CMD_DUMPREG:
        for (int u = 0; u < 4; u++)
            r[u] = drive_of(f, u) ? f->drive[u].cylinder : 0;
        r[4] = f->specify[0];
        r[5] = f->specify[1];
        r[6] = f->last_eot;
        r[7] = (uint8_t)((f->lock ? 0x80 : 0) | (f->perpendicular & 0x3F));
        r[8] = f->config;
        r[9] = f->pretrk;
        enter_result(f, r, 10, false);
        break;
    case CMD_PERPENDICULAR:
        f->perpendicular = (c[1] & 0x80) ? (c[1] & 0x3F) : (uint8_t)((f->perpendicular & 0x3C) | (c[1] & 3));
        enter_command(f);
        break;
    case CMD_CONFIGURE:
        f->config = c[2] & 0x7F;
        f->pretrk = c[3];
        enter_command(f);
        break;
    case CMD_LOCK:
        f->lock = c[0] & 0x80;
        r[0] = f->lock ? 0x10 : 0;
        enter_result(f, r, 1, false);
        break;
    default:
        r[0] = ST0_INVALID;
        enter_result(f, r, 1, false);
        break;
    }
}

/* ---------------------------------------------------------------- registers */

static uint8_t main_status(const fdc_t *f)
{
    uint8_t busy = f->busy_mask & 0x0F;
    if (f->in_reset)
        return 0;
    switch (f->phase) {
    case FDC_COMMAND: return (uint8_t)(MSR_RQM | (f->cmd_pos ? MSR_CB : 0) | busy);
    case FDC_RESULT: return (uint8_t)(MSR_RQM | MSR_DIO | MSR_CB | busy);
    case FDC_EXECUTION:
        if (!dma_mode(f) && !f->exec_timer.armed)
            return (uint8_t)(MSR_RQM | MSR_NDMA | MSR_CB | (f->xfer.write ? 0 : MSR_DIO) | busy);
        return (uint8_t)(MSR_CB | busy);
    }
    return 0;
}

static uint8_t fifo_read(fdc_t *f)
{
    if (f->phase == FDC_EXECUTION && !dma_mode(f) && !f->xfer.write && !f->exec_timer.armed) {
        uint8_t v = f->buf[f->xfer.pos++];
        lower_interrupt(f);
        if (f->xfer.pos == SECTOR_BYTES)
            pio_sector_done(f);
        return v;
    }
    if (f->phase != FDC_RESULT)
        return 0xFF;
    if (f->result_pos == 0)
        lower_interrupt(f);
    uint8_t v = f->result[f->result_pos++];
    if (f->result_pos == f->result_len)
        enter_command(f);
    return v;
}

static void fifo_write(fdc_t *f, uint8_t v)
{
    if (f->phase == FDC_EXECUTION && !dma_mode(f) && f->xfer.write && !f->exec_timer.armed) {
        f->buf[f->xfer.pos++] = v;
        lower_interrupt(f);
        if (f->xfer.pos == SECTOR_BYTES)
            pio_sector_done(f);
        return;
    }
    if (f->phase != FDC_COMMAND)
        return;
    if (f->cmd_pos == 0) {
        f->cmd_len = command_length(v);
        lower_interrupt(f);
    }
    f->cmd[f->cmd_pos++] = v;
    if (f->cmd_pos == f->cmd_len)
        command_complete(f);
}

static void leave_reset(fdc_t *f)
{
    f->reset_irq_due = true;
    timer_arm(&f->exec_timer, clock_now(f->clock) + FDC_RESET_DELAY_NS);
}

static uint32_t fdc_read(void *opaque, uint16_t port, unsigned size)
{
    fdc_t *f = opaque;
    (void)size;
    switch (port & 7) {
    case REG_DOR: return f->dor;
    case REG_TDR: return f->tdr & 3;
    case REG_MSR_DSR: return main_status(f);
    case REG_FIFO: return f->in_reset ? 0xFF : fifo_read(f);
    case REG_DIR_CCR: {
        fdc_drive_t *d = drive_of(f, f->dor & 3);
        return d && d->disk_changed ? 0x80 : 0x00;
    }
    default: return 0xFF; /* SRA/SRB exist only in PS/2 mode */
    }
}

static void fdc_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    fdc_t *f = opaque;
    uint8_t v = (uint8_t)value;
    (void)size;
    switch (port & 7) {
    case REG_DOR: {
        bool was_reset = f->in_reset;
        f->dor = v;
        f->in_reset = !(v & DOR_NRESET);
        if (f->in_reset && !was_reset)
            controller_reset(f);
        else if (!f->in_reset && was_reset)
            leave_reset(f);
        update_irq(f);
        break;
    }
    case REG_TDR: f->tdr = v & 3; break;
    case REG_MSR_DSR:
        f->rate = v & 3;
        if (v & 0x80) { /* software reset, self-clearing */
            controller_reset(f);
            leave_reset(f);
        }
        break;
    case REG_FIFO:
        if (!f->in_reset)
            fifo_write(f, v);
        break;
    case REG_DIR_CCR: f->rate = v & 3; break;
    }
}

/* The execution timer also ends a reset. */
static void timer_fired(void *opaque)
{
    fdc_t *f = opaque;
    if (f->in_reset)
        return;
    if (f->reset_irq_due) {
        f->reset_irq_due = false;
        reset_done(f);
    }
    if (f->phase == FDC_EXECUTION)
        exec_timer_fired(f);
}

void fdc_reset(fdc_t *f)
{
    f->dor = 0;
    f->tdr = 0;
    f->rate = 2;
    f->in_reset = true;
    f->lock = false;
    f->perpendicular = 0;
    memset(f->specify, 0, sizeof f->specify);
    controller_reset(f);
    for (int u = 0; u < FDC_DRIVES; u++) {
        f->drive[u].cylinder = 0;
        f->drive[u].head = 0;
        f->drive[u].disk_changed = true; /* the change line is set at power-on */
    }
}

bool fdc_init(fdc_t *f, ioport_bus_t *io, vclock_t *clock, dma_t *dma, irq_line_t irq)
{
    memset(f, 0, sizeof *f);
    f->irq = irq;
    f->dma = dma;
    f->clock = clock;
    if (!clock_add_timer(clock, &f->exec_timer, timer_fired, f, "fdc") ||
        !clock_add_timer(clock, &f->seek_timer, seek_timer_fired, f, "fdc-seek"))
        return false;
    fdc_reset(f);
    return ioport_register(io, 0x3F0, 6, fdc_read, fdc_write, f, "fdc") &&
           ioport_register(io, 0x3F7, 1, fdc_read, fdc_write, f, "fdc-dir");
}

bool fdc_insert(fdc_t *f, int unit, disk_t *disk, char *err, size_t errlen)
{
    fdc_drive_t *d = &f->drive[unit];
    const fdc_format_t *fmt = NULL;
    for (size_t k = 0; disk && k < sizeof formats / sizeof formats[0]; k++)
        if (formats[k].bytes == disk->size)
            fmt = &formats[k];
    if (disk && !fmt) {
        snprintf(err, errlen,
                 "%s: %llu bytes is not a floppy format (160K, 180K, 320K, 360K, 720K, 1.2M, "
                 "1.44M, 1.68M or 2.88M)",
                 disk->path, (unsigned long long)disk->size);
        return false;
    }
    d->disk = disk;
    d->format = fmt;
    d->disk_changed = true;
    return true;
}

uint8_t fdc_cmos_type(const fdc_t *f, int unit)
{
    const fdc_drive_t *d = &f->drive[unit];
    return d->format ? d->format->cmos_type : 0;
}
