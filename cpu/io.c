/* Port I/O: IN and OUT, and the permission checks that INS/OUTS share:
 * IOPL, and in protected mode (and always in V86 mode) the I/O-permission
 * bitmap of the current 32-bit TSS.
 */
#include "exec.h"

static void io_permission(cpu_t *cpu, uint16_t port, unsigned size)
{
    if (!cpu_is_protected(cpu))
        return;
    unsigned iopl = (cpu->eflags & FLAG_IOPL) >> 12;
    if (!cpu_is_v86(cpu) && cpu->cpl <= iopl)
        return;
    /* Only a 32-bit TSS has a bitmap; its offset is at 0x66. */
    unsigned type = cpu->tr.access & 0x0F;
    if ((type != 0x9 && type != 0xB) || cpu->tr.limit < 0x67)
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t map = sys_rd16(cpu, cpu->tr.base + 0x66);
    uint32_t off = map + port / 8;
    if (off + 1 > cpu->tr.limit)
        cpu_exception(cpu, EXC_GP, 0);
    uint32_t bits = sys_rd16(cpu, cpu->tr.base + off);
    uint32_t want = ((1u << size) - 1) << (port & 7);
    if (bits & want)
        cpu_exception(cpu, EXC_GP, 0);
}

void io_check(cpu_t *cpu, uint16_t port, unsigned size)
{
    io_permission(cpu, port, size);
    debug_io_access(cpu, port, size);
}

uint32_t io_in(cpu_t *cpu, uint16_t port, unsigned size)
{
    uint32_t v = cpu->bus.in(cpu->bus.opaque, port, size);
    if (size < 4)
        v &= (1u << (8 * size)) - 1;
    if (cpu->hooks.io)
        cpu->hooks.io(cpu->hooks.opaque, false, port, v, size);
    return v;
}

void io_out(cpu_t *cpu, uint16_t port, uint32_t value, unsigned size)
{
    if (size < 4)
        value &= (1u << (8 * size)) - 1;
    if (cpu->hooks.io)
        cpu->hooks.io(cpu->hooks.opaque, true, port, value, size);
    cpu->bus.out(cpu->bus.opaque, port, value, size);
}

static unsigned io_size(const insn_t *i)
{
    return (i->op & 1) ? (o32(i) ? 4 : 2) : 1;
}

static void in_port(cpu_t *cpu, const insn_t *i, uint16_t port)
{
    unsigned size = io_size(i);
    io_check(cpu, port, size);
    set_acc(cpu, io_in(cpu, port, size), size);
}

static void out_port(cpu_t *cpu, const insn_t *i, uint16_t port)
{
    unsigned size = io_size(i);
    io_check(cpu, port, size);
    io_out(cpu, port, cpu->gpr[R_EAX], size);
}

static void in_Ib(cpu_t *c, const insn_t *i) { in_port(c, i, (uint16_t)i->imm); }
static void in_DX(cpu_t *c, const insn_t *i) { in_port(c, i, get_r16(c, R_EDX)); }
static void out_Ib(cpu_t *c, const insn_t *i) { out_port(c, i, (uint16_t)i->imm); }
static void out_DX(cpu_t *c, const insn_t *i) { out_port(c, i, get_r16(c, R_EDX)); }

/* OUT ends the block: the device may have raised an interrupt or asked for
 * a stop, which the loop should see promptly. */
const opdef_t io_ops[] = {
    {0xE4, -1, -1, 0, 0, "in", "AL,Ib", 0, H(in_Ib)},
    {0xE5, -1, -1, 0, 0, "in", "eAX,Ib", 0, H(in_Ib)},
    {0xEC, -1, -1, 0, 0, "in", "AL,DX", 0, H(in_DX)},
    {0xED, -1, -1, 0, 0, "in", "eAX,DX", 0, H(in_DX)},
    {0xE6, -1, -1, 0, 0, "out", "Ib,AL", OPF_END, H(out_Ib)},
    {0xE7, -1, -1, 0, 0, "out", "Ib,eAX", OPF_END, H(out_Ib)},
    {0xEE, -1, -1, 0, 0, "out", "DX,AL", OPF_END, H(out_DX)},
    {0xEF, -1, -1, 0, 0, "out", "DX,eAX", OPF_END, H(out_DX)},
    {0},
};
