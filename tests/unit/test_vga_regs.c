/* VGA register behaviour as the IBM VGA documents it: index/data pairs
 * and their implemented bits, the CRTC protect bit, the attribute
 * controller's flip-flop, the DAC's read/write indexes and 6-bit
 * components, the miscellaneous output's I/O-address select, and the
 * input status retrace bits following the programmed timing. */
#include "vga_test_util.h"

static void test_index_registers_and_masks(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    outb(r, 0x3C2, 0x67);
    assert_int_equal(inb(r, 0x3CC), 0x67);
    outb(r, 0x3C4, 0xFF);
    assert_int_equal(inb(r, 0x3C4), 0x07);
    outb(r, 0x3CE, 0xFF);
    assert_int_equal(inb(r, 0x3CE), 0x0F);
    outb(r, 0x3D4, 0xFF);
    assert_int_equal(inb(r, 0x3D4), 0x1F);
    seq_w(r, 2, 0xFF); /* map mask: four planes */
    outb(r, 0x3C4, 2);
    assert_int_equal(inb(r, 0x3C5), 0x0F);
    gc_w(r, 3, 0xFF); /* data rotate: 5 bits */
    assert_int_equal(gc_r(r, 3), 0x1F);
    /* OUT DX, AX writes the index then the data. */
    outw(r, 0x3C4, 0x0502);
    outb(r, 0x3C4, 2);
    assert_int_equal(inb(r, 0x3C5), 0x05);
    assert_int_equal(inw(r, 0x3C4), 0x0502);
    outb(r, 0x3DA, 0x03); /* feature control, read back at 0x3CA */
    assert_int_equal(inb(r, 0x3CA), 0x03);
    rig_free(r);
}

static void test_crtc_protect_bit(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    outb(r, 0x3C2, 0x67);
    crtc_w(r, 0x01, 0x4F);
    crtc_w(r, 0x07, 0x00);
    crtc_w(r, 0x11, 0x80); /* protect registers 0-7 */
    crtc_w(r, 0x01, 0x27);
    crtc_w(r, 0x07, 0xFF);
    crtc_w(r, 0x09, 0x4F); /* not protected */
    outb(r, 0x3D4, 0x01);
    assert_int_equal(inb(r, 0x3D5), 0x4F);
    outb(r, 0x3D4, 0x07);
    assert_int_equal(inb(r, 0x3D5), 0x10); /* only line compare bit 8 changed */
    outb(r, 0x3D4, 0x09);
    assert_int_equal(inb(r, 0x3D5), 0x4F);
    crtc_w(r, 0x11, 0x00);
    crtc_w(r, 0x01, 0x27);
    outb(r, 0x3D4, 0x01);
    assert_int_equal(inb(r, 0x3D5), 0x27);
    rig_free(r);
}

static void test_io_address_select(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    outb(r, 0x3C2, 0x67); /* colour: CRTC at 0x3D4 */
    crtc_w(r, 0x0E, 0x12);
    outb(r, 0x3B4, 0x0E);
    assert_int_equal(inb(r, 0x3B5), 0xFF);
    outb(r, 0x3D4, 0x0E);
    assert_int_equal(inb(r, 0x3D5), 0x12);
    outb(r, 0x3C2, 0x66); /* monochrome: CRTC at 0x3B4 */
    assert_int_equal(inb(r, 0x3D5), 0xFF);
    outb(r, 0x3B4, 0x0E);
    assert_int_equal(inb(r, 0x3B5), 0x12);
    /* 0x3BA now resets the attribute flip-flop, 0x3DA does not. */
    outb(r, 0x3C0, 0x01); /* index */
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x07); /* still data */
    inb(r, 0x3BA);
    outb(r, 0x3C0, 0x01); /* index again */
    assert_int_equal(inb(r, 0x3C1), 0x07);
    rig_free(r);
}

static void test_attribute_flip_flop(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    outb(r, 0x3C2, 0x67);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x12); /* index: colour plane enable */
    outb(r, 0x3C0, 0x0A); /* data */
    assert_int_equal(inb(r, 0x3C0), 0x12);
    assert_int_equal(inb(r, 0x3C1), 0x0A);
    outb(r, 0x3C0, 0x03); /* the flip-flop is back on index */
    outb(r, 0x3C0, 0x2A);
    assert_int_equal(inb(r, 0x3C1), 0x2A);
    /* Reading input status 1 between index and data starts over. */
    outb(r, 0x3C0, 0x05);
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x14); /* an index */
    outb(r, 0x3C0, 0x03);
    assert_int_equal(inb(r, 0x3C0), 0x14);
    assert_int_equal(inb(r, 0x3C1), 0x03);
    outb(r, 0x3C0, 0x05);
    assert_int_equal(inb(r, 0x3C1), 0x00);
    /* With PAS set the palette registers are read-only. */
    inb(r, 0x3DA);
    outb(r, 0x3C0, 0x23);
    outb(r, 0x3C0, 0x11);
    assert_int_equal(inb(r, 0x3C1), 0x2A);
    assert_int_equal(inb(r, 0x3C0), 0x23);
    rig_free(r);
}

static void test_dac_indexes_and_components(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    outb(r, 0x3C8, 10);
    assert_int_equal(inb(r, 0x3C7), 0x00); /* write mode */
    outb(r, 0x3C9, 0x3F);
    outb(r, 0x3C9, 0x40); /* 6 bits: becomes 0 */
    outb(r, 0x3C9, 0x95); /* becomes 0x15 */
    assert_int_equal(inb(r, 0x3C8), 11);
    outb(r, 0x3C8, 255); /* auto-increment wraps to 0 */
    for (unsigned i = 0; i < 6; i++)
        outb(r, 0x3C9, (uint8_t)(i + 1));
    outb(r, 0x3C7, 10);
    assert_int_equal(inb(r, 0x3C7), 0x03); /* read mode */
    assert_int_equal(inb(r, 0x3C9), 0x3F);
    assert_int_equal(inb(r, 0x3C9), 0x00);
    assert_int_equal(inb(r, 0x3C9), 0x15);
    outb(r, 0x3C7, 255);
    uint8_t got[6];
    for (unsigned i = 0; i < 6; i++)
        got[i] = inb(r, 0x3C9);
    const uint8_t want[6] = {1, 2, 3, 4, 5, 6};
    assert_memory_equal(got, want, 6);
    outb(r, 0x3C6, 0x3C);
    assert_int_equal(inb(r, 0x3C6), 0x3C);
    rig_free(r);
}

/* Mode 3 timing: 100 character clocks of 9 dots at 28.322 MHz per line,
 * 449 lines, 400 displayed, vertical retrace from line 412 (0x9C plus
 * overflow bit 8) until the line counter's low 4 bits reach 14. */
#define LINE_NS (900.0 * 1e9 / 28322000.0)

static uint8_t status_at(vga_rig_t *r, double lines)
{
    rig_set_time(r, (uint64_t)(lines * LINE_NS) + 4);
    return inb(r, 0x3DA);
}

static void test_input_status_follows_raster(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    set_mode(r, &MODE_03H);
    assert_int_equal(status_at(r, 10.1) & 0x09, 0x00); /* displaying */
    assert_int_equal(status_at(r, 10.9) & 0x09, 0x01); /* horizontal blanking */
    assert_int_equal(status_at(r, 405.1) & 0x09, 0x01); /* vertical blanking */
    assert_int_equal(status_at(r, 411.5) & 0x08, 0x00);
    assert_int_equal(status_at(r, 412.5) & 0x08, 0x08); /* retrace */
    assert_int_equal(status_at(r, 413.5) & 0x08, 0x08);
    assert_int_equal(status_at(r, 414.5) & 0x08, 0x00);
    assert_int_equal(status_at(r, 449 + 412.5) & 0x08, 0x08); /* next frame */
    /* A guest polling for retrace sees it start once per frame. */
    unsigned edges = 0;
    uint8_t prev = 0;
    for (double l = 0; l < 449 * 3; l += 0.25) {
        uint8_t s = status_at(r, l) & 0x08;
        edges += s && !prev;
        prev = s;
    }
    assert_int_equal(edges, 3);
    rig_free(r);
}

/* Before any mode is set (all CRTC registers zero) both states of each
 * status bit still occur, so a guest's polling loop ends. */
static void test_unprogrammed_crtc_still_toggles(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    unsigned seen[2][2] = {{0}};
    for (uint64_t ns = 0; ns < 100000; ns += 36) {
        rig_set_time(r, ns);
        uint8_t s = inb(r, 0x3BA); /* miscellaneous output 0: monochrome ports */
        seen[0][s & 1]++;
        seen[1][(s >> 3) & 1]++;
    }
    assert_true(seen[0][0] && seen[0][1]);
    assert_true(seen[1][0] && seen[1][1]);
    rig_free(r);
}

static void test_unmapped_window_and_ram_disable(void **state)
{
    (void)state;
    vga_rig_t *r = rig_new();
    set_mode(r, &MODE_03H); /* maps 0xB8000-0xBFFFF */
    memw(r, 0xB8000, 0x41);
    assert_int_equal(memr(r, 0xB8000), 0x41);
    assert_int_equal(memr(r, 0xA0000), 0xFF);
    memw(r, 0xB0000, 0x55); /* outside the window: lost */
    assert_int_equal(memr(r, 0xB0000), 0xFF);
    outb(r, 0x3C2, 0x65); /* RAM disable */
    assert_int_equal(memr(r, 0xB8000), 0xFF);
    outb(r, 0x3C2, 0x67);
    assert_int_equal(memr(r, 0xB8000), 0x41);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_registers_and_masks),
        cmocka_unit_test(test_crtc_protect_bit),
        cmocka_unit_test(test_io_address_select),
        cmocka_unit_test(test_attribute_flip_flop),
        cmocka_unit_test(test_dac_indexes_and_components),
        cmocka_unit_test(test_input_status_follows_raster),
        cmocka_unit_test(test_unprogrammed_crtc_still_toggles),
        cmocka_unit_test(test_unmapped_window_and_ram_disable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
