/* System instructions: HLT, CLI, STI. */
#include "exec.h"

static void check_cpl0(cpu_t *cpu)
{
    if (cpu_is_protected(cpu) && cpu->cpl != 0)
        cpu_exception(cpu, EXC_GP, 0);
}

static void hlt(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
    cpu->halted = true;
    end_block(cpu);
}

/* CLI/STI need CPL <= IOPL in protected mode; V86 needs IOPL 3. */
static void check_iopl(cpu_t *cpu)
{
    unsigned iopl = (cpu->eflags & FLAG_IOPL) >> 12;
    if (cpu_is_protected(cpu) && (cpu_is_v86(cpu) ? iopl != 3 : cpu->cpl > iopl))
        cpu_exception(cpu, EXC_GP, 0);
}

static void cli(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_iopl(cpu);
    cpu->eflags &= ~FLAG_IF;
}

static void sti(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_iopl(cpu);
    if (!(cpu->eflags & FLAG_IF))
        cpu->irq_inhibit = true; /* the next instruction runs first */
    cpu->eflags |= FLAG_IF;
}

const opdef_t system_ops[] = {
    {0xF4, -1, -1, 0, 0, "hlt", "", OPF_END, H(hlt)},
    {0xFA, -1, -1, 0, 0, "cli", "", 0, H(cli)},
    {0xFB, -1, -1, 0, 0, "sti", "", OPF_END, H(sti)},
    {0},
};
