/* Renders the VGA's (or the VBE mode's) current picture into an XRGB8888
 * frame (see vga.h).
 *
 * The CRT controller is followed scan line by scan line: each output row
 * gets the memory address and row scan the CRTC would be at (start
 * address, offset, maximum scan line, double scanning, line compare,
 * byte/word/doubleword addressing and the CGA/Hercules row-scan address
 * substitutions), and the row's pixels come from those plane bytes.
 *
 * Only rows whose source changed are redrawn: every row remembers which
 * display-memory bytes it was drawn from, and a row is redrawn when those
 * bytes differ from the copy kept at the last render ("shadow"), when a
 * register that shapes the picture was written, or (text) when the font
 * in plane 2 or the blink phase changed.  The linear framebuffer is plain
 * guest memory that the CPU writes without telling anyone, so the
 * comparison is the only way to see its changes, and it costs one memcmp
 * of the visible bytes per frame. */
#include "vga.h"

#include <string.h>

/* An n-bit colour component widened to 8 bits: the DAC's output level is
 * linear in value / full scale, so round value * 255 / (2^n - 1). */
static uint32_t widen(unsigned value, unsigned full_scale)
{
    return (value * 255u + full_scale / 2) / full_scale;
}

uint32_t vga_dac_rgb(const vga_t *v, unsigned i)
{
    const uint8_t *c = v->dac[i & 0xFF];
    if (v->vbe.enable & VBE_8BIT_DAC)
        return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
    return widen(c[0], 63) << 16 | widen(c[1], 63) << 8 | widen(c[2], 63);
}

/* A 4-bit colour through the attribute controller: colour plane enable,
 * the 16 palette registers, then colour select for bits 4-7. */
static uint8_t attr_to_dac(const vga_t *v, unsigned color)
{
    const uint8_t *a = v->attr;
    uint8_t p = a[color & a[VGA_ATTR_PLANE_ENABLE] & 0xF];
    if (a[VGA_ATTR_MODE] & VGA_ATTR_MODE_P54S)
        p = (uint8_t)((p & 0x0F) | ((a[VGA_ATTR_COLOR_SELECT] & 3) << 4));
    return (uint8_t)((p & 0x3F) | ((a[VGA_ATTR_COLOR_SELECT] & 0x0C) << 4));
}

/* ---------------------------------------------------------------- CRTC */

#define ROW_UNREACHED UINT32_MAX /* row_start of a row below the displayed lines */

typedef enum vga_kind { KIND_BLANK, KIND_TEXT, KIND_PLANAR, KIND_CGA4, KIND_256, KIND_VBE } vga_kind_t;

typedef struct geometry {
    vga_kind_t kind;
    uint32_t width, height;   /* output frame */
    unsigned cols;            /* character clocks per line */
    unsigned vdisp;           /* displayed scan lines */
    unsigned vdiv;            /* scan lines per output row */
    unsigned count_shift;     /* the address counter advances every 2^n clocks */
    unsigned char_width;      /* text: 8 or 9 */
    bool pixel_double;        /* text: dot clock halved, each pixel drawn twice */
    uint32_t rgb16[16];       /* 4-bit colours after the attribute controller */
} geometry_t;

/* The display-memory address (plane offset) the CRTC outputs for memory
 * address counter `ma` at row scan `rs`. */
static uint32_t crtc_address(const uint8_t *c, uint32_t ma, unsigned rs)
{
    uint32_t addr;
    if (c[VGA_CRTC_UNDERLINE] & 0x40)
        addr = ma << 2; /* doubleword mode */
    else if (!(c[VGA_CRTC_MODE] & 0x40))
        addr = ma << 1 | ((ma >> ((c[VGA_CRTC_MODE] & 0x20) ? 15 : 13)) & 1); /* word mode */
    else
        addr = ma;
    if (!(c[VGA_CRTC_MODE] & 0x01)) /* CGA: row scan bit 0 is address bit 13 */
        addr = (addr & ~0x2000u) | (rs & 1u) << 13;
    if (!(c[VGA_CRTC_MODE] & 0x02)) /* Hercules: row scan bit 1 is address bit 14 */
        addr = (addr & ~0x4000u) | (rs & 2u) << 13;
    return addr & 0xFFFF;
}

static unsigned vdisp_lines(const uint8_t *c)
{
    unsigned ovf = c[VGA_CRTC_OVERFLOW];
    return c[VGA_CRTC_VDISP_END] + ((ovf & 0x02u) << 7) + ((ovf & 0x40u) << 3) + 1u;
}

static unsigned line_compare(const uint8_t *c)
{
    return c[VGA_CRTC_LINE_COMPARE] + ((c[VGA_CRTC_OVERFLOW] & 0x10u) << 4) +
           ((c[VGA_CRTC_MAX_SCAN] & 0x40u) << 3);
}

static uint32_t clamp_dim(uint32_t x, uint32_t max)
{
    return x == 0 ? 1 : x > max ? max : x;
}

static geometry_t vga_geometry(const vga_t *v)
{
    const uint8_t *c = v->crtc;
    geometry_t g = {.kind = KIND_TEXT};
    if (vbe_enabled(v)) {
        g.kind = KIND_VBE;
        g.width = v->vbe.xres;
        g.height = v->vbe.yres;
        return g;
    }
    g.cols = c[VGA_CRTC_HDISP_END] + 1u;
    g.vdisp = vdisp_lines(c);
    g.count_shift = (c[VGA_CRTC_UNDERLINE] & 0x20) ? 2 : (c[VGA_CRTC_MODE] & 0x08) ? 1 : 0;
    unsigned max_scan = c[VGA_CRTC_MAX_SCAN] & 0x1F;
    unsigned dbl = (c[VGA_CRTC_MAX_SCAN] & 0x80) ? 2 : 1;
    if (v->gc[VGA_GC_MISC] & VGA_GC_MISC_GRAPHICS) {
        if (v->attr[VGA_ATTR_MODE] & VGA_ATTR_MODE_8BIT)
            g.kind = KIND_256;
        else if (v->gc[VGA_GC_MODE] & VGA_GC_MODE_SHIFT_INTERLEAVE)
            g.kind = KIND_CGA4;
        else
            g.kind = KIND_PLANAR;
        /* A row repeats while only the row scan advances, unless the row
         * scan takes part in the address (CGA/Hercules interleave). */
        bool scan_in_address = (c[VGA_CRTC_MODE] & 3) != 3;
        g.vdiv = dbl * (scan_in_address ? 1 : max_scan + 1);
        g.width = g.cols * (g.kind == KIND_256 ? 4 : 8);
        g.height = g.vdisp / g.vdiv;
    } else {
        g.char_width = (v->seq[VGA_SEQ_CLOCKING] & VGA_SEQ_CLOCK_8DOT) ? 8 : 9;
        g.pixel_double = v->seq[VGA_SEQ_CLOCKING] & VGA_SEQ_CLOCK_HALF;
        g.vdiv = 1;
        g.width = g.cols * g.char_width * (g.pixel_double ? 2 : 1);
        g.height = g.vdisp;
    }
    if ((v->seq[VGA_SEQ_CLOCKING] & VGA_SEQ_SCREEN_OFF) || !(v->attr_index & VGA_ATTR_PAS))
        g.kind = KIND_BLANK;
    g.width = clamp_dim(g.width, VGA_MAX_WIDTH);
    g.height = clamp_dim(g.height, VGA_MAX_HEIGHT);
    for (unsigned i = 0; i < 16; i++)
        g.rgb16[i] = v->palette_rgb[attr_to_dac(v, i)];
    return g;
}

/* Follows the CRTC down the screen and records, for each output row, its
 * memory address, row scan and source bytes in display memory. */
static void layout_vga_rows(vga_t *v, const geometry_t *g)
{
    const uint8_t *c = v->crtc;
    unsigned max_scan = c[VGA_CRTC_MAX_SCAN] & 0x1F;
    unsigned repeat = (c[VGA_CRTC_MAX_SCAN] & 0x80) ? 2 : 1;
    unsigned compare = line_compare(c);
    uint32_t pitch = c[VGA_CRTC_OFFSET] * 2u;
    uint32_t ma = (uint32_t)c[VGA_CRTC_START_HI] << 8 | c[VGA_CRTC_START_LO];
    unsigned rs = c[VGA_CRTC_PRESET_ROW] & 0x1F, rep = 0, y = 0;
    if (rs > max_scan)
        rs = 0;
    uint32_t last_clock = (g->cols - 1) >> g->count_shift;
    for (unsigned line = 0; line < g->vdisp && y < g->height; line++) {
        if (line == compare + 1) { /* split screen: the lines after the compare start at 0 */
            ma = 0;
            rs = 0;
            rep = 0;
        }
        if (line % g->vdiv == 0) {
            v->row_ma[y] = ma;
            v->row_scan[y] = (uint8_t)rs;
            uint32_t first = crtc_address(c, ma, rs) * 4;
            uint32_t end = crtc_address(c, ma + last_clock, rs) * 4 + 4;
            v->row_start[y] = first;
            v->row_len[y] = end > first ? end - first : 0; /* wrapped: always redraw */
            y++;
        }
        if (++rep == repeat) {
            rep = 0;
            if (rs >= max_scan) {
                rs = 0;
                ma += pitch;
            } else {
                rs++;
            }
        }
    }
    for (; y < g->height; y++) { /* rows the CRTC never reached: black */
        v->row_start[y] = ROW_UNREACHED;
        v->row_len[y] = 0;
    }
}

static void layout_vbe_rows(vga_t *v, const geometry_t *g)
{
    uint32_t pitch = vbe_pitch(v);
    uint32_t bpp = vbe_bytes_per_pixel(v->vbe.bpp);
    for (uint32_t y = 0; y < g->height; y++) {
        /* vbe.c keeps (y_offset + yres) * pitch within display memory. */
        v->row_start[y] = (v->vbe.y_offset + y) * pitch + v->vbe.x_offset * bpp;
        v->row_len[y] = g->width * bpp;
    }
}

/* ---------------------------------------------------------------- rows */

typedef struct text_state {
    uint32_t font_a, font_b; /* plane-2 offsets of the fonts attribute bit 3 selects */
    uint32_t cursor;         /* memory address of the cursor, or ~0 */
    unsigned cursor_start, cursor_end;
    bool blink_hidden;       /* blinking characters are in their off phase */
} text_state_t;

static uint32_t font_offset(unsigned map)
{
    return (map & 3) * 0x4000u + (map >> 2) * 0x2000u;
}

static text_state_t text_state(const vga_t *v, uint32_t blink_phase)
{
    const uint8_t *c = v->crtc;
    uint8_t sel = v->seq[VGA_SEQ_CHAR_MAP];
    text_state_t t = {
        .font_a = font_offset(((sel >> 2) & 3) | ((sel >> 3) & 4)),
        .font_b = font_offset((sel & 3) | ((sel >> 2) & 4)),
        .cursor = ~0u,
        .cursor_start = c[VGA_CRTC_CURSOR_START] & 0x1F,
        .cursor_end = c[VGA_CRTC_CURSOR_END] & 0x1F,
        .blink_hidden = blink_phase & 2,
    };
    bool cursor_on = !(c[VGA_CRTC_CURSOR_START] & 0x20) && !(blink_phase & 1);
    if (cursor_on)
        t.cursor = ((uint32_t)c[VGA_CRTC_CURSOR_HI] << 8 | c[VGA_CRTC_CURSOR_LO]) +
                   ((c[VGA_CRTC_CURSOR_END] >> 5) & 3);
    return t;
}

static void render_text_row(const vga_t *v, const geometry_t *g, const text_state_t *t, uint32_t y,
                            uint32_t *out)
{
    const uint8_t *c = v->crtc;
    const uint8_t *vram = v->vram;
    uint8_t mode = v->attr[VGA_ATTR_MODE];
    unsigned rs = v->row_scan[y];
    unsigned underline = c[VGA_CRTC_UNDERLINE] & 0x1F;
    unsigned px = g->pixel_double ? 2 : 1;
    uint32_t x = 0;
    for (unsigned col = 0; col < g->cols && x < g->width; col++) {
        uint32_t ma = v->row_ma[y] + (col >> g->count_shift);
        uint32_t addr = crtc_address(c, ma, rs);
        uint8_t ch = vram[addr * 4], at = vram[addr * 4 + 1];
        uint32_t font = (at & 0x08) ? t->font_a : t->font_b;
        unsigned glyph = vram[((font + ch * 32u + rs) & 0xFFFF) * 4 + 2];
        unsigned bg = at >> 4;
        if (mode & VGA_ATTR_MODE_BLINK) {
            bg &= 7;
            if ((at & 0x80) && t->blink_hidden)
                glyph = 0;
        }
        /* The ninth dot repeats the eighth for the line-drawing characters. */
        unsigned ninth = (mode & VGA_ATTR_MODE_LINE_GRAPHICS) && ch >= 0xC0 && ch <= 0xDF ? glyph & 1 : 0;
        uint32_t bits = glyph << 1 | ninth; /* 9 dots, leftmost in bit 8 */
        /* The underline (monochrome attributes) and the cursor fill the
         * whole cell width. */
        if ((mode & VGA_ATTR_MODE_MONO) && (at & 0x77) == 0x01 && rs == underline)
            bits = 0x1FF;
        if ((ma & 0xFFFF) == t->cursor && rs >= t->cursor_start && rs <= t->cursor_end)
            bits = 0x1FF;
        uint32_t fg_rgb = g->rgb16[at & 0xF], bg_rgb = g->rgb16[bg];
        for (int dot = 8; dot > 8 - (int)g->char_width; dot--)
            for (unsigned k = 0; k < px && x < g->width; k++)
                out[x++] = ((bits >> dot) & 1) ? fg_rgb : bg_rgb;
    }
    while (x < g->width)
        out[x++] = 0;
}

static void render_graphics_row(const vga_t *v, const geometry_t *g, uint32_t y, uint32_t *out)
{
    const uint8_t *c = v->crtc;
    uint32_t x = 0;
    unsigned per_clock = g->kind == KIND_256 ? 4 : 8;
    for (unsigned clk = 0; clk < g->cols && x + per_clock <= g->width; clk++) {
        uint32_t addr = crtc_address(c, v->row_ma[y] + (clk >> g->count_shift), v->row_scan[y]);
        const uint8_t *p = v->vram + addr * 4;
        switch (g->kind) {
        case KIND_256:
            for (unsigned i = 0; i < 4; i++)
                out[x++] = v->palette_rgb[p[i]];
            break;
        case KIND_CGA4:
            /* Shift-register interleave: 2-bit pixels, the first four from
             * planes 0 (low bit pair) and 2, the next four from 1 and 3. */
            for (unsigned i = 0; i < 8; i++) {
                unsigned half = i >> 2, shift = 6 - 2 * (i & 3);
                unsigned color = ((p[half] >> shift) & 3) | ((p[half + 2] >> shift) & 3) << 2;
                out[x++] = g->rgb16[color];
            }
            break;
        default:
            for (unsigned i = 0; i < 8; i++) {
                unsigned bit = 7 - i;
                unsigned color = ((p[0] >> bit) & 1) | ((p[1] >> bit) & 1) << 1 |
                                 ((p[2] >> bit) & 1) << 2 | ((p[3] >> bit) & 1) << 3;
                out[x++] = g->rgb16[color];
            }
            break;
        }
    }
    while (x < g->width)
        out[x++] = 0;
}

static void render_vbe_row(const vga_t *v, const geometry_t *g, uint32_t y, uint32_t *out)
{
    const uint8_t *p = v->vram + v->row_start[y];
    switch (v->vbe.bpp) {
    case 8:
        for (uint32_t x = 0; x < g->width; x++)
            out[x] = v->palette_rgb[p[x]];
        break;
    case 15:
    case 16:
        for (uint32_t x = 0; x < g->width; x++) {
            unsigned w = p[2 * x] | p[2 * x + 1] << 8;
            unsigned b = w & 0x1F, r, gr, gr_scale;
            if (v->vbe.bpp == 15) {
                r = (w >> 10) & 0x1F;
                gr = (w >> 5) & 0x1F;
                gr_scale = 31;
            } else {
                r = w >> 11;
                gr = (w >> 5) & 0x3F;
                gr_scale = 63;
            }
            out[x] = widen(r, 31) << 16 | widen(gr, gr_scale) << 8 | widen(b, 31);
        }
        break;
    case 24:
        for (uint32_t x = 0; x < g->width; x++)
            out[x] = (uint32_t)p[3 * x + 2] << 16 | (uint32_t)p[3 * x + 1] << 8 | p[3 * x];
        break;
    default: /* 32 */
        for (uint32_t x = 0; x < g->width; x++)
            out[x] = (uint32_t)p[4 * x + 2] << 16 | (uint32_t)p[4 * x + 1] << 8 | p[4 * x];
        break;
    }
}

/* ---------------------------------------------------------------- frame */

/* Bit 0: cursor in its off phase (16-frame cycle); bit 1: blinking
 * characters hidden (32-frame cycle). */
static uint32_t blink_phase_now(const vga_t *v)
{
    uint64_t frame = clock_now(v->clock) / vga_frame_ns(v);
    return (uint32_t)((frame >> 3) & 3);
}

const display_frame_t *vga_render(vga_t *v)
{
    for (unsigned i = 0; i < 256; i++)
        v->palette_rgb[i] = vga_dac_rgb(v, i & v->pel_mask);
    geometry_t g = vga_geometry(v);
    display_frame_t *f = &v->frame;
    bool all = v->redraw_all || g.width != f->width || g.height != f->height;
    f->width = g.width;
    f->height = g.height;

    uint32_t phase = 0;
    if (g.kind == KIND_TEXT) {
        phase = blink_phase_now(v);
        all |= v->font_written || phase != v->blink_phase;
    }
    if (g.kind == KIND_VBE)
        layout_vbe_rows(v, &g);
    else if (g.kind != KIND_BLANK)
        layout_vga_rows(v, &g);

    /* First decide which rows changed, then draw, then remember their
     * sources: two rows may share a source (double scan, split screen). */
    uint32_t y0 = g.height, y1 = 0;
    for (uint32_t y = 0; y < g.height; y++) {
        bool dirty = all;
        if (!dirty && g.kind != KIND_BLANK && v->row_start[y] != ROW_UNREACHED)
            dirty = v->row_len[y] == 0 ||
                    memcmp(v->vram + v->row_start[y], v->shadow + v->row_start[y], v->row_len[y]) != 0;
        v->row_dirty[y] = dirty;
        if (dirty) {
            if (y < y0)
                y0 = y;
            y1 = y + 1;
        }
    }
    text_state_t text = {0};
    if (g.kind == KIND_TEXT)
        text = text_state(v, phase);
    for (uint32_t y = y0; y < y1; y++) {
        if (!v->row_dirty[y])
            continue;
        uint32_t *out = v->pixels + (size_t)y * g.width;
        if (g.kind == KIND_BLANK || v->row_start[y] == ROW_UNREACHED)
            memset(out, 0, g.width * sizeof *out);
        else if (g.kind == KIND_TEXT)
            render_text_row(v, &g, &text, y, out);
        else if (g.kind == KIND_VBE)
            render_vbe_row(v, &g, y, out);
        else
            render_graphics_row(v, &g, y, out);
    }
    if (g.kind != KIND_BLANK)
        for (uint32_t y = y0; y < y1; y++)
            if (v->row_dirty[y] && v->row_len[y] && v->row_start[y] != ROW_UNREACHED)
                memcpy(v->shadow + v->row_start[y], v->vram + v->row_start[y], v->row_len[y]);
    f->dirty_y0 = y0 < y1 ? y0 : 0;
    f->dirty_y1 = y0 < y1 ? y1 : 0;
    v->redraw_all = false;
    v->font_written = false;
    v->blink_phase = phase;
    return f;
}
