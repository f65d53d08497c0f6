/* The interpreter loop: find the decoded block for CS:EIP, run its
 * instructions one handler call each, check interrupts between blocks.
 * Exceptions unwind here with longjmp and are delivered from the top.
 */
#include <stdio.h>
#include <stdlib.h>

#include "icache.h"

/* ---------------------------------------------------------------- faults */

/* Contributory exceptions for the double-fault rules (SDM vol. 3, 6.15). */
static bool contributory(int v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

void cpu_exception(cpu_t *cpu, int vector, uint32_t error)
{
    if (!cpu->in_execute) {
        fprintf(stderr, "x86sim: internal error: exception %d outside the CPU loop\n", vector);
        abort();
    }
    cpu->eip = cpu->prev_eip;
    int first = cpu->delivering;
    if (first == EXC_DF) {
        cpu->shutdown = true; /* triple fault */
    } else if (first >= 0 && ((contributory(first) && contributory(vector)) ||
                              (first == EXC_PF && (vector == EXC_PF || contributory(vector))))) {
        vector = EXC_DF;
        error = 0;
    }
    cpu->pending_exc = vector;
    cpu->pending_err = error;
    longjmp(cpu->unwind, 1);
}

static bool has_error_code(int v)
{
    return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC;
}

/* Fault-class exceptions: the saved EFLAGS image has RF set (P6 and later;
 * SDM vol. 3, 17.3.1.1), so the faulting instruction is not stopped by an
 * instruction breakpoint again when it restarts.  #DB sets RF itself where
 * it is a fault (general detect); an instruction-breakpoint #DB does not. */
static bool fault_class(int v)
{
    return v == EXC_DE || v == EXC_BR || v == EXC_UD || v == EXC_NM || v == EXC_TS || v == EXC_NP ||
           v == EXC_SS || v == EXC_GP || v == EXC_PF || v == EXC_MF || v == EXC_AC;
}

/* A handler that faults before it retires an instruction gets the
 * exception again, and again; so does a delivery that itself raises a
 * benign exception (an #AC pushing the frame to a misaligned ring-3
 * stack raises #AC).  Both are livelocks on hardware too, which only a
 * reset or an NMI ends.  Every delivery after the first at the same
 * instruction count counts as an instruction, so the budget of
 * cpu_execute and virtual time still move on and the host is not caught
 * in the loop; but not a #DF, which is the second half of one nested
 * delivery (and whose own failure is a shutdown).  It is counted before
 * the delivery, which may unwind. */
static void count_livelock(cpu_t *cpu, int vector)
{
    if (cpu->icount == cpu->delivery_icount && vector != EXC_DF)
        cpu->icount++;
    cpu->delivery_icount = cpu->icount;
}

static void deliver_exception(cpu_t *cpu)
{
    int v = cpu->pending_exc;
    cpu->pending_exc = -1;
    cpu->delivering = v;
    if (fault_class(v))
        cpu->eflags |= FLAG_RF;
    if (cpu->hooks.event)
        cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_EXCEPTION, v, has_error_code(v), cpu->pending_err);
    count_livelock(cpu, v);
    cpu_interrupt(cpu, v, INT_EXCEPTION, has_error_code(v), cpu->pending_err);
    cpu->delivering = -1;
}

void op_ud(cpu_t *cpu, const insn_t *i)
{
    /* An undefined x87 (ESC) encoding still raises #NM first when CR0.EM
     * or CR0.TS is set (SDM vol. 3, "Undefined floating-point opcodes"). */
    if (i->op >= 0xD8 && i->op <= 0xDF && (cpu->cr0 & (CR0_EM | CR0_TS)))
        cpu_exception(cpu, EXC_NM, 0);
    cpu_exception(cpu, EXC_UD, 0);
}

/* The MMU's #PF callback. */
static void page_fault(void *opaque, uint32_t linear, uint32_t error)
{
    cpu_t *cpu = opaque;
    cpu->cr2 = linear;
    cpu_exception(cpu, EXC_PF, error);
}

/* The MMU's #AC callback (a misaligned data access at CPL 3 while CR0.AM
 * and EFLAGS.AC are set). */
static void alignment_fault(void *opaque)
{
    cpu_exception(opaque, EXC_AC, 0);
}

/* physmem's callback when a page holding decoded code is written. */
static void code_written(void *opaque, uint32_t page)
{
    cpu_t *cpu = opaque;
    icache_invalidate_page(cpu->icache, page);
    end_block(cpu); /* the running block may be among the dropped ones */
}

static void a20_changed(void *opaque)
{
    cpu_t *cpu = opaque;
    mmu_flush_all(&cpu->mmu, false);
    end_block(cpu); /* the code's physical address may have moved */
}

/* ---------------------------------------------------------------- blocks */

/* Reads instruction bytes at linear `lin` through the MMU (faulting as a
 * fetch would).  Used for instructions that cross a page or a limit and for
 * code in memory that cannot be cached. */
static uint8_t fetch_byte(cpu_t *cpu, uint32_t eip)
{
    const segment_t *cs = &cpu->seg[SEG_CS];
    if (eip > cs->limit)
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t lin = cs->base + eip;
    uint32_t phys;
    const uint8_t *p = mmu_fetch_page(&cpu->mmu, lin, &phys);
    if (p)
        return p[lin & (PAGE_SIZE - 1)];
    if (phys == TLB_NO_TAG)
        return 0xFF;
    return (uint8_t)physmem_read(cpu->mmu.pm, phys | (lin & (PAGE_SIZE - 1)), 1);
}

/* Decodes the one instruction at CS:EIP byte by byte into a scratch block
 * that is not cached. */
static const block_t *scratch_block(cpu_t *cpu)
{
    block_t *b = (block_t *)cpu->scratch;
    uint8_t bytes[16];
    int n = 0, len = 0;
    while (len == 0) {
        bytes[n] = fetch_byte(cpu, cpu->eip + n);
        n++;
        len = decode_insn(bytes, n, cpu->code32, &b->insns[0]);
    }
    b->count = 1;
    b->bytes = (uint16_t)len;
    return b;
}

/* Builds and caches the block starting at CS:EIP, which is at physical
 * `phys` on a page whose bytes are at host `page`. */
static const block_t *build_block(cpu_t *cpu, uint32_t phys, const uint8_t *page, bool track)
{
    icache_t *ic = cpu->icache;
    const segment_t *cs = &cpu->seg[SEG_CS];
    uint32_t off = phys & (PAGE_SIZE - 1);
    /* Bytes available: to the end of the page, and of the code segment. */
    uint64_t room = PAGE_SIZE - off;
    uint64_t to_limit = (uint64_t)cs->limit - cpu->eip + 1;
    if (to_limit < room)
        room = to_limit;

    block_t *b = icache_begin(ic);
    b->phys = phys;
    b->code32 = cpu->code32;
    uint32_t count = 0, pos = 0;
    while (count < BLOCK_MAX_INSNS) {
        insn_t *i = &b->insns[count];
        int len = decode_insn(page + off + pos, (int)(room - pos), cpu->code32, i);
        if (len == 0)
            break; /* crosses the page or the limit: left for the scratch path */
        count++;
        pos += len;
        const opdef_t *d = opdef_of(i);
        if (!d || (d->flags & OPF_END) || pos >= room)
            break;
    }
    if (count == 0)
        return scratch_block(cpu);
    b->bytes = (uint16_t)pos;
    icache_commit(ic, b, count, track);
    if (track) {
        uint32_t pn = phys >> PAGE_SHIFT;
        if (!cpu->mmu.pm->code_page[pn]) {
            physmem_mark_code(cpu->mmu.pm, pn);
            mmu_protect_code_page(&cpu->mmu, phys);
        }
    }
    return b;
}

static const block_t *find_block(cpu_t *cpu)
{
    /* A fault while fetching (#PF on the code page, #GP past the limit)
     * belongs to the instruction at EIP, not to the one before it. */
    cpu->prev_eip = cpu->eip;
    const segment_t *cs = &cpu->seg[SEG_CS];
    if (UNLIKELY(cpu->eip > cs->limit))
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t lin = cs->base + cpu->eip;
    tlb_entry_t *e = tlb_slot(cpu->mmu.cur, lin);
    uint32_t phys;
    const uint8_t *page;
    if (LIKELY(e->tag_x == (lin & PAGE_MASK))) {
        phys = e->phys;
        page = (const uint8_t *)(e->host + (lin & PAGE_MASK));
    } else {
        page = mmu_fetch_page(&cpu->mmu, lin, &phys);
    }
    if (UNLIKELY(!page))
        return scratch_block(cpu); /* MMIO or unassigned: decode every time */
    phys |= lin & (PAGE_SIZE - 1);

    const block_t *b = icache_lookup(cpu->icache, phys, cpu->code32);
    if (LIKELY(b)) {
        if (LIKELY((uint64_t)cpu->eip + b->bytes - 1 <= cs->limit))
            return b;
        return scratch_block(cpu); /* this CS's limit cuts the block */
    }
    phys_where_t w = physmem_where(cpu->mmu.pm, phys);
    bool cacheable = w.kind == PHYS_RAM || w.kind == PHYS_SHADOW_ROM || w.kind == PHYS_ROM;
    if (!cacheable)
        return scratch_block(cpu);
    return build_block(cpu, phys, page, w.kind != PHYS_ROM);
}

/* Runs the instructions of block b from its start, at most `max` of them.
 *
 * The handlers of the common instructions end with run_next (exec.h), which
 * runs the block's next instruction as a tail call, and a taken direct jump
 * may enter its target block the same way (take_jump, icache.h): the run
 * goes from handler to handler, each with one indirect jump of its own, and
 * comes back here only when a handler returns without one (a control
 * transfer the jump cannot follow, the block's end, an instruction that
 * ended the block's run).  Before every instruction, here or in run_next,
 * cpu->icount holds the count retired before it, cpu->prev_eip its address
 * and cpu->eip the next one, so a fault or a device sees exact values; the
 * count also tells this loop how far the handlers ran in cpu->block, the
 * block that ran last.  Only a block's last instruction may change EIP
 * (OPF_END), or an instruction that also ends the block's run (a taken
 * conditional branch, a REP chunk, an FPU freeze). */
static inline __attribute__((always_inline)) void run_block(cpu_t *cpu, const block_t *b,
                                                            uint64_t max)
{
    start_block(cpu, b, b->insns + (b->count <= max ? b->count : (uint32_t)max));
    const insn_t *i = b->insns;
    for (;;) {
        i->fn(cpu, i);
        /* After the last one that ran. */
        i = cpu->block->insns + (cpu->icount - cpu->block_icount) + 1;
        if (i >= cpu->block_end)
            break;
        step_to(cpu, i);
    }
    cpu->icount++;
}

static bool intr_deliverable(const cpu_t *cpu)
{
    return cpu->intr && (cpu->eflags & FLAG_IF);
}

/* Anything that must be looked at between blocks by cpu_execute's main
 * loop (interrupts that can be taken now, halt, stop requests,
 * single-stepping).  A masked interrupt or a blocked NMI needs nothing
 * yet: what unmasks it (STI, POPF, IRET, a task switch) ends the block. */
static bool needs_attention(const cpu_t *cpu)
{
    return intr_deliverable(cpu) | (cpu->nmi_pending && !cpu->nmi_blocked) | cpu->irq_inhibit |
           cpu->halted | cpu->stop_requested | cpu->single_step;
}

/* A jump in the block that just ran could not enter its target (take_jump)
 * and b is the block the loop found there: the jump enters it next time. */
static void link_jump(cpu_t *cpu, const block_t *b)
{
    insn_t *site = cpu->link_site;
    if (site)
        site->link = (int32_t)((const char *)b - (const char *)site);
}

/* The block at CS:EIP after block `prev`, which ran to its end without
 * anything changing the CPU's mode or the address space; cpu->block_lin
 * becomes the new block's linear address.
 * prev's successor links are checked (successor_key, linked_successor)
 * before the cache's hash.  A dropped block never matches a link
 * (icache_invalidate_page poisons its key). */
static const block_t *next_block_slow(cpu_t *cpu, block_t *prev)
{
    uint64_t flushes = cpu->icache->flushes;
    const block_t *b = find_block(cpu);
    /* A flush (the arena filled up) freed prev; the scratch block is not
     * cached and must never be linked. */
    if (cpu->icache->flushes == flushes && b != cpu->scratch) {
        prev->next[prev->next_slot] = b;
        prev->next_slot = (uint8_t)((prev->next_slot + 1) % BLOCK_LINKS);
        link_jump(cpu, b);
    }
    return b;
}

static inline const block_t *next_block(cpu_t *cpu, block_t *prev)
{
    uint32_t at = cpu->seg[SEG_CS].base + cpu->eip;
    uint64_t key;
    bool known = successor_key(cpu, at, &key);
    cpu->block_lin = at;
    const block_t *n = known ? linked_successor(cpu, prev, key) : NULL;
    if (LIKELY(n)) {
        link_jump(cpu, n);
        return n;
    }
    return next_block_slow(cpu, prev);
}

/* Jumps enter their target block directly for at most this many
 * instructions before the loop is back: a build whose compiler does not
 * turn the handlers' calls into jumps (-O0, sanitizers) nests a host stack
 * frame per instruction until then. */
#define CHAIN_MAX_INSNS 1024

/* Runs blocks from CS:EIP, following one to the next while they end
 * cleanly, until `until` or something needs the main loop.  Out of line:
 * inside cpu_execute, whose setjmp keeps values in memory, the loop
 * reloaded the cpu pointer from the stack before every handler call. */
static __attribute__((noinline)) void run_blocks(cpu_t *cpu, uint64_t until)
{
    const block_t *b = find_block(cpu);
    cpu->block_lin = cpu->seg[SEG_CS].base + cpu->eip;
    /* What needs the main loop at the start (an interrupt the last one's
     * delivery left deliverable) is only seen at the first block's end. */
    bool attention = needs_attention(cpu);
    for (;;) {
        /* Jumps may enter blocks while a whole one fits before `until`. */
        uint64_t chain_end = cpu->icount + CHAIN_MAX_INSNS, last_fit = until - BLOCK_MAX_INSNS;
        bool chain = !attention && b != cpu->scratch && until > cpu->icount + BLOCK_MAX_INSNS;
        cpu->chain_until = !chain ? 0 : chain_end < last_fit ? chain_end : last_fit;
        cpu->link_site = NULL;
        run_block(cpu, b, until - cpu->icount);
        /* block_end is NULL when an instruction changed what the loop or
         * the decoder depends on (mode, paging, interrupt line, code). */
        if (!cpu->block_end || cpu->icount >= until || needs_attention(cpu) || cpu->block == cpu->scratch)
            return;
        b = next_block(cpu, (block_t *)cpu->block);
        attention = false;
    }
}

/* ---------------------------------------------------------------- interrupts */

/* Delivers an NMI or a maskable interrupt if one is due.  Returns true when
 * one was delivered. */
static bool check_interrupts(cpu_t *cpu)
{
    if (cpu->irq_inhibit) {
        cpu->irq_inhibit = false;
        return false;
    }
    if (cpu->nmi_pending && !cpu->nmi_blocked) {
        cpu->nmi_pending = false;
        cpu->nmi_blocked = true;
        cpu->halted = false;
        cpu->prev_eip = cpu->eip;
        if (cpu->hooks.event)
            cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_HW_INTERRUPT, EXC_NMI, false, 0);
        cpu_interrupt(cpu, EXC_NMI, INT_HW, false, 0);
        return true;
    }
    if (intr_deliverable(cpu)) {
        cpu->halted = false;
        cpu->prev_eip = cpu->eip;
        uint8_t vector = cpu->bus.intr_ack(cpu->bus.opaque);
        if (cpu->hooks.event)
            cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_HW_INTERRUPT, vector, false, 0);
        cpu_interrupt(cpu, vector, INT_HW, false, 0);
        return true;
    }
    return false;
}

void cpu_raise_nmi(cpu_t *cpu)
{
    cpu->nmi_pending = true;
    end_block(cpu); /* seen after the running instruction, as INTR is */
}

void cpu_request_stop(cpu_t *cpu)
{
    cpu->stop_requested = true;
    end_block(cpu);
}

/* ---------------------------------------------------------------- stepping */

/* DR7 enables an instruction breakpoint (R/W = 00) in slot n. */
static bool dr_exec_enabled(const cpu_t *cpu, int n)
{
    uint32_t dr7 = cpu->dr[7];
    return (dr7 & (3u << (2 * n))) && ((dr7 >> (16 + 4 * n)) & 3) == 0;
}

/* The loop runs one instruction at a time (step_one) while anything needs
 * a look between instructions: TF, the debugger, an enabled DR7 breakpoint
 * of any kind, RF (cleared after the next instruction), a pending #DB. */
void cpu_update_stepping(cpu_t *cpu)
{
    cpu->single_step = (cpu->eflags & (FLAG_TF | FLAG_RF)) || cpu->debugger_step ||
                       (cpu->dr[7] & 0xFF) || cpu->pending_db;
    end_block(cpu);
}

#define DR6_BS (1u << 14)
#define DR6_BT (1u << 15)

/* Delivers a #DB trap: `bits` join DR6; the saved EIP is the next
 * instruction's. */
static void debug_trap(cpu_t *cpu, uint32_t bits)
{
    cpu->dr[6] |= bits;
    cpu->pending_db = 0;
    cpu->prev_eip = cpu->eip;
    cpu_interrupt(cpu, EXC_DB, INT_EXCEPTION, false, 0);
}

/* Runs one instruction with the debug checks: debugger breakpoints, DR0-DR3
 * instruction breakpoints (faults, before), single-step traps (after). */
static cpu_exit_t step_one(cpu_t *cpu)
{
    uint32_t lin = cpu->seg[SEG_CS].base + cpu->eip;
    if (cpu->hooks.exec_check && !cpu->skip_exec_check && cpu->hooks.exec_check(cpu->hooks.opaque, lin))
        return CPU_EXIT_BREAKPOINT;
    cpu->skip_exec_check = false;
    if (cpu->pending_db & DR6_BT) {
        /* A task switch loaded a TSS with the T bit: #DB before the new
         * task's first instruction. */
        debug_trap(cpu, DR6_BT);
        cpu_update_stepping(cpu);
        return CPU_EXIT_BUDGET;
    }
    bool rf = (cpu->eflags & FLAG_RF) != 0;
    if (!rf) {
        uint32_t hits = 0;
        for (int n = 0; n < 4; n++)
            if (dr_exec_enabled(cpu, n) && cpu->dr[n] == lin)
                hits |= 1u << n;
        if (hits) {
            cpu->dr[6] = (cpu->dr[6] & ~0xFu) | hits;
            cpu->prev_eip = cpu->eip;
            cpu_exception(cpu, EXC_DB, 0);
        }
    }
    bool tf = (cpu->eflags & FLAG_TF) != 0;
    const block_t *b = find_block(cpu);
    /* RF covers this instruction only; one that loads RF (IRETD, a task
     * switch) sets it again for the next. */
    cpu->eflags &= ~FLAG_RF;
    cpu->pending_db = 0; /* hits during the last event delivery do not count */
    cpu->suppress_tf = false; /* MOV SS sets it for the trap after itself only */
    cpu->chain_until = 0;
    run_block(cpu, b, 1);
    bool step_trap = tf && !cpu->suppress_tf;
    cpu->suppress_tf = false;
    if (step_trap || (cpu->pending_db & ~DR6_BT))
        debug_trap(cpu, (cpu->pending_db & ~DR6_BT) | (step_trap ? DR6_BS : 0));
    if (rf || cpu->pending_db)
        cpu_update_stepping(cpu);
    return CPU_EXIT_BUDGET;
}

/* ---------------------------------------------------------------- the loop */

cpu_exit_t cpu_execute(cpu_t *cpu, uint64_t until)
{
    cpu->in_execute = true;
    if (setjmp(cpu->unwind)) {
        if (cpu->shutdown) {
            cpu->delivering = -1;
            cpu->in_execute = false;
            if (cpu->hooks.event)
                cpu->hooks.event(cpu->hooks.opaque, CPU_EVENT_TRIPLE_FAULT, cpu->pending_exc, false, 0);
            return CPU_EXIT_SHUTDOWN;
        }
        /* A delivery that keeps faulting (see count_livelock) must still
         * end at the budget: the exception stays pending for the next call. */
        if (cpu->icount >= until)
            goto out;
        deliver_exception(cpu);
        if (cpu->icount >= until && cpu->single_step)
            goto out;
    }
    if (UNLIKELY(cpu->pending_exc >= 0))
        deliver_exception(cpu);
    while (cpu->icount < until) {
        if (UNLIKELY(cpu->stop_requested)) {
            cpu->stop_requested = false;
            cpu->in_execute = false;
            return CPU_EXIT_STOP;
        }
        if (cpu->intr || cpu->nmi_pending || cpu->irq_inhibit)
            check_interrupts(cpu);
        if (UNLIKELY(cpu->halted)) {
            cpu->in_execute = false;
            return CPU_EXIT_HALT;
        }
        if (UNLIKELY(cpu->single_step)) {
            cpu_exit_t r = step_one(cpu);
            if (r != CPU_EXIT_BUDGET) {
                cpu->in_execute = false;
                return r;
            }
            continue;
        }
        run_blocks(cpu, until);
    }
out:
    cpu->in_execute = false;
    return CPU_EXIT_BUDGET;
}

void cpu_set_debugger_step(cpu_t *cpu, bool on)
{
    cpu->debugger_step = on;
    cpu_update_stepping(cpu);
}

cpu_exit_t cpu_step(cpu_t *cpu)
{
    bool was = cpu->debugger_step;
    cpu->debugger_step = true;
    cpu_update_stepping(cpu);
    cpu_exit_t r = cpu_execute(cpu, cpu->icount + 1);
    cpu->debugger_step = was;
    cpu_update_stepping(cpu);
    return r;
}

/* ---------------------------------------------------------------- state */

uint32_t cpu_get_eflags(const cpu_t *cpu)
{
    return (cpu->eflags & ~FLAGS_ARITH) | flags_arith(cpu) | 2u;
}

void cpu_set_eflags(cpu_t *cpu, uint32_t value)
{
    uint32_t old = cpu->eflags;
    /* Bits 1 is always set; 3, 5, 15 and 22-31 always clear. */
    value = (value & 0x003F7FD5u) | 2u;
    flags_load(cpu, value);
    cpu->eflags = value;
    if ((old ^ value) & FLAG_VM)
        cpu_update_mode(cpu);
    if ((old ^ value) & (FLAG_TF | FLAG_IF | FLAG_RF))
        cpu_update_stepping(cpu);
    if ((old ^ value) & FLAG_AC)
        cpu_update_align_check(cpu);
}

bool cpu_is_protected(const cpu_t *cpu)
{
    return cpu->cr0 & CR0_PE;
}

bool cpu_is_v86(const cpu_t *cpu)
{
    return (cpu->cr0 & CR0_PE) && (cpu->eflags & FLAG_VM);
}

/* #AC is armed while CR0.AM and EFLAGS.AC are both set.  The MMU applies
 * it to the accesses made through its user TLB, which are exactly those at
 * CPL 3, so a change of CPL needs nothing here. */
void cpu_update_align_check(cpu_t *cpu)
{
    mmu_set_align_check(&cpu->mmu, (cpu->cr0 & CR0_AM) && (cpu->eflags & FLAG_AC));
}

void cpu_set_cpl(cpu_t *cpu, uint8_t cpl)
{
    cpu->cpl = cpl;
    mmu_set_user(&cpu->mmu, cpl == 3);
    end_block(cpu); /* the next block's fetch rights are checked again */
}

void cpu_update_mode(cpu_t *cpu)
{
    bool v86 = cpu_is_v86(cpu);
    if (!cpu_is_protected(cpu))
        cpu_set_cpl(cpu, 0);
    else if (v86)
        cpu_set_cpl(cpu, 3);
    cpu->code32 = !v86 && (cpu->seg[SEG_CS].flags & DESC_FLAG_DB);
    cpu->stack32 = !v86 && (cpu->seg[SEG_SS].flags & DESC_FLAG_DB);
    for (int s = 0; s < 6; s++)
        seg_refresh(cpu, &cpu->seg[s], s == SEG_SS);
    end_block(cpu);
}

bool cpu_set_cr0(cpu_t *cpu, uint32_t value)
{
    uint32_t old = cpu->cr0;
    if (!mmu_set_cr0(&cpu->mmu, value | CR0_ET))
        return false;
    cpu->cr0 = value | CR0_ET;
    if ((old ^ cpu->cr0) & CR0_PE)
        cpu_update_mode(cpu);
    if ((old ^ cpu->cr0) & CR0_AM)
        cpu_update_align_check(cpu);
    end_block(cpu);
    return true;
}

bool cpu_set_cr3(cpu_t *cpu, uint32_t value)
{
    if (!mmu_set_cr3(&cpu->mmu, value))
        return false;
    cpu->cr3 = value;
    end_block(cpu);
    return true;
}

bool cpu_set_cr4(cpu_t *cpu, uint32_t value)
{
    if (!mmu_set_cr4(&cpu->mmu, value))
        return false;
    cpu->cr4 = value;
    end_block(cpu);
    return true;
}

/* RESET# and INIT# (SDM vol. 3, table 9-1): INIT keeps the x87/FXSR state,
 * the TSC, the MSRs (EFER, SYSENTER, MTRRs, ...) and CR0.CD/NW. */
static void reset(cpu_t *cpu, bool init)
{
    memset(cpu->gpr, 0, sizeof cpu->gpr);
    cpu->gpr[R_EDX] = CPU_SIGNATURE;
    cpu->eflags = 2;
    flags_load(cpu, 0);
    for (int s = 0; s < 6; s++)
        cpu_load_seg_raw(cpu, s, 0, 0, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(cpu, SEG_CS, 0xF000, 0xFFFF0000u, 0xFFFF, 0x93, 0);
    cpu->eip = cpu->prev_eip = 0xFFF0;
    cpu->gdtr = cpu->idtr = (dtable_t){0, 0xFFFF};
    cpu->ldtr = (segment_t){.limit = 0xFFFF, .access = 0x82};
    cpu->tr = (segment_t){.limit = 0xFFFF, .access = 0x8B};
    memset(cpu->dr, 0, sizeof cpu->dr);
    cpu->dr[6] = 0xFFFF0FF0u;
    cpu->dr[7] = 0x400;
    if (!init) {
        memset(&cpu->msr, 0, sizeof cpu->msr);
        cpu->tsc_offset = 0 - tsc_ticks(cpu); /* the TSC restarts from 0 */
        fpu_reset(&cpu->fpu);
    }
    cpu->cr2 = 0;
    cpu->cr0 = init ? (cpu->cr0 & (CR0_CD | CR0_NW)) | CR0_ET : 0x60000010u;
    mmu_set_efer(&cpu->mmu, cpu->msr.efer);
    mmu_set_cr4(&cpu->mmu, 0);
    mmu_set_cr0(&cpu->mmu, cpu->cr0);
    cpu->cr4 = 0;
    cpu_set_cr3(cpu, 0);
    cpu->halted = cpu->nmi_pending = cpu->nmi_blocked = cpu->irq_inhibit = false;
    cpu->shutdown = false;
    cpu->delivering = cpu->pending_exc = -1;
    cpu->delivery_icount = UINT64_MAX;
    cpu->pending_db = 0;
    cpu_update_mode(cpu);
    cpu_update_align_check(cpu);
    cpu_debug_changed(cpu);
    icache_flush(cpu->icache);
}

void cpu_reset(cpu_t *cpu)
{
    reset(cpu, false);
}

void cpu_signal_init(cpu_t *cpu)
{
    reset(cpu, true);
}

bool cpu_init(cpu_t *cpu, physmem_t *pm, const cpu_bus_t *bus)
{
    memset(cpu, 0, sizeof *cpu);
    opcodes_init();
    cpu->icache = icache_create();
    if (!cpu->icache || !icache_attach(cpu->icache, pm->ram_pages)) {
        icache_destroy(cpu->icache);
        cpu->icache = NULL;
        return false;
    }
    cpu->scratch = calloc(1, sizeof(block_t) + sizeof(insn_t));
    if (!cpu->scratch) {
        cpu_free(cpu);
        return false;
    }
    cpu->bus = *bus;
    mmu_init(&cpu->mmu, pm, page_fault, cpu);
    cpu->mmu.align_fault = alignment_fault;
    pm->code_written = code_written;
    pm->code_opaque = cpu;
    pm->a20_changed = a20_changed;
    pm->a20_opaque = cpu;
    cpu_reset(cpu);
    return true;
}

void cpu_free(cpu_t *cpu)
{
    icache_destroy(cpu->icache);
    free(cpu->scratch);
    cpu->icache = NULL;
    cpu->scratch = NULL;
}

const char *cpu_exception_name(int vector)
{
    static const char *const names[] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR BOUND range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
        "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
        "#SS stack fault", "#GP general protection", "#PF page fault", "reserved",
        "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
    };
    if (vector >= 0 && vector < (int)(sizeof names / sizeof names[0]))
        return names[vector];
    return "interrupt";
}
