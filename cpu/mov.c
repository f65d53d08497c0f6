/* Data movement: MOV in its register, memory, immediate, moffs and segment
 * forms, LEA, MOVZX and MOVSX.
 */
#include "exec.h"

/* MOV Eb,Gb / Ev,Gv: store a register. */
static void mov_EbGb_r(cpu_t *c, const insn_t *i) { set_r8(c, i->rm, get_r8(c, i->reg)); }
static void mov_EbGb_m(cpu_t *c, const insn_t *i) { ea_wr8(c, i, get_r8(c, i->reg)); }
static void mov_EwGw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->rm, get_r16(c, i->reg)); }
static void mov_EwGw_m(cpu_t *c, const insn_t *i) { ea_wr16(c, i, get_r16(c, i->reg)); }
static void mov_EdGd_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = c->gpr[i->reg]; }
static void mov_EdGd_m(cpu_t *c, const insn_t *i) { ea_wr32(c, i, c->gpr[i->reg]); }

/* MOV Gb,Eb / Gv,Ev: load a register. */
static void mov_GbEb_r(cpu_t *c, const insn_t *i) { set_r8(c, i->reg, get_r8(c, i->rm)); }
static void mov_GbEb_m(cpu_t *c, const insn_t *i) { set_r8(c, i->reg, (uint8_t)ea_rd8(c, i)); }
static void mov_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); }
static void mov_GwEw_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_rd16(c, i)); }
static void mov_GdEd_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = c->gpr[i->rm]; }
static void mov_GdEd_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = ea_rd32(c, i); }

/* MOV with an immediate. */
static void mov_EbI_r(cpu_t *c, const insn_t *i) { set_r8(c, i->rm, (uint8_t)i->imm); }
static void mov_EbI_m(cpu_t *c, const insn_t *i) { ea_wr8(c, i, (uint8_t)i->imm); }
static void mov_EwI_r(cpu_t *c, const insn_t *i) { set_r16(c, i->rm, (uint16_t)i->imm); }
static void mov_EwI_m(cpu_t *c, const insn_t *i) { ea_wr16(c, i, (uint16_t)i->imm); }
static void mov_EdI_r(cpu_t *c, const insn_t *i) { c->gpr[i->rm] = i->imm; }
static void mov_EdI_m(cpu_t *c, const insn_t *i) { ea_wr32(c, i, i->imm); }
static void mov_ZbI(cpu_t *c, const insn_t *i) { set_r8(c, i->reg, (uint8_t)i->imm); }
static void mov_ZwI(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)i->imm); }
static void mov_ZdI(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = i->imm; }

/* MOV between the accumulator and a memory offset (A0-A3): the offset is
 * in disp, the segment in seg (DS unless overridden). */
static void mov_AL_O(cpu_t *c, const insn_t *i) { set_r8(c, R_EAX, rd8(c, i->seg, i->disp)); }
static void mov_AX_O(cpu_t *c, const insn_t *i) { set_r16(c, R_EAX, rd16(c, i->seg, i->disp)); }
static void mov_EAX_O(cpu_t *c, const insn_t *i) { c->gpr[R_EAX] = rd32(c, i->seg, i->disp); }
static void mov_O_AL(cpu_t *c, const insn_t *i) { wr8(c, i->seg, i->disp, get_r8(c, R_EAX)); }
static void mov_O_AX(cpu_t *c, const insn_t *i) { wr16(c, i->seg, i->disp, get_r16(c, R_EAX)); }
static void mov_O_EAX(cpu_t *c, const insn_t *i) { wr32(c, i->seg, i->disp, c->gpr[R_EAX]); }

/* Segment register numbers 6 and 7 do not exist: #UD. */
static void check_sreg(cpu_t *cpu, const insn_t *i)
{
    if (i->reg > SEG_GS)
        cpu_exception(cpu, EXC_UD, 0);
}

/* MOV Ew,Sw: a register destination with 32-bit operand size is
 * zero-extended (P6 behaviour); memory always takes 16 bits. */
static void mov_EwSw_r16(cpu_t *c, const insn_t *i) { check_sreg(c, i); set_r16(c, i->rm, c->seg[i->reg].sel); }
static void mov_EwSw_r32(cpu_t *c, const insn_t *i) { check_sreg(c, i); c->gpr[i->rm] = c->seg[i->reg].sel; }
static void mov_EwSw_m(cpu_t *c, const insn_t *i) { check_sreg(c, i); ea_wr16(c, i, c->seg[i->reg].sel); }

/* MOV Sw,Ew: CS cannot be loaded this way; loading SS holds off
 * interrupts (and single-step traps) for one instruction. */
static void mov_sreg(cpu_t *cpu, const insn_t *i, uint16_t sel)
{
    seg_load(cpu, i->reg, sel);
    if (i->reg == SEG_SS) {
        cpu->irq_inhibit = true;
        cpu->suppress_tf = true;
    }
}
static void check_sreg_dest(cpu_t *cpu, const insn_t *i)
{
    if (i->reg == SEG_CS || i->reg > SEG_GS)
        cpu_exception(cpu, EXC_UD, 0);
}
static void mov_SwEw_r(cpu_t *c, const insn_t *i) { check_sreg_dest(c, i); mov_sreg(c, i, get_r16(c, i->rm)); }
static void mov_SwEw_m(cpu_t *c, const insn_t *i) { check_sreg_dest(c, i); mov_sreg(c, i, (uint16_t)ea_rd16(c, i)); }

/* LEA: the offset itself; a register operand is invalid. */
static void lea_w(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_offset(c, i)); }
static void lea_d(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = ea_offset(c, i); }

/* MOVZX / MOVSX. */
static void movzx_GwEb_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r8(c, i->rm)); }
static void movzx_GwEb_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_rd8(c, i)); }
static void movzx_GdEb_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = get_r8(c, i->rm); }
static void movzx_GdEb_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = ea_rd8(c, i); }
static void movzx_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); }
static void movzx_GwEw_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_rd16(c, i)); }
static void movzx_GdEw_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = get_r16(c, i->rm); }
static void movzx_GdEw_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = ea_rd16(c, i); }
static void movsx_GwEb_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)sext(get_r8(c, i->rm), 8)); }
static void movsx_GwEb_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)sext(ea_rd8(c, i), 8)); }
static void movsx_GdEb_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(get_r8(c, i->rm), 8); }
static void movsx_GdEb_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(ea_rd8(c, i), 8); }
static void movsx_GwEw_r(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, get_r16(c, i->rm)); }
static void movsx_GwEw_m(cpu_t *c, const insn_t *i) { set_r16(c, i->reg, (uint16_t)ea_rd16(c, i)); }
static void movsx_GdEw_r(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(get_r16(c, i->rm), 16); }
static void movsx_GdEw_m(cpu_t *c, const insn_t *i) { c->gpr[i->reg] = sext(ea_rd16(c, i), 16); }

const opdef_t mov_ops[] = {
    {0x88, -1, -1, 0, 0, "mov", "Eb,Gb", 0, HR(mov_EbGb_r, mov_EbGb_m)},
    {0x89, -1, -1, 0, 0, "mov", "Ev,Gv", 0, HRS(mov_EwGw_r, mov_EdGd_r, mov_EwGw_m, mov_EdGd_m)},
    {0x8A, -1, -1, 0, 0, "mov", "Gb,Eb", 0, HR(mov_GbEb_r, mov_GbEb_m)},
    {0x8B, -1, -1, 0, 0, "mov", "Gv,Ev", 0, HRS(mov_GwEw_r, mov_GdEd_r, mov_GwEw_m, mov_GdEd_m)},
    {0x8C, -1, -1, 0, 0, "mov", "Ev,Sw", 0, HRS(mov_EwSw_r16, mov_EwSw_r32, mov_EwSw_m, mov_EwSw_m)},
    {0x8D, -1, -1, OPMOD_MEM, 0, "lea", "Gv,M", 0, HS(lea_w, lea_d)},
    {0x8E, -1, -1, 0, 0, "mov", "Sw,Ew", 0, HR(mov_SwEw_r, mov_SwEw_m)},
    {0xA0, -1, -1, 0, 0, "mov", "AL,Ob", 0, H(mov_AL_O)},
    {0xA1, -1, -1, 0, 0, "mov", "eAX,Ov", 0, HS(mov_AX_O, mov_EAX_O)},
    {0xA2, -1, -1, 0, 0, "mov", "Ob,AL", 0, H(mov_O_AL)},
    {0xA3, -1, -1, 0, 0, "mov", "Ov,eAX", 0, HS(mov_O_AX, mov_O_EAX)},
    {0xB0, -1, -1, 0, 0, "mov", "Zb,Ib", 0, H(mov_ZbI)},
    {0xB8, -1, -1, 0, 0, "mov", "Zv,Iz", 0, HS(mov_ZwI, mov_ZdI)},
    {0xC6, 0, -1, 0, 0, "mov", "Eb,Ib", 0, HR(mov_EbI_r, mov_EbI_m)},
    {0xC7, 0, -1, 0, 0, "mov", "Ev,Iz", 0, HRS(mov_EwI_r, mov_EdI_r, mov_EwI_m, mov_EdI_m)},
    {0x1B6, -1, -1, 0, 0, "movzx", "Gv,Eb", 0, HRS(movzx_GwEb_r, movzx_GdEb_r, movzx_GwEb_m, movzx_GdEb_m)},
    {0x1B7, -1, -1, 0, 0, "movzx", "Gv,Ew", 0, HRS(movzx_GwEw_r, movzx_GdEw_r, movzx_GwEw_m, movzx_GdEw_m)},
    {0x1BE, -1, -1, 0, 0, "movsx", "Gv,Eb", 0, HRS(movsx_GwEb_r, movsx_GdEb_r, movsx_GwEb_m, movsx_GdEb_m)},
    {0x1BF, -1, -1, 0, 0, "movsx", "Gv,Ew", 0, HRS(movsx_GwEw_r, movsx_GdEw_r, movsx_GwEw_m, movsx_GdEw_m)},
    {0},
};
