/* Direct kernel boot through the BIOS (devices/kernel_loader.c): with a
 * BIOS image carrying our marker ("XSIMBOOT", version 1, the record's
 * address, 0x30 bytes before its end), a Linux kernel is laid out the way
 * a boot loader lays it out (Documentation/x86/boot.rst: setup code at a
 * segment with heap and stack, command line, protected-mode kernel at
 * 1 MiB, the header's loader fields filled in) and the BIOS gets the
 * record; the CPU starts at the reset vector.  Without the marker the
 * 32-bit entry stays.  Expected values come from the boot protocol and the
 * record's documented layout (bios/boot.asm). */
#include "devtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/pc.h"

#define SETUP_SECTS 4
#define SETUP_BYTES ((SETUP_SECTS + 1) * 512)
#define PM_BYTES 4096
#define RECORD_ADDR 0x600u

static uint8_t bios[0x10000];
static char kernel_path[64], initrd_path[64];

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static uint32_t get16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }

/* A minimal bzImage (protocol 2.10): the setup sectors, then PM_BYTES of
 * "protected-mode kernel" in a pattern. */
static void write_files(void)
{
    static uint8_t image[SETUP_BYTES + PM_BYTES];
    memset(image, 0, sizeof image);
    image[0x1F1] = SETUP_SECTS;
    put16(image + 0x1FE, 0xAA55);
    image[0x200] = 0xEB;                 /* jmp short */
    image[0x201] = 0x6A;                 /* (the header runs to 0x26C) */
    memcpy(image + 0x202, "HdrS", 4);
    put16(image + 0x206, 0x020A);
    image[0x211] = 0x01;                 /* LOADED_HIGH */
    put32(image + 0x214, 0x100000);      /* code32_start */
    put32(image + 0x22C, 0x37FFFFFF);    /* initrd_addr_max */
    put32(image + 0x238, 0x800);         /* cmdline_size */
    put32(image + 0x260, 0x10000);       /* init_size */
    for (int i = 0; i < PM_BYTES; i++)
        image[SETUP_BYTES + i] = (uint8_t)(i * 7 + 3);
    strcpy(kernel_path, "/tmp/x86sim-kl-XXXXXX");
    int fd = mkstemp(kernel_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, image, sizeof image), (ssize_t)sizeof image);
    close(fd);
    strcpy(initrd_path, "/tmp/x86sim-ki-XXXXXX");
    fd = mkstemp(initrd_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "INITRD-DATA", 11), 11);
    close(fd);
}

/* A BIOS image of HLTs, with or without our marker (version as given). */
static machine_t *make(bool marker, unsigned version)
{
    memset(bios, 0xF4, sizeof bios);
    if (marker) {
        uint8_t *m = bios + sizeof bios - 0x30;
        memcpy(m, "XSIMBOOT", 8);
        put16(m + 8, version);
        put16(m + 10, RECORD_ADDR);
    }
    machine_config_t cfg = {.ram_mb = 32, .bios_image = bios, .bios_size = sizeof bios,
                            .kernel = kernel_path, .initrd = initrd_path, .append = "hello=1",
                            .rtc_start = 0};
    char err[256];
    machine_t *m = machine_create(&cfg, err, sizeof err);
    if (!m)
        fail_msg("%s", err);
    return m;
}

static void test_through_the_bios(void **s)
{
    (void)s;
    write_files();
    machine_t *m = make(true, 1);
    const uint8_t *ram = m->mem.ram;
    /* the CPU is left at the reset vector: the BIOS runs first */
    assert_int_equal(m->cpu.seg[SEG_CS].sel, 0xF000);
    assert_int_equal(m->cpu.eip, 0xFFF0);
    /* the setup code at 0x10000 with the loader's fields */
    const uint8_t *setup = ram + 0x10000;
    assert_memory_equal(setup + 0x202, "HdrS", 4);
    assert_int_equal(get16(setup + 0x1FE), 0xAA55);
    assert_int_equal(setup[0x210], 0xFF);              /* type_of_loader: no assigned ID */
    assert_int_equal(setup[0x211], 0x81);              /* LOADED_HIGH | CAN_USE_HEAP */
    assert_int_equal(get16(setup + 0x224), 0xE000 - 0x200); /* heap_end_ptr */
    assert_int_equal(get32(setup + 0x228), 0x20000);   /* cmd_line_ptr */
    assert_string_equal((const char *)ram + 0x20000, "hello=1");
    uint32_t initrd = get32(setup + 0x218);
    assert_int_equal(get32(setup + 0x21C), 11);
    assert_true(initrd >= 0x100000 + 0x10000 && initrd + 11 <= 32u << 20);
    assert_memory_equal(ram + initrd, "INITRD-DATA", 11);
    /* the protected-mode kernel at 1 MiB */
    for (int i = 0; i < PM_BYTES; i++)
        assert_int_equal(ram[0x100000 + i], (uint8_t)(i * 7 + 3));
    /* the record: entry 1020:0000, stack 1000:E000, data 1000, checksum */
    const uint8_t *r = ram + RECORD_ADDR;
    assert_memory_equal(r, "XSIMBOOT", 8);
    assert_int_equal(get16(r + 8), 0x0000);
    assert_int_equal(get16(r + 10), 0x1020);
    assert_int_equal(get16(r + 12), 0xE000);
    assert_int_equal(get16(r + 14), 0x1000);
    assert_int_equal(get16(r + 16), 0x1000);
    uint8_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum += r[i];
    assert_int_equal(sum, 0);
    machine_destroy(m);
    unlink(kernel_path);
    unlink(initrd_path);
}

/* Another BIOS (no marker, or a record version we do not write): the
 * 32-bit entry with a zero page, and nothing at the record's address. */
static void check_32bit_entry(bool marker, unsigned version)
{
    write_files();
    machine_t *m = make(marker, version);
    assert_int_equal(m->cpu.eip, 0x100000);
    assert_true(m->cpu.cr0 & 1);
    assert_int_equal(m->cpu.gpr[R_ESI], 0x7000);
    assert_int_equal(m->mem.ram[0x7000 + 0x210], 0xFF);
    uint8_t zero[20] = {0};
    assert_memory_equal(m->mem.ram + RECORD_ADDR, zero, sizeof zero);
    machine_destroy(m);
    unlink(kernel_path);
    unlink(initrd_path);
}

static void test_foreign_bios(void **s)
{
    (void)s;
    check_32bit_entry(false, 0);
}

static void test_unknown_record_version(void **s)
{
    (void)s;
    check_32bit_entry(true, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_through_the_bios),
        cmocka_unit_test(test_foreign_bios),
        cmocka_unit_test(test_unknown_record_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
