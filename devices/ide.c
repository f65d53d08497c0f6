/* PIIX3 IDE: ATA/ATAPI channels and the bus-master DMA engine (see ide.h).
 * References: ATA/ATAPI-6 and -7 (T13), the PIIX3 data sheet (bus-master
 * registers, PRD format), SFF-8020i (ATAPI handshake). */
#include "ide.h"

#include <stdlib.h>
#include <string.h>

/* Status register */
#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DSC 0x10
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define ST_READY (ST_DRDY | ST_DSC)

/* Error register */
#define ERR_UNC 0x40
#define ERR_IDNF 0x10
#define ERR_ABRT 0x04

/* Device control register */
#define DEVCTL_NIEN 0x02
#define DEVCTL_SRST 0x04
#define DEVCTL_HOB 0x80

/* Device register */
#define DEV_LBA 0x40
#define DEV_DRV 0x10

/* ATAPI interrupt reason (the sector count register) */
#define IREASON_COD 0x01
#define IREASON_IO 0x02

/* Bus-master registers */
#define BM_CMD_START 0x01
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_INTERRUPT 0x04
#define BM_ST_DMA_CAPABLE 0x60

#define PCI_COMMAND_BUS_MASTER 0x04

#define SECTOR 512u
#define PACKET_BYTES 12u

/* Long enough for a guest to see BSY after writing a command, far shorter
 * than any guest timeout. */
#define IDE_COMMAND_DELAY_NS 2000u
#define IDE_RESET_DELAY_NS 10000u

/* Read and write commands: how each moves its data. */
enum { RW_WRITE = 1, RW_LBA48 = 2, RW_MULTIPLE = 4, RW_DMA = 8, RW_VERIFY = 16 };

static const struct {
    uint8_t opcode, flags;
} rw_commands[] = {
    {0x20, 0},                       {0x21, 0},                      /* READ SECTORS */
    {0x24, RW_LBA48},                                                /* READ SECTORS EXT */
    {0x29, RW_LBA48 | RW_MULTIPLE},  {0xC4, RW_MULTIPLE},            /* READ MULTIPLE (EXT) */
    {0xC8, RW_DMA},                  {0xC9, RW_DMA},                 /* READ DMA */
    {0x25, RW_DMA | RW_LBA48},                                       /* READ DMA EXT */
    {0x30, RW_WRITE},                {0x31, RW_WRITE},               /* WRITE SECTORS */
    {0x34, RW_WRITE | RW_LBA48},                                     /* WRITE SECTORS EXT */
    {0x39, RW_WRITE | RW_LBA48 | RW_MULTIPLE},                       /* WRITE MULTIPLE EXT */
    {0xC5, RW_WRITE | RW_MULTIPLE},                                  /* WRITE MULTIPLE */
    {0xCA, RW_WRITE | RW_DMA},       {0xCB, RW_WRITE | RW_DMA},      /* WRITE DMA */
    {0x35, RW_WRITE | RW_DMA | RW_LBA48},                            /* WRITE DMA EXT */
    {0x40, RW_VERIFY},               {0x41, RW_VERIFY},              /* READ VERIFY */
    {0x42, RW_VERIFY | RW_LBA48},                                    /* READ VERIFY EXT */
};

static int rw_flags(uint8_t opcode)
{
    for (size_t k = 0; k < sizeof rw_commands / sizeof rw_commands[0]; k++)
        if (rw_commands[k].opcode == opcode)
            return rw_commands[k].flags;
    return -1;
}

static ide_drive_t *selected(ide_channel_t *ch)
{
    return &ch->drive[ch->sel];
}

static bool channel_populated(const ide_channel_t *ch)
{
    return ch->drive[0].kind != IDE_NONE || ch->drive[1].kind != IDE_NONE;
}

/* The image behind a drive's data commands. */
static disk_t *drive_image(ide_drive_t *d)
{
    return d->kind == IDE_ATAPI ? d->atapi.medium : d->disk;
}

/* ---------------------------------------------------------------- interrupt */

static void update_irq(ide_channel_t *ch)
{
    irq_set(&ch->irq, ch->intrq && !(ch->devctl & DEVCTL_NIEN));
}

static void raise_irq(ide_channel_t *ch)
{
    if (!ch->intrq && !(ch->devctl & DEVCTL_NIEN))
        ch->bm_status |= BM_ST_INTERRUPT; /* the PIIX latches the rising edge */
    ch->intrq = true;
    update_irq(ch);
}

static void lower_irq(ide_channel_t *ch)
{
    ch->intrq = false;
    update_irq(ch);
}

/* ---------------------------------------------------------------- helpers */

static void schedule(ide_channel_t *ch, ide_action_t action, uint32_t delay_ns)
{
    ch->phase = IDE_BUSY;
    ch->pending = action;
    timer_arm(&ch->timer, clock_now(ch->ide->clock) + delay_ns);
}

static void set_signature(ide_drive_t *d)
{
    d->nsector = d->lbal = 1;
    d->lbam = d->kind == IDE_ATAPI ? 0x14 : 0;
    d->lbah = d->kind == IDE_ATAPI ? 0xEB : 0;
    d->device = 0;
    d->error = 0x01; /* diagnostics passed */
    d->status = d->kind == IDE_ATA ? ST_READY : 0;
}

static void command_done(ide_channel_t *ch, ide_drive_t *d)
{
    d->status = ST_READY;
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

static void command_error(ide_channel_t *ch, ide_drive_t *d, uint8_t error)
{
    d->error = error;
    d->status = ST_READY | ST_ERR;
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

/* The end of a packet command: I/O and C/D both set. */
static void packet_done(ide_channel_t *ch, ide_drive_t *d, bool check_condition)
{
    d->nsector = IREASON_IO | IREASON_COD;
    if (check_condition) {
        d->error = (uint8_t)(d->atapi.sense_key << 4);
        d->status = ST_READY | ST_ERR;
    } else {
        d->status = ST_READY;
    }
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

/* Sectors per track / heads chosen for an image, as BIOSes expect: the
 * largest ATA CHS geometry, 16 heads and 63 sectors whenever possible. */
static void default_geometry(ide_drive_t *d)
{
    uint64_t n = d->sectors;
    d->spt = n < 63 ? (uint16_t)n : 63;
    d->heads = n < 16u * 63 ? (uint16_t)(n / d->spt > 0 ? n / d->spt : 1) : 16;
    if (d->heads > 16)
        d->heads = 16;
    uint64_t cyl = n / ((uint64_t)d->heads * d->spt);
    d->cylinders = (uint16_t)(cyl > 16383 ? 16383 : cyl ? cyl : 1);
    d->cur_heads = d->heads;
    d->cur_spt = d->spt;
}

static uint32_t current_cylinders(const ide_drive_t *d)
{
    uint64_t cyl = d->sectors / ((uint64_t)d->cur_heads * d->cur_spt);
    return cyl > 65535 ? 65535 : (uint32_t)cyl;
}

/* ---------------------------------------------------------------- IDENTIFY */

/* ATA strings: two characters per word, the first in the high byte. */
static void put_string(uint16_t *w, const char *s, unsigned words)
{
    size_t len = strlen(s);
    for (unsigned k = 0; k < words; k++) {
        uint8_t hi = 2 * k < len ? (uint8_t)s[2 * k] : ' ';
        uint8_t lo = 2 * k + 1 < len ? (uint8_t)s[2 * k + 1] : ' ';
        w[k] = (uint16_t)(hi << 8 | lo);
    }
}

/* Words 63 and 88: supported modes, and the one selected by SET FEATURES. */
static void put_dma_modes(const ide_drive_t *d, uint16_t *w)
{
    w[63] = 0x0007; /* multiword DMA 0-2 */
    w[88] = 0x003F; /* Ultra DMA 0-5 */
    if ((d->transfer_mode & 0xF8) == 0x20)
        w[63] |= (uint16_t)(0x100 << (d->transfer_mode & 7));
    if ((d->transfer_mode & 0xF8) == 0x40)
        w[88] |= (uint16_t)(0x100 << (d->transfer_mode & 7));
}

static void build_identify(const ide_channel_t *ch, const ide_drive_t *d, uint8_t *out)
{
    uint16_t w[256] = {0};
    bool atapi = d->kind == IDE_ATAPI;
    put_string(w + 10, d->serial, 10);
    put_string(w + 23, "1.0", 4);
    put_string(w + 27, atapi ? "X86SIM DVD-ROM" : "X86SIM HARDDISK", 20);
    w[49] = 0x0B00;  /* IORDY, LBA, DMA */
    w[50] = 0x4000;
    w[51] = 0x0200;  /* PIO timing mode 2 (obsolete field) */
    w[53] = 0x0006;  /* words 64-70 and 88 valid */
    put_dma_modes(d, w);
    w[64] = 0x0003;  /* PIO modes 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120; /* cycle times, ns */
    w[80] = 0x00F0;  /* ATA/ATAPI-4 to -7 */
    /* Hardware reset result: bit 14 set, CBLID- above V_IL (80-wire);
     * device 0 or 1 determined by jumper, diagnostics passed. */
    w[93] = (uint16_t)(0x6000 | (ch->drive[1].kind != IDE_NONE ? 0x0B00 : 0) | 0x000B);
    if (atapi) {
        /* ATAPI, CD-ROM, removable, accelerated DRQ, 12-byte packets */
        w[0] = 0x8000 | 0x0500 | 0x0080 | 0x0040;
        w[82] = 0x0210;  /* DEVICE RESET, PACKET */
        w[83] = 0x4000;
        w[84] = 0x4000;
        w[85] = 0x0210;
        w[87] = 0x4000;
    } else {
        w[0] = 0x0040;   /* fixed disk */
        w[1] = d->cylinders;
        w[3] = d->heads;
        w[6] = d->spt;
        w[47] = 0x8000 | IDE_MAX_MULTIPLE;
        w[53] |= 0x0001; /* words 54-58 valid */
        uint32_t cur_cyl = current_cylinders(d);
        uint32_t cur_capacity = cur_cyl * d->cur_heads * d->cur_spt;
        w[54] = (uint16_t)cur_cyl;
        w[55] = d->cur_heads;
        w[56] = d->cur_spt;
        w[57] = (uint16_t)cur_capacity;
        w[58] = (uint16_t)(cur_capacity >> 16);
        w[59] = d->multiple ? (uint16_t)(0x100 | d->multiple) : 0;
        uint32_t lba28 = d->sectors > 0x0FFFFFFF ? 0x0FFFFFFF : (uint32_t)d->sectors;
        w[60] = (uint16_t)lba28;
        w[61] = (uint16_t)(lba28 >> 16);
        /* Supported: NOP, look-ahead, write cache, power management;
         * FLUSH CACHE (EXT), 48-bit addresses. */
        w[82] = 0x4000 | 0x0040 | 0x0020 | 0x0008;
        w[83] = 0x4000 | 0x2000 | 0x1000 | 0x0400;
        w[84] = 0x4000;
        w[85] = (uint16_t)(0x4000 | (d->look_ahead ? 0x0040 : 0) | (d->write_cache ? 0x0020 : 0) |
                           0x0008);
        w[86] = 0x2000 | 0x1000 | 0x0400;
        w[87] = 0x4000;
        for (int k = 0; k < 4; k++)
            w[100 + k] = (uint16_t)(d->sectors >> (16 * k));
    }
    /* Integrity word: signature A5h and a checksum making all bytes sum to 0. */
    w[255] = 0x00A5;
    uint8_t sum = 0;
    for (int k = 0; k < 255; k++)
        sum = (uint8_t)(sum + (w[k] & 0xFF) + (w[k] >> 8));
    sum = (uint8_t)(sum + 0xA5);
    w[255] |= (uint16_t)((uint8_t)-sum << 8);
    for (int k = 0; k < 256; k++) {
        out[2 * k] = (uint8_t)w[k];
        out[2 * k + 1] = (uint8_t)(w[k] >> 8);
    }
}

/* ---------------------------------------------------------------- addresses */

/* The sector a command addresses and its count, from the task file: LBA48,
 * LBA28 or CHS through the current translation.  False for a CHS address
 * outside the translation. */
static bool decode_address(const ide_drive_t *d, bool lba48, uint64_t *lba, uint32_t *count)
{
    if (lba48) {
        *lba = (uint64_t)d->hob_lbah << 40 | (uint64_t)d->hob_lbam << 32 |
               (uint64_t)d->hob_lbal << 24 | (uint32_t)d->lbah << 16 | (uint32_t)d->lbam << 8 |
               d->lbal;
        uint32_t n = (uint32_t)d->hob_nsector << 8 | d->nsector;
        *count = n ? n : 65536;
        return true;
    }
    *count = d->nsector ? d->nsector : 256;
    if (d->device & DEV_LBA) {
        *lba = (uint32_t)(d->device & 0x0F) << 24 | (uint32_t)d->lbah << 16 |
               (uint32_t)d->lbam << 8 | d->lbal;
        return true;
    }
    uint32_t cyl = (uint32_t)d->lbah << 8 | d->lbam, head = d->device & 0x0F, sector = d->lbal;
    if (sector == 0 || sector > d->cur_spt || head >= d->cur_heads || cyl >= current_cylinders(d))
        return false;
    *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + sector - 1;
    return true;
}

/* Leaves `lba` in the address registers, in the form the command used. */
static void set_address(ide_drive_t *d, bool lba48, uint64_t lba)
{
    if (lba48) {
        d->hob_lbal = (uint8_t)(lba >> 24);
        d->hob_lbam = (uint8_t)(lba >> 32);
        d->hob_lbah = (uint8_t)(lba >> 40);
    } else if (d->device & DEV_LBA) {
        d->device = (uint8_t)((d->device & 0xF0) | ((lba >> 24) & 0x0F));
    } else {
        uint32_t per_cyl = (uint32_t)d->cur_heads * d->cur_spt;
        uint32_t cyl = (uint32_t)(lba / per_cyl), rest = (uint32_t)(lba % per_cyl);
        d->lbah = (uint8_t)(cyl >> 8);
        d->lbam = (uint8_t)cyl;
        d->device = (uint8_t)((d->device & 0xF0) | (rest / d->cur_spt));
        d->lbal = (uint8_t)(rest % d->cur_spt + 1);
        return;
    }
    d->lbal = (uint8_t)lba;
    d->lbam = (uint8_t)(lba >> 8);
    d->lbah = (uint8_t)(lba >> 16);
}

/* ---------------------------------------------------------------- PIO */

/* Offers the next block to the host (data-in): from the image or the next
 * window of the reply in buf. */
static void next_in_block(ide_channel_t *ch)
{
    ide_drive_t *d = selected(ch);
    uint64_t n64 = ch->remaining < ch->block ? ch->remaining : ch->block;
    uint32_t n = (uint32_t)n64;
    if (d->kind == IDE_ATAPI && n < ch->remaining)
        n &= ~1u; /* only the last chunk may be odd */
    if (ch->from_disk) {
        if (!disk_read(drive_image(d), ch->offset, ch->buf, n)) {
            if (d->kind == IDE_ATAPI) {
                d->atapi.sense_key = SENSE_MEDIUM_ERROR;
                packet_done(ch, d, true);
            } else {
                command_error(ch, d, ERR_UNC);
            }
            return;
        }
        ch->offset += n;
        ch->pos = 0;
        ch->end = n;
    } else {
        ch->pos = ch->end;
        ch->end += n;
    }
    ch->remaining -= n;
    if (d->kind == IDE_ATAPI) {
        d->nsector = IREASON_IO;
        d->lbam = (uint8_t)n;
        d->lbah = (uint8_t)(n >> 8);
    }
    d->status = ST_READY | ST_DRQ;
    ch->phase = IDE_PIO_IN;
    raise_irq(ch);
}

/* Asks the host for the next block (data-out).  The first block of a
 * command comes without an interrupt. */
static void next_out_block(ide_channel_t *ch, bool interrupt)
{
    ide_drive_t *d = selected(ch);
    ch->pos = 0;
    ch->end = (uint32_t)(ch->remaining < ch->block ? ch->remaining : ch->block);
    ch->remaining -= ch->end;
    d->status = ST_READY | ST_DRQ;
    ch->phase = IDE_PIO_OUT;
    if (interrupt)
        raise_irq(ch);
}

/* A reply of `len` bytes already in buf, offered a block at a time. */
static void start_reply(ide_channel_t *ch, uint32_t len, uint32_t block)
{
    ch->from_disk = false;
    ch->write = false;
    ch->pos = ch->end = 0;
    ch->remaining = len;
    ch->block = block;
    next_in_block(ch);
}

static void in_block_read(ide_channel_t *ch)
{
    ide_drive_t *d = selected(ch);
    if (d->kind == IDE_ATA && ch->from_disk) {
        ch->lba += ch->end / SECTOR;
        set_address(d, ch->lba48, ch->lba - 1);
    }
    if (ch->remaining) {
        next_in_block(ch);
    } else if (d->kind == IDE_ATAPI) {
        packet_done(ch, d, false);
    } else {
        /* The end of a PIO data-in command raises no interrupt. */
        d->status = ST_READY;
        ch->phase = IDE_IDLE;
    }
}

static uint32_t data_read(ide_channel_t *ch, unsigned size)
{
    if (ch->phase != IDE_PIO_IN)
        return 0xFFFFFFFFu;
    uint32_t v = 0;
    const uint8_t *p = ch->buf + ch->pos;
    if (ch->end - ch->pos >= size) { /* the usual case: a whole word */
        v = size == 4 ? (uint32_t)(p[0] | p[1] << 8 | p[2] << 16) | (uint32_t)p[3] << 24
          : size == 2 ? (uint32_t)(p[0] | p[1] << 8) : p[0];
        ch->pos += size;
    } else {
        for (unsigned k = 0; ch->pos < ch->end; k++)
            v |= (uint32_t)ch->buf[ch->pos++] << (8 * k);
    }
    if (ch->pos >= ch->end)
        in_block_read(ch);
    return v;
}

static void data_write(ide_channel_t *ch, uint32_t value, unsigned size)
{
    if (ch->phase != IDE_PIO_OUT)
        return;
    for (unsigned k = 0; k < size && ch->pos < ch->end; k++)
        ch->buf[ch->pos++] = (uint8_t)(value >> (8 * k));
    if (ch->pos < ch->end)
        return;
    ide_drive_t *d = selected(ch);
    d->status = ST_BSY | (d->status & ST_READY);
    schedule(ch, ch->command == 0xA0 ? IDE_ACT_PACKET : IDE_ACT_WRITE_BLOCK, IDE_COMMAND_DELAY_NS);
}

static void write_block(ide_channel_t *ch)
{
    ide_drive_t *d = selected(ch);
    if (!disk_write(d->disk, ch->offset, ch->buf, ch->end)) {
        command_error(ch, d, ERR_ABRT);
        return;
    }
    ch->offset += ch->end;
    ch->lba += ch->end / SECTOR;
    set_address(d, ch->lba48, ch->lba - 1);
    if (ch->remaining) {
        next_out_block(ch, true);
        return;
    }
    if (!d->write_cache && !disk_flush(d->disk)) {
        command_error(ch, d, ERR_ABRT);
        return;
    }
    command_done(ch, d);
}

/* ---------------------------------------------------------------- bus master */

/* Walks the guest's PRD table: 8-byte entries of base address and byte
 * count (0 = 64 KiB), bit 31 of the second dword marking the last. */
typedef struct prd_cursor {
    uint32_t table;
    uint32_t addr, left;
    bool last;
} prd_cursor_t;

static uint32_t prd_move(ide_t *ide, prd_cursor_t *c, uint8_t *buf, uint32_t len, bool to_memory)
{
    uint32_t moved = 0;
    while (moved < len) {
        if (!c->left) {
            if (c->last)
                break;
            uint8_t e[8];
            physmem_read_block(ide->mem, c->table, e, 8);
            c->table += 8;
            c->addr = (uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) & ~1u;
            uint32_t count = (uint32_t)(e[4] | e[5] << 8) & 0xFFFE;
            c->left = count ? count : 0x10000;
            c->last = e[7] & 0x80;
        }
        uint32_t n = len - moved < c->left ? len - moved : c->left;
        if (to_memory)
            physmem_write_block(ide->mem, c->addr, buf + moved, n);
        else
            physmem_read_block(ide->mem, c->addr, buf + moved, n);
        c->addr += n;
        c->left -= n;
        moved += n;
    }
    return moved;
}

static bool bus_master_enabled(const ide_t *ide)
{
    return ide->pci.config[4] & PCI_COMMAND_BUS_MASTER;
}

/* The whole DMA data phase, once both the command and the bus master are
 * ready. */
static void run_dma(ide_channel_t *ch)
{
    if (ch->phase != IDE_DMA || !(ch->bm_command & BM_CMD_START) || !bus_master_enabled(ch->ide))
        return;
    ide_drive_t *d = selected(ch);
    prd_cursor_t c = {.table = ch->bm_prd};
    bool short_table = false, io_error = false;
    uint64_t done = 0;
    while (ch->remaining) {
        uint32_t n = ch->remaining < IDE_BUF_SIZE ? (uint32_t)ch->remaining : IDE_BUF_SIZE;
        if (ch->write) {
            if (prd_move(ch->ide, &c, ch->buf, n, false) < n) {
                short_table = true;
                break;
            }
            io_error = !disk_write(d->disk, ch->offset, ch->buf, n);
        } else {
            if (ch->from_disk)
                io_error = !disk_read(drive_image(d), ch->offset, ch->buf, n);
            if (!io_error && prd_move(ch->ide, &c, ch->buf, n, true) < n)
                short_table = true;
        }
        if (io_error || short_table)
            break;
        ch->offset += n;
        ch->remaining -= n;
        done += n;
    }
    /* Active stays set when the PRD table is larger than the transfer. */
    if (short_table || io_error || (c.last && !c.left))
        ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (short_table)
        ch->bm_status |= BM_ST_ERROR;
    if (d->kind == IDE_ATAPI) {
        if (io_error || short_table)
            d->atapi.sense_key = io_error ? SENSE_MEDIUM_ERROR : SENSE_ILLEGAL_REQUEST;
        packet_done(ch, d, io_error || short_table);
        return;
    }
    if (done) {
        ch->lba += done / SECTOR;
        set_address(d, ch->lba48, ch->lba - 1);
    }
    if (io_error || short_table) {
        command_error(ch, d, io_error && !ch->write ? ERR_UNC : ERR_ABRT);
        return;
    }
    if (ch->write && !d->write_cache && !disk_flush(d->disk)) {
        command_error(ch, d, ERR_ABRT);
        return;
    }
    command_done(ch, d);
}

/* The data phase waits for the bus master. */
static void start_dma(ide_channel_t *ch)
{
    ide_drive_t *d = selected(ch);
    d->status = ST_READY | ST_DRQ;
    ch->phase = IDE_DMA;
    run_dma(ch);
}

/* ---------------------------------------------------------------- ATA commands */

static void read_write(ide_channel_t *ch, ide_drive_t *d, int flags)
{
    if ((flags & RW_MULTIPLE) && !d->multiple) {
        command_error(ch, d, ERR_ABRT);
        return;
    }
    bool lba48 = flags & RW_LBA48;
    uint64_t lba;
    uint32_t count;
    if (!decode_address(d, lba48, &lba, &count)) {
        command_error(ch, d, ERR_IDNF);
        return;
    }
    if (lba >= d->sectors || count > d->sectors - lba) {
        /* Nothing is transferred; the registers show the first sector
         * that does not exist. */
        set_address(d, lba48, lba > d->sectors ? lba : d->sectors);
        command_error(ch, d, ERR_IDNF);
        return;
    }
    d->standby = false;
    if (flags & RW_VERIFY) {
        set_address(d, lba48, lba + count - 1);
        command_done(ch, d);
        return;
    }
    ch->lba48 = lba48;
    ch->lba = lba;
    ch->offset = lba * SECTOR;
    ch->remaining = (uint64_t)count * SECTOR;
    ch->from_disk = true;
    ch->write = flags & RW_WRITE;
    ch->block = ((flags & RW_MULTIPLE) ? d->multiple : 1) * SECTOR;
    if (flags & RW_DMA)
        start_dma(ch);
    else if (ch->write)
        next_out_block(ch, false);
    else
        next_in_block(ch);
}

static void set_features(ide_channel_t *ch, ide_drive_t *d)
{
    switch (d->feature) {
    case 0x02: d->write_cache = true; break;
    case 0x82:
        d->write_cache = false;
        if (d->disk)
            disk_flush(d->disk);
        break;
    case 0xAA: d->look_ahead = true; break;
    case 0x55: d->look_ahead = false; break;
    case 0xCC: d->revert_defaults = true; break;
    case 0x66: d->revert_defaults = false; break;
    case 0x03: { /* set transfer mode */
        uint8_t mode = d->nsector;
        bool ok = mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C) || (mode >= 0x20 && mode <= 0x22) ||
                  (mode >= 0x40 && mode <= 0x45);
        if (!ok) {
            command_error(ch, d, ERR_ABRT);
            return;
        }
        d->transfer_mode = mode;
        break;
    }
    default:
        command_error(ch, d, ERR_ABRT);
        return;
    }
    command_done(ch, d);
}

static void execute_diagnostic(ide_channel_t *ch)
{
    for (int k = 0; k < 2; k++)
        if (ch->drive[k].kind != IDE_NONE)
            set_signature(&ch->drive[k]);
    ch->sel = 0;
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

/* Commands both kinds of drive take. */
static void common_command(ide_channel_t *ch, ide_drive_t *d, uint8_t cmd)
{
    switch (cmd) {
    case 0x90: execute_diagnostic(ch); break;
    case 0xEF: set_features(ch, d); break;
    case 0xE0: case 0xE2: /* STANDBY (IMMEDIATE) */
        d->standby = true;
        command_done(ch, d);
        break;
    case 0xE1: case 0xE3: /* IDLE (IMMEDIATE) */
        d->standby = false;
        command_done(ch, d);
        break;
    case 0xE5: /* CHECK POWER MODE */
        d->nsector = d->standby ? 0x00 : 0xFF;
        command_done(ch, d);
        break;
    default: /* including NOP, which always aborts */
        if (d->kind == IDE_ATAPI)
            set_signature(d); /* tells an ATA driver this is a packet device */
        command_error(ch, d, ERR_ABRT);
        break;
    }
}

static void ata_command(ide_channel_t *ch, ide_drive_t *d, uint8_t cmd)
{
    int flags = rw_flags(cmd);
    if (flags >= 0) {
        read_write(ch, d, flags);
        return;
    }
    if ((cmd & 0xF0) == 0x10) { /* RECALIBRATE */
        command_done(ch, d);
        return;
    }
    if ((cmd & 0xF0) == 0x70) { /* SEEK */
        uint64_t lba;
        uint32_t count;
        if (!decode_address(d, false, &lba, &count) || lba >= d->sectors)
            command_error(ch, d, ERR_IDNF);
        else
            command_done(ch, d);
        return;
    }
    switch (cmd) {
    case 0xEC: /* IDENTIFY DEVICE */
        build_identify(ch, d, ch->buf);
        start_reply(ch, 512, 512);
        break;
    case 0x91: /* INITIALIZE DEVICE PARAMETERS */
        if (!d->nsector) {
            command_error(ch, d, ERR_ABRT);
            break;
        }
        d->cur_spt = d->nsector;
        d->cur_heads = (uint16_t)((d->device & 0x0F) + 1);
        command_done(ch, d);
        break;
    case 0xC6: /* SET MULTIPLE MODE */
        if (d->nsector > IDE_MAX_MULTIPLE || (d->nsector & (d->nsector - 1))) {
            command_error(ch, d, ERR_ABRT);
            break;
        }
        d->multiple = d->nsector;
        command_done(ch, d);
        break;
    case 0xE7: case 0xEA: /* FLUSH CACHE (EXT) */
        if (disk_flush(d->disk))
            command_done(ch, d);
        else
            command_error(ch, d, ERR_ABRT);
        break;
    default:
        common_command(ch, d, cmd);
        break;
    }
}

/* ---------------------------------------------------------------- ATAPI */

static void atapi_ata_command(ide_channel_t *ch, ide_drive_t *d, uint8_t cmd)
{
    switch (cmd) {
    case 0xA1: /* IDENTIFY PACKET DEVICE */
        build_identify(ch, d, ch->buf);
        start_reply(ch, 512, 512);
        break;
    case 0xA0: /* PACKET: receive the command packet first */
        ch->packet_dma = d->feature & 0x01;
        ch->from_disk = false;
        ch->write = true;
        ch->remaining = PACKET_BYTES;
        ch->block = PACKET_BYTES;
        d->nsector = IREASON_COD;
        next_out_block(ch, false);
        break;
    default:
        common_command(ch, d, cmd);
        break;
    }
}

static void packet_received(ide_channel_t *ch)
{
    ide_drive_t *d = selected(ch);
    uint8_t cdb[PACKET_BYTES];
    memcpy(cdb, ch->buf, PACKET_BYTES);
    atapi_reply_t r;
    atapi_command(&d->atapi, cdb, ch->buf, IDE_BUF_SIZE, &r);
    uint64_t bytes = r.read_blocks ? (uint64_t)r.read_blocks * ATAPI_BLOCK : r.len;
    if (r.check_condition || !bytes) {
        packet_done(ch, d, r.check_condition);
        return;
    }
    ch->from_disk = r.read_blocks != 0;
    ch->offset = r.read_lba * ATAPI_BLOCK;
    ch->write = false;
    ch->remaining = bytes;
    ch->pos = ch->end = 0;
    if (ch->packet_dma) {
        start_dma(ch);
        return;
    }
    /* PIO: at most the byte count limit per DRQ block, even except the last. */
    uint32_t limit = (uint32_t)d->lbah << 8 | d->lbam;
    if (limit == 0 || limit == 0xFFFF)
        limit = 0xFFFE;
    ch->block = limit;
    next_in_block(ch);
}

static void device_reset(ide_channel_t *ch, ide_drive_t *d)
{
    timer_disarm(&ch->timer);
    ch->phase = IDE_IDLE;
    set_signature(d);
}

/* ---------------------------------------------------------------- timer */

static void timer_fired(void *opaque)
{
    ide_channel_t *ch = opaque;
    ide_drive_t *d = selected(ch);
    switch (ch->pending) {
    case IDE_ACT_COMMAND:
        d->error = 0;
        if (ch->command == 0x90)
            execute_diagnostic(ch);
        else if (d->kind == IDE_ATAPI)
            atapi_ata_command(ch, d, ch->command);
        else
            ata_command(ch, d, ch->command);
        break;
    case IDE_ACT_WRITE_BLOCK: write_block(ch); break;
    case IDE_ACT_PACKET: packet_received(ch); break;
    case IDE_ACT_DMA:
        ch->phase = IDE_DMA;
        run_dma(ch);
        break;
    case IDE_ACT_RESET:
        for (int k = 0; k < 2; k++)
            if (ch->drive[k].kind != IDE_NONE)
                set_signature(&ch->drive[k]);
        ch->sel = 0;
        ch->phase = IDE_IDLE;
        break;
    }
}

/* ---------------------------------------------------------------- registers */

static uint32_t command_block_read(void *opaque, uint16_t port, unsigned size)
{
    ide_channel_t *ch = opaque;
    unsigned reg = port & 7;
    if (!channel_populated(ch))
        return 0xFFFFFFFFu; /* nothing on the cable: the bus floats */
    if (reg == 0)
        return data_read(ch, size);
    ide_drive_t *d = selected(ch);
    bool hob = ch->devctl & DEVCTL_HOB;
    switch (reg) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_lbal : d->lbal;
    case 4: return hob ? d->hob_lbam : d->lbam;
    case 5: return hob ? d->hob_lbah : d->lbah;
    case 6: return d->device;
    default:
        if (d->kind == IDE_NONE)
            return 0; /* device 0 answers for an absent device 1 */
        lower_irq(ch);
        return d->status;
    }
}

static void command_write(ide_channel_t *ch, uint8_t cmd)
{
    ide_drive_t *d = selected(ch);
    if (cmd == 0x08 && d->kind == IDE_ATAPI) { /* DEVICE RESET works even when busy */
        device_reset(ch, d);
        return;
    }
    if (ch->phase == IDE_BUSY || (ch->devctl & DEVCTL_SRST))
        return;
    if (d->kind == IDE_NONE && cmd != 0x90)
        return;
    ch->command = cmd;
    lower_irq(ch);
    d->status = ST_BSY | (d->status & ST_READY);
    schedule(ch, IDE_ACT_COMMAND, IDE_COMMAND_DELAY_NS);
}

static void command_block_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ide_channel_t *ch = opaque;
    unsigned reg = port & 7;
    uint8_t v = (uint8_t)value;
    if (reg == 0) {
        data_write(ch, value, size);
        return;
    }
    if (reg == 7) {
        command_write(ch, v);
        return;
    }
    if (ch->phase == IDE_BUSY) /* the device ignores the task file while busy */
        return;
    ch->devctl &= (uint8_t)~DEVCTL_HOB;
    for (int k = 0; k < 2; k++) {
        ide_drive_t *d = &ch->drive[k];
        switch (reg) {
        case 1: d->hob_feature = d->feature, d->feature = v; break;
        case 2: d->hob_nsector = d->nsector, d->nsector = v; break;
        case 3: d->hob_lbal = d->lbal, d->lbal = v; break;
        case 4: d->hob_lbam = d->lbam, d->lbam = v; break;
        case 5: d->hob_lbah = d->lbah, d->lbah = v; break;
        case 6: d->device = v; break;
        }
    }
    if (reg == 6)
        ch->sel = (v & DEV_DRV) ? 1 : 0;
}

static uint32_t control_block_read(void *opaque, uint16_t port, unsigned size)
{
    ide_channel_t *ch = opaque;
    (void)port, (void)size;
    if (!channel_populated(ch))
        return 0xFF;
    ide_drive_t *d = selected(ch);
    return d->kind == IDE_NONE ? 0 : d->status; /* alternate status: no side effect */
}

static void control_block_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ide_channel_t *ch = opaque;
    (void)port, (void)size;
    bool was_reset = ch->devctl & DEVCTL_SRST;
    ch->devctl = (uint8_t)value;
    if ((value & DEVCTL_SRST) && !was_reset) {
        timer_disarm(&ch->timer);
        ch->phase = IDE_BUSY;
        for (int k = 0; k < 2; k++)
            if (ch->drive[k].kind != IDE_NONE)
                ch->drive[k].status = ST_BSY;
        ch->intrq = false;
    } else if (!(value & DEVCTL_SRST) && was_reset) {
        schedule(ch, IDE_ACT_RESET, IDE_RESET_DELAY_NS);
    }
    update_irq(ch);
}

/* Bus-master registers: per channel (8 ports each) command, status, PRD
 * table address; any access size, byte by byte. */
static uint8_t bm_read_byte(ide_t *ide, unsigned offset)
{
    ide_channel_t *ch = &ide->ch[offset >> 3];
    unsigned reg = offset & 7;
    if (reg == 0)
        return ch->bm_command;
    if (reg == 2)
        return ch->bm_status;
    if (reg >= 4)
        return (uint8_t)(ch->bm_prd >> (8 * (reg - 4)));
    return 0;
}

static void bm_write_byte(ide_t *ide, unsigned offset, uint8_t v)
{
    ide_channel_t *ch = &ide->ch[offset >> 3];
    unsigned reg = offset & 7;
    if (reg == 0) {
        bool starting = (v & BM_CMD_START) && !(ch->bm_command & BM_CMD_START);
        ch->bm_command = v & 0x09;
        if (starting) {
            ch->bm_status |= BM_ST_ACTIVE;
            if (ch->phase == IDE_DMA)
                schedule(ch, IDE_ACT_DMA, IDE_COMMAND_DELAY_NS);
        } else if (!(v & BM_CMD_START)) {
            ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        }
    } else if (reg == 2) {
        ch->bm_status = (uint8_t)((ch->bm_status & ~(BM_ST_DMA_CAPABLE | (v & 0x06))) |
                                  (v & BM_ST_DMA_CAPABLE));
    } else if (reg >= 4) {
        unsigned shift = 8 * (reg - 4);
        ch->bm_prd = (ch->bm_prd & ~(0xFFu << shift)) | (uint32_t)v << shift;
        ch->bm_prd &= ~3u;
    }
}

static uint32_t bm_read(void *opaque, uint16_t port, unsigned size)
{
    ide_t *ide = opaque;
    uint32_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint32_t)bm_read_byte(ide, (port - ide->bm_base + k) & 15) << (8 * k);
    return v;
}

static void bm_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    ide_t *ide = opaque;
    for (unsigned k = 0; k < size; k++)
        bm_write_byte(ide, (port - ide->bm_base + k) & 15, (uint8_t)(value >> (8 * k)));
}

/* ---------------------------------------------------------------- PCI side */

void ide_map_bus_master(ide_t *ide, uint16_t base, bool enabled)
{
    if (ide->bm_mapped)
        ioport_unregister(ide->io, ide->bm_base);
    ide->bm_mapped = false;
    base &= 0xFFF0;
    if (enabled && base && ioport_register(ide->io, base, 16, bm_read, bm_write, ide, "ide-busmaster")) {
        ide->bm_base = base;
        ide->bm_mapped = true;
    }
}

void ide_bus_master_changed(ide_t *ide)
{
    for (int c = 0; c < IDE_CHANNELS; c++)
        run_dma(&ide->ch[c]);
}

/* ---------------------------------------------------------------- setup */

static void drive_power_on(ide_drive_t *d)
{
    d->multiple = 0;
    d->transfer_mode = 0;
    d->write_cache = d->look_ahead = true;
    d->revert_defaults = false;
    d->standby = false;
    d->feature = d->hob_feature = 0;
    d->hob_nsector = d->hob_lbal = d->hob_lbam = d->hob_lbah = 0;
    if (d->kind == IDE_ATA)
        default_geometry(d);
    if (d->kind == IDE_ATAPI) {
        d->atapi.prevent_removal = false;
        d->atapi.sense_key = d->atapi.asc = d->atapi.ascq = 0;
    }
    set_signature(d);
    if (d->kind == IDE_NONE)
        d->status = 0;
}

void ide_reset(ide_t *ide)
{
    for (int c = 0; c < IDE_CHANNELS; c++) {
        ide_channel_t *ch = &ide->ch[c];
        timer_disarm(&ch->timer);
        ch->phase = IDE_IDLE;
        ch->sel = 0;
        ch->devctl = 0;
        ch->intrq = false;
        ch->bm_command = ch->bm_status = 0;
        ch->bm_prd = 0;
        for (int k = 0; k < 2; k++)
            drive_power_on(&ch->drive[k]);
        update_irq(ch);
    }
}

bool ide_init(ide_t *ide, ioport_bus_t *io, vclock_t *clock, physmem_t *mem, irq_line_t irq14,
              irq_line_t irq15)
{
    static const uint16_t command_base[IDE_CHANNELS] = {0x1F0, 0x170};
    static const uint16_t control_port[IDE_CHANNELS] = {0x3F6, 0x376};
    static const char *const names[IDE_CHANNELS] = {"ide0", "ide1"};
    static const char *const control_names[IDE_CHANNELS] = {"ide0-control", "ide1-control"};
    memset(ide, 0, sizeof *ide);
    ide->io = io;
    ide->clock = clock;
    ide->mem = mem;
    for (int c = 0; c < IDE_CHANNELS; c++) {
        ide_channel_t *ch = &ide->ch[c];
        ch->ide = ide;
        ch->index = c;
        ch->irq = c ? irq15 : irq14;
        ch->buf = malloc(IDE_BUF_SIZE);
        if (!ch->buf || !clock_add_timer(clock, &ch->timer, timer_fired, ch, names[c]) ||
            !ioport_register(io, command_base[c], 8, command_block_read, command_block_write, ch,
                             names[c]) ||
            !ioport_register(io, control_port[c], 1, control_block_read, control_block_write, ch,
                             control_names[c])) {
            ide_free(ide);
            return false;
        }
    }
    ide_reset(ide);
    return true;
}

void ide_free(ide_t *ide)
{
    for (int c = 0; c < IDE_CHANNELS; c++) {
        free(ide->ch[c].buf);
        ide->ch[c].buf = NULL;
    }
}

bool ide_attach_disk(ide_t *ide, int slot, disk_t *disk, char *err, size_t errlen)
{
    ide_drive_t *d = &ide->ch[slot >> 1].drive[slot & 1];
    if (disk->size / SECTOR > (1ull << 48)) {
        snprintf(err, errlen, "%s: larger than LBA48 can address (128 PiB)", disk->path);
        return false;
    }
    *d = (ide_drive_t){.kind = IDE_ATA, .disk = disk, .sectors = disk->size / SECTOR};
    snprintf(d->serial, sizeof d->serial, "X86SIM-HD%d", slot);
    drive_power_on(d);
    return true;
}

void ide_attach_cdrom(ide_t *ide, int slot, disk_t *disc)
{
    ide_drive_t *d = &ide->ch[slot >> 1].drive[slot & 1];
    *d = (ide_drive_t){.kind = IDE_ATAPI};
    atapi_init(&d->atapi, disc);
    snprintf(d->serial, sizeof d->serial, "X86SIM-CD%d", slot);
    drive_power_on(d);
}

void ide_change_cdrom(ide_t *ide, int slot, disk_t *disc)
{
    atapi_change_medium(&ide->ch[slot >> 1].drive[slot & 1].atapi, disc);
}
