/* What the instruction families share: the decoded-instruction form, the
 * opcode-table entries each family contributes, operand and memory access
 * helpers with segmentation checks, the stack, and exceptions.
 *
 * An instruction is decoded once into an insn_t and cached (cpu/icache.c);
 * executing it is a call through insn_t.fn.  Handlers are specialised at
 * decode time by operand size and by register-versus-memory operand, so the
 * common paths carry no mode tests.  When a handler starts, cpu->eip already
 * points at the next instruction and cpu->prev_eip at this one; a fault
 * unwinds with eip reset to prev_eip, so a handler must finish every check
 * that can fault before it changes architectural state.
 */
#ifndef X86SIM_EXEC_H
#define X86SIM_EXEC_H

#include "cpu.h"
#include "flags.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NORETURN _Noreturn

typedef void (*insn_fn)(cpu_t *cpu, const insn_t *i);

/* Prefix and form bits in insn_t.pfx. */
#define PFX_O32 0x01u   /* effective operand size is 32 bits */
#define PFX_A32 0x02u   /* effective address size is 32 bits */
#define PFX_REP 0x04u   /* F3 */
#define PFX_REPNE 0x08u /* F2 */
#define PFX_LOCK 0x10u
#define PFX_SEG 0x20u   /* a segment-override prefix was given */
#define PFX_MEM 0x40u   /* the ModRM operand is memory */

struct insn {
    insn_fn fn;
    union {
        uint32_t disp; /* memory displacement; moffs; far pointer offset */
        /* Direct jumps (Jcc, JMP/CALL rel): the target's block once the
         * loop found it, as a byte offset from this insn; 0 = none yet. */
        int32_t link;
    };
    uint32_t imm;   /* immediate (Ib zero-extended, sIb/Jb sign-extended) */
    uint16_t imm2;  /* ENTER nesting level, far pointer selector */
    uint16_t op;    /* opcode: 0x000-0x0FF, or 0x100 | second byte after 0F */
    uint16_t def;   /* opcode-table entry (for the disassembler); 0 = invalid */
    uint8_t len;    /* bytes, prefixes included */
    uint8_t modrm;
    uint8_t reg;    /* ModRM.reg, or the register in the opcode's low bits */
    uint8_t rm;     /* ModRM.rm (the register when the operand is not memory) */
    uint8_t base, index, scale; /* effective address: R_NONE when absent */
    uint8_t seg;    /* segment of the memory operand, overrides applied */
    uint8_t pfx;
    uint8_t seg_override; /* the override prefix's segment, or 0xFF */
};

/* ---------------------------------------------------------------- opcode table
 *
 * Each family file contributes a table of opdef_t, terminated by an entry
 * with mnem == NULL, and cpu/opcodes.c lists the tables.  Operands use the
 * Intel SDM (appendix A) notation; the decoder derives from them whether a
 * ModRM byte and which immediates follow, and the disassembler prints them.
 *   E G M R  ModRM r/m (reg or memory), reg field, memory only, register only;
 *            "Rv/Mw" gives the register and the memory form different sizes
 *   S C D    segment, control, debug register in ModRM.reg
 *   b w d v z q p t a s   sizes: byte, word, dword, word/dword by operand size
 *            (v and z are the same on a 32-bit CPU), qword, far pointer,
 *            ten bytes, BOUND pair, six-byte descriptor-table image
 *   I sI J A O   immediate, sign-extended imm8, relative offset, far absolute
 *            pointer, memory offset (moffs)
 *   Z        register in the opcode's low three bits
 *   X Y      string source DS:eSI and destination ES:eDI
 *   AL CL DX eAX 1 ES CS SS DS FS GS   fixed operands
 *   ST STi   x87 ST(0) and ST(i) (i from ModRM.rm)
 * A mnemonic "a/b" names the 16- and 32-bit operand-size forms; with
 * OPF_ASIZE_MNEM it names the address-size forms instead.  "%cc" in a
 * mnemonic stands for the condition in the opcode's low four bits. */
typedef struct opdef {
    uint16_t op;   /* 0x00-0xFF, or 0x100 | byte after 0F */
    int8_t reg;    /* ModRM.reg selecting this entry, or -1 */
    int8_t rm;     /* ModRM.rm selecting this entry (register forms), or -1 */
    uint8_t mod;   /* OPMOD_ANY, OPMOD_MEM or OPMOD_REG */
    uint8_t span;  /* consecutive opcodes covered (Jcc: 16); 0 means 1, or 8 with a Z operand */
    const char *mnem;
    const char *args;
    uint16_t flags;
    insn_fn fn[2][2]; /* [memory operand][32-bit operand size] */
    /* [32-bit operand size]: the memory form for a 32-bit address of a base
     * and a displacement only, when the family has one (the *_BD forms). */
    insn_fn fn_bd[2];
} opdef_t;

enum { OPMOD_ANY, OPMOD_MEM, OPMOD_REG };

#define OPF_END 0x01u       /* ends a decoded block (control transfer, mode change) */
#define OPF_LOCKABLE 0x02u  /* LOCK is allowed (with a memory destination) */
#define OPF_ASIZE_MNEM 0x04u
#define OPF_PREFIX_REP 0x08u /* disassembler prints rep/repe/repne */
#define OPF_FAR 0x10u        /* disassembler: far form (objdump's "FWORD PTR") */

/* Handler selectors for opdef_t.fn. */
#define H(f) {{f, f}, {f, f}}, {0}
#define HS(f16, f32) {{f16, f32}, {f16, f32}}, {0}
#define HR(freg, fmem) {{freg, freg}, {fmem, fmem}}, {0}
#define HRS(r16, r32, m16, m32) {{r16, r32}, {m16, m32}}, {0}
/* The same, the memory forms defined by DEFINE_MEM_HANDLER (with a twin). */
#define HS_BD(f16, f32) {{f16, f32}, {f16, f32}}, {f16##_bd, f32##_bd}
#define HR_BD(freg, fmem) {{freg, freg}, {fmem, fmem}}, {fmem##_bd, fmem##_bd}
#define HRS_BD(r16, r32, m16, m32) {{r16, r32}, {m16, m32}}, {m16##_bd, m32##_bd}

/* Every family table, for cpu/opcodes.c. */
extern const opdef_t alu_ops[], shift_ops[], muldiv_ops[], bcd_ops[], bitops_ops[];
extern const opdef_t mov_ops[], stack_ops[], string_ops[], branch_ops[], far_ops[];
extern const opdef_t interrupt_ops[], system_ops[], io_ops[], segment_ops[], fpu_ops[];
extern const opdef_t misc_ops[];

/* The table entry an instruction was decoded from (NULL for invalid ones). */
const opdef_t *opdef_of(const insn_t *i);
/* The table entry matching an instruction's opcode and ModRM form even when
 * it decoded to #UD (LOCK misuse, a form without a handler); NULL when the
 * tables have none.  And whether an opcode takes a ModRM byte. */
const opdef_t *opdef_find(const insn_t *i);
bool opcode_has_modrm(unsigned op);
/* Visits every opcode-table entry of every family (tests, tools). */
void opdefs_each(void (*visit)(const opdef_t *d, void *opaque), void *opaque);

/* Disassembly in Intel syntax, as `objdump -Mintel` prints it (cpu/disasm.c).
 * disasm_bytes decodes `bytes` (at most `avail`) as code at `eip`; it returns
 * the instruction's length and writes "(bad)" for what does not decode.
 * disasm_insn formats an already decoded instruction; without the bytes, the
 * prefixes it shows are the ones that had an effect. */
int disasm_bytes(const uint8_t *bytes, int avail, bool code32, uint32_t eip, char *buf, int size);
int disasm_insn(const insn_t *i, bool code32, uint32_t eip, char *buf, int size);

/* Decodes one instruction from `bytes` (at most `avail` readable).  Returns
 * the length, or 0 when more bytes were needed; an invalid encoding decodes
 * to a #UD (or #GP for length > 15) handler with def = 0. */
int decode_insn(const uint8_t *bytes, int avail, bool code32, insn_t *out);
void opcodes_init(void);

/* ---------------------------------------------------------------- faults */

/* Raises a fault: eip returns to prev_eip and the exception is delivered.
 * The error code is pushed for vectors 8, 10-14 and 17. */
NORETURN void cpu_exception(cpu_t *cpu, int vector, uint32_t error);
/* The #UD handler for invalid encodings. */
void op_ud(cpu_t *cpu, const insn_t *i);
/* Delivers interrupt `vector` (software INT n, INT3, INTO, or a hardware
 * interrupt) right now; returns when the handler is entered. */
enum { INT_HW, INT_SW, INT_EXCEPTION, INT_SW_EXC /* INT3/INTO */ };
void cpu_interrupt(cpu_t *cpu, int vector, int kind, bool has_error, uint32_t error);

/* ---------------------------------------------------------------- registers */

static inline uint8_t *reg8_ptr(cpu_t *cpu, unsigned n)
{
    return (uint8_t *)&cpu->gpr[n & 3] + (n >> 2);
}
static inline uint8_t get_r8(cpu_t *cpu, unsigned n) { return *reg8_ptr(cpu, n); }
static inline void set_r8(cpu_t *cpu, unsigned n, uint8_t v) { *reg8_ptr(cpu, n) = v; }
static inline uint16_t get_r16(cpu_t *cpu, unsigned n) { return (uint16_t)cpu->gpr[n]; }
static inline void set_r16(cpu_t *cpu, unsigned n, uint16_t v)
{
    cpu->gpr[n] = (cpu->gpr[n] & 0xFFFF0000u) | v;
}

/* Writes the low `size` bytes (1, 2 or 4) of EAX. */
static inline void set_acc(cpu_t *cpu, uint32_t v, unsigned size)
{
    if (size == 1)
        set_r8(cpu, R_EAX, (uint8_t)v);
    else if (size == 2)
        set_r16(cpu, R_EAX, (uint16_t)v);
    else
        cpu->gpr[R_EAX] = v;
}

static inline bool o32(const insn_t *i) { return i->pfx & PFX_O32; }
static inline bool a32(const insn_t *i) { return i->pfx & PFX_A32; }

/* ---------------------------------------------------------------- memory */

/* Segment limit or rights violation: #SS(0) for SS, #GP(0) otherwise. */
NORETURN void seg_fault(cpu_t *cpu, int seg);
/* seg_fault for an access at `off`: records what failed for the explainer. */
NORETURN void seg_check_failed(cpu_t *cpu, int seg, uint32_t off, unsigned size, unsigned right);

/* Offset -> linear address through segment `s`, checking the limit and
 * the read/write right (SEG_RIGHT_R or SEG_RIGHT_W) in one compare. */
static inline uint32_t seg_linear(cpu_t *cpu, int s, uint32_t off, unsigned size, unsigned right)
{
    const segment_t *sg = &cpu->seg[s];
    int64_t span = right == SEG_RIGHT_W ? sg->span_w : sg->span_r;
    if (UNLIKELY((int64_t)(uint32_t)(off - sg->lo) + (int64_t)(size - 1) > span))
        seg_check_failed(cpu, s, off, size, right);
    return sg->base + off;
}

/* The effective address (offset) of a ModRM memory operand. */
static inline uint32_t ea_offset(const cpu_t *cpu, const insn_t *i)
{
    uint32_t a = cpu->gpr[i->base] + (cpu->gpr[i->index] << i->scale) + i->disp;
    return (i->pfx & PFX_A32) ? a : (a & 0xFFFF);
}

static inline uint8_t rd8(cpu_t *cpu, int s, uint32_t off)
{
    return mmu_read8(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 1, SEG_RIGHT_R));
}
static inline uint16_t rd16(cpu_t *cpu, int s, uint32_t off)
{
    return mmu_read16(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 2, SEG_RIGHT_R));
}
static inline uint32_t rd32(cpu_t *cpu, int s, uint32_t off)
{
    return mmu_read32(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 4, SEG_RIGHT_R));
}
static inline void wr8(cpu_t *cpu, int s, uint32_t off, uint8_t v)
{
    mmu_write8(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 1, SEG_RIGHT_W), v);
}
static inline void wr16(cpu_t *cpu, int s, uint32_t off, uint16_t v)
{
    mmu_write16(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 2, SEG_RIGHT_W), v);
}
static inline void wr32(cpu_t *cpu, int s, uint32_t off, uint32_t v)
{
    mmu_write32(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, s, off, 4, SEG_RIGHT_W), v);
}
/* Sized forms for handlers shared between operand sizes (size 1, 2 or 4). */
uint32_t rd_sized(cpu_t *cpu, int s, uint32_t off, unsigned size);
void wr_sized(cpu_t *cpu, int s, uint32_t off, uint32_t v, unsigned size);
/* Checks that [off, off+len) of segment s may be written, in the segment
 * and in the page tables, before a multi-part store. */
void check_write(cpu_t *cpu, int s, uint32_t off, uint32_t len);

/* Sized linear accesses through the current TLB (size 1, 2 or 4). */
static inline uint32_t lin_rd(cpu_t *cpu, uint32_t lin, unsigned size)
{
    switch (size) {
    case 1: return mmu_read8(&cpu->mmu, cpu->mmu.cur, lin);
    case 2: return mmu_read16(&cpu->mmu, cpu->mmu.cur, lin);
    default: return mmu_read32(&cpu->mmu, cpu->mmu.cur, lin);
    }
}
static inline void lin_wr(cpu_t *cpu, uint32_t lin, uint32_t v, unsigned size)
{
    switch (size) {
    case 1: mmu_write8(&cpu->mmu, cpu->mmu.cur, lin, (uint8_t)v); break;
    case 2: mmu_write16(&cpu->mmu, cpu->mmu.cur, lin, (uint16_t)v); break;
    default: mmu_write32(&cpu->mmu, cpu->mmu.cur, lin, v); break;
    }
}
static inline uint32_t load_host(const uint8_t *p, unsigned size)
{
    uint32_t v = 0;
    memcpy(&v, p, size); /* little-endian host */
    return v;
}
static inline void store_host(uint8_t *p, uint32_t v, unsigned size) { memcpy(p, &v, size); }

/* The read of a read-modify-write off the fast path: the operand is
 * checked for writing before it is read, so a fault leaves it untouched. */
static inline uint32_t rmw_slow_read(cpu_t *cpu, uint32_t lin, unsigned size)
{
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, lin, size); /* #AC before #PF */
    mmu_check_write(&cpu->mmu, cpu->mmu.cur, lin, size);
    return lin_rd(cpu, lin, size);
}

/* Read-modify-write of a memory operand: `op(cpu, old, arg)` returns the
 * new value. */
#define RMW_MEM(cpu, i, size, op, arg) RMW_AT(cpu, (i)->seg, ea_offset(cpu, i), size, op, arg)
/* The same at offset `off` of segment `s` (bit strings, string operands). */
#define RMW_AT(cpu, s, off, size, op, arg)                                                         \
    do {                                                                                           \
        uint32_t lin_ = seg_linear(cpu, s, off, size, SEG_RIGHT_W);                                \
        uint8_t *p_ = mmu_rmw_ptr((cpu)->mmu.cur, lin_, size);                                     \
        if (LIKELY(p_)) {                                                                          \
            store_host(p_, op(cpu, load_host(p_, size), arg), size);                               \
        } else {                                                                                   \
            uint32_t v_ = rmw_slow_read(cpu, lin_, size);                                          \
            lin_wr(cpu, lin_, op(cpu, v_, arg), size);                                             \
        }                                                                                          \
    } while (0)

/* The ModRM operand of the current instruction. */
static inline uint32_t ea_rd8(cpu_t *cpu, const insn_t *i) { return rd8(cpu, i->seg, ea_offset(cpu, i)); }
static inline uint32_t ea_rd16(cpu_t *cpu, const insn_t *i) { return rd16(cpu, i->seg, ea_offset(cpu, i)); }
static inline uint32_t ea_rd32(cpu_t *cpu, const insn_t *i) { return rd32(cpu, i->seg, ea_offset(cpu, i)); }
static inline void ea_wr8(cpu_t *cpu, const insn_t *i, uint8_t v) { wr8(cpu, i->seg, ea_offset(cpu, i), v); }
static inline void ea_wr16(cpu_t *cpu, const insn_t *i, uint16_t v) { wr16(cpu, i->seg, ea_offset(cpu, i), v); }
static inline void ea_wr32(cpu_t *cpu, const insn_t *i, uint32_t v) { wr32(cpu, i->seg, ea_offset(cpu, i), v); }

/* Handlers whose one memory access is their ModRM operand, for the most
 * frequent instructions.  The TLB hit runs inline; a miss continues in
 * name##_miss, out of line and entered as a tail call.  So the hit path
 * keeps cpu and i in their argument registers across no call and needs no
 * stack frame (MOV r32,[m]: 44 host instructions instead of 53 with
 * ea_rd32, whose slow-path call in the middle makes the whole handler
 * save registers).
 * DEFINE_MEM_HANDLER defines `name` and name##_bd, its twin for a 32-bit
 * address of a base and a displacement (the decoder picks it: opdef_t.
 * fn_bd), which spares the index, the scale and the 16-bit wrap: most
 * operands are [reg+disp].  Both check the operand at `ea` for `right`
 * against the TLB entry's `tag`, then run `hit` with the operand's host
 * address in p, or `miss` with its linear address in lin; then the next
 * instruction. */
#define DEFINE_MEM_HANDLER(name, size, right, tag, hit, miss)                                      \
    static __attribute__((noinline)) void name##_miss(cpu_t *c, const insn_t *i, uint32_t lin)    \
    {                                                                                              \
        miss;                                                                                      \
        run_next(c, i);                                                                            \
    }                                                                                              \
    DEFINE_MEM_HIT_PATH(name, name##_miss, ea_offset(c, i), size, right, tag, hit)                 \
    DEFINE_MEM_HIT_PATH(name##_bd, name##_miss, c->gpr[i->base] + i->disp, size, right, tag, hit)
#define DEFINE_MEM_HIT_PATH(fname, miss_fn, ea, size, right, tag, hit)                             \
    static void fname(cpu_t *c, const insn_t *i)                                                   \
    {                                                                                              \
        uint32_t lin = seg_linear(c, i->seg, ea, size, right);                                     \
        const tlb_entry_t *e = tlb_slot(c->mmu.cur, lin);                                          \
        if (UNLIKELY(e->tag != mmu_fast_tag(lin, size))) {                                         \
            miss_fn(c, i, lin);                                                                    \
            return;                                                                                \
        }                                                                                          \
        uint8_t *p = (uint8_t *)(e->host + lin);                                                   \
        hit;                                                                                       \
        run_next(c, i);                                                                            \
    }
/* Reads the operand (`size` bytes) into v, then runs the statement `use`. */
#define DEFINE_LOAD_HANDLER(name, size, use)                                                       \
    DEFINE_MEM_HANDLER(name, size, SEG_RIGHT_R, tag_r, uint32_t v = load_host(p, size); use,      \
                       uint32_t v = mmu_slow_read(&c->mmu, c->mmu.cur, lin, size); use)
/* Writes `value` (an expression) to the operand. */
#define DEFINE_STORE_HANDLER(name, size, value)                                                    \
    DEFINE_MEM_HANDLER(name, size, SEG_RIGHT_W, tag_w, store_host(p, value, size),                \
                       mmu_slow_write(&c->mmu, c->mmu.cur, lin, value, size))
/* Reads the operand into v and writes back `update` (an expression of v). */
#define DEFINE_RMW_HANDLER(name, size, update)                                                     \
    DEFINE_MEM_HANDLER(name, size, SEG_RIGHT_W, tag_w,                                             \
                       uint32_t v = load_host(p, size); store_host(p, update, size),               \
                       uint32_t v = rmw_slow_read(c, lin, size); lin_wr(c, lin, update, size))

/* System-structure accesses (GDT, LDT, IDT, TSS): linear, always with
 * supervisor rights regardless of CPL. */
static inline uint32_t sys_rd32(cpu_t *cpu, uint32_t lin) { return mmu_read32(&cpu->mmu, cpu->mmu.tlb[0], lin); }
static inline uint16_t sys_rd16(cpu_t *cpu, uint32_t lin) { return mmu_read16(&cpu->mmu, cpu->mmu.tlb[0], lin); }
static inline uint8_t sys_rd8(cpu_t *cpu, uint32_t lin) { return mmu_read8(&cpu->mmu, cpu->mmu.tlb[0], lin); }
static inline void sys_wr32(cpu_t *cpu, uint32_t lin, uint32_t v) { mmu_write32(&cpu->mmu, cpu->mmu.tlb[0], lin, v); }
static inline void sys_wr16(cpu_t *cpu, uint32_t lin, uint16_t v) { mmu_write16(&cpu->mmu, cpu->mmu.tlb[0], lin, v); }
static inline void sys_wr8(cpu_t *cpu, uint32_t lin, uint8_t v) { mmu_write8(&cpu->mmu, cpu->mmu.tlb[0], lin, v); }

/* ---------------------------------------------------------------- stack */

/* The stack pointer as SS.B says: ESP or SP. */
static inline uint32_t sp_mask(const cpu_t *cpu) { return cpu->stack32 ? 0xFFFFFFFFu : 0xFFFFu; }
static inline void set_sp(cpu_t *cpu, uint32_t sp)
{
    uint32_t m = sp_mask(cpu);
    cpu->gpr[R_ESP] = (cpu->gpr[R_ESP] & ~m) | (sp & m);
}

static inline void push16(cpu_t *cpu, uint16_t v)
{
    uint32_t sp = (cpu->gpr[R_ESP] - 2) & sp_mask(cpu);
    wr16(cpu, SEG_SS, sp, v);
    set_sp(cpu, sp);
}
static inline void push32(cpu_t *cpu, uint32_t v)
{
    uint32_t sp = (cpu->gpr[R_ESP] - 4) & sp_mask(cpu);
    wr32(cpu, SEG_SS, sp, v);
    set_sp(cpu, sp);
}
static inline uint16_t pop16(cpu_t *cpu)
{
    uint32_t sp = cpu->gpr[R_ESP] & sp_mask(cpu);
    uint16_t v = rd16(cpu, SEG_SS, sp);
    set_sp(cpu, sp + 2);
    return v;
}
static inline uint32_t pop32(cpu_t *cpu)
{
    uint32_t sp = cpu->gpr[R_ESP] & sp_mask(cpu);
    uint32_t v = rd32(cpu, SEG_SS, sp);
    set_sp(cpu, sp + 4);
    return v;
}
/* Operand-size dependent push/pop (size 2 or 4). */
static inline void push_sized(cpu_t *cpu, uint32_t v, bool is32)
{
    if (is32)
        push32(cpu, v);
    else
        push16(cpu, (uint16_t)v);
}
static inline uint32_t pop_sized(cpu_t *cpu, bool is32) { return is32 ? pop32(cpu) : pop16(cpu); }
/* Reads the stack at ESP + off without popping. */
static inline uint32_t stack_peek(cpu_t *cpu, uint32_t off, bool is32)
{
    uint32_t sp = (cpu->gpr[R_ESP] + off) & sp_mask(cpu);
    return is32 ? rd32(cpu, SEG_SS, sp) : rd16(cpu, SEG_SS, sp);
}

/* What the TSC counts before its offset (cpu_bus_t.tsc_ticks). */
static inline uint64_t tsc_ticks(const cpu_t *cpu)
{
    return cpu->bus.tsc_ticks ? cpu->bus.tsc_ticks(cpu->bus.opaque) : cpu->icount;
}

/* ---------------------------------------------------------------- control */

/* Ends the current block after this instruction (state that the decoder or
 * the loop depends on changed). */
static inline void end_block(cpu_t *cpu) { cpu->block_end = NULL; }
/* A taken jump `i` that did not enter its target block (EIP already at
 * the target; a block goes on after a conditional branch not taken): the
 * block's run stops after it, and the loop goes on to the next block. */
static inline void branch_taken(cpu_t *cpu, const insn_t *i) { cpu->block_end = i + 1; }

/* Before instruction n of the running block: its address (the fault EIP)
 * and EIP after it. */
static inline void begin_insn(cpu_t *cpu, const insn_t *n)
{
    uint32_t eip = cpu->eip;
    cpu->prev_eip = eip;
    cpu->eip = eip + n->len;
}

/* The same after the instruction before n retired, which it counts. */
static inline void step_to(cpu_t *cpu, const insn_t *n)
{
    cpu->icount++;
    begin_insn(cpu, n);
}

/* The last statement of the handlers of common instructions: runs the
 * block's next instruction, if this one did not end the block's run, as a
 * tail call (see run_block in exec.c).  A handler that changes EIP ends
 * the block's run first, so any handler may end with it. */
static inline __attribute__((always_inline)) void run_next(cpu_t *cpu, const insn_t *i)
{
    const insn_t *n = i + 1;
    if (LIKELY(n < cpu->block_end)) {
        step_to(cpu, n);
        n->fn(cpu, n);
    }
}

/* Near jump to a new EIP within CS, with the limit check. */
void jump_near(cpu_t *cpu, uint32_t eip);

/* Recomputes whether the loop must single-step (TF, DR7, debugger). */
void cpu_update_stepping(cpu_t *cpu);
/* After a write to DR0-DR7 or CR4.DE: re-arms data breakpoints and stepping
 * (debug.c). */
void cpu_debug_changed(cpu_t *cpu);
/* Notes I/O breakpoints (CR4.DE, DR7 R/W = 10) that a port access matches. */
void debug_io_access(cpu_t *cpu, uint16_t port, unsigned size);
/* Mode bookkeeping after CR0, EFLAGS.VM, CS or SS change. */
void cpu_update_mode(cpu_t *cpu);
void cpu_set_cpl(cpu_t *cpu, uint8_t cpl);
/* After CR0.AM or EFLAGS.AC change: arms or disarms #AC in the MMU. */
void cpu_update_align_check(cpu_t *cpu);
/* Recomputes a segment's fast-path fields from its descriptor cache. */
void seg_refresh(cpu_t *cpu, segment_t *sg, bool is_ss);
/* Loads a segment register in real or V86 mode. */
void seg_load_real(cpu_t *cpu, int s, uint16_t sel);
/* Loads a data or stack segment register with every protected-mode check;
 * in real and V86 mode it is seg_load_real. */
void seg_load(cpu_t *cpu, int s, uint16_t sel);

/* A segment descriptor as two dwords, and its fields. */
typedef struct desc {
    uint32_t lo, hi;
} desc_t;
uint32_t desc_base(desc_t d);
uint32_t desc_limit(desc_t d); /* granularity applied */
uint8_t desc_access(desc_t d);
uint8_t desc_flags(desc_t d);  /* G, D/B, L, AVL in bits 7..4 */
unsigned desc_dpl(desc_t d);
/* Reads the descriptor of `sel` from the GDT or LDT; false when the
 * selector is beyond the table's limit (or the LDT is null). */
bool desc_read(cpu_t *cpu, uint16_t sel, desc_t *d);
/* Sets the Accessed bit in the table and in *d. */
void desc_set_accessed(cpu_t *cpu, uint16_t sel, desc_t *d);
/* Loads a segment register's cache from a checked descriptor. */
void seg_load_desc(cpu_t *cpu, int s, uint16_t sel, desc_t d);
void seg_load_null(cpu_t *cpu, int s, uint16_t sel);
/* Fills a descriptor cache (not a segment register) from a descriptor. */
void seg_cache_from_desc(cpu_t *cpu, segment_t *sg, uint16_t sel, desc_t d, bool is_ss);
/* Loads SS, DS, ES, FS or GS with the protected-mode checks; a failed check
 * raises `vector` (#GP for MOV/POP, #TS in a task switch) with the selector
 * and `ext` as error code (not present: #SS or #NP). */
void seg_load_checked(cpu_t *cpu, int s, uint16_t sel, int vector, uint32_t ext);

/* Hardware task switches (task.c). */
enum { TASK_FROM_JMP, TASK_FROM_CALL, TASK_FROM_IRET, TASK_FROM_INT };
/* Switches to the task whose TSS selector a task gate (or JMP/CALL) named;
 * `ext` is the EXT bit for error codes of faults on the way. */
void task_switch_gate(cpu_t *cpu, uint16_t tss_sel, int reason, bool has_error, uint32_t error,
                      uint32_t ext);
void iret_protected(cpu_t *cpu, const insn_t *i);

/* Privilege-changing transfers (interrupt.c, shared with far.c). */
void tss_stack(cpu_t *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, uint32_t ext);
void check_inner_ss(cpu_t *cpu, uint16_t ss, unsigned dpl, uint32_t ext, desc_t *d);
/* Checks that n values of `size` bytes fit below `sp` on the stack `ss`
 * (segment limit: #SS(fault_error); pages, with user or supervisor rights:
 * #PF) and returns the new stack pointer. */
uint32_t push_frame_check(cpu_t *cpu, const segment_t *ss, uint32_t sp, bool stack32, int n,
                          unsigned size, uint32_t fault_error, bool user);
/* push_frame_check, then writes vals[0], vals[1], ... downwards from sp. */
uint32_t push_frame(cpu_t *cpu, const segment_t *ss, uint32_t sp, bool stack32, const uint32_t *vals,
                    int n, unsigned size, uint32_t fault_error, bool user);
/* Pushes a frame on the current stack (nothing is written if any part
 * faults) and updates ESP. */
void push_frame_here(cpu_t *cpu, const uint32_t *vals, int n, unsigned size);
/* Returns to an outer privilege level (far.c, shared by RETF and IRET). */
void check_return_cs(cpu_t *cpu, uint16_t sel, desc_t *d);
void check_outer_ss(cpu_t *cpu, uint16_t sel, unsigned rpl, desc_t *d);
void null_outer_data_segments(cpu_t *cpu);
/* ESP after a return to another stack: the new SS.B says whether all of
 * ESP or only SP is loaded (the upper half of ESP stays otherwise). */
void load_outer_sp(cpu_t *cpu, uint32_t sp);

/* Virtual-8086 mode extensions and protected-mode virtual interrupts
 * (vme.c).  vif_mode: CLI/STI that may not touch IF touch VIF instead (VME
 * in V86 mode, PVI at CPL 3).  vme_flags_image: the FLAGS a 16-bit PUSHF
 * (or a redirected INT n) stores with VME and IOPL < 3.  vme_load_flags:
 * the EFLAGS a 16-bit POPF or IRET loads from `image` then (#GP(0) for TF
 * set, or IF set while VIP is pending).  v86_int_to_8086: whether INT n in
 * V86 mode goes to the 8086 program's vector table (#GP(0) when it may go
 * nowhere); v86_redirect_int sends it there. */
bool vif_mode(const cpu_t *cpu);
uint32_t vme_flags_image(const cpu_t *cpu);
uint32_t vme_load_flags(cpu_t *cpu, uint32_t image);
bool v86_int_to_8086(cpu_t *cpu, uint8_t vector);
void v86_redirect_int(cpu_t *cpu, uint8_t vector);

uint32_t io_in(cpu_t *cpu, uint16_t port, unsigned size);
void io_out(cpu_t *cpu, uint16_t port, uint32_t value, unsigned size);
/* I/O permission: IOPL, and the TSS bitmap in protected mode and V86. */
void io_check(cpu_t *cpu, uint16_t port, unsigned size);

/* Invalidates decoded code on a physical page (SMC) and lookup for exec.c. */
void icache_invalidate_page(icache_t *ic, uint32_t page);
icache_t *icache_create(void);
void icache_destroy(icache_t *ic);
void icache_flush(icache_t *ic);

#endif
