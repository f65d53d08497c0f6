/* The page-table walker: 32-bit two-level paging with 4 KiB and 4 MiB (PSE)
 * pages, and PAE three-level paging with 4 KiB and 2 MiB pages and NX.
 * The same walk serves the CPU (setting Accessed/Dirty bits) and the
 * explainer (recording every step, changing nothing).
 */
#include "mmu.h"

/* Result of one walk. */
typedef struct walk {
    bool ok;
    uint32_t error;   /* #PF error code when !ok */
    uint64_t phys;    /* physical address of the byte */
    uint32_t page_size;
    bool writable, user, executable, global, dirty;
} walk_t;

/* PAE physical-address bits we support: MAXPHYADDR is 36 (PAE on a P6). */
#define PAE_ADDR_MASK 0x0000000FFFFFF000ull
#define PAE_RSVD_HIGH 0x7FFFFFF000000000ull /* bits 62:36 */
#define PAE_PDPTE_RSVD (PAE_RSVD_HIGH | 0x80000000000001E6ull)

static uint64_t read_entry(physmem_t *pm, uint32_t addr, bool pae)
{
    uint64_t v = physmem_read(pm, addr, 4);
    if (pae)
        v |= (uint64_t)physmem_read(pm, addr + 4, 4) << 32;
    return v;
}

static void record(mmu_explain_t *ex, const char *level, uint32_t addr, uint64_t entry)
{
    if (ex && ex->nsteps < 3)
        ex->steps[ex->nsteps++] = (walk_step_t){level, addr, entry};
}

/* Sets the Accessed bit (and Dirty on the last level for writes) in memory.
 * Done only after the whole walk succeeded, as the hardware does. */
static void set_ad(physmem_t *pm, uint32_t addr, uint64_t entry, uint32_t bits)
{
    if ((entry & bits) != bits)
        physmem_write(pm, addr, (uint32_t)entry | bits, 4);
}

static bool pae_pdpte_bad(uint64_t e)
{
    return (e & PTE_P) && (e & PAE_PDPTE_RSVD);
}

static void walk(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access, bool update,
                 mmu_explain_t *ex, walk_t *w)
{
    physmem_t *pm = mmu->pm;
    bool pae = (mmu->cr4 & CR4_PAE) != 0;
    bool nxe = pae && (mmu->efer & EFER_NXE);
    bool write = access == ACCESS_WRITE;
    memset(w, 0, sizeof *w);

    /* Error code bits that describe the access itself. */
    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0) | (access == ACCESS_FETCH && nxe ? PF_I : 0);

    uint32_t addrs[3];
    uint64_t ents[3];
    int levels = 0;
    uint64_t nx_rsvd = nxe ? 0 : PTE_NX; /* bit 63 is reserved without NXE */
    bool rw = true, us = true, nx = false, big = false;
    uint32_t table;

    if (pae) {
        int i = linear >> 30;
        uint64_t pdpte = mmu->pdpte[i];
        record(ex, "PDPTE", (mmu->cr3 & 0xFFFFFFE0u) + i * 8, pdpte);
        if (!(pdpte & PTE_P)) {
            w->error = err;
            return;
        }
        table = (uint32_t)(pdpte & PAE_ADDR_MASK);
        uint32_t a = table + ((linear >> 21) & 0x1FF) * 8;
        uint64_t pde = read_entry(pm, a, true);
        record(ex, "PDE", a, pde);
        addrs[levels] = a, ents[levels++] = pde;
        if (!(pde & PTE_P)) {
            w->error = err;
            return;
        }
        if (pde & PTE_PS) {
            if (pde & (PAE_RSVD_HIGH | nx_rsvd | 0x1FE000ull)) {
                w->error = err | PF_P | PF_RSVD;
                return;
            }
            big = true;
            w->page_size = 2u << 20;
            w->phys = (pde & 0xFFFE00000ull) | (linear & 0x1FFFFF);
        } else {
            if (pde & (PAE_RSVD_HIGH | nx_rsvd)) {
                w->error = err | PF_P | PF_RSVD;
                return;
            }
            a = (uint32_t)(pde & PAE_ADDR_MASK) + ((linear >> 12) & 0x1FF) * 8;
            uint64_t pte = read_entry(pm, a, true);
            record(ex, "PTE", a, pte);
            addrs[levels] = a, ents[levels++] = pte;
            if (!(pte & PTE_P)) {
                w->error = err;
                return;
            }
            if (pte & (PAE_RSVD_HIGH | nx_rsvd)) {
                w->error = err | PF_P | PF_RSVD;
                return;
            }
            w->page_size = PAGE_SIZE;
            w->phys = (pte & PAE_ADDR_MASK) | (linear & 0xFFF);
        }
    } else {
        uint32_t a = (mmu->cr3 & PAGE_MASK) + (linear >> 22) * 4;
        uint64_t pde = read_entry(pm, a, false);
        record(ex, "PDE", a, pde);
        addrs[levels] = a, ents[levels++] = pde;
        if (!(pde & PTE_P)) {
            w->error = err;
            return;
        }
        if ((pde & PTE_PS) && (mmu->cr4 & CR4_PSE)) {
            /* Without PSE-36, bits 21:13 of a 4 MiB PDE are reserved. */
            if (pde & 0x3FE000u) {
                w->error = err | PF_P | PF_RSVD;
                return;
            }
            big = true;
            w->page_size = 4u << 20;
            w->phys = (pde & 0xFFC00000u) | (linear & 0x3FFFFF);
        } else {
            a = ((uint32_t)pde & PAGE_MASK) + ((linear >> 12) & 0x3FF) * 4;
            uint64_t pte = read_entry(pm, a, false);
            record(ex, "PTE", a, pte);
            addrs[levels] = a, ents[levels++] = pte;
            if (!(pte & PTE_P)) {
                w->error = err;
                return;
            }
            w->page_size = PAGE_SIZE;
            w->phys = ((uint32_t)pte & PAGE_MASK) | (linear & 0xFFF);
        }
    }
    (void)big;

    /* Effective rights: the AND of every level (NX: the OR). */
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
        allowed = allowed && !nx;
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

void mmu_flush_all(mmu_t *mmu, bool keep_global)
{
    for (int u = 0; u < 2; u++)
        for (uint32_t i = 0; i < TLB_ENTRIES; i++) {
            tlb_entry_t *e = &mmu->tlb[u][i];
            if (keep_global && e->global)
                continue;
            e->tag_r = e->tag_w = e->tag_x = e->page = TLB_NO_TAG;
            e->global = 0;
        }
}

void mmu_invlpg(mmu_t *mmu, uint32_t linear)
{
    /* A large page may be cached in any slot it covers, so drop every entry
     * of this linear page (4 KiB granular entries are all we fill). */
    for (int u = 0; u < 2; u++) {
        tlb_entry_t *e = tlb_slot(mmu->tlb[u], linear);
        if (e->page == (linear & PAGE_MASK)) {
            e->tag_r = e->tag_w = e->tag_x = e->page = TLB_NO_TAG;
            e->global = 0;
        }
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

static bool load_pdptes(mmu_t *mmu)
{
    uint32_t base = mmu->cr3 & 0xFFFFFFE0u;
    uint64_t p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = read_entry(mmu->pm, base + i * 8, true);
        if (pae_pdpte_bad(p[i]))
            return false;
    }
    memcpy(mmu->pdpte, p, sizeof p);
    return true;
}

static bool pae_paging(const mmu_t *mmu)
{
    return (mmu->cr0 & CR0_PG) && (mmu->cr4 & CR4_PAE);
}

void mmu_set_cr0(mmu_t *mmu, uint32_t cr0)
{
    uint32_t changed = mmu->cr0 ^ cr0;
    mmu->cr0 = cr0;
    if (changed & (CR0_PG | CR0_WP | CR0_PE)) {
        if ((changed & CR0_PG) && pae_paging(mmu))
            load_pdptes(mmu);
        mmu_flush_all(mmu, false);
    }
}

bool mmu_set_cr3(mmu_t *mmu, uint32_t cr3)
{
    uint32_t old = mmu->cr3;
    mmu->cr3 = cr3;
    if (pae_paging(mmu) && !load_pdptes(mmu)) {
        mmu->cr3 = old;
        return false;
    }
    mmu_flush_all(mmu, true);
    return true;
}

void mmu_set_cr4(mmu_t *mmu, uint32_t cr4)
{
    uint32_t changed = mmu->cr4 ^ cr4;
    mmu->cr4 = cr4;
    if (changed & (CR4_PGE | CR4_PAE | CR4_PSE)) {
        if ((changed & CR4_PAE) && pae_paging(mmu))
            load_pdptes(mmu);
        mmu_flush_all(mmu, false);
    }
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
        return e;
    e->host = (uintptr_t)rd - page;
    e->tag_r = page;
    if (e->perm & TLB_PERM_X)
        e->tag_x = page;
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
    uint32_t need = perm_needed(access);
    if (e->page == (linear & PAGE_MASK) && (e->perm & need) == need)
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

uint32_t mmu_slow_read(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, unsigned size)
{
    if (!mmu_in_page(linear, size)) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint32_t)mmu_read8(mmu, t, linear + i) << (8 * i);
        return v;
    }
    uint32_t v = entry_read(mmu, lookup(mmu, t, linear, ACCESS_READ), linear, size);
    if (MMU_UNLIKELY(mmu->watch.armed))
        mmu_watch_access(mmu, linear, size, false);
    return v;
}

void mmu_check_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t len)
{
    if (len == 0)
        return;
    uint32_t last = linear + len - 1;
    for (uint32_t p = linear & PAGE_MASK;; p += PAGE_SIZE) {
        lookup(mmu, t, p < linear ? linear : p, ACCESS_WRITE);
        if (p == (last & PAGE_MASK))
            break;
    }
}

void mmu_slow_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t value, unsigned size)
{
    if (!mmu_in_page(linear, size)) {
        /* Both pages must be writable before either is changed. */
        mmu_check_write(mmu, t, linear, size);
        for (unsigned i = 0; i < size; i++)
            entry_write(mmu, lookup(mmu, t, linear + i, ACCESS_WRITE), linear + i,
                        (value >> (8 * i)) & 0xFF, 1);
        if (MMU_UNLIKELY(mmu->watch.armed))
            mmu_watch_access(mmu, linear, size, true);
        return;
    }
    tlb_entry_t *e = lookup(mmu, t, linear, ACCESS_WRITE);
    entry_write(mmu, e, linear, value, size);
    if (MMU_UNLIKELY(mmu->watch.armed))
        mmu_watch_access(mmu, linear, size, true);
    /* The write may have been to a code page whose decoded copies are now
     * gone; reopen the fast path for the next write. */
    if (e->tag_w == TLB_NO_TAG && e->tag_r == e->page && physmem_page_ptr(mmu->pm, e->phys, true))
        e->tag_w = e->page;
}

uint64_t mmu_read64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear)
{
    uint32_t lo = mmu_read32(mmu, t, linear);
    uint32_t hi = mmu_read32(mmu, t, linear + 4);
    return (uint64_t)hi << 32 | lo;
}

void mmu_write64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint64_t value)
{
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
