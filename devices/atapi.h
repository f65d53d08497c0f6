/* The command set of an ATAPI CD/DVD-ROM drive: the SCSI (MMC) packets that
 * arrive through the ATA PACKET command.  This file knows nothing of ATA
 * registers: the IDE model (ide.c) carries packets in and data out, PIO or
 * DMA; here a packet becomes reply data, a range of the disc to read, or a
 * CHECK CONDITION with sense data.  Kept apart from ide.c because it is a
 * different protocol layer (the same packets travel over SATA, USB or
 * SCSI), and so that it can be tested without the ATA handshake.
 *
 * Packets: TEST UNIT READY, REQUEST SENSE, INQUIRY, START STOP UNIT,
 * PREVENT ALLOW MEDIUM REMOVAL, READ CAPACITY, READ(10), READ(12), SEEK(10),
 * READ TOC/PMA/ATIP (formats 0, 1, 2; LBA and MSF), MODE SENSE(10) (pages
 * 0x01, 0x2A, 0x3F), GET CONFIGURATION, GET EVENT STATUS NOTIFICATION
 * (polled, media class), MECHANISM STATUS.  Others: ILLEGAL REQUEST,
 * invalid command operation code.
 *
 * Media: a 2048-byte-sector image (ISO 9660).  A change of medium raises a
 * unit attention (sense 6/28/00) reported once by the next command that is
 * not INQUIRY, REQUEST SENSE, GET CONFIGURATION or GET EVENT STATUS
 * NOTIFICATION, and a media event for GET EVENT STATUS NOTIFICATION. */
#ifndef X86SIM_ATAPI_H
#define X86SIM_ATAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "disk.h"

#define ATAPI_BLOCK 2048u

/* Sense keys. */
#define SENSE_NONE 0x0
#define SENSE_NOT_READY 0x2
#define SENSE_MEDIUM_ERROR 0x3
#define SENSE_ILLEGAL_REQUEST 0x5
#define SENSE_UNIT_ATTENTION 0x6

typedef struct atapi {
    disk_t *medium;       /* the disc in the tray, or NULL */
    bool tray_open;
    bool prevent_removal; /* PREVENT ALLOW MEDIUM REMOVAL */
    bool unit_attention;  /* the medium changed; not yet reported */
    uint8_t media_event;  /* for GET EVENT STATUS NOTIFICATION: 0 none, 2 new, 3 removed */
    uint8_t sense_key, asc, ascq;
} atapi_t;

typedef struct atapi_reply {
    uint32_t len;         /* reply bytes in the buffer */
    uint64_t read_lba;    /* READ: data comes from the medium instead */
    uint32_t read_blocks;
    bool check_condition; /* failed: the sense data says why */
} atapi_reply_t;

/* Power-on state with `medium` (NULL: empty), no unit attention. */
void atapi_init(atapi_t *a, disk_t *medium);
/* A new disc (NULL: removed) was put in, as by the user: unit attention. */
void atapi_change_medium(atapi_t *a, disk_t *medium);
bool atapi_medium_present(const atapi_t *a);
/* Executes a 12-byte packet; reply data go to buf (at least 256 bytes). */
void atapi_command(atapi_t *a, const uint8_t cdb[12], uint8_t *buf, uint32_t bufsize,
                   atapi_reply_t *r);

#endif
