/* The differential harness shared by the instruction-family tests.
 *
 * One instruction runs twice from the same registers, flags and memory:
 *   - natively on the host CPU, and
 *   - in our CPU (cpu_step on a small machine with a fake I/O bus),
 * and the results are compared: the eight general registers, the defined
 * flags, the data segment selectors, every byte of a 64 KiB data segment,
 * and the exception raised, if any.
 *
 * The native oracle.  Many of the instructions under test do not exist in
 * 64-bit mode (DAA..AAD, PUSHA/POPA, BOUND, LDS/LES, PUSH/POP ES/SS/DS,
 * SALC, INC/DEC 40-4F), and the others change meaning there (memory
 * operands become RIP-relative, the default address size is 64 bits).  So
 * the host runs the very same instruction bytes in 32-bit compatibility
 * mode: a 64-bit trampoline far-calls a 32-bit stub through Linux's
 * USER32_CS selector (0x23), and the stub loads registers, runs the bytes
 * and stores the results.  Its data segment is an LDT descriptor
 * (modify_ldt) whose base is a host buffer, so memory operands use the
 * same small offsets as the emulated machine's data segment, and a second,
 * 16-bit LDT data descriptor gives the 16-bit stack (SP) of real mode.
 * Native faults arrive as signals; the trap number in the signal context
 * is the exception vector.  This oracle is independent of our code and
 * covers every operand form, including 16-bit addressing (with a 67
 * prefix), which inline assembly in 64-bit code could not.
 *
 * Our CPU runs the instruction in four environments, with the operand- and
 * address-size prefixes each one needs: real mode, virtual-8086 mode,
 * 16-bit and 32-bit protected mode (CPL 3, segments from an LDT laid out
 * like the host's: selector 0x07 is the 32-bit data segment, 0x0F the
 * 16-bit one, both based at the data window).
 */
#ifndef X86SIM_TEST_HARNESS_H
#define X86SIM_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/exec.h"

/* The data segment: offsets 0 .. XWIN_SIZE-1 are identical on both sides. */
#define XWIN_SIZE 0x10000u

/* Selectors of the data segments, the same number on both sides. */
#define XSEL_DATA32 0x07
#define XSEL_DATA16 0x0F

typedef enum xmode { XM_REAL, XM_V86, XM_PM16, XM_PM32, XM_COUNT } xmode_t;
const char *xmode_name(xmode_t m);

/* Architectural results (and, for inputs, the registers and flags). */
typedef struct xstate {
    uint32_t gpr[8];
    uint32_t eflags;
    uint16_t es, ss, ds;
    int exception; /* vector raised (first one), or -1 */
} xstate_t;

/* One instruction and its inputs. */
typedef struct xcase {
    uint8_t code[15];
    int len;
    /* The operand and address size the instruction uses (0: does not
     * matter); the harness adds 66/67 prefixes as each mode needs them. */
    uint8_t osize, asize;
    bool stack32; /* a 32-bit stack (SS.B); real and V86 mode have 16-bit ones */
    uint32_t gpr[8];
    uint32_t flags; /* arithmetic flags and DF; IF is set on both sides */
    /* Bytes [mem_lo, mem_hi) of the window are set from `mem` before the
     * run; the rest keeps its contents (equal on both sides). */
    const uint8_t *mem;
    uint32_t mem_lo, mem_hi;
    /* Modes (1 << xmode_t) where the host's behaviour applies; 0 = all. */
    unsigned modes;
} xcase_t;
#define XM_BIT(m) (1u << (m))
#define XM_PM_ONLY (XM_BIT(XM_PM16) | XM_BIT(XM_PM32))

/* What to compare. */
typedef struct xcheck {
    uint32_t flags_mask;  /* defined flags */
    uint32_t gpr_mask[8]; /* defined bits per register (0 = ignore) */
    unsigned sregs;       /* selectors to compare: XS_ES | XS_SS | XS_DS */
    bool mem;             /* compare the window */
    uint32_t skip_lo, skip_hi; /* except the bytes [skip_lo, skip_hi) */
} xcheck_t;

#define XS_ES (1u << SEG_ES)
#define XS_SS (1u << SEG_SS)
#define XS_DS (1u << SEG_DS)
#define XS_ALL (XS_ES | XS_SS | XS_DS)

/* Everything defined: arithmetic flags and DF, all registers, memory. */
xcheck_t xcheck_all(void);

/* ---------------------------------------------------------------- native */

/* True when the host can run 32-bit code (checked once; prints why not). */
bool native_available(void);
/* Runs c natively.  mem_out receives the XWIN_SIZE-byte window after it. */
void native_run(const xcase_t *c, xstate_t *out, uint8_t *mem_out);

/* ---------------------------------------------------------------- emulated */

typedef struct emu emu_t;
emu_t *emu_create(void);
void emu_destroy(emu_t *e);
cpu_t *emu_cpu(emu_t *e);
/* The window in the emulated machine's RAM (host pointer). */
uint8_t *emu_window(emu_t *e);
/* Runs c in mode m.  `bulk` runs through cpu_execute (whole blocks, REP
 * chunks at full size) instead of single steps.  A repeated string
 * instruction runs until it completes. */
void emu_run(emu_t *e, xmode_t m, bool bulk, const xcase_t *c, xstate_t *out);
/* emu_run in two steps, so a test can change the machine in between. */
void emu_load(emu_t *e, xmode_t m, const xcase_t *c);
void emu_go(emu_t *e, bool bulk, xstate_t *out);
physmem_t *emu_physmem(emu_t *e);
/* Where things are in the emulated machine. */
#define EMU_CODE 0x10000u   /* CS base; the instruction is at offset EMU_IP */
#define EMU_IP 0x100u
#define EMU_WINDOW 0x20000u /* base of the data window */
#define EMU_TSS 0x3000u     /* 32-bit TSS, I/O bitmap at +0x68 (all ports allowed) */
/* V86 mode runs with this IOPL (default 3). */
void emu_set_v86_iopl(emu_t *e, unsigned iopl);

/* The fake I/O bus: IN returns io_in_value(port, n) for the n-th read
 * since emu_io_reset; OUT appends to the log. */
typedef struct io_event {
    uint16_t port;
    uint8_t size;
    bool write;
    uint32_t value;
} io_event_t;
uint32_t io_in_value(uint16_t port, unsigned n, unsigned size);
void emu_io_reset(emu_t *e);
int emu_io_count(emu_t *e);
const io_event_t *emu_io_log(emu_t *e);

/* ---------------------------------------------------------------- differential */

/* Runs c natively and in mode m of our CPU and compares per `chk`;
 * on a difference prints both states and returns false. */
bool diff_one(emu_t *e, xmode_t m, bool bulk, const xcase_t *c, const xcheck_t *chk);

/* Modes that can run case c: those in c->modes, and real and V86 only
 * with a 16-bit stack. */
bool xmode_fits(xmode_t m, const xcase_t *c);

/* ---------------------------------------------------------------- batches */

/* The operand form of one generated case. */
typedef struct xform {
    int bits;          /* operand size: 8, 16 or 32 */
    bool mem;          /* the ModRM operand is memory ([disp16] or [disp32]) */
    int asize;         /* address size of the memory form */
    int rm, reg;       /* ModRM register numbers (rm only for register forms) */
    int imm_at;        /* offset of the immediate in c->code, or -1 */
    uint32_t mem_off;  /* offset of the memory operand in the window */
} xform_t;

/* Adjusts a generated case (operands, counts, stack) and says what is
 * defined for it. */
typedef void (*xprepare_fn)(xcase_t *c, xcheck_t *k, const xform_t *f);

/* An instruction to generate cases for. */
typedef struct xspec {
    const char *name;
    uint8_t op[3];
    int oplen;        /* opcode bytes, 0F included */
    int modrm_reg;    /* -1: no ModRM; 0-7: the fixed ModRM.reg; 8: a random register */
    int imm;          /* immediate bytes after ModRM: 0, 1, 2, 4, or -1 for the operand size */
    unsigned sizes;   /* operand sizes to test: XS_8 | XS_16 | XS_32 */
    int mem;          /* false: register form only; true: also the memory forms
                         (16- and 32-bit addressing); MEM_ONLY */
    xprepare_fn prepare;
} xspec_t;
/* Memory forms only: the host reads C4, C5 and 62 with a register operand
 * as VEX/EVEX prefixes, where a P6 raises #UD. */
#define MEM_ONLY 2
#define XS_8 1u
#define XS_16 2u
#define XS_32 4u

/* Runs `count` random cases per operand size and form of s, each in 32-bit
 * protected mode and in one other mode (rotating through real, V86, 16-bit
 * protected mode and a bulk 32-bit run).  Returns the number of
 * mismatches (the first few are printed). */
int diff_spec(emu_t *e, const xspec_t *s, int count);
/* The same for one prepared case template: random registers, flags and
 * memory, then prepare(). */
int diff_random(emu_t *e, const xcase_t *proto, const xform_t *f, xprepare_fn prepare, int count);

/* Register helpers for prepare functions. */
uint32_t xget(const xcase_t *c, int reg, int bits);
void xset(xcase_t *c, int reg, int bits, uint32_t v);
/* The memory operand buffer of the case being prepared (the window's
 * initial contents; read-write). */
uint8_t *xmem(const xcase_t *c);
/* A little-endian value of `bits` bits at offset off of that buffer. */
uint32_t xmem_get(const xcase_t *c, uint32_t off, int bits);
void xmem_put(const xcase_t *c, uint32_t off, uint32_t v, int bits);

/* diff_spec for each of n specs; the total number of mismatches. */
int diff_specs(emu_t *e, const xspec_t *specs, size_t n, int count);
#define DIFF_SPECS(e, specs, count) diff_specs(e, specs, sizeof(specs) / sizeof((specs)[0]), count)

/* ---------------------------------------------------------------- cmocka */

/* The machine a test group shares, and the group fixtures that create it
 * (setup fails when the host cannot run the native oracle). */
extern emu_t *xemu;
int xgroup_setup(void **state);
int xgroup_teardown(void **state);

/* ---------------------------------------------------------------- random */

uint32_t rnd32(void);
void rnd_seed(uint64_t seed);
/* Random operand values, biased to edges: 0, 1, all-ones, sign bits. */
uint32_t rnd_operand(unsigned bits);
/* Random arithmetic flags and DF clear. */
uint32_t rnd_flags(void);

#endif
