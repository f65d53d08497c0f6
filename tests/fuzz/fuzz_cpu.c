/* The CPU fuzz target's body (see fuzz_cpu.h).
 *
 * Each input runs on the real PC board, restored to its just-built state,
 * with guest RAM laid out as a small protected-mode system would have it:
 *
 *   0x00000  real-mode IVT          0x40000  handler stubs (ring 0 code)
 *   0x01000  real-mode stubs        0x50000  32-bit page directory, tables
 *   0x10000  GDT (up to 64 KiB)     0x58000  PAE PDPT, directory, tables
 *   0x20000  LDT (up to 64 KiB)     0x60000  the input's code, then random
 *   0x30000  IDT                             bytes up to 0xA0000 (data,
 *   0x31000  TSS A (current task,            stacks at 0x8FFF0 and above)
 *            with an I/O bitmap)   0xA0000  the VGA window, then the BIOS
 *   0x34000  TSS B, C (16-bit), D
 *
 * The GDT's first entries are fixed (flat and 16-bit code and data for
 * rings 0-3, TSSs, the LDT, call and task gates, a conforming segment);
 * the rest of the GDT and the LDT hold random but plausible descriptors,
 * so random selectors often name something.  The IDT's gates lead to stubs
 * that return (to the faulting instruction, or past it so a stream makes
 * progress), to a handler task, or nowhere.  The header then damages a few
 * table entries, as a buggy guest would.
 *
 * Invariants checked (before every instruction for the inputs run one
 * step at a time, and after every run): EFLAGS reserved bits; VM and PG
 * only with PE; EIP at most one past the CS limit; in V86 mode CPL 3 and
 * every segment at selector * 16 with a 64 KiB limit; in protected mode,
 * when the stream never left it, CPL = CS.RPL = SS.RPL, CS a present code
 * segment whose DPL matches the CPL, SS a present writable data segment
 * of DPL = CPL; the default operand and stack sizes are CS.D and SS.B
 * outside V86 mode, CPL is 0 in real mode, and accesses are user-mode ones
 * exactly at CPL 3.  All are properties of the architecture (SDM vol. 3,
 * 5.5-5.8, 20.2), not of this implementation.  A run must end at its
 * instruction budget.  The decoder is checked too: an instruction decodes
 * the same from any window that holds its bytes; and the disassembler runs
 * on every window of the stream's first bytes and, as the debugger uses
 * it, at CS:EIP and at odd addresses.
 */
#include "fuzz_cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/exec.h"
#include "cpu/icache.h"
#include "devices/pc.h"

#define RAM_MB 4
#define DEFAULT_BUDGET 3000

/* Guest physical layout (see above). */
#define IVT_STUBS 0x01000u
#define GDT_BASE 0x10000u
#define LDT_BASE 0x20000u
#define IDT_BASE 0x30000u
#define TSS_A 0x31000u
#define TSS_B 0x34000u
#define TSS_C 0x35000u
#define TSS_D 0x36000u
#define STUBS 0x40000u
#define PAGE_DIR 0x50000u
#define PAGE_TABLE 0x51000u
#define PAE_PDPT 0x58000u
#define PAE_DIR 0x59000u
#define PAE_TABLE0 0x5A000u
#define PAE_TABLE1 0x5B000u
#define CODE_BASE 0x60000u
#define RANDOM_END 0xA0000u
#define STACK_TOP 0x8FFF0u
#define RING0_STACK 0x9FFF0u
#define RING1_STACK 0x9BFF0u
#define RING2_STACK 0x97FF0u
#define DATA16_BASE 0x80000u
#define TSS32_LIMIT 0x67u
#define TSS16_LIMIT 0x2Bu
#define IOMAP_BYTES 0x2000u
#define TSS_A_LIMIT (0x68u + IOMAP_BYTES)

/* The fixed GDT selectors. */
enum {
    SEL_CODE32_0 = 0x08, SEL_DATA32_0 = 0x10, SEL_STUBS16 = 0x18, SEL_DATA16_0 = 0x20,
    SEL_CODE32_3 = 0x28, SEL_DATA32_3 = 0x30, SEL_CODE16_3 = 0x38, SEL_DATA16_3 = 0x40,
    SEL_TSS_A = 0x48, SEL_TSS_B = 0x50, SEL_TSS_C = 0x58, SEL_LDT = 0x60,
    SEL_CALL32 = 0x68, SEL_CALL16 = 0x70, SEL_TASK_GATE = 0x78, SEL_CONFORMING = 0x80,
    SEL_CODE32_1 = 0x88, SEL_DATA32_1 = 0x90, SEL_CODE32_2 = 0x98, SEL_DATA32_2 = 0xA0,
    SEL_CODE16_0 = 0xA8, SEL_TSS_D = 0xB0, SEL_EXPAND_DOWN = 0xB8,
    SEL_SYSENTER = 0xC0, /* 0xC0-0xD8: the four flat segments SYSENTER/SYSEXIT assume */
    SEL_FIXED_END = 0xE0,
};

/* Handler stubs, at STUBS + offset (flat ring-0 code) or at the offset in
 * SEL_STUBS16 (16-bit code based at STUBS).  A handler returns in one of
 * three ways (the header's choice): to the faulting instruction, one byte
 * past it, or to the next 16-byte slot, where the generator starts each
 * instruction it writes (so a stream goes on with its next one). */
enum { RETURN_RESTART, RETURN_NEXT_BYTE, RETURN_NEXT_SLOT };
enum {
    STUB_IRQ = 0x000, STUB_RETF = 0x020, STUB_TASK_ERR = 0x040, STUB_TASK = 0x060,
    STUB_HANDLERS = 0x080, /* then [return kind][16-bit][error code], 0x20 apart */
};
#define STUB_HANDLER(kind, is16, err) (STUB_HANDLERS + 0x20u * ((kind) * 4 + (is16) * 2 + (err)))
#define STUBS_END STUB_HANDLER(3, 0, 0)

/* The handlers' bytes, by [return kind][16-bit][error code].  32-bit:
 * [add esp,4;] then nothing, inc dword [esp], or add dword [esp],16 and
 * dword [esp],-16; iretd.  16-bit: [add sp,2;] push bp; mov bp,sp; the
 * same on word [bp+2]; pop bp; iret. */
static const struct {
    uint8_t len;
    uint8_t bytes[16];
} handlers[3][2][2] = {
    {{{1, {0xCF}}, {4, {0x83, 0xC4, 0x04, 0xCF}}},
     {{1, {0xCF}}, {4, {0x83, 0xC4, 0x02, 0xCF}}}},
    {{{4, {0xFF, 0x04, 0x24, 0xCF}}, {7, {0x83, 0xC4, 0x04, 0xFF, 0x04, 0x24, 0xCF}}},
     {{8, {0x55, 0x89, 0xE5, 0xFF, 0x46, 0x02, 0x5D, 0xCF}},
      {11, {0x83, 0xC4, 0x02, 0x55, 0x89, 0xE5, 0xFF, 0x46, 0x02, 0x5D, 0xCF}}}},
    {{{9, {0x83, 0x04, 0x24, 0x10, 0x83, 0x24, 0x24, 0xF0, 0xCF}},
      {12, {0x83, 0xC4, 0x04, 0x83, 0x04, 0x24, 0x10, 0x83, 0x24, 0x24, 0xF0, 0xCF}}},
     {{13, {0x55, 0x89, 0xE5, 0x83, 0x46, 0x02, 0x10, 0x83, 0x66, 0x02, 0xF0, 0x5D, 0xCF}},
      {16, {0x83, 0xC4, 0x02, 0x55, 0x89, 0xE5, 0x83, 0x46, 0x02, 0x10, 0x83, 0x66, 0x02, 0xF0, 0x5D, 0xCF}}}},
};

static const struct {
    uint16_t at;
    uint8_t len;
    uint8_t bytes[20];
} other_stubs[] = {
    /* push eax; mov al,0x20; out 0x20,al; out 0xA0,al; pop eax; iret: the
     * same bytes work as 16-bit code. */
    {STUB_IRQ, 9, {0x50, 0xB0, 0x20, 0xE6, 0x20, 0xE6, 0xA0, 0x58, 0xCF}},
    {STUB_RETF, 1, {0xCB}},
    /* A handler task: add esp,4; add dword [TSS_A+0x20],16; and dword
     * [TSS_A+0x20],-16 (the first task resumes at its next slot); iretd;
     * jmp back (the next switch resumes after the IRET). */
    {STUB_TASK_ERR, 20, {0x83, 0xC4, 0x04, 0x83, 0x05, 0x20, 0x10, 0x03, 0x00, 0x10, 0x83, 0x25, 0x20,
                         0x10, 0x03, 0x00, 0xF0, 0xCF, 0xEB, 0xEC}},
    {STUB_TASK, 3, {0xCF, 0xEB, 0xFD}},
};

/* Real-mode handlers at 0x0100:offset: the 16-bit handlers of each return
 * kind (no error codes in real mode), and the IRQ stub. */
#define RSTUB(kind) (0x20u * (kind))
#define RSTUB_IRQ 0x60u

/* The PIC bases the harness programs: clear of the exception vectors in
 * both modes, so that a fault never lands in the IRQ stub (which returns
 * to the faulting instruction: a livelock). */
#define PIC_BASE_PM 0x20
#define PIC_BASE_REAL 0x50
#define PIC_SLAVE_REAL 0x70

enum {
    MODE_REAL, MODE_UNREAL, MODE_PM16, MODE_PM32, MODE_PM32_RING3, MODE_PM16_RING3, MODE_V86,
    MODE_PM32_RING12,
};
enum { PAGING_OFF, PAGING_4K, PAGING_PSE, PAGING_PAE };

typedef struct header {
    int mode;
    int paging;
    bool wp, pge, nxe;
    int damage; /* table entries to corrupt */
    uint8_t eflags;
    int returns; /* RETURN_*: where the handlers return to */
    bool irqs;  /* the PIC and PIT deliver interrupts */
    bool nmi;
    bool debug_regs;
    bool checked;
    bool reset_on_triple_fault;
    bool small_tables;
    uint32_t seed;
} header_t;

typedef struct fuzz {
    machine_t *m;
    machine_t *clean; /* the board just after machine_create */
    uint8_t *clean_shadow; /* RAM 0xC0000-0xFFFFF then (the BIOS copy) */
    uint64_t budget;
    uint64_t rng;
    fuzz_stats_t stats;
    /* the running input */
    header_t h;
    bool pe_stable; /* started in protected mode and never left it */
    const uint8_t *data;
    size_t len;
} fuzz_t;

static fuzz_t F;

/* ---------------------------------------------------------------- random numbers */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rnd(void) { return (uint32_t)(splitmix(&F.rng) >> 32); }
static bool chance(unsigned percent) { return rnd() % 100 < percent; }
#define PICK(array) ((array)[rnd() % (sizeof(array) / sizeof((array)[0]))])

/* ---------------------------------------------------------------- guest memory */

static uint8_t *ram(uint32_t addr) { return F.m->mem.ram + addr; }
static void put8(uint32_t a, uint8_t v) { *ram(a) = v; }
static void put16(uint32_t a, uint16_t v) { memcpy(ram(a), &v, 2); }
static void put32(uint32_t a, uint32_t v) { memcpy(ram(a), &v, 4); }
static uint32_t get32(uint32_t a)
{
    uint32_t v;
    memcpy(&v, ram(a), 4);
    return v;
}

/* A code or data segment or a system descriptor: limit20 and the G/D
 * flags (bits 7, 6 of `flags`) as they are stored. */
static void put_desc(uint32_t at, uint32_t base, uint32_t limit20, uint8_t access, uint8_t flags)
{
    put32(at, (limit20 & 0xFFFF) | (base << 16));
    put32(at + 4, ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit20 & 0xF0000) |
                      ((uint32_t)(flags & 0xF0) << 16) | (base & 0xFF000000u));
}

static void put_gate(uint32_t at, uint16_t sel, uint32_t offset, uint8_t access, uint8_t params)
{
    put32(at, (offset & 0xFFFF) | ((uint32_t)sel << 16));
    put32(at + 4, (offset & 0xFFFF0000u) | ((uint32_t)access << 8) | (params & 0x1F));
}

#define ACC(dpl, type) ((uint8_t)(0x80 | ((dpl) << 5) | (type)))
#define FLAT 0xFFFFFu
#define G_DB 0xC0u

/* ---------------------------------------------------------------- descriptor tables */

static const uint16_t code_selectors[] = {
    SEL_CODE32_0, SEL_STUBS16, SEL_CODE32_3 | 3, SEL_CODE16_3 | 3, SEL_CONFORMING,
    SEL_CODE32_1 | 1, SEL_CODE32_2 | 2, SEL_CODE16_0, SEL_TSS_B, SEL_LDT | 4, 0x0C | 3, 0,
};
static const uint16_t tss_selectors[] = {SEL_TSS_A, SEL_TSS_B, SEL_TSS_C, SEL_TSS_D, SEL_CODE32_0};

/* A random but plausible descriptor: segments with the test's bases and
 * limits, gates to its code, TSS and LDT descriptors, and some garbage. */
static void put_random_desc(uint32_t at)
{
    static const uint32_t bases[] = {0, 0, CODE_BASE, STUBS, DATA16_BASE, TSS_A, 0xFFFF0000u, 0xA0000};
    static const uint32_t limits[] = {FLAT, FLAT, 0xFFFF, 0xFFF, 0, 0x10, 0x7FFFF};
    static const uint32_t gate_offsets[] = {STUBS + STUB_RETF, STUB_RETF, CODE_BASE, STUBS + STUB_HANDLERS,
                                            0x10, 0xFFFFFFFFu};
    static const uint32_t tss_bases[] = {TSS_A, TSS_B, TSS_C, TSS_D};
    static const uint32_t tss_limits[] = {TSS32_LIMIT, TSS16_LIMIT, TSS_A_LIMIT, 0x20, 0xFFFF};
    uint32_t r = rnd();
    unsigned dpl = (r >> 8) & 3;
    bool present = (r >> 10) % 16 != 0;
    uint8_t p = present ? 0x80 : 0;
    switch (r % 12) {
    case 0: case 1: case 2: case 3: case 4: { /* code or data */
        uint32_t base = (r >> 16) % 8 == 7 ? rnd() : PICK(bases);
        uint32_t limit = chance(10) ? rnd() & FLAT : PICK(limits);
        uint8_t flags = (uint8_t)((limit == FLAT ? 0x80 : (rnd() & 0x80)) | (rnd() & 0x70));
        put_desc(at, base, limit, (uint8_t)(p | (dpl << 5) | 0x10 | (rnd() & 0x0F)), flags);
        break;
    }
    case 5: { /* call gate */
        uint32_t off = chance(20) ? CODE_BASE + (rnd() & 0xFFF) : PICK(gate_offsets);
        uint8_t params = (uint8_t)(chance(70) ? rnd() % 4 : rnd());
        put_gate(at, PICK(code_selectors), off, (uint8_t)(p | (dpl << 5) | (chance(50) ? 0x0C : 0x04)), params);
        break;
    }
    case 6: /* task gate */
        put_gate(at, PICK(tss_selectors), rnd(), (uint8_t)(p | (dpl << 5) | 0x05), 0);
        break;
    case 7: { /* TSS descriptor */
        static const uint8_t types[] = {0x01, 0x03, 0x09, 0x0B};
        put_desc(at, chance(90) ? PICK(tss_bases) : rnd(), PICK(tss_limits),
                 (uint8_t)(p | (dpl << 5) | PICK(types)), 0);
        break;
    }
    case 8: /* LDT descriptor */
        put_desc(at, chance(90) ? LDT_BASE : rnd(), chance(80) ? 0xFFFF : rnd() & 0xFF,
                 (uint8_t)(p | (dpl << 5) | 0x02), 0);
        break;
    case 9: /* interrupt or trap gate: not valid in the GDT or LDT */
        put_gate(at, SEL_CODE32_0, STUBS, (uint8_t)(p | (dpl << 5) | (0x06 + (rnd() & 1) + (rnd() & 8))), 0);
        break;
    case 10: /* a flat writable data segment */
        put_desc(at, 0, FLAT, (uint8_t)(p | (dpl << 5) | 0x13), G_DB);
        break;
    default:
        put32(at, rnd());
        put32(at + 4, rnd());
        break;
    }
}

static void build_gdt(const header_t *h, uint16_t *limit)
{
    uint32_t g = GDT_BASE;
    put_desc(g + SEL_CODE32_0, 0, FLAT, ACC(0, 0x1B), G_DB);
    put_desc(g + SEL_DATA32_0, 0, FLAT, ACC(0, 0x13), G_DB);
    put_desc(g + SEL_STUBS16, STUBS, 0xFFFF, ACC(0, 0x1B), 0);
    put_desc(g + SEL_DATA16_0, DATA16_BASE, 0xFFFF, ACC(0, 0x13), 0);
    put_desc(g + SEL_CODE32_3, 0, FLAT, ACC(3, 0x1B), G_DB);
    put_desc(g + SEL_DATA32_3, 0, FLAT, ACC(3, 0x13), G_DB);
    put_desc(g + SEL_CODE16_3, CODE_BASE, 0xFFFF, ACC(3, 0x1B), 0);
    put_desc(g + SEL_DATA16_3, DATA16_BASE, 0xFFFF, ACC(3, 0x13), 0);
    bool pm = h->mode >= MODE_PM16;
    put_desc(g + SEL_TSS_A, TSS_A, TSS_A_LIMIT, ACC(0, pm ? 0x0B : 0x09), 0);
    put_desc(g + SEL_TSS_B, TSS_B, chance(50) ? TSS32_LIMIT : TSS_A_LIMIT, ACC(chance(50) ? 3 : 0, chance(80) ? 0x09 : 0x0B), 0);
    put_desc(g + SEL_TSS_C, TSS_C, TSS16_LIMIT, ACC(0, chance(80) ? 0x01 : 0x03), 0);
    put_desc(g + SEL_LDT, LDT_BASE, 0xFFFF, ACC(0, 0x02), 0);
    put_gate(g + SEL_CALL32, SEL_CODE32_0, STUBS + STUB_RETF, ACC(3, 0x0C), (uint8_t)(rnd() % 4));
    put_gate(g + SEL_CALL16, SEL_STUBS16, STUB_RETF, ACC(3, 0x04), (uint8_t)(rnd() % 4));
    put_gate(g + SEL_TASK_GATE, SEL_TSS_B, 0, ACC(3, 0x05), 0);
    put_desc(g + SEL_CONFORMING, 0, FLAT, ACC(0, 0x1F), G_DB);
    put_desc(g + SEL_CODE32_1, 0, FLAT, ACC(1, 0x1B), G_DB);
    put_desc(g + SEL_DATA32_1, 0, FLAT, ACC(1, 0x13), G_DB);
    put_desc(g + SEL_CODE32_2, 0, FLAT, ACC(2, 0x1B), G_DB);
    put_desc(g + SEL_DATA32_2, 0, FLAT, ACC(2, 0x13), G_DB);
    put_desc(g + SEL_CODE16_0, CODE_BASE, 0xFFFF, ACC(0, 0x1B), 0);
    put_desc(g + SEL_TSS_D, TSS_D, TSS32_LIMIT, ACC(0, 0x09), 0);
    put_desc(g + SEL_EXPAND_DOWN, 0, 0x8FFF, ACC(0, 0x17), G_DB & 0x40);
    put_desc(g + SEL_SYSENTER, 0, FLAT, ACC(0, 0x1B), G_DB);
    put_desc(g + SEL_SYSENTER + 8, 0, FLAT, ACC(0, 0x13), G_DB);
    put_desc(g + SEL_SYSENTER + 16, 0, FLAT, ACC(3, 0x1B), G_DB);
    put_desc(g + SEL_SYSENTER + 24, 0, FLAT, ACC(3, 0x13), G_DB);

    static const uint16_t small_limits[] = {SEL_FIXED_END - 1, 0x1FF, 0x7FF, 0x17};
    *limit = h->small_tables ? PICK(small_limits) : 0xFFFF;
    uint32_t end = h->small_tables ? 0x800 : 0x10000;
    for (uint32_t at = SEL_FIXED_END; at < end; at += 8)
        put_random_desc(g + at);
}

static uint16_t build_ldt(const header_t *h)
{
    /* Entries 1-4 (selectors 0x0C-0x27): flat code and data for rings 0 and 3. */
    put_desc(LDT_BASE + 0x08, 0, FLAT, ACC(3, 0x1B), G_DB);
    put_desc(LDT_BASE + 0x10, 0, FLAT, ACC(3, 0x13), G_DB);
    put_desc(LDT_BASE + 0x18, 0, FLAT, ACC(0, 0x1B), G_DB);
    put_desc(LDT_BASE + 0x20, 0, FLAT, ACC(0, 0x13), G_DB);
    uint32_t end = h->small_tables ? 0x400 : 0x10000;
    for (uint32_t at = 0x28; at < end; at += 8)
        put_random_desc(LDT_BASE + at);
    return h->small_tables ? (uint16_t)(end - 1) : 0xFFFF;
}

static bool has_error_code(int v)
{
    return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC;
}

static bool irq_vector(int v, int base_master, int base_slave)
{
    return (v >= base_master && v < base_master + 8) || (v >= base_slave && v < base_slave + 8);
}

/* The IDT: gates to the stubs (16-bit gates to the 16-bit stubs), to the
 * handler task, to the conforming segment, and a few broken ones. */
static void build_idt(const header_t *h, bool gates16)
{
    for (int v = 0; v < 256; v++) {
        uint32_t at = IDT_BASE + (uint32_t)v * 8;
        bool err = v < 32 && has_error_code(v);
        unsigned dpl = chance(70) ? 3 : rnd() % 3;
        uint8_t kind = chance(50) ? 0x06 : 0x07; /* interrupt or trap gate */
        unsigned r = rnd() % 100;
        if (h->irqs && irq_vector(v, PIC_BASE_PM, PIC_BASE_PM + 8) && r < 80) {
            bool g16 = gates16 && chance(80);
            put_gate(at, g16 ? SEL_STUBS16 : SEL_CODE32_0, (g16 ? 0 : STUBS) + STUB_IRQ,
                     ACC(dpl, 0x06 | (g16 ? 0 : 8)), 0);
        } else if (r < 80) {
            bool g16 = gates16 ? chance(80) : chance(10);
            uint32_t stub = STUB_HANDLER(h->returns, g16, err);
            put_gate(at, g16 ? SEL_STUBS16 : SEL_CODE32_0, (g16 ? 0 : STUBS) + stub,
                     ACC(dpl, kind | (g16 ? 0 : 8)), 0);
        } else if (r < 87) {
            put_gate(at, v == EXC_DF || err ? SEL_TSS_D : SEL_TSS_B, 0, ACC(dpl, 0x05), 0);
        } else if (r < 93) {
            put_gate(at, SEL_CONFORMING, STUBS + STUB_HANDLER(RETURN_RESTART, 0, err), ACC(dpl, kind | 8), 0);
        } else if (r < 96) {
            put_gate(at, SEL_CODE32_0, CODE_BASE + (rnd() & 0xFFF), ACC(dpl, kind | 8), 0);
        } else {
            put32(at, rnd());
            put32(at + 4, rnd() & ~0x80u); /* not present, or garbage */
            if (chance(50))
                put32(at + 4, rnd());
        }
    }
}

static void build_ivt(const header_t *h)
{
    for (int v = 0; v < 256; v++) {
        uint16_t off = h->irqs && irq_vector(v, PIC_BASE_REAL, PIC_SLAVE_REAL) ? RSTUB_IRQ
                       : chance(95) ? RSTUB(h->returns) : (uint16_t)rnd();
        put16((uint32_t)v * 4, off);
        put16((uint32_t)v * 4 + 2, chance(97) ? IVT_STUBS >> 4 : (uint16_t)rnd());
    }
}

static void build_stubs(void)
{
    for (int k = 0; k < 3; k++)
        for (int is16 = 0; is16 < 2; is16++) {
            for (int err = 0; err < 2; err++)
                memcpy(ram(STUBS + STUB_HANDLER(k, is16, err)), handlers[k][is16][err].bytes,
                       handlers[k][is16][err].len);
            memcpy(ram(IVT_STUBS + RSTUB(k)), handlers[k][1][0].bytes, handlers[k][1][0].len);
        }
    for (size_t k = 0; k < sizeof other_stubs / sizeof other_stubs[0]; k++)
        memcpy(ram(STUBS + other_stubs[k].at), other_stubs[k].bytes, other_stubs[k].len);
    memcpy(ram(IVT_STUBS + RSTUB_IRQ), other_stubs[0].bytes, other_stubs[0].len);
}

/* ---------------------------------------------------------------- tasks */

/* The register state of a task somewhere the test's code and stacks are. */
typedef struct task_regs {
    uint32_t eip, eflags, esp;
    uint16_t cs, ss, ds, ldt;
} task_regs_t;

static task_regs_t random_task(void)
{
    uint32_t eflags = 2 | (rnd() & (FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT | FLAGS_ARITH));
    if (chance(5))
        eflags |= FLAG_TF;
    uint16_t ldt = chance(70) ? SEL_LDT : chance(50) ? 0 : (uint16_t)rnd();
    switch (rnd() % 6) {
    case 0:
        return (task_regs_t){CODE_BASE + (rnd() & 0x7F0), eflags, STACK_TOP - 0x1000, SEL_CODE32_0,
                             SEL_DATA32_0, SEL_DATA32_0, ldt};
    case 1:
        return (task_regs_t){CODE_BASE + (rnd() & 0x7F0), eflags, STACK_TOP - 0x1000,
                             SEL_CODE32_3 | 3, SEL_DATA32_3 | 3, SEL_DATA32_3 | 3, ldt};
    case 2: /* V86 */
        return (task_regs_t){rnd() & 0x7F0, eflags | FLAG_VM, 0xF000, CODE_BASE >> 4,
                             DATA16_BASE >> 4, (uint16_t)rnd(), ldt};
    case 3:
        return (task_regs_t){rnd() & 0x7F0, eflags, 0xF000, SEL_CODE16_0, SEL_DATA16_0,
                             SEL_DATA32_3 | 3, ldt};
    case 4: /* LDT selectors, ring 3 */
        return (task_regs_t){CODE_BASE + (rnd() & 0x7F0), eflags, STACK_TOP - 0x1000, 0x0C | 3,
                             0x14 | 3, 0x14 | 3, SEL_LDT};
    default:
        return (task_regs_t){rnd(), rnd(), rnd(), PICK(code_selectors), (uint16_t)rnd(),
                             (uint16_t)rnd(), ldt};
    }
}

static void build_tss32(uint32_t base, task_regs_t t, uint32_t cr3, uint16_t link, uint16_t iomap)
{
    put16(base + 0x00, link);
    put32(base + 0x04, RING0_STACK);
    put16(base + 0x08, SEL_DATA32_0);
    put32(base + 0x0C, RING1_STACK);
    put16(base + 0x10, SEL_DATA32_1 | 1);
    put32(base + 0x14, RING2_STACK);
    put16(base + 0x18, SEL_DATA32_2 | 2);
    put32(base + 0x1C, cr3);
    put32(base + 0x20, t.eip);
    put32(base + 0x24, t.eflags);
    for (int r = 0; r < 8; r++)
        put32(base + 0x28 + 4 * (uint32_t)r, r == R_ESP ? t.esp : rnd());
    static const int order[6] = {SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS};
    for (int k = 0; k < 6; k++) {
        int s = order[k];
        put16(base + 0x48 + 4 * (uint32_t)s, s == SEG_CS ? t.cs : s == SEG_SS ? t.ss : t.ds);
    }
    put16(base + 0x60, t.ldt);
    put16(base + 0x64, chance(5) ? 1 : 0); /* the T bit */
    put16(base + 0x66, iomap);
}

static void build_tss16(uint32_t base, task_regs_t t)
{
    put16(base + 0x02, (uint16_t)RING0_STACK);
    put16(base + 0x04, SEL_DATA16_0);
    put16(base + 0x06, (uint16_t)RING1_STACK);
    put16(base + 0x08, SEL_DATA32_1 | 1);
    put16(base + 0x0A, (uint16_t)RING2_STACK);
    put16(base + 0x0C, SEL_DATA32_2 | 2);
    put16(base + 0x0E, (uint16_t)t.eip);
    put16(base + 0x10, (uint16_t)t.eflags);
    for (int r = 0; r < 8; r++)
        put16(base + 0x12 + 2 * (uint32_t)r, (uint16_t)(r == R_ESP ? t.esp : rnd()));
    put16(base + 0x22, t.ds);
    put16(base + 0x24, t.cs);
    put16(base + 0x26, t.ss);
    put16(base + 0x28, t.ds);
    put16(base + 0x2A, t.ldt);
}

static void build_tasks(uint32_t cr3)
{
    static const uint16_t links[] = {SEL_TSS_B, SEL_TSS_C, SEL_TSS_D, SEL_TSS_A, 0};
    uint16_t iomap = chance(85) ? 0x68 : (uint16_t)rnd();
    build_tss32(TSS_A, random_task(), cr3, PICK(links), iomap);
    switch (rnd() % 3) { /* the I/O bitmap: open, closed or mixed */
    case 0: break;
    case 1: memset(ram(TSS_A + 0x68), 0xFF, IOMAP_BYTES); break;
    default:
        for (uint32_t k = 0; k < IOMAP_BYTES; k += 4)
            put32(TSS_A + 0x68 + k, rnd() & rnd());
        break;
    }
    put8(TSS_A + 0x68 + IOMAP_BYTES, 0xFF);
    build_tss32(TSS_B, random_task(), chance(95) ? cr3 : rnd(), PICK(links), 0x68);
    build_tss16(TSS_C, random_task());
    task_regs_t handler = {STUBS + STUB_TASK_ERR, 2, RING0_STACK - 0x2000, SEL_CODE32_0, SEL_DATA32_0,
                           SEL_DATA32_0, 0};
    build_tss32(TSS_D, handler, cr3, 0, 0x68);
}

/* ---------------------------------------------------------------- paging */

/* Flags of a page mapping: mostly present, writable and user. */
static uint32_t page_flags(void)
{
    uint32_t f = 0;
    if (chance(97)) f |= PTE_P;
    if (chance(90)) f |= PTE_W;
    if (chance(90)) f |= PTE_U;
    if (chance(30)) f |= PTE_A;
    if (chance(30)) f |= PTE_D;
    if (chance(10)) f |= PTE_G;
    if (chance(5)) f |= PTE_PWT | PTE_PCD;
    return f;
}

static void build_paging32(const header_t *h)
{
    bool pse = h->paging == PAGING_PSE;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t frame = chance(98) ? i << 12 : rnd() & PAGE_MASK;
        put32(PAGE_TABLE + i * 4, frame | page_flags());
    }
    if (pse && chance(30))
        put32(PAGE_DIR, PTE_PS | PTE_P | PTE_W | PTE_U | (chance(20) ? PTE_G : 0));
    else
        put32(PAGE_DIR, PAGE_TABLE | PTE_P | PTE_W | PTE_U | (chance(10) ? PTE_A : 0));
    for (uint32_t i = 1; i < 1024; i++) {
        uint32_t r = rnd() % 100, e = 0;
        if (r < 3)
            e = PAGE_TABLE | page_flags(); /* an alias of the first 4 MiB */
        else if (r < 6 && pse)
            e = (rnd() & 0xFFC00000u) | PTE_PS | page_flags();
        else if (r < 7)
            e = rnd();
        put32(PAGE_DIR + i * 4, e);
    }
    put32(PAGE_DIR + 1023 * 4, PAGE_DIR | PTE_P | PTE_W); /* tables visible at 0xFFC00000 */
}

static void put64(uint32_t a, uint64_t v)
{
    put32(a, (uint32_t)v);
    put32(a + 4, (uint32_t)(v >> 32));
}

static uint64_t pae_nx(const header_t *h)
{
    return h->nxe && chance(3) ? PTE_NX : 0;
}

static void build_paging_pae(const header_t *h)
{
    put64(PAE_PDPT, PAE_DIR | PTE_P);
    for (uint32_t k = 1; k < 4; k++) /* PDPTE reserved bits would make CR3 loads fail */
        put64(PAE_PDPT + k * 8, chance(30) ? (PAE_DIR | PTE_P) : chance(50) ? (rnd() & PAGE_MASK) | PTE_P : 0);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t frame = chance(98) ? i << 12 : rnd() & PAGE_MASK;
        put64(PAE_TABLE0 + i * 8, frame | page_flags() | pae_nx(h));
    }
    put64(PAE_DIR, PAE_TABLE0 | PTE_P | PTE_W | PTE_U);
    if (chance(30))
        put64(PAE_DIR + 8, (2u << 20) | PTE_PS | page_flags());
    else
        put64(PAE_DIR + 8, PAE_TABLE1 | PTE_P | PTE_W | PTE_U | pae_nx(h));
    for (uint32_t i = 2; i < 512; i++) {
        uint32_t r = rnd() % 100;
        uint64_t e = 0;
        if (r < 3)
            e = PAE_TABLE0 | page_flags();
        else if (r < 6)
            e = ((uint64_t)(rnd() & 0xFFE00000u)) | PTE_PS | page_flags() | pae_nx(h);
        else if (r < 7)
            e = ((uint64_t)rnd() << 32) | rnd();
        put64(PAE_DIR + i * 8, e);
    }
}

/* ---------------------------------------------------------------- machine state */

static void load_seg_from_table(cpu_t *cpu, int s, uint16_t sel)
{
    if ((sel & ~3u) == 0) {
        seg_load_null(cpu, s, sel);
        return;
    }
    uint32_t at = ((sel & 4) ? LDT_BASE : GDT_BASE) + (sel & ~7u);
    desc_t d = {get32(at), get32(at + 4)};
    seg_load_desc(cpu, s, sel, d);
}

static void load_system_reg(segment_t *reg, uint16_t sel)
{
    desc_t d = {get32(GDT_BASE + (sel & ~7u)), get32(GDT_BASE + (sel & ~7u) + 4)};
    seg_cache_from_desc(&F.m->cpu, reg, sel, d, false);
}

/* Data segment selectors for protected mode (any CPL may hold them). */
static uint16_t data_selector(unsigned cpl)
{
    static const uint16_t any[] = {0, SEL_DATA32_3 | 3, 0x14 | 3, SEL_CODE32_3 | 3, SEL_CONFORMING,
                                   SEL_EXPAND_DOWN, SEL_DATA16_3 | 3, 0x24};
    if (cpl == 0 && chance(50))
        return chance(50) ? SEL_DATA32_0 : SEL_DATA16_0;
    return chance(90) ? PICK(any) : (uint16_t)rnd();
}

static void set_real_segments(cpu_t *cpu, bool unreal)
{
    static const uint16_t data[] = {0, CODE_BASE >> 4, DATA16_BASE >> 4, 0x1000, 0xFFFF};
    uint32_t big = unreal ? 0xFFFFFFFFu : 0xFFFF;
    uint8_t flags = unreal ? 0xC0 : 0;
    cpu_load_seg_raw(cpu, SEG_CS, CODE_BASE >> 4, CODE_BASE, unreal && chance(30) ? big : 0xFFFF, 0x9B,
                     unreal && chance(30) ? 0x40 : 0);
    cpu_load_seg_raw(cpu, SEG_SS, DATA16_BASE >> 4, DATA16_BASE, 0xFFFF, 0x93,
                     unreal && chance(20) ? 0x40 : 0);
    static const int ds[4] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS};
    for (int k = 0; k < 4; k++) {
        uint16_t sel = chance(90) ? PICK(data) : (uint16_t)rnd();
        cpu_load_seg_raw(cpu, ds[k], sel, (uint32_t)sel << 4, big, 0x93, flags);
    }
}

static void set_paging(cpu_t *cpu, const header_t *h)
{
    uint32_t cr4 = cpu->cr4;
    if (h->paging == PAGING_PSE)
        cr4 |= CR4_PSE;
    if (h->paging == PAGING_PAE)
        cr4 |= CR4_PAE | (chance(50) ? CR4_PSE : 0);
    if (h->pge)
        cr4 |= CR4_PGE;
    if (h->paging == PAGING_PAE && h->nxe) {
        cpu->msr.efer |= EFER_NXE;
        mmu_set_efer(&cpu->mmu, cpu->msr.efer);
    }
    cpu_set_cr4(cpu, cr4);
    cpu_set_cr3(cpu, h->paging == PAGING_PAE ? PAE_PDPT : PAGE_DIR);
    cpu_set_cr0(cpu, cpu->cr0 | CR0_PG);
}

/* The CPU state the header asks for. */
static void set_cpu_state(const header_t *h, uint16_t gdt_limit, uint16_t ldt_limit)
{
    cpu_t *cpu = &F.m->cpu;
    bool pm = h->mode >= MODE_PM16;
    uint32_t cr0 = cpu->cr0 | CR0_NE;
    if (h->wp)
        cr0 |= CR0_WP;
    cr0 |= rnd() & (CR0_MP | CR0_EM | CR0_TS);
    if (h->eflags & 0x40)
        cr0 |= CR0_AM;
    cpu_set_cr0(cpu, pm ? cr0 | CR0_PE : cr0);
    cpu->gdtr = (dtable_t){GDT_BASE, gdt_limit};
    cpu->idtr = pm ? (dtable_t){IDT_BASE, h->small_tables ? (uint16_t)(rnd() & 0x7FF) : 0x7FF}
                   : (dtable_t){0, 0x3FF};
    if (h->debug_regs && chance(50))
        cpu_set_cr4(cpu, cpu->cr4 | CR4_DE);
    if (chance(10))
        cpu_set_cr4(cpu, cpu->cr4 | CR4_TSD);
    if (pm) {
        load_system_reg(&cpu->tr, SEL_TSS_A);
        if (chance(80)) {
            load_system_reg(&cpu->ldtr, SEL_LDT);
            cpu->ldtr.limit = ldt_limit;
        } else {
            cpu->ldtr = (segment_t){.sel = 0};
        }
    }
    if (pm && h->paging != PAGING_OFF)
        set_paging(cpu, h);

    uint32_t eflags = 2 | (rnd() & FLAGS_ARITH);
    if (h->eflags & 0x01) eflags |= FLAG_IF;
    if ((h->eflags & 0x22) == 0x22 && chance(25)) eflags |= FLAG_TF;
    if (h->eflags & 0x04) eflags |= FLAG_DF;
    eflags |= (uint32_t)((h->eflags >> 3) & 3) << 12; /* IOPL */
    if ((h->eflags & 0x21) == 0x20 && chance(25) && pm) eflags |= FLAG_NT;
    if (h->eflags & 0x40) eflags |= FLAG_AC;
    if (h->eflags & 0x80) eflags |= FLAG_RF;

    uint32_t eip = CODE_BASE, esp = STACK_TOP;
    unsigned cpl = 0;
    uint16_t cs = 0, ss = 0;
    switch (h->mode) {
    case MODE_REAL:
    case MODE_UNREAL:
        set_real_segments(cpu, h->mode == MODE_UNREAL);
        eip = 0;
        esp = 0xFFF0;
        break;
    case MODE_V86:
        cpu_set_eflags(cpu, eflags | FLAG_VM);
        set_real_segments(cpu, false);
        for (int s = 0; s < 6; s++)
            seg_load_real(cpu, s, cpu->seg[s].sel);
        eip = 0;
        esp = 0xFFF0;
        cpl = 3;
        break;
    case MODE_PM16: cs = SEL_CODE16_0, ss = SEL_DATA16_0, eip = 0, esp = 0xFFF0; break;
    case MODE_PM32: cs = SEL_CODE32_0, ss = SEL_DATA32_0; break;
    case MODE_PM32_RING3: cs = SEL_CODE32_3 | 3, ss = SEL_DATA32_3 | 3, cpl = 3; break;
    case MODE_PM16_RING3: cs = SEL_CODE16_3 | 3, ss = SEL_DATA16_3 | 3, eip = 0, esp = 0xFFF0, cpl = 3; break;
    default:
        cpl = chance(50) ? 1 : 2;
        cs = cpl == 1 ? SEL_CODE32_1 | 1 : SEL_CODE32_2 | 2;
        ss = cpl == 1 ? SEL_DATA32_1 | 1 : SEL_DATA32_2 | 2;
        break;
    }
    if (cs) {
        cpu_set_cpl(cpu, (uint8_t)cpl);
        load_seg_from_table(cpu, SEG_CS, cs);
        load_seg_from_table(cpu, SEG_SS, ss);
        static const int ds[4] = {SEG_DS, SEG_ES, SEG_FS, SEG_GS};
        for (int k = 0; k < 4; k++)
            load_seg_from_table(cpu, ds[k], data_selector(cpl));
    }
    if (h->mode != MODE_V86)
        cpu_set_eflags(cpu, eflags);
    cpu->eip = cpu->prev_eip = eip;
    for (int r = 0; r < 8; r++) {
        uint32_t v = rnd();
        cpu->gpr[r] = chance(40) ? v & 0x3FFFFF : chance(40) ? v & 0xFFFF : v;
    }
    cpu->gpr[R_ESP] = esp;

    static const uint32_t sysenter_cs[] = {SEL_SYSENTER, SEL_SYSENTER, 0, SEL_CODE32_0, 0xFFF8};
    cpu->msr.sysenter_cs = PICK(sysenter_cs);
    cpu->msr.sysenter_esp = RING0_STACK - 0x800;
    cpu->msr.sysenter_eip = chance(80) ? CODE_BASE + (rnd() & 0xFFF) : rnd();

    if (h->debug_regs) {
        static const uint32_t targets[] = {CODE_BASE, CODE_BASE + 1, STACK_TOP - 4, RING0_STACK - 4,
                                           0, GDT_BASE + SEL_DATA32_0, IDT_BASE + 13 * 8};
        for (int n = 0; n < 4; n++)
            cpu->dr[n] = chance(70) ? PICK(targets) + (rnd() & 0x1F) : rnd();
        cpu->dr[7] = (rnd() & 0xFFFF23FFu) | 0x400u;
        if (!chance(10))
            cpu->dr[7] &= ~(1u << 13); /* GD, rarely */
        cpu_debug_changed(cpu);
    }
}

/* Programs the PICs (vectors as the IDT or IVT expects) and the PIT's
 * channel 0 at a short period, and unmasks a random set of lines. */
static void start_interrupts(bool pm)
{
    ioport_bus_t *io = &F.m->io;
    uint8_t master = pm ? PIC_BASE_PM : PIC_BASE_REAL, slave = pm ? PIC_BASE_PM + 8 : PIC_SLAVE_REAL;
    static const uint8_t icw[2][4] = {{0x11, 0, 0x04, 0x01}, {0x11, 0, 0x02, 0x01}};
    for (int k = 0; k < 2; k++) {
        uint16_t port = k ? 0xA0 : 0x20;
        ioport_write(io, port, icw[k][0], 1);
        ioport_write(io, port + 1, k ? slave : master, 1);
        ioport_write(io, port + 1, icw[k][2], 1);
        ioport_write(io, port + 1, icw[k][3], 1);
        ioport_write(io, port + 1, rnd() & (k ? 0xFF : 0xFA), 1); /* IRQ0 and the cascade open */
    }
    uint16_t divisor = (uint16_t)(2 + rnd() % 10); /* an interrupt every 400-2500 instructions */
    ioport_write(io, 0x43, 0x34, 1);
    ioport_write(io, 0x40, divisor & 0xFF, 1);
    ioport_write(io, 0x40, divisor >> 8, 1);
}

/* Overwrites `n` entries of the descriptor tables, TSSs and page tables
 * with random bits. */
static void damage_tables(int n)
{
    static const uint32_t areas[][2] = {
        {GDT_BASE, SEL_FIXED_END}, {IDT_BASE, 0x800}, {TSS_A, 0x68}, {TSS_B, 0x68},
        {PAGE_DIR, 0x1000}, {PAGE_TABLE, 0x1000}, {PAE_PDPT, 0x20}, {PAE_TABLE0, 0x1000},
        {LDT_BASE, 0x28}, {STUBS, STUBS_END},
    };
    for (int k = 0; k < n; k++) {
        int a = (int)(rnd() % (sizeof areas / sizeof areas[0]));
        uint32_t at = areas[a][0] + (rnd() % areas[a][1] & ~3u);
        put32(at, chance(50) ? rnd() : get32(at) ^ (1u << (rnd() % 32)));
    }
}

/* ---------------------------------------------------------------- invariants */

static NORETURN void broken(const char *what)
{
    const cpu_t *c = &F.m->cpu;
    fprintf(stderr, "x86sim fuzz: invariant broken: %s\n", what);
    fprintf(stderr, "  mode %d checked %d icount %llu cr0 %08x cr4 %08x eflags %08x cpl %u eip %08x\n",
            F.h.mode, F.h.checked, (unsigned long long)c->icount, c->cr0, c->cr4, cpu_get_eflags(c),
            c->cpl, c->eip);
    static const char names[6][3] = {"es", "cs", "ss", "ds", "fs", "gs"};
    for (int s = 0; s < 6; s++)
        fprintf(stderr, "  %s %04x base %08x limit %08x access %02x flags %02x\n", names[s], c->seg[s].sel,
                c->seg[s].base, c->seg[s].limit, c->seg[s].access, c->seg[s].flags);
    fprintf(stderr, "  tr %04x ldtr %04x\n", c->tr.sel, c->ldtr.sel);
    abort();
}

static void check_state(void)
{
    const cpu_t *c = &F.m->cpu;
    uint32_t fl = cpu_get_eflags(c);
    if (!(fl & 2) || (fl & 0xFFC08028u))
        broken("EFLAGS reserved bits");
    if (!(c->cr0 & CR0_PE)) {
        F.pe_stable = false;
        if (fl & FLAG_VM)
            broken("VM set in real mode");
        if (c->cr0 & CR0_PG)
            broken("CR0.PG without PE");
    }
    if (!(c->cr0 & CR0_ET))
        broken("CR0.ET clear");
    const segment_t *cs = &c->seg[SEG_CS], *ss = &c->seg[SEG_SS];
    bool vm = (fl & FLAG_VM) != 0;
    if (c->code32 != (!vm && (cs->flags & DESC_FLAG_DB)))
        broken("the default operand size is not CS.D");
    if (c->stack32 != (!vm && (ss->flags & DESC_FLAG_DB)))
        broken("the stack size is not SS.B");
    if (!(c->cr0 & CR0_PE) && c->cpl != 0)
        broken("CPL not 0 in real mode");
    if ((c->mmu.cur == c->mmu.tlb[1]) != (c->cpl == 3))
        broken("user-mode page checks do not follow CPL 3");
    if ((uint64_t)c->eip > (uint64_t)cs->limit + 1)
        broken("EIP beyond the CS limit");
    if (fl & FLAG_VM) {
        if (c->cpl != 3)
            broken("CPL not 3 in V86 mode");
        for (int s = 0; s < 6; s++)
            if (c->seg[s].base != (uint32_t)c->seg[s].sel << 4 || c->seg[s].limit != 0xFFFF)
                broken("V86 segment not at selector * 16 with a 64 KiB limit");
        return;
    }
    if (!F.pe_stable)
        return;
    unsigned cpl = c->cpl, cs_dpl = (cs->access >> 5) & 3u;
    if ((cs->sel & 3u) != cpl)
        broken("CPL differs from CS.RPL");
    if ((ss->sel & 3u) != cpl)
        broken("CPL differs from SS.RPL");
    if ((cs->access & 0x98) != 0x98)
        broken("CS is not a present code segment");
    if ((cs->access & DESC_CONFORMING) ? cs_dpl > cpl : cs_dpl != cpl)
        broken("CS.DPL does not fit the CPL");
    if ((ss->access & 0x9A) != 0x92)
        broken("SS is not a present writable data segment");
    if (((ss->access >> 5) & 3u) != cpl)
        broken("SS.DPL differs from the CPL");
}

/* The disassembler on every window of the bytes: the input is copied to a
 * buffer of exactly `avail` bytes so a read past it is a sanitizer report,
 * and the output buffers are small too. */
static void check_disassembler(const uint8_t *code, size_t len)
{
    static const int sizes[] = {1, 7, 96};
    for (int avail = 1; avail <= 16 && (size_t)avail <= len; avail++) {
        uint8_t *window = malloc((size_t)avail);
        if (!window)
            abort();
        memcpy(window, code, (size_t)avail);
        for (int code32 = 0; code32 < 2; code32++)
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                char *out = malloc((size_t)sizes[k]);
                if (!out)
                    abort();
                int n = disasm_bytes(window, avail, code32, CODE_BASE, out, sizes[k]);
                if (n < 0 || n > 15 || !memchr(out, 0, (size_t)sizes[k]))
                    broken("disassembler: bad length or an unterminated string");
                free(out);
            }
        free(window);
    }
}

/* cpu_disasm_at where the debugger would use it: at CS:EIP, and anywhere
 * (MMIO, unmapped pages), with the current paging. */
static void disassemble_here(void)
{
    cpu_t *c = &F.m->cpu;
    static const uint32_t anywhere[] = {0, PHYS_VGA_WINDOW, 0xFFFFFFF8u, 0xFEC00000u, 0xE0000000u,
                                        RANDOM_END - 3, PAGE_DIR + 0xFFE};
    char buf[96];
    uint8_t bytes[15];
    int n = cpu_disasm_at(c, c->seg[SEG_CS].base + c->eip, c->code32, buf, sizeof buf, bytes);
    if (n < 0 || n > 15)
        broken("cpu_disasm_at: bad length");
    cpu_disasm_at(c, PICK(anywhere), rnd() & 1, buf, sizeof buf, NULL);
}

static bool before_insn(void *opaque, uint32_t linear)
{
    (void)opaque, (void)linear;
    check_state();
    if (F.m->cpu.icount % 16 == 0)
        disassemble_here();
    return false;
}

static void count_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    (void)opaque, (void)kind, (void)vector, (void)has_error, (void)error;
    F.stats.events++;
}

/* An instruction decodes the same from every window holding its bytes, and
 * needs no byte beyond its length (the block and byte-by-byte paths of
 * exec.c must agree). */
static void check_decoder(const uint8_t *code, size_t len)
{
    uint8_t buf[16] = {0};
    memcpy(buf, code, len < 16 ? len : 16);
    for (int code32 = 0; code32 < 2; code32++) {
        insn_t full, part;
        int n = decode_insn(buf, 16, code32, &full);
        if (n < 1 || n > 15 || full.len != n || !full.fn)
            broken("decoder: bad length from a full window");
        for (int avail = 1; avail < 16; avail++) {
            int k = decode_insn(buf, avail, code32, &part);
            if (k == 0) {
                if (avail >= n)
                    broken("decoder: asks for more bytes than the instruction has");
                continue;
            }
            if (k != n || memcmp(&part, &full, sizeof part) != 0)
                broken("decoder: a shorter window decodes differently");
        }
    }
}

/* ---------------------------------------------------------------- running */

static header_t parse_header(const uint8_t *d)
{
    header_t h = {
        .mode = d[0] & 7,
        .paging = d[1] & 3,
        .wp = d[1] & 0x04,
        .pge = d[1] & 0x08,
        .nxe = d[1] & 0x10,
        .damage = (d[1] >> 5) == 7 ? 8 : (d[1] >> 5) >= 5 ? 1 : 0,
        .eflags = d[2],
        .returns = (d[3] & 7) == 0 ? RETURN_RESTART : (d[3] & 7) == 1 ? RETURN_NEXT_BYTE : RETURN_NEXT_SLOT,
        .irqs = d[3] & 0x08,
        .nmi = (d[3] & 0x30) == 0x30,
        .debug_regs = (d[3] & 0x50) == 0x50,
        .checked = (d[0] & 0x18) == 0,
        .reset_on_triple_fault = (d[3] & 0x87) == 0x87,
        .small_tables = (d[0] & 0xE0) == 0xE0,
        .seed = (uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 | (uint32_t)d[7] << 24,
    };
    if (h.mode < MODE_PM16)
        h.paging = PAGING_OFF;
    return h;
}

/* Puts the board back as machine_create left it: every chip's state, the
 * clock and the CPU are plain data in machine_t; guest RAM, the decoded
 * code and the VGA planes are reset beside them. */
static void restore_machine(void)
{
    machine_t *m = F.m;
    memcpy(m, F.clean, sizeof *m);
    icache_flush(m->cpu.icache);
    memset(m->mem.ram, 0, PHYS_SHADOW_START);
    memcpy(m->mem.ram + PHYS_SHADOW_START, F.clean_shadow, PHYS_SHADOW_END - PHYS_SHADOW_START);
    memset(m->mem.ram + PHYS_SHADOW_END, 0, m->mem.ram_size - PHYS_SHADOW_END);
    memset(m->mem.code_page, 0, m->mem.ram_pages);
    memset(m->vga.vram, 0, 256u << 10);
}

void fuzz_cpu_run(const uint8_t *data, size_t len)
{
    uint8_t head[FUZZ_HEADER] = {0};
    memcpy(head, data, len < FUZZ_HEADER ? len : FUZZ_HEADER);
    const uint8_t *code = len > FUZZ_HEADER ? data + FUZZ_HEADER : NULL;
    size_t code_len = len > FUZZ_HEADER ? len - FUZZ_HEADER : 0;
    F.data = data, F.len = len;
    F.h = parse_header(head);
    const header_t *h = &F.h;
    F.rng = h->seed;

    for (size_t k = 0; k < code_len && k < 64; k++) {
        check_decoder(code + k, code_len - k);
        if (k < 2)
            check_disassembler(code + k, code_len - k);
    }

    restore_machine();
    machine_t *m = F.m;
    cpu_t *cpu = &m->cpu;
    for (uint32_t a = 0x400; a < 0x1000; a += 4)
        put32(a, rnd());
    for (uint32_t a = CODE_BASE; a < RANDOM_END; a += 4)
        put32(a, rnd());
    if (code_len)
        memcpy(ram(CODE_BASE), code, code_len < RANDOM_END - CODE_BASE ? code_len : RANDOM_END - CODE_BASE);

    bool pm = h->mode >= MODE_PM16;
    uint16_t gdt_limit;
    build_gdt(h, &gdt_limit);
    uint16_t ldt_limit = build_ldt(h);
    if (pm)
        build_idt(h, h->mode == MODE_PM16 || h->mode == MODE_PM16_RING3);
    build_ivt(h);
    build_stubs();
    uint32_t cr3 = h->paging == PAGING_PAE ? PAE_PDPT : PAGE_DIR;
    build_tasks(cr3);
    if (h->paging == PAGING_PAE)
        build_paging_pae(h);
    else
        build_paging32(h);
    set_cpu_state(h, gdt_limit, ldt_limit);
    damage_tables(h->damage);
    if (h->irqs)
        start_interrupts(pm);
    if (h->nmi)
        cpu_raise_nmi(cpu);

    m->cfg.reset_on_triple_fault = h->reset_on_triple_fault;
    m->cfg.halt_is_poweroff = true;
    cpu->hooks = (cpu_hooks_t){.opaque = &F, .event = count_event,
                               .exec_check = h->checked ? before_insn : NULL};
    cpu->debugger_step = h->checked;
    cpu_update_stepping(cpu);
    F.pe_stable = pm;
    if (h->checked)
        check_state();

    /* With an NMI: one at the start, then one a third and two thirds in. */
    machine_stop_t why = STOP_MAX_INSNS;
    for (int part = 1; part <= 3 && why == STOP_MAX_INSNS; part++) {
        why = machine_run(m, h->nmi ? F.budget * (uint64_t)part / 3 : F.budget);
        if (h->nmi)
            cpu_raise_nmi(cpu);
        if (!h->nmi)
            break;
    }
    if (!h->checked)
        F.pe_stable = false; /* it may have left protected mode and come back */
    /* A run may end between an event delivery that faulted and the next
     * attempt (a livelock counts as instructions, see cpu/exec.c): the
     * state is then mid-delivery, a task switch half done, as on hardware. */
    if (why != STOP_TRIPLE_FAULT && cpu->pending_exc < 0)
        check_state();
    if (cpu->icount > F.budget || cpu->in_execute) /* blocks stop at the budget too */
        broken("the run did not end at its instruction budget");
    disassemble_here();

    F.stats.streams++;
    F.stats.insns += cpu->icount;
    F.stats.checked += h->checked;
    F.stats.shutdowns += why == STOP_TRIPLE_FAULT;
    F.stats.mode[h->mode]++;
    F.stats.ended_pm += cpu_is_protected(cpu) && !cpu_is_v86(cpu);
    F.stats.ended_v86 += cpu_is_v86(cpu);
}

void fuzz_cpu_init(uint64_t budget)
{
    static uint8_t bios[0x10000];
    uint64_t s = 0xB105;
    for (size_t k = 0; k < sizeof bios; k += 8) { /* random code after a reset */
        uint64_t v = splitmix(&s);
        memcpy(bios + k, &v, 8);
    }
    machine_config_t cfg = {.ram_mb = RAM_MB, .bios_image = bios, .bios_size = sizeof bios,
                            .rtc_start = 0, .halt_is_poweroff = true};
    char err[256];
    F.m = machine_create(&cfg, err, sizeof err);
    F.clean = malloc(sizeof *F.clean);
    F.clean_shadow = malloc(PHYS_SHADOW_END - PHYS_SHADOW_START);
    if (!F.m || !F.clean || !F.clean_shadow) {
        fprintf(stderr, "x86sim fuzz: cannot create the machine: %s\n", F.m ? "out of memory" : err);
        exit(1);
    }
    memcpy(F.clean, F.m, sizeof *F.clean);
    memcpy(F.clean_shadow, F.m->mem.ram + PHYS_SHADOW_START, PHYS_SHADOW_END - PHYS_SHADOW_START);
    F.budget = budget ? budget : DEFAULT_BUDGET;
}

const fuzz_stats_t *fuzz_cpu_stats(void)
{
    return &F.stats;
}

void fuzz_cpu_free(void)
{
    machine_destroy(F.m);
    free(F.clean);
    free(F.clean_shadow);
    F.m = F.clean = NULL;
    F.clean_shadow = NULL;
}

/* ---------------------------------------------------------------- stream generator */

typedef struct emitter {
    uint8_t *buf;
    size_t pos, len;
    bool code16; /* the stream starts as 16-bit code: 32-bit forms get 66/67 */
    bool real;   /* ... in real or V86 mode: segments are paragraphs */
} emitter_t;

static void emit(emitter_t *e, const uint8_t *bytes, size_t n)
{
    for (size_t k = 0; k < n && e->pos < e->len; k++)
        e->buf[e->pos++] = bytes[k];
}

static void emit8(emitter_t *e, uint32_t v) { uint8_t b = (uint8_t)v; emit(e, &b, 1); }
static void emit16(emitter_t *e, uint32_t v) { emit8(e, v); emit8(e, v >> 8); }
static void emit32(emitter_t *e, uint32_t v) { emit16(e, v); emit16(e, v >> 16); }
/* The operand-size and address-size prefixes that 16-bit code needs for
 * the 32-bit forms the snippets use. */
static void op32(emitter_t *e) { if (e->code16) emit8(e, 0x66); }
static void addr32(emitter_t *e) { if (e->code16) emit8(e, 0x67); }

/* Selectors that mean something to the test's machine: the fixed GDT
 * entries with each RPL, LDT entries, real-mode segments, random ones. */
static uint16_t selector(void)
{
    static const uint16_t fixed[] = {
        SEL_CODE32_0, SEL_DATA32_0, SEL_STUBS16, SEL_DATA16_0, SEL_CODE32_3 | 3, SEL_DATA32_3 | 3,
        SEL_CODE16_3 | 3, SEL_DATA16_3 | 3, SEL_TSS_A, SEL_TSS_B, SEL_TSS_C, SEL_LDT, SEL_CALL32,
        SEL_CALL32 | 3, SEL_CALL16 | 3, SEL_TASK_GATE | 3, SEL_CONFORMING, SEL_CODE32_1 | 1,
        SEL_DATA32_1 | 1, SEL_CODE32_2 | 2, SEL_DATA32_2 | 2, SEL_CODE16_0, SEL_TSS_D,
        SEL_EXPAND_DOWN, SEL_SYSENTER, 0x0C | 3, 0x14 | 3, 0x1C, 0x24, CODE_BASE >> 4,
        DATA16_BASE >> 4, 0, 3,
    };
    uint32_t r = rnd() % 100;
    if (r < 80)
        return PICK(fixed);
    if (r < 90) /* fixed entries with another RPL */
        return (uint16_t)((PICK(fixed) & ~3u) | (rnd() & 3));
    if (r < 97) /* the random part of the GDT or LDT */
        return (uint16_t)(rnd() & 0x07FF);
    return (uint16_t)rnd();
}

/* Values that mean something to the test's machine. */
static uint32_t interesting_value(void)
{
    static const uint32_t values[] = {
        0, 1, 2, 3, 0xFFFFFFFFu, 0x80000000u, 0xFFFF, 0x10000, CODE_BASE, CODE_BASE + 0x40, STACK_TOP,
        RING0_STACK, GDT_BASE, IDT_BASE, PAGE_DIR, PAE_PDPT, TSS_A, STUBS,
        CR0_PE | CR0_ET, CR0_PG | CR0_PE | CR0_ET, CR0_PG | CR0_PE | CR0_WP, CR0_TS | CR0_PE,
        CR4_PSE, CR4_PAE, CR4_PGE, CR4_DE, CR4_TSD, CR4_VME,
        FLAG_VM | 2, FLAG_VM | FLAG_IOPL | 2, FLAG_IOPL | FLAG_IF | 2, FLAG_NT | 2, FLAG_TF | 2,
        FLAG_AC | FLAG_IF | 2, 0x00000400, 0x000F0003u, 0x00000103u, 0xFFFF2000u,
    };
    switch (rnd() % 4) {
    case 0: return PICK(values);
    case 1: return selector();
    case 2: return rnd() & 0x3FFFFF;
    default: return rnd();
    }
}

static const uint16_t ports[] = {
    0x20, 0x21, 0xA0, 0xA1, 0x40, 0x41, 0x42, 0x43, 0x61, 0x60, 0x64, 0x70, 0x71, 0x92, 0xCF8, 0xCFC,
    0xCF9, 0x3C0, 0x3C4, 0x3C5, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3DA, 0x1CE, 0x1CF, 0x1F0, 0x1F7, 0x3F6,
    0x170, 0x3F2, 0x3F4, 0x3F5, 0x00, 0x08, 0x0A, 0x0B, 0x81, 0xC0, 0xD4, 0xD6, 0x80, 0xE9, 0x3F8,
    0x3FB, 0x4D0, 0xF0,
};

/* A table or TSS field for a store to hit. */
static uint32_t table_address(void)
{
    static const uint32_t areas[][2] = {
        {GDT_BASE, 0x100}, {IDT_BASE, 0x800}, {TSS_A, 0x68}, {TSS_B, 0x68}, {TSS_C, 0x2C},
        {PAGE_DIR, 0x1000}, {PAGE_TABLE, 0x1000}, {PAE_PDPT, 0x20}, {PAE_DIR, 0x1000},
        {LDT_BASE, 0x40}, {STUBS, STUBS_END}, {CODE_BASE, 0x100}, {STACK_TOP - 0x20, 0x20},
    };
    int a = (int)(rnd() % (sizeof areas / sizeof areas[0]));
    return areas[a][0] + (rnd() % areas[a][1] & ~3u);
}

/* A code segment for a far transfer: mostly the stream's own segment in
 * real and V86 mode. */
static uint16_t code_segment(const emitter_t *e)
{
    static const uint16_t gates[] = {SEL_CALL32, SEL_CALL32 | 3, SEL_CALL16 | 3, SEL_TASK_GATE | 3,
                                     SEL_TSS_B, SEL_TSS_C, SEL_TSS_D, SEL_CONFORMING};
    if (e->real && chance(70))
        return CODE_BASE >> 4;
    return chance(30) ? PICK(gates) : selector();
}

/* Where a control transfer in the snippet starting at stream offset
 * `here` lands: a few slots further on, as an offset in code segment
 * `sel` (16-bit segments and real-mode ones start at CODE_BASE, the flat
 * ones at 0). */
static uint32_t forward(uint32_t here, uint16_t sel)
{
    uint32_t off = here + 48 + 16 * (rnd() % 4);
    if (chance(5))
        return chance(50) ? rnd() & 0xFFF0 : STUBS + STUB_RETF;
    bool based = (sel & ~3u) == (SEL_CODE16_3 & ~3u) || (sel & ~3u) == SEL_CODE16_0 || sel == CODE_BASE >> 4;
    return based ? off : CODE_BASE + off;
}

/* mov eax, value: the operand of the instruction that follows. */
static void emit_mov_eax(emitter_t *e, uint32_t value)
{
    op32(e);
    emit8(e, 0xB8);
    emit32(e, value);
}

/* One instruction (or a short sequence) that reaches the system paths,
 * encoded for the stream's starting code size (after a mode change it
 * decodes as something else, which is fine). */
static void emit_snippet(emitter_t *e)
{
    uint32_t here = (uint32_t)(e->pos - FUZZ_HEADER);
    switch (rnd() % 28) {
    case 0: /* mov reg, value */
        op32(e);
        emit8(e, 0xB8 + rnd() % 8);
        emit32(e, interesting_value());
        break;
    case 1: case 2: /* mov sreg, ax */
        emit_mov_eax(e, selector());
        emit8(e, 0x8E);
        emit8(e, 0xC0 | (rnd() % 6) << 3);
        break;
    case 3: case 4: { /* jmp or call far to a selector */
        uint16_t sel = code_segment(e);
        op32(e);
        emit8(e, chance(50) ? 0xEA : 0x9A);
        emit32(e, forward(here, sel));
        emit16(e, sel);
        break;
    }
    case 5: { /* int n, int3, into */
        static const uint8_t vectors[] = {0, 1, 3, 6, 8, 10, 11, 12, 13, 14, 0x20, 0x21, 0x80, 0xFF};
        if (chance(70)) {
            emit8(e, 0xCD);
            emit8(e, chance(70) ? PICK(vectors) : rnd());
        } else {
            emit8(e, chance(50) ? 0xCC : 0xCE);
        }
        break;
    }
    case 6: { /* iret, retf, retf n */
        static const uint8_t forms[][2] = {{0xCF, 0}, {0x66, 0xCF}, {0xCB, 0}, {0x66, 0xCB}}; /* either size */
        int f = (int)(rnd() % 5);
        if (f == 4) {
            emit8(e, 0xCA);
            emit16(e, rnd() % 16);
        } else {
            emit(e, forms[f], forms[f][1] ? 2 : 1);
        }
        break;
    }
    case 7: case 8: { /* push a frame, then IRETD or RETF: to V86, outer rings, tasks */
        bool v86 = chance(30);
        int n = v86 ? 9 : 2 + (int)(rnd() % 4);
        uint16_t cs = v86 ? CODE_BASE >> 4 : code_segment(e);
        for (int k = n - 1; k >= 0; k--) { /* pushed last to first: GS FS DS ES SS ESP EFLAGS CS EIP */
            uint32_t v = k == 0 ? forward(here, cs) : k == 1 ? cs
                       : k == 2 && v86 ? FLAG_VM | (rnd() & 0x3202) | 2
                       : k >= 4 ? selector() : interesting_value();
            op32(e);
            emit8(e, 0x68);
            emit32(e, v);
        }
        op32(e);
        emit8(e, chance(70) ? 0xCF : 0xCB);
        break;
    }
    case 9: case 10: /* mov crN, eax; mov eax, crN */
        if (chance(70)) {
            emit_mov_eax(e, interesting_value());
            emit8(e, 0x0F);
            emit8(e, 0x22);
        } else {
            emit8(e, 0x0F);
            emit8(e, 0x20);
        }
        emit8(e, 0xC0 | (rnd() % 5) << 3);
        break;
    case 11: /* mov drN, eax; mov eax, drN */
        emit_mov_eax(e, interesting_value());
        emit8(e, 0x0F);
        emit8(e, chance(60) ? 0x23 : 0x21);
        emit8(e, 0xC0 | (rnd() % 8) << 3);
        break;
    case 12: /* lgdt, lidt, sgdt, sidt [abs] */
        addr32(e);
        emit8(e, 0x0F);
        emit8(e, 0x01);
        emit8(e, 0x05 | (rnd() % 4) << 3);
        emit32(e, chance(50) ? table_address() : CODE_BASE + (rnd() & 0xFFF));
        break;
    case 13: case 14: /* sldt str lldt ltr verr verw; lar lsl */
        emit_mov_eax(e, selector());
        emit8(e, 0x0F);
        if (chance(70)) {
            emit8(e, 0x00);
            emit8(e, 0xC0 | (rnd() % 6) << 3);
        } else {
            emit8(e, chance(50) ? 0x02 : 0x03);
            emit8(e, 0xC0 | (rnd() % 8) << 3);
        }
        break;
    case 15: { /* port I/O */
        if (!e->code16)
            emit8(e, 0x66);
        emit8(e, 0xBA);
        emit16(e, PICK(ports));
        emit_mov_eax(e, interesting_value());
        static const uint8_t io[] = {0xEE, 0xEF, 0xEC, 0xED, 0xEE, 0xEE};
        emit8(e, PICK(io));
        break;
    }
    case 16: case 17: /* a store into a descriptor table, TSS or page table */
        op32(e);
        addr32(e);
        emit8(e, 0xC7);
        emit8(e, 0x05);
        emit32(e, table_address());
        emit32(e, interesting_value());
        break;
    case 18: /* mov ss, ax; mov esp, value */
        emit_mov_eax(e, selector());
        emit8(e, 0x8E);
        emit8(e, 0xD0);
        op32(e);
        emit8(e, 0xBC);
        emit32(e, chance(70) ? STACK_TOP : interesting_value());
        break;
    case 19: /* push value; popf */
        op32(e);
        emit8(e, 0x68);
        emit32(e, interesting_value());
        op32(e);
        emit8(e, chance(70) ? 0x9D : 0x9C);
        break;
    case 20: { /* system instructions without operands (MSRs with ECX set) */
        static const uint8_t ops[][2] = {
            {0x0F, 0x34}, {0x0F, 0x35}, {0x0F, 0x30}, {0x0F, 0x32}, {0x0F, 0xA2}, {0x0F, 0x31},
            {0x0F, 0x06}, {0x0F, 0x08}, {0x0F, 0x09}, {0x0F, 0x0B}, {0xF4, 0}, {0xFA, 0}, {0xFB, 0},
        };
        int k = (int)(rnd() % (sizeof ops / sizeof ops[0]));
        if (ops[k][0] == 0x0F && (ops[k][1] == 0x30 || ops[k][1] == 0x32)) {
            static const uint32_t msrs[] = {0x10, 0x174, 0x175, 0x176, 0x1B, 0xC0000080u, 0x277, 0x2FF};
            op32(e);
            emit8(e, 0xB9);
            emit32(e, PICK(msrs));
        }
        emit(e, ops[k], ops[k][0] == 0x0F ? 2 : 1);
        break;
    }
    case 21: /* invlpg [abs] */
        addr32(e);
        emit8(e, 0x0F);
        emit8(e, 0x01);
        emit8(e, 0x3D);
        emit32(e, chance(50) ? table_address() : rnd());
        break;
    case 22: /* near jumps and calls to a later slot */
        if (chance(50)) {
            emit8(e, 0xEB);
            emit8(e, 14 + 16 * (rnd() % 4));
        } else {
            op32(e);
            emit8(e, chance(50) ? 0xE8 : 0xE9);
            emit32(e, 11 + 16 * (rnd() % 8));
        }
        break;
    case 23: { /* far pointer in memory, then jmp/call far [abs] */
        uint32_t at = DATA16_BASE + (rnd() & 0x7F8);
        uint16_t sel = code_segment(e);
        op32(e);
        addr32(e);
        emit8(e, 0xC7);
        emit8(e, 0x05);
        emit32(e, at);
        emit32(e, forward(here, sel));
        if (!e->code16)
            emit8(e, 0x66);
        addr32(e);
        emit8(e, 0xC7);
        emit8(e, 0x05);
        emit32(e, at + 4);
        emit16(e, sel);
        op32(e);
        addr32(e);
        emit8(e, 0xFF);
        emit8(e, chance(50) ? 0x2D : 0x1D);
        emit32(e, at);
        break;
    }
    case 24: /* lmsw ax, smsw ax, arpl */
        emit_mov_eax(e, interesting_value());
        if (chance(70)) {
            emit8(e, 0x0F);
            emit8(e, 0x01);
            emit8(e, chance(50) ? 0xF0 : 0xE0);
        } else {
            emit8(e, 0x63);
            emit8(e, 0xC0 | rnd() % 64);
        }
        break;
    case 26: { /* a string instruction, often repeated, with a large count */
        static const uint32_t counts[] = {0, 1, 7, 0x1000, 0x10001, 0xFFFFFFFFu, 0x80000000u};
        static const uint8_t ops[] = {0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
                                      0x6C, 0x6D, 0x6E, 0x6F};
        static const uint8_t reps[] = {0xF3, 0xF3, 0xF2, 0x90};
        static const uint8_t regs[3] = {0xB9, 0xBE, 0xBF}; /* ecx, esi, edi */
        for (int k = 0; k < 3; k++) {
            op32(e);
            emit8(e, regs[k]);
            emit32(e, k == 0 ? PICK(counts) : chance(50) ? table_address() : interesting_value());
        }
        if (chance(30)) {
            emit8(e, 0x66);
            emit8(e, 0xBA);
            emit16(e, PICK(ports));
        }
        emit8(e, PICK(reps));
        if (chance(30))
            emit8(e, chance(50) ? 0x66 : 0x67);
        emit8(e, PICK(ops));
        break;
    }
    default: { /* prefixes: up to past the 15-byte limit (also 25 and 27, twice
               * the weight; renumbering would change the streams that the
               * inputs in regress/ replay) */
        static const uint8_t prefixes[] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
        int n = chance(50) ? 1 + (int)(rnd() % 3) : 12 + (int)(rnd() % 6);
        for (int k = 0; k < n; k++)
            emit8(e, PICK(prefixes));
        emit8(e, chance(50) ? 0x90 : rnd());
        break;
    }
    }
}

void fuzz_cpu_generate(uint64_t *rng_state, uint8_t *buf, size_t len)
{
    uint64_t saved = F.rng;
    F.rng = *rng_state;
    emitter_t e = {buf, 0, len, false, false};
    for (int k = 0; k < FUZZ_HEADER; k++)
        emit8(&e, rnd());
    int mode = buf[0] & 7;
    e.code16 = mode == MODE_REAL || mode == MODE_UNREAL || mode == MODE_PM16 || mode == MODE_PM16_RING3 ||
               mode == MODE_V86;
    e.real = mode == MODE_REAL || mode == MODE_UNREAL || mode == MODE_V86;
    /* A quarter of the streams are random bytes; the rest are instructions
     * from emit_snippet, each starting a 16-byte slot (NOPs between), with
     * a few random bytes here and there. */
    unsigned random_runs = chance(25) ? 100 : chance(50) ? 10 : 0;
    while (e.pos < len) {
        if (chance(random_runs)) {
            int n = 1 + (int)(rnd() % (random_runs == 100 ? 16 : 4));
            for (int k = 0; k < n; k++)
                emit8(&e, rnd());
        } else {
            while ((e.pos - FUZZ_HEADER) % 16 && e.pos < len)
                emit8(&e, 0x90);
            emit_snippet(&e);
        }
    }
    *rng_state = F.rng;
    F.rng = saved;
}
