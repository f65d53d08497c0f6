/* The x86 CPU: an i686-class (P6 family) processor in real, protected and
 * virtual-8086 mode.  This header is what the rest of the emulator sees:
 * the architectural state, the port-I/O and interrupt wiring, and the calls
 * that run, reset and inspect the CPU.
 */
#ifndef X86SIM_CPU_H
#define X86SIM_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "../mmu/mmu.h"
#include "fpu.h"

/* General registers, in encoding order.  R_NONE is an always-zero slot that
 * the decoder uses for "no base" and "no index" in effective addresses. */
enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, R_NONE };

/* Segment registers, in encoding order. */
enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* EFLAGS bits. */
#define FLAG_CF (1u << 0)
#define FLAG_PF (1u << 2)
#define FLAG_AF (1u << 4)
#define FLAG_ZF (1u << 6)
#define FLAG_SF (1u << 7)
#define FLAG_TF (1u << 8)
#define FLAG_IF (1u << 9)
#define FLAG_DF (1u << 10)
#define FLAG_OF (1u << 11)
#define FLAG_IOPL (3u << 12)
#define FLAG_NT (1u << 14)
#define FLAG_RF (1u << 16)
#define FLAG_VM (1u << 17)
#define FLAG_AC (1u << 18)
#define FLAG_VIF (1u << 19)
#define FLAG_VIP (1u << 20)
#define FLAG_ID (1u << 21)
#define FLAGS_ARITH (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)

/* Exception vectors. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13, EXC_PF = 14,
    EXC_MF = 16, EXC_AC = 17, EXC_MC = 18,
};

/* A segment register: the visible selector and the hidden descriptor cache. */
typedef struct segment {
    uint16_t sel;
    uint8_t access; /* descriptor byte 5: P, DPL, S, type */
    uint8_t flags;  /* descriptor byte 6 high nibble: G, D/B, L, AVL (in bits 7..4) */
    uint32_t base;
    uint32_t limit; /* in bytes, granularity applied */
    /* Derived for the access fast path: offsets lo..hi are inside the limit
     * (expand-down segments invert the range) and `rights` says whether the
     * segment may be read and written (SEG_RIGHT_*). */
    uint32_t lo, hi;
    uint8_t rights;
    /* lo, hi and rights folded for seg_linear's single compare: an access
     * of n bytes at `off` may read when (off - lo) + n - 1 <= span_r and
     * write when it is <= span_w (signed 64-bit; -1 allows nothing). */
    int64_t span_r, span_w;
} segment_t;

#define SEG_RIGHT_R 1u
#define SEG_RIGHT_W 2u

/* Descriptor access byte bits. */
#define DESC_P 0x80u
#define DESC_S 0x10u /* code/data (1) or system (0) */
#define DESC_CODE 0x08u
#define DESC_CONFORMING 0x04u /* code */
#define DESC_EXPAND_DOWN 0x04u /* data */
#define DESC_READABLE 0x02u /* code */
#define DESC_WRITABLE 0x02u /* data */
#define DESC_ACCESSED 0x01u
#define DESC_FLAG_G 0x80u /* in segment_t.flags */
#define DESC_FLAG_DB 0x40u

typedef struct dtable {
    uint32_t base;
    uint16_t limit;
} dtable_t;

/* Port I/O and interrupt acknowledge, wired by the machine. */
typedef struct cpu_bus {
    void *opaque;
    uint32_t (*in)(void *opaque, uint16_t port, unsigned size);
    void (*out)(void *opaque, uint16_t port, uint32_t value, unsigned size);
    /* Interrupt acknowledge cycle: returns the vector of the pending IRQ. */
    uint8_t (*intr_ack)(void *opaque);
    /* The FERR# output (optional): asserted when an x87 instruction leaves an
     * unmasked exception pending, deasserted when the flags are cleared or
     * masked.  A PC routes it to IRQ 13 (and port F0h to IGNNE#). */
    void (*ferr)(void *opaque, bool asserted);
    /* The IGNNE# input (optional, inactive when NULL): asked when a waiting
     * x87 instruction meets a pending exception with CR0.NE = 0; while
     * active the instruction goes on instead of freezing the CPU. */
    bool (*ignne)(void *opaque);
    /* What the TSC counts (optional): NULL counts retired instructions,
     * which is the guest's time when that is derived from them; a machine
     * whose guest time follows the host clock gives ticks of that time, so
     * the TSC keeps one rate, as the PIT and RTC do, while the CPU sleeps
     * or the host runs it faster or slower. */
    uint64_t (*tsc_ticks)(void *opaque);
} cpu_bus_t;

/* Observers for the tracer and the debugger; all optional.  They are called
 * only when set, outside the fast paths' hot loop. */
typedef struct cpu_hooks {
    void *opaque;
    /* An exception or interrupt is about to be delivered.  `kind` is
     * CPU_EVENT_*; error is valid when has_error. */
    void (*event)(void *opaque, int kind, int vector, bool has_error, uint32_t error);
    void (*io)(void *opaque, bool write, uint16_t port, uint32_t value, unsigned size);
    /* Debugger breakpoints: asked before each instruction while stepping;
     * returning true stops cpu_execute with CPU_EXIT_BREAKPOINT. */
    bool (*exec_check)(void *opaque, uint32_t linear);
    /* An interrupt or exception has been delivered: CS:EIP, SS:ESP and CPL
     * are now the handler's (the debugger's trap log shows the change). */
    void (*event_done)(void *opaque, int vector);
} cpu_hooks_t;

enum { CPU_EVENT_EXCEPTION, CPU_EVENT_HW_INTERRUPT, CPU_EVENT_SW_INTERRUPT, CPU_EVENT_TRIPLE_FAULT };

/* Why cpu_execute returned. */
typedef enum cpu_exit {
    CPU_EXIT_BUDGET,       /* reached the instruction budget */
    CPU_EXIT_HALT,         /* HLT: waiting for an interrupt */
    CPU_EXIT_SHUTDOWN,     /* triple fault */
    CPU_EXIT_STOP,         /* cpu_request_stop (debugger, device, reset request) */
    CPU_EXIT_BREAKPOINT,   /* a debugger breakpoint matched (see cpu_set_breakpoint_hook) */
} cpu_exit_t;

typedef struct icache icache_t;

/* CPUID leaf 1 EAX and EDX after reset: family 6, model 3 (a Pentium II),
 * stepping 3. */
#define CPU_SIGNATURE 0x00000633u
typedef struct insn insn_t;

/* The model-specific registers we implement. */
typedef struct cpu_msrs {
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t efer;
    uint64_t apic_base;
    uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16], pat;
    uint64_t misc_enable;
} cpu_msrs_t;

typedef struct cpu {
    /* ---- hot state: the interpreter touches these on every instruction */
    uint32_t gpr[R_NONE + 1];
    uint32_t eip;
    /* Lazy arithmetic flags: see flags.h.  eflags holds every other bit. */
    uint32_t lf_res, lf_aux;
    uint32_t eflags;
    segment_t seg[6];
    uint64_t icount; /* instructions retired (and livelocked deliveries: see exec.c) */
    /* Start of the executing instruction (fault EIP).  Not next to eip:
     * GCC would merge the two stores of run_next into one vector store,
     * which the next instruction's load of eip cannot forward from. */
    uint32_t prev_eip;
    const insn_t *block_end; /* the loop stops the current block here */
    /* The running block (cpu/icache.h) and the run's limits: a control
     * transfer may enter its target block itself (take_jump and
     * take_transfer in icache.h). */
    const struct block *block;
    uint64_t block_icount; /* icount before the block's first instruction */
    uint32_t block_lin;    /* a linear address on its page (only the page is read) */
    uint64_t chain_until;  /* a jump enters its target only below this */
    insn_t *link_site;     /* a jump that did not: the loop links it */
    mmu_t mmu;

    /* ---- mode */
    uint8_t cpl;
    bool code32;  /* CS.D */
    bool stack32; /* SS.B */
    bool halted;

    /* ---- system registers */
    dtable_t gdtr, idtr;
    segment_t ldtr, tr;
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];
    cpu_msrs_t msr;
    uint64_t tsc_offset; /* TSC = tsc_ticks (exec.h) + tsc_offset */

    fpu_t fpu;

    /* ---- interrupts */
    bool intr;          /* the INTR line (PIC output) */
    bool nmi_pending;
    bool nmi_blocked;   /* between an NMI and the next IRET */
    bool irq_inhibit;   /* after STI, MOV SS, POP SS: one instruction passes */
    bool stop_requested;
    /* Exception nesting for double and triple faults. */
    int delivering;     /* exception vector being delivered, or -1 */
    uint64_t delivery_icount; /* icount after the last exception delivery */
    int pending_exc;    /* raised, not yet delivered, or -1 */
    uint32_t pending_err;
    bool shutdown;
    /* Debug: pending data-breakpoint trap bits for DR6, and stepping. */
    uint32_t pending_db;
    bool single_step;      /* run one instruction per block (TF, DR7, debugger) */
    bool debugger_step;    /* the debugger or cpu_step wants single steps */
    bool skip_exec_check;  /* resume past a debugger breakpoint */
    bool suppress_tf;      /* the instruction inhibits its single-step trap */
    /* The last failed segment check (limit or rights), for the explainer. */
    struct {
        int seg;
        uint32_t offset;
        uint8_t size, right; /* right: SEG_RIGHT_R or SEG_RIGHT_W */
    } seg_fault_info;

    /* ---- wiring */
    cpu_bus_t bus;
    cpu_hooks_t hooks;
    icache_t *icache;
    void *scratch; /* a one-instruction block for code that is not cached */
    jmp_buf unwind; /* exceptions unwind to cpu_execute */
    bool in_execute;
} cpu_t;

/* Creates the decoded-instruction cache and resets the CPU. */
bool cpu_init(cpu_t *cpu, physmem_t *pm, const cpu_bus_t *bus);
void cpu_free(cpu_t *cpu);
/* Power-on / RESET# state (CS:IP = F000:FFF0, real mode). */
void cpu_reset(cpu_t *cpu);
/* INIT#: the same, but the x87/FXSR state, the TSC, the MSRs and CR0.CD/NW
 * are kept (SDM vol. 3, table 9-1).  A PC's chipset asserts it for port
 * 92h's fast init, the keyboard controller's reset line, a soft reset
 * through CF9h and a shutdown (triple fault). */
void cpu_signal_init(cpu_t *cpu);

/* Runs until icount reaches `until`, the CPU halts, a triple fault or a stop
 * request.  Interrupts and events are checked between blocks. */
cpu_exit_t cpu_execute(cpu_t *cpu, uint64_t until);
/* Runs exactly one instruction (or delivers one pending event). */
cpu_exit_t cpu_step(cpu_t *cpu);
void cpu_request_stop(cpu_t *cpu);
/* Makes cpu_execute run one instruction at a time, asking hooks.exec_check
 * before each (the tracer and debugger breakpoints); off = the fast loop. */
void cpu_set_debugger_step(cpu_t *cpu, bool on);

/* The PIC's output.  The CPU samples it between instructions; raising it
 * ends the running block, so a request made by an OUT (an unmask, an EOI
 * that uncovers the next request) is seen after that instruction. */
static inline void cpu_set_intr(cpu_t *cpu, bool level)
{
    cpu->intr = level;
    if (level)
        cpu->block_end = NULL;
}
void cpu_raise_nmi(cpu_t *cpu);

uint32_t cpu_get_eflags(const cpu_t *cpu);
void cpu_set_eflags(cpu_t *cpu, uint32_t value);
/* Loads a segment register the way the current mode does (real/V86: base =
 * selector * 16), without protection checks; for loaders and tests. */
void cpu_load_seg_raw(cpu_t *cpu, int seg, uint16_t sel, uint32_t base, uint32_t limit,
                      uint8_t access, uint8_t flags);
/* Writes a control register with the side effects of MOV CRn (no checks).
 * Returns false, changing nothing, when PAE paging would load a PDPTE with
 * reserved bits set (MOV CRn then raises #GP(0)). */
bool cpu_set_cr0(cpu_t *cpu, uint32_t value);
bool cpu_set_cr3(cpu_t *cpu, uint32_t value);
bool cpu_set_cr4(cpu_t *cpu, uint32_t value);

/* Decodes and disassembles the instruction at CS:EIP-style linear address
 * without side effects (no faults; missing bytes give "(bad)").  Returns the
 * length, 0 if nothing could be read.  `code32` selects the default size. */
int cpu_disasm_at(cpu_t *cpu, uint32_t linear, bool code32, char *buf, int bufsize,
                  uint8_t *bytes_out);

const char *cpu_exception_name(int vector);
bool cpu_is_v86(const cpu_t *cpu);
bool cpu_is_protected(const cpu_t *cpu);

#endif
