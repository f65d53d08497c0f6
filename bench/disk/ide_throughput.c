/* Sequential read throughput through the IDE controller, as a guest sees
 * it: PIO (every 16- or 32-bit IN of the data port goes through the port
 * bus, exactly the path of the CPU's IN instruction) and bus-master DMA
 * (PRD table, data landing in guest RAM).  Virtual time jumps to each
 * command's completion, so the figures are the host cost of the controller
 * and image back-end, not of the guest's waiting or of the CPU emulation.
 *
 * usage: ide_throughput [MiB]      (default 256; the image goes in $TMPDIR) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ide.h"

static uint64_t icount;
static vclock_t vclock;
static physmem_t mem;
static ioport_bus_t io;
static ide_t ide;

static void settle(void)
{
    uint64_t next;
    while ((next = clock_next_deadline(&vclock)) != CLOCK_NEVER) {
        clock_skip_to(&vclock, next);
        clock_run_due(&vclock);
    }
}

static void command48(uint8_t cmd, uint64_t lba, uint32_t count)
{
    ioport_write(&io, 0x1F6, 0x40, 1);
    ioport_write(&io, 0x1F2, (count >> 8) & 0xFF, 1);
    ioport_write(&io, 0x1F3, (uint32_t)(lba >> 24) & 0xFF, 1);
    ioport_write(&io, 0x1F4, (uint32_t)(lba >> 32) & 0xFF, 1);
    ioport_write(&io, 0x1F5, (uint32_t)(lba >> 40) & 0xFF, 1);
    ioport_write(&io, 0x1F2, count & 0xFF, 1);
    ioport_write(&io, 0x1F3, (uint32_t)lba & 0xFF, 1);
    ioport_write(&io, 0x1F4, (uint32_t)(lba >> 8) & 0xFF, 1);
    ioport_write(&io, 0x1F5, (uint32_t)(lba >> 16) & 0xFF, 1);
    ioport_write(&io, 0x1F7, cmd, 1);
}

/* READ MULTIPLE EXT (16-sector blocks), 256 sectors per command, reading
 * the data port `width` bytes at a time.  Returns a checksum so the reads
 * cannot be optimised away. */
static uint64_t pio_pass(uint64_t sectors, unsigned width)
{
    uint64_t sum = 0;
    for (uint64_t lba = 0; lba < sectors; lba += 256) {
        command48(0x29, lba, 256);
        for (int block = 0; block < 256 / IDE_MAX_MULTIPLE; block++) {
            settle();
            if ((ioport_read(&io, 0x1F7, 1) & 0x89) != 0x08) {
                fprintf(stderr, "ide_throughput: no DRQ at LBA %llu\n", (unsigned long long)lba);
                exit(1);
            }
            for (unsigned k = 0; k < IDE_MAX_MULTIPLE * 512 / width; k++)
                sum += ioport_read(&io, 0x1F0, width);
        }
    }
    return sum;
}

/* READ DMA EXT, 2048 sectors (1 MiB) per command, 16 PRD entries of 64 KiB. */
static uint64_t dma_pass(uint64_t sectors)
{
    const uint32_t prd = 0x1000, buf = 0x100000, bm = 0xC000;
    for (int k = 0; k < 16; k++) {
        physmem_write(&mem, prd + 8 * k, buf + 0x10000u * k, 4);
        physmem_write(&mem, prd + 8 * k + 4, k == 15 ? 0x80000000u : 0, 4);
    }
    ioport_write(&io, bm + 4, prd, 4);
    uint64_t sum = 0;
    for (uint64_t lba = 0; lba < sectors; lba += 2048) {
        command48(0x25, lba, 2048);
        ioport_write(&io, bm + 2, 0x06, 1);
        ioport_write(&io, bm, 0x09, 1);
        settle();
        if ((ioport_read(&io, bm + 2, 1) & 0x03) != 0 || ioport_read(&io, 0x1F7, 1) != 0x50) {
            fprintf(stderr, "ide_throughput: DMA failed at LBA %llu\n", (unsigned long long)lba);
            exit(1);
        }
        ioport_write(&io, bm, 0, 1);
        sum += physmem_read(&mem, buf + (uint32_t)(lba & 0xFFFFF), 4);
    }
    return sum;
}

static void report(const char *what, uint64_t bytes, uint64_t ns, uint64_t sum)
{
    printf("%-34s %8.1f MB/s  (%llu MiB in %.3f s, checksum %llx)\n", what,
           (double)bytes / 1e6 / ((double)ns / 1e9), (unsigned long long)(bytes >> 20),
           (double)ns / 1e9, (unsigned long long)sum);
}

int main(int argc, char **argv)
{
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 256;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/ide_throughput-%d.img", tmp, (int)getpid());
    /* Real data (not a sparse file): a pattern, written once. */
    FILE *f = fopen(path, "wb");
    static uint8_t chunk[1 << 20];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)(i * 131 + (i >> 9));
    for (uint64_t k = 0; f && k < mib; k++)
        fwrite(chunk, 1, sizeof chunk, f);
    if (!f || fclose(f) != 0) {
        fprintf(stderr, "ide_throughput: cannot write %s\n", path);
        return 1;
    }
    char err[512];
    disk_t disk;
    if (!disk_open(&disk, path, DISK_READ_ONLY, 512, err, sizeof err)) {
        fprintf(stderr, "ide_throughput: %s\n", err);
        return 1;
    }
    clock_init(&vclock, &icount, false);
    physmem_init(&mem, 32u << 20);
    ioport_init(&io);
    irq_line_t none = {0};
    ide_init(&ide, &io, &vclock, &mem, none, none);
    ide_attach_disk(&ide, 0, &disk, err, sizeof err);
    ide.pci.config[4] = 0x05; /* I/O and bus mastering on, BAR4 at 0xC000 */
    ide_map_bus_master(&ide, 0xC000, true);
    ioport_write(&io, 0x3F6, 0x02, 1);
    ioport_write(&io, 0x1F6, 0x40, 1);
    ioport_write(&io, 0x1F2, IDE_MAX_MULTIPLE, 1);
    ioport_write(&io, 0x1F7, 0xC6, 1); /* SET MULTIPLE MODE */
    settle();

    uint64_t sectors = mib << 11, bytes = mib << 20;
    /* One untimed pass warms the host's page cache. */
    dma_pass(sectors);
    uint64_t t0 = host_ns(), sum = pio_pass(sectors, 2);
    report("PIO, 16-bit IN (READ MULTIPLE EXT)", bytes, host_ns() - t0, sum);
    t0 = host_ns(), sum = pio_pass(sectors, 4);
    report("PIO, 32-bit IN (READ MULTIPLE EXT)", bytes, host_ns() - t0, sum);
    t0 = host_ns(), sum = dma_pass(sectors);
    report("bus-master DMA (READ DMA EXT)", bytes, host_ns() - t0, sum);

    ide_free(&ide);
    disk_close(&disk);
    physmem_free(&mem);
    unlink(path);
    return 0;
}
