/* Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual
 * interrupts (CR4.PVI), SDM vol. 3, 20.3 and 20.4.  With IOPL < 3 the
 * instructions that would touch IF in V86 mode (or CLI/STI at CPL 3 with
 * PVI) work on the virtual interrupt flag VIF instead, and a VIP flag the
 * monitor sets makes the attempt to enable virtual interrupts fault, so the
 * monitor can deliver the interrupt it holds.  INT n in V86 mode may go to
 * the 8086 program's own vector table, as the TSS's redirection bitmap
 * says.  The instruction handlers (system.c, interrupt.c) call these only
 * off their common paths: CPL <= IOPL, real mode, V86 mode with IOPL 3.
 */
#include "exec.h"

static bool iopl3(const cpu_t *cpu)
{
    return (cpu->eflags & FLAG_IOPL) == FLAG_IOPL;
}

bool vif_mode(const cpu_t *cpu)
{
    return cpu_is_v86(cpu) ? (cpu->cr4 & CR4_VME) != 0 : cpu->cpl == 3 && (cpu->cr4 & CR4_PVI);
}

uint32_t vme_flags_image(const cpu_t *cpu)
{
    uint32_t f = cpu_get_eflags(cpu) & 0xFFFFu;
    return (f & ~FLAG_IF) | FLAG_IOPL | ((cpu->eflags & FLAG_VIF) ? FLAG_IF : 0);
}

uint32_t vme_load_flags(cpu_t *cpu, uint32_t image)
{
    uint32_t eflags = cpu_get_eflags(cpu);
    if ((image & FLAG_TF) || ((image & FLAG_IF) && (eflags & FLAG_VIP)))
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t mask = FLAGS_ARITH | FLAG_TF | FLAG_DF | FLAG_NT;
    return (eflags & ~(mask | FLAG_VIF)) | (image & mask) | ((image & FLAG_IF) ? FLAG_VIF : 0);
}

/* Bit `vector` of the interrupt redirection bitmap: the 32 bytes below the
 * I/O map base of the current (32-bit) TSS.  A TSS that cannot hold it
 * gives #GP(0), as a missing I/O bitmap does. */
static bool redirection_bit(cpu_t *cpu, uint8_t vector)
{
    unsigned type = cpu->tr.access & 0x0F;
    if ((type != 0x9 && type != 0xB) || cpu->tr.limit < 0x67)
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t off = (uint32_t)sys_rd16(cpu, cpu->tr.base + 0x66) - 32 + vector / 8;
    if (off > cpu->tr.limit)
        cpu_exception(cpu, EXC_GP, 0);
    return (sys_rd8(cpu, cpu->tr.base + off) >> (vector & 7)) & 1;
}

bool v86_int_to_8086(cpu_t *cpu, uint8_t vector)
{
    if (!(cpu->cr4 & CR4_VME) || redirection_bit(cpu, vector)) {
        if (!iopl3(cpu))
            cpu_exception(cpu, EXC_GP, 0); /* methods 2 and 3: to the monitor */
        return false;                      /* methods 1 and 4: through the IDT */
    }
    return true;
}

/* Methods 5 and 6: like a real-mode INT through the vector table at linear
 * 0 of the V86 task, on its own stack.  With IOPL < 3 the pushed FLAGS show
 * VIF as IF (and IOPL 3), and VIF is what gets cleared. */
void v86_redirect_int(cpu_t *cpu, uint8_t vector)
{
    uint32_t entry = (uint32_t)vector * 4;
    uint16_t ip = (uint16_t)lin_rd(cpu, entry, 2);
    uint16_t cs = (uint16_t)lin_rd(cpu, entry + 2, 2);
    bool real_if = iopl3(cpu);
    uint32_t flags = real_if ? cpu_get_eflags(cpu) & 0xFFFFu : vme_flags_image(cpu);
    uint32_t frame[3] = {flags, cpu->seg[SEG_CS].sel, (uint16_t)cpu->eip};
    push_frame_here(cpu, frame, 3, 2);
    seg_load_real(cpu, SEG_CS, cs);
    cpu->eip = ip;
    cpu_set_eflags(cpu, cpu_get_eflags(cpu) & ~(FLAG_TF | (real_if ? FLAG_IF : FLAG_VIF)));
    end_block(cpu);
    if (cpu->hooks.event_done)
        cpu->hooks.event_done(cpu->hooks.opaque, vector);
}
