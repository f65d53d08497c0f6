/* ATA through the PIIX3 IDE ports: the command sequences of ATA/ATAPI-7 on
 * images made by mkfs.fat/mtools or filled with a known pattern.  Expected
 * data come from the image file read behind the emulator's back; expected
 * register values from the ATA standard (IDENTIFY layout and checksum,
 * signatures, status and error bits). */
#include "ide_rig.h"

static uint64_t disk_sectors_of(const char *path) { return file_size(path) / 512; }

static void identify(int slot, uint16_t w[256])
{
    ata_simple(slot, 0xEC, 0, 0);
    uint8_t b[512];
    read_blocks_pio(slot >> 1, b, 1, 1);
    for (int k = 0; k < 256; k++)
        w[k] = (uint16_t)(b[2 * k] | b[2 * k + 1] << 8);
}

static void ata_string(const uint16_t *w, int words, char *out)
{
    for (int k = 0; k < words; k++) {
        out[2 * k] = (char)(w[k] >> 8);
        out[2 * k + 1] = (char)w[k];
    }
    out[2 * words] = 0;
}

static void identify_device(void **state)
{
    (void)state;
    const char *img = scratch_path("hd.img");
    assert_int_equal(make_fat_image(img, 32768, "", 4096), 0);
    attach_disk(0, img, DISK_READ_WRITE);
    uint16_t w[256];
    identify(0, w);
    assert_int_equal(R->irq_edges[0], 1);
    /* Checksum: all 512 bytes sum to zero, signature A5h. */
    uint8_t sum = 0;
    for (int k = 0; k < 256; k++)
        sum = (uint8_t)(sum + (w[k] & 0xFF) + (w[k] >> 8));
    assert_int_equal(sum, 0);
    assert_int_equal(w[255] & 0xFF, 0xA5);
    char model[41];
    ata_string(w + 27, 20, model);
    assert_memory_equal(model, "X86SIM HARDDISK ", 16);
    assert_int_equal(w[0] & 0x8000, 0);                       /* ATA device */
    assert_int_equal(w[49] & 0x0300, 0x0300);                 /* LBA and DMA */
    assert_int_equal(w[83] & 0xC400, 0x4400);                 /* LBA48 supported */
    uint64_t sectors = disk_sectors_of(img);
    assert_int_equal(w[60] | (uint32_t)w[61] << 16, sectors);
    assert_int_equal(w[100] | (uint64_t)w[101] << 16, sectors);
    assert_int_equal(w[47] & 0xFF, IDE_MAX_MULTIPLE);
    assert_int_equal(w[63] & 0x07, 0x07);                     /* MWDMA 0-2 */
    assert_true(w[1] * w[3] * w[6] <= sectors);               /* geometry fits */
    assert_int_equal(w[3], 16);
    assert_int_equal(w[6], 63);
    assert_int_equal(w[1], sectors / (16 * 63));
    /* Status after the data was read: ready, no DRQ. */
    assert_int_equal(status(0), 0x50);
}

static void busy_is_seen_before_completion(void **state)
{
    (void)state;
    const char *img = scratch_path("b.img");
    write_pattern_file(img, 1 << 20, 1);
    attach_disk(0, img, DISK_READ_WRITE);
    ata_lba28(0, 0x20, 0, 1);
    assert_int_equal(alt_status(0) & 0x88, 0x80); /* BSY, no DRQ yet */
    assert_false(R->irq[0]);
    settle();
    assert_int_equal(alt_status(0) & 0x88, 0x08);
}

static void read_sectors_equal_file(void **state)
{
    (void)state;
    const char *img = scratch_path("r.img");
    assert_int_equal(make_fat_image(img, 32768, "", 50000), 0);
    attach_disk(0, img, DISK_READ_WRITE);
    uint8_t got[8 * 512], want[8 * 512];
    uint32_t lbas[] = {0, 1, 63, 1000, 65527};
    for (size_t k = 0; k < sizeof lbas / sizeof lbas[0]; k++) {
        ata_lba28(0, 0x20, lbas[k], 8);
        read_blocks_pio(0, got, 8, 1);
        file_read_at(img, (uint64_t)lbas[k] * 512, want, sizeof want);
        assert_memory_equal(got, want, sizeof got);
        /* The address registers end on the last sector read. */
        uint32_t last = lbas[k] + 7;
        assert_int_equal(in8(0x1F3), (uint8_t)last);
        assert_int_equal(in8(0x1F4), (uint8_t)(last >> 8));
    }
    /* The boot sector mkfs.fat wrote. */
    ata_lba28(0, 0x20, 0, 1);
    read_blocks_pio(0, got, 1, 1);
    assert_int_equal(got[510], 0x55);
    assert_int_equal(got[511], 0xAA);
    assert_int_equal(got[11] | got[12] << 8, 512);
}

static void chs_addressing_and_initialize_parameters(void **state)
{
    (void)state;
    const char *img = scratch_path("chs.img");
    write_pattern_file(img, 4 << 20, 2); /* 8192 sectors: 8 cylinders of 16 x 63 */
    attach_disk(1, img, DISK_READ_WRITE);
    /* Default translation 16 heads x 63 sectors: C 2, H 5, S 7 is
     * LBA (2 * 16 + 5) * 63 + 6 = 2337. */
    uint16_t b = 0x1F0;
    out8(b + 6, 0xA0 | 0x10 | 5);
    out8(b + 2, 1);
    out8(b + 3, 7);
    out8(b + 4, 2);
    out8(b + 5, 0);
    out8(b + 7, 0x20);
    uint8_t got[512], want[512];
    read_blocks_pio(0, got, 1, 1);
    file_read_at(img, 2337 * 512, want, 512);
    assert_memory_equal(got, want, 512);
    /* INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors per track. */
    out8(b + 6, 0xA0 | 0x10 | 3);
    out8(b + 2, 17);
    out8(b + 7, 0x91);
    settle();
    assert_int_equal(status(0) & 0x01, 0);
    /* C 2, H 3, S 5 is now (2 * 4 + 3) * 17 + 4 = 191. */
    out8(b + 6, 0xA0 | 0x10 | 3);
    out8(b + 2, 1);
    out8(b + 3, 5);
    out8(b + 4, 2);
    out8(b + 5, 0);
    out8(b + 7, 0x20);
    read_blocks_pio(0, got, 1, 1);
    file_read_at(img, 191 * 512, want, 512);
    assert_memory_equal(got, want, 512);
    /* Sector 0 does not exist in CHS: IDNF. */
    out8(b + 6, 0xB0);
    out8(b + 2, 1);
    out8(b + 3, 0);
    out8(b + 7, 0x20);
    settle();
    assert_int_equal(status(0) & 0x89, 0x01);
    assert_int_equal(error_reg(0), 0x10);
    uint16_t w[256];
    identify(1, w);
    assert_int_equal(w[55], 4);
    assert_int_equal(w[56], 17);
    assert_int_equal(w[54], 8192 / (4 * 17));
}

static void read_multiple_blocks(void **state)
{
    (void)state;
    const char *img = scratch_path("m.img");
    write_pattern_file(img, 1 << 20, 3);
    attach_disk(0, img, DISK_READ_WRITE);
    /* Without SET MULTIPLE MODE, READ MULTIPLE aborts. */
    ata_lba28(0, 0xC4, 0, 4);
    settle();
    assert_int_equal(status(0) & 0x01, 0x01);
    assert_int_equal(error_reg(0), 0x04);
    ata_simple(0, 0xC6, 0, 3); /* not a power of two */
    settle();
    assert_int_equal(error_reg(0), 0x04);
    ata_simple(0, 0xC6, 0, 8);
    settle();
    assert_int_equal(status(0), 0x50);
    R->irq_edges[0] = 0;
    ata_lba28(0, 0xC4, 100, 20); /* blocks of 8, 8, 4 */
    uint8_t got[20 * 512], want[20 * 512];
    read_blocks_pio(0, got, 20, 8);
    assert_int_equal(R->irq_edges[0], 3);
    file_read_at(img, 100 * 512, want, sizeof want);
    assert_memory_equal(got, want, sizeof got);
    uint16_t w[256];
    identify(0, w);
    assert_int_equal(w[59], 0x108);
}

static void write_sectors_and_flush(void **state)
{
    (void)state;
    const char *img = scratch_path("w.img");
    write_pattern_file(img, 1 << 20, 4);
    attach_disk(0, img, DISK_READ_WRITE);
    uint8_t data[3 * 512];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 5);
    R->irq_edges[0] = 0;
    ata_lba28(0, 0x30, 200, 3);
    for (int s = 0; s < 3; s++) {
        settle();
        /* DRQ for each sector; the first comes without an interrupt. */
        assert_int_equal(alt_status(0) & 0x89, 0x08);
        assert_int_equal(R->irq_edges[0], s);
        status(0);
        pio_out(0, data + s * 512, 512);
        assert_int_equal(alt_status(0) & 0x80, 0x80); /* BSY while it writes */
    }
    settle();
    assert_int_equal(R->irq_edges[0], 3);
    assert_int_equal(status(0), 0x50);
    uint8_t file[3 * 512];
    file_read_at(img, 200 * 512, file, sizeof file);
    assert_memory_equal(file, data, sizeof data);
    file_read_at(img, 203 * 512, file, 512);
    assert_int_equal(file[0], pattern_byte(203 * 512, 4));
    assert_true(R->disk[0].dirty);
    ata_simple(0, 0xE7, 0, 0); /* FLUSH CACHE */
    settle();
    assert_int_equal(status(0), 0x50);
    assert_false(R->disk[0].dirty);
    /* WRITE MULTIPLE EXT, blocks of 2. */
    ata_simple(0, 0xC6, 0, 2);
    settle();
    ata_lba48(0, 0x39, 300, 4);
    for (int blk = 0; blk < 2; blk++) {
        settle();
        assert_int_equal(status(0) & 0x89, 0x08);
        pio_out(0, data, 1024);
    }
    settle();
    assert_int_equal(status(0), 0x50);
    ata_simple(0, 0xEA, 0, 0); /* FLUSH CACHE EXT */
    settle();
    assert_int_equal(status(0), 0x50);
    file_read_at(img, 300 * 512, file, 1024);
    assert_memory_equal(file, data, 1024);
    file_read_at(img, 302 * 512, file, 1024);
    assert_memory_equal(file, data, 1024);
}

static void snapshot_keeps_file(void **state)
{
    (void)state;
    const char *img = scratch_path("s.img");
    write_pattern_file(img, 1 << 20, 5);
    attach_disk(0, img, DISK_SNAPSHOT);
    uint8_t data[512];
    memset(data, 0x3C, sizeof data);
    ata_lba28(0, 0x30, 7, 1);
    settle();
    pio_out(0, data, 512);
    settle();
    assert_int_equal(status(0), 0x50);
    ata_simple(0, 0xE7, 0, 0);
    settle();
    assert_int_equal(status(0), 0x50);
    uint8_t got[512];
    ata_lba28(0, 0x20, 7, 1);
    read_blocks_pio(0, got, 1, 1);
    assert_memory_equal(got, data, 512); /* the guest sees its write */
    uint8_t file[512];
    file_read_at(img, 7 * 512, file, 512);
    for (int i = 0; i < 512; i++)
        assert_int_equal(file[i], pattern_byte(7 * 512 + i, 5));
}

static void lba48_beyond_28_bits(void **state)
{
    (void)state;
    /* A sparse 200 GiB image: LBA 0x10000005 needs 48-bit addressing. */
    const char *img = scratch_path("big.img");
    int fd = open(img, O_CREAT | O_RDWR | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 200ull << 30), 0);
    uint8_t mark[1024];
    for (int i = 0; i < 1024; i++)
        mark[i] = (uint8_t)(0xA0 + i);
    const uint64_t lba = 0x10000005;
    assert_int_equal(pwrite(fd, mark, sizeof mark, (off_t)(lba * 512)), (ssize_t)sizeof mark);
    close(fd);
    attach_disk(0, img, DISK_READ_WRITE);
    uint16_t w[256];
    identify(0, w);
    assert_int_equal(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFF);
    uint64_t max = w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32;
    assert_int_equal(max, (200ull << 30) / 512);
    ata_lba48(0, 0x24, lba, 2);
    uint8_t got[1024];
    read_blocks_pio(0, got, 2, 1);
    assert_memory_equal(got, mark, sizeof got);
    /* HOB reads back the high bytes of the last sector: 0x10000006. */
    out8(0x3F6, 0x80);
    assert_int_equal(in8(0x1F3), 0x10);
    out8(0x3F6, 0x00);
    assert_int_equal(in8(0x1F3), 0x06);
}

static void out_of_range_fails_and_writes_nothing(void **state)
{
    (void)state;
    const char *img = scratch_path("oor.img");
    write_pattern_file(img, 64 * 512, 6);
    attach_disk(0, img, DISK_READ_WRITE);
    /* Read of the last sector and one beyond. */
    ata_lba28(0, 0x20, 63, 2);
    settle();
    assert_int_equal(status(0) & 0x89, 0x01);
    assert_int_equal(error_reg(0), 0x10);
    /* Writes: PIO, LBA48, DMA; nothing may land. */
    ata_lba28(0, 0x30, 64, 1);
    settle();
    assert_int_equal(status(0) & 0x89, 0x01);
    assert_int_equal(error_reg(0), 0x10);
    ata_lba48(0, 0x34, 60, 8);
    settle();
    assert_int_equal(status(0) & 0x89, 0x01);
    ata_lba28(0, 0xCA, 62, 4);
    settle();
    assert_int_equal(status(0) & 0x89, 0x01);
    assert_int_equal(error_reg(0), 0x10);
    ata_lba28(0, 0x40, 64, 1); /* READ VERIFY */
    settle();
    assert_int_equal(error_reg(0), 0x10);
    assert_int_equal(file_size(img), 64 * 512);
    uint8_t file[64 * 512];
    file_read_at(img, 0, file, sizeof file);
    for (size_t i = 0; i < sizeof file; i++)
        assert_int_equal(file[i], pattern_byte(i, 6));
    /* The drive still works. */
    ata_lba28(0, 0x40, 0, 64);
    settle();
    assert_int_equal(status(0), 0x50);
}

static void dma_read_scatters_through_prd(void **state)
{
    (void)state;
    const char *img = scratch_path("dma.img");
    assert_int_equal(make_fat_image(img, 32768, "", 100000), 0);
    attach_disk(0, img, DISK_READ_WRITE);
    /* 16 sectors into three pieces of memory. */
    uint32_t prd[] = {0x100000, 4096, 0x200000, 2048, 0x300800, 2048};
    prd_table(0, prd, 3);
    ata_lba28(0, 0xC8, 40, 16);
    bm_start(0, true);
    settle();
    assert_int_equal(status(0), 0x50);
    uint8_t bm = bm_read8(0, 2);
    assert_int_equal(bm & 0x07, 0x04); /* interrupt, not active, no error */
    uint8_t want[8192], got[8192];
    file_read_at(img, 40 * 512, want, sizeof want);
    physmem_read_block(&R->mem, 0x100000, got, 4096);
    physmem_read_block(&R->mem, 0x200000, got + 4096, 2048);
    physmem_read_block(&R->mem, 0x300800, got + 6144, 2048);
    assert_memory_equal(got, want, sizeof got);
    bm_stop(0);
    /* READ DMA EXT, PRD table larger than the transfer: Active stays. */
    uint32_t big[] = {0x400000, 0};
    prd_table(0, big, 1);
    bm_start(0, true);           /* engine first, command second */
    ata_lba48(0, 0x25, 1000, 8);
    settle();
    assert_int_equal(status(0), 0x50);
    assert_int_equal(bm_read8(0, 2) & 0x07, 0x05);
    file_read_at(img, 1000 * 512, want, 4096);
    physmem_read_block(&R->mem, 0x400000, got, 4096);
    assert_memory_equal(got, want, 4096);
    bm_stop(0);
}

static void dma_write_lands_in_file(void **state)
{
    (void)state;
    const char *img = scratch_path("dmaw.img");
    write_pattern_file(img, 1 << 20, 7);
    attach_disk(0, img, DISK_READ_WRITE);
    uint8_t data[4096];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    physmem_write_block(&R->mem, 0x500000, data, 1024);
    physmem_write_block(&R->mem, 0x600000, data + 1024, 3072);
    uint32_t prd[] = {0x500000, 1024, 0x600000, 3072};
    prd_table(0, prd, 2);
    ata_lba28(0, 0xCA, 10, 8);
    settle();
    assert_int_equal(alt_status(0) & 0x88, 0x08); /* waiting for the engine */
    bm_start(0, false);
    settle();
    assert_int_equal(status(0), 0x50);
    assert_int_equal(bm_read8(0, 2) & 0x07, 0x04);
    bm_stop(0);
    uint8_t file[4096];
    file_read_at(img, 10 * 512, file, sizeof file);
    assert_memory_equal(file, data, sizeof data);
}

static void dma_short_prd_table_is_an_error(void **state)
{
    (void)state;
    const char *img = scratch_path("short.img");
    write_pattern_file(img, 1 << 20, 8);
    attach_disk(0, img, DISK_READ_WRITE);
    uint32_t prd[] = {0x500000, 1024};
    prd_table(0, prd, 1);
    ata_lba28(0, 0xCA, 10, 8); /* 4 KiB wanted, 1 KiB offered */
    bm_start(0, false);
    settle();
    assert_int_equal(status(0) & 0x01, 0x01);
    assert_int_equal(bm_read8(0, 2) & 0x03, 0x02); /* error, not active */
    uint8_t file[512];
    file_read_at(img, 10 * 512, file, 512);
    assert_int_equal(file[0], pattern_byte(10 * 512, 8));
}

static void dma_waits_for_bus_mastering(void **state)
{
    (void)state;
    const char *img = scratch_path("bme.img");
    write_pattern_file(img, 1 << 20, 14);
    attach_disk(0, img, DISK_READ_WRITE);
    pci_config_write(&R->pci, IDE_DEVFN, 0x04, 0x0001, 2); /* I/O only */
    uint32_t prd[] = {0x100000, 512};
    prd_table(0, prd, 1);
    ata_lba28(0, 0xC8, 2, 1);
    bm_start(0, true);
    settle();
    assert_int_equal(alt_status(0) & 0x88, 0x08); /* still waiting: no bus master */
    assert_int_equal(physmem_read(&R->mem, 0x100000, 4), 0);
    pci_config_write(&R->pci, IDE_DEVFN, 0x04, 0x0005, 2);
    settle();
    assert_int_equal(status(0), 0x50);
    uint8_t got[512], want[512];
    physmem_read_block(&R->mem, 0x100000, got, 512);
    file_read_at(img, 2 * 512, want, 512);
    assert_memory_equal(got, want, 512);
    /* BAR4 moved: the registers follow it. */
    pci_config_write(&R->pci, IDE_DEVFN, 0x20, 0xD000, 4);
    assert_int_equal(in8(0xD002) & 0x04, 0x04);
    assert_int_equal(in8(BM_BASE + 2), 0xFF);
}

static void soft_reset_and_diagnostic(void **state)
{
    (void)state;
    const char *img = scratch_path("rst.img");
    write_pattern_file(img, 1 << 20, 9);
    attach_disk(0, img, DISK_READ_WRITE);
    ata_lba28(0, 0x20, 5, 4);
    settle();
    out8(0x3F6, 0x04); /* SRST */
    assert_int_equal(alt_status(0) & 0x80, 0x80);
    out8(0x3F6, 0x00);
    assert_int_equal(alt_status(0) & 0x80, 0x80);
    settle();
    assert_int_equal(alt_status(0), 0x50);
    assert_int_equal(in8(0x1F2), 1);
    assert_int_equal(in8(0x1F3), 1);
    assert_int_equal(in8(0x1F4), 0);
    assert_int_equal(in8(0x1F5), 0);
    assert_int_equal(error_reg(0), 0x01);
    assert_false(R->irq[0]);
    /* EXECUTE DEVICE DIAGNOSTIC: same signature, with an interrupt. */
    out8(0x1F2, 0x55);
    out8(0x1F7, 0x90);
    settle();
    assert_true(R->irq[0]);
    assert_int_equal(error_reg(0), 0x01);
    assert_int_equal(in8(0x1F2), 1);
    assert_int_equal(status(0), 0x50);
}

static void nien_masks_the_interrupt(void **state)
{
    (void)state;
    const char *img = scratch_path("nien.img");
    write_pattern_file(img, 1 << 20, 10);
    attach_disk(0, img, DISK_READ_WRITE);
    out8(0x3F6, 0x02);
    ata_lba28(0, 0x20, 0, 1);
    settle();
    assert_false(R->irq[0]);
    assert_int_equal(alt_status(0) & 0x08, 0x08);
    out8(0x3F6, 0x00); /* the pending interrupt shows when unmasked */
    assert_true(R->irq[0]);
    status(0);
    assert_false(R->irq[0]);
}

static void features_power_and_unknown_commands(void **state)
{
    (void)state;
    const char *img = scratch_path("f.img");
    write_pattern_file(img, 1 << 20, 11);
    attach_disk(0, img, DISK_READ_WRITE);
    ata_simple(0, 0xEF, 0x03, 0x42); /* UDMA 2 */
    settle();
    assert_int_equal(status(0), 0x50);
    uint16_t w[256];
    identify(0, w);
    assert_int_equal(w[88] & 0xFF00, 0x0400);
    ata_simple(0, 0xEF, 0x03, 0x47); /* UDMA 7: not supported */
    settle();
    assert_int_equal(status(0), 0x51);
    assert_int_equal(error_reg(0), 0x04);
    ata_simple(0, 0xEF, 0x82, 0); /* write cache off */
    settle();
    identify(0, w);
    assert_int_equal(w[85] & 0x0020, 0);
    ata_simple(0, 0xEF, 0x77, 0);
    settle();
    assert_int_equal(error_reg(0), 0x04);
    ata_simple(0, 0xE0, 0, 0); /* STANDBY IMMEDIATE */
    settle();
    ata_simple(0, 0xE5, 0, 0x33);
    settle();
    assert_int_equal(status(0), 0x50);
    assert_int_equal(in8(0x1F2), 0x00);
    ata_simple(0, 0xE1, 0, 0); /* IDLE IMMEDIATE */
    settle();
    ata_simple(0, 0xE5, 0, 0x33);
    settle();
    assert_int_equal(in8(0x1F2), 0xFF);
    ata_simple(0, 0x00, 0, 0); /* NOP always aborts */
    settle();
    assert_int_equal(status(0), 0x51);
    ata_simple(0, 0xF5, 0, 0); /* SECURITY FREEZE LOCK: not implemented */
    settle();
    assert_int_equal(status(0), 0x51);
    assert_int_equal(error_reg(0), 0x04);
    ata_simple(0, 0xA1, 0, 0); /* IDENTIFY PACKET on a disk */
    settle();
    assert_int_equal(error_reg(0), 0x04);
    ata_lba28(0, 0x70, 100, 0); /* SEEK */
    settle();
    assert_int_equal(status(0), 0x50);
    ata_simple(0, 0x10, 0, 0); /* RECALIBRATE */
    settle();
    assert_int_equal(status(0), 0x50);
}

static void absent_drives(void **state)
{
    (void)state;
    const char *img = scratch_path("a.img");
    write_pattern_file(img, 1 << 20, 12);
    attach_disk(0, img, DISK_READ_WRITE);
    select_drive(1, 0);
    assert_int_equal(status(0), 0x00); /* device 0 answers for device 1 */
    out8(0x1F7, 0xEC);
    settle();
    assert_false(R->irq[0]);
    assert_int_equal(status(0), 0x00);
    assert_int_equal(in8(0x177), 0xFF); /* empty channel: floating bus */
    assert_int_equal(in8(0x376), 0xFF);
    select_drive(0, 0);
    assert_int_equal(status(0), 0x50);
}

static void thirty_two_bit_pio(void **state)
{
    (void)state;
    const char *img = scratch_path("pio32.img");
    write_pattern_file(img, 1 << 20, 13);
    attach_disk(2, img, DISK_READ_WRITE); /* secondary master, IRQ 15 */
    ata_lba28(2, 0x20, 9, 2);
    uint8_t got[1024], want[1024];
    for (int s = 0; s < 2; s++) {
        settle();
        assert_true(R->irq[1]);
        assert_int_equal(status(1) & 0x89, 0x08);
        for (int k = 0; k < 512; k += 4) {
            uint32_t v = ioport_read(&R->io, 0x170, 4);
            memcpy(got + s * 512 + k, &v, 4);
        }
    }
    file_read_at(img, 9 * 512, want, sizeof want);
    assert_memory_equal(got, want, sizeof got);
    assert_false(R->irq[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(identify_device, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(busy_is_seen_before_completion, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(read_sectors_equal_file, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(chs_addressing_and_initialize_parameters, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(read_multiple_blocks, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(write_sectors_and_flush, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(snapshot_keeps_file, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(lba48_beyond_28_bits, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(out_of_range_fails_and_writes_nothing, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(dma_read_scatters_through_prd, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(dma_write_lands_in_file, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(dma_short_prd_table_is_an_error, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(dma_waits_for_bus_mastering, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(soft_reset_and_diagnostic, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(nien_masks_the_interrupt, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(features_power_and_unknown_commands, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(absent_drives, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(thirty_two_bit_pio, rig_setup, rig_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
