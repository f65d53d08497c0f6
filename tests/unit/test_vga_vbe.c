/* The Bochs VBE dispi interface: identification, capability reads, modes
 * of 8, 15, 16, 24 and 32 bits drawn through the banked window and the
 * framebuffer and compared with pixels computed here from the documented
 * pixel formats, virtual width and display offsets, and refusal of
 * values that would not fit (run under ASan in CI). */
#include "vga_test_util.h"

#include <math.h>

static void dispi_w(vga_rig_t *r, uint16_t index, uint16_t value)
{
    outw(r, 0x1CE, index);
    outw(r, 0x1CF, value);
}

static uint16_t dispi_r(vga_rig_t *r, uint16_t index)
{
    outw(r, 0x1CE, index);
    return inw(r, 0x1CF);
}

static void set_vbe_mode(vga_rig_t *r, uint16_t x, uint16_t y, uint16_t bpp, uint16_t flags)
{
    dispi_w(r, VBE_INDEX_ENABLE, 0);
    dispi_w(r, VBE_INDEX_XRES, x);
    dispi_w(r, VBE_INDEX_YRES, y);
    dispi_w(r, VBE_INDEX_BPP, bpp);
    dispi_w(r, VBE_INDEX_ENABLE, VBE_ENABLED | flags);
}

/* Writes framebuffer byte `linear` through the 64 KiB bank at 0xA0000. */
static void banked_write(vga_rig_t *r, uint32_t linear, uint8_t value)
{
    static uint16_t bank = 0xFFFF;
    if (bank != linear >> 16) {
        bank = (uint16_t)(linear >> 16);
        dispi_w(r, VBE_INDEX_BANK, bank);
    }
    memw(r, 0xA0000 + (linear & 0xFFFF), value);
}

static uint32_t scale(unsigned v, unsigned full) { return (uint32_t)lround(v * 255.0 / full); }

static void test_identification_and_caps(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    dispi_w(r, VBE_INDEX_ID, 0xB0C2);
    assert_int_equal(dispi_r(r, VBE_INDEX_ID), 0xB0C2);
    dispi_w(r, VBE_INDEX_ID, 0x1234); /* not an interface version: ignored */
    assert_int_equal(dispi_r(r, VBE_INDEX_ID), 0xB0C2);
    assert_int_equal(inw(r, 0x1CE), VBE_INDEX_ID);
    dispi_w(r, VBE_INDEX_ENABLE, VBE_GETCAPS);
    assert_int_equal(dispi_r(r, VBE_INDEX_XRES), 1920);
    assert_int_equal(dispi_r(r, VBE_INDEX_YRES), 1200);
    assert_int_equal(dispi_r(r, VBE_INDEX_BPP), 32);
    dispi_w(r, VBE_INDEX_ENABLE, 0);
    assert_int_equal(dispi_r(r, VBE_INDEX_VIDEO_MEMORY_64K), 256); /* 16 MiB */
    rig_free(r);
}

static uint32_t rgb32_want(unsigned x, unsigned y)
{
    return ((x * 7 + y * 3) & 0xFF) << 16 | ((x ^ y) & 0xFF) << 8 | ((x + y) & 0xFF);
}

static void test_32bpp_through_banks(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    set_vbe_mode(r, 640, 480, 32, 0);
    assert_int_equal(dispi_r(r, VBE_INDEX_VIRT_WIDTH), 640);
    for (unsigned y = 0; y < 480; y++)
        for (unsigned x = 0; x < 640; x++) {
            uint32_t want = rgb32_want(x, y), at = (y * 640 + x) * 4;
            /* memory order: blue, green, red, unused */
            banked_write(r, at, (uint8_t)want);
            banked_write(r, at + 1, (uint8_t)(want >> 8));
            banked_write(r, at + 2, (uint8_t)(want >> 16));
            banked_write(r, at + 3, 0xEE);
        }
    assert_frame_matches(vga_render(&r->vga), 640, 480, rgb32_want);
    /* The framebuffer is plain memory: a store to it shows on the next
     * render, and only its row is redrawn. */
    memcpy(r->vga.vram + (50 * 640 + 3) * 4, (uint8_t[4]){0x10, 0x20, 0x30, 0}, 4);
    const display_frame_t *f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y0, 50);
    assert_int_equal(f->dirty_y1, 51);
    assert_int_equal(f->pixels[50 * 640 + 3], 0x302010);
    rig_free(r);
}

static uint16_t rgb16_value(unsigned x, unsigned y) { return (uint16_t)(x * 37 + y * 1009); }
static uint32_t rgb16_want(unsigned x, unsigned y)
{
    unsigned v = rgb16_value(x, y); /* RRRRRGGGGGGBBBBB */
    return scale(v >> 11, 31) << 16 | scale((v >> 5) & 63, 63) << 8 | scale(v & 31, 31);
}
static uint32_t rgb15_want(unsigned x, unsigned y)
{
    unsigned v = rgb16_value(x, y); /* xRRRRRGGGGGBBBBB */
    return scale((v >> 10) & 31, 31) << 16 | scale((v >> 5) & 31, 31) << 8 | scale(v & 31, 31);
}

static void test_16bpp_and_15bpp(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    for (unsigned bpp = 15; bpp <= 16; bpp++) {
        set_vbe_mode(r, 800, 600, (uint16_t)bpp, 0);
        for (unsigned y = 0; y < 600; y++)
            for (unsigned x = 0; x < 800; x++) {
                uint16_t v = rgb16_value(x, y);
                memcpy(r->vga.vram + (y * 800 + x) * 2, &v, 2); /* little-endian host, as the guest stores it */
            }
        assert_frame_matches(vga_render(&r->vga), 800, 600, bpp == 16 ? rgb16_want : rgb15_want);
    }
    rig_free(r);
}

static void test_24bpp_and_8bpp_with_virtual_width_and_offsets(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    set_vbe_mode(r, 320, 200, 24, 0);
    for (unsigned i = 0; i < 320 * 200; i++) {
        r->vga.vram[3 * i] = (uint8_t)i;            /* blue */
        r->vga.vram[3 * i + 1] = (uint8_t)(i >> 8); /* green */
        r->vga.vram[3 * i + 2] = 0x80;              /* red */
    }
    const display_frame_t *f = vga_render(&r->vga);
    assert_int_equal(f->pixels[1000], 0x800000u | (1000 >> 8 & 0xFF) << 8 | (1000 & 0xFF));

    /* 8 bpp, 1024 pixels per line, showing the window from (16, 5). */
    set_vbe_mode(r, 320, 200, 8, 0);
    dispi_w(r, VBE_INDEX_VIRT_WIDTH, 1024);
    assert_int_equal(dispi_r(r, VBE_INDEX_VIRT_WIDTH), 1024);
    assert_int_equal(dispi_r(r, VBE_INDEX_VIRT_HEIGHT), (16u << 20) / 1024 > 0xFFFF ? 0xFFFF : (16u << 20) / 1024);
    dispi_w(r, VBE_INDEX_X_OFFSET, 16);
    dispi_w(r, VBE_INDEX_Y_OFFSET, 5);
    outb(r, 0x3C8, 0);
    for (unsigned i = 0; i < 256; i++) {
        outb(r, 0x3C9, (uint8_t)(i >> 2));
        outb(r, 0x3C9, 0);
        outb(r, 0x3C9, (uint8_t)(63 - (i >> 2)));
    }
    for (unsigned y = 0; y < 300; y++)
        for (unsigned x = 0; x < 1024; x++)
            r->vga.vram[y * 1024 + x] = (uint8_t)(x + 3 * y);
    f = vga_render(&r->vga);
    for (unsigned y = 0; y < 200; y += 7)
        for (unsigned x = 0; x < 320; x += 3) {
            unsigned i = (uint8_t)((x + 16) + 3 * (y + 5));
            assert_int_equal(f->pixels[y * 320 + x], scale(i >> 2, 63) << 16 | scale(63 - (i >> 2), 63));
        }
    /* The 8-bit DAC takes components as they are written. */
    dispi_w(r, VBE_INDEX_ENABLE, VBE_ENABLED | VBE_NOCLEARMEM | VBE_8BIT_DAC);
    outb(r, 0x3C8, 7);
    outb(r, 0x3C9, 0xC8);
    outb(r, 0x3C9, 0x64);
    outb(r, 0x3C9, 0x32);
    r->vga.vram[5 * 1024 + 16] = 7;
    f = vga_render(&r->vga);
    assert_int_equal(f->pixels[0], 0xC86432);
    rig_free(r);
}

static void test_enable_clears_memory_unless_told_not_to(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    r->vga.vram[12345] = 0x77;
    set_vbe_mode(r, 640, 480, 8, VBE_NOCLEARMEM);
    assert_int_equal(r->vga.vram[12345], 0x77);
    set_vbe_mode(r, 640, 480, 8, 0);
    assert_int_equal(r->vga.vram[12345], 0x00);
    rig_free(r);
}

static void test_out_of_range_values_are_refused(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    set_vbe_mode(r, 1920, 1200, 32, 0); /* the largest mode fits */
    assert_int_equal(dispi_r(r, VBE_INDEX_ENABLE) & VBE_ENABLED, VBE_ENABLED);
    /* Geometry cannot change while enabled. */
    dispi_w(r, VBE_INDEX_XRES, 640);
    assert_int_equal(dispi_r(r, VBE_INDEX_XRES), 1920);
    dispi_w(r, VBE_INDEX_ENABLE, 0);
    dispi_w(r, VBE_INDEX_XRES, 4000);  /* above the maximum */
    dispi_w(r, VBE_INDEX_XRES, 641);   /* not a multiple of 8 */
    dispi_w(r, VBE_INDEX_YRES, 60000);
    dispi_w(r, VBE_INDEX_YRES, 0);
    dispi_w(r, VBE_INDEX_BPP, 7);
    dispi_w(r, VBE_INDEX_BPP, 64);
    assert_int_equal(dispi_r(r, VBE_INDEX_XRES), 1920);
    assert_int_equal(dispi_r(r, VBE_INDEX_YRES), 1200);
    assert_int_equal(dispi_r(r, VBE_INDEX_BPP), 32);
    dispi_w(r, VBE_INDEX_ENABLE, VBE_ENABLED);
    /* A virtual width whose height would be below YRES, offsets past the
     * end of memory, a bank past 16 MiB: all ignored. */
    dispi_w(r, VBE_INDEX_VIRT_WIDTH, 0xFFFF);
    assert_int_equal(dispi_r(r, VBE_INDEX_VIRT_WIDTH), 1920);
    dispi_w(r, VBE_INDEX_Y_OFFSET, 0xFFFF);
    dispi_w(r, VBE_INDEX_X_OFFSET, 1);
    assert_int_equal(dispi_r(r, VBE_INDEX_Y_OFFSET), 0);
    assert_int_equal(dispi_r(r, VBE_INDEX_X_OFFSET), 0);
    unsigned max_y = (16u << 20) / (1920 * 4) - 1200;
    dispi_w(r, VBE_INDEX_Y_OFFSET, (uint16_t)max_y);
    assert_int_equal(dispi_r(r, VBE_INDEX_Y_OFFSET), max_y);
    dispi_w(r, VBE_INDEX_Y_OFFSET, (uint16_t)(max_y + 1));
    assert_int_equal(dispi_r(r, VBE_INDEX_Y_OFFSET), max_y);
    vga_render(&r->vga); /* reads the last visible byte: ASan checks it */
    dispi_w(r, VBE_INDEX_BANK, 256);
    assert_int_equal(dispi_r(r, VBE_INDEX_BANK), 0);
    dispi_w(r, VBE_INDEX_BANK, 255);
    memw(r, 0xAFFFF, 0x42); /* the last byte of memory */
    assert_int_equal(r->vga.vram[(16u << 20) - 1], 0x42);
    assert_int_equal(memr(r, 0xB0000), 0xFF); /* past the 64 KiB bank */
    rig_free(r);
}

/* Random port and memory writes must never make the device or the
 * renderer touch memory outside its buffers (ASan watches). */
static void test_random_register_writes_stay_in_bounds(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    uint32_t seed = 12345;
    for (unsigned i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t x = seed >> 8;
        switch (x % 5) {
        case 0: outb(r, (uint16_t)(0x3B0 + (x >> 3) % 0x30), (uint8_t)(x >> 12)); break;
        case 1: dispi_w(r, (uint16_t)((x >> 3) % 12), (uint16_t)(x >> 7)); break;
        case 2: memw(r, 0xA0000 + (x >> 3) % 0x20000, (uint8_t)(x >> 20)); break;
        case 3: memr(r, 0xA0000 + (x >> 3) % 0x20000); break;
        default: rig_set_time(r, (uint64_t)x * 1000); break;
        }
        if (i % 64 == 0) {
            const display_frame_t *f = vga_render(&r->vga);
            assert_true(f->width >= 1 && f->width <= VGA_MAX_WIDTH);
            assert_true(f->height >= 1 && f->height <= VGA_MAX_HEIGHT);
            assert_true(f->dirty_y0 <= f->dirty_y1 && f->dirty_y1 <= f->height);
        }
    }
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identification_and_caps),
        cmocka_unit_test(test_32bpp_through_banks),
        cmocka_unit_test(test_16bpp_and_15bpp),
        cmocka_unit_test(test_24bpp_and_8bpp_with_virtual_width_and_offsets),
        cmocka_unit_test(test_enable_clears_memory_unless_told_not_to),
        cmocka_unit_test(test_out_of_range_values_are_refused),
        cmocka_unit_test(test_random_register_writes_stay_in_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
