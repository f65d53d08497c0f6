/* Disk image back-ends: reads equal the file, writes land in the file only
 * when not copy-on-write, accesses past the end are refused, and bad images
 * (missing, empty, truncated, unreadable, locked) are refused naming the
 * file and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "devices/disk.h"
#include "image_util.h"

static char err[512];

static void read_equals_file_bytes(void **state)
{
    (void)state;
    const char *img = scratch_path("fat.img");
    assert_int_equal(make_fat_image(img, 1440, "", 20000), 0);
    disk_t d;
    assert_true(disk_open(&d, img, DISK_READ_WRITE, 512, err, sizeof err));
    assert_int_equal(d.size, 1440 * 1024);
    uint8_t got[4096], want[4096];
    for (uint64_t off = 0; off < d.size; off += 64 * 1024 + 512) {
        assert_true(disk_read(&d, off, got, sizeof got));
        file_read_at(img, off, want, sizeof want);
        assert_memory_equal(got, want, sizeof got);
    }
    /* The boot sector mkfs.fat wrote: jump, OEM name, 0x55AA signature. */
    assert_true(disk_read(&d, 0, got, 512));
    assert_int_equal(got[0], 0xEB);
    assert_memory_equal(got + 3, "mkfs.fat", 8);
    assert_int_equal(got[510], 0x55);
    assert_int_equal(got[511], 0xAA);
    disk_close(&d);
}

static void past_end_is_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("p.img");
    write_pattern_file(img, 8 * 512, 1);
    disk_t d;
    assert_true(disk_open(&d, img, DISK_READ_WRITE, 512, err, sizeof err));
    uint8_t buf[1024];
    memset(buf, 0x5A, sizeof buf);
    assert_true(disk_read(&d, 7 * 512, buf, 512));
    assert_false(disk_read(&d, 7 * 512, buf, 1024));
    assert_false(disk_read(&d, UINT64_MAX - 10, buf, 512));
    assert_false(disk_write(&d, 7 * 512 + 1, buf, 512));
    assert_false(disk_write(&d, 8 * 512, buf, 1));
    disk_close(&d);
    assert_int_equal(file_size(img), 8 * 512);
    uint8_t last[512];
    file_read_at(img, 7 * 512, last, 512);
    for (int i = 0; i < 512; i++)
        assert_int_equal(last[i], pattern_byte(7 * 512 + i, 1));
}

static void writes_land_in_file(void **state)
{
    (void)state;
    const char *img = scratch_path("w.img");
    write_pattern_file(img, 64 * 512, 2);
    disk_t d;
    assert_true(disk_open(&d, img, DISK_READ_WRITE, 512, err, sizeof err));
    uint8_t buf[1536];
    memset(buf, 0xC3, sizeof buf);
    assert_true(disk_write(&d, 5 * 512, buf, sizeof buf));
    assert_true(d.dirty);
    assert_true(disk_flush(&d));
    assert_false(d.dirty);
    uint8_t file[1536];
    file_read_at(img, 5 * 512, file, sizeof file);
    assert_memory_equal(file, buf, sizeof buf);
    disk_close(&d);
}

static void snapshot_never_writes_file(void **state)
{
    (void)state;
    const char *img = scratch_path("s.img");
    /* Two clusters and a bit, so writes straddle a cluster boundary and
     * touch the short last cluster. */
    uint64_t size = 2 * DISK_COW_CLUSTER + 4096;
    write_pattern_file(img, size, 3);
    disk_t d;
    assert_true(disk_open(&d, img, DISK_SNAPSHOT, 512, err, sizeof err));
    uint8_t buf[8192], got[8192];
    memset(buf, 0x11, sizeof buf);
    assert_true(disk_write(&d, DISK_COW_CLUSTER - 4096, buf, sizeof buf));
    assert_true(disk_write(&d, size - 1024, buf, 1024));
    assert_true(disk_read(&d, DISK_COW_CLUSTER - 4096, got, sizeof got));
    assert_memory_equal(got, buf, sizeof got);
    /* Bytes around the write still come from the file. */
    assert_true(disk_read(&d, DISK_COW_CLUSTER - 4608, got, 512));
    for (int i = 0; i < 512; i++)
        assert_int_equal(got[i], pattern_byte(DISK_COW_CLUSTER - 4608 + i, 3));
    assert_true(disk_read(&d, size - 2048, got, 2048));
    for (int i = 0; i < 1024; i++)
        assert_int_equal(got[i], pattern_byte(size - 2048 + i, 3));
    assert_memory_equal(got + 1024, buf, 1024);
    assert_false(disk_write(&d, size - 512, buf, 1024));
    disk_close(&d);
    /* The file is untouched. */
    uint8_t file[8192];
    file_read_at(img, DISK_COW_CLUSTER - 4096, file, sizeof file);
    for (size_t i = 0; i < sizeof file; i++)
        assert_int_equal(file[i], pattern_byte(DISK_COW_CLUSTER - 4096 + i, 3));
}

static void read_only_refuses_writes(void **state)
{
    (void)state;
    const char *img = scratch_path("ro.img");
    write_pattern_file(img, 4 * 2048, 4);
    disk_t d;
    assert_true(disk_open(&d, img, DISK_READ_ONLY, 2048, err, sizeof err));
    uint8_t buf[2048] = {0};
    assert_false(disk_write(&d, 0, buf, sizeof buf));
    assert_true(disk_read(&d, 3 * 2048, buf, sizeof buf));
    assert_int_equal(buf[0], pattern_byte(3 * 2048, 4));
    disk_close(&d);
}

static void assert_refused(const char *path, disk_mode_t mode, uint32_t sector, const char *reason)
{
    disk_t d;
    err[0] = 0;
    assert_false(disk_open(&d, path, mode, sector, err, sizeof err));
    assert_non_null(strstr(err, path));
    if (!strstr(err, reason))
        fail_msg("message \"%s\" does not say \"%s\"", err, reason);
    assert_int_equal(d.fd, -1);
}

static void bad_images_are_refused(void **state)
{
    (void)state;
    assert_refused(scratch_path("missing.img"), DISK_READ_WRITE, 512, "No such file");
    const char *empty = scratch_path("empty.img");
    write_pattern_file(empty, 0, 0);
    assert_refused(empty, DISK_READ_WRITE, 512, "empty");
    const char *truncated = scratch_path("trunc.img");
    write_pattern_file(truncated, 1440 * 1024 - 100, 0);
    assert_refused(truncated, DISK_READ_WRITE, 512, "not a whole number of 512-byte sectors");
    const char *odd_iso = scratch_path("odd.iso");
    write_pattern_file(odd_iso, 2048 * 10 + 512, 0);
    assert_refused(odd_iso, DISK_READ_ONLY, 2048, "not a whole number of 2048-byte sectors");
    assert_refused(scratch_dir, DISK_READ_ONLY, 512, "not a regular file");
}

static void unreadable_image_is_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("secret.img");
    write_pattern_file(img, 4096, 0);
    chmod(img, 0);
    chmod(scratch_dir, 0755);
    /* Root reads any file, so the check runs as "nobody" in a child. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        disk_t d;
        char e[512];
        bool ok = disk_open(&d, img, DISK_SNAPSHOT, 512, e, sizeof e);
        _exit(!ok && strstr(e, img) && strstr(e, "Permission denied") ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void locked_image_is_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("lock.img");
    write_pattern_file(img, 8192, 0);
    disk_t a, b;
    assert_true(disk_open(&a, img, DISK_READ_WRITE, 512, err, sizeof err));
    assert_refused(img, DISK_READ_WRITE, 512, "locked");
    assert_refused(img, DISK_SNAPSHOT, 512, "locked");
    /* Another process (another emulator) is refused too. */
    pid_t pid = fork();
    if (pid == 0) {
        disk_t c;
        char e[512];
        _exit(!disk_open(&c, img, DISK_READ_WRITE, 512, e, sizeof e) && strstr(e, "locked") ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
    disk_close(&a);
    /* Readers share: two copy-on-write users, but then no writer. */
    assert_true(disk_open(&a, img, DISK_SNAPSHOT, 512, err, sizeof err));
    assert_true(disk_open(&b, img, DISK_SNAPSHOT, 512, err, sizeof err));
    assert_refused(img, DISK_READ_WRITE, 512, "locked");
    disk_close(&a);
    disk_close(&b);
    assert_true(disk_open(&a, img, DISK_READ_WRITE, 512, err, sizeof err));
    disk_close(&a);
}

static void write_if_can_falls_back_to_read_only(void **state)
{
    (void)state;
    const char *img = scratch_path("wp.img");
    write_pattern_file(img, 1440 * 1024, 5);
    chmod(img, 0444);
    chmod(scratch_dir, 0755);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        disk_t d;
        char e[512];
        if (!disk_open(&d, img, DISK_WRITE_IF_CAN, 512, e, sizeof e) || !d.read_only)
            _exit(1);
        uint8_t buf[512] = {0};
        _exit(disk_write(&d, 0, buf, 512) ? 2 : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_equals_file_bytes),
        cmocka_unit_test(past_end_is_refused),
        cmocka_unit_test(writes_land_in_file),
        cmocka_unit_test(snapshot_never_writes_file),
        cmocka_unit_test(read_only_refuses_writes),
        cmocka_unit_test(bad_images_are_refused),
        cmocka_unit_test(unreadable_image_is_refused),
        cmocka_unit_test(locked_image_is_refused),
        cmocka_unit_test(write_if_can_falls_back_to_read_only),
    };
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}
