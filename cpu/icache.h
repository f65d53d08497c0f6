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

/* ---------------------------------------------------------------- running
 *
 * cpu->block is the running block; its handlers run from one to the next
 * (run_next in exec.h) up to cpu->block_end.  See run_block in exec.c. */

/* Makes b the running block, up to `end`; its first instruction becomes
 * the current one. */
static inline void start_block(cpu_t *cpu, const block_t *b, const insn_t *end)
{
    cpu->block = b;
    cpu->block_icount = cpu->icount;
    cpu->block_end = end;
    begin_insn(cpu, b->insns);
}

/* Retires the running instruction, a control transfer to the start of
 * block n, and runs n from there as a tail call: no return to the loop,
 * which would find the same block through the same checks.  Nothing the
 * loop looks at between blocks can have changed: what raises an interrupt
 * or changes the mode, paging or code ends the block's run before any
 * control transfer; and below cpu->chain_until a whole block fits the
 * budget. */
static inline void enter_successor(cpu_t *cpu, const block_t *n)
{
    cpu->icount++;
    start_block(cpu, n, n->insns + n->count);
    n->insns[0].fn(cpu, n->insns);
}

/* The key of the block at linear address `lin` on the running block's
 * linear page: the running block's physical page, code size and `lin`'s
 * offset. */
static inline uint64_t key_on_block_page(const cpu_t *cpu, uint32_t lin)
{
    return (cpu->block->key & ~(uint64_t)(PAGE_SIZE - 1)) | (lin & (PAGE_SIZE - 1));
}

/* A taken direct jump `i` to `target` (CS:EIP may still be the next
 * instruction's; CALL has set it already).  When
 * the target is on the running block's linear page and i's link names its
 * block (still cached: a dropped block's key matches nothing), the target
 * block runs from here.  Otherwise the jump is made and ends the block's
 * run; on the same page, the loop links i to the block it finds there
 * (run_blocks).  Targets on other pages are left to the loop: following
 * them through the TLB cost more host instructions in a Linux boot than it
 * saved. */
static inline void take_jump(cpu_t *cpu, const insn_t *i, uint32_t target)
{
    const segment_t *cs = &cpu->seg[SEG_CS];
    uint32_t lin = cs->base + target;
    bool same_page = ((lin ^ cpu->block_lin) & PAGE_MASK) == 0;
    if (LIKELY(same_page && i->link != 0)) {
        const block_t *n = (const block_t *)((const char *)i + i->link);
        /* The block within the limit: the target is too. */
        if (LIKELY(n->key == key_on_block_page(cpu, lin) && cpu->icount < cpu->chain_until &&
                   (uint64_t)target + n->bytes - 1 <= cs->limit)) {
            cpu->eip = target;
            enter_successor(cpu, n);
            return;
        }
    }
    jump_near(cpu, target);
    if (same_page)
        cpu->link_site = (insn_t *)i;
    branch_taken(cpu, i);
}

/* The key of the block at linear address `lin` after the running block:
 * on the running block's linear page it follows from that block's, on
 * another the TLB's fetch entry gives the physical page.  False on a TLB
 * miss (find_block then walks the page tables). */
static inline bool successor_key(const cpu_t *cpu, uint32_t lin, uint64_t *key)
{
    if (LIKELY(((lin ^ cpu->block_lin) & PAGE_MASK) == 0)) {
        *key = key_on_block_page(cpu, lin);
        return true;
    }
    const tlb_entry_t *e = tlb_slot(cpu->mmu.cur, lin);
    if (e->tag_x != (lin & PAGE_MASK))
        return false;
    *key = block_key(e->phys | (lin & (PAGE_SIZE - 1)), cpu->code32);
    return true;
}

/* The block among prev's successor links (the last blocks that followed
 * it) with this key, within the CS limit from EIP; NULL when none is. */
static inline const block_t *linked_successor(const cpu_t *cpu, const block_t *prev, uint64_t key)
{
    for (int k = 0; k < BLOCK_LINKS; k++) {
        const block_t *n = prev->next[k];
        if (n && n->key == key && (uint64_t)cpu->eip + n->bytes - 1 <= cpu->seg[SEG_CS].limit)
            return n;
    }
    return NULL;
}

/* After a control transfer whose target varies (RET, an indirect JMP or
 * CALL; EIP at the target), the last instruction of its block: when one of
 * the block's successor links is the target's block, that block runs from
 * here; otherwise the loop finds it. */
static inline void take_transfer(cpu_t *cpu)
{
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip;
    uint64_t key;
    if (cpu->icount >= cpu->chain_until || !successor_key(cpu, lin, &key))
        return;
    const block_t *n = linked_successor(cpu, cpu->block, key);
    if (n) {
        cpu->block_lin = lin;
        enter_successor(cpu, n);
    }
}

/* Sizes the per-page lists for `ram_pages` pages of RAM. */
bool icache_attach(icache_t *ic, uint32_t ram_pages);
block_t *icache_lookup(const icache_t *ic, uint32_t phys, bool code32);
/* Space for a block of up to BLOCK_MAX_INSNS; flushes the cache when the
 * arena is full (so call it only between blocks). */
block_t *icache_begin(icache_t *ic);
/* Finishes the block icache_begin returned, now holding `count` insns. */
void icache_commit(icache_t *ic, block_t *b, uint32_t count, bool track_page);

#endif
