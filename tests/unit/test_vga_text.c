/* VGA text modes: characters with attributes, a loaded font, font
 * selection by attribute bit 3, the cursor, blinking, 80x25 (9x16),
 * 80x50 (8x8), 40x25, and redrawing only changed rows.  Expected frames
 * come from a reference renderer written here from the VGA documentation
 * (character generator in plane 2 with 32-byte slots, attribute byte
 * layout, ninth-dot rule, cursor start/end rows) and the font bitmaps. */
#include "vga_test_util.h"

#include <stdio.h>

/* Frame period of the 80-column text modes (28.322 MHz dot clock, 100
 * character clocks of 9 dots, 449 lines): 14.27 ms, about 70 Hz. */
#define TEXT_FRAME_NS (100ull * 9 * 449 * 1000000000ull / 28322000ull)

typedef struct text_ref {
    const uint8_t *screen;     /* char, attribute pairs as written */
    const uint8_t *font_b, *font_a; /* attribute bit 3 clear / set */
    unsigned font_h, cols, rows, cell_w, cell_h, px;
    const uint8_t *attr_pal;   /* the 16 attribute palette registers */
    bool blink_enable, blink_hidden;
    int cursor;                /* cell index, or -1 */
    unsigned cursor_start, cursor_end;
} text_ref_t;

static uint32_t ref_pixel(const text_ref_t *t, unsigned x, unsigned y)
{
    unsigned col = x / (t->cell_w * t->px), dot = (x / t->px) % t->cell_w;
    unsigned row = y / t->cell_h, line = y % t->cell_h;
    unsigned i = row * t->cols + col;
    uint8_t ch = t->screen[2 * i], at = t->screen[2 * i + 1];
    const uint8_t *font = (at & 8) ? t->font_a : t->font_b;
    uint8_t glyph = line < t->font_h ? font[ch * t->font_h + line] : 0;
    unsigned on = dot < 8 ? (glyph >> (7 - dot)) & 1 : (ch >= 0xC0 && ch <= 0xDF ? glyph & 1 : 0);
    unsigned fg = at & 0xF, bg = t->blink_enable ? (at >> 4) & 7 : at >> 4;
    if (t->blink_enable && (at & 0x80) && t->blink_hidden)
        on = 0;
    if ((int)i == t->cursor && line >= t->cursor_start && line <= t->cursor_end)
        on = 1;
    return ega_rgb(t->attr_pal[on ? fg : bg]);
}

static void assert_frame(const display_frame_t *f, const text_ref_t *t)
{
    assert_int_equal(f->width, t->cols * t->cell_w * t->px);
    assert_int_equal(f->height, t->rows * t->cell_h);
    for (unsigned y = 0; y < f->height; y++)
        for (unsigned x = 0; x < f->width; x++) {
            uint32_t want = ref_pixel(t, x, y), got = f->pixels[y * f->width + x];
            if (want != got) {
                fprintf(stderr, "pixel (%u,%u): want %06x got %06x\n", x, y, want, got);
                fail();
            }
        }
}

/* Writes the screen through the 0xB8000 window and keeps a copy. */
static void fill_screen(vga_rig_t *r, uint8_t *screen, unsigned cells, uint8_t attr_mask)
{
    for (unsigned i = 0; i < cells; i++) {
        screen[2 * i] = (uint8_t)(i * 7 + 1);
        screen[2 * i + 1] = (uint8_t)((i * 13 + 5) & attr_mask);
        memw(r, 0xB8000 + 2 * i, screen[2 * i]);
        memw(r, 0xB8000 + 2 * i + 1, screen[2 * i + 1]);
    }
}

static vga_rig_t *text_rig(const vga_mode_regs_t *m, const uint8_t *font, unsigned font_h)
{
    vga_rig_t *r = rig_new();
    set_mode(r, m);
    load_ega_dac(r);
    load_font(r, font, font_h, 0);
    restore_text_after_font(r, m);
    return r;
}

static text_ref_t mode3_ref(const uint8_t *screen)
{
    return (text_ref_t){.screen = screen, .font_a = vga_font8x16, .font_b = vga_font8x16, .font_h = 16,
                        .cols = 80, .rows = 25, .cell_w = 9, .cell_h = 16, .px = 1,
                        .attr_pal = MODE_03H.attr, .blink_enable = true, .cursor = -1,
                        .cursor_start = 0x0D, .cursor_end = 0x0E};
}

static void test_mode3_characters_and_attributes(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    crtc_w(r, 0x0A, 0x20); /* cursor off */
    static uint8_t screen[4000];
    fill_screen(r, screen, 2000, 0x7F);
    text_ref_t t = mode3_ref(screen);
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_cursor_shape_position_and_blink(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    static uint8_t screen[4000];
    fill_screen(r, screen, 2000, 0x7F);
    unsigned pos = 3 * 80 + 5;
    crtc_w(r, 0x0E, (uint8_t)(pos >> 8));
    crtc_w(r, 0x0F, (uint8_t)pos);
    crtc_w(r, 0x0A, 0x0B); /* rows 11..14 */
    crtc_w(r, 0x0B, 0x0E);
    text_ref_t t = mode3_ref(screen);
    t.cursor = (int)pos;
    t.cursor_start = 11;
    t.cursor_end = 14;
    rig_set_time(r, TEXT_FRAME_NS / 2); /* frame 0: the cursor is in its on phase */
    assert_frame(vga_render(&r->vga), &t);

    rig_set_time(r, TEXT_FRAME_NS * 12); /* frames 8-15 of the 16-frame cycle: off */
    t.cursor = -1;
    const display_frame_t *f = vga_render(&r->vga);
    assert_frame(f, &t);
    assert_true(f->dirty_y0 <= 3 * 16 + 11 && f->dirty_y1 >= 3 * 16 + 15);

    /* Start row after end row: no cursor, even in the on phase. */
    rig_set_time(r, TEXT_FRAME_NS * 16 + TEXT_FRAME_NS / 2);
    crtc_w(r, 0x0A, 0x0E);
    crtc_w(r, 0x0B, 0x0B);
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_blink_and_intensity_bit(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    crtc_w(r, 0x0A, 0x20);
    static uint8_t screen[4000];
    fill_screen(r, screen, 2000, 0xFF); /* half the cells have bit 7 set */
    text_ref_t t = mode3_ref(screen);
    rig_set_time(r, TEXT_FRAME_NS / 2);
    assert_frame(vga_render(&r->vga), &t); /* frames 0-15: blinking characters shown */
    rig_set_time(r, TEXT_FRAME_NS * 20 + TEXT_FRAME_NS / 2);
    t.blink_hidden = true;
    assert_frame(vga_render(&r->vga), &t); /* frames 16-31: hidden */

    /* Attribute mode bit 3 clear: bit 7 selects bright backgrounds instead. */
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x10 | 0x20);
    outb(r, 0x3C0, 0x04);
    t.blink_enable = false;
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_loaded_font_and_font_select(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    crtc_w(r, 0x0A, 0x20);
    /* A second font in map 1 (plane 2 offset 0x4000): every glyph is a
     * pattern derived from its code. */
    static uint8_t custom[256 * 16];
    for (unsigned i = 0; i < sizeof custom; i++)
        custom[i] = (uint8_t)((i / 16) ^ (i % 16) * 0x11);
    load_font(r, custom, 16, 0x4000);
    restore_text_after_font(r, &MODE_03H);
    seq_w(r, 3, 0x04); /* map A (attribute bit 3 set) = 1, map B = 0 */
    static uint8_t screen[4000];
    fill_screen(r, screen, 2000, 0x7F);
    text_ref_t t = mode3_ref(screen);
    t.font_a = custom;
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_80x50_with_8x8_font(void **state)
{
    (void)state;
    vga_mode_regs_t m = MODE_03H;
    m.misc = 0x63;        /* 25 MHz dot clock: 640 dots */
    m.seq[1] = 0x01;      /* 8-dot characters */
    m.crtc[0x09] = 0x47;  /* 8 scan lines per row */
    m.crtc[0x0A] = 0x06;
    m.crtc[0x0B] = 0x07;
    vga_rig_t *r = text_rig(&m, vga_font8x8, 8);
    static uint8_t screen[8000];
    fill_screen(r, screen, 4000, 0x7F);
    unsigned pos = 49 * 80 + 79; /* the last cell */
    crtc_w(r, 0x0E, (uint8_t)(pos >> 8));
    crtc_w(r, 0x0F, (uint8_t)pos);
    text_ref_t t = mode3_ref(screen);
    t.font_a = t.font_b = vga_font8x8;
    t.font_h = 8;
    t.rows = 50;
    t.cell_w = 8;
    t.cell_h = 8;
    t.cursor = (int)pos;
    t.cursor_start = 6;
    t.cursor_end = 7;
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_40x25_doubles_pixels(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_01H, vga_font8x16, 16);
    crtc_w(r, 0x0A, 0x20);
    static uint8_t screen[2000];
    fill_screen(r, screen, 1000, 0x7F);
    text_ref_t t = mode3_ref(screen);
    t.cols = 40;
    t.px = 2;
    assert_frame(vga_render(&r->vga), &t);
    rig_free(r);
}

static void test_only_changed_rows_are_redrawn(void **state)
{
    (void)state;
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    crtc_w(r, 0x0A, 0x20);
    static uint8_t screen[4000];
    fill_screen(r, screen, 2000, 0x7F);
    const display_frame_t *f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y0, 0);
    assert_int_equal(f->dirty_y1, 400);
    f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y1 - f->dirty_y0, 0);
    /* One character in text row 10: scan lines 160-175. */
    screen[2 * (10 * 80 + 40)] = 'X';
    memw(r, 0xB8000 + 2 * (10 * 80 + 40), 'X');
    f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y0, 160);
    assert_int_equal(f->dirty_y1, 176);
    text_ref_t t = mode3_ref(screen);
    assert_frame(f, &t);
    /* A palette change redraws everything. */
    outb(r, 0x3C8, 7);
    outb(r, 0x3C9, 1);
    outb(r, 0x3C9, 2);
    outb(r, 0x3C9, 3);
    f = vga_render(&r->vga);
    assert_int_equal(f->dirty_y0, 0);
    assert_int_equal(f->dirty_y1, 400);
    rig_free(r);
}

static void test_text_memory_is_odd_even(void **state)
{
    (void)state;
    /* In odd/even mode even addresses reach plane 0, odd ones plane 1, both
     * at the even offset; planar reads then see them there. */
    vga_rig_t *r = text_rig(&MODE_03H, vga_font8x16, 16);
    memw(r, 0xB8000 + 0x10, 'A');
    memw(r, 0xB8000 + 0x11, 0x1E);
    assert_int_equal(memr(r, 0xB8000 + 0x10), 'A');
    assert_int_equal(memr(r, 0xB8000 + 0x11), 0x1E);
    seq_w(r, 4, 0x06);
    gc_w(r, 5, 0x00);
    gc_w(r, 6, 0x05); /* graphics, 0xA0000 64K */
    gc_w(r, 4, 0);
    assert_int_equal(memr(r, 0xA0000 + 0x10), 'A');
    gc_w(r, 4, 1);
    assert_int_equal(memr(r, 0xA0000 + 0x10), 0x1E);
    assert_int_equal(memr(r, 0xA0000 + 0x11), 0x00);
    /* The text window is unmapped while the GC maps 0xA0000 only. */
    assert_int_equal(memr(r, 0xB8000 + 0x10), 0xFF);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode3_characters_and_attributes),
        cmocka_unit_test(test_cursor_shape_position_and_blink),
        cmocka_unit_test(test_blink_and_intensity_bit),
        cmocka_unit_test(test_loaded_font_and_font_select),
        cmocka_unit_test(test_80x50_with_8x8_font),
        cmocka_unit_test(test_40x25_doubles_pixels),
        cmocka_unit_test(test_only_changed_rows_are_redrawn),
        cmocka_unit_test(test_text_memory_is_odd_even),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
