/* The page-table walker: 32-bit two-level paging with 4 KiB and 4 MiB (PSE)
 * pages, and PAE three-level paging with 4 KiB and 2 MiB pages and NX
 * (Intel SDM vol. 3, chapter 4).  The same walk serves the CPU (setting
 * Accessed/Dirty bits) and the explainer (recording every step, changing
 * nothing).  Then the TLB, and the slow paths of the access helpers.
 *
 * Choices where the SDM leaves room:
 *  - MAXPHYADDR is 36 under PAE; our physical space ends at 4 GiB, so a
 *    table or page above it reads as all-ones and ignores writes.  Without
 *    PAE it is 32 (no PSE-36): bits 21:13 of a 4 MiB PDE are reserved.
 *  - The PAT bit (bit 12 of a large-page entry, bit 7 of a PTE) is accepted,
 *    as on a CPU with PAT: it selects a memory type, which we do not model.
 *  - A misaligned access with alignment checking on raises #AC before its
 *    translation is looked at, so a misaligned access to a missing page
 *    gives #AC, not #PF (the SDM lists both among an instruction's faults
 *    without ordering the two for one access).
 *  - A/D bits are written only when the access is allowed: a walk that ends
 *    in a page fault leaves every entry as it was (SDM 4.8 sets them for
 *    entries "used as part of linear-address translation"; a faulting walk
 *    produces no translation).
 */
#include "mmu.h"

#include <stdio.h>

/* Result of one walk. */
typedef struct walk {
    bool ok;
    uint32_t error;   /* #PF error code when !ok */
    uint64_t phys;    /* physical address of the byte */
    uint32_t page_size;
    bool writable, user, executable, global, dirty;
} walk_t;

/* PAE: physical-address bits 35:12, and the reserved bits 62:36. */
#define PAE_ADDR_MASK 0x0000000FFFFFF000ull
#define PAE_RSVD_HIGH 0x7FFFFFF000000000ull
/* A PAE PDPTE also reserves bits 63, 8:5 and 2:1. */
#define PAE_PDPTE_RSVD (PAE_RSVD_HIGH | 0x80000000000001E6ull)
/* Reserved in a 4 MiB PDE without PSE-36 (bits 21:13), in a 2 MiB PAE PDE
 * (bits 20:13). */
#define PSE_4M_RSVD 0x003FE000u
#define PAE_2M_RSVD 0x001FE000u

/* Reads the 4- or 8-byte paging-structure entry at physical `addr`.  With
 * `peek` no device is touched (the explainer's walk changes nothing). */
static uint64_t read_entry(physmem_t *pm, uint64_t addr, bool pae, bool peek)
{
    uint32_t ram_addr = (uint32_t)addr & pm->a20_mask;
    if (!(addr >> 32) && physmem_is_plain_ram(pm, ram_addr)) {
        /* Entries are aligned, so they never cross into the next page. */
        if (pae) {
            uint64_t v;
            memcpy(&v, pm->ram + ram_addr, 8);
            return v;
        }
        uint32_t v;
        memcpy(&v, pm->ram + ram_addr, 4);
        return v;
    }
    if (peek || (addr >> 32)) {
        uint8_t b[8];
        unsigned n = pae ? 8 : 4;
        physmem_peek(pm, addr, b, n);
        uint64_t v = 0;
        for (unsigned i = 0; i < n; i++)
            v |= (uint64_t)b[i] << (8 * i);
        return v;
    }
    uint64_t v = physmem_read(pm, (uint32_t)addr, 4);
    if (pae)
        v |= (uint64_t)physmem_read(pm, (uint32_t)addr + 4, 4) << 32;
    return v;
}

/* Sets the Accessed bit (and Dirty) of the entry at `addr` in memory; the
 * bits live in the low dword in both formats. */
static void set_ad(physmem_t *pm, uint64_t addr, uint64_t entry, uint32_t bits)
{
    if ((entry & bits) != bits && !(addr >> 32))
        physmem_write(pm, (uint32_t)addr, (uint32_t)entry | bits, 4);
}

/* The names of the set bits of an entry, for the explainer. */
static void describe_entry(const char *level, uint64_t e, char *buf, size_t size)
{
    static const char *const names[9] = {"P", "W", "U", "PWT", "PCD", "A", "D", "PS", "G"};
    size_t n = 0;
    buf[0] = '\0';
    for (int b = 0; b < 9; b++) {
        if (!(e & (1u << b)))
            continue;
        const char *name = b == 7 && level[1] == 'T' ? "PAT" : names[b]; /* "PTE" */
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", name);
        if (n >= size)
            return;
    }
    if (e & PTE_NX)
        snprintf(buf + n, size - n, "%sNX", n ? " " : "");
}

static void record(mmu_explain_t *ex, const char *level, uint64_t addr, uint64_t entry)
{
    if (!ex || ex->nsteps >= 3)
        return;
    walk_step_t *s = &ex->steps[ex->nsteps++];
    s->level = level;
    s->entry_addr = addr;
    s->entry = entry;
    describe_entry(level, entry, s->flags, sizeof s->flags);
}

static bool pae_pdpte_bad(uint64_t e)
{
    return (e & PTE_P) && (e & PAE_PDPTE_RSVD);
}

/* Walks the tables for `linear`.  `update` sets A/D bits (the CPU's walk);
 * without it nothing is written and no device is read (explainer, probe). */
static void walk(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access, bool update,
                 mmu_explain_t *ex, walk_t *w)
{
    physmem_t *pm = mmu->pm;
    bool pae = (mmu->cr4 & CR4_PAE) != 0;
    bool pse = pae || (mmu->cr4 & CR4_PSE); /* PAE always allows 2 MiB pages */
    bool nxe = pae && (mmu->efer & EFER_NXE);
    bool write = access == ACCESS_WRITE;
    memset(w, 0, sizeof *w);

    /* Error code bits that describe the access itself. */
    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0) | (access == ACCESS_FETCH && nxe ? PF_I : 0);

    uint64_t table;
    if (pae) {
        unsigned i = linear >> 30;
        uint64_t pdpte = mmu->pdpte[i];
        record(ex, "PDPTE", (mmu->cr3 & 0xFFFFFFE0u) + i * 8, pdpte);
        if (!(pdpte & PTE_P)) {
            w->error = err;
            return;
        }
        table = pdpte & PAE_ADDR_MASK;
    } else {
        table = mmu->cr3 & PAGE_MASK;
    }

    /* The directory level, then (unless it maps a large page) the table. */
    uint64_t addrs[2], ents[2];
    uint64_t rsvd = pae ? PAE_RSVD_HIGH | (nxe ? 0 : PTE_NX) : 0;
    unsigned shift = pae ? 21 : 22;
    int levels = 0;
    for (;;) {
        unsigned index = (linear >> shift) & (pae ? 0x1FFu : 0x3FFu);
        uint64_t a = table + (uint64_t)index * (pae ? 8 : 4);
        uint64_t e = read_entry(pm, a, pae, !update);
        bool leaf = shift == PAGE_SHIFT || ((e & PTE_PS) && pse);
        record(ex, shift == PAGE_SHIFT ? "PTE" : "PDE", a, e);
        addrs[levels] = a;
        ents[levels++] = e;
        if (!(e & PTE_P)) {
            w->error = err;
            return;
        }
        uint64_t bad = rsvd;
        if (leaf && shift != PAGE_SHIFT)
            bad |= pae ? PAE_2M_RSVD : PSE_4M_RSVD;
        if (e & bad) {
            w->error = err | PF_P | PF_RSVD;
            return;
        }
        uint64_t frame = e & (pae ? PAE_ADDR_MASK : PAGE_MASK);
        if (leaf) {
            w->page_size = 1u << shift;
            w->phys = (frame & ~(uint64_t)(w->page_size - 1)) | (linear & (w->page_size - 1));
            break;
        }
        table = frame;
        shift = PAGE_SHIFT;
    }

    /* Effective rights: the AND of every level (NX: the OR), SDM 4.6. */
    bool rw = true, us = true, nx = false;
    for (int l = 0; l < levels; l++) {
        rw &= (ents[l] & PTE_W) != 0;
        us &= (ents[l] & PTE_U) != 0;
        nx |= nxe && (ents[l] & PTE_NX);
    }
    uint64_t last = ents[levels - 1];
    bool wp = (mmu->cr0 & CR0_WP) != 0;
    w->user = us;
    w->writable = user ? (us && rw) : (rw || !wp);
    w->executable = !nx && (!user || us);
    w->global = (mmu->cr4 & CR4_PGE) && (last & PTE_G);
    w->dirty = (last & PTE_D) != 0;

    bool allowed = user ? us : true;
    if (write)
        allowed = allowed && w->writable;
    if (access == ACCESS_FETCH)
        allowed = allowed && w->executable;
    if (!allowed) {
        w->error = err | PF_P;
        return;
    }
    w->ok = true;
    if (update) {
        for (int l = 0; l < levels - 1; l++)
            set_ad(pm, addrs[l], ents[l], PTE_A);
        set_ad(pm, addrs[levels - 1], last, write ? PTE_A | PTE_D : PTE_A);
        if (write)
            w->dirty = true;
    }
}

/* What a walk of linear with paging off gives: the identity. */
static void identity(uint32_t linear, walk_t *w)
{
    *w = (walk_t){.ok = true, .phys = linear, .page_size = PAGE_SIZE, .writable = true,
                  .user = true, .executable = true, .dirty = true};
}

static void translate(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access,
                      bool update, mmu_explain_t *ex, walk_t *w)
{
    if (mmu->cr0 & CR0_PG)
        walk(mmu, linear, user, access, update, ex, w);
    else
        identity(linear, w);
}

void mmu_explain(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access,
                 mmu_explain_t *out)
{
    memset(out, 0, sizeof *out);
    out->linear = linear;
    out->paging = (mmu->cr0 & CR0_PG) != 0;
    out->pae = out->paging && (mmu->cr4 & CR4_PAE);
    out->cr3 = mmu->cr3;
    walk_t w;
    translate(mmu, linear, user, access, false, out, &w);
    out->ok = w.ok;
    out->fault_error = w.error;
    out->page_size = w.page_size;
    out->physical = w.phys;
    out->writable = w.writable;
    out->user = w.user;
    out->executable = w.executable;
    out->global = w.global;
    out->dirty = w.dirty;
    if (w.ok) {
        if (w.phys >> 32)
            out->where = (phys_where_t){.kind = PHYS_UNASSIGNED, .offset = (uint32_t)w.phys};
        else
            out->where = physmem_where(mmu->pm, (uint32_t)w.phys & mmu->pm->a20_mask);
    }
}

bool mmu_probe(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access,
               uint32_t *physical)
{
    walk_t w;
    translate(mmu, linear, user, access, false, NULL, &w);
    if (!w.ok || (w.phys >> 32))
        return false;
    *physical = (uint32_t)w.phys & mmu->pm->a20_mask;
    return true;
}

/* ---------------------------------------------------------------- TLB */

static void tlb_drop(tlb_entry_t *e)
{
    e->tag_r = e->tag_w = e->tag_x = e->page = TLB_NO_TAG;
    e->global = 0;
}

void mmu_flush_all(mmu_t *mmu, bool keep_global)
{
    for (int u = 0; u < 2; u++)
        for (uint32_t i = 0; i < TLB_ENTRIES; i++)
            if (!keep_global || !mmu->tlb[u][i].global)
                tlb_drop(&mmu->tlb[u][i]);
    if (!keep_global) { /* global large pages may survive otherwise */
        mmu->large_lo = 0xFFFFFFFFu;
        mmu->large_hi = 0;
    }
}

void mmu_set_access_hook(mmu_t *mmu,
                         void (*hook)(void *opaque, uint32_t linear, uint32_t physical, unsigned size,
                                      uint32_t value, bool write),
                         void *opaque)
{
    mmu->access_hook = hook;
    mmu->access_opaque = opaque;
    mmu_flush_all(mmu, false); /* closes (or reopens) every fast data path */
}

void mmu_set_align_check(mmu_t *mmu, bool on)
{
    if (mmu->align_check == on)
        return;
    mmu->align_check = on;
    for (uint32_t i = 0; i < TLB_ENTRIES; i++)
        tlb_drop(&mmu->tlb[1][i]);
}

void mmu_invlpg(mmu_t *mmu, uint32_t linear)
{
    uint32_t page = linear & PAGE_MASK;
    for (int u = 0; u < 2; u++) {
        tlb_entry_t *e = tlb_slot(mmu->tlb[u], linear);
        if (e->page == page)
            tlb_drop(e);
    }
    /* Entries are 4 KiB slices; when the address lies in a 2/4 MiB page,
     * INVLPG drops the whole page (SDM 4.10.4.1), so every slice of it. */
    if (linear < mmu->large_lo || linear > mmu->large_hi)
        return;
    for (int u = 0; u < 2; u++)
        for (uint32_t i = 0; i < TLB_ENTRIES; i++) {
            tlb_entry_t *e = &mmu->tlb[u][i];
            if (e->page != TLB_NO_TAG && e->page_shift > PAGE_SHIFT &&
                ((e->page ^ linear) >> e->page_shift) == 0)
                tlb_drop(e);
        }
}

void mmu_protect_code_page(mmu_t *mmu, uint32_t phys)
{
    phys &= PAGE_MASK;
    for (int u = 0; u < 2; u++)
        for (uint32_t i = 0; i < TLB_ENTRIES; i++)
            if (mmu->tlb[u][i].phys == phys)
                mmu->tlb[u][i].tag_w = TLB_NO_TAG;
}

void mmu_init(mmu_t *mmu, physmem_t *pm, mmu_fault_fn fault, void *fault_opaque)
{
    memset(mmu, 0, sizeof *mmu);
    mmu->pm = pm;
    mmu->fault = fault;
    mmu->fault_opaque = fault_opaque;
    mmu->cur = mmu->tlb[0];
    mmu_flush_all(mmu, false);
}

/* Loads the PDPTE registers from the table at CR3 when PAE paging is in use
 * with these control-register values.  False, loading nothing, when one is
 * present with a reserved bit set. */
static bool load_pdptes(mmu_t *mmu, uint32_t cr0, uint32_t cr3, uint32_t cr4)
{
    if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE))
        return true;
    uint32_t base = cr3 & 0xFFFFFFE0u;
    uint64_t p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = read_entry(mmu->pm, base + i * 8, true, false);
        if (pae_pdpte_bad(p[i]))
            return false;
    }
    memcpy(mmu->pdpte, p, sizeof p);
    return true;
}

bool mmu_set_cr0(mmu_t *mmu, uint32_t cr0)
{
    uint32_t changed = mmu->cr0 ^ cr0;
    if ((changed & (CR0_PG | CR0_CD | CR0_NW)) && !load_pdptes(mmu, cr0, mmu->cr3, mmu->cr4))
        return false;
    mmu->cr0 = cr0;
    /* The TLB holds rights evaluated under WP, so a WP change flushes too. */
    if (changed & (CR0_PG | CR0_WP))
        mmu_flush_all(mmu, false);
    return true;
}

bool mmu_set_cr3(mmu_t *mmu, uint32_t cr3)
{
    if (!load_pdptes(mmu, mmu->cr0, cr3, mmu->cr4))
        return false;
    mmu->cr3 = cr3;
    mmu_flush_all(mmu, true);
    return true;
}

bool mmu_set_cr4(mmu_t *mmu, uint32_t cr4)
{
    uint32_t changed = mmu->cr4 ^ cr4;
    uint32_t paging_bits = CR4_PGE | CR4_PAE | CR4_PSE;
    if ((changed & paging_bits) && !load_pdptes(mmu, mmu->cr0, mmu->cr3, cr4))
        return false;
    mmu->cr4 = cr4;
    if (changed & paging_bits)
        mmu_flush_all(mmu, false);
    return true;
}

void mmu_set_efer(mmu_t *mmu, uint64_t efer)
{
    bool flush = ((mmu->efer ^ efer) & EFER_NXE) != 0;
    mmu->efer = efer;
    if (flush)
        mmu_flush_all(mmu, false);
}

void mmu_set_user(mmu_t *mmu, bool user)
{
    mmu->cur = mmu->tlb[user];
}

static bool tlb_is_user(const mmu_t *mmu, const tlb_entry_t *t)
{
    return t == mmu->tlb[1];
}

static uint32_t perm_needed(mmu_access_t access)
{
    switch (access) {
    case ACCESS_WRITE: return TLB_PERM_W | TLB_PERM_DIRTY;
    case ACCESS_FETCH: return TLB_PERM_X;
    default: return TLB_PERM_R;
    }
}

static bool tlb_allows(const tlb_entry_t *e, uint32_t linear, mmu_access_t access)
{
    uint32_t need = perm_needed(access);
    return e->page == (linear & PAGE_MASK) && (e->perm & need) == need;
}

/* Walks for `access` and refills the entry of `linear` in TLB `t`; raises #PF. */
static tlb_entry_t *fill(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, mmu_access_t access)
{
    bool user = tlb_is_user(mmu, t);
    walk_t w;
    mmu->walks++;
    translate(mmu, linear, user, access, true, NULL, &w);
    if (!w.ok)
        mmu->fault(mmu->fault_opaque, linear, w.error); /* does not return */

    tlb_entry_t *e = tlb_slot(t, linear);
    uint32_t page = linear & PAGE_MASK;
    e->page = page;
    e->global = w.global;
    e->page_shift = (uint8_t)__builtin_ctz(w.page_size);
    if (w.page_size > PAGE_SIZE) {
        uint32_t base = linear & ~(w.page_size - 1);
        if (base < mmu->large_lo)
            mmu->large_lo = base;
        if (base + (w.page_size - 1) > mmu->large_hi)
            mmu->large_hi = base + (w.page_size - 1);
    }
    e->perm = TLB_PERM_R | (w.writable ? TLB_PERM_W : 0) | (w.executable ? TLB_PERM_X : 0) |
              (w.dirty ? TLB_PERM_DIRTY : 0);
    e->tag_r = e->tag_w = e->tag_x = TLB_NO_TAG;
    e->host = 0;
    if (w.phys >> 32) { /* beyond our 32-bit physical space: unassigned */
        e->phys = TLB_NO_TAG;
        return e;
    }
    uint32_t phys = (uint32_t)w.phys & mmu->pm->a20_mask & PAGE_MASK;
    e->phys = phys;
    uint8_t *rd = physmem_page_ptr(mmu->pm, phys, false);
    if (!rd)
        return e; /* device registers or nothing: always the slow path */
    e->host = (uintptr_t)rd - page;
    if (e->perm & TLB_PERM_X)
        e->tag_x = page;
    if (mmu->access_hook || (mmu->align_check && user))
        return e; /* data accesses must reach the slow path: observed, alignment-checked */
    e->tag_r = page;
    if ((e->perm & TLB_PERM_W) && (e->perm & TLB_PERM_DIRTY) && physmem_page_ptr(mmu->pm, phys, true))
        e->tag_w = page;
    if (MMU_UNLIKELY(mmu->watch.armed) && mmu_page_watched(mmu, page))
        e->tag_r = e->tag_w = TLB_NO_TAG; /* data breakpoint: every access is checked */
    return e;
}

/* The entry translating `linear` for `access`, walking when the TLB cannot
 * answer (a miss, or a write to a page whose D bit is still clear). */
static tlb_entry_t *lookup(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, mmu_access_t access)
{
    tlb_entry_t *e = tlb_slot(t, linear);
    if (tlb_allows(e, linear, access))
        return e;
    mmu->misses++;
    return fill(mmu, t, linear, access);
}

uint32_t mmu_translate(mmu_t *mmu, uint32_t linear, mmu_access_t access, bool user)
{
    tlb_entry_t *e = lookup(mmu, mmu->tlb[user], linear, access);
    return e->phys == TLB_NO_TAG ? 0xFFFFFFFFu : e->phys | (linear & 0xFFF);
}

static uint32_t entry_read(mmu_t *mmu, const tlb_entry_t *e, uint32_t linear, unsigned size)
{
    if (e->phys == TLB_NO_TAG)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return physmem_read(mmu->pm, e->phys | (linear & 0xFFF), size);
}

static void entry_write(mmu_t *mmu, const tlb_entry_t *e, uint32_t linear, uint32_t v, unsigned size)
{
    if (e->phys != TLB_NO_TAG)
        physmem_write(mmu->pm, e->phys | (linear & 0xFFF), v, size);
}

/* Tells the access observer about a finished access. */
static void observe(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, unsigned size, uint32_t value, bool write)
{
    const tlb_entry_t *e = tlb_slot(t, linear);
    uint32_t phys = e->phys == TLB_NO_TAG ? 0xFFFFFFFFu : e->phys | (linear & 0xFFF);
    mmu->access_hook(mmu->access_opaque, linear, phys, size, value, write);
}

uint32_t mmu_slow_read(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, unsigned size)
{
    mmu->slow_accesses++;
    mmu_check_align(mmu, t, linear, size);
    if (!mmu_in_page(linear, size)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)mmu_read8(mmu, t, linear + i) << (8 * i);
        return v;
    }
    uint32_t v = entry_read(mmu, lookup(mmu, t, linear, ACCESS_READ), linear, size);
    if (MMU_UNLIKELY(mmu->watch.armed))
        mmu_watch_access(mmu, linear, size, false);
    if (MMU_UNLIKELY(mmu->access_hook != NULL))
        observe(mmu, t, linear, size, v, false); /* page-crossing reads are observed byte by byte */
    return v;
}

void mmu_check_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t len)
{
    if (len == 0)
        return;
    uint32_t first = linear & PAGE_MASK, last = (linear + len - 1) & PAGE_MASK;
    if (first != last) {
        /* Every page must allow the write before any walk sets an A/D bit,
         * so a fault on a later page leaves the earlier ones untouched. */
        for (uint32_t p = first;; p += PAGE_SIZE) {
            uint32_t a = p == first ? linear : p;
            if (!tlb_allows(tlb_slot(t, a), a, ACCESS_WRITE)) {
                walk_t w;
                translate(mmu, a, tlb_is_user(mmu, t), ACCESS_WRITE, false, NULL, &w);
                if (!w.ok)
                    mmu->fault(mmu->fault_opaque, a, w.error); /* does not return */
            }
            if (p == last)
                break;
        }
    }
    for (uint32_t p = first;; p += PAGE_SIZE) {
        lookup(mmu, t, p == first ? linear : p, ACCESS_WRITE);
        if (p == last)
            break;
    }
}

void mmu_slow_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t value, unsigned size)
{
    mmu->slow_accesses++;
    mmu_check_align(mmu, t, linear, size);
    if (!mmu_in_page(linear, size)) {
        /* Both pages must be writable before either is changed. */
        mmu_check_write(mmu, t, linear, size);
        for (unsigned i = 0; i < size; i++)
            entry_write(mmu, lookup(mmu, t, linear + i, ACCESS_WRITE), linear + i,
                        (value >> (8 * i)) & 0xFF, 1);
        if (MMU_UNLIKELY(mmu->watch.armed))
            mmu_watch_access(mmu, linear, size, true);
        if (MMU_UNLIKELY(mmu->access_hook != NULL))
            observe(mmu, t, linear, size, value, true);
        return;
    }
    tlb_entry_t *e = lookup(mmu, t, linear, ACCESS_WRITE);
    entry_write(mmu, e, linear, value, size);
    if (MMU_UNLIKELY(mmu->watch.armed))
        mmu_watch_access(mmu, linear, size, true);
    if (MMU_UNLIKELY(mmu->access_hook != NULL))
        observe(mmu, t, linear, size, value, true); /* its closed read path keeps the write path closed */
    /* The write may have been to a code page whose decoded copies are now
     * gone; reopen the fast path for the next write. */
    if (e->tag_w == TLB_NO_TAG && e->tag_r == e->page && physmem_page_ptr(mmu->pm, e->phys, true))
        e->tag_w = e->page;
}

uint64_t mmu_read64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear)
{
    const tlb_entry_t *e = tlb_slot(t, linear);
    if (MMU_LIKELY(e->tag_r == mmu_fast_tag(linear, 8))) {
        uint64_t v;
        memcpy(&v, (const void *)(e->host + linear), 8);
        return v;
    }
    mmu_check_align(mmu, t, linear, 8);
    uint32_t lo = mmu_read32(mmu, t, linear);
    uint32_t hi = mmu_read32(mmu, t, linear + 4);
    return (uint64_t)hi << 32 | lo;
}

void mmu_write64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint64_t value)
{
    const tlb_entry_t *e = tlb_slot(t, linear);
    if (MMU_LIKELY(e->tag_w == mmu_fast_tag(linear, 8))) {
        memcpy((void *)(e->host + linear), &value, 8);
        return;
    }
    mmu_check_align(mmu, t, linear, 8);
    mmu_check_write(mmu, t, linear, 8);
    mmu_write32(mmu, t, linear, (uint32_t)value);
    mmu_write32(mmu, t, linear + 4, (uint32_t)(value >> 32));
}

const uint8_t *mmu_fetch_page(mmu_t *mmu, uint32_t linear, uint32_t *phys)
{
    tlb_entry_t *e = lookup(mmu, mmu->cur, linear, ACCESS_FETCH);
    *phys = e->phys;
    if (e->tag_x != e->page)
        return NULL;
    return (const uint8_t *)(e->host + (linear & PAGE_MASK));
}
