/* REP string instruction throughput: prints MB/s for REP MOVSD, STOSD and
 * MOVSB (which take the bulk path through host memory) and REPE CMPSD and
 * REP LODSD (element by element), in flat 32-bit protected mode.
 *
 *   build/bench/bench_string [MiB per run]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cpu/exec.h"

#define SRC 0x100000u
#define DST 0x400000u
#define CODE 0x1000u

static uint32_t bus_in(void *o, uint16_t p, unsigned s) { (void)o, (void)p, (void)s; return 0xFFFFFFFFu; }
static void bus_out(void *o, uint16_t p, uint32_t v, unsigned s) { (void)o, (void)p, (void)v, (void)s; }
static uint8_t bus_ack(void *o) { (void)o; return 0; }

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs `code` (followed by HLT) with ECX = count until it halts; returns
 * seconds. */
static double run(cpu_t *cpu, physmem_t *pm, const uint8_t *code, int len, uint32_t count)
{
    uint8_t buf[16];
    memcpy(buf, code, (size_t)len);
    buf[len] = 0xF4; /* hlt */
    physmem_write_block(pm, CODE, buf, (uint32_t)len + 1);
    cpu->gpr[R_ESI] = SRC;
    cpu->gpr[R_EDI] = DST;
    cpu->gpr[R_ECX] = count;
    cpu->gpr[R_EAX] = 0;
    cpu->eip = CODE;
    cpu->halted = false;
    cpu_set_eflags(cpu, 2 | FLAG_ZF);
    double t0 = now();
    while (cpu_execute(cpu, cpu->icount + 1000000) != CPU_EXIT_HALT)
        ;
    return now() - t0;
}

int main(int argc, char **argv)
{
    uint32_t mib = argc > 1 ? (uint32_t)atoi(argv[1]) : 2;
    if (mib < 1 || mib > 3)
        mib = 2;
    static physmem_t pm;
    static cpu_t cpu;
    cpu_bus_t bus = {.in = bus_in, .out = bus_out, .intr_ack = bus_ack};
    if (!physmem_init(&pm, 16u << 20) || !cpu_init(&cpu, &pm, &bus)) {
        fprintf(stderr, "bench_string: cannot create the machine\n");
        return 1;
    }
    cpu_set_cr0(&cpu, cpu.cr0 | CR0_PE);
    for (int s = 0; s < 6; s++)
        cpu_load_seg_raw(&cpu, s, s == SEG_CS ? 0x08 : 0x10, 0, 0xFFFFFFFFu, s == SEG_CS ? 0x9B : 0x93,
                         0xC0);
    static const struct {
        const char *name;
        uint8_t code[4];
        int len;
        unsigned size;
    } ops[] = {
        {"rep movsd", {0xF3, 0xA5}, 2, 4},
        {"rep stosd", {0xF3, 0xAB}, 2, 4},
        {"rep movsb", {0xF3, 0xA4}, 2, 1},
        {"repe cmpsd", {0xF3, 0xA7}, 2, 4},
        {"rep lodsd", {0xF3, 0xAD}, 2, 4},
    };
    uint32_t bytes = mib << 20;
    printf("%-12s %10s   (%u MiB per run, best of 5)\n", "", "MB/s", mib);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        double best = 1e9;
        for (int rep = 0; rep < 5; rep++) {
            double t = run(&cpu, &pm, ops[k].code, ops[k].len, bytes / ops[k].size);
            if (t < best)
                best = t;
        }
        printf("%-12s %10.0f\n", ops[k].name, (double)bytes / best / 1e6);
    }
    cpu_free(&cpu);
    physmem_free(&pm);
    return 0;
}
