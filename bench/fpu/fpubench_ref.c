/* The checksum of bench/fpu/fpubench.asm, computed by running the same x87
 * instruction sequence on the host (x86-64).  usage: fpubench_ref ITERATIONS */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    uint32_t iters = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 5000000;
    int32_t divisor = 3, result, counter;
    uint32_t sum = 0;
    __asm__ volatile("fninit\n\tfld1");
    for (uint32_t n = iters; n; n--) {
        counter = (int32_t)n;
        __asm__ volatile("fildl %1\n\t"
                         "fmul %%st(0), %%st\n\t"
                         "fadd %%st(1), %%st\n\t"
                         "fidivl %2\n\t"
                         "fsqrt\n\t"
                         "fxch %%st(1)\n\t"
                         "fstp %%st(0)\n\t"
                         "fistl %0"
                         : "=m"(result)
                         : "m"(counter), "m"(divisor));
        sum += (uint32_t)result;
    }
    __asm__ volatile("fstp %st(0)");
    for (int b = 31; b >= 0; b--)
        putchar('0' + ((sum >> b) & 1));
    putchar('\n');
    return 0;
}
