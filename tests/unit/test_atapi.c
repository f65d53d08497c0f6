/* ATAPI CD/DVD-ROM through the IDE ports: the PACKET handshake (SFF-8020i /
 * ATA-7: C/D and I/O in the interrupt reason, byte count limit), and MMC
 * packets on ISO images made by xorriso.  Expected data come from the ISO
 * file; expected sense codes and TOC layouts from SPC-3/MMC-5. */
#include "ide_rig.h"

#define CD 2 /* secondary master */
#define CH 1

typedef struct result {
    uint8_t status, error;
    uint32_t len;
    int blocks; /* DRQ blocks */
} result_t;

/* Sends a packet (PIO, byte count limit `limit`) and collects the reply. */
static result_t packet(const uint8_t cdb[12], uint16_t limit, uint8_t *buf, uint32_t max)
{
    result_t r = {0};
    uint16_t b = cmd_base(CH);
    out8(b + 6, 0xA0);
    out8(b + 1, 0);                      /* PIO */
    out8(b + 4, (uint8_t)limit);
    out8(b + 5, (uint8_t)(limit >> 8));
    out8(b + 7, 0xA0);
    settle();
    assert_int_equal(alt_status(CH) & 0x88, 0x08);
    assert_int_equal(in8(b + 2) & 3, 1); /* C/D: waiting for the command packet */
    pio_out(CH, cdb, 12);
    for (;;) {
        settle();
        assert_true(R->irq[CH]);
        uint8_t st = status(CH);
        uint8_t reason = in8(b + 2) & 3;
        if (!(st & 0x08)) {
            assert_int_equal(reason, 3); /* I/O and C/D: completion */
            r.status = st;
            r.error = error_reg(CH);
            return r;
        }
        assert_int_equal(reason, 2); /* I/O: data to the host */
        uint32_t n = in8(b + 4) | in8(b + 5) << 8;
        assert_true(n <= (limit == 0xFFFF ? 0xFFFE : limit));
        assert_true(r.len + n <= max);
        for (uint32_t k = 0; k < n; k += 2) {
            uint16_t w = in16(b);
            buf[r.len + k] = (uint8_t)w;
            if (k + 1 < n)
                buf[r.len + k + 1] = (uint8_t)(w >> 8);
        }
        r.len += n;
        r.blocks++;
    }
}

static void sense(uint8_t *key, uint8_t *asc, uint8_t *ascq)
{
    uint8_t cdb[12] = {0x03, 0, 0, 0, 18}, buf[18];
    result_t r = packet(cdb, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status & 0x01, 0);
    assert_int_equal(r.len, 18);
    assert_int_equal(buf[0], 0x70);
    *key = buf[2] & 0x0F, *asc = buf[12], *ascq = buf[13];
}

static void expect_check_condition(result_t r, uint8_t key, uint8_t asc, uint8_t ascq)
{
    assert_int_equal(r.status & 0x01, 0x01);
    assert_int_equal(r.error >> 4, key);
    uint8_t k, a, q;
    sense(&k, &a, &q);
    assert_int_equal(k, key);
    assert_int_equal(a, asc);
    assert_int_equal(q, ascq);
}

static const char *make_iso(uint64_t payload)
{
    const char *iso = scratch_path("cd.iso");
    assert_int_equal(make_iso_image(iso, payload), 0);
    return iso;
}

static void identify_packet_device(void **state)
{
    (void)state;
    attach_cdrom(CD, NULL);
    /* An ATA driver's IDENTIFY DEVICE is refused with the packet signature. */
    out8(0x176, 0xA0);
    out8(0x177, 0xEC);
    settle();
    assert_int_equal(status(CH) & 0x01, 0x01);
    assert_int_equal(error_reg(CH), 0x04);
    assert_int_equal(in8(0x174), 0x14);
    assert_int_equal(in8(0x175), 0xEB);
    out8(0x177, 0xA1);
    uint8_t b[512];
    read_blocks_pio(CH, b, 1, 1);
    uint16_t w0 = (uint16_t)(b[0] | b[1] << 8);
    assert_int_equal(w0 >> 14, 2);          /* ATAPI */
    assert_int_equal((w0 >> 8) & 0x1F, 5);  /* CD-ROM */
    assert_int_equal(w0 & 0x80, 0x80);      /* removable */
    assert_int_equal(w0 & 3, 0);            /* 12-byte packets */
    uint8_t sum = 0;
    for (int k = 0; k < 512; k++)
        sum = (uint8_t)(sum + b[k]);
    assert_int_equal(sum, 0);
    assert_int_equal(b[510], 0xA5);
    char model[15];
    for (int k = 0; k < 14; k++)
        model[k] = (char)b[54 + (k ^ 1)]; /* words 27-46, first character high */
    model[14] = 0;
    assert_string_equal(model, "X86SIM DVD-ROM");
    /* Soft reset leaves the packet signature and status 0. */
    out8(0x376, 0x04);
    out8(0x376, 0x00);
    settle();
    assert_int_equal(alt_status(CH), 0x00);
    assert_int_equal(in8(0x174), 0x14);
    assert_int_equal(in8(0x175), 0xEB);
}

static void empty_drive_is_not_ready(void **state)
{
    (void)state;
    attach_cdrom(CD, NULL);
    uint8_t tur[12] = {0x00}, buf[64];
    expect_check_condition(packet(tur, 0xFFFE, buf, sizeof buf), 2, 0x3A, 0x01);
    uint8_t inquiry[12] = {0x12, 0, 0, 0, 36};
    result_t r = packet(inquiry, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(r.len, 36);
    assert_int_equal(buf[0], 0x05);
    assert_int_equal(buf[1], 0x80);
    assert_memory_equal(buf + 8, "X86SIM  ", 8);
}

static void read_capacity_and_data(void **state)
{
    (void)state;
    const char *iso = make_iso(300000);
    attach_cdrom(CD, iso);
    uint64_t blocks = file_size(iso) / 2048;
    uint8_t cap[12] = {0x25}, buf[65536];
    result_t r = packet(cap, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(r.len, 8);
    assert_int_equal((uint32_t)(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]), blocks - 1);
    assert_int_equal(buf[6] << 8 | buf[7], 2048);
    /* READ(10) of the primary volume descriptor (ISO 9660: sector 16). */
    uint8_t rd10[12] = {0x28, 0, 0, 0, 0, 16, 0, 0, 1};
    r = packet(rd10, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(r.len, 2048);
    assert_int_equal(buf[0], 1);
    assert_memory_equal(buf + 1, "CD001", 5);
    assert_memory_equal(buf + 40, "X86SIM_TEST", 11);
    uint8_t want[65536];
    file_read_at(iso, 16 * 2048, want, 2048);
    assert_memory_equal(buf, want, 2048);
    /* READ(12) of 20 blocks with a byte count limit of 3000: blocks of
     * 3000 bytes (even), the last one shorter. */
    uint8_t rd12[12] = {0xA8, 0, 0, 0, 0, 17, 0, 0, 0, 20};
    r = packet(rd12, 3000, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(r.len, 20 * 2048);
    assert_int_equal(r.blocks, (20 * 2048 + 2999) / 3000);
    file_read_at(iso, 17 * 2048, want, 20 * 2048);
    assert_memory_equal(buf, want, 20 * 2048);
    /* An odd limit is used rounded down to even. */
    r = packet(rd10, 2049, buf, sizeof buf);
    assert_int_equal(r.len, 2048);
    assert_int_equal(r.blocks, 1);
    /* Past the end: ILLEGAL REQUEST, LBA out of range. */
    uint32_t last = (uint32_t)blocks - 1;
    uint8_t beyond[12] = {0x28, 0, (uint8_t)(last >> 24), (uint8_t)(last >> 16), (uint8_t)(last >> 8),
                          (uint8_t)last, 0, 0, 2};
    expect_check_condition(packet(beyond, 0xFFFE, buf, sizeof buf), 5, 0x21, 0);
}

static void allocation_length_truncates(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint8_t inquiry[12] = {0x12, 0, 0, 0, 8}, buf[64];
    result_t r = packet(inquiry, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 8);
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void read_toc_formats(void **state)
{
    (void)state;
    const char *iso = make_iso(100000);
    attach_cdrom(CD, iso);
    uint32_t blocks = (uint32_t)(file_size(iso) / 2048);
    uint8_t buf[256];
    /* Format 0, LBA: header, track 1 at 0, lead-out (AAh) at the capacity. */
    uint8_t toc[12] = {0x43, 0, 0, 0, 0, 0, 0, 0, 255};
    result_t r = packet(toc, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(r.len, 20);
    assert_int_equal(buf[0] << 8 | buf[1], 18);
    assert_int_equal(buf[2], 1);
    assert_int_equal(buf[3], 1);
    assert_int_equal(buf[5], 0x14);
    assert_int_equal(buf[6], 1);
    assert_int_equal(be32(buf + 8), 0);
    assert_int_equal(buf[14], 0xAA);
    assert_int_equal(be32(buf + 16), blocks);
    /* MSF: track 1 at 00:02:00; the lead-out at (blocks + 150) frames. */
    toc[1] = 0x02;
    r = packet(toc, 0xFFFE, buf, sizeof buf);
    assert_int_equal(buf[9], 0);
    assert_int_equal(buf[10], 2);
    assert_int_equal(buf[11], 0);
    uint32_t f = blocks + 150;
    assert_int_equal(buf[17], f / 4500);
    assert_int_equal(buf[18], f / 75 % 60);
    assert_int_equal(buf[19], f % 75);
    /* Starting at the lead-out: just that descriptor. */
    toc[1] = 0;
    toc[6] = 0xAA;
    r = packet(toc, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 12);
    assert_int_equal(buf[6], 0xAA);
    toc[6] = 2; /* no track 2 */
    expect_check_condition(packet(toc, 0xFFFE, buf, sizeof buf), 5, 0x24, 0);
    /* Format 1: session information. */
    uint8_t session[12] = {0x43, 0, 1, 0, 0, 0, 0, 0, 12};
    r = packet(session, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 12);
    assert_int_equal(buf[0] << 8 | buf[1], 10);
    assert_int_equal(buf[2], 1);
    assert_int_equal(buf[3], 1);
    assert_int_equal(buf[6], 1);
    assert_int_equal(be32(buf + 8), 0);
    /* Format 2 (full TOC): A2h holds the lead-out in MSF. */
    uint8_t full[12] = {0x43, 0x02, 2, 0, 0, 0, 0, 0, 255};
    r = packet(full, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 4 + 4 * 11);
    const uint8_t *a2 = buf + 4 + 2 * 11;
    assert_int_equal(a2[3], 0xA2);
    assert_int_equal(a2[8], f / 4500);
    assert_int_equal(a2[9], f / 75 % 60);
    assert_int_equal(a2[10], f % 75);
}

static void mode_sense_capabilities(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint8_t ms[12] = {0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 255}, buf[256];
    result_t r = packet(ms, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    uint32_t total = (uint32_t)(buf[0] << 8 | buf[1]) + 2;
    assert_int_equal(r.len, total);
    assert_int_equal(buf[6] << 8 | buf[7], 0); /* no block descriptors */
    assert_int_equal(buf[8] & 0x3F, 0x2A);
    assert_int_equal(buf[9] + 2 + 8, total);
    assert_int_equal(buf[8 + 6] & 0x09, 0x09); /* lock and eject supported */
    assert_int_equal(buf[8 + 6] >> 5, 1);      /* tray */
    /* Saved values are not supported. */
    ms[2] = 0xEA;
    expect_check_condition(packet(ms, 0xFFFE, buf, sizeof buf), 5, 0x39, 0);
    ms[2] = 0x0E; /* audio page: not implemented */
    expect_check_condition(packet(ms, 0xFFFE, buf, sizeof buf), 5, 0x24, 0);
}

static void get_configuration_profiles(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint8_t gc[12] = {0x46, 0, 0, 0, 0, 0, 0, 1, 0}, buf[256];
    result_t r = packet(gc, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.status, 0x50);
    assert_int_equal(be32(buf) + 4, r.len);
    assert_int_equal(buf[6] << 8 | buf[7], 0x0008); /* current profile: CD-ROM */
    assert_int_equal(buf[8] << 8 | buf[9], 0x0000); /* first feature: profile list */
    /* RT = 2: exactly the core feature. */
    uint8_t one[12] = {0x46, 2, 0, 1, 0, 0, 0, 1, 0};
    r = packet(one, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 8 + 12);
    assert_int_equal(buf[8] << 8 | buf[9], 0x0001);
    assert_int_equal(be32(buf + 12), 2); /* ATAPI */
}

static void media_change_unit_attention_and_events(void **state)
{
    (void)state;
    const char *iso = make_iso(1000);
    attach_cdrom(CD, NULL);
    uint8_t buf[64], tur[12] = {0x00};
    uint8_t gesn[12] = {0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8};
    result_t r = packet(gesn, 0xFFFE, buf, sizeof buf);
    assert_int_equal(r.len, 8);
    assert_int_equal(buf[2], 0x04);
    assert_int_equal(buf[4] & 0x0F, 0); /* no event */
    assert_int_equal(buf[5] & 0x02, 0); /* no medium */
    /* The user inserts a disc. */
    disk_t *disc = &R->disk[CD];
    assert_true(disk_open(disc, iso, DISK_READ_ONLY, 2048, err, sizeof err));
    ide_change_cdrom(&R->ide, CD, disc);
    r = packet(gesn, 0xFFFE, buf, sizeof buf); /* events do not report unit attention */
    assert_int_equal(buf[4] & 0x0F, 2);        /* new media */
    assert_int_equal(buf[5] & 0x02, 0x02);
    r = packet(gesn, 0xFFFE, buf, sizeof buf);
    assert_int_equal(buf[4] & 0x0F, 0);
    expect_check_condition(packet(tur, 0xFFFE, buf, sizeof buf), 6, 0x28, 0);
    r = packet(tur, 0xFFFE, buf, sizeof buf); /* reported once */
    assert_int_equal(r.status, 0x50);
    /* Asynchronous notification is not supported. */
    gesn[1] = 0;
    expect_check_condition(packet(gesn, 0xFFFE, buf, sizeof buf), 5, 0x24, 0);
}

static void eject_and_prevent_removal(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint8_t buf[64];
    uint8_t prevent[12] = {0x1E, 0, 0, 0, 1}, eject[12] = {0x1B, 0, 0, 0, 0x02};
    uint8_t load[12] = {0x1B, 0, 0, 0, 0x03}, tur[12] = {0x00};
    assert_int_equal(packet(prevent, 0xFFFE, buf, sizeof buf).status, 0x50);
    expect_check_condition(packet(eject, 0xFFFE, buf, sizeof buf), 5, 0x53, 0x02);
    prevent[4] = 0;
    assert_int_equal(packet(prevent, 0xFFFE, buf, sizeof buf).status, 0x50);
    assert_int_equal(packet(eject, 0xFFFE, buf, sizeof buf).status, 0x50);
    expect_check_condition(packet(tur, 0xFFFE, buf, sizeof buf), 2, 0x3A, 0x02); /* tray open */
    assert_int_equal(packet(load, 0xFFFE, buf, sizeof buf).status, 0x50);
    expect_check_condition(packet(tur, 0xFFFE, buf, sizeof buf), 6, 0x28, 0);
    assert_int_equal(packet(tur, 0xFFFE, buf, sizeof buf).status, 0x50);
}

static void unknown_packet_is_illegal(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint8_t buf[64], bogus[12] = {0xFF};
    expect_check_condition(packet(bogus, 0xFFFE, buf, sizeof buf), 5, 0x20, 0);
    uint8_t write10[12] = {0x2A};
    expect_check_condition(packet(write10, 0xFFFE, buf, sizeof buf), 5, 0x20, 0);
}

static void dma_read(void **state)
{
    (void)state;
    const char *iso = make_iso(200000);
    attach_cdrom(CD, iso);
    uint32_t prd[] = {0x100000, 6144, 0x180000, 4096};
    prd_table(CH, prd, 2);
    uint16_t b = cmd_base(CH);
    out8(b + 6, 0xA0);
    out8(b + 1, 0x01); /* DMA */
    out8(b + 7, 0xA0);
    settle();
    uint8_t rd10[12] = {0x28, 0, 0, 0, 0, 20, 0, 0, 5};
    pio_out(CH, rd10, 12);
    bm_start(CH, true);
    settle();
    assert_true(R->irq[CH]);
    assert_int_equal(status(CH), 0x50);
    assert_int_equal(in8(b + 2) & 3, 3);
    assert_int_equal(bm_read8(CH, 2) & 0x07, 0x04);
    uint8_t got[10240], want[10240];
    physmem_read_block(&R->mem, 0x100000, got, 6144);
    physmem_read_block(&R->mem, 0x180000, got + 6144, 4096);
    file_read_at(iso, 20 * 2048, want, sizeof want);
    assert_memory_equal(got, want, sizeof got);
}

static void device_reset_command(void **state)
{
    (void)state;
    attach_cdrom(CD, make_iso(1000));
    uint16_t b = cmd_base(CH);
    out8(b + 6, 0xA0);
    out8(b + 7, 0xA0); /* PACKET, then abandon it */
    settle();
    assert_int_equal(alt_status(CH) & 0x08, 0x08);
    out8(b + 7, 0x08); /* DEVICE RESET */
    settle();
    assert_int_equal(alt_status(CH), 0x00);
    assert_int_equal(in8(b + 4), 0x14);
    assert_int_equal(in8(b + 5), 0xEB);
    assert_int_equal(error_reg(CH), 0x01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(identify_packet_device, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(empty_drive_is_not_ready, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(read_capacity_and_data, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(allocation_length_truncates, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(read_toc_formats, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(mode_sense_capabilities, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(get_configuration_profiles, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(media_change_unit_attention_and_events, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(eject_and_prevent_removal, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(unknown_packet_is_illegal, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(dma_read, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(device_reset_command, rig_setup, rig_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
