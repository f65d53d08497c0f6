/* The decoded-instruction cache: blocks of decoded instructions keyed by
 * the physical address of their first byte and the code size (CS.D).
 * A block never crosses a 4 KiB page, so the page it was decoded from is the
 * only one whose writes can make it stale; every block of a RAM page is on
 * that page's list and goes when the page is written (self-modifying code).
 * Blocks live in one arena; when it is full the whole cache is dropped,
 * which is cheaper than tracking free space and happens rarely.
 */
#ifndef X86SIM_ICACHE_H
#define X86SIM_ICACHE_H

#include "exec.h"

#define BLOCK_MAX_INSNS 64
#define BLOCK_LINKS 4

/* What a block is looked up by: its physical address and the code size. */
static inline uint64_t block_key(uint32_t phys, bool code32)
{
    return phys | (uint64_t)code32 << 32;
}
/* The key of a dropped block, equal to no block_key. */
#define BLOCK_KEY_DEAD (~(uint64_t)0)

typedef struct block {
    uint64_t key;    /* block_key(phys, code32), or BLOCK_KEY_DEAD */
    uint32_t phys;   /* physical address of the first instruction */
    uint16_t count;  /* instructions */
    uint16_t bytes;  /* bytes covered */
    bool code32;
    uint8_t next_slot; /* the link the next new successor replaces */
    /* The last blocks that followed this one (the loop's shortcut past
     * the lookup); candidates only, checked by key before use. */
    const struct block *next[BLOCK_LINKS];
    struct block *hash_next;
    struct block *page_next; /* blocks of the same RAM page */
    insn_t insns[];
} block_t;

struct icache {
    uint8_t *arena;
    size_t arena_size, arena_used;
    block_t **hash;
    block_t **page_head; /* per RAM page */
    uint32_t npages;
    /* statistics */
    uint64_t blocks_built, flushes, invalidations;
};

/* Sizes the per-page lists for `ram_pages` pages of RAM. */
bool icache_attach(icache_t *ic, uint32_t ram_pages);
block_t *icache_lookup(const icache_t *ic, uint32_t phys, bool code32);
/* Space for a block of up to BLOCK_MAX_INSNS; flushes the cache when the
 * arena is full (so call it only between blocks). */
block_t *icache_begin(icache_t *ic);
/* Finishes the block icache_begin returned, now holding `count` insns. */
void icache_commit(icache_t *ic, block_t *b, uint32_t count, bool track_page);

#endif
