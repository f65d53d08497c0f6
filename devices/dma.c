/* 8237A DMA controllers and page registers (see dma.h). */
#include "dma.h"

#include <string.h>

/* Which page-register port (0x80 + index) holds each channel's page. */
static const uint8_t page_port_of_channel[8] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

void dma_reset(dma_t *d)
{
    for (int c = 0; c < 2; c++) {
        dma_controller_t *ctl = &d->ctl[c];
        uint8_t pages[4];
        for (int k = 0; k < 4; k++)
            pages[k] = ctl->ch[k].page; /* the page registers are not part of the 8237 */
        memset(ctl, 0, sizeof *ctl);
        ctl->mask = 0x0F;
        for (int k = 0; k < 4; k++)
            ctl->ch[k].page = pages[k];
    }
}

static void master_clear(dma_controller_t *ctl)
{
    ctl->command = 0;
    ctl->status = 0;
    ctl->request = 0;
    ctl->flip_flop = false;
    ctl->mask = 0x0F;
}

/* Registers 0-7: channel address and count, a byte at a time through the
 * flip-flop. */
static uint8_t read_channel_register(dma_controller_t *ctl, unsigned reg)
{
    dma_channel_t *ch = &ctl->ch[reg >> 1];
    uint16_t v = (reg & 1) ? ch->count : ch->addr;
    bool high = ctl->flip_flop;
    ctl->flip_flop = !high;
    return (uint8_t)(high ? v >> 8 : v);
}

static void write_channel_register(dma_controller_t *ctl, unsigned reg, uint8_t value)
{
    dma_channel_t *ch = &ctl->ch[reg >> 1];
    uint16_t *base = (reg & 1) ? &ch->base_count : &ch->base_addr;
    bool high = ctl->flip_flop;
    ctl->flip_flop = !high;
    *base = high ? (uint16_t)((*base & 0x00FF) | value << 8) : (uint16_t)((*base & 0xFF00) | value);
    /* Programming writes base and current together. */
    if (reg & 1)
        ch->count = *base;
    else
        ch->addr = *base;
}

static uint8_t controller_read(dma_controller_t *ctl, unsigned reg)
{
    if (reg < 8)
        return read_channel_register(ctl, reg);
    if (reg == 8) {
        uint8_t s = ctl->status;
        ctl->status &= 0xF0; /* reading clears the terminal-count bits */
        return s;
    }
    if (reg == 0xD)
        return 0; /* temporary register: only memory-to-memory uses it */
    return 0xFF;  /* the other registers are write-only */
}

static void controller_write(dma_controller_t *ctl, unsigned reg, uint8_t value)
{
    if (reg < 8) {
        write_channel_register(ctl, reg, value);
        return;
    }
    unsigned chan = value & 3;
    switch (reg) {
    case 0x8: ctl->command = value; break;
    case 0x9:
        if (value & 4) {
            ctl->request |= 1u << chan;
            ctl->status |= 0x10u << chan;
        } else {
            ctl->request &= ~(1u << chan);
            ctl->status &= ~(0x10u << chan);
        }
        break;
    case 0xA:
        if (value & 4)
            ctl->mask |= 1u << chan;
        else
            ctl->mask &= ~(1u << chan);
        break;
    case 0xB: ctl->ch[chan].mode = value & 0xFC; break;
    case 0xC: ctl->flip_flop = false; break;
    case 0xD: master_clear(ctl); break;
    case 0xE: ctl->mask = 0; break;
    case 0xF: ctl->mask = value & 0x0F; break;
    }
}

static uint32_t dma1_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return controller_read(&((dma_t *)opaque)->ctl[0], port & 0x0F);
}

static void dma1_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)size;
    controller_write(&((dma_t *)opaque)->ctl[0], port & 0x0F, (uint8_t)value);
}

/* Controller 1 sits on the even ports 0xC0-0xDE (its A0 is the bus's A1). */
static uint32_t dma2_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    if (port & 1)
        return 0xFF;
    return controller_read(&((dma_t *)opaque)->ctl[1], (port - 0xC0u) >> 1);
}

static void dma2_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)size;
    if (!(port & 1))
        controller_write(&((dma_t *)opaque)->ctl[1], (port - 0xC0u) >> 1, (uint8_t)value);
}

/* The page register of `index` (0x80 + index), or NULL for a scratch byte. */
static uint8_t *page_register(dma_t *d, unsigned index)
{
    for (int c = 0; c < 8; c++)
        if (page_port_of_channel[c] == index && c != 4)
            return &d->ctl[c >> 2].ch[c & 3].page;
    return &d->page_scratch[index];
}

static uint32_t page_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return *page_register(opaque, port & 0x0F);
}

static void page_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)size;
    *page_register(opaque, port & 0x0F) = (uint8_t)value;
}

bool dma_init(dma_t *d, ioport_bus_t *io, physmem_t *mem)
{
    memset(d, 0, sizeof *d);
    d->mem = mem;
    dma_reset(d);
    return ioport_register(io, 0x00, 0x10, dma1_read, dma1_write, d, "dma1") &&
           ioport_register(io, 0xC0, 0x20, dma2_read, dma2_write, d, "dma2") &&
           ioport_register(io, 0x81, 0x0F, page_read, page_write, d, "dma-page");
}

bool dma_channel_ready(const dma_t *d, int chan)
{
    const dma_controller_t *ctl = &d->ctl[chan >> 2];
    const dma_channel_t *ch = &ctl->ch[chan & 3];
    return !(ctl->mask & (1u << (chan & 3))) && !(ctl->command & 0x04) &&
           (ch->mode & 0xC0) != DMA_MODE_CASCADE && (ch->mode & DMA_MODE_TYPE_MASK) != 0x0C;
}

uint32_t dma_transfer(dma_t *d, int chan, uint8_t *buf, uint32_t len, bool device_to_memory,
                      bool *tc)
{
    *tc = false;
    if (chan < 0 || chan > 7 || !dma_channel_ready(d, chan))
        return 0;
    dma_controller_t *ctl = &d->ctl[chan >> 2];
    dma_channel_t *ch = &ctl->ch[chan & 3];
    bool wide = chan >= 4;
    unsigned unit = wide ? 2 : 1;
    uint32_t units = len / unit;
    if (units > (uint32_t)ch->count + 1)
        units = (uint32_t)ch->count + 1;
    uint8_t type = ch->mode & DMA_MODE_TYPE_MASK;
    bool moves_memory = type == (device_to_memory ? DMA_MODE_WRITE : DMA_MODE_READ);
    bool down = ch->mode & DMA_MODE_DECREMENT;
    /* The address counter is 16 bits: it wraps inside the 64 KiB (16-bit
     * channels: 128 KiB) block the page register selects. */
    uint32_t block = wide ? (uint32_t)(ch->page & 0xFE) << 16 : (uint32_t)ch->page << 16;
    uint32_t done = 0;
    while (done < units) {
        uint32_t run = down ? 1 : 0x10000u - ch->addr; /* units before the counter wraps */
        if (run > units - done)
            run = units - done;
        uint32_t phys = block + ((uint32_t)ch->addr << (wide ? 1 : 0));
        uint8_t *p = buf + done * unit;
        if (!moves_memory) {
            if (!device_to_memory)
                memset(p, 0xFF, run * unit);
        } else if (device_to_memory) {
            physmem_write_block(d->mem, phys, p, run * unit);
        } else {
            physmem_read_block(d->mem, phys, p, run * unit);
        }
        ch->addr = (uint16_t)(down ? ch->addr - run : ch->addr + run);
        done += run;
    }
    bool reached_tc = units == (uint32_t)ch->count + 1;
    ch->count = (uint16_t)(ch->count - units);
    if (reached_tc) {
        *tc = true;
        ctl->status |= 1u << (chan & 3);
        ctl->request &= ~(1u << (chan & 3));
        ctl->status &= ~(0x10u << (chan & 3));
        if (ch->mode & DMA_MODE_AUTOINIT) {
            ch->addr = ch->base_addr;
            ch->count = ch->base_count;
        } else {
            ctl->mask |= 1u << (chan & 3);
        }
    }
    return units * unit;
}
