/* What a guest memory access costs in the MMU: a TLB hit (the inline fast
 * path), and a miss (slow path, page walk, A/D check, TLB fill), for 32-bit
 * and PAE paging, reads and writes.  Prints nanoseconds and TSC ticks per
 * access.  For host instruction counts run it under callgrind, collecting
 * only inside one loop (bench/README.md):
 *   valgrind --tool=callgrind --toggle-collect=hit_reads build/bench/tlb_bench hit
 * and divide the Ir of hit_reads by the access count the program prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "mmu/mmu.h"

#define RAM (80u << 20)
#define MAPPED (64u << 20) /* identity-mapped with 4 KiB pages */
#define PD 0x4000000u       /* tables live above the mapped range */
#define PT (PD + 0x1000)
#define PDPT (PD + 0x20000)
#define PAE_PD (PD + 0x21000)
#define PAE_PT (PD + 0x22000)

static void no_fault(void *opaque, uint32_t linear, uint32_t error)
{
    (void)opaque;
    fprintf(stderr, "tlb_bench: unexpected #PF at %08x (error %x)\n", linear, error);
    exit(1);
}

static void put32(physmem_t *pm, uint32_t a, uint32_t v) { memcpy(pm->ram + a, &v, 4); }
static void put64(physmem_t *pm, uint32_t a, uint64_t v) { memcpy(pm->ram + a, &v, 8); }

/* Identity map of [0, MAPPED) with A and D already set, as a running OS's
 * hot pages are, so a miss costs the walk and the fill but no A/D write. */
static void map_32bit(physmem_t *pm, mmu_t *mmu)
{
    const uint32_t flags = PTE_P | PTE_W | PTE_A | PTE_D;
    for (uint32_t p = 0; p < MAPPED / PAGE_SIZE; p++)
        put32(pm, PT + p * 4, p * PAGE_SIZE | flags);
    for (uint32_t d = 0; d < MAPPED >> 22; d++)
        put32(pm, PD + d * 4, (PT + d * PAGE_SIZE) | PTE_P | PTE_W | PTE_A);
    mmu_set_cr4(mmu, 0);
    mmu_set_cr3(mmu, PD);
    mmu_set_cr0(mmu, CR0_PE | CR0_PG);
}

static void map_pae(physmem_t *pm, mmu_t *mmu)
{
    const uint64_t flags = PTE_P | PTE_W | PTE_A | PTE_D;
    for (uint32_t p = 0; p < MAPPED / PAGE_SIZE; p++)
        put64(pm, PAE_PT + p * 8, (uint64_t)p * PAGE_SIZE | flags);
    for (uint32_t d = 0; d < MAPPED >> 21; d++)
        put64(pm, PAE_PD + d * 8, (PAE_PT + d * PAGE_SIZE) | PTE_P | PTE_W | PTE_A);
    put64(pm, PDPT, PAE_PD | PTE_P);
    mmu_set_cr0(mmu, CR0_PE);
    mmu_set_cr4(mmu, CR4_PAE);
    mmu_set_cr3(mmu, PDPT);
    mmu_set_cr0(mmu, CR0_PE | CR0_PG);
}

/* Addresses whose pages all fall into one TLB slot: every access misses. */
static uint32_t miss_addr(uint32_t k)
{
    return ((k % (MAPPED / (TLB_ENTRIES * PAGE_SIZE))) * TLB_ENTRIES * PAGE_SIZE) + (k & 0xFF) * 4;
}

/* 64 pages, always in the TLB. */
static uint32_t hit_addr(uint32_t k)
{
    return ((k & 63) * PAGE_SIZE) + ((k >> 6) & 0x3FF) * 4;
}

static volatile uint32_t sink;

/* The measured loops, one pair per address pattern; separate functions so
 * callgrind can collect inside one of them (--toggle-collect=NAME). */
#define DEFINE_LOOPS(kind)                                                                         \
    __attribute__((noinline)) static void kind##_reads(mmu_t *mmu, uint32_t n)                     \
    {                                                                                              \
        uint32_t sum = 0;                                                                          \
        for (uint32_t k = 0; k < n; k++)                                                           \
            sum += mmu_read32(mmu, mmu->cur, kind##_addr(k));                                      \
        sink = sum;                                                                                \
    }                                                                                              \
    __attribute__((noinline)) static void kind##_writes(mmu_t *mmu, uint32_t n)                    \
    {                                                                                              \
        for (uint32_t k = 0; k < n; k++)                                                           \
            mmu_write32(mmu, mmu->cur, kind##_addr(k), k);                                         \
    }
DEFINE_LOOPS(hit)
DEFINE_LOOPS(miss)

/* The loop with the address arithmetic alone: subtracted as overhead. */
__attribute__((noinline)) static void loop_only(mmu_t *mmu, uint32_t n)
{
    uint32_t sum = 0;
    for (uint32_t k = 0; k < n; k++)
        sum += hit_addr(k) ^ miss_addr(k);
    sink = sum + (uint32_t)(uintptr_t)mmu->cur;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef void (*loop_fn)(mmu_t *, uint32_t);

/* The best of five runs of fn: nanoseconds and TSC ticks. */
static void best_of_five(loop_fn fn, mmu_t *mmu, uint32_t n, double *ns, double *tsc)
{
    *ns = *tsc = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = now_ns();
        uint64_t c0 = __rdtsc();
        fn(mmu, n);
        uint64_t c1 = __rdtsc();
        double t1 = now_ns();
        if (t1 - t0 < *ns)
            *ns = t1 - t0;
        if ((double)(c1 - c0) < *tsc)
            *tsc = (double)(c1 - c0);
    }
}

/* Prints the cost per access of fn, minus the bare loop's. */
static void measure(const char *name, loop_fn fn, mmu_t *mmu, uint32_t n, double base_ns, double base_tsc)
{
    double ns, tsc;
    best_of_five(fn, mmu, n, &ns, &tsc);
    printf("  %-22s %7.2f ns  %7.1f TSC ticks per access\n", name, (ns - base_ns) / n,
           (tsc - base_tsc) / n);
}

static void run_all(mmu_t *mmu, uint32_t n, const char *mode)
{
    double base_ns, base_tsc;
    best_of_five(loop_only, mmu, n, &base_ns, &base_tsc);
    printf("%s paging, %u accesses per loop (loop overhead subtracted):\n", mode, n);
    hit_reads(mmu, 64); /* warm the 64 pages */
    hit_writes(mmu, 64);
    measure("TLB hit, read", hit_reads, mmu, n, base_ns, base_tsc);
    measure("TLB hit, write", hit_writes, mmu, n, base_ns, base_tsc);
    measure("TLB miss, read", miss_reads, mmu, n, base_ns, base_tsc);
    measure("TLB miss, write", miss_writes, mmu, n, base_ns, base_tsc);
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL; /* hit | miss: one loop, for callgrind */
    physmem_t pm;
    static mmu_t mmu;
    if (!physmem_init(&pm, RAM)) {
        fprintf(stderr, "tlb_bench: cannot allocate %u MiB\n", RAM >> 20);
        return 1;
    }
    mmu_init(&mmu, &pm, no_fault, NULL);
    const uint32_t n = 4u << 20;
    if (only) {
        map_32bit(&pm, &mmu);
        hit_reads(&mmu, 64);
        if (!strcmp(only, "hit"))
            hit_reads(&mmu, n);
        else if (!strcmp(only, "miss"))
            miss_reads(&mmu, n);
        else {
            fprintf(stderr, "usage: tlb_bench [hit|miss]\n");
            return 2;
        }
        printf("%u accesses in the measured loop (plus 64 warm-up accesses in hit_reads)\n", n);
        printf("walks: %llu\n", (unsigned long long)mmu.walks);
        physmem_free(&pm);
        return 0;
    }
    map_32bit(&pm, &mmu);
    run_all(&mmu, n, "32-bit");
    map_pae(&pm, &mmu);
    run_all(&mmu, n, "PAE");
    printf("walks: %llu, misses: %llu\n", (unsigned long long)mmu.walks, (unsigned long long)mmu.misses);
    physmem_free(&pm);
    return 0;
}
