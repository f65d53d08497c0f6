/* The debug registers' breakpoints: DR7 decoded into data breakpoints
 * (armed in the MMU, which reports matching accesses) and I/O breakpoints
 * (checked on port accesses when CR4.DE is set).  Instruction breakpoints
 * and the single-step trap live in exec.c's step_one, which also delivers
 * the #DB trap for the bits collected here in cpu->pending_db. */
#include "exec.h"

static void data_breakpoint_hit(void *opaque, uint32_t bits)
{
    cpu_t *cpu = opaque;
    cpu->pending_db |= bits;
}

static bool slot_enabled(uint32_t dr7, int n) { return (dr7 >> (2 * n)) & 3; }
static unsigned slot_rw(uint32_t dr7, int n) { return (dr7 >> (16 + 4 * n)) & 3; }

/* LEN: 1, 2 or 4 bytes (10b is undefined on P6; taken as 8 as later CPUs do). */
static uint32_t slot_len(uint32_t dr7, int n)
{
    static const uint8_t bytes[4] = {1, 2, 8, 4};
    return bytes[(dr7 >> (18 + 4 * n)) & 3];
}

enum { RW_EXEC = 0, RW_WRITE = 1, RW_IO = 2, RW_READ_WRITE = 3 };

void cpu_debug_changed(cpu_t *cpu)
{
    uint32_t dr7 = cpu->dr[7];
    mmu_watch_t w = {.hit = data_breakpoint_hit};
    for (int n = 0; n < MMU_WATCH_SLOTS; n++) {
        unsigned rw = slot_rw(dr7, n);
        if (!slot_enabled(dr7, n) || (rw != RW_WRITE && rw != RW_READ_WRITE))
            continue;
        uint32_t len = slot_len(dr7, n);
        w.lo[n] = cpu->dr[n] & ~(len - 1); /* the address is aligned to LEN */
        w.hi[n] = w.lo[n] + len - 1;
        w.reads[n] = rw == RW_READ_WRITE;
        w.armed |= (uint8_t)(1u << n);
    }
    if (w.armed || cpu->mmu.watch.armed)
        mmu_set_watch(&cpu->mmu, &w); /* flushes the TLB */
    else
        cpu->mmu.watch.hit = data_breakpoint_hit;
    cpu_update_stepping(cpu);
}

void debug_io_access(cpu_t *cpu, uint16_t port, unsigned size)
{
    uint32_t dr7 = cpu->dr[7];
    if (!(cpu->cr4 & CR4_DE) || !(dr7 & 0xFF))
        return;
    uint32_t last = (uint32_t)port + size - 1;
    for (int n = 0; n < 4; n++) {
        if (!slot_enabled(dr7, n) || slot_rw(dr7, n) != RW_IO)
            continue;
        uint32_t len = slot_len(dr7, n);
        uint32_t lo = (cpu->dr[n] & 0xFFFF) & ~(len - 1);
        if (lo <= last && lo + len - 1 >= port)
            cpu->pending_db |= 1u << n;
    }
}
