/* The disks on the board: machine_create refuses bad images with a message
 * naming the option, the file and the reason; good ones reach the guest's
 * ports, the controllers' interrupts reach the PIC's IRQ 14, 15 and 6, and
 * machine_destroy leaves the writes in the image file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "devices/pc.h"
#include "image_util.h"

static uint8_t bios[65536];
static char err[512];

static machine_config_t config(void)
{
    memset(bios, 0xF4, sizeof bios); /* HLT everywhere */
    return (machine_config_t){.ram_mb = 16, .bios_image = bios, .bios_size = sizeof bios,
                              .halt_is_poweroff = true, .rtc_start = 0};
}

static void refused(machine_config_t *cfg, const char *option, const char *path, const char *reason)
{
    err[0] = 0;
    machine_t *m = machine_create(cfg, err, sizeof err);
    if (m) {
        machine_destroy(m);
        fail_msg("%s %s was accepted", option, path);
    }
    if (strncmp(err, option, strlen(option)) || !strstr(err, path) || !strstr(err, reason))
        fail_msg("message \"%s\" should name %s %s and say \"%s\"", err, option, path, reason);
}

static void bad_images_are_refused_at_creation(void **state)
{
    (void)state;
    machine_config_t cfg = config();
    cfg.hd[0] = scratch_path("missing.img");
    refused(&cfg, "-hda", cfg.hd[0], "No such file");

    cfg = config();
    cfg.cdrom = scratch_path("empty.iso");
    write_pattern_file(cfg.cdrom, 0, 0);
    refused(&cfg, "-cdrom", cfg.cdrom, "empty");

    cfg = config();
    cfg.cdrom = scratch_path("short.iso");
    write_pattern_file(cfg.cdrom, 2048 * 20 + 512, 0);
    refused(&cfg, "-cdrom", cfg.cdrom, "2048-byte sectors");

    cfg = config();
    cfg.hd[1] = scratch_path("trunc.img");
    write_pattern_file(cfg.hd[1], 10 * 512 + 7, 0);
    refused(&cfg, "-hdb", cfg.hd[1], "512-byte sectors");

    cfg = config();
    cfg.fd[0] = scratch_path("odd.img");
    write_pattern_file(cfg.fd[0], 100 * 512, 0);
    refused(&cfg, "-fda", cfg.fd[0], "not a floppy format");
}

static void locked_image_is_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("shared.img");
    write_pattern_file(img, 1 << 20, 1);
    machine_config_t cfg = config();
    cfg.hd[0] = img;
    machine_t *first = machine_create(&cfg, err, sizeof err);
    assert_non_null(first);
    refused(&cfg, "-hda", img, "locked"); /* a second machine */
    machine_config_t two = config();
    two.hd[0] = scratch_path("other.img");
    write_pattern_file(two.hd[0], 1 << 20, 2);
    two.hd[2] = img;
    refused(&two, "-hdc", img, "locked");
    /* -snapshot only reads, but a writer holds it. */
    cfg.snapshot = true;
    refused(&cfg, "-hda", img, "locked");
    machine_destroy(first);
    cfg.snapshot = false;
    first = machine_create(&cfg, err, sizeof err);
    assert_non_null(first);
    machine_destroy(first);
}

static void unreadable_image_is_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("secret.img");
    write_pattern_file(img, 1 << 20, 3);
    chmod(img, 0);
    chmod(scratch_dir, 0755);
    pid_t pid = fork();
    if (pid == 0) { /* root reads anything: try as nobody */
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        machine_config_t cfg = config();
        cfg.hd[0] = img;
        cfg.snapshot = true;
        machine_t *m = machine_create(&cfg, err, sizeof err);
        _exit(!m && !strncmp(err, "-hda", 4) && strstr(err, img) && strstr(err, "Permission denied") ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void run_clock(machine_t *m)
{
    uint64_t next;
    while ((next = clock_next_deadline(&m->clock)) != CLOCK_NEVER) {
        clock_skip_to(&m->clock, next);
        clock_run_due(&m->clock);
    }
}

static void out8(machine_t *m, uint16_t port, uint8_t v) { ioport_write(&m->io, port, v, 1); }
static uint8_t in8(machine_t *m, uint16_t port) { return (uint8_t)ioport_read(&m->io, port, 1); }

static void disks_reach_the_guest_and_the_pic(void **state)
{
    (void)state;
    const char *hd = scratch_path("hd.img"), *iso = scratch_path("cd.iso"), *fd = scratch_path("fd.img");
    write_pattern_file(hd, 1 << 20, 4);
    assert_int_equal(make_iso_image(iso, 4096), 0);
    assert_int_equal(make_fat_image(fd, 1440, "", 100), 0);
    machine_config_t cfg = config();
    cfg.hd[0] = hd;
    cfg.cdrom = iso;
    cfg.fd[0] = fd;
    machine_t *m = machine_create(&cfg, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    /* The CD-ROM went to the secondary master. */
    assert_int_equal(m->ide.ch[1].drive[0].kind, IDE_ATAPI);
    assert_int_equal(m->ide.ch[0].drive[0].kind, IDE_ATA);
    /* WRITE SECTORS to LBA 3 through the ports; IRQ 14 is the slave PIC's
     * input 6. */
    out8(m, 0x1F6, 0xE0);
    out8(m, 0x1F2, 1);
    out8(m, 0x1F3, 3);
    out8(m, 0x1F4, 0);
    out8(m, 0x1F5, 0);
    out8(m, 0x1F7, 0x30);
    run_clock(m);
    assert_int_equal(in8(m, 0x3F6) & 0x08, 0x08);
    for (int k = 0; k < 256; k++)
        ioport_write(&m->io, 0x1F0, 0xBEEF, 2);
    run_clock(m);
    assert_true(m->pic.chip[1].level & 0x40);
    assert_int_equal(in8(m, 0x1F7), 0x50);
    assert_false(m->pic.chip[1].level & 0x40);
    /* IRQ 15: IDENTIFY PACKET DEVICE on the CD-ROM. */
    out8(m, 0x176, 0xA0);
    out8(m, 0x177, 0xA1);
    run_clock(m);
    assert_true(m->pic.chip[1].level & 0x80);
    /* IRQ 6: the floppy controller leaving reset. */
    out8(m, 0x3F2, 0x00);
    out8(m, 0x3F2, 0x0C);
    run_clock(m);
    assert_true(m->pic.chip[0].level & 0x40);
    machine_destroy(m);
    /* The write is in the file; its neighbours are not touched. */
    uint8_t sector[512];
    file_read_at(hd, 3 * 512, sector, 512);
    for (int k = 0; k < 512; k += 2) {
        assert_int_equal(sector[k], 0xEF);
        assert_int_equal(sector[k + 1], 0xBE);
    }
    file_read_at(hd, 4 * 512, sector, 1);
    assert_int_equal(sector[0], pattern_byte(4 * 512, 4));
    /* And the lock went with the machine. */
    int fdesc = open(hd, O_RDWR);
    assert_int_equal(flock(fdesc, LOCK_EX | LOCK_NB), 0);
    close(fdesc);
}

static void read_only_floppy_is_write_protected(void **state)
{
    (void)state;
    const char *fd = scratch_path("wp.img");
    write_pattern_file(fd, 1474560, 5);
    chmod(fd, 0444);
    chmod(scratch_dir, 0755);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        machine_config_t cfg = config();
        cfg.fd[0] = fd;
        machine_t *m = machine_create(&cfg, err, sizeof err);
        if (!m)
            _exit(1);
        out8(m, 0x3F2, 0x1C);
        out8(m, 0x3F5, 0x04); /* SENSE DRIVE STATUS */
        out8(m, 0x3F5, 0x00);
        uint8_t st3 = in8(m, 0x3F5);
        machine_destroy(m);
        _exit(st3 & 0x40 ? 0 : 2);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bad_images_are_refused_at_creation, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(locked_image_is_refused, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(unreadable_image_is_refused, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(disks_reach_the_guest_and_the_pic, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(read_only_floppy_is_write_protected, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
