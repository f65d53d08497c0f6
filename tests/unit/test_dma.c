/* 8237A DMA: programming through the ports as a BIOS or the Linux floppy
 * driver does, then transfers as the floppy controller makes them.  The
 * expected addresses and counts follow the 8237A data sheet: count holds
 * transfers - 1, terminal count when it rolls over, the address counter
 * wraps within its 64 KiB block, 16-bit channels count words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "devices/debugcon.h"
#include "devices/dma.h"

typedef struct rig {
    physmem_t mem;
    ioport_bus_t io;
    dma_t dma;
    postcode_t post;
} rig_t;

static int setup(void **state)
{
    static rig_t r;
    memset(&r, 0, sizeof r);
    assert_true(physmem_init(&r.mem, 4u << 20));
    ioport_init(&r.io);
    assert_true(postcode_init(&r.post, &r.io));
    assert_true(dma_init(&r.dma, &r.io, &r.mem));
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    physmem_free(&((rig_t *)*state)->mem);
    return 0;
}

static void out8(rig_t *r, uint16_t port, uint8_t v) { ioport_write(&r->io, port, v, 1); }
static uint8_t in8(rig_t *r, uint16_t port) { return (uint8_t)ioport_read(&r->io, port, 1); }

/* Channel 2 the way a floppy driver programs it: mask, clear flip-flop,
 * mode, address, page, count, unmask. */
static void program_channel2(rig_t *r, uint8_t mode, uint32_t phys, uint16_t bytes)
{
    out8(r, 0x0A, 0x06);
    out8(r, 0x0C, 0);
    out8(r, 0x0B, mode | 2);
    out8(r, 0x04, (uint8_t)phys);
    out8(r, 0x04, (uint8_t)(phys >> 8));
    out8(r, 0x81, (uint8_t)(phys >> 16));
    out8(r, 0x05, (uint8_t)(bytes - 1));
    out8(r, 0x05, (uint8_t)((bytes - 1) >> 8));
    out8(r, 0x0A, 0x02);
}

static void write_to_memory_until_terminal_count(void **state)
{
    rig_t *r = *state;
    program_channel2(r, DMA_MODE_WRITE, 0x23400, 1024);
    uint8_t buf[1500];
    for (int i = 0; i < 1500; i++)
        buf[i] = (uint8_t)(i * 7);
    bool tc;
    assert_int_equal(dma_transfer(&r->dma, 2, buf, 512, true, &tc), 512);
    assert_false(tc);
    /* Current address and count read back through the flip-flop. */
    out8(r, 0x0C, 0);
    uint16_t addr = in8(r, 0x04);
    addr |= in8(r, 0x04) << 8;
    uint16_t count = in8(r, 0x05);
    count |= in8(r, 0x05) << 8;
    assert_int_equal(addr, 0x3400 + 512);
    assert_int_equal(count, 1023 - 512);
    /* Asking for more than is left stops at terminal count. */
    assert_int_equal(dma_transfer(&r->dma, 2, buf + 512, 988, true, &tc), 512);
    assert_true(tc);
    uint8_t mem[1024];
    physmem_read_block(&r->mem, 0x23400, mem, sizeof mem);
    assert_memory_equal(mem, buf, sizeof mem);
    assert_int_equal(physmem_read(&r->mem, 0x23400 + 1024, 1), 0);
    /* Status: TC of channel 2, cleared by reading; the channel masked itself. */
    assert_int_equal(in8(r, 0x08) & 0x0F, 0x04);
    assert_int_equal(in8(r, 0x08) & 0x0F, 0);
    assert_false(dma_channel_ready(&r->dma, 2));
    assert_int_equal(dma_transfer(&r->dma, 2, buf, 16, true, &tc), 0);
}

static void read_from_memory_and_autoinit(void **state)
{
    rig_t *r = *state;
    uint8_t src[256];
    for (int i = 0; i < 256; i++)
        src[i] = (uint8_t)(255 - i);
    physmem_write_block(&r->mem, 0x1F000, src, sizeof src);
    program_channel2(r, DMA_MODE_READ | DMA_MODE_AUTOINIT, 0x1F000, 256);
    uint8_t buf[256];
    bool tc;
    for (int round = 0; round < 3; round++) {
        memset(buf, 0, sizeof buf);
        assert_int_equal(dma_transfer(&r->dma, 2, buf, 256, false, &tc), 256);
        assert_true(tc);
        assert_memory_equal(buf, src, 256);
        assert_true(dma_channel_ready(&r->dma, 2)); /* auto-init: still armed */
    }
}

static void address_wraps_inside_page(void **state)
{
    rig_t *r = *state;
    /* 0x3FF80 + 256 crosses into 0x40000, but the 8237 counter wraps to
     * 0x30000: the page register does not carry. */
    program_channel2(r, DMA_MODE_WRITE, 0x3FF80, 256);
    uint8_t buf[256];
    memset(buf, 0xAB, sizeof buf);
    bool tc;
    assert_int_equal(dma_transfer(&r->dma, 2, buf, 256, true, &tc), 256);
    assert_int_equal(physmem_read(&r->mem, 0x3FFFF, 1), 0xAB);
    assert_int_equal(physmem_read(&r->mem, 0x30000, 1), 0xAB);
    assert_int_equal(physmem_read(&r->mem, 0x3007F, 1), 0xAB);
    assert_int_equal(physmem_read(&r->mem, 0x30080, 1), 0);
    assert_int_equal(physmem_read(&r->mem, 0x40000, 1), 0);
}

static void direction_mismatch_and_verify_move_no_memory(void **state)
{
    rig_t *r = *state;
    physmem_write(&r->mem, 0x5000, 0x12345678, 4);
    program_channel2(r, DMA_MODE_READ, 0x5000, 4);
    uint8_t buf[4] = {1, 2, 3, 4};
    bool tc;
    /* The device sends, but the channel is set to read memory. */
    assert_int_equal(dma_transfer(&r->dma, 2, buf, 4, true, &tc), 4);
    assert_true(tc);
    assert_int_equal(physmem_read(&r->mem, 0x5000, 4), 0x12345678);
    program_channel2(r, DMA_MODE_VERIFY, 0x5000, 4);
    assert_int_equal(dma_transfer(&r->dma, 2, buf, 4, false, &tc), 4);
    assert_int_equal(buf[0], 0xFF);
}

static void sixteen_bit_channel_counts_words(void **state)
{
    rig_t *r = *state;
    /* Channel 5: word address 0x8000 in page 0x12 (even) = 0x130000
     * physical... page bit 0 is ignored, address is shifted: 0x120000 +
     * 0x8000 * 2. */
    out8(r, 0xD4, 0x05);       /* mask channel 5 */
    out8(r, 0xD8, 0);          /* flip-flop */
    out8(r, 0xD6, 0x45);       /* mode: write, channel 1 of controller 1 */
    out8(r, 0xC4, 0x00);
    out8(r, 0xC4, 0x80);
    out8(r, 0x8B, 0x13);       /* page of channel 5; bit 0 ignored */
    out8(r, 0xC6, 3);          /* 4 words */
    out8(r, 0xC6, 0);
    out8(r, 0xD4, 0x01);       /* unmask */
    uint8_t buf[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    bool tc;
    assert_int_equal(dma_transfer(&r->dma, 5, buf, 10, true, &tc), 8);
    assert_true(tc);
    uint8_t mem[10];
    physmem_read_block(&r->mem, 0x130000, mem, sizeof mem);
    assert_memory_equal(mem, buf, 8);
    assert_int_equal(mem[8], 0);
    assert_int_equal(in8(r, 0xD0) & 0x0F, 0x02);
}

static void masks_and_master_clear(void **state)
{
    rig_t *r = *state;
    program_channel2(r, DMA_MODE_WRITE, 0x1000, 16);
    assert_true(dma_channel_ready(&r->dma, 2));
    out8(r, 0x0F, 0x04); /* write all mask bits */
    assert_false(dma_channel_ready(&r->dma, 2));
    out8(r, 0x0E, 0);    /* clear all masks */
    assert_true(dma_channel_ready(&r->dma, 2));
    out8(r, 0x08, 0x04); /* command: controller disabled */
    assert_false(dma_channel_ready(&r->dma, 2));
    out8(r, 0x0D, 0);    /* master clear: enabled again but all masked */
    assert_false(dma_channel_ready(&r->dma, 2));
    out8(r, 0x0A, 0x02);
    assert_true(dma_channel_ready(&r->dma, 2));
}

static void page_registers_leave_post_code_alone(void **state)
{
    rig_t *r = *state;
    out8(r, 0x80, 0x55);
    out8(r, 0x81, 0x0A);
    out8(r, 0x84, 0x99); /* a scratch page byte */
    out8(r, 0x87, 0x0C);
    assert_int_equal(in8(r, 0x80), 0x55);
    assert_int_equal(r->post.last, 0x55);
    assert_int_equal(in8(r, 0x81), 0x0A);
    assert_int_equal(in8(r, 0x84), 0x99);
    assert_int_equal(r->dma.ctl[0].ch[2].page, 0x0A);
    assert_int_equal(r->dma.ctl[0].ch[0].page, 0x0C);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_to_memory_until_terminal_count, setup, teardown),
        cmocka_unit_test_setup_teardown(read_from_memory_and_autoinit, setup, teardown),
        cmocka_unit_test_setup_teardown(address_wraps_inside_page, setup, teardown),
        cmocka_unit_test_setup_teardown(direction_mismatch_and_verify_move_no_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(sixteen_bit_channel_counts_words, setup, teardown),
        cmocka_unit_test_setup_teardown(masks_and_master_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(page_registers_leave_post_code_alone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
