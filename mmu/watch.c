/* Data breakpoints: the MMU's side of the CPU's DR0-DR3 read/write
 * breakpoints (see mmu_watch_t in mmu.h).  The TLB closes the fast paths of
 * watched pages; the slow paths call mmu_watch_access after each access. */
#include "mmu.h"

void mmu_set_watch(mmu_t *mmu, const mmu_watch_t *w)
{
    mmu->watch = *w;
    mmu_flush_all(mmu, false);
}

bool mmu_page_watched(const mmu_t *mmu, uint32_t page)
{
    uint32_t last = page | (PAGE_SIZE - 1);
    for (int n = 0; n < MMU_WATCH_SLOTS; n++)
        if ((mmu->watch.armed & (1u << n)) && mmu->watch.lo[n] <= last && mmu->watch.hi[n] >= page)
            return true;
    return false;
}

void mmu_watch_access(mmu_t *mmu, uint32_t linear, unsigned size, bool write)
{
    uint32_t last = linear + size - 1;
    uint32_t bits = 0;
    for (int n = 0; n < MMU_WATCH_SLOTS; n++)
        if ((mmu->watch.armed & (1u << n)) && (write || mmu->watch.reads[n]) &&
            mmu->watch.lo[n] <= last && mmu->watch.hi[n] >= linear)
            bits |= 1u << n;
    if (bits && mmu->watch.hit)
        mmu->watch.hit(mmu->fault_opaque, bits);
}
