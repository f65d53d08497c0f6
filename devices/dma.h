/* The two 8237A DMA controllers of the PC/AT and their page registers.
 *
 *   controller 0: channels 0-3, 8-bit transfers, ports 0x00-0x0F
 *   controller 1: channels 4-7, 16-bit transfers (addresses and counts in
 *                 words), ports 0xC0-0xDF (even ports); channel 4 cascades
 *   page registers: 0x81-0x8F (bits 23:16 of the address).  Port 0x80 is
 *                 left to the POST-code device: on the PC it is a scratch
 *                 byte of the same 74LS612, not a channel's page.
 *
 * Devices do not run per byte: a device with data ready calls
 * dma_transfer() with a buffer, and the channel moves as much as its count
 * allows in one go, honouring the mode (direction, auto-init, address
 * decrement), the masks, the 64 KiB (128 KiB) wrap of the address counter,
 * and terminal count. */
#ifndef X86SIM_DMA_H
#define X86SIM_DMA_H

#include <stdbool.h>
#include <stdint.h>

#include "../mmu/mmu.h"
#include "ioport.h"

/* Mode register fields. */
#define DMA_MODE_TYPE_MASK 0x0C
#define DMA_MODE_VERIFY 0x00
#define DMA_MODE_WRITE 0x04 /* device -> memory */
#define DMA_MODE_READ 0x08  /* memory -> device */
#define DMA_MODE_AUTOINIT 0x10
#define DMA_MODE_DECREMENT 0x20
#define DMA_MODE_CASCADE 0xC0

typedef struct dma_channel {
    uint16_t base_addr, base_count; /* reloaded by auto-init */
    uint16_t addr, count;           /* current; count = transfers left - 1 */
    uint8_t mode;
    uint8_t page;
} dma_channel_t;

typedef struct dma_controller {
    dma_channel_t ch[4];
    uint8_t command;
    uint8_t status;  /* bits 3:0 terminal count reached, 7:4 requests */
    uint8_t mask;    /* bit n: channel n masked */
    uint8_t request; /* software requests */
    bool flip_flop;  /* next 16-bit register byte is the high one */
} dma_controller_t;

typedef struct dma {
    dma_controller_t ctl[2];
    uint8_t page_scratch[16]; /* 0x80-0x8F: what is not a channel's page */
    physmem_t *mem;
} dma_t;

bool dma_init(dma_t *d, ioport_bus_t *io, physmem_t *mem);
void dma_reset(dma_t *d);
/* The channel would move data now: unmasked, its controller enabled, and a
 * read or write (or verify) transfer programmed. */
bool dma_channel_ready(const dma_t *d, int chan);
/* Moves up to `len` bytes between a device and memory on channel `chan`
 * (0-7): from `buf` into memory when the device sends (device_to_memory),
 * from memory into `buf` otherwise.  Returns the bytes moved; *tc tells
 * whether the channel reached terminal count.  A channel programmed for the
 * other direction, or for verify, moves no memory but counts (a receiving
 * device gets 0xFF, the idle bus).  16-bit channels move whole words. */
uint32_t dma_transfer(dma_t *d, int chan, uint8_t *buf, uint32_t len, bool device_to_memory,
                      bool *tc);

#endif
