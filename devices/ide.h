/* The IDE controller of the PIIX3 (PCI function 01.1, 8086:7010) in
 * compatibility mode, with up to four ATA disks or ATAPI CD/DVD-ROM drives.
 *
 *   primary:   0x1F0-0x1F7, 0x3F6, IRQ 14  (drives 0 master, 1 slave)
 *   secondary: 0x170-0x177, 0x376, IRQ 15  (drives 2 master, 3 slave)
 *   bus master (BAR4, 16 ports): command, status, PRD table address per
 *   channel; transfers go through physmem_read_block/physmem_write_block.
 *
 * ATA commands: IDENTIFY DEVICE, READ/WRITE SECTORS (and EXT), READ/WRITE
 * MULTIPLE (and EXT), SET MULTIPLE MODE, READ/WRITE DMA (and EXT), READ
 * VERIFY SECTORS (and EXT), SEEK, RECALIBRATE, INITIALIZE DEVICE
 * PARAMETERS, SET FEATURES (transfer mode, write cache, look-ahead,
 * defaults), FLUSH CACHE (and EXT: the image is made durable), IDLE,
 * STANDBY (and IMMEDIATE), CHECK POWER MODE, EXECUTE DEVICE DIAGNOSTIC,
 * NOP.  ATAPI drives add PACKET, IDENTIFY PACKET DEVICE and DEVICE RESET;
 * their packets are atapi.c's.  Anything else aborts (ERR, ABRT).
 *
 * Commands complete through the event clock after a short delay, so a
 * guest sees BSY; data moves a DRQ block at a time for PIO (no work per
 * port access beyond a copy) and in one go for DMA.  An access outside
 * the image fails with IDNF and transfers nothing. */
#ifndef X86SIM_IDE_H
#define X86SIM_IDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../mmu/mmu.h"
#include "atapi.h"
#include "clock.h"
#include "disk.h"
#include "ioport.h"
#include "irq.h"
#include "pci.h"

#define IDE_CHANNELS 2
#define IDE_BUF_SIZE (128u * 1024) /* largest DRQ block / DMA chunk */
#define IDE_MAX_MULTIPLE 16        /* sectors per block for READ/WRITE MULTIPLE */

typedef enum ide_kind { IDE_NONE, IDE_ATA, IDE_ATAPI } ide_kind_t;

typedef struct ide_drive {
    ide_kind_t kind;
    disk_t *disk;                /* ATA: the image */
    atapi_t atapi;               /* ATAPI: the drive's SCSI state and disc */
    uint64_t sectors;            /* ATA: 512-byte sectors in the image */
    uint16_t cylinders, heads, spt;   /* default CHS translation */
    uint16_t cur_heads, cur_spt;      /* INITIALIZE DEVICE PARAMETERS */
    uint8_t multiple;            /* sectors per block of READ/WRITE MULTIPLE; 0 = off */
    uint8_t transfer_mode;       /* SET FEATURES 03h: 0x08|PIO, 0x20|MWDMA, 0x40|UDMA */
    bool write_cache, look_ahead, revert_defaults;
    bool standby;
    char serial[21];
    /* Task file.  Host writes reach both drives; the previous byte of the
     * LBA48 registers is kept for reading with HOB set. */
    uint8_t feature, nsector, lbal, lbam, lbah;
    uint8_t hob_feature, hob_nsector, hob_lbal, hob_lbam, hob_lbah;
    uint8_t device;
    uint8_t status, error;
} ide_drive_t;

/* What the channel is doing. */
typedef enum ide_phase {
    IDE_IDLE,
    IDE_BUSY,     /* BSY: the timer will run `pending` */
    IDE_PIO_IN,   /* DRQ: the host reads buf[pos, end) */
    IDE_PIO_OUT,  /* DRQ: the host writes buf[pos, end) */
    IDE_DMA,      /* waiting for the bus master to start */
} ide_phase_t;

typedef enum ide_action {
    IDE_ACT_COMMAND,     /* execute the command register */
    IDE_ACT_WRITE_BLOCK, /* a PIO-out block is complete */
    IDE_ACT_PACKET,      /* a packet arrived */
    IDE_ACT_DMA,         /* run the bus-master transfer */
    IDE_ACT_RESET,       /* end of a soft reset */
} ide_action_t;

typedef struct ide ide_t;

typedef struct ide_channel {
    ide_t *ide;
    int index;
    ide_drive_t drive[2];
    int sel;              /* the selected drive (DEV bit) */
    uint8_t devctl;       /* nIEN, SRST, HOB */
    bool intrq;           /* the selected device's INTRQ, before nIEN */
    irq_line_t irq;
    vtimer_t timer;
    ide_phase_t phase;
    ide_action_t pending;
    uint8_t command;
    /* The transfer of the current command. */
    uint8_t *buf;
    uint32_t pos, end;    /* the DRQ block in buf */
    uint32_t block;       /* bytes per block (ATA: sectors * 512; ATAPI: byte count limit) */
    uint64_t offset;      /* next image byte (disk transfers) */
    uint64_t remaining;   /* bytes after the current block */
    bool from_disk;       /* data come from / go to the image (else buf holds the reply) */
    bool write;           /* host -> device */
    bool lba48;
    bool packet_dma;      /* ATAPI: the data phase uses DMA */
    uint64_t lba;         /* ATA: first sector not yet done, for the registers */
    /* Bus master */
    uint8_t bm_command, bm_status;
    uint32_t bm_prd;
} ide_channel_t;

struct ide {
    ide_channel_t ch[IDE_CHANNELS];
    physmem_t *mem;
    vclock_t *clock;
    ioport_bus_t *io;
    pci_device_t pci;
    uint16_t bm_base;     /* where BAR4 decodes, when bm_mapped */
    bool bm_mapped;
};

bool ide_init(ide_t *ide, ioport_bus_t *io, vclock_t *clock, physmem_t *mem, irq_line_t irq14,
              irq_line_t irq15);
void ide_free(ide_t *ide);
/* Drive slot 0-3: an ATA disk on `disk`, or an ATAPI drive holding `disc`
 * (NULL: empty).  Before the machine runs. */
bool ide_attach_disk(ide_t *ide, int slot, disk_t *disk, char *err, size_t errlen);
void ide_attach_cdrom(ide_t *ide, int slot, disk_t *disc);
/* The user changes the disc of an ATAPI drive (NULL: ejects it). */
void ide_change_cdrom(ide_t *ide, int slot, disk_t *disc);
/* Adds the PCI function (device 1, function 1) to the bus (ide_pci.c). */
bool ide_pci_register(ide_t *ide, pci_bus_t *bus);
/* For the PCI function: BAR4 decodes at `base` (or not, !enabled); the
 * command register's bus-master bit may have changed. */
void ide_map_bus_master(ide_t *ide, uint16_t base, bool enabled);
void ide_bus_master_changed(ide_t *ide);
/* Hardware reset. */
void ide_reset(ide_t *ide);

#endif
