/* Shared set-up for the VGA tests: a machine-less VGA on its own port bus,
 * physical memory and clock, and the standard register sets of the IBM VGA
 * BIOS modes (the published mode tables), written through the ports the
 * way a BIOS does it. */
#ifndef X86SIM_VGA_TEST_UTIL_H
#define X86SIM_VGA_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/vga.h"
#include "devices/vga_font.h"

typedef struct vga_rig {
    physmem_t mem;
    ioport_bus_t io;
    vclock_t clock;
    uint64_t icount;
    vga_t vga;
} vga_rig_t;

static inline vga_rig_t *rig_new(void)
{
    vga_rig_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    assert_true(physmem_init(&r->mem, 1u << 20));
    ioport_init(&r->io);
    clock_init(&r->clock, &r->icount, false);
    assert_true(vga_init(&r->vga, &r->mem, &r->io, &r->clock));
    return r;
}

static inline void rig_free(vga_rig_t *r)
{
    vga_free(&r->vga);
    physmem_free(&r->mem);
    free(r);
}

/* Sets the deterministic clock (4 ns per instruction) to `ns`. */
static inline void rig_set_time(vga_rig_t *r, uint64_t ns)
{
    r->icount = ns / 4;
}

static inline void outb(vga_rig_t *r, uint16_t port, uint8_t v) { ioport_write(&r->io, port, v, 1); }
static inline uint8_t inb(vga_rig_t *r, uint16_t port) { return (uint8_t)ioport_read(&r->io, port, 1); }
static inline void outw(vga_rig_t *r, uint16_t port, uint16_t v) { ioport_write(&r->io, port, v, 2); }
static inline uint16_t inw(vga_rig_t *r, uint16_t port) { return (uint16_t)ioport_read(&r->io, port, 2); }
static inline void memw(vga_rig_t *r, uint32_t addr, uint8_t v) { physmem_write(&r->mem, addr, v, 1); }
static inline uint8_t memr(vga_rig_t *r, uint32_t addr) { return (uint8_t)physmem_read(&r->mem, addr, 1); }

static inline void seq_w(vga_rig_t *r, uint8_t i, uint8_t v) { outb(r, 0x3C4, i); outb(r, 0x3C5, v); }
static inline void gc_w(vga_rig_t *r, uint8_t i, uint8_t v) { outb(r, 0x3CE, i); outb(r, 0x3CF, v); }
static inline void crtc_w(vga_rig_t *r, uint8_t i, uint8_t v) { outb(r, 0x3D4, i); outb(r, 0x3D5, v); }
static inline uint8_t gc_r(vga_rig_t *r, uint8_t i) { outb(r, 0x3CE, i); return inb(r, 0x3CF); }

typedef struct vga_mode_regs {
    uint8_t misc, seq[5], crtc[25], gc[9], attr[21];
} vga_mode_regs_t;

/* The IBM VGA's register values for the BIOS modes. */
static const vga_mode_regs_t MODE_03H = { /* 80x25 text, 9x16 cells, 720x400 */
    0x67, {0x03, 0x00, 0x03, 0x00, 0x02},
    {0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
     0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
     0x0C, 0x00, 0x0F, 0x08, 0x00}};
static const vga_mode_regs_t MODE_01H = { /* 40x25 text, 9x16 cells, dot clock halved */
    0x67, {0x03, 0x08, 0x03, 0x00, 0x02},
    {0x2D, 0x27, 0x28, 0x90, 0x2B, 0xA0, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
     0x9C, 0x8E, 0x8F, 0x14, 0x1F, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
     0x0C, 0x00, 0x0F, 0x08, 0x00}};
static const vga_mode_regs_t MODE_13H = { /* 320x200, 256 colours, chain-4 */
    0x63, {0x03, 0x01, 0x0F, 0x00, 0x0E},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
     0x41, 0x00, 0x0F, 0x00, 0x00}};
static const vga_mode_regs_t MODE_12H = { /* 640x480, 16 colours, planar */
    0xE3, {0x03, 0x01, 0x0F, 0x00, 0x06},
    {0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
     0x01, 0x00, 0x0F, 0x00, 0x00}};
static const vga_mode_regs_t MODE_0DH = { /* 320x200, 16 colours, planar, double scan */
    0x63, {0x03, 0x09, 0x0F, 0x00, 0x06},
    {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF},
    {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
     0x01, 0x00, 0x0F, 0x00, 0x00}};
static const vga_mode_regs_t MODE_04H = { /* 320x200, 4 colours, CGA layout */
    0x63, {0x03, 0x09, 0x03, 0x00, 0x02},
    {0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xA2, 0xFF},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0F, 0x0F, 0xFF},
    {0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
     0x01, 0x00, 0x03, 0x00, 0x00}};

/* Programs a mode as a BIOS does: sequencer held in reset around the
 * clocking change, CRTC unlocked first, attribute controller through the
 * flip-flop, and the palette handed back to the display at the end. */
static inline void set_mode(vga_rig_t *r, const vga_mode_regs_t *m)
{
    outb(r, 0x3C2, m->misc);
    seq_w(r, 0, 0x01);
    for (uint8_t i = 1; i < 5; i++)
        seq_w(r, i, m->seq[i]);
    seq_w(r, 0, 0x03);
    crtc_w(r, 0x11, m->crtc[0x11] & 0x7F);
    for (uint8_t i = 0; i < 25; i++)
        crtc_w(r, i, m->crtc[i]);
    for (uint8_t i = 0; i < 9; i++)
        gc_w(r, i, m->gc[i]);
    inb(r, 0x3DA);
    for (uint8_t i = 0; i < 21; i++) {
        outb(r, 0x3C0, i);
        outb(r, 0x3C0, m->attr[i]);
    }
    outb(r, 0x3C0, 0x20);
}

/* The 64 colours of the EGA palette as DAC values: bit 0/3 blue, 1/4
 * green, 2/5 red (2/3 and 1/3 intensity), like the VGA BIOS loads them. */
static inline void load_ega_dac(vga_rig_t *r)
{
    outb(r, 0x3C8, 0);
    for (unsigned i = 0; i < 64; i++) {
        unsigned red = ((i >> 2) & 1) * 42 + ((i >> 5) & 1) * 21;
        unsigned green = ((i >> 1) & 1) * 42 + ((i >> 4) & 1) * 21;
        unsigned blue = (i & 1) * 42 + ((i >> 3) & 1) * 21;
        outb(r, 0x3C9, (uint8_t)red);
        outb(r, 0x3C9, (uint8_t)green);
        outb(r, 0x3C9, (uint8_t)blue);
    }
}

/* The same colour as the display shows it: 6-bit levels 0, 21, 42, 63 are
 * the CGA/EGA intensities 0x00, 0x55, 0xAA, 0xFF. */
static inline uint32_t ega_rgb(unsigned i)
{
    static const uint32_t level[4] = {0x00, 0x55, 0xAA, 0xFF};
    unsigned red = ((i >> 2) & 1) * 2 + ((i >> 5) & 1);
    unsigned green = ((i >> 1) & 1) * 2 + ((i >> 4) & 1);
    unsigned blue = (i & 1) * 2 + ((i >> 3) & 1);
    return level[red] << 16 | level[green] << 8 | level[blue];
}

/* Loads `height`-row glyphs into plane 2 at font slot `map_offset` (32
 * bytes per character), the way a BIOS or Linux does it: sequential
 * addressing, plane 2 only, graphics controller mapping 0xA0000. */
static inline void load_font(vga_rig_t *r, const uint8_t *glyphs, unsigned height, uint32_t map_offset)
{
    seq_w(r, 2, 0x04);
    seq_w(r, 4, 0x06);
    gc_w(r, 4, 0x02);
    gc_w(r, 5, 0x00);
    gc_w(r, 6, 0x04);
    for (unsigned ch = 0; ch < 256; ch++)
        for (unsigned row = 0; row < 32; row++)
            memw(r, 0xA0000 + map_offset + ch * 32 + row, row < height ? glyphs[ch * height + row] : 0);
}

static inline void restore_text_after_font(vga_rig_t *r, const vga_mode_regs_t *m)
{
    seq_w(r, 2, m->seq[2]);
    seq_w(r, 4, m->seq[4]);
    gc_w(r, 4, m->gc[4]);
    gc_w(r, 5, m->gc[5]);
    gc_w(r, 6, m->gc[6]);
}

/* Compares a whole frame with the pixels `want` computes. */
static inline void assert_frame_matches(const display_frame_t *f, uint32_t w, uint32_t h,
                                        uint32_t (*want)(unsigned x, unsigned y))
{
    assert_int_equal(f->width, w);
    assert_int_equal(f->height, h);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++)
            if (f->pixels[y * w + x] != want(x, y)) {
                fprintf(stderr, "pixel (%u,%u): want %06x got %06x\n", x, y, want(x, y), f->pixels[y * w + x]);
                fail();
            }
}

#endif
