/* 82077AA floppy controller with the 8237A: the command sequences a BIOS
 * or the Linux floppy driver issues, on images made by mkfs.fat and mtools.
 * Expected bytes come from the image file itself; expected status bytes
 * from the 82077AA data sheet (ST0 IC field, ST1 EN/NW/MA, the C/H/R
 * result table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "devices/fdc.h"
#include "image_util.h"

typedef struct rig {
    uint64_t icount;
    vclock_t clock;
    physmem_t mem;
    ioport_bus_t io;
    dma_t dma;
    fdc_t fdc;
    disk_t disk[2];
    bool irq;
    int irq_edges;
} rig_t;

static rig_t *R;
static char err[512];

static void irq_capture(void *opaque, int line, bool level)
{
    (void)line;
    rig_t *r = opaque;
    if (level && !r->irq)
        r->irq_edges++;
    r->irq = level;
}

static void out8(uint16_t port, uint8_t v) { ioport_write(&R->io, port, v, 1); }
static uint8_t in8(uint16_t port) { return (uint8_t)ioport_read(&R->io, port, 1); }

/* Lets virtual time pass until nothing is scheduled. */
static void settle(void)
{
    for (int k = 0; k < 100; k++) {
        uint64_t next = clock_next_deadline(&R->clock);
        if (next == CLOCK_NEVER)
            return;
        clock_skip_to(&R->clock, next);
        clock_run_due(&R->clock);
    }
}

static void send(const uint8_t *bytes, int n)
{
    for (int k = 0; k < n; k++) {
        assert_int_equal(in8(0x3F4) & 0xC0, 0x80); /* RQM, host -> controller */
        out8(0x3F5, bytes[k]);
    }
}

static int receive(uint8_t *bytes, int max)
{
    int n = 0;
    while ((in8(0x3F4) & 0xC0) == 0xC0 && n < max)
        bytes[n++] = in8(0x3F5);
    return n;
}

static void sense_interrupt(uint8_t *st0, uint8_t *pcn)
{
    uint8_t c = 0x08, r[2];
    send(&c, 1);
    assert_int_equal(receive(r, 2), 2);
    *st0 = r[0];
    *pcn = r[1];
}

static void program_dma(bool to_memory, uint32_t phys, uint32_t bytes)
{
    out8(0x0A, 0x06);
    out8(0x0C, 0);
    out8(0x0B, (to_memory ? 0x44 : 0x48) | 2); /* single mode, write/read, channel 2 */
    out8(0x04, (uint8_t)phys);
    out8(0x04, (uint8_t)(phys >> 8));
    out8(0x81, (uint8_t)(phys >> 16));
    out8(0x05, (uint8_t)(bytes - 1));
    out8(0x05, (uint8_t)((bytes - 1) >> 8));
    out8(0x0A, 0x02);
}

/* Controller reset through the DOR, as BIOS and Linux do it. */
static void reset_controller(void)
{
    out8(0x3F2, 0x00);
    out8(0x3F2, 0x1C); /* motor A on, DMA/IRQ enabled, out of reset, drive 0 */
    settle();
    assert_true(R->irq);
    for (int d = 0; d < 4; d++) {
        uint8_t st0, pcn;
        sense_interrupt(&st0, &pcn);
        assert_int_equal(st0, 0xC0 | d);
    }
    assert_false(R->irq);
    uint8_t specify[3] = {0x03, 0xDF, 0x02};
    send(specify, 3);
}

static void seek(int drive, uint8_t cyl, uint8_t head)
{
    uint8_t cmd[3] = {0x0F, (uint8_t)(head << 2 | drive), cyl};
    send(cmd, 3);
    settle();
    assert_true(R->irq);
    uint8_t st0, pcn;
    sense_interrupt(&st0, &pcn);
    assert_int_equal(st0, 0x20 | head << 2 | drive);
    assert_int_equal(pcn, cyl);
    assert_false(R->irq);
}

/* READ DATA or WRITE DATA; returns the 7 result bytes. */
static void data_command(uint8_t opcode, int drive, uint8_t c, uint8_t h, uint8_t r, uint8_t eot,
                         uint8_t res[7])
{
    uint8_t cmd[9] = {opcode, (uint8_t)(h << 2 | drive), c, h, r, 2, eot, 0x1B, 0xFF};
    send(cmd, 9);
    assert_int_equal(in8(0x3F4) & 0x90, 0x10); /* busy, no RQM: execution */
    settle();
    assert_true(R->irq);
    assert_int_equal(receive(res, 7), 7);
    assert_false(R->irq);
    assert_int_equal(in8(0x3F4), 0x80);
}

static void open_image(int unit, const char *path, disk_mode_t mode)
{
    assert_true(disk_open(&R->disk[unit], path, mode, 512, err, sizeof err));
    assert_true(fdc_insert(&R->fdc, unit, &R->disk[unit], err, sizeof err));
}

static int setup(void **state)
{
    (void)state;
    scratch_init();
    R = calloc(1, sizeof *R);
    clock_init(&R->clock, &R->icount, false);
    assert_true(physmem_init(&R->mem, 4u << 20));
    ioport_init(&R->io);
    assert_true(dma_init(&R->dma, &R->io, &R->mem));
    irq_line_t line = {irq_capture, R, FDC_IRQ};
    assert_true(fdc_init(&R->fdc, &R->io, &R->clock, &R->dma, line));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int u = 0; u < 2; u++)
        disk_close(&R->disk[u]);
    physmem_free(&R->mem);
    free(R);
    scratch_cleanup();
    return 0;
}

static uint64_t chs_offset(unsigned c, unsigned h, unsigned r, unsigned heads, unsigned spt)
{
    return ((uint64_t)(c * heads + h) * spt + r - 1) * 512;
}

static void read_boot_sector_of_fat_image(void **state)
{
    (void)state;
    const char *img = scratch_path("a.img");
    assert_int_equal(make_fat_image(img, 1440, "", 30000), 0);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    assert_int_equal(in8(0x3F7) & 0x80, 0x80); /* disk changed since power-on */
    out8(0x3F7, 0);                            /* 500 kbit/s */
    uint8_t recal[2] = {0x07, 0x00};
    send(recal, 2);
    settle();
    uint8_t st0, pcn;
    sense_interrupt(&st0, &pcn);
    assert_int_equal(st0, 0x20);
    assert_int_equal(pcn, 0);
    program_dma(true, 0x10000, 512);
    uint8_t res[7];
    data_command(0xE6, 0, 0, 0, 1, 18, res);
    uint8_t want[7] = {0x00, 0x00, 0x00, 0, 0, 2, 2}; /* normal end; next sector 0/0/2 */
    assert_memory_equal(res, want, 7);
    uint8_t got[512], file[512];
    physmem_read_block(&R->mem, 0x10000, got, 512);
    file_read_at(img, 0, file, 512);
    assert_memory_equal(got, file, 512);
    /* The BPB mkfs.fat wrote for a 1.44 MB disk: 512 bytes per sector,
     * 18 sectors per track, 2 heads, 2880 sectors. */
    assert_int_equal(got[11] | got[12] << 8, 512);
    assert_int_equal(got[24] | got[25] << 8, 18);
    assert_int_equal(got[26] | got[27] << 8, 2);
    assert_int_equal(got[19] | got[20] << 8, 2880);
    assert_int_equal(fdc_cmos_type(&R->fdc, 0), 4);
}

static void multitrack_read_crosses_to_head_1(void **state)
{
    (void)state;
    const char *img = scratch_path("mt.img");
    write_pattern_file(img, 1474560, 11);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 0);
    seek(0, 5, 0);
    assert_int_equal(in8(0x3F7) & 0x80, 0); /* the step cleared the change line */
    program_dma(true, 0x20000, 4 * 512);
    uint8_t res[7];
    data_command(0xE6, 0, 5, 0, 17, 18, res); /* 17, 18 on head 0; 1, 2 on head 1 */
    uint8_t want[7] = {0x04, 0x00, 0x00, 5, 1, 3, 2};
    assert_memory_equal(res, want, 7);
    uint8_t got[2048], file[2048];
    physmem_read_block(&R->mem, 0x20000, got, sizeof got);
    file_read_at(img, chs_offset(5, 0, 17, 2, 18), file, sizeof file);
    assert_memory_equal(got, file, sizeof got);
}

static void read_without_terminal_count_ends_at_eot(void **state)
{
    (void)state;
    const char *img = scratch_path("eot.img");
    write_pattern_file(img, 1474560, 12);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 0);
    seek(0, 2, 1);
    program_dma(true, 0x30000, 8192);
    uint8_t res[7];
    data_command(0x46, 0, 2, 1, 16, 18, res); /* no MT: sectors 16-18, then EOT */
    uint8_t want[7] = {0x44, 0x80, 0x00, 3, 1, 1, 2}; /* abnormal, end of cylinder */
    assert_memory_equal(res, want, 7);
    uint8_t got[1536], file[1536];
    physmem_read_block(&R->mem, 0x30000, got, sizeof got);
    file_read_at(img, chs_offset(2, 1, 16, 2, 18), file, sizeof file);
    assert_memory_equal(got, file, sizeof got);
}

static void write_lands_in_image(void **state)
{
    (void)state;
    const char *img = scratch_path("w.img");
    write_pattern_file(img, 1474560, 13);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 0);
    seek(0, 79, 1);
    uint8_t data[1024];
    for (int i = 0; i < 1024; i++)
        data[i] = (uint8_t)(i ^ 0x5A);
    physmem_write_block(&R->mem, 0x40000, data, sizeof data);
    program_dma(false, 0x40000, sizeof data);
    uint8_t res[7];
    data_command(0xC5, 0, 79, 1, 17, 18, res);
    /* MT, ending on head 1 at EOT: C + 1, H complemented, R = 1; ST0 still
     * shows head 1, where the last sector was. */
    uint8_t want[7] = {0x04, 0x00, 0x00, 80, 0, 1, 2};
    assert_memory_equal(res, want, 7);
    uint8_t file[1024];
    file_read_at(img, chs_offset(79, 1, 17, 2, 18), file, sizeof file);
    assert_memory_equal(file, data, sizeof data);
    /* Neighbours untouched. */
    file_read_at(img, chs_offset(79, 1, 16, 2, 18), file, 512);
    for (int i = 0; i < 512; i++)
        assert_int_equal(file[i], pattern_byte(chs_offset(79, 1, 16, 2, 18) + i, 13));
}

static void write_protected_disk_refuses(void **state)
{
    (void)state;
    const char *img = scratch_path("wp.img");
    write_pattern_file(img, 737280, 14);
    open_image(0, img, DISK_READ_ONLY);
    reset_controller();
    out8(0x3F7, 2); /* 250 kbit/s for 720 KB */
    uint8_t sds[2] = {0x04, 0x00}, st3 = 0;
    send(sds, 2);
    assert_int_equal(receive(&st3, 1), 1);
    assert_int_equal(st3 & 0x40, 0x40); /* write protect */
    assert_int_equal(st3 & 0x10, 0x10); /* track 0 */
    program_dma(false, 0x40000, 512);
    uint8_t res[7];
    data_command(0x45, 0, 0, 0, 1, 9, res);
    assert_int_equal(res[0], 0x40);
    assert_int_equal(res[1], 0x02);
    uint8_t file[512];
    file_read_at(img, 0, file, 512);
    assert_int_equal(file[0], pattern_byte(0, 14));
    /* 720 KB: the last sector is 79/1/9. */
    seek(0, 79, 1);
    program_dma(true, 0x50000, 512);
    data_command(0x46, 0, 79, 1, 9, 9, res);
    uint8_t got[512];
    physmem_read_block(&R->mem, 0x50000, got, 512);
    file_read_at(img, 737280 - 512, file, 512);
    assert_memory_equal(got, file, 512);
    assert_int_equal(fdc_cmos_type(&R->fdc, 0), 3);
}

static void wrong_data_rate_finds_no_address_mark(void **state)
{
    (void)state;
    const char *img = scratch_path("rate.img");
    write_pattern_file(img, 1474560, 15);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 2); /* 250 kbit/s: a 720 KB rate on a 1.44 MB disk */
    uint8_t readid[2] = {0x4A, 0x00}, res[7];
    send(readid, 2);
    settle();
    assert_int_equal(receive(res, 7), 7);
    assert_int_equal(res[0], 0x40);
    assert_int_equal(res[1], 0x01);
    out8(0x3F7, 0);
    send(readid, 2);
    settle();
    assert_int_equal(receive(res, 7), 7);
    assert_int_equal(res[0], 0x00);
    assert_int_equal(res[3], 0);
    assert_int_equal(res[4], 0);
    assert_true(res[5] >= 1 && res[5] <= 18);
    assert_int_equal(res[6], 2);
}

static void extra_density_2880k(void **state)
{
    (void)state;
    const char *img = scratch_path("ed.img");
    assert_int_equal(make_fat_image(img, 2880, "", 1000), 0);
    open_image(1, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 3); /* 1 Mbit/s */
    seek(1, 79, 1);
    program_dma(true, 0x60000, 2 * 512);
    uint8_t res[7];
    data_command(0xE6, 1, 79, 1, 35, 36, res);
    uint8_t want[7] = {0x05, 0x00, 0x00, 80, 0, 1, 2};
    assert_memory_equal(res, want, 7);
    uint8_t got[1024], file[1024];
    physmem_read_block(&R->mem, 0x60000, got, sizeof got);
    file_read_at(img, 2949120 - 1024, file, sizeof file);
    assert_memory_equal(got, file, sizeof got);
    assert_int_equal(fdc_cmos_type(&R->fdc, 1), 5);
}

static void format_track_fills_sectors(void **state)
{
    (void)state;
    const char *img = scratch_path("fmt.img");
    write_pattern_file(img, 737280, 16);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 2);
    seek(0, 3, 1);
    uint8_t ids[36];
    for (int s = 0; s < 9; s++) {
        ids[4 * s] = 3, ids[4 * s + 1] = 1, ids[4 * s + 2] = (uint8_t)(s + 1), ids[4 * s + 3] = 2;
    }
    physmem_write_block(&R->mem, 0x70000, ids, sizeof ids);
    program_dma(false, 0x70000, sizeof ids);
    uint8_t cmd[6] = {0x4D, 0x04, 2, 9, 0x50, 0xE5}, res[7];
    send(cmd, 6);
    settle();
    assert_int_equal(receive(res, 7), 7);
    assert_int_equal(res[0], 0x04);
    assert_int_equal(res[1], 0);
    uint8_t track[9 * 512];
    file_read_at(img, chs_offset(3, 1, 1, 2, 9), track, sizeof track);
    for (size_t i = 0; i < sizeof track; i++)
        assert_int_equal(track[i], 0xE5);
    uint8_t before[1];
    file_read_at(img, chs_offset(3, 1, 1, 2, 9) - 1, before, 1);
    assert_int_equal(before[0], pattern_byte(chs_offset(3, 1, 1, 2, 9) - 1, 16));
}

static void non_dma_read_through_fifo(void **state)
{
    (void)state;
    const char *img = scratch_path("pio.img");
    write_pattern_file(img, 1474560, 17);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    uint8_t specify[3] = {0x03, 0xDF, 0x03}; /* ND = 1 */
    send(specify, 3);
    out8(0x3F7, 0);
    uint8_t cmd[9] = {0x46, 0x00, 0, 0, 18, 2, 18, 0x1B, 0xFF};
    send(cmd, 9);
    settle();
    assert_true(R->irq);
    assert_int_equal(in8(0x3F4) & 0xF0, 0xF0); /* RQM DIO NDMA CB */
    uint8_t got[512], file[512];
    for (int i = 0; i < 512; i++)
        got[i] = in8(0x3F5);
    file_read_at(img, chs_offset(0, 0, 18, 2, 18), file, 512);
    assert_memory_equal(got, file, 512);
    uint8_t res[7];
    assert_int_equal(receive(res, 7), 7);
    assert_int_equal(res[0], 0x40); /* no TC in non-DMA mode: ends at EOT */
    assert_int_equal(res[1], 0x80);
}

static void configuration_commands(void **state)
{
    (void)state;
    reset_controller();
    uint8_t v = 0x10, r[10];
    send(&v, 1);
    assert_int_equal(receive(r, 10), 1);
    assert_int_equal(r[0], 0x90);
    uint8_t configure[4] = {0x13, 0x00, 0x57, 0x08}; /* EIS, POLL off, FIFOTHR 7 */
    send(configure, 4);
    uint8_t perp[2] = {0x12, 0x80 | 0x08 | 0x02}; /* OW, D1, GAP */
    send(perp, 2);
    uint8_t lock = 0x94;
    send(&lock, 1);
    assert_int_equal(receive(r, 10), 1);
    assert_int_equal(r[0], 0x10);
    uint8_t dump = 0x0E;
    send(&dump, 1);
    assert_int_equal(receive(r, 10), 10);
    assert_int_equal(r[4], 0xDF); /* SRT/HUT from SPECIFY */
    assert_int_equal(r[5], 0x02); /* HLT/ND */
    assert_int_equal(r[7], 0x80 | 0x08 | 0x02);
    assert_int_equal(r[8], 0x57);
    assert_int_equal(r[9], 0x08);
    /* LOCK keeps CONFIGURE across a reset; POLL is off so no polling
     * interrupts are reported. */
    out8(0x3F2, 0x00);
    out8(0x3F2, 0x0C);
    settle();
    send(&dump, 1);
    assert_int_equal(receive(r, 10), 10);
    assert_int_equal(r[8], 0x57);
    assert_int_equal(r[7] & 0x83, 0x80); /* GAP/WGATE cleared by reset */
    uint8_t si = 0x08;
    send(&si, 1);
    assert_int_equal(receive(r, 10), 1); /* nothing pending: invalid */
    assert_int_equal(r[0], 0x80);
    uint8_t bogus = 0x1F;
    send(&bogus, 1);
    assert_int_equal(receive(r, 10), 1);
    assert_int_equal(r[0], 0x80);
}

static void media_change_line(void **state)
{
    (void)state;
    const char *a = scratch_path("m1.img"), *b = scratch_path("m2.img");
    write_pattern_file(a, 1474560, 18);
    write_pattern_file(b, 1474560, 19);
    open_image(0, a, DISK_READ_WRITE);
    reset_controller();
    assert_int_equal(in8(0x3F7) & 0x80, 0x80);
    seek(0, 0, 0); /* no step pulses: the line stays */
    assert_int_equal(in8(0x3F7) & 0x80, 0x80);
    seek(0, 1, 0);
    assert_int_equal(in8(0x3F7) & 0x80, 0);
    /* Swap the disk. */
    disk_close(&R->disk[0]);
    assert_true(fdc_insert(&R->fdc, 0, NULL, err, sizeof err));
    assert_int_equal(in8(0x3F7) & 0x80, 0x80);
    seek(0, 0, 0); /* no disk: stepping does not clear it */
    assert_int_equal(in8(0x3F7) & 0x80, 0x80);
    open_image(0, b, DISK_READ_WRITE);
    seek(0, 1, 0);
    assert_int_equal(in8(0x3F7) & 0x80, 0);
    out8(0x3F7, 0);
    program_dma(true, 0x10000, 512);
    uint8_t res[7];
    data_command(0xE6, 0, 1, 0, 1, 18, res);
    assert_int_equal(res[0], 0);
    uint8_t got[512], file[512];
    physmem_read_block(&R->mem, 0x10000, got, 512);
    file_read_at(b, chs_offset(1, 0, 1, 2, 18), file, 512);
    assert_memory_equal(got, file, 512);
}

static void masked_dma_channel_overruns(void **state)
{
    (void)state;
    const char *img = scratch_path("or.img");
    write_pattern_file(img, 1474560, 20);
    open_image(0, img, DISK_READ_WRITE);
    reset_controller();
    out8(0x3F7, 0);
    program_dma(true, 0x10000, 512);
    out8(0x0A, 0x06); /* the driver forgot to unmask channel 2 */
    uint8_t res[7];
    data_command(0xE6, 0, 0, 0, 1, 18, res);
    assert_int_equal(res[0], 0x40);
    assert_int_equal(res[1], 0x10); /* overrun */
    assert_int_equal(physmem_read(&R->mem, 0x10000, 4), 0);
}

static void odd_sizes_are_refused(void **state)
{
    (void)state;
    const char *img = scratch_path("odd.img");
    write_pattern_file(img, 1000 * 512, 0);
    assert_true(disk_open(&R->disk[0], img, DISK_READ_WRITE, 512, err, sizeof err));
    assert_false(fdc_insert(&R->fdc, 0, &R->disk[0], err, sizeof err));
    assert_non_null(strstr(err, img));
    assert_non_null(strstr(err, "not a floppy format"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(read_boot_sector_of_fat_image, setup, teardown),
        cmocka_unit_test_setup_teardown(multitrack_read_crosses_to_head_1, setup, teardown),
        cmocka_unit_test_setup_teardown(read_without_terminal_count_ends_at_eot, setup, teardown),
        cmocka_unit_test_setup_teardown(write_lands_in_image, setup, teardown),
        cmocka_unit_test_setup_teardown(write_protected_disk_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_data_rate_finds_no_address_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(extra_density_2880k, setup, teardown),
        cmocka_unit_test_setup_teardown(format_track_fills_sectors, setup, teardown),
        cmocka_unit_test_setup_teardown(non_dma_read_through_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(configuration_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(media_change_line, setup, teardown),
        cmocka_unit_test_setup_teardown(masked_dma_channel_overruns, setup, teardown),
        cmocka_unit_test_setup_teardown(odd_sizes_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
