/* The decoded-instruction cache (see icache.h). */
#include <stdlib.h>

#include "icache.h"

#define HASH_BITS 16
#define HASH_SIZE (1u << HASH_BITS)
#define ARENA_SIZE (24u << 20)

static uint32_t hash_of(uint32_t phys, bool code32)
{
    return ((phys ^ (code32 ? 0x80000000u : 0)) * 0x9E3779B1u) >> (32 - HASH_BITS);
}

icache_t *icache_create(void)
{
    icache_t *ic = calloc(1, sizeof *ic);
    if (!ic)
        return NULL;
    ic->arena = malloc(ARENA_SIZE);
    ic->hash = calloc(HASH_SIZE, sizeof *ic->hash);
    if (!ic->arena || !ic->hash) {
        icache_destroy(ic);
        return NULL;
    }
    ic->arena_size = ARENA_SIZE;
    return ic;
}

void icache_destroy(icache_t *ic)
{
    if (!ic)
        return;
    free(ic->arena);
    free(ic->hash);
    free(ic->page_head);
    free(ic);
}

bool icache_attach(icache_t *ic, uint32_t ram_pages)
{
    block_t **heads = calloc(ram_pages ? ram_pages : 1, sizeof *heads);
    if (!heads)
        return false;
    free(ic->page_head);
    ic->page_head = heads;
    ic->npages = ram_pages;
    icache_flush(ic);
    return true;
}

void icache_flush(icache_t *ic)
{
    memset(ic->hash, 0, HASH_SIZE * sizeof *ic->hash);
    if (ic->page_head)
        memset(ic->page_head, 0, ic->npages * sizeof *ic->page_head);
    ic->arena_used = 0;
    ic->flushes++;
}

block_t *icache_lookup(const icache_t *ic, uint32_t phys, bool code32)
{
    uint64_t key = block_key(phys, code32);
    for (block_t *b = ic->hash[hash_of(phys, code32)]; b; b = b->hash_next)
        if (b->key == key)
            return b;
    return NULL;
}

static size_t block_size(uint32_t count)
{
    size_t s = sizeof(block_t) + count * sizeof(insn_t);
    return (s + 15) & ~(size_t)15;
}

block_t *icache_begin(icache_t *ic)
{
    if (ic->arena_used + block_size(BLOCK_MAX_INSNS) > ic->arena_size)
        icache_flush(ic);
    return (block_t *)(ic->arena + ic->arena_used);
}

void icache_commit(icache_t *ic, block_t *b, uint32_t count, bool track_page)
{
    b->count = (uint16_t)count;
    b->key = block_key(b->phys, b->code32);
    b->next_slot = 0;
    memset(b->next, 0, sizeof b->next);
    ic->arena_used += block_size(count);
    ic->blocks_built++;
    uint32_t h = hash_of(b->phys, b->code32);
    b->hash_next = ic->hash[h];
    ic->hash[h] = b;
    b->page_next = NULL;
    uint32_t page = b->phys >> PAGE_SHIFT;
    if (track_page && page < ic->npages) {
        b->page_next = ic->page_head[page];
        ic->page_head[page] = b;
    }
}

static void unhash(icache_t *ic, block_t *b)
{
    for (block_t **p = &ic->hash[hash_of(b->phys, b->code32)]; *p; p = &(*p)->hash_next)
        if (*p == b) {
            *p = b->hash_next;
            return;
        }
}

void icache_invalidate_page(icache_t *ic, uint32_t page)
{
    if (page >= ic->npages)
        return;
    /* The blocks' memory stays in the arena until the next flush, so a block
     * that is executing right now remains readable until it ends. */
    for (block_t *b = ic->page_head[page]; b; b = b->page_next) {
        unhash(ic, b);
        b->key = BLOCK_KEY_DEAD; /* links to it from other blocks go stale */
        ic->invalidations++;
    }
    ic->page_head[page] = NULL;
}
