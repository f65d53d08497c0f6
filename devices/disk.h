/* Disk image back-ends: a raw image file that the IDE and floppy models read
 * and write by byte offset.
 *
 * - Read-write: writes go to the file (the host's page cache); disk_flush()
 *   makes them durable (the guest's FLUSH CACHE, and disk_close()).
 * - Copy-on-write (-snapshot): the file is opened read-only and writes land
 *   in an in-memory overlay of DISK_COW_CLUSTER-byte clusters; the file is
 *   never written.
 * - Read-only: CD images, write-protected floppies; writes fail.
 *
 * An advisory lock (flock) keeps two emulators from sharing an image that
 * one of them writes: writers take it exclusive, readers shared.
 * disk_open() refuses an image that is missing, unreadable, not a regular
 * file or block device, empty, not a whole number of sectors, or locked,
 * with a message naming the file and the reason.  Accesses past the end of
 * the image are refused, never clipped silently. */
#ifndef X86SIM_DISK_H
#define X86SIM_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum disk_mode {
    DISK_READ_WRITE,   /* refused when the file cannot be written */
    DISK_SNAPSHOT,     /* copy-on-write overlay in memory */
    DISK_READ_ONLY,    /* writes fail */
    DISK_WRITE_IF_CAN, /* read-write, or read-only when the file is not writable */
} disk_mode_t;

#define DISK_COW_CLUSTER 65536u

/* A zeroed disk_t is a closed one. */
typedef struct disk {
    int fd;
    char *path;           /* NULL when not open */
    uint64_t size;        /* bytes, a multiple of sector_size */
    uint32_t sector_size; /* the unit the size was checked against */
    bool read_only;       /* writes fail (write-protected) */
    bool snapshot;        /* writes go to the overlay */
    bool dirty;           /* written since the last flush */
    uint8_t **overlay;    /* snapshot: one cluster pointer per cluster, NULL = unwritten */
    uint64_t overlay_clusters;
} disk_t;

/* Opens `path`; on failure writes "PATH: reason" to err and returns false. */
bool disk_open(disk_t *d, const char *path, disk_mode_t mode, uint32_t sector_size, char *err,
               size_t errlen);
/* Flushes (read-write images), releases the lock, frees the overlay;
 * nothing for a disk that is not open. */
void disk_close(disk_t *d);
/* Both return false (and transfer nothing) when [offset, offset+len) is not
 * inside the image or the host reports an I/O error; a write also fails on a
 * read-only image. */
bool disk_read(disk_t *d, uint64_t offset, void *buf, size_t len);
bool disk_write(disk_t *d, uint64_t offset, const void *buf, size_t len);
/* Makes earlier writes durable (fdatasync); true when nothing failed. */
bool disk_flush(disk_t *d);
static inline uint64_t disk_sectors(const disk_t *d) { return d->size / d->sector_size; }

#endif
