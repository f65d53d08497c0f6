/* The display adapter: an IBM VGA (sequencer, CRT controller, graphics
 * controller, attribute controller, DAC, general registers, 256 KiB of
 * display memory in four planes behind 0xA0000-0xBFFFF) extended with the
 * Bochs VBE "dispi" interface (ports 0x1CE/0x1CF) and a linear framebuffer
 * in PCI BAR0, as PCI device 1234:1111 (the "std vga" that Linux's
 * bochs-drm and vesafb know).
 *
 * Files: vga.c holds the registers, the memory window and the retrace
 * timing; vga_render.c turns the state into a display_frame_t; vbe.c holds
 * the dispi registers, the PCI function and the framebuffer mapping.
 *
 * Display memory is one buffer of VGA_VRAM_SIZE bytes.  The VGA planes
 * live in its first 256 KiB, interleaved: byte `offset` of plane p is
 * vram[offset * 4 + p], so the four bytes the latches hold are adjacent.
 * VBE modes see the same buffer as a linear framebuffer. */
#ifndef X86SIM_VGA_H
#define X86SIM_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "../mmu/mmu.h"
#include "clock.h"
#include "display.h"
#include "ioport.h"
#include "pci.h"

#define VGA_VRAM_SIZE (16u << 20)  /* BAR0: 16 MiB */
#define VGA_PLANE_SIZE 0x10000u    /* 64 KiB per plane */
#define VGA_MAX_WIDTH 1920u        /* the largest frame, VGA or VBE */
#define VGA_MAX_HEIGHT 1200u

#define VBE_MAX_XRES 1920u
#define VBE_MAX_YRES 1200u
#define VBE_MAX_BPP 32u

/* Dispi register indexes (port 0x1CE selects, 0x1CF reads and writes). */
enum {
    VBE_INDEX_ID = 0,
    VBE_INDEX_XRES = 1,
    VBE_INDEX_YRES = 2,
    VBE_INDEX_BPP = 3,
    VBE_INDEX_ENABLE = 4,
    VBE_INDEX_BANK = 5,
    VBE_INDEX_VIRT_WIDTH = 6,
    VBE_INDEX_VIRT_HEIGHT = 7,
    VBE_INDEX_X_OFFSET = 8,
    VBE_INDEX_Y_OFFSET = 9,
    VBE_INDEX_VIDEO_MEMORY_64K = 10,
    VBE_INDEX_COUNT = 11,
};

#define VBE_ID0 0xB0C0u
#define VBE_ID5 0xB0C5u
/* VBE_INDEX_ENABLE bits. */
#define VBE_ENABLED 0x01u
#define VBE_GETCAPS 0x02u
#define VBE_8BIT_DAC 0x20u
#define VBE_LFB_ENABLED 0x40u
#define VBE_NOCLEARMEM 0x80u

/* The VBE framebuffer BAR and the PCI identity. */
#define VGA_PCI_VENDOR 0x1234u
#define VGA_PCI_DEVICE 0x1111u
#define VGA_PCI_SLOT 2u
#define VGA_LFB_REGION "vga.lfb"

/* Register indexes and bits. */
enum { VGA_SEQ_RESET, VGA_SEQ_CLOCKING, VGA_SEQ_MAP_MASK, VGA_SEQ_CHAR_MAP, VGA_SEQ_MEMORY_MODE,
       VGA_SEQ_COUNT };
enum {
    VGA_GC_SET_RESET, VGA_GC_ENABLE_SET_RESET, VGA_GC_COLOR_COMPARE, VGA_GC_DATA_ROTATE,
    VGA_GC_READ_MAP, VGA_GC_MODE, VGA_GC_MISC, VGA_GC_COLOR_DONT_CARE, VGA_GC_BIT_MASK, VGA_GC_COUNT,
};
enum {
    VGA_CRTC_HDISP_END = 0x01, VGA_CRTC_OVERFLOW = 0x07, VGA_CRTC_PRESET_ROW = 0x08,
    VGA_CRTC_MAX_SCAN = 0x09, VGA_CRTC_CURSOR_START = 0x0A, VGA_CRTC_CURSOR_END = 0x0B,
    VGA_CRTC_START_HI = 0x0C, VGA_CRTC_START_LO = 0x0D, VGA_CRTC_CURSOR_HI = 0x0E,
    VGA_CRTC_CURSOR_LO = 0x0F, VGA_CRTC_VRETRACE_END = 0x11, VGA_CRTC_VDISP_END = 0x12,
    VGA_CRTC_OFFSET = 0x13, VGA_CRTC_UNDERLINE = 0x14, VGA_CRTC_MODE = 0x17,
    VGA_CRTC_LINE_COMPARE = 0x18, VGA_CRTC_COUNT = 0x19,
};
enum {
    VGA_ATTR_MODE = 0x10, VGA_ATTR_OVERSCAN = 0x11, VGA_ATTR_PLANE_ENABLE = 0x12,
    VGA_ATTR_PANNING = 0x13, VGA_ATTR_COLOR_SELECT = 0x14, VGA_ATTR_COUNT = 0x15,
};
#define VGA_CRTC_PROTECT 0x80u   /* in VRETRACE_END: registers 0-7 read-only */
#define VGA_ATTR_PAS 0x20u       /* palette address source, in the 0x3C0 index */
#define VGA_SEQ_CLOCK_8DOT 0x01u
#define VGA_SEQ_CLOCK_HALF 0x08u /* dot clock divided by 2 */
#define VGA_SEQ_SCREEN_OFF 0x20u
#define VGA_SEQ_MEM_ODD_EVEN_OFF 0x04u
#define VGA_SEQ_MEM_CHAIN4 0x08u
#define VGA_GC_MODE_HOST_ODD_EVEN 0x10u
#define VGA_GC_MODE_READ_MODE1 0x08u
#define VGA_GC_MODE_SHIFT_INTERLEAVE 0x20u
#define VGA_GC_MISC_GRAPHICS 0x01u
#define VGA_ATTR_MODE_MONO 0x02u
#define VGA_ATTR_MODE_LINE_GRAPHICS 0x04u
#define VGA_ATTR_MODE_BLINK 0x08u
#define VGA_ATTR_MODE_8BIT 0x40u
#define VGA_ATTR_MODE_P54S 0x80u
#define VGA_MISC_COLOR_IO 0x01u  /* CRTC at 0x3Dx (else 0x3Bx) */
#define VGA_MISC_RAM_ENABLE 0x02u

typedef struct vbe {
    uint16_t index;
    uint16_t id;
    uint16_t xres, yres, bpp;
    uint16_t enable;
    uint16_t bank;
    uint16_t virt_width, virt_height;
    uint16_t x_offset, y_offset;
} vbe_t;

typedef struct vga {
    uint8_t *vram;   /* VGA_VRAM_SIZE bytes */
    uint32_t latch;  /* the four plane latches, plane p in byte p */

    /* General registers. */
    uint8_t misc;    /* miscellaneous output: 0x3C2 write, 0x3CC read */
    uint8_t feature; /* feature control: 0x3BA/0x3DA write, 0x3CA read */
    uint8_t subsystem_enable; /* 0x3C3 */

    uint8_t seq_index, seq[8];   /* sequencer: 0x3C4/0x3C5, registers 0-4 */
    uint8_t crtc_index, crtc[32]; /* CRT controller: 0x3B4/0x3D4, 0-0x18 */
    uint8_t gc_index, gc[16];     /* graphics controller: 0x3CE/0x3CF, 0-8 */
    uint8_t attr_index;           /* attribute controller: 0x3C0/0x3C1 */
    bool attr_data_next;          /* flip-flop: the next 0x3C0 write is data */
    uint8_t attr[32];             /* 0-0x14 */

    /* DAC: 256 entries of three components, 6 bits (8 with VBE_8BIT_DAC). */
    uint8_t dac[256][3];
    uint8_t dac_read_index, dac_write_index;
    uint8_t dac_component;       /* 0-2 within the current entry */
    bool dac_reading;            /* the last index written was 0x3C7 */
    uint8_t dac_write_buf[3];
    uint8_t pel_mask;            /* 0x3C6 */

    vbe_t vbe;

    /* Rendering (vga_render.c). */
    display_frame_t frame;
    uint32_t *pixels;     /* VGA_MAX_WIDTH * VGA_MAX_HEIGHT */
    uint8_t *shadow;      /* the display memory as of the last render */
    bool redraw_all;      /* a register that changes the picture was written */
    bool font_written;    /* plane 2 was written since the last render */
    uint32_t blink_phase; /* cursor/character blink phase of the last render */
    uint32_t palette_rgb[256]; /* DAC index (after the pixel mask) to 0x00RRGGBB */
    /* Per output row of the last render: where its source bytes lie in
     * vram (len 0: not comparable, always redrawn). */
    uint32_t row_start[VGA_MAX_HEIGHT], row_len[VGA_MAX_HEIGHT];
    uint32_t row_ma[VGA_MAX_HEIGHT];   /* CRTC memory address of the row */
    uint8_t row_scan[VGA_MAX_HEIGHT];  /* row scan counter of the row */
    bool row_dirty[VGA_MAX_HEIGHT];

    physmem_t *pm;
    vclock_t *clock;
    pci_device_t pci;
    bool lfb_mapped;
    uint32_t lfb_base;
} vga_t;

/* Allocates display memory and registers the ports, the legacy window and
 * the dispi ports.  Returns false when memory or a port is not free. */
bool vga_init(vga_t *v, physmem_t *pm, ioport_bus_t *io, vclock_t *clock);
void vga_free(vga_t *v);
/* Power-on state: VBE off, registers as after a hardware reset (zero; the
 * BIOS programs a mode). */
void vga_reset(vga_t *v);

/* Renders the current screen into v->frame and returns it; dirty_y0..y1
 * cover the rows that changed since the previous call. */
const display_frame_t *vga_render(vga_t *v);

/* Port and memory access, as the buses call them (also used by tests). */
uint32_t vga_port_read(void *opaque, uint16_t port, unsigned size);
void vga_port_write(void *opaque, uint16_t port, uint32_t value, unsigned size);
uint8_t vga_mem_read8(vga_t *v, uint32_t offset);            /* offset from 0xA0000 */
void vga_mem_write8(vga_t *v, uint32_t offset, uint8_t value);

/* Input status 1 (0x3BA/0x3DA) bits derived from the clock. */
#define VGA_IS1_DISPLAY_DISABLED 0x01u
#define VGA_IS1_VRETRACE 0x08u
uint8_t vga_input_status1(const vga_t *v);
/* The length of one frame (the blink timers count frames). */
uint64_t vga_frame_ns(const vga_t *v);

/* vga_pci.c: fills in v->pci (identity, BAR0 = framebuffer) for the
 * board to add to its PCI bus. */
void vga_pci_init(vga_t *v);

/* vbe.c */
bool vbe_init(vga_t *v, ioport_bus_t *io);
void vbe_reset(vga_t *v);
static inline bool vbe_enabled(const vga_t *v) { return v->vbe.enable & VBE_ENABLED; }
static inline uint32_t vbe_bytes_per_pixel(uint16_t bpp) { return (bpp + 7u) / 8u; }
static inline uint32_t vbe_pitch(const vga_t *v)
{
    return (uint32_t)v->vbe.virt_width * vbe_bytes_per_pixel(v->vbe.bpp);
}

/* vga_render.c: the DAC entry `i` as 0x00RRGGBB (6- or 8-bit DAC). */
uint32_t vga_dac_rgb(const vga_t *v, unsigned i);

#endif
