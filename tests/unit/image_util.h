/* Helpers for the storage tests: scratch directories and disk images made
 * with Debian's own tools (mkfs.fat, mtools, xorriso), and reading an image
 * file behind the emulator's back to check what landed in it. */
#ifndef X86SIM_TEST_IMAGE_UTIL_H
#define X86SIM_TEST_IMAGE_UTIL_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh scratch directory, removed by scratch_cleanup(). */
static char scratch_dir[64];

static inline void scratch_init(void)
{
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/x86sim-test-XXXXXX");
    if (!mkdtemp(scratch_dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static inline void scratch_cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch_dir);
}

/* cmocka fixtures for tests that only need the scratch directory. */
static inline int scratch_setup(void **state)
{
    (void)state;
    scratch_init();
    return 0;
}

static inline int scratch_teardown(void **state)
{
    (void)state;
    scratch_cleanup();
    return 0;
}

/* scratch_path("a.img") -> "/tmp/x86sim-test-XXXX/a.img" (static buffers
 * rotated among sixteen, so a test's few paths stay live while the image
 * makers below take their own). */
static const char *scratch_path(const char *name)
{
    static char bufs[16][256];
    static int next;
    char *b = bufs[next++ & 15];
    snprintf(b, 256, "%s/%s", scratch_dir, name);
    return b;
}

/* Runs a shell command; the test fails when it does. */
static inline int run_tool(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* The byte pattern of the test files: every byte depends on its offset,
 * so a sector read from the wrong place never matches. */
static inline uint8_t pattern_byte(uint64_t offset, unsigned seed)
{
    uint64_t x = (offset + 1) * 0x9E3779B97F4A7C15ull + seed;
    return (uint8_t)(x >> 56);
}

static inline void write_pattern_file(const char *path, uint64_t size, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    for (uint64_t i = 0; i < size; i++)
        fputc(pattern_byte(i, seed), f);
    fclose(f);
}

/* Reads the image file itself, independently of the emulator. */
static inline void file_read_at(const char *path, uint64_t offset, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? pread(fd, buf, len, (off_t)offset) : -1;
    if (fd >= 0)
        close(fd);
    if (n != (ssize_t)len) {
        fprintf(stderr, "cannot read %zu bytes at %llu from %s\n", len, (unsigned long long)offset,
                path);
        exit(1);
    }
}

static inline uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* A FAT image of `kib` KiB made by mkfs.fat, holding HELLO.BIN (a pattern
 * file of `file_bytes` bytes) copied in with mtools. */
static inline int make_fat_image(const char *img, unsigned kib, const char *fat_opts, uint64_t file_bytes)
{
    const char *payload = scratch_path("payload.bin");
    write_pattern_file(payload, file_bytes, 7);
    unlink(img);
    if (run_tool("mkfs.fat %s -C '%s' %u >/dev/null", fat_opts, img, kib))
        return -1;
    return run_tool("MTOOLS_SKIP_CHECK=1 mcopy -i '%s' '%s' ::HELLO.BIN", img, payload);
}

/* An ISO 9660 image made by xorriso holding HELLO.BIN (`file_bytes` bytes
 * of pattern). */
static inline int make_iso_image(const char *iso, uint64_t file_bytes)
{
    const char *dir = scratch_path("isoroot");
    run_tool("rm -rf '%s' && mkdir -p '%s'", dir, dir);
    char payload[300];
    snprintf(payload, sizeof payload, "%s/HELLO.BIN", dir);
    write_pattern_file(payload, file_bytes, 9);
    unlink(iso);
    return run_tool("xorriso -as mkisofs -quiet -V X86SIM_TEST -o '%s' '%s' 2>/dev/null", iso, dir);
}

#endif
