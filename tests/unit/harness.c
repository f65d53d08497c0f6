/* The differential harness (see harness.h). */
#define _GNU_SOURCE
#include "harness.h"

#include <asm/ldt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

const char *xmode_name(xmode_t m)
{
    static const char *const names[] = {"real", "v86", "pm16", "pm32"};
    return m < XM_COUNT ? names[m] : "?";
}

xcheck_t xcheck_all(void)
{
    xcheck_t k = {.flags_mask = FLAGS_ARITH | FLAG_DF, .mem = true};
    for (int r = 0; r < 8; r++)
        k.gpr_mask[r] = 0xFFFFFFFFu;
    return k;
}

bool xmode_fits(xmode_t m, const xcase_t *c)
{
    if (c->modes && !(c->modes & XM_BIT(m)))
        return false;
    return !(c->stack32 && (m == XM_REAL || m == XM_V86));
}

/* Writes the instruction with the size prefixes a code segment of the
 * given default size needs; returns the length. */
static int encode(const xcase_t *c, bool code32, uint8_t *out)
{
    int n = 0;
    if (c->osize && (c->osize == 32) != code32)
        out[n++] = 0x66;
    if (c->asize && (c->asize == 32) != code32)
        out[n++] = 0x67;
    memcpy(out + n, c->code, (size_t)c->len);
    return n + c->len;
}

/* ================================================================ native */

/* The host area, below 4 GiB (MAP_32BIT) so that 32-bit code reaches it:
 * the data window (LDT selector 0x07/0x0F), the stub's data (0x17), a flat
 * stack for the mode switch, and the code. */
#define NAT_WINDOW 0x00000u
#define NAT_STUB 0x10000u  /* stub data segment base */
#define NAT_FLATSTACK 0x12000u
#define NAT_CODE 0x12000u  /* trampoline, then the 32-bit stub */
#define NAT_SIZE 0x14000u
#define NAT_SEL_STUB 0x17

/* Offsets in the stub data segment. */
enum {
    IN_GPR = 0x00,   /* 8 dwords */
    IN_SS = 0x34,    /* IN_STACK: m16:32 for LSS, ESP then SS */
    IN_STACK = 0x30,
    IN_DS = 0x24,
    IN_ES = 0x28,
    IN_FLAGS = 0x2C,
    OUT_GPR = 0x40,
    OUT_ES = 0x60,
    OUT_SS = 0x64,
    OUT_DS = 0x68,
    OUT_FLAGS = 0x6C,
    SAVE_RSP = 0x80,     /* flat offsets from here: 64-bit RSP */
    SAVE_ESP = 0x88,     /* the flat ESP in compatibility mode */
    FARPTR = 0x90,       /* m16:32 of the 32-bit stub */
    STUB_STACK = 0x800,  /* top of the stub's own stack */
};

static uint8_t *nat;          /* the area */
static int nat_state;         /* 0 unknown, 1 usable, -1 not */
static size_t stub_insn;      /* offset of the instruction in the code */
static void (*trampoline)(void);

static volatile sig_atomic_t in_native;
static sigjmp_buf native_env;
static xstate_t native_fault;
static uint8_t *altstack;

static uint32_t nat_addr(uint32_t off) { return (uint32_t)(uintptr_t)(nat + off); }

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* An emitter for the hand-assembled code. */
typedef struct emit {
    uint8_t *p;
    size_t n;
} emit_t;
static void eb(emit_t *e, int count, ...)
{
    va_list ap;
    va_start(ap, count);
    for (int k = 0; k < count; k++)
        e->p[e->n++] = (uint8_t)va_arg(ap, int);
    va_end(ap);
}
static void e32(emit_t *e, uint32_t v)
{
    put32(e->p + e->n, v);
    e->n += 4;
}

/* mov r32, gs:[off] / mov gs:[off], r32 (ModRM disp32 form). */
static void gs_load(emit_t *e, int reg, uint32_t off)
{
    eb(e, 3, 0x65, 0x8B, 0x05 | reg << 3);
    e32(e, off);
}
static void gs_store(emit_t *e, int reg, uint32_t off)
{
    eb(e, 3, 0x65, 0x89, 0x05 | reg << 3);
    e32(e, off);
}

/* The 64-bit trampoline: saves the callee-saved registers, switches to the
 * flat low stack and far-calls the 32-bit stub. */
static size_t emit_trampoline(emit_t *e)
{
    size_t start = e->n;
    eb(e, 10, 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57); /* push rbx..r15 */
    eb(e, 4, 0x48, 0x89, 0x24, 0x25); /* mov [abs], rsp */
    e32(e, nat_addr(NAT_STUB + SAVE_RSP));
    eb(e, 1, 0xBC); /* mov esp, imm32 */
    e32(e, nat_addr(NAT_FLATSTACK));
    eb(e, 3, 0xFF, 0x1C, 0x25); /* call far [abs] */
    e32(e, nat_addr(NAT_STUB + FARPTR));
    eb(e, 4, 0x48, 0x8B, 0x24, 0x25); /* mov rsp, [abs] */
    e32(e, nat_addr(NAT_STUB + SAVE_RSP));
    eb(e, 11, 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3);
    return start;
}

/* The 32-bit stub's prologue, up to the instruction. */
static void emit_prologue(emit_t *e)
{
    /* 64-bit code may run with null DS and ES, and with the SS a fault in
     * an earlier run left: load Linux's flat data selector (__USER_DS). */
    eb(e, 10, 0x66, 0xB8, 0x2B, 0x00, 0x8E, 0xD0, 0x8E, 0xD8, 0x8E, 0xC0); /* ss = ds = es = 0x2B */
    eb(e, 2, 0x89, 0x25); /* mov [abs], esp */
    e32(e, nat_addr(NAT_STUB + SAVE_ESP));
    eb(e, 6, 0x66, 0xB8, NAT_SEL_STUB, 0x00, 0x8E, 0xE8); /* mov ax, sel; mov gs, ax */
    eb(e, 3, 0x65, 0xFF, 0x35); /* push dword gs:[IN_FLAGS] */
    e32(e, IN_FLAGS);
    eb(e, 1, 0x9D); /* popfd */
    eb(e, 3, 0x65, 0x8E, 0x05); /* mov es, gs:[IN_ES] */
    e32(e, IN_ES);
    eb(e, 3, 0x65, 0x8E, 0x1D); /* mov ds, gs:[IN_DS] */
    e32(e, IN_DS);
    eb(e, 4, 0x65, 0x0F, 0xB2, 0x25); /* lss esp, gs:[IN_STACK] */
    e32(e, IN_STACK);
    for (int r = 0; r < 8; r++)
        if (r != R_ESP)
            gs_load(e, r, IN_GPR + 4u * r);
}

/* The epilogue after the instruction: stores the results, restores the
 * flat segments and returns to 64-bit mode. */
static void emit_epilogue(emit_t *e)
{
    for (int r = 0; r < 8; r++)
        gs_store(e, r, OUT_GPR + 4u * r);
    eb(e, 3, 0x65, 0x8C, 0x05); /* mov gs:[OUT_ES], es */
    e32(e, OUT_ES);
    eb(e, 3, 0x65, 0x8C, 0x15); /* mov gs:[OUT_SS], ss */
    e32(e, OUT_SS);
    eb(e, 3, 0x65, 0x8C, 0x1D); /* mov gs:[OUT_DS], ds */
    e32(e, OUT_DS);
    eb(e, 5, 0x66, 0x8C, 0xE8, 0x8E, 0xD0); /* mov ax, gs; mov ss, ax */
    eb(e, 1, 0xBC); /* mov esp, STUB_STACK */
    e32(e, STUB_STACK);
    eb(e, 4, 0x9C, 0x65, 0x8F, 0x05); /* pushfd; pop dword gs:[OUT_FLAGS] */
    e32(e, OUT_FLAGS);
    eb(e, 3, 0x6A, 0x02, 0x9D); /* push 2; popfd: DF, AC, TF, NT clear for the C code */
    eb(e, 10, 0x66, 0xB8, 0x2B, 0x00, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0); /* ds = es = ss = 0x2B */
    eb(e, 2, 0x8B, 0x25); /* mov esp, [abs] */
    e32(e, nat_addr(NAT_STUB + SAVE_ESP));
    eb(e, 5, 0x31, 0xC0, 0x8E, 0xE8, 0xCB); /* xor eax, eax; mov gs, ax; retf */
}

static bool set_ldt(int entry, uint32_t base, uint32_t limit, bool big)
{
    struct user_desc d = {
        .entry_number = (unsigned)entry,
        .base_addr = base,
        .limit = limit,
        .seg_32bit = big,
        .contents = 0, /* data, expand-up */
        .read_exec_only = 0,
        .limit_in_pages = 0,
        .seg_not_present = 0,
        .useable = 1,
    };
    return syscall(SYS_modify_ldt, 1, &d, sizeof d) == 0;
}

static void native_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)si;
    if (!in_native) {
        signal(sig, SIG_DFL); /* not ours: let it kill the process */
        raise(sig);
        return;
    }
    const ucontext_t *uc = ctx;
    const greg_t *g = uc->uc_mcontext.gregs;
    static const int order[8] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI};
    for (int r = 0; r < 8; r++)
        native_fault.gpr[r] = (uint32_t)g[order[r]];
    native_fault.eflags = (uint32_t)g[REG_EFL];
    native_fault.exception = (int)g[REG_TRAPNO];
    in_native = 0;
    siglongjmp(native_env, 1);
}

static const int native_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
#define NSIG_NATIVE (int)(sizeof native_signals / sizeof native_signals[0])

static bool native_init(void)
{
    nat = mmap(NULL, NAT_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (nat == MAP_FAILED) {
        fprintf(stderr, "harness: cannot map memory below 4 GiB for 32-bit code\n");
        return false;
    }
    if (!set_ldt(0, nat_addr(NAT_WINDOW), XWIN_SIZE - 1, true) ||
        !set_ldt(1, nat_addr(NAT_WINDOW), XWIN_SIZE - 1, false) ||
        !set_ldt(2, nat_addr(NAT_STUB), 0xFFF, true)) {
        fprintf(stderr, "harness: modify_ldt failed: the host cannot give 32-bit code an LDT\n");
        return false;
    }
    altstack = mmap(NULL, 1u << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    stack_t ss = {.ss_sp = altstack, .ss_size = 1u << 16};
    if (altstack == MAP_FAILED || sigaltstack(&ss, NULL) != 0) {
        fprintf(stderr, "harness: cannot set up a signal stack\n");
        return false;
    }
    emit_t e = {nat + NAT_CODE, 0};
    trampoline = (void (*)(void))(void *)(nat + NAT_CODE + emit_trampoline(&e));
    uint32_t stub = nat_addr(NAT_CODE) + (uint32_t)e.n;
    put32(nat + NAT_STUB + FARPTR, stub);
    nat[NAT_STUB + FARPTR + 4] = 0x23; /* USER32_CS */
    nat[NAT_STUB + FARPTR + 5] = 0;
    emit_prologue(&e);
    stub_insn = e.n;

    /* Probe: a NOP must come back with the registers it was given. */
    xcase_t probe = {.code = {0x90}, .len = 1, .stack32 = true, .gpr = {1, 2, 3, 4, 0x800, 6, 7, 8}};
    xstate_t out;
    nat_state = 1;
    native_run(&probe, &out, NULL);
    if (out.exception != -1 || out.gpr[R_EAX] != 1 || out.gpr[R_EDI] != 8) {
        fprintf(stderr, "harness: the host did not run 32-bit code correctly\n");
        nat_state = -1;
        return false;
    }
    return true;
}

bool native_available(void)
{
    if (nat_state == 0)
        nat_state = native_init() ? 1 : -1;
    return nat_state > 0;
}

void native_run(const xcase_t *c, xstate_t *out, uint8_t *mem_out)
{
    if (!native_available()) {
        fprintf(stderr, "harness: no native oracle on this host (see above)\n");
        abort();
    }
    /* The instruction and the epilogue. */
    emit_t e = {nat + NAT_CODE, stub_insn};
    e.n += (size_t)encode(c, true, e.p + e.n);
    emit_epilogue(&e);

    uint8_t *stub = nat + NAT_STUB;
    memcpy(stub + IN_GPR, c->gpr, sizeof c->gpr);
    put32(stub + IN_STACK, c->gpr[R_ESP]);
    uint16_t ss = c->stack32 ? XSEL_DATA32 : XSEL_DATA16, ds = XSEL_DATA32;
    memcpy(stub + IN_SS, &ss, 2);
    memcpy(stub + IN_DS, &ds, 2);
    memcpy(stub + IN_ES, &ds, 2);
    put32(stub + IN_FLAGS, (c->flags & (FLAGS_ARITH | FLAG_DF)) | 2u);
    if (c->mem)
        memcpy(nat + NAT_WINDOW + c->mem_lo, c->mem + c->mem_lo, c->mem_hi - c->mem_lo);

    struct sigaction sa = {.sa_sigaction = native_signal, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    struct sigaction old[NSIG_NATIVE];
    for (int k = 0; k < NSIG_NATIVE; k++)
        sigaction(native_signals[k], &sa, &old[k]);
    memset(out, 0, sizeof *out);
    if (sigsetjmp(native_env, 1) == 0) {
        in_native = 1;
        trampoline();
        in_native = 0;
        memcpy(out->gpr, stub + OUT_GPR, sizeof out->gpr);
        memcpy(&out->eflags, stub + OUT_FLAGS, 4);
        memcpy(&out->es, stub + OUT_ES, 2);
        memcpy(&out->ss, stub + OUT_SS, 2);
        memcpy(&out->ds, stub + OUT_DS, 2);
        out->exception = -1;
    } else {
        *out = native_fault;
        out->es = out->ds = XSEL_DATA32;
        out->ss = ss;
    }
    for (int k = 0; k < NSIG_NATIVE; k++)
        sigaction(native_signals[k], &old[k], NULL);
    if (mem_out)
        memcpy(mem_out, nat + NAT_WINDOW, XWIN_SIZE);
}

static const uint8_t *native_window(void) { return nat + NAT_WINDOW; }

/* ================================================================ emulated */

/* Physical layout of the emulated machine. */
#define EMU_RAM (2u << 20)
#define EMU_MAX_STEPS 100000
#define EMU_IVT_HANDLER 0x500u /* jmp $ */
#define EMU_GDT 0x1000u
#define EMU_LDT 0x2000u
#define EMU_TSS_LIMIT 0x2068u
#define EMU_SEL_LDT 0x08
#define EMU_SEL_TSS 0x10
#define EMU_SEL_CODE32 0x17
#define EMU_SEL_CODE16 0x1F

struct emu {
    physmem_t pm;
    cpu_t cpu;
    unsigned v86_iopl;
    int exception;
    xstate_t at_exception;
    io_event_t io[256];
    int io_count;
    unsigned io_reads;
};

uint32_t io_in_value(uint16_t port, unsigned n, unsigned size)
{
    uint32_t v = (port * 0x9E3779B1u) ^ (n * 0x85EBCA6Bu) ^ 0x5A5A5A5Au;
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void log_io(emu_t *e, uint16_t port, uint32_t v, unsigned size, bool write)
{
    if (e->io_count < (int)(sizeof e->io / sizeof e->io[0]))
        e->io[e->io_count++] = (io_event_t){port, (uint8_t)size, write, v};
}

static uint32_t bus_in(void *opaque, uint16_t port, unsigned size)
{
    emu_t *e = opaque;
    uint32_t v = io_in_value(port, e->io_reads++, size);
    log_io(e, port, v, size, false);
    return v;
}

static void bus_out(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    log_io(opaque, port, value, size, true);
}

static uint8_t bus_ack(void *opaque)
{
    (void)opaque;
    return 0x20;
}

static void snapshot(const cpu_t *cpu, xstate_t *s)
{
    memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
    s->eflags = cpu_get_eflags(cpu);
    s->es = cpu->seg[SEG_ES].sel;
    s->ss = cpu->seg[SEG_SS].sel;
    s->ds = cpu->seg[SEG_DS].sel;
}

static void on_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    (void)has_error, (void)error;
    emu_t *e = opaque;
    if (kind != CPU_EVENT_EXCEPTION || e->exception >= 0)
        return;
    e->exception = vector;
    snapshot(&e->cpu, &e->at_exception);
}

/* A descriptor: base, byte-granular limit (< 1 MiB), access byte, flags. */
static void put_desc(uint8_t *p, uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint32_t lo = (limit & 0xFFFF) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000) |
                  ((uint32_t)(flags & 0xF0) << 16) | (base & 0xFF000000u);
    put32(p, lo);
    put32(p + 4, hi);
}

emu_t *emu_create(void)
{
    emu_t *e = calloc(1, sizeof *e);
    if (!e || !physmem_init(&e->pm, EMU_RAM)) {
        free(e);
        return NULL;
    }
    cpu_bus_t bus = {.opaque = e, .in = bus_in, .out = bus_out, .intr_ack = bus_ack};
    if (!cpu_init(&e->cpu, &e->pm, &bus)) {
        physmem_free(&e->pm);
        free(e);
        return NULL;
    }
    e->cpu.hooks.opaque = e;
    e->cpu.hooks.event = on_event;
    e->v86_iopl = 3;
    physmem_set_a20(&e->pm, true);
    uint8_t *ram = e->pm.ram;
    for (int v = 0; v < 256; v++) /* every vector to a jmp $ */
        put32(ram + 4 * v, EMU_IVT_HANDLER >> 4 << 16);
    ram[EMU_IVT_HANDLER] = 0xEB;
    ram[EMU_IVT_HANDLER + 1] = 0xFE;
    put_desc(ram + EMU_GDT + 8, EMU_LDT, 0x1F, 0x82, 0);
    put_desc(ram + EMU_GDT + 16, EMU_TSS, EMU_TSS_LIMIT, 0x8B, 0);
    put_desc(ram + EMU_LDT + 0, EMU_WINDOW, XWIN_SIZE - 1, 0xF3, 0x40);
    put_desc(ram + EMU_LDT + 8, EMU_WINDOW, XWIN_SIZE - 1, 0xF3, 0x00);
    put_desc(ram + EMU_LDT + 16, EMU_CODE, 0xFFFF, 0xFB, 0x40);
    put_desc(ram + EMU_LDT + 24, EMU_CODE, 0xFFFF, 0xFB, 0x00);
    put32(ram + EMU_TSS + 0x64, 0x00680000u); /* I/O bitmap at 0x68, all zero: every port allowed */
    if (nat_state > 0)
        memcpy(ram + EMU_WINDOW, native_window(), XWIN_SIZE);
    return e;
}

void emu_destroy(emu_t *e)
{
    if (!e)
        return;
    cpu_free(&e->cpu);
    physmem_free(&e->pm);
    free(e);
}

cpu_t *emu_cpu(emu_t *e) { return &e->cpu; }
uint8_t *emu_window(emu_t *e) { return e->pm.ram + EMU_WINDOW; }
void emu_set_v86_iopl(emu_t *e, unsigned iopl) { e->v86_iopl = iopl & 3; }
void emu_io_reset(emu_t *e) { e->io_count = 0, e->io_reads = 0; }
int emu_io_count(emu_t *e) { return e->io_count; }
const io_event_t *emu_io_log(emu_t *e) { return e->io; }

/* Puts the CPU in mode m with the harness's segments. */
static void enter_mode(emu_t *e, xmode_t m, bool stack32, uint32_t flags)
{
    cpu_t *cpu = &e->cpu;
    cpu->shutdown = false;
    cpu->halted = false;
    cpu->irq_inhibit = false;
    cpu->delivering = -1;
    cpu->pending_exc = -1;
    cpu->idtr = (dtable_t){0, 0}; /* an exception ends in shutdown, writing nothing */
    cpu->gdtr = (dtable_t){EMU_GDT, 0x17};
    cpu->ldtr = (segment_t){.sel = EMU_SEL_LDT, .base = EMU_LDT, .limit = 0x1F, .access = 0x82};
    cpu->tr = (segment_t){.sel = EMU_SEL_TSS, .base = EMU_TSS, .limit = EMU_TSS_LIMIT, .access = 0x8B};
    flags = (flags & (FLAGS_ARITH | FLAG_DF)) | FLAG_IF | 2u;
    if (m == XM_REAL) {
        cpu_set_eflags(cpu, flags);
        cpu_set_cr0(cpu, cpu->cr0 & ~CR0_PE);
        cpu_load_seg_raw(cpu, SEG_CS, EMU_CODE >> 4, EMU_CODE, 0xFFFF, 0x9B, 0);
        for (int s = 0; s < 6; s++)
            if (s != SEG_CS)
                cpu_load_seg_raw(cpu, s, EMU_WINDOW >> 4, EMU_WINDOW, 0xFFFF, 0x93, 0);
    } else if (m == XM_V86) {
        cpu_set_cr0(cpu, cpu->cr0 | CR0_PE);
        cpu_set_eflags(cpu, flags | FLAG_VM | (e->v86_iopl << 12));
        seg_load_real(cpu, SEG_CS, EMU_CODE >> 4);
        for (int s = 0; s < 6; s++)
            if (s != SEG_CS)
                seg_load_real(cpu, s, EMU_WINDOW >> 4);
    } else {
        cpu_set_cr0(cpu, cpu->cr0 | CR0_PE);
        cpu_set_eflags(cpu, flags);
        bool big = m == XM_PM32;
        cpu_load_seg_raw(cpu, SEG_CS, big ? EMU_SEL_CODE32 : EMU_SEL_CODE16, EMU_CODE, 0xFFFF, 0xFB,
                         big ? 0x40 : 0);
        cpu_load_seg_raw(cpu, SEG_DS, XSEL_DATA32, EMU_WINDOW, XWIN_SIZE - 1, 0xF3, 0x40);
        cpu_load_seg_raw(cpu, SEG_ES, XSEL_DATA32, EMU_WINDOW, XWIN_SIZE - 1, 0xF3, 0x40);
        cpu_load_seg_raw(cpu, SEG_SS, stack32 ? XSEL_DATA32 : XSEL_DATA16, EMU_WINDOW, XWIN_SIZE - 1,
                         0xF3, stack32 ? 0x40 : 0);
        cpu_load_seg_raw(cpu, SEG_FS, 0, 0, 0, 0, 0);
        cpu_load_seg_raw(cpu, SEG_GS, 0, 0, 0, 0, 0);
        cpu_set_cpl(cpu, 3);
    }
}

void emu_load(emu_t *e, xmode_t m, const xcase_t *c)
{
    cpu_t *cpu = &e->cpu;
    uint8_t code[32];
    int n = encode(c, m == XM_PM32, code);
    code[n++] = 0xEB; /* jmp $: where a bulk run stops */
    code[n++] = 0xFE;
    physmem_write_block(&e->pm, EMU_CODE + EMU_IP, code, (uint32_t)n);
    if (c->mem)
        physmem_write_block(&e->pm, EMU_WINDOW + c->mem_lo, c->mem + c->mem_lo, c->mem_hi - c->mem_lo);

    enter_mode(e, m, c->stack32, c->flags);
    memcpy(cpu->gpr, c->gpr, sizeof c->gpr);
    cpu->eip = EMU_IP;
    e->exception = -1;
}

void emu_go(emu_t *e, bool bulk, xstate_t *out)
{
    cpu_t *cpu = &e->cpu;
    /* A REP instruction steps one element (bulk: one chunk) at a time. */
    /* (The cases' longest REP takes some 8000 steps; an instruction that
     * jumps to itself would take forever.) */
    for (long k = 0; k < EMU_MAX_STEPS; k++) {
        cpu_exit_t r = bulk ? cpu_execute(cpu, cpu->icount + 1) : cpu_step(cpu);
        if (e->exception >= 0 || cpu->shutdown || cpu->eip != EMU_IP || r != CPU_EXIT_BUDGET)
            break;
    }
    if (e->exception >= 0) {
        *out = e->at_exception;
        out->exception = e->exception;
    } else {
        snapshot(cpu, out);
        out->exception = -1;
    }
}

void emu_run(emu_t *e, xmode_t m, bool bulk, const xcase_t *c, xstate_t *out)
{
    emu_load(e, m, c);
    emu_go(e, bulk, out);
}

physmem_t *emu_physmem(emu_t *e) { return &e->pm; }

/* ================================================================ differential */

static void print_state(const char *who, const xstate_t *s)
{
    fprintf(stderr, "  %-6s eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x\n"
                    "         flags=%08x ds=%04x es=%04x ss=%04x exception=%d\n",
            who, s->gpr[0], s->gpr[1], s->gpr[2], s->gpr[3], s->gpr[4], s->gpr[5], s->gpr[6],
            s->gpr[7], s->eflags, s->ds, s->es, s->ss, s->exception);
}

/* Selectors compare equal, except that all null selectors (0-3) are one:
 * on the host, an interrupt returning to user mode may clear a null
 * selector's RPL bits in DS or ES (IRET nulls data segment registers the
 * new CPL may not use), so the RPL of a null selector is not stable there. */
static bool same_selector(uint16_t a, uint16_t b)
{
    return a == b || ((a & 0xFFFC) == 0 && (b & 0xFFFC) == 0);
}

/* How much a test group compared (printed by xgroup_teardown). */
static long compared[XM_COUNT];

bool diff_one(emu_t *e, xmode_t m, bool bulk, const xcase_t *c, const xcheck_t *chk)
{
    static uint8_t host_mem[XWIN_SIZE];
    compared[m]++;
    xstate_t host, ours;
    native_run(c, &host, host_mem);
    emu_run(e, m, bulk, c, &ours);

    char why[160] = "";
    if (host.exception != ours.exception)
        snprintf(why, sizeof why, "exception %d, expected %d", ours.exception, host.exception);
    for (int r = 0; r < 8 && !why[0]; r++)
        if ((host.gpr[r] ^ ours.gpr[r]) & chk->gpr_mask[r])
            snprintf(why, sizeof why, "register %d", r);
    if (!why[0] && ((host.eflags ^ ours.eflags) & chk->flags_mask))
        snprintf(why, sizeof why, "flags %08x differ", (host.eflags ^ ours.eflags) & chk->flags_mask);
    /* (After a fault both keep their own numbering of the segments.) */
    if (!why[0] && host.exception < 0 &&
        (((chk->sregs & XS_DS) && !same_selector(host.ds, ours.ds)) ||
         ((chk->sregs & XS_ES) && !same_selector(host.es, ours.es)) ||
         ((chk->sregs & XS_SS) && !same_selector(host.ss, ours.ss))))
        snprintf(why, sizeof why, "segment selectors");
    uint8_t *win = emu_window(e);
    if (chk->skip_hi > chk->skip_lo) /* not compared: take the host's bytes */
        memcpy(win + chk->skip_lo, host_mem + chk->skip_lo, chk->skip_hi - chk->skip_lo);
    if (!why[0] && chk->mem && memcmp(host_mem, win, XWIN_SIZE) != 0) {
        uint32_t a = 0;
        while (host_mem[a] == win[a])
            a++;
        snprintf(why, sizeof why, "memory at %04x: %02x, expected %02x", a, win[a], host_mem[a]);
    }
    if (!why[0])
        return true;

    uint8_t bytes[32];
    int n = encode(c, m == XM_PM32, bytes);
    fprintf(stderr, "MISMATCH (%s) in %s%s mode, bytes", why, xmode_name(m), bulk ? " bulk" : "");
    for (int k = 0; k < n; k++)
        fprintf(stderr, " %02x", bytes[k]);
    fprintf(stderr, "%s\n", c->stack32 ? " (32-bit stack)" : " (16-bit stack)");
    xstate_t in = {.eflags = c->flags, .exception = -1};
    memcpy(in.gpr, c->gpr, sizeof in.gpr);
    in.ds = in.es = XSEL_DATA32;
    in.ss = c->stack32 ? XSEL_DATA32 : XSEL_DATA16;
    print_state("input", &in);
    print_state("host", &host);
    print_state("ours", &ours);
    memcpy(win, host_mem, XWIN_SIZE); /* resynchronise the windows */
    return false;
}

/* ================================================================ batches */

/* Cases use offsets below XMEM_HI of the window: memory operands, stacks. */
#define XMEM_HI 0x2000u
static uint8_t case_mem[XWIN_SIZE];

uint8_t *xmem(const xcase_t *c)
{
    (void)c;
    return case_mem;
}

uint32_t xmem_get(const xcase_t *c, uint32_t off, int bits)
{
    uint32_t v = 0;
    memcpy(&v, xmem(c) + off, (size_t)bits / 8);
    return v;
}

void xmem_put(const xcase_t *c, uint32_t off, uint32_t v, int bits)
{
    memcpy(xmem(c) + off, &v, (size_t)bits / 8);
}

uint32_t xget(const xcase_t *c, int reg, int bits)
{
    if (bits == 8)
        return (c->gpr[reg & 3] >> (reg & 4 ? 8 : 0)) & 0xFF;
    return bits == 16 ? c->gpr[reg] & 0xFFFF : c->gpr[reg];
}

void xset(xcase_t *c, int reg, int bits, uint32_t v)
{
    if (bits == 8) {
        unsigned sh = reg & 4 ? 8 : 0;
        c->gpr[reg & 3] = (c->gpr[reg & 3] & ~(0xFFu << sh)) | (v & 0xFF) << sh;
    } else if (bits == 16) {
        c->gpr[reg] = (c->gpr[reg] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
        c->gpr[reg] = v;
    }
}

#define MAX_PRINTED 8

int diff_random(emu_t *e, const xcase_t *proto, const xform_t *f, xprepare_fn prepare, int count)
{
    static const xmode_t others[4] = {XM_REAL, XM_V86, XM_PM16, XM_PM32};
    static unsigned serial; /* rotates the modes and refreshes memory across calls */
    int bad = 0;
    for (int n = 0; n < count; n++) {
        unsigned k = serial++;
        xcase_t c = *proto;
        for (int r = 0; r < 8; r++)
            c.gpr[r] = rnd_operand(32);
        c.flags = rnd_flags();
        /* Either stack size (prepare may choose); real and V86 mode need a
         * 16-bit one, so about half of the cases can go there. */
        c.stack32 = rnd32() & 1;
        if (k % 8 == 0)
            for (uint32_t a = 0; a < XMEM_HI; a += 4)
                put32(case_mem + a, rnd32());
        c.mem = case_mem;
        c.mem_lo = 0;
        c.mem_hi = XMEM_HI;
        xcheck_t chk = xcheck_all();
        if (prepare)
            prepare(&c, &chk, f);
        xmode_t m = others[k % 4];
        bool bulk = m == XM_PM32;
        if (!xmode_fits(m, &c))
            m = XM_PM16;
        bool ok = diff_one(e, XM_PM32, false, &c, &chk);
        if (ok && xmode_fits(m, &c))
            ok = diff_one(e, m, bulk, &c, &chk);
        if (!ok && ++bad >= MAX_PRINTED) {
            fprintf(stderr, "(stopping after %d mismatches)\n", bad);
            break;
        }
    }
    return bad;
}

int diff_spec(emu_t *e, const xspec_t *s, int count)
{
    int bad = 0;
    for (int bits = 8; bits <= 32; bits *= 2) {
        if (!(s->sizes & (bits / 8)))
            continue;
        for (int form = s->mem == MEM_ONLY ? 1 : 0; form < (s->mem ? 3 : 1) && bad < MAX_PRINTED; form++) {
            /* form 0: register operand; 1: [disp32]; 2: [disp16] */
            xform_t f = {.bits = bits, .mem = form > 0, .asize = form == 2 ? 16 : 32, .imm_at = -1};
            xcase_t proto = {.osize = (uint8_t)(bits == 8 ? 0 : bits), .stack32 = true};
            if (f.mem)
                proto.asize = (uint8_t)f.asize;
            memcpy(proto.code, s->op, (size_t)s->oplen);
            int n = s->oplen;
            for (int k = 0; k < count / 8 + 1 && bad < MAX_PRINTED; k++) {
                /* Registers and the operand offset vary in groups of 8 cases. */
                xcase_t p = proto;
                int len = n;
                if (s->modrm_reg >= 0) {
                    f.reg = s->modrm_reg < 8 ? s->modrm_reg : (int)(rnd32() % 8);
                    if (f.mem) {
                        f.mem_off = 0x100 + rnd32() % (XMEM_HI - 0x200);
                        p.code[len++] = (uint8_t)(f.reg << 3 | (f.asize == 32 ? 5 : 6));
                        put32(p.code + len, f.mem_off);
                        len += f.asize / 8;
                    } else {
                        f.rm = (int)(rnd32() % 8);
                        p.code[len++] = (uint8_t)(0xC0 | f.reg << 3 | f.rm);
                    }
                }
                int isize = s->imm >= 0 ? s->imm : bits / 8;
                f.imm_at = isize ? len : -1;
                p.len = len + isize;
                int batch = count - 8 * k < 8 ? count - 8 * k : 8;
                for (int j = 0; j < batch; j++) {
                    if (isize)
                        put32(p.code + f.imm_at, rnd_operand((unsigned)isize * 8));
                    bad += diff_random(e, &p, &f, s->prepare, 1);
                }
            }
        }
    }
    if (bad)
        fprintf(stderr, "%s: %d mismatches\n", s->name, bad);
    return bad;
}

int diff_specs(emu_t *e, const xspec_t *specs, size_t n, int count)
{
    int bad = 0;
    for (size_t k = 0; k < n; k++)
        bad += diff_spec(e, &specs[k], count);
    return bad;
}

/* ================================================================ cmocka */

emu_t *xemu;

int xgroup_setup(void **state)
{
    (void)state;
    if (!native_available())
        return -1;
    xemu = emu_create();
    return xemu ? 0 : -1;
}

int xgroup_teardown(void **state)
{
    (void)state;
    printf("compared with the host: %ld in real mode, %ld in V86 mode, %ld in 16-bit and %ld in "
           "32-bit protected mode\n",
           compared[XM_REAL], compared[XM_V86], compared[XM_PM16], compared[XM_PM32]);
    emu_destroy(xemu);
    xemu = NULL;
    return 0;
}

/* ================================================================ random */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

void rnd_seed(uint64_t seed) { rng_state = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint32_t rnd32(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t rnd_operand(unsigned bits)
{
    uint32_t mask = bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
    uint32_t sign = 1u << (bits - 1);
    switch (rnd32() % 16) {
    case 0: return 0;
    case 1: return 1;
    case 2: return mask;
    case 3: return sign;
    case 4: return sign - 1;
    case 5: return sign + 1;
    case 6: return rnd32() % 64;
    case 7: return mask - rnd32() % 64;
    default: return rnd32() & mask;
    }
}

uint32_t rnd_flags(void) { return rnd32() & FLAGS_ARITH; }
