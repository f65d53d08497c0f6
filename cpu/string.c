/* String instructions: MOVS CMPS STOS LODS SCAS INS OUTS, alone or with
 * REP / REPE / REPNE.
 *
 * The source is seg:eSI (DS unless overridden), the destination ES:eDI
 * (never overridden); the address size picks SI/DI/CX or ESI/EDI/ECX and
 * EFLAGS.DF the direction.  F2 and F3 both mean REP for the instructions
 * that do not compare.
 *
 * A repeated instruction updates eSI, eDI and eCX after every element, so a
 * fault leaves the architectural state of the completed elements and EIP at
 * the instruction, which then resumes.  A long repetition runs in chunks:
 * when a chunk ends with work left, EIP is set back to the instruction and
 * the block ends, so the loop services interrupts and comes back.  While
 * single-stepping (TF, debugger) a chunk is one element, as on hardware,
 * where TF traps after every iteration.
 *
 * REP MOVS and REP STOS move whole runs through host memory when the TLB
 * entries of the pages involved allow it (a read tag for the source, a
 * write tag for the destination): MMIO, ROM and pages holding decoded code
 * have no such tag and take the element-by-element path.
 */
#include "exec.h"

enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };

/* Elements per chunk between interrupt checks. */
#define REP_CHUNK 4096u

/* ---------------------------------------------------------------- registers */

static inline uint32_t get_idx(const cpu_t *cpu, int r, bool a32)
{
    return a32 ? cpu->gpr[r] : (cpu->gpr[r] & 0xFFFF);
}
static inline void set_idx(cpu_t *cpu, int r, uint32_t v, bool a32)
{
    if (a32)
        cpu->gpr[r] = v;
    else
        set_r16(cpu, r, (uint16_t)v);
}
/* The element step: +size, or -size with DF set. */
static inline uint32_t step(const cpu_t *cpu, unsigned size)
{
    return (cpu->eflags & FLAG_DF) ? (uint32_t)-(int32_t)size : size;
}
static inline uint32_t get_acc(const cpu_t *cpu, unsigned size)
{
    uint32_t v = cpu->gpr[R_EAX];
    return size == 1 ? (v & 0xFF) : size == 2 ? (v & 0xFFFF) : v;
}

/* Segmented accesses of a constant size (inline, unlike rd_sized). */
static inline uint32_t str_rd(cpu_t *cpu, int s, uint32_t off, unsigned size)
{
    return lin_rd(cpu, seg_linear(cpu, s, off, size, SEG_RIGHT_R), size);
}
static inline void str_wr(cpu_t *cpu, int s, uint32_t off, uint32_t v, unsigned size)
{
    lin_wr(cpu, seg_linear(cpu, s, off, size, SEG_RIGHT_W), v, size);
}

/* ---------------------------------------------------------------- one element */

/* Always inlined (like string_op): the operation, size and address size
 * are constants in every handler. */
#define STRING_INLINE static inline __attribute__((always_inline))

STRING_INLINE void string_one(cpu_t *cpu, const insn_t *i, int kind, unsigned size, bool a32)
{
    uint32_t d = step(cpu, size);
    uint32_t si = get_idx(cpu, R_ESI, a32), di = get_idx(cpu, R_EDI, a32);
    uint32_t a, b;
    switch (kind) {
    case STR_MOVS:
        a = str_rd(cpu, i->seg, si, size);
        str_wr(cpu, SEG_ES, di, a, size);
        set_idx(cpu, R_ESI, si + d, a32);
        set_idx(cpu, R_EDI, di + d, a32);
        break;
    case STR_CMPS:
        a = str_rd(cpu, i->seg, si, size);
        b = str_rd(cpu, SEG_ES, di, size);
        flags_sub(cpu, a, b, a - b, size * 8);
        set_idx(cpu, R_ESI, si + d, a32);
        set_idx(cpu, R_EDI, di + d, a32);
        break;
    case STR_STOS:
        str_wr(cpu, SEG_ES, di, get_acc(cpu, size), size);
        set_idx(cpu, R_EDI, di + d, a32);
        break;
    case STR_LODS:
        set_acc(cpu, str_rd(cpu, i->seg, si, size), size);
        set_idx(cpu, R_ESI, si + d, a32);
        break;
    case STR_SCAS:
        a = get_acc(cpu, size);
        b = str_rd(cpu, SEG_ES, di, size);
        flags_sub(cpu, a, b, a - b, size * 8);
        set_idx(cpu, R_EDI, di + d, a32);
        break;
    case STR_INS:
        /* The destination must be writable before the port is read: a
         * device read has side effects that a restart would repeat. */
        check_write(cpu, SEG_ES, di, size);
        str_wr(cpu, SEG_ES, di, io_in(cpu, get_r16(cpu, R_EDX), size), size);
        set_idx(cpu, R_EDI, di + d, a32);
        break;
    default: /* OUTS */
        io_out(cpu, get_r16(cpu, R_EDX), str_rd(cpu, i->seg, si, size), size);
        set_idx(cpu, R_ESI, si + d, a32);
        break;
    }
}

/* ---------------------------------------------------------------- bulk runs */

/* How many of at most n elements, the first at offset `off` of segment s,
 * stay inside the segment's limit (and, with 16-bit addressing, below the
 * wrap at 64 KiB) and inside the 4 KiB page of the first element. */
static inline uint32_t run_length(const cpu_t *cpu, int s, uint32_t off, unsigned size, bool down,
                                  bool a32, uint32_t n)
{
    const segment_t *sg = &cpu->seg[s];
    uint64_t lo = sg->lo, hi = sg->hi;
    if (!a32 && hi > 0xFFFF)
        hi = 0xFFFF;
    if (off < lo || off + (uint64_t)size - 1 > hi)
        return 0;
    uint32_t in_page = (sg->base + off) & (PAGE_SIZE - 1);
    if (in_page + size > PAGE_SIZE)
        return 0;
    uint64_t fit;
    if (down)
        fit = (off - lo) / size + 1;
    else
        fit = (hi - off + 1) / size;
    uint32_t page_fit = down ? in_page / size + 1 : (PAGE_SIZE - in_page) / size;
    if (fit > page_fit)
        fit = page_fit;
    return n < fit ? n : (uint32_t)fit;
}

/* Host address of the lowest byte of n elements starting at linear `lin`,
 * through TLB tag `tag` (tag_r or tag_w), or NULL. */
static inline uint8_t *run_host(const cpu_t *cpu, uint32_t lin, unsigned size, bool down, uint32_t n,
                                bool write)
{
    const tlb_entry_t *e = tlb_slot(cpu->mmu.cur, lin);
    if ((write ? e->tag_w : e->tag_r) != (lin & PAGE_MASK))
        return NULL;
    uint32_t low = down ? lin - (n - 1) * size : lin;
    return (uint8_t *)(e->host + low);
}

/* REP MOVS through host memory: returns the elements moved (0: take the
 * element path for the next one). */
STRING_INLINE uint32_t movs_run(cpu_t *cpu, const insn_t *i, unsigned size, bool a32, uint32_t n)
{
    bool down = (cpu->eflags & FLAG_DF) != 0;
    if (!(cpu->seg[i->seg].rights & SEG_RIGHT_R) || !(cpu->seg[SEG_ES].rights & SEG_RIGHT_W))
        return 0;
    uint32_t si = get_idx(cpu, R_ESI, a32), di = get_idx(cpu, R_EDI, a32);
    n = run_length(cpu, i->seg, si, size, down, a32, n);
    n = n ? run_length(cpu, SEG_ES, di, size, down, a32, n) : 0;
    if (n == 0)
        return 0;
    const uint8_t *src = run_host(cpu, cpu->seg[i->seg].base + si, size, down, n, false);
    uint8_t *dst = run_host(cpu, cpu->seg[SEG_ES].base + di, size, down, n, true);
    if (!src || !dst)
        return 0;
    uint32_t bytes = n * size;
    /* One memmove equals copying element by element in the instruction's
     * direction unless the destination trails the source inside it (the
     * "rep movsb with di = si + 1" fill): then copy element by element. */
    bool overlap = dst < src + bytes && src < dst + bytes;
    if (!overlap || (down ? dst >= src : dst <= src)) {
        memmove(dst, src, bytes);
    } else {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t at = (down ? n - 1 - k : k) * size;
            memmove(dst + at, src + at, size);
        }
    }
    uint32_t delta = down ? (uint32_t)-(int32_t)bytes : bytes;
    set_idx(cpu, R_ESI, si + delta, a32);
    set_idx(cpu, R_EDI, di + delta, a32);
    return n;
}

/* REP STOS through host memory: every element has the same value, so the
 * order of the stores does not matter. */
STRING_INLINE uint32_t stos_run(cpu_t *cpu, unsigned size, bool a32, uint32_t n)
{
    bool down = (cpu->eflags & FLAG_DF) != 0;
    if (!(cpu->seg[SEG_ES].rights & SEG_RIGHT_W))
        return 0;
    uint32_t di = get_idx(cpu, R_EDI, a32);
    n = run_length(cpu, SEG_ES, di, size, down, a32, n);
    if (n == 0)
        return 0;
    uint8_t *dst = run_host(cpu, cpu->seg[SEG_ES].base + di, size, down, n, true);
    if (!dst)
        return 0;
    uint32_t v = get_acc(cpu, size);
    if (size == 1) {
        memset(dst, (int)v, n);
    } else {
        for (uint32_t k = 0; k < n; k++)
            store_host(dst + k * size, v, size);
    }
    uint32_t bytes = n * size;
    set_idx(cpu, R_EDI, di + (down ? (uint32_t)-(int32_t)bytes : bytes), a32);
    return n;
}

/* ---------------------------------------------------------------- REP */

STRING_INLINE void string_op(cpu_t *cpu, const insn_t *i, int kind, unsigned size, bool a32)
{
    bool rep = (i->pfx & (PFX_REP | PFX_REPNE)) != 0;
    uint32_t count = rep ? get_idx(cpu, R_ECX, a32) : 1;
    if (count == 0)
        return;
    if (kind == STR_INS || kind == STR_OUTS)
        io_check(cpu, get_r16(cpu, R_EDX), size);
    if (!rep) {
        string_one(cpu, i, kind, size, a32);
        return;
    }
    uint32_t budget = cpu->single_step ? 1 : REP_CHUNK;
    for (;;) {
        uint32_t max = count < budget ? count : budget, n = 0;
        if (kind == STR_MOVS)
            n = movs_run(cpu, i, size, a32, max);
        else if (kind == STR_STOS)
            n = stos_run(cpu, size, a32, max);
        if (n == 0) {
            string_one(cpu, i, kind, size, a32);
            n = 1;
        }
        count -= n;
        set_idx(cpu, R_ECX, count, a32);
        if (count == 0)
            return;
        /* REPE stops on a difference, REPNE on a match. */
        if ((kind == STR_CMPS || kind == STR_SCAS) && get_zf(cpu) != !(i->pfx & PFX_REPNE))
            return;
        budget -= n;
        if (budget == 0)
            break;
    }
    cpu->eip = cpu->prev_eip;
    end_block(cpu);
}

/* A handler per operation and element size; the address size is chosen
 * here so that each inlined body has constant parameters. */
#define DEFINE_STRING(name, kind, size)                                                            \
    static void name(cpu_t *c, const insn_t *i)                                                    \
    {                                                                                              \
        if (a32(i))                                                                                \
            string_op(c, i, kind, size, true);                                                     \
        else                                                                                       \
            string_op(c, i, kind, size, false);                                                    \
    }
#define DEFINE_STRING_SIZES(name, kind)                                                            \
    DEFINE_STRING(name##_b, kind, 1)                                                               \
    DEFINE_STRING(name##_w, kind, 2)                                                               \
    DEFINE_STRING(name##_d, kind, 4)

DEFINE_STRING_SIZES(movs, STR_MOVS)
DEFINE_STRING_SIZES(cmps, STR_CMPS)
DEFINE_STRING_SIZES(stos, STR_STOS)
DEFINE_STRING_SIZES(lods, STR_LODS)
DEFINE_STRING_SIZES(scas, STR_SCAS)
DEFINE_STRING_SIZES(ins, STR_INS)
DEFINE_STRING_SIZES(outs, STR_OUTS)

/* OUTS ends the block like OUT: the device may have raised an interrupt. */
const opdef_t string_ops[] = {
    {0xA4, -1, -1, 0, 0, "movs", "Yb,Xb", OPF_PREFIX_REP, H(movs_b)},
    {0xA5, -1, -1, 0, 0, "movs", "Yv,Xv", OPF_PREFIX_REP, HS(movs_w, movs_d)},
    {0xA6, -1, -1, 0, 0, "cmps", "Xb,Yb", OPF_PREFIX_REP, H(cmps_b)},
    {0xA7, -1, -1, 0, 0, "cmps", "Xv,Yv", OPF_PREFIX_REP, HS(cmps_w, cmps_d)},
    {0xAA, -1, -1, 0, 0, "stos", "Yb,AL", OPF_PREFIX_REP, H(stos_b)},
    {0xAB, -1, -1, 0, 0, "stos", "Yv,eAX", OPF_PREFIX_REP, HS(stos_w, stos_d)},
    {0xAC, -1, -1, 0, 0, "lods", "AL,Xb", OPF_PREFIX_REP, H(lods_b)},
    {0xAD, -1, -1, 0, 0, "lods", "eAX,Xv", OPF_PREFIX_REP, HS(lods_w, lods_d)},
    {0xAE, -1, -1, 0, 0, "scas", "AL,Yb", OPF_PREFIX_REP, H(scas_b)},
    {0xAF, -1, -1, 0, 0, "scas", "eAX,Yv", OPF_PREFIX_REP, HS(scas_w, scas_d)},
    {0x6C, -1, -1, 0, 0, "ins", "Yb,DX", OPF_PREFIX_REP, H(ins_b)},
    {0x6D, -1, -1, 0, 0, "ins", "Yz,DX", OPF_PREFIX_REP, HS(ins_w, ins_d)},
    {0x6E, -1, -1, 0, 0, "outs", "DX,Xb", OPF_PREFIX_REP | OPF_END, H(outs_b)},
    {0x6F, -1, -1, 0, 0, "outs", "DX,Xz", OPF_PREFIX_REP | OPF_END, HS(outs_w, outs_d)},
    {0},
};
