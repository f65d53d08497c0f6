/* The 82077AA floppy disk controller (PC/AT mode) at 0x3F0-0x3F5 and 0x3F7,
 * IRQ 6, DMA channel 2, with two drives.  (0x3F6 belongs to the IDE
 * controller.)
 *
 * A drive takes a raw image; its size tells the format: 160/180/320/360 KiB
 * and 1.2 MiB (5.25"), 720 KiB, 1.44 MiB, 1.68 MiB (DMF) and 2.88 MiB
 * (3.5").  The data rate programmed in the DSR/CCR must suit the format, as
 * on a real drive (this is how guests detect the format).  An image file
 * that cannot be written is a write-protected disk.
 *
 * Commands: READ DATA and WRITE DATA (multi-sector, multi-track, DMA or
 * non-DMA), READ ID, FORMAT TRACK, RECALIBRATE, SEEK (and implied seeks),
 * SENSE INTERRUPT STATUS, SENSE DRIVE STATUS, SPECIFY, CONFIGURE, VERSION,
 * DUMPREG, LOCK/UNLOCK, PERPENDICULAR MODE.  Anything else gets the invalid
 * command result (ST0 = 0x80).  Execution and seeks complete through the
 * event clock after a short delay. */
#ifndef X86SIM_FDC_H
#define X86SIM_FDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "disk.h"
#include "dma.h"
#include "ioport.h"
#include "irq.h"

#define FDC_DRIVES 2
#define FDC_DMA_CHANNEL 2
#define FDC_IRQ 6

typedef struct fdc_format {
    uint32_t bytes;
    uint8_t cylinders, heads, sectors;
    uint8_t rates;     /* bit n: data-rate code n reads this medium */
    uint8_t cmos_type; /* the CMOS drive type a BIOS reports for it */
} fdc_format_t;

typedef struct fdc_drive {
    disk_t *disk;      /* the inserted medium, or NULL */
    const fdc_format_t *format;
    uint8_t cylinder;  /* where the head is (PCN) */
    uint8_t head;
    uint8_t next_id;   /* the sector READ ID finds next (rotation) */
    bool disk_changed; /* DIR bit 7: set at power-on and when media change */
    uint64_t seek_done_at; /* seeking until this time; 0 = not seeking */
} fdc_drive_t;

typedef enum fdc_phase { FDC_COMMAND, FDC_EXECUTION, FDC_RESULT } fdc_phase_t;

typedef struct fdc {
    fdc_drive_t drive[FDC_DRIVES];
    uint8_t dor, tdr;
    uint8_t rate;          /* data-rate code from DSR/CCR */
    bool in_reset;         /* DOR bit 2 low */
    fdc_phase_t phase;
    uint8_t cmd[9];
    unsigned cmd_len, cmd_pos;
    uint8_t result[10];
    unsigned result_len, result_pos;
    /* SPECIFY, CONFIGURE, PERPENDICULAR MODE, LOCK */
    uint8_t specify[2];
    uint8_t config;        /* EIS, EFIFO, POLL, FIFOTHR */
    uint8_t pretrk;
    uint8_t perpendicular;
    bool lock;
    uint8_t last_eot;
    /* Interrupt status waiting for SENSE INTERRUPT STATUS, per drive. */
    uint8_t pending_st0[4];
    uint8_t pending_mask;
    uint8_t busy_mask;     /* MSR bits 3:0: drives seeking */
    bool int_pending;
    /* The transfer in execution phase. */
    struct {
        int drive;
        uint8_t c, h, r, n, eot;
        bool multitrack, write;
        uint8_t st0, st1, st2;
        uint32_t pos;      /* non-DMA: bytes of buf moved through the FIFO */
    } xfer;
    uint8_t buf[512];      /* non-DMA: the sector being transferred */
    bool reset_irq_due;
    irq_line_t irq;
    dma_t *dma;
    vclock_t *clock;
    vtimer_t exec_timer, seek_timer;
} fdc_t;

bool fdc_init(fdc_t *f, ioport_bus_t *io, vclock_t *clock, dma_t *dma, irq_line_t irq);
/* Hardware reset (RESET pin): the machine's reset. */
void fdc_reset(fdc_t *f);
/* Puts a medium into drive `unit` (NULL ejects it): the guest sees a disk
 * change.  Fails, with a message naming the image, when its size is not a
 * floppy format. */
bool fdc_insert(fdc_t *f, int unit, disk_t *disk, char *err, size_t errlen);
/* The CMOS drive type (0 none, 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M). */
uint8_t fdc_cmos_type(const fdc_t *f, int unit);

#endif
