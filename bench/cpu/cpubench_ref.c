/* The checksum bench/cpu/cpubench.asm prints, computed on the host from the
 * same algorithm (written from the assembly source, not from any emulator's
 * output), so each emulator's run is checked independently.
 * usage: cpubench_ref ITERATIONS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t rol(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

int main(int argc, char **argv)
{
    uint32_t iterations = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20000000u;
    static uint32_t buf[0x4000 / 4];
    uint32_t ebx = 0, ebp = 1;
    for (uint32_t ecx = iterations; ecx; ecx--) {
        ebp = ebp * 1103515245u + 12345u;
        uint32_t idx = ((ebp >> 16) & 0x3FFC) / 4;
        uint32_t edx = rol(buf[idx] + ebp, 5);
        ebx ^= edx;
        buf[idx] = edx;
        /* mix: ((ebx * 5) << 3) ^ high half of ebx * 0x9E3779B1, plus edx */
        uint32_t lo = (ebx * 5u) << 3;
        uint32_t hi = (uint32_t)(((uint64_t)ebx * 0x9E3779B1u) >> 32);
        ebx = (lo ^ hi) + edx;
        ebx = (ebx & 1) ? ebx - ecx : ebx + ecx;
        if ((ecx & 0xFF) == 0)
            ebx += buf[0x80 / 4]; /* REP MOVSD copied the buffer's start to BUF2 */
    }
    for (unsigned k = 0; k < sizeof buf / sizeof buf[0]; k++)
        ebx = rol(ebx + buf[k], 1);
    printf("%08x\n", ebx);
    return 0;
}
