/* The software MMU: the guest physical address space (RAM, ROM, MMIO, A20),
 * the page-table walker, the TLB, and the linear-address access helpers the
 * CPU uses.
 *
 * Three kinds of address appear here:
 *   linear   - what segmentation produced (guest virtual);
 *   physical - what paging produced (guest physical);
 *   host     - a pointer into the emulator's own memory holding guest RAM/ROM.
 * The TLB maps linear pages straight to host pointers, so the common access
 * is one compare and one load.  Everything else (MMIO, ROM writes, page
 * crossings, pages holding decoded code, misses) goes through mmu_slow_*.
 */
#ifndef X86SIM_MMU_H
#define X86SIM_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096u
#define PAGE_MASK 0xFFFFF000u

#define MMU_LIKELY(x) __builtin_expect(!!(x), 1)
#define MMU_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---------------------------------------------------------------- physical */

/* Callbacks of a memory-mapped device.  `offset` is relative to the start of
 * the region; size is 1, 2 or 4 and the access never crosses the region. */
typedef struct mmio_ops {
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, uint32_t value, unsigned size);
} mmio_ops_t;

typedef struct mmio_region {
    uint32_t base, size;
    const mmio_ops_t *ops;
    void *opaque;
    const char *name;
    /* When set, the region is plain host memory (a linear framebuffer):
     * reads and writes go straight to it and may be cached in the TLB. */
    uint8_t *host;
} mmio_region_t;

#define PHYS_MAX_MMIO 16

/* Legacy areas of the first megabyte. */
#define PHYS_VGA_WINDOW 0xA0000u
#define PHYS_VGA_WINDOW_END 0xC0000u
#define PHYS_SHADOW_START 0xC0000u /* option ROMs and BIOS: shadow RAM */
#define PHYS_SHADOW_END 0x100000u
#define PHYS_SHADOW_BLOCK 0x4000u /* PAM granularity: 16 KiB */
#define PHYS_SHADOW_BLOCKS ((PHYS_SHADOW_END - PHYS_SHADOW_START) / PHYS_SHADOW_BLOCK)
#define PHYS_RAM_MAX 0xE0000000u /* 3.5 GiB: the PCI hole starts above */

typedef struct physmem {
    uint8_t *ram;      /* ram_size bytes; the first MiB always exists */
    uint32_t ram_size; /* multiple of 1 MiB, >= 1 MiB */
    uint32_t ram_pages;

    uint8_t *rom;      /* firmware image, mapped to end at 4 GiB */
    uint32_t rom_size;
    uint32_t rom_base; /* 4 GiB - rom_size */

    /* 0xC0000-0xFFFFF is RAM ("shadow") initialised with the ROM contents;
     * guest writes land only where the chipset (PAM registers) allows. */
    bool shadow_writable[PHYS_SHADOW_BLOCKS];

    mmio_region_t mmio[PHYS_MAX_MMIO];
    int mmio_count;

    uint32_t a20_mask; /* 0xFFFFFFFF, or 0xFFEFFFFF with the A20 gate off */

    /* One byte per RAM page: nonzero when decoded code was made from it.
     * A write to such a page goes through the slow path and calls
     * code_written so the decoded copies are dropped. */
    uint8_t *code_page;
    void (*code_written)(void *opaque, uint32_t page_number);
    void *code_opaque;
    /* Called after the A20 gate changes (the TLB caches masked addresses). */
    void (*a20_changed)(void *opaque);
    void *a20_opaque;
} physmem_t;

/* Allocates ram_size bytes of zeroed RAM.  Returns false when the size is out
 * of range or the host refuses the allocation. */
bool physmem_init(physmem_t *pm, uint32_t ram_size);
void physmem_free(physmem_t *pm);

/* Maps a firmware image of 64 KiB .. 1 MiB to end at 4 GiB; its last
 * 128 KiB (all of it when smaller) also appears just below 1 MiB. */
bool physmem_load_bios(physmem_t *pm, const uint8_t *image, uint32_t size);
/* Copies an option ROM into the shadow area (0xC0000-0xDFFFF). */
bool physmem_load_option_rom(physmem_t *pm, uint32_t addr, const uint8_t *image, uint32_t size);

/* Registers a memory-mapped device.  Returns false when the table is full or
 * the range overlaps RAM or another region. */
bool physmem_add_mmio(physmem_t *pm, uint32_t base, uint32_t size, const mmio_ops_t *ops,
                      void *opaque, const char *name);
/* Registers a region backed by plain host memory (linear framebuffer). */
bool physmem_add_ram_region(physmem_t *pm, uint32_t base, uint32_t size, uint8_t *host,
                            const char *name);
/* Moves a registered region (a PCI BAR being reprogrammed). */
bool physmem_move_region(physmem_t *pm, const char *name, uint32_t new_base);

void physmem_set_a20(physmem_t *pm, bool enabled);
static inline bool physmem_a20(const physmem_t *pm) { return pm->a20_mask == 0xFFFFFFFFu; }
void physmem_set_shadow_writable(physmem_t *pm, uint32_t addr, uint32_t len, bool writable);

/* What lives at a physical address, for the explainer and the debugger. */
typedef enum phys_kind {
    PHYS_RAM,
    PHYS_ROM,
    PHYS_SHADOW_ROM, /* shadow RAM below 1 MiB, currently write-protected */
    PHYS_MMIO,
    PHYS_UNASSIGNED,
} phys_kind_t;

typedef struct phys_where {
    phys_kind_t kind;
    uint32_t offset;           /* offset inside RAM, ROM or the MMIO region */
    const mmio_region_t *mmio; /* for PHYS_MMIO */
} phys_where_t;
phys_where_t physmem_where(const physmem_t *pm, uint32_t addr);
const char *phys_kind_name(phys_kind_t kind);

/* Ordinary RAM: below ram_size and outside the legacy area 0xA0000-0xFFFFF
 * (VGA window, shadow blocks).  Nothing else can live there (devices may not
 * overlap RAM), so callers may use pm->ram + addr without asking more. */
static inline bool physmem_is_plain_ram(const physmem_t *pm, uint32_t addr)
{
    return addr < pm->ram_size && (addr < PHYS_VGA_WINDOW || addr >= PHYS_SHADOW_END);
}

/* Host pointer to the 4 KiB physical page holding `addr`, for reading or for
 * writing, or NULL when the page is not plain memory (MMIO, unassigned) or,
 * for writing, is read-only or holds decoded code.  `addr` is A20-masked by
 * the caller. */
uint8_t *physmem_page_ptr(physmem_t *pm, uint32_t addr, bool write);

/* Accesses of 1, 2 or 4 bytes.  The A20 mask is applied here.  Unassigned
 * space reads all-ones and ignores writes.  An access that crosses a 4 KiB
 * page is split into bytes (each byte goes where its own address says). */
uint32_t physmem_read(physmem_t *pm, uint32_t addr, unsigned size);
void physmem_write(physmem_t *pm, uint32_t addr, uint32_t value, unsigned size);
/* Bulk transfers for devices (DMA) and loaders; any length, any alignment. */
void physmem_read_block(physmem_t *pm, uint32_t addr, void *buf, uint32_t len);
void physmem_write_block(physmem_t *pm, uint32_t addr, const void *buf, uint32_t len);
/* Marks a RAM page as holding decoded code (writes to it will be caught). */
void physmem_mark_code(physmem_t *pm, uint32_t page_number);
/* Reads `len` bytes at `addr` (A20 applied) with no side effect: devices
 * are never called.  Bytes of device registers and unassigned space read as
 * 0xFF.  Returns false when some byte was a device register (its value is
 * unknown).  For the debugger, the explainer and the disassembler. */
bool physmem_peek(const physmem_t *pm, uint64_t addr, void *buf, uint32_t len);

/* ---------------------------------------------------------------- paging */

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)

#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)

#define EFER_NXE (1u << 11)

/* Page-table entry bits. */
#define PTE_P (1u << 0)
#define PTE_W (1u << 1)
#define PTE_U (1u << 2)
#define PTE_PWT (1u << 3)
#define PTE_PCD (1u << 4)
#define PTE_A (1u << 5)
#define PTE_D (1u << 6)
#define PTE_PS (1u << 7)
#define PTE_G (1u << 8)
#define PTE_NX (1ull << 63)

/* Page-fault error code bits. */
#define PF_P (1u << 0)
#define PF_W (1u << 1)
#define PF_U (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I (1u << 4)

/* An access as the walker sees it. */
typedef enum mmu_access {
    ACCESS_READ = 0,
    ACCESS_WRITE = 1,
    ACCESS_FETCH = 2,
} mmu_access_t;

/* The explainer's record of one translation. */
typedef struct walk_step {
    const char *level;   /* "PDPTE", "PDE", "PTE" */
    uint64_t entry_addr; /* guest-physical address of the entry (PAE: 36 bits) */
    uint64_t entry;      /* its value */
    char flags[40];      /* the bits that are set, e.g. "P W U A D PS G NX" */
} walk_step_t;

typedef struct mmu_explain {
    uint32_t linear;
    bool paging;
    bool pae;
    uint32_t cr3;
    int nsteps;
    walk_step_t steps[3];
    uint32_t page_size; /* 4 KiB, 2 MiB or 4 MiB */
    bool ok;            /* translated; otherwise fault_error holds the #PF code */
    uint32_t fault_error;
    uint64_t physical; /* before the A20 mask */
    phys_where_t where;
    /* Effective permissions of the final mapping (AND of all levels). */
    bool writable, user, executable, global, dirty;
} mmu_explain_t;

/* ---------------------------------------------------------------- TLB */

#define TLB_BITS 10
#define TLB_ENTRIES (1u << TLB_BITS)
#define TLB_NO_TAG 1u /* never equal to a page-aligned address */

/* One TLB entry.  tag_r/tag_w/tag_x hold the linear page address when the
 * fast path may read/write/fetch through `host`, and TLB_NO_TAG otherwise.
 * `page` and `perm` describe the translation even when the fast path is
 * closed (MMIO, ROM, code pages, clean pages), so the slow path need not walk
 * the tables again. */
typedef struct tlb_entry {
    uint32_t tag_r, tag_w, tag_x;
    uint32_t page;  /* linear page address, or TLB_NO_TAG when empty */
    uint32_t phys;  /* physical page address (A20-masked) */
    uint8_t perm;   /* TLB_PERM_* allowed for this privilege */
    uint8_t global;
    uint8_t page_shift; /* 12, or 21/22 when cut from a 2/4 MiB page (INVLPG) */
    uint8_t pad;
    uintptr_t host; /* host address of the byte = host + linear */
} tlb_entry_t;

#define TLB_PERM_R 1u
#define TLB_PERM_W 2u
#define TLB_PERM_X 4u
#define TLB_PERM_DIRTY 8u /* the D bit is already set: writes need no walk */

/* The CPU's raise-#PF callback never returns (it unwinds to the CPU loop). */
typedef void (*mmu_fault_fn)(void *opaque, uint32_t linear, uint32_t error_code);

/* Data breakpoints (the CPU's DR0-DR3 with R/W = 01 or 11): linear ranges
 * watched for writes, or for reads and writes.  While any is armed, the TLB
 * keeps the fast read and write paths of the pages holding them closed, so
 * every access there goes through mmu_slow_* and is checked (mmu/watch.c).
 * `hit` is called with the slot's bit (1 << n) after a matching access. */
#define MMU_WATCH_SLOTS 4
typedef struct mmu_watch {
    uint32_t lo[MMU_WATCH_SLOTS], hi[MMU_WATCH_SLOTS]; /* inclusive */
    bool reads[MMU_WATCH_SLOTS];                       /* reads match too */
    uint8_t armed;                                     /* bit n: slot n */
    void (*hit)(void *opaque, uint32_t slot_bits);
} mmu_watch_t;

typedef struct mmu {
    tlb_entry_t tlb[2][TLB_ENTRIES]; /* [0] supervisor, [1] user accesses */
    tlb_entry_t *cur;                /* tlb[cpl == 3] */
    physmem_t *pm;

    /* Paging controls, copied from the CPU's control registers. */
    uint32_t cr0, cr3, cr4;
    uint64_t efer;
    uint64_t pdpte[4]; /* PAE: loaded when CR3 is written */

    mmu_fault_fn fault;
    void *fault_opaque;
    mmu_watch_t watch; /* data breakpoints; hit() gets fault_opaque */
    uint64_t walks, misses; /* statistics */
    /* Calls into the data-access slow path (mmu_slow_read/write): a
     * page-crossing access makes one, and a page-crossing read one more
     * per byte that misses the fast path (it reads bytewise through the
     * fast path; a crossing write looks its pages up directly). */
    uint64_t slow_accesses;
    /* Data-access observer (debugger watchpoints, the explainer): while set,
     * the TLB keeps its fast read/write paths closed, so every data access
     * reaches the slow path and is reported after it is done.  Instruction
     * fetches are not reported.  Set it with mmu_set_access_hook. */
    void (*access_hook)(void *opaque, uint32_t linear, uint32_t physical, unsigned size,
                        uint32_t value, bool write);
    void *access_opaque;
    /* Linear range covered by TLB entries cut from 2/4 MiB pages, so INVLPG
     * knows when it must look beyond one slot; empty when lo > hi. */
    uint32_t large_lo, large_hi;
    /* Alignment checking (the CPU's CR0.AM and EFLAGS.AC both set): while
     * on, the user TLB (tlb[1], the accesses made at CPL 3) keeps its fast
     * data paths closed, as for the access hook, and the slow paths call
     * align_fault (with fault_opaque; it does not return) for a misaligned
     * access (mmu_check_align).  Set it with mmu_set_align_check. */
    bool align_check;
    void (*align_fault)(void *opaque);
} mmu_t;

void mmu_init(mmu_t *mmu, physmem_t *pm, mmu_fault_fn fault, void *fault_opaque);
/* The CPU calls these when CR0/CR3/CR4/EFER change; they flush what the
 * architecture says a change flushes.  When PAE paging is in use after the
 * write, MOV CR3 and the MOV CR0/CR4 writes that change PG, CD, NW, PAE,
 * PGE or PSE load the four PDPTEs (SDM vol. 3, 4.4.1); if one of them is
 * present with a reserved bit set, the call changes nothing and returns
 * false, and the CPU raises #GP(0). */
bool mmu_set_cr0(mmu_t *mmu, uint32_t cr0);
bool mmu_set_cr3(mmu_t *mmu, uint32_t cr3);
bool mmu_set_cr4(mmu_t *mmu, uint32_t cr4);
void mmu_set_efer(mmu_t *mmu, uint64_t efer);
void mmu_set_user(mmu_t *mmu, bool user);
void mmu_invlpg(mmu_t *mmu, uint32_t linear);
void mmu_flush_all(mmu_t *mmu, bool keep_global);
/* Installs (or with NULL removes) the data-access observer. */
void mmu_set_access_hook(mmu_t *mmu,
                         void (*hook)(void *opaque, uint32_t linear, uint32_t physical, unsigned size,
                                      uint32_t value, bool write),
                         void *opaque);
/* Turns alignment checking of the user TLB's accesses on or off; a change
 * drops the user TLB so its fast data paths close (or reopen). */
void mmu_set_align_check(mmu_t *mmu, bool on);
/* Closes the fast write path of every entry that maps physical page `phys`
 * (it just started holding decoded code). */
void mmu_protect_code_page(mmu_t *mmu, uint32_t phys);

/* Arms the data breakpoints in *w (replacing the previous set) and drops
 * the TLB so watched pages lose their fast paths. */
void mmu_set_watch(mmu_t *mmu, const mmu_watch_t *w);
/* For the slow paths: does the page hold a watched byte; report an access. */
bool mmu_page_watched(const mmu_t *mmu, uint32_t page);
void mmu_watch_access(mmu_t *mmu, uint32_t linear, unsigned size, bool write);

/* Translates without side effects: no TLB change, no A/D bit update, no
 * fault, no device access (an entry in device memory reads as all-ones). */
void mmu_explain(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access,
                 mmu_explain_t *out);

/* Translates for the CPU, setting A/D bits and filling the TLB; raises #PF
 * through the fault callback.  Returns the physical address. */
uint32_t mmu_translate(mmu_t *mmu, uint32_t linear, mmu_access_t access, bool user);
/* The same without raising and without side effects (as mmu_explain):
 * returns false when the access would fault or the page lies above 4 GiB
 * (used by the debugger, the disassembler and the gdb stub). */
bool mmu_probe(const mmu_t *mmu, uint32_t linear, bool user, mmu_access_t access,
               uint32_t *physical);

/* Slow paths of the access helpers below; `t` is the TLB to use. */
uint32_t mmu_slow_read(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, unsigned size);
void mmu_slow_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t value, unsigned size);
uint64_t mmu_read64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear);
void mmu_write64(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint64_t value);
/* Checks that the whole of [linear, linear+len) may be written, faulting
 * otherwise; lets multi-part stores check before they change anything. */
void mmu_check_write(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, uint32_t len);
/* Host pointer for an instruction fetch from the page of `linear`, or NULL
 * when the page is not plain memory; faults like a fetch. Sets *phys. */
const uint8_t *mmu_fetch_page(mmu_t *mmu, uint32_t linear, uint32_t *phys);

/* #AC: an access through TLB `t` to `linear`, which must be a multiple of
 * `align` (a power of two).  The slow paths check every access against its
 * size; callers check operands whose parts do not say their alignment (a
 * qword read as two dwords, an FPU environment read as bytes). */
static inline void mmu_check_align(mmu_t *mmu, const tlb_entry_t *t, uint32_t linear, unsigned align)
{
    if (MMU_UNLIKELY(mmu->align_check) && (linear & (align - 1)) && t == mmu->tlb[1])
        mmu->align_fault(mmu->fault_opaque);
}

static inline tlb_entry_t *tlb_slot(tlb_entry_t *t, uint32_t linear)
{
    return &t[(linear >> PAGE_SHIFT) & (TLB_ENTRIES - 1)];
}

/* True when an access of `size` bytes at `linear` stays inside its page. */
static inline bool mmu_in_page(uint32_t linear, unsigned size)
{
    return (linear & (PAGE_SIZE - 1)) <= PAGE_SIZE - size;
}

/* The tag a TLB entry must hold for an access of `size` bytes at `linear`
 * to take the fast path: the page of the access's last byte.  The entry is
 * the one of the first byte's page, whose tag can never be the next page,
 * so one compare checks both the hit and that the access stays inside the
 * page. */
static inline uint32_t mmu_fast_tag(uint32_t linear, unsigned size)
{
    return (linear + (size - 1)) & PAGE_MASK;
}

#define MMU_DEFINE_ACCESS(bits, type)                                                    \
    static inline type mmu_read##bits(mmu_t *mmu, tlb_entry_t *t, uint32_t linear)      \
    {                                                                                    \
        const tlb_entry_t *e = tlb_slot(t, linear);                                      \
        if (MMU_LIKELY(e->tag_r == mmu_fast_tag(linear, sizeof(type)))) {                \
            type v;                                                                      \
            memcpy(&v, (const void *)(e->host + linear), sizeof v);                      \
            return v;                                                                    \
        }                                                                                \
        return (type)mmu_slow_read(mmu, t, linear, sizeof(type));                        \
    }                                                                                    \
    static inline void mmu_write##bits(mmu_t *mmu, tlb_entry_t *t, uint32_t linear, type v) \
    {                                                                                    \
        const tlb_entry_t *e = tlb_slot(t, linear);                                      \
        if (MMU_LIKELY(e->tag_w == mmu_fast_tag(linear, sizeof(type)))) {                \
            memcpy((void *)(e->host + linear), &v, sizeof v);                            \
            return;                                                                      \
        }                                                                                \
        mmu_slow_write(mmu, t, linear, v, sizeof(type));                                 \
    }

MMU_DEFINE_ACCESS(8, uint8_t)
MMU_DEFINE_ACCESS(16, uint16_t)
MMU_DEFINE_ACCESS(32, uint32_t)

/* Host pointer for a read-modify-write of `size` bytes at `linear` when the
 * fast path allows both, else NULL (the caller reads and writes separately). */
static inline uint8_t *mmu_rmw_ptr(tlb_entry_t *t, uint32_t linear, unsigned size)
{
    const tlb_entry_t *e = tlb_slot(t, linear);
    if (MMU_LIKELY(e->tag_w == mmu_fast_tag(linear, size)))
        return (uint8_t *)(e->host + linear);
    return NULL;
}

#endif
