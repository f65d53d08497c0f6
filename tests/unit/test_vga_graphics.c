/* VGA graphics: the graphics controller's write modes 0-3 and read modes
 * 0-1 checked plane by plane against hand-computed bytes, chain-4 and
 * odd/even addressing, and frames of modes 13h, 12h, 0Dh and 04h compared
 * with pixels computed here from what was written and the palettes. */
#include "vga_test_util.h"

#include <math.h>

static uint8_t plane_byte(vga_rig_t *r, unsigned plane, uint32_t offset)
{
    gc_w(r, 4, (uint8_t)plane);
    return memr(r, 0xA0000 + offset);
}

static void assert_planes(vga_rig_t *r, uint32_t offset, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3)
{
    uint8_t saved_mode = gc_r(r, 5);
    gc_w(r, 5, 0x00); /* read mode 0 */
    assert_int_equal(plane_byte(r, 0, offset), p0);
    assert_int_equal(plane_byte(r, 1, offset), p1);
    assert_int_equal(plane_byte(r, 2, offset), p2);
    assert_int_equal(plane_byte(r, 3, offset), p3);
    gc_w(r, 5, saved_mode);
}

/* Puts (0x11, 0x22, 0x33, 0x44) in planes 0-3 at `offset` one plane at a
 * time through the map mask. */
static void seed_planes(vga_rig_t *r, uint32_t offset)
{
    gc_w(r, 5, 0x00);
    gc_w(r, 1, 0x00);
    gc_w(r, 3, 0x00);
    gc_w(r, 8, 0xFF);
    for (unsigned p = 0; p < 4; p++) {
        seq_w(r, 2, (uint8_t)(1u << p));
        memw(r, 0xA0000 + offset, (uint8_t)(0x11 * (p + 1)));
    }
    seq_w(r, 2, 0x0F);
}

static vga_rig_t *mode_rig(const vga_mode_regs_t *m)
{
    vga_rig_t *r = rig_new();
    set_mode(r, m);
    load_ega_dac(r);
    return r;
}

static void test_write_mode0_set_reset_and_bit_mask(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    memw(r, 0xA0000, 0xA5); /* plain write: every plane */
    assert_planes(r, 0, 0xA5, 0xA5, 0xA5, 0xA5);

    seed_planes(r, 100);
    memr(r, 0xA0000 + 100); /* load the latches */
    gc_w(r, 0, 0x05);       /* set/reset: planes 0 and 2 set */
    gc_w(r, 1, 0x03);       /* enabled for planes 0 and 1 */
    gc_w(r, 8, 0xF0);
    memw(r, 0xA0000 + 100, 0x3C);
    /* high nibble: 0xFF, 0x00 (set/reset), 0x3C, 0x3C (data); low nibble
     * from the latches */
    assert_planes(r, 100, 0xF1, 0x02, 0x33, 0x34);
    rig_free(r);
}

static void test_write_mode0_rotate_and_logical_functions(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    static const struct { uint8_t func; uint8_t p[4]; } cases[] = {
        {0x08, {0x11 & 0x30, 0x22 & 0x30, 0x33 & 0x30, 0x44 & 0x30}}, /* AND */
        {0x10, {0x11 | 0x30, 0x22 | 0x30, 0x33 | 0x30, 0x44 | 0x30}}, /* OR */
        {0x18, {0x11 ^ 0x30, 0x22 ^ 0x30, 0x33 ^ 0x30, 0x44 ^ 0x30}}, /* XOR */
    };
    for (unsigned i = 0; i < 3; i++) {
        seed_planes(r, 200);
        memr(r, 0xA0000 + 200);
        gc_w(r, 3, (uint8_t)(cases[i].func | 3)); /* rotate right by 3: 0x81 -> 0x30 */
        memw(r, 0xA0000 + 200, 0x81);
        gc_w(r, 3, 0);
        assert_planes(r, 200, cases[i].p[0], cases[i].p[1], cases[i].p[2], cases[i].p[3]);
    }
    rig_free(r);
}

static void test_write_mode1_copies_latches(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    seed_planes(r, 100);
    gc_w(r, 5, 0x01);
    memr(r, 0xA0000 + 100);
    memw(r, 0xA0000 + 300, 0x00); /* the data byte does not matter */
    assert_planes(r, 300, 0x11, 0x22, 0x33, 0x44);
    rig_free(r);
}

static void test_write_mode2_colour_with_bit_mask(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    seed_planes(r, 100);
    memr(r, 0xA0000 + 100);
    gc_w(r, 5, 0x02);
    gc_w(r, 8, 0x3C);
    memw(r, 0xA0000 + 100, 0x0A); /* colour 10: planes 1 and 3 */
    assert_planes(r, 100, 0x11 & 0xC3, 0x3C | (0x22 & 0xC3), 0x33 & 0xC3, 0x3C | (0x44 & 0xC3));
    rig_free(r);
}

static void test_write_mode3_data_masks_set_reset(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    seed_planes(r, 100);
    memr(r, 0xA0000 + 100);
    gc_w(r, 5, 0x03);
    gc_w(r, 0, 0x09); /* set/reset: planes 0 and 3 */
    gc_w(r, 1, 0x00); /* enable set/reset plays no part in mode 3 */
    gc_w(r, 8, 0x3C);
    memw(r, 0xA0000 + 100, 0xF0); /* mask = 0xF0 & 0x3C = 0x30 */
    assert_planes(r, 100, 0x30 | (0x11 & 0xCF), 0x22 & 0xCF, 0x33 & 0xCF, 0x30 | (0x44 & 0xCF));
    rig_free(r);
}

static void test_map_mask_and_read_mode1(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    seq_w(r, 2, 0x05);
    memw(r, 0xA0000 + 400, 0xFF);
    seq_w(r, 2, 0x0F);
    assert_planes(r, 400, 0xFF, 0x00, 0xFF, 0x00);

    seed_planes(r, 100);
    gc_w(r, 5, 0x08); /* read mode 1 */
    gc_w(r, 2, 0x00); /* colour compare 0 ... */
    gc_w(r, 7, 0x0A); /* ... on planes 1 and 3 only */
    assert_int_equal(memr(r, 0xA0000 + 100), (uint8_t)~(0x22 | 0x44));
    gc_w(r, 2, 0x05);
    gc_w(r, 7, 0x0F); /* all planes: p0=1 p1=0 p2=1 p3=0 holds at bits 0 and 4 */
    assert_int_equal(memr(r, 0xA0000 + 100), 0x11);
    rig_free(r);
}

static void test_chain4_puts_byte_n_in_plane_n_mod_4(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_13H);
    memw(r, 0xA0000 + 1234, 0x5A);
    assert_int_equal(memr(r, 0xA0000 + 1234), 0x5A);
    seq_w(r, 4, 0x06); /* unchained */
    gc_w(r, 5, 0x00);
    gc_w(r, 4, 1234 & 3);
    assert_int_equal(memr(r, 0xA0000 + (1234 & ~3)), 0x5A);
    gc_w(r, 4, (1234 + 1) & 3);
    assert_int_equal(memr(r, 0xA0000 + (1234 & ~3)), 0x00);
    rig_free(r);
}

static uint32_t rgb6(unsigned r6, unsigned g6, unsigned b6)
{
    /* The DAC output is linear in value/63. */
    return (uint32_t)lround(r6 * 255.0 / 63) << 16 | (uint32_t)lround(g6 * 255.0 / 63) << 8 |
           (uint32_t)lround(b6 * 255.0 / 63);
}

static uint8_t mode13_value(unsigned x, unsigned y) { return (uint8_t)(x * 3 + y * 5); }
static uint32_t mode13_want(unsigned x, unsigned y)
{
    unsigned i = mode13_value(x, y);
    return rgb6(i & 63, 63 - (i & 63), (i * 3) & 63);
}

static void test_mode13h_frame(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_13H);
    outb(r, 0x3C8, 0);
    for (unsigned i = 0; i < 256; i++) {
        outb(r, 0x3C9, (uint8_t)(i & 63));
        outb(r, 0x3C9, (uint8_t)(63 - (i & 63)));
        outb(r, 0x3C9, (uint8_t)((i * 3) & 63));
    }
    for (unsigned y = 0; y < 200; y++)
        for (unsigned x = 0; x < 320; x++)
            memw(r, 0xA0000 + y * 320 + x, mode13_value(x, y));
    const display_frame_t *f = vga_render(&r->vga);
    assert_frame_matches(f, 320, 200, mode13_want);

    /* One pixel on row 100: only that row is redrawn. */
    f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y1 - f->dirty_y0, 0);
    memw(r, 0xA0000 + 100 * 320 + 7, mode13_value(7, 100));
    memw(r, 0xA0000 + 100 * 320 + 8, (uint8_t)~mode13_value(8, 100));
    f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y0, 100);
    assert_int_equal(f->dirty_y1, 101);
    unsigned i = (uint8_t)~mode13_value(8, 100);
    assert_int_equal(f->pixels[100 * 320 + 8], rgb6(i & 63, 63 - (i & 63), (i * 3) & 63));

    /* The pixel mask limits the DAC index. */
    outb(r, 0x3C6, 0x0F);
    f = vga_render(&r->vga);
    i = mode13_value(5, 5) & 0x0F;
    assert_int_equal(f->pixels[5 * 320 + 5], rgb6(i & 63, 63 - (i & 63), (i * 3) & 63));
    rig_free(r);
}

/* Mode 12h/0Dh: one colour per pixel drawn with write mode 2 and the bit
 * mask, the way graphics libraries plot pixels. */
static uint8_t planar_colour(unsigned x, unsigned y) { return (uint8_t)((x / 3 + y * 7 + (x * y) % 5) & 15); }

static void plot_planar(vga_rig_t *r, unsigned w, unsigned h)
{
    gc_w(r, 5, 0x02);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            uint32_t a = 0xA0000 + y * (w / 8) + x / 8;
            gc_w(r, 8, (uint8_t)(0x80 >> (x & 7)));
            memr(r, a);
            memw(r, a, planar_colour(x, y));
        }
    gc_w(r, 8, 0xFF);
    gc_w(r, 5, 0x00);
}

static uint32_t mode12_want(unsigned x, unsigned y) { return ega_rgb(MODE_12H.attr[planar_colour(x, y)]); }
static uint32_t mode0d_want(unsigned x, unsigned y) { return ega_rgb(MODE_0DH.attr[planar_colour(x, y)]); }

static void test_mode12h_frame(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    plot_planar(r, 640, 480);
    /* Row 0: pixels 0-2 colour 0, 3-5 colour 1 (plane 0), 6-7 colour 2
     * (plane 1). */
    assert_planes(r, 0, 0x1C, 0x03, 0x00, 0x00);
    assert_frame_matches(vga_render(&r->vga), 640, 480, mode12_want);
    rig_free(r);
}

static void test_mode0dh_frame(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_0DH);
    plot_planar(r, 320, 200);
    assert_frame_matches(vga_render(&r->vga), 320, 200, mode0d_want);
    rig_free(r);
}

static uint8_t cga_colour(unsigned x, unsigned y) { return (uint8_t)((x + y / 2) & 3); }
static uint32_t mode04_want(unsigned x, unsigned y) { return ega_rgb(MODE_04H.attr[cga_colour(x, y)]); }

static void test_mode04h_cga_layout(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_04H);
    /* CGA layout: even lines from 0xB8000, odd lines from 0xBA000, 80
     * bytes per line, four 2-bit pixels per byte, leftmost in bits 7-6. */
    for (unsigned y = 0; y < 200; y++)
        for (unsigned xb = 0; xb < 80; xb++) {
            uint8_t b = 0;
            for (unsigned k = 0; k < 4; k++)
                b |= (uint8_t)(cga_colour(xb * 4 + k, y) << (6 - 2 * k));
            memw(r, 0xB8000 + (y & 1) * 0x2000 + (y / 2) * 80 + xb, b);
        }
    assert_frame_matches(vga_render(&r->vga), 320, 200, mode04_want);
    rig_free(r);
}

/* Split screen: lines after the line compare value show memory from
 * address 0, those before it from the start address. */
static uint32_t split_want(unsigned x, unsigned y)
{
    unsigned row = y <= 239 ? y + 100 : y - 240;
    return ega_rgb(MODE_12H.attr[planar_colour(x, row)]);
}

static void test_start_address_and_line_compare(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_12H);
    plot_planar(r, 640, 480);
    crtc_w(r, 0x0C, (100 * 80) >> 8);
    crtc_w(r, 0x0D, (100 * 80) & 0xFF);
    crtc_w(r, 0x18, 239);
    crtc_w(r, 0x07, 0x3E & ~0x10); /* line compare bit 8 clear */
    crtc_w(r, 0x09, 0x00);         /* bit 9 clear */
    const display_frame_t *f = vga_render(&r->vga);
    /* Rows 380+ of memory are beyond what was drawn from row 100 on. */
    for (unsigned y = 0; y < 480; y++) {
        if (y < 240 && y + 100 >= 480)
            continue;
        for (unsigned x = 0; x < 640; x++)
            if (f->pixels[y * 640 + x] != split_want(x, y)) {
                fprintf(stderr, "split (%u,%u)\n", x, y);
                fail();
            }
    }
    rig_free(r);
}

static void test_screen_off_and_palette_access_blank(void **state)
{
    (void)state;
    vga_rig_t *r = mode_rig(&MODE_13H);
    for (unsigned i = 0; i < 64000; i++)
        memw(r, 0xA0000 + i, 15);
    const display_frame_t *f = vga_render(&r->vga);
    assert_int_equal(f->pixels[0], ega_rgb(15));
    seq_w(r, 1, 0x21); /* screen off */
    f = vga_render(&r->vga);
    assert_int_equal(f->pixels[0], 0);
    seq_w(r, 1, 0x01);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x00); /* PAS clear: the CPU owns the palette, the screen is blank */
    f = vga_render(&r->vga);
    assert_int_equal(f->pixels[319], 0);
    outb(r, 0x3C0, 0x0F);
    outb(r, 0x3C0, 0x20);
    f = vga_render(&r->vga);
    assert_int_equal(f->pixels[319], ega_rgb(15));
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_mode0_set_reset_and_bit_mask),
        cmocka_unit_test(test_write_mode0_rotate_and_logical_functions),
        cmocka_unit_test(test_write_mode1_copies_latches),
        cmocka_unit_test(test_write_mode2_colour_with_bit_mask),
        cmocka_unit_test(test_write_mode3_data_masks_set_reset),
        cmocka_unit_test(test_map_mask_and_read_mode1),
        cmocka_unit_test(test_chain4_puts_byte_n_in_plane_n_mod_4),
        cmocka_unit_test(test_mode13h_frame),
        cmocka_unit_test(test_mode12h_frame),
        cmocka_unit_test(test_mode0dh_frame),
        cmocka_unit_test(test_mode04h_cga_layout),
        cmocka_unit_test(test_start_address_and_line_compare),
        cmocka_unit_test(test_screen_off_and_palette_access_blank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
