/* The VGA: registers, the legacy memory window and retrace timing (see
 * vga.h).  Register semantics follow IBM's VGA technical reference as
 * summarised in the FreeVGA documentation. */
#include "vga.h"

#include <stdlib.h>
#include <string.h>

/* The bits each register implements; reads return what was written
 * under these masks. */
static const uint8_t seq_mask[VGA_SEQ_COUNT] = {0x03, 0x3D, 0x0F, 0x3F, 0x0E};
static const uint8_t gc_mask[VGA_GC_COUNT] = {0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF};
static const uint8_t attr_mask[VGA_ATTR_COUNT] = {
    0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F,
    0xEF, 0xFF, 0x3F, 0x0F, 0x0F};

/* ---------------------------------------------------------------- memory */

/* Each bit of a 4-bit plane mask widened to a byte of a 32-bit word. */
static uint32_t plane_bytes(unsigned mask4)
{
    return ((mask4 & 1) ? 0x000000FFu : 0) | ((mask4 & 2) ? 0x0000FF00u : 0) |
           ((mask4 & 4) ? 0x00FF0000u : 0) | ((mask4 & 8) ? 0xFF000000u : 0);
}

static uint32_t load_planes(const vga_t *v, uint32_t offset)
{
    uint32_t w;
    memcpy(&w, v->vram + offset * 4, 4);
    return w;
}

/* Where a CPU access at `offset` from 0xA0000 lands.  Returns false when
 * the graphics controller does not map that address (or RAM access is
 * disabled in the miscellaneous output register). */
static bool window_address(const vga_t *v, uint32_t offset, uint32_t *addr)
{
    static const uint32_t base[4] = {0x00000, 0x00000, 0x10000, 0x18000};
    static const uint32_t size[4] = {0x20000, 0x10000, 0x08000, 0x08000};
    unsigned map = (v->gc[VGA_GC_MISC] >> 2) & 3;
    if (!(v->misc & VGA_MISC_RAM_ENABLE) || offset - base[map] >= size[map])
        return false;
    *addr = offset - base[map];
    return true;
}

/* A VBE mode maps 64 KiB of the framebuffer at 0xA0000, selected by BANK. */
static uint8_t *vbe_window_byte(vga_t *v, uint32_t offset)
{
    if (offset >= 0x10000u)
        return NULL;
    uint32_t linear = (uint32_t)v->vbe.bank * 0x10000u + offset;
    return linear < VGA_VRAM_SIZE ? v->vram + linear : NULL;
}

uint8_t vga_mem_read8(vga_t *v, uint32_t offset)
{
    if (vbe_enabled(v)) {
        const uint8_t *p = vbe_window_byte(v, offset);
        return p ? *p : 0xFF;
    }
    uint32_t a;
    if (!window_address(v, offset, &a))
        return 0xFF;
    unsigned plane;
    uint32_t plane_offset;
    if (v->seq[VGA_SEQ_MEMORY_MODE] & VGA_SEQ_MEM_CHAIN4) {
        plane = a & 3;
        plane_offset = a & 0xFFFCu;
    } else if (v->gc[VGA_GC_MODE] & VGA_GC_MODE_HOST_ODD_EVEN) {
        plane = (v->gc[VGA_GC_READ_MAP] & 2) | (a & 1);
        plane_offset = a & 0xFFFEu;
    } else {
        plane = v->gc[VGA_GC_READ_MAP] & 3;
        plane_offset = a & 0xFFFFu;
    }
    v->latch = load_planes(v, plane_offset);
    if (!(v->gc[VGA_GC_MODE] & VGA_GC_MODE_READ_MODE1))
        return (uint8_t)(v->latch >> (8 * plane));
    /* Read mode 1: a bit is set where every plane that is not "don't care"
     * matches the colour compare register. */
    uint32_t care = plane_bytes(v->gc[VGA_GC_COLOR_DONT_CARE]);
    uint32_t diff = (v->latch ^ plane_bytes(v->gc[VGA_GC_COLOR_COMPARE])) & care;
    return (uint8_t)~(diff | diff >> 8 | diff >> 16 | diff >> 24);
}

static uint8_t rotate_right(uint8_t x, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)(x >> n | x << (8 - n)) : x;
}

/* The graphics controller's ALU: the byte written to each plane in write
 * modes 0, 2 and 3, before the map mask picks the planes. */
static uint32_t write_data(const vga_t *v, uint8_t value)
{
    const uint8_t *gc = v->gc;
    uint8_t rotated = rotate_right(value, gc[VGA_GC_DATA_ROTATE]);
    uint32_t bit_mask = gc[VGA_GC_BIT_MASK] * 0x01010101u;
    uint32_t data;
    switch (gc[VGA_GC_MODE] & 3) {
    case 0: {
        uint32_t enable = plane_bytes(gc[VGA_GC_ENABLE_SET_RESET]);
        data = (rotated * 0x01010101u & ~enable) | (plane_bytes(gc[VGA_GC_SET_RESET]) & enable);
        break;
    }
    case 2:
        data = plane_bytes(value);
        break;
    default: /* 3: the rotated data ANDed with the bit mask is the mask */
        data = plane_bytes(gc[VGA_GC_SET_RESET]);
        bit_mask &= rotated * 0x01010101u;
        break;
    }
    switch ((gc[VGA_GC_DATA_ROTATE] >> 3) & 3) {
    case 1: data &= v->latch; break;
    case 2: data |= v->latch; break;
    case 3: data ^= v->latch; break;
    default: break;
    }
    return (data & bit_mask) | (v->latch & ~bit_mask);
}

void vga_mem_write8(vga_t *v, uint32_t offset, uint8_t value)
{
    if (vbe_enabled(v)) {
        uint8_t *p = vbe_window_byte(v, offset);
        if (p)
            *p = value;
        return;
    }
    uint32_t a;
    if (!window_address(v, offset, &a))
        return;
    unsigned planes = v->seq[VGA_SEQ_MAP_MASK] & 0xF;
    uint32_t plane_offset;
    if (v->seq[VGA_SEQ_MEMORY_MODE] & VGA_SEQ_MEM_CHAIN4) {
        planes &= 1u << (a & 3);
        plane_offset = a & 0xFFFCu;
    } else if (!(v->seq[VGA_SEQ_MEMORY_MODE] & VGA_SEQ_MEM_ODD_EVEN_OFF)) {
        planes &= (a & 1) ? 0xAu : 0x5u;
        plane_offset = a & 0xFFFEu;
    } else {
        plane_offset = a & 0xFFFFu;
    }
    if (!planes)
        return;
    uint32_t data = (v->gc[VGA_GC_MODE] & 3) == 1 ? v->latch : write_data(v, value);
    uint32_t keep = ~plane_bytes(planes);
    uint32_t old = load_planes(v, plane_offset);
    uint32_t updated = (old & keep) | (data & ~keep);
    memcpy(v->vram + plane_offset * 4, &updated, 4);
    if (planes & 4)
        v->font_written = true;
}

static uint32_t window_read(void *opaque, uint32_t offset, unsigned size)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < size; i++)
        value |= (uint32_t)vga_mem_read8(opaque, offset + i) << (8 * i);
    return value;
}

static void window_write(void *opaque, uint32_t offset, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        vga_mem_write8(opaque, offset + i, (uint8_t)(value >> (8 * i)));
}

static const mmio_ops_t window_ops = {window_read, window_write};

/* ---------------------------------------------------------------- timing */

/* The raster timing the CRT controller is programmed for, from its totals
 * and the dot clock.  VBE modes get a 60 Hz raster. */
typedef struct raster_timing {
    uint64_t line_ns, hdisp_ns;
    uint32_t lines_total, vdisp, vretrace_start, vretrace_lines;
} raster_timing_t;

static raster_timing_t raster_timing(const vga_t *v)
{
    raster_timing_t t;
    if (vbe_enabled(v)) {
        t.vdisp = v->vbe.yres;
        t.lines_total = t.vdisp + 45;
        t.vretrace_start = t.vdisp + 10;
        t.vretrace_lines = 3;
        t.line_ns = 1000000000ull / 60 / t.lines_total;
        t.hdisp_ns = t.line_ns * 4 / 5;
    } else {
        const uint8_t *c = v->crtc;
        uint64_t dot_hz = ((v->misc >> 2) & 3) == 1 ? 28322000u : 25175000u;
        unsigned char_width = (v->seq[VGA_SEQ_CLOCKING] & 1) ? 8 : 9;
        if (v->seq[VGA_SEQ_CLOCKING] & 0x08)
            char_width *= 2; /* dot clock halved */
        uint64_t htotal = c[0] + 5u;
        t.line_ns = htotal * char_width * 1000000000ull / dot_hz;
        t.hdisp_ns = t.line_ns * (c[1] + 1u) / htotal;
        unsigned ovf = c[VGA_CRTC_OVERFLOW];
        t.lines_total = c[6] + ((ovf & 0x01u) << 8) + ((ovf & 0x20u) << 4) + 2u;
        t.vdisp = c[0x12] + ((ovf & 0x02u) << 7) + ((ovf & 0x40u) << 3) + 1u;
        t.vretrace_start = c[0x10] + ((ovf & 0x04u) << 6) + ((ovf & 0x80u) << 2);
        t.vretrace_lines = ((c[VGA_CRTC_VRETRACE_END] & 0xFu) - t.vretrace_start) & 0xFu;
        if (t.vretrace_lines == 0)
            t.vretrace_lines = 16;
        /* Whatever the programming, a frame must have lines in retrace and
         * lines outside it, or a guest polling for either would hang. */
        if (t.vretrace_start >= t.lines_total)
            t.vretrace_start = t.lines_total - 1;
        if (t.vretrace_lines >= t.lines_total)
            t.vretrace_lines = t.lines_total - 1;
    }
    if (t.line_ns < 1000) /* a garbage programming must not stop time */
        t.line_ns = 1000;
    return t;
}

uint64_t vga_frame_ns(const vga_t *v)
{
    raster_timing_t t = raster_timing(v);
    return t.line_ns * t.lines_total;
}

uint8_t vga_input_status1(const vga_t *v)
{
    raster_timing_t t = raster_timing(v);
    uint64_t in_frame = clock_now(v->clock) % (t.line_ns * t.lines_total);
    uint32_t line = (uint32_t)(in_frame / t.line_ns);
    uint8_t status = 0;
    if (line - t.vretrace_start < t.vretrace_lines)
        status |= VGA_IS1_VRETRACE;
    if (in_frame % t.line_ns >= t.hdisp_ns || line >= t.vdisp)
        status |= VGA_IS1_DISPLAY_DISABLED;
    return status;
}

/* ---------------------------------------------------------------- ports */

/* The CRTC and input status 1 answer at 0x3Bx or at 0x3Dx, as the
 * miscellaneous output register selects; the other block is not decoded. */
static bool port_decoded(const vga_t *v, uint16_t port)
{
    uint16_t block = port & 0xFFF0u;
    if (block != 0x3B0u && block != 0x3D0u)
        return true;
    return block == ((v->misc & VGA_MISC_COLOR_IO) ? 0x3D0u : 0x3B0u);
}

static uint8_t dac_read(vga_t *v)
{
    uint8_t value = v->dac[v->dac_read_index][v->dac_component];
    if (++v->dac_component == 3) {
        v->dac_component = 0;
        v->dac_read_index++;
    }
    return value;
}

static void dac_write(vga_t *v, uint8_t value)
{
    bool wide = v->vbe.enable & VBE_8BIT_DAC;
    v->dac_write_buf[v->dac_component] = wide ? value : value & 0x3F;
    if (++v->dac_component == 3) {
        memcpy(v->dac[v->dac_write_index], v->dac_write_buf, 3);
        v->dac_component = 0;
        v->dac_write_index++;
        v->redraw_all = true;
    }
}

static uint8_t port_read8(vga_t *v, uint16_t port)
{
    if (!port_decoded(v, port))
        return 0xFF;
    switch (port) {
    case 0x3C0:
        return (uint8_t)(v->attr_index);
    case 0x3C1:
        return (v->attr_index & 0x1F) < VGA_ATTR_COUNT ? v->attr[v->attr_index & 0x1F] : 0;
    case 0x3C2:
        return 0x10; /* input status 0: switch sense high (a colour monitor is attached) */
    case 0x3C3:
        return v->subsystem_enable;
    case 0x3C4:
        return v->seq_index;
    case 0x3C5:
        return v->seq_index < VGA_SEQ_COUNT ? v->seq[v->seq_index] : 0xFF;
    case 0x3C6:
        return v->pel_mask;
    case 0x3C7:
        return v->dac_reading ? 0x03 : 0x00;
    case 0x3C8:
        return v->dac_write_index;
    case 0x3C9:
        return dac_read(v);
    case 0x3CA:
        return v->feature;
    case 0x3CC:
        return v->misc;
    case 0x3CE:
        return v->gc_index;
    case 0x3CF:
        return v->gc_index < VGA_GC_COUNT ? v->gc[v->gc_index] : 0xFF;
    case 0x3B4: case 0x3D4:
        return v->crtc_index;
    case 0x3B5: case 0x3D5:
        return v->crtc_index < VGA_CRTC_COUNT ? v->crtc[v->crtc_index] : 0xFF;
    case 0x3BA: case 0x3DA:
        v->attr_data_next = false; /* reading input status 1 resets the flip-flop */
        return vga_input_status1(v);
    default:
        return 0xFF;
    }
}

static void crtc_write(vga_t *v, uint8_t value)
{
    unsigned i = v->crtc_index;
    if (i >= VGA_CRTC_COUNT)
        return;
    if (i <= 7 && (v->crtc[VGA_CRTC_VRETRACE_END] & VGA_CRTC_PROTECT)) {
        /* Protected: only the line compare bit 8 of the overflow register
         * stays writable. */
        if (i == VGA_CRTC_OVERFLOW)
            v->crtc[i] = (uint8_t)((v->crtc[i] & ~0x10u) | (value & 0x10u));
    } else {
        v->crtc[i] = value;
    }
    v->redraw_all = true;
}

static void attr_write(vga_t *v, uint8_t value)
{
    if (!v->attr_data_next) {
        v->attr_index = value & 0x3F;
        v->attr_data_next = true;
        v->redraw_all = true; /* PAS may have changed */
        return;
    }
    v->attr_data_next = false;
    unsigned i = v->attr_index & 0x1F;
    /* While the display owns the palette (PAS set), the 16 palette
     * registers cannot be changed. */
    if (i >= VGA_ATTR_COUNT || (i < 16 && (v->attr_index & VGA_ATTR_PAS)))
        return;
    v->attr[i] = value & attr_mask[i];
    v->redraw_all = true;
}

static void port_write8(vga_t *v, uint16_t port, uint8_t value)
{
    if (!port_decoded(v, port))
        return;
    switch (port) {
    case 0x3C0:
        attr_write(v, value);
        break;
    case 0x3C2:
        v->misc = value;
        v->redraw_all = true;
        break;
    case 0x3C3:
        v->subsystem_enable = value & 1;
        break;
    case 0x3C4:
        v->seq_index = value & 7;
        break;
    case 0x3C5:
        if (v->seq_index < VGA_SEQ_COUNT) {
            v->seq[v->seq_index] = value & seq_mask[v->seq_index];
            v->redraw_all = true;
        }
        break;
    case 0x3C6:
        v->pel_mask = value;
        v->redraw_all = true;
        break;
    case 0x3C7:
        v->dac_read_index = value;
        v->dac_component = 0;
        v->dac_reading = true;
        break;
    case 0x3C8:
        v->dac_write_index = value;
        v->dac_component = 0;
        v->dac_reading = false;
        break;
    case 0x3C9:
        dac_write(v, value);
        break;
    case 0x3CE:
        v->gc_index = value & 0xF;
        break;
    case 0x3CF:
        if (v->gc_index < VGA_GC_COUNT) {
            v->gc[v->gc_index] = value & gc_mask[v->gc_index];
            v->redraw_all = true;
        }
        break;
    case 0x3B4: case 0x3D4:
        v->crtc_index = value & 0x1F;
        break;
    case 0x3B5: case 0x3D5:
        crtc_write(v, value);
        break;
    case 0x3BA: case 0x3DA:
        v->feature = value & 0x03;
        break;
    default:
        break;
    }
}

/* A 16-bit access is an index/data pair (OUT DX, AX is common); it and a
 * 32-bit one are split into bytes on consecutive ports, as the ISA bus
 * does. */
uint32_t vga_port_read(void *opaque, uint16_t port, unsigned size)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < size; i++)
        value |= (uint32_t)port_read8(opaque, (uint16_t)(port + i)) << (8 * i);
    return value;
}

void vga_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        port_write8(opaque, (uint16_t)(port + i), (uint8_t)(value >> (8 * i)));
}

/* ---------------------------------------------------------------- life cycle */

void vga_reset(vga_t *v)
{
    v->latch = 0;
    v->misc = 0;
    v->feature = 0;
    v->subsystem_enable = 1;
    v->seq_index = v->crtc_index = v->gc_index = v->attr_index = 0;
    memset(v->seq, 0, sizeof v->seq);
    memset(v->crtc, 0, sizeof v->crtc);
    memset(v->gc, 0, sizeof v->gc);
    memset(v->attr, 0, sizeof v->attr);
    v->attr_data_next = false;
    memset(v->dac, 0, sizeof v->dac);
    v->dac_read_index = v->dac_write_index = v->dac_component = 0;
    v->dac_reading = false;
    v->pel_mask = 0xFF;
    vbe_reset(v);
    v->redraw_all = true;
}

bool vga_init(vga_t *v, physmem_t *pm, ioport_bus_t *io, vclock_t *clock)
{
    memset(v, 0, sizeof *v);
    v->pm = pm;
    v->clock = clock;
    v->vram = calloc(1, VGA_VRAM_SIZE);
    v->shadow = calloc(1, VGA_VRAM_SIZE);
    v->pixels = calloc((size_t)VGA_MAX_WIDTH * VGA_MAX_HEIGHT, sizeof *v->pixels);
    if (!v->vram || !v->shadow || !v->pixels) {
        vga_free(v);
        return false;
    }
    v->frame.pixels = v->pixels;
    vga_reset(v);
    bool ok = ioport_register(io, 0x3B0, 0x30, vga_port_read, vga_port_write, v, "vga") &&
              physmem_add_mmio(pm, PHYS_VGA_WINDOW, PHYS_VGA_WINDOW_END - PHYS_VGA_WINDOW,
                               &window_ops, v, "vga") &&
              vbe_init(v, io);
    if (!ok)
        vga_free(v);
    return ok;
}

void vga_free(vga_t *v)
{
    free(v->vram);
    free(v->shadow);
    free(v->pixels);
    v->vram = v->shadow = NULL;
    v->pixels = NULL;
}
