/* The Bochs VBE "dispi" extension of the VGA and its PCI function (see
 * vga.h).  The guest picks a resolution and depth through ports 0x1CE
 * (index) and 0x1CF (data) and draws either through a 64 KiB bank at
 * 0xA0000 or through the linear framebuffer in BAR0 (vga_pci.c).
 *
 * Every value the guest writes is checked against the framebuffer size:
 * one that does not fit is ignored, so no mode can make the renderer read
 * past the end of display memory. */
#include "vga.h"

#include <string.h>

static bool valid_bpp(unsigned bpp)
{
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

/* Largest virtual height for a line pitch, bounded by the 16-bit register. */
static uint16_t virt_height_for(uint32_t pitch)
{
    uint32_t lines = pitch ? VGA_VRAM_SIZE / pitch : 0;
    return (uint16_t)(lines > 0xFFFF ? 0xFFFF : lines);
}

/* The visible window must stay inside the virtual screen, and the virtual
 * screen inside display memory. */
static bool offsets_fit(const vga_t *v, uint32_t x, uint32_t y)
{
    const vbe_t *b = &v->vbe;
    uint64_t last = (uint64_t)(y + b->yres) * vbe_pitch(v);
    return x + b->xres <= b->virt_width && y + b->yres <= b->virt_height && last <= VGA_VRAM_SIZE;
}

static void vbe_enable(vga_t *v, uint16_t value)
{
    vbe_t *b = &v->vbe;
    bool was_enabled = vbe_enabled(v);
    if ((value & VBE_ENABLED) && !was_enabled) {
        uint64_t pitch = (uint64_t)b->xres * vbe_bytes_per_pixel(b->bpp);
        if (!b->xres || !b->yres || pitch * b->yres > VGA_VRAM_SIZE)
            return; /* a mode that does not fit in memory is refused */
        b->virt_width = b->xres;
        b->virt_height = virt_height_for((uint32_t)pitch);
        b->x_offset = b->y_offset = 0;
        b->bank = 0;
        if (!(value & VBE_NOCLEARMEM))
            memset(v->vram, 0, VGA_VRAM_SIZE);
    }
    b->enable = value & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM);
    v->redraw_all = true;
}

static uint16_t vbe_read(vga_t *v)
{
    const vbe_t *b = &v->vbe;
    bool caps = b->enable & VBE_GETCAPS;
    switch (b->index) {
    case VBE_INDEX_ID: return b->id;
    case VBE_INDEX_XRES: return caps ? VBE_MAX_XRES : b->xres;
    case VBE_INDEX_YRES: return caps ? VBE_MAX_YRES : b->yres;
    case VBE_INDEX_BPP: return caps ? VBE_MAX_BPP : b->bpp;
    case VBE_INDEX_ENABLE: return b->enable;
    case VBE_INDEX_BANK: return b->bank;
    case VBE_INDEX_VIRT_WIDTH: return b->virt_width;
    case VBE_INDEX_VIRT_HEIGHT: return b->virt_height;
    case VBE_INDEX_X_OFFSET: return b->x_offset;
    case VBE_INDEX_Y_OFFSET: return b->y_offset;
    case VBE_INDEX_VIDEO_MEMORY_64K: return (uint16_t)(VGA_VRAM_SIZE >> 16);
    default: return 0;
    }
}

static void vbe_write(vga_t *v, uint16_t value)
{
    vbe_t *b = &v->vbe;
    bool enabled = vbe_enabled(v);
    switch (b->index) {
    case VBE_INDEX_ID:
        if (value >= VBE_ID0 && value <= VBE_ID5)
            b->id = value;
        break;
    /* The geometry can only change while the extension is off. */
    case VBE_INDEX_XRES:
        if (!enabled && value && value <= VBE_MAX_XRES && value % 8 == 0)
            b->xres = value;
        break;
    case VBE_INDEX_YRES:
        if (!enabled && value && value <= VBE_MAX_YRES)
            b->yres = value;
        break;
    case VBE_INDEX_BPP:
        if (!enabled && valid_bpp(value ? value : 8))
            b->bpp = value ? value : 8;
        break;
    case VBE_INDEX_ENABLE:
        vbe_enable(v, value);
        break;
    case VBE_INDEX_BANK:
        if (value < (VGA_VRAM_SIZE >> 16))
            b->bank = value;
        break;
    case VBE_INDEX_VIRT_WIDTH: {
        uint32_t pitch = (uint32_t)value * vbe_bytes_per_pixel(b->bpp);
        uint16_t height = virt_height_for(pitch);
        if (value >= b->xres && height >= b->yres && value <= 0x4000) {
            b->virt_width = value;
            b->virt_height = height;
            if (!offsets_fit(v, b->x_offset, b->y_offset))
                b->x_offset = b->y_offset = 0;
            v->redraw_all = true;
        }
        break;
    }
    case VBE_INDEX_X_OFFSET:
        if (offsets_fit(v, value, b->y_offset)) {
            b->x_offset = value;
            v->redraw_all = true;
        }
        break;
    case VBE_INDEX_Y_OFFSET:
        if (offsets_fit(v, b->x_offset, value)) {
            b->y_offset = value;
            v->redraw_all = true;
        }
        break;
    default: /* VIRT_HEIGHT and VIDEO_MEMORY_64K are computed, not set */
        break;
    }
}

static uint32_t dispi_read(void *opaque, uint16_t port, unsigned size)
{
    vga_t *v = opaque;
    return port == 0x1CE ? v->vbe.index : vbe_read(v);
}

static void dispi_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    vga_t *v = opaque;
    if (port == 0x1CE)
        v->vbe.index = (uint16_t)value;
    else
        vbe_write(v, (uint16_t)value);
}

void vbe_reset(vga_t *v)
{
    v->vbe = (vbe_t){.id = VBE_ID5, .bpp = 8};
}

bool vbe_init(vga_t *v, ioport_bus_t *io)
{
    return ioport_register(io, 0x1CE, 2, dispi_read, dispi_write, v, "vbe");
}
