/* TODO(helper): hardware task switching. */
#include "exec.h"

void task_switch_gate(cpu_t *cpu, uint16_t sel, int reason, bool has_error, uint32_t error, uint32_t ext)
{
    (void)sel, (void)reason, (void)has_error, (void)error;
    cpu_exception(cpu, EXC_GP, ext);
}

void iret_protected(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_exception(cpu, EXC_GP, 0);
}
