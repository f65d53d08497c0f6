/* The batch runner (see batch.h). */
#include "batch.h"

#include "cpu/icache.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

void report_stop(const session_t *s, run_stop_t why)
{
    const cpu_t *cpu = &s->m->cpu;
    switch (why) {
    case RUN_TRIPLE_FAULT:
        fprintf(stderr, "x86sim: triple fault at %04x:%08x after %llu instructions\n", cpu->seg[SEG_CS].sel,
                cpu->eip, (unsigned long long)cpu->icount);
        break;
    case RUN_MAX_INSNS:
        fprintf(stderr, "x86sim: reached the instruction limit (%llu) at %04x:%08x\n",
                (unsigned long long)s->opt->max_insns, cpu->seg[SEG_CS].sel, cpu->eip);
        break;
    case RUN_TIMEOUT:
        fprintf(stderr, "x86sim: timeout after %g s of host time (%llu instructions) at %04x:%08x\n",
                s->opt->timeout_s, (unsigned long long)cpu->icount, cpu->seg[SEG_CS].sel, cpu->eip);
        break;
    case RUN_SIGNAL:
        fprintf(stderr, "x86sim: stopped by %s after %llu instructions\n",
                s->signal_number == SIGTERM ? "SIGTERM" : "SIGINT", (unsigned long long)cpu->icount);
        break;
    default:
        break;
    }
}

void report_stats(const session_t *s, uint64_t host_elapsed_ns)
{
    double secs = (double)host_elapsed_ns / 1e9;
    unsigned long long retired = (unsigned long long)s->m->cpu.icount;
    fprintf(stderr, "x86sim: %llu instructions retired in %.2f s of host time (%.1f MIPS)\n", retired, secs,
            secs > 0 ? (double)retired / secs / 1e6 : 0.0);
    const mmu_t *mmu = &s->m->cpu.mmu;
    const icache_t *ic = s->m->cpu.icache;
    fprintf(stderr,
            "x86sim: data accesses off the fast path %llu, TLB misses %llu (page walks %llu); "
            "blocks decoded %llu, code-page invalidations %llu, decoded-code cache flushes %llu\n",
            (unsigned long long)mmu->slow_accesses, (unsigned long long)mmu->misses,
            (unsigned long long)mmu->walks, (unsigned long long)ic->blocks_built,
            (unsigned long long)ic->invalidations, (unsigned long long)ic->flushes);
}

int batch_run(session_t *s)
{
    run_stop_t why = session_run(s, 0);
    report_stop(s, why);
    return run_stop_status(s, why);
}
