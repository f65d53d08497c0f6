/* Disk image back-ends (see disk.h). */
#define _GNU_SOURCE /* pread, pwrite, fdatasync, flock */
#include "disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static bool fail(disk_t *d, char *err, size_t errlen, const char *path, const char *reason)
{
    snprintf(err, errlen, "%s: %s", path, reason);
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    return false;
}

bool disk_open(disk_t *d, const char *path, disk_mode_t mode, uint32_t sector_size, char *err,
               size_t errlen)
{
    *d = (disk_t){.fd = -1, .sector_size = sector_size};
    bool want_write = mode == DISK_READ_WRITE || mode == DISK_WRITE_IF_CAN;
    char reason[160];
    if (want_write) {
        d->fd = open(path, O_RDWR | O_CLOEXEC);
        if (d->fd < 0 && mode == DISK_WRITE_IF_CAN && (errno == EACCES || errno == EROFS ||
                                                       errno == EPERM))
            want_write = false;
        else if (d->fd < 0) {
            snprintf(reason, sizeof reason, "cannot open for reading and writing: %s%s",
                     strerror(errno), errno == EACCES || errno == EROFS ? " (try -snapshot)" : "");
            return fail(d, err, errlen, path, reason);
        }
    }
    if (!want_write) {
        d->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (d->fd < 0) {
            snprintf(reason, sizeof reason, "cannot open: %s", strerror(errno));
            return fail(d, err, errlen, path, reason);
        }
    }
    struct stat st;
    if (fstat(d->fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
        return fail(d, err, errlen, path, "not a regular file or block device");
    off_t end = lseek(d->fd, 0, SEEK_END);
    if (end < 0)
        return fail(d, err, errlen, path, "cannot determine its size");
    if (end == 0)
        return fail(d, err, errlen, path, "the image is empty (zero length)");
    if ((uint64_t)end % sector_size) {
        snprintf(reason, sizeof reason,
                 "the size (%lld bytes) is not a whole number of %u-byte sectors",
                 (long long)end, sector_size);
        return fail(d, err, errlen, path, reason);
    }
    /* Reading the first sector catches what open() lets through (a
     * directory on some systems, an unreadable device). */
    uint8_t probe[512];
    if (pread(d->fd, probe, sizeof probe < (uint64_t)end ? sizeof probe : (size_t)end, 0) < 0) {
        snprintf(reason, sizeof reason, "cannot read: %s", strerror(errno));
        return fail(d, err, errlen, path, reason);
    }
    if (flock(d->fd, (want_write ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return fail(d, err, errlen, path,
                        "the image is locked: another emulator (or another drive of this one) uses it");
        snprintf(reason, sizeof reason, "cannot lock: %s", strerror(errno));
        return fail(d, err, errlen, path, reason);
    }
    d->size = (uint64_t)end;
    d->read_only = !want_write && mode != DISK_SNAPSHOT;
    d->snapshot = mode == DISK_SNAPSHOT;
    if (d->snapshot) {
        d->overlay_clusters = (d->size + DISK_COW_CLUSTER - 1) / DISK_COW_CLUSTER;
        d->overlay = calloc(d->overlay_clusters, sizeof *d->overlay);
        if (!d->overlay)
            return fail(d, err, errlen, path, "out of memory for the copy-on-write overlay");
    }
    d->path = strdup(path);
    if (!d->path) {
        free(d->overlay);
        return fail(d, err, errlen, path, "out of memory");
    }
    return true;
}

void disk_close(disk_t *d)
{
    if (!d->path)
        return;
    disk_flush(d);
    for (uint64_t k = 0; k < d->overlay_clusters; k++)
        free(d->overlay[k]);
    free(d->overlay);
    free(d->path);
    close(d->fd); /* releases the flock */
    *d = (disk_t){.fd = -1};
}

static bool in_range(const disk_t *d, uint64_t offset, size_t len)
{
    return d->path && offset <= d->size && len <= d->size - offset;
}

/* pread/pwrite until done: they may return short counts or EINTR. */
static bool file_io(int fd, bool write, uint64_t offset, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, (off_t)offset) : pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

/* Copy-on-write: walks [offset, offset+len) cluster by cluster, writing
 * into the overlay, or reading from it where a cluster was written and
 * from the file elsewhere.  Writes need every cluster made already. */
static bool overlay_io(disk_t *d, bool write, uint64_t offset, uint8_t *buf, size_t len)
{
    while (len) {
        uint64_t k = offset / DISK_COW_CLUSTER;
        uint32_t within = (uint32_t)(offset % DISK_COW_CLUSTER);
        size_t chunk = DISK_COW_CLUSTER - within;
        if (chunk > len)
            chunk = len;
        if (write)
            memcpy(d->overlay[k] + within, buf, chunk);
        else if (d->overlay[k])
            memcpy(buf, d->overlay[k] + within, chunk);
        else if (!file_io(d->fd, false, offset, buf, chunk))
            return false;
        buf += chunk;
        offset += chunk;
        len -= chunk;
    }
    return true;
}

bool disk_read(disk_t *d, uint64_t offset, void *buf, size_t len)
{
    if (!in_range(d, offset, len))
        return false;
    if (!d->snapshot)
        return file_io(d->fd, false, offset, buf, len);
    return overlay_io(d, false, offset, buf, len);
}

/* The overlay copy of cluster k, made from the file on first write. */
static uint8_t *overlay_cluster(disk_t *d, uint64_t k)
{
    if (d->overlay[k])
        return d->overlay[k];
    uint8_t *c = malloc(DISK_COW_CLUSTER);
    if (!c)
        return NULL;
    uint64_t start = k * DISK_COW_CLUSTER;
    size_t valid = d->size - start < DISK_COW_CLUSTER ? (size_t)(d->size - start) : DISK_COW_CLUSTER;
    if (!file_io(d->fd, false, start, c, valid)) {
        free(c);
        return NULL;
    }
    memset(c + valid, 0, DISK_COW_CLUSTER - valid);
    d->overlay[k] = c;
    return c;
}

bool disk_write(disk_t *d, uint64_t offset, const void *buf, size_t len)
{
    if (!in_range(d, offset, len) || d->read_only)
        return false;
    if (!d->snapshot) {
        d->dirty = true;
        return file_io(d->fd, true, offset, (void *)buf, len);
    }
    /* Every cluster is made first, so a failure writes nothing. */
    for (uint64_t k = offset / DISK_COW_CLUSTER; len && k <= (offset + len - 1) / DISK_COW_CLUSTER; k++)
        if (!overlay_cluster(d, k))
            return false;
    return overlay_io(d, true, offset, (uint8_t *)buf, len);
}

bool disk_flush(disk_t *d)
{
    if (!d->path || !d->dirty)
        return true;
    if (fdatasync(d->fd) != 0)
        return false;
    d->dirty = false;
    return true;
}
