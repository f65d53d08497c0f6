/* Runs one x87 instruction two ways from the same FSAVE image: natively on
 * the host's x87 unit (x86-64 only) and in the emulator, so a test can
 * compare the 108-byte state images, the memory operand, AX and EFLAGS.
 *
 * Both sides execute the same bytes: FRSTOR [edi], the instruction under
 * test, FNSAVE [edi].  Its memory operand must be [esi] (ModRM mod 00,
 * rm 110), which means [rsi] in 64-bit mode.  In the emulator the code runs
 * in flat 32-bit protected mode at CPL 0.
 */
#ifndef FPU_HARNESS_H
#define FPU_HARNESS_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"

#define FSAVE_SIZE 108
#define MEM_SIZE 512

typedef struct run_state {
    uint8_t image[FSAVE_SIZE];              /* in: state to load; out: FNSAVE image */
    uint8_t mem[MEM_SIZE] __attribute__((aligned(16))); /* the [esi] operand */
    uint32_t eax, eflags;                   /* in: EFLAGS before; out: EAX, EFLAGS after */
} run_state_t;

/* ---------------------------------------------------------------- native */

#if defined(__x86_64__)
#define HOST_X87 1
typedef void (*host_stub_fn)(void *image, void *mem, uint32_t *out, uint64_t flags);
static uint8_t *host_code;
static sigjmp_buf host_jmp;
static volatile sig_atomic_t host_signal;

static inline void host_on_signal(int sig)
{
    host_signal = sig;
    siglongjmp(host_jmp, 1);
}

/* Returns 0, or the signal the instruction raised. */
static inline int host_run(run_state_t *s, const uint8_t *insn, int len)
{
    if (!host_code) {
        host_code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (host_code == MAP_FAILED) {
            perror("mmap");
            exit(1);
        }
        struct sigaction sa = {0};
        sa.sa_handler = host_on_signal;
        sigaction(SIGFPE, &sa, NULL);
        sigaction(SIGILL, &sa, NULL);
        sigaction(SIGSEGV, &sa, NULL);
    }
    uint8_t *p = host_code;
    static const uint8_t prologue[] = {
        0xDD, 0x27,                   /* frstor [rdi] */
        0x51, 0x9D,                   /* push rcx; popfq */
        0xB8, 0, 0, 0, 0,             /* mov eax, 0 */
    };
    static const uint8_t epilogue[] = {
        0x9C, 0x59,                   /* pushfq; pop rcx */
        0xDD, 0x37,                   /* fnsave [rdi] */
        0x89, 0x02,                   /* mov [rdx], eax */
        0x89, 0x4A, 0x04,             /* mov [rdx+4], ecx */
        0xC3,                         /* ret */
    };
    memcpy(p, prologue, sizeof prologue);
    p += sizeof prologue;
    memcpy(p, insn, len);
    p += len;
    memcpy(p, epilogue, sizeof epilogue);
    uint32_t out[2];
    host_signal = 0;
    if (sigsetjmp(host_jmp, 1)) {
        __asm__ volatile("fninit");
        return host_signal;
    }
    ((host_stub_fn)(void *)host_code)(s->image, s->mem, out, s->eflags);
    s->eax = out[0];
    s->eflags = out[1];
    return 0;
}
#else
#define HOST_X87 0
#endif

/* ---------------------------------------------------------------- emulator */

#define RIG_CODE 0x1000u
#define RIG_MEM 0x2000u
#define RIG_IMAGE 0x3000u

typedef struct x87_rig {
    physmem_t pm;
    cpu_t cpu;
} x87_rig_t;

static inline uint32_t rig_in(void *o, uint16_t port, unsigned size) { return 0xFFFFFFFFu; }
static inline void rig_out(void *o, uint16_t port, uint32_t v, unsigned size) {}
static inline uint8_t rig_ack(void *o) { return 0x20; }

static inline x87_rig_t *x87_rig_create(void)
{
    x87_rig_t *e = calloc(1, sizeof *e);
    cpu_bus_t bus = {.in = rig_in, .out = rig_out, .intr_ack = rig_ack};
    if (!e || !physmem_init(&e->pm, 1u << 20) || !cpu_init(&e->cpu, &e->pm, &bus)) {
        fprintf(stderr, "cannot create the emulator\n");
        exit(1);
    }
    return e;
}

static inline void x87_rig_destroy(x87_rig_t *e)
{
    cpu_free(&e->cpu);
    physmem_free(&e->pm);
    free(e);
}

/* Flat 32-bit protected mode, CPL 0, with the given CR0 extras. */
static inline void x87_rig_flat32(x87_rig_t *e, uint32_t cr0_extra)
{
    cpu_t *c = &e->cpu;
    cpu_set_cr0(c, CR0_PE | CR0_ET | cr0_extra);
    cpu_load_seg_raw(c, SEG_CS, 0x08, 0, 0xFFFFFFFFu, 0x9B, 0xC0);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            cpu_load_seg_raw(c, s, 0x10, 0, 0xFFFFFFFFu, 0x93, 0xC0);
}

/* Runs FRSTOR [edi]; insn; FNSAVE [edi]; HLT.  Returns 0 when it reached
 * the HLT, -1 otherwise (a fault with no handler shuts the CPU down). */
static inline int x87_rig_run(x87_rig_t *e, run_state_t *s, const uint8_t *insn, int len)
{
    cpu_t *c = &e->cpu;
    uint8_t code[32];
    int n = 0;
    code[n++] = 0xDD, code[n++] = 0x27; /* frstor [edi] */
    memcpy(code + n, insn, len);
    n += len;
    code[n++] = 0xDD, code[n++] = 0x37; /* fnsave [edi] */
    code[n++] = 0xF4;                   /* hlt */
    physmem_write_block(&e->pm, RIG_CODE, code, n);
    physmem_write_block(&e->pm, RIG_MEM, s->mem, MEM_SIZE);
    physmem_write_block(&e->pm, RIG_IMAGE, s->image, FSAVE_SIZE);
    x87_rig_flat32(e, CR0_NE);
    c->eip = RIG_CODE;
    c->gpr[R_EAX] = 0;
    c->gpr[R_ESI] = RIG_MEM;
    c->gpr[R_EDI] = RIG_IMAGE;
    c->halted = false;
    cpu_set_eflags(c, (s->eflags & 0x8D5u) | 2);
    cpu_exit_t r = cpu_execute(c, c->icount + 10);
    if (r != CPU_EXIT_HALT || c->eip != RIG_CODE + (uint32_t)n)
        return -1;
    physmem_read_block(&e->pm, RIG_MEM, s->mem, MEM_SIZE);
    physmem_read_block(&e->pm, RIG_IMAGE, s->image, FSAVE_SIZE);
    s->eax = c->gpr[R_EAX];
    s->eflags = cpu_get_eflags(c);
    return 0;
}

/* ---------------------------------------------------------------- image fields */

static inline uint16_t img16(const uint8_t *img, int off) { return (uint16_t)(img[off] | img[off + 1] << 8); }
static inline void set_img16(uint8_t *img, int off, uint16_t v) { img[off] = (uint8_t)v; img[off + 1] = (uint8_t)(v >> 8); }
/* ST(i) of an FSAVE image. */
static inline void img_get_st(const uint8_t *img, int i, uint64_t *mant, uint16_t *se)
{
    memcpy(mant, img + 28 + 10 * i, 8);
    *se = img16(img, 36 + 10 * i);
}
static inline void img_set_st(uint8_t *img, int i, uint64_t mant, uint16_t se)
{
    memcpy(img + 28 + 10 * i, &mant, 8);
    set_img16(img, 36 + 10 * i, se);
}

#endif
