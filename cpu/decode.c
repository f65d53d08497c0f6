/* The instruction decoder.
 *
 * At start-up the family tables (alu_ops, mov_ops, ...) are indexed into one
 * lookup: opcode x {memory, register} x ModRM.reg x ModRM.rm -> entry.  The
 * entry's operand string says whether a ModRM byte and which immediates
 * follow.  decode_insn turns bytes into an insn_t once; the icache keeps it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "exec.h"

/* Immediate kinds, in the order they follow the ModRM bytes. */
enum imm_kind { IMM_NONE, IMM_B, IMM_SB, IMM_W, IMM_Z, IMM_JB, IMM_JZ, IMM_AP, IMM_MOFFS };

typedef struct opinfo {
    bool modrm;
    uint8_t imm[2];
    bool z_reg; /* register in the opcode's low bits */
} opinfo_t;

#define MAX_DEFS 2048
static const opdef_t *defs[MAX_DEFS];
static opinfo_t infos[MAX_DEFS];
static int ndefs = 1; /* 0 means invalid */
static uint16_t slot[512][2][8][8]; /* [op][mod==3][reg][rm] -> def index */
static bool op_modrm[512];
static bool initialised;

static const opdef_t *const *families(void)
{
    static const opdef_t *const list[] = {
        alu_ops,   shift_ops, muldiv_ops,    bcd_ops,    bitops_ops, mov_ops,    stack_ops,
        string_ops, branch_ops, far_ops, interrupt_ops, system_ops, io_ops, segment_ops,
        fpu_ops,   misc_ops,  NULL,
    };
    return list;
}

/* Operands that are fixed registers or constants, never ModRM forms. */
static bool is_fixed_operand(const char *a, int n)
{
    static const char *const fixed[] = {"AL", "CL", "DX", "AX", "eAX", "1", "ES", "CS", "SS",
                                        "DS", "FS", "GS", "ST", NULL};
    for (int k = 0; fixed[k]; k++)
        if ((int)strlen(fixed[k]) == n && strncmp(a, fixed[k], n) == 0)
            return true;
    return false;
}

/* Parses an operand string ("Ev,Ib") into decode information. */
static opinfo_t parse_args(const opdef_t *d)
{
    opinfo_t info = {.modrm = d->reg >= 0 || d->rm >= 0 || d->mod != OPMOD_ANY};
    int nimm = 0;
    const char *a = d->args ? d->args : "";
    while (*a) {
        const char *end = a;
        while (*end && *end != ',')
            end++;
        int n = (int)(end - a);
        char c = a[0];
        enum imm_kind k = IMM_NONE;
        if (is_fixed_operand(a, n))
            ; /* a register or constant named in the mnemonic's operands */
        else if (n >= 2 && c == 's' && a[1] == 'I')
            k = IMM_SB;
        else if (n == 2 && c == 'I')
            k = a[1] == 'b' ? IMM_B : a[1] == 'w' ? IMM_W : IMM_Z;
        else if (n == 2 && c == 'J')
            k = a[1] == 'b' ? IMM_JB : IMM_JZ;
        else if (n == 2 && c == 'A')
            k = IMM_AP;
        else if (n == 2 && c == 'O')
            k = IMM_MOFFS;
        else if ((n == 2 || (n == 5 && a[2] == '/')) && strchr("EGMRSCDT", c)) /* Ew, Rv/Mw */
            info.modrm = true;
        else if (n == 3 && strncmp(a, "STi", 3) == 0)
            info.modrm = true;
        else if (n == 2 && c == 'Z')
            info.z_reg = true;
        if (k != IMM_NONE) {
            if (nimm == 2) {
                fprintf(stderr, "opcode table: too many immediates in %s %s\n", d->mnem, d->args);
                abort();
            }
            info.imm[nimm++] = (uint8_t)k;
        }
        a = *end ? end + 1 : end;
    }
    return info;
}

static int specificity(const opdef_t *d)
{
    return (d->reg >= 0) + 2 * (d->rm >= 0) + (d->mod != OPMOD_ANY);
}

static void add_def(const opdef_t *d)
{
    if (ndefs == MAX_DEFS) {
        fprintf(stderr, "opcode table: more than %d entries\n", MAX_DEFS);
        abort();
    }
    int id = ndefs++;
    defs[id] = d;
    infos[id] = parse_args(d);
    int span = d->span ? d->span : infos[id].z_reg ? 8 : 1;
    for (int op = d->op; op < d->op + span; op++) {
        op_modrm[op] |= infos[id].modrm;
        for (int m = 0; m < 2; m++) {
            if ((d->mod == OPMOD_MEM && m == 1) || (d->mod == OPMOD_REG && m == 0))
                continue;
            for (int r = 0; r < 8; r++) {
                if (d->reg >= 0 && d->reg != r)
                    continue;
                for (int rm = 0; rm < 8; rm++) {
                    if (m == 1 && d->rm >= 0 && d->rm != rm)
                        continue;
                    uint16_t *s = &slot[op][m][r][rm];
                    /* The more specific entry wins (FPU D9 E8 over D9 /5). */
                    if (*s) {
                        int old = specificity(defs[*s]), mine = specificity(d);
                        if (old == mine) {
                            fprintf(stderr, "opcode table: %s and %s both claim opcode %03x\n",
                                    defs[*s]->mnem, d->mnem, op);
                            abort();
                        }
                        if (old > mine)
                            continue;
                    }
                    *s = (uint16_t)id;
                }
            }
        }
    }
}

void opcodes_init(void)
{
    if (initialised)
        return;
    initialised = true;
    for (const opdef_t *const *f = families(); *f; f++)
        for (const opdef_t *d = *f; d->mnem; d++)
            add_def(d);
}

const opdef_t *opdef_of(const insn_t *i)
{
    return i->def ? defs[i->def] : NULL;
}

static void op_gp_too_long(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    cpu_exception(cpu, EXC_GP, 0);
}

/* Little-endian loads of immediates. */
static uint32_t le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int k = 0; k < n; k++)
        v |= (uint32_t)p[k] << (8 * k);
    return v;
}

/* The 16-bit addressing forms' base and index registers, by ModRM.rm. */
static const uint8_t base16[8] = {R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX};
static const uint8_t index16[8] = {R_ESI, R_EDI, R_ESI, R_EDI, R_NONE, R_NONE, R_NONE, R_NONE};

#define NEED(n)                                                                                    \
    do {                                                                                           \
        if (pos + (n) > avail)                                                                     \
            return pos + (n) > 15 ? too_long(out, code32) : 0;                                     \
    } while (0)

static int too_long(insn_t *out, bool code32)
{
    memset(out, 0, sizeof *out);
    out->fn = op_gp_too_long;
    out->len = 15;
    out->pfx = code32 ? PFX_O32 | PFX_A32 : 0;
    return 15;
}

int decode_insn(const uint8_t *bytes, int avail, bool code32, insn_t *out)
{
    int pos = 0;
    bool opsize = code32, addrsize = code32;
    uint8_t pfx = 0, seg_override = 0xFF;

    if (avail > 15 + 1)
        avail = 16;
    for (;;) {
        NEED(1);
        uint8_t b = bytes[pos];
        if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E)
            seg_override = (b >> 3) & 3;
        else if (b == 0x64 || b == 0x65)
            seg_override = b - 0x64 + SEG_FS;
        else if (b == 0x66)
            opsize = !code32;
        else if (b == 0x67)
            addrsize = !code32;
        else if (b == 0xF0)
            pfx |= PFX_LOCK;
        else if (b == 0xF2)
            pfx = (pfx & ~PFX_REP) | PFX_REPNE;
        else if (b == 0xF3)
            pfx = (pfx & ~PFX_REPNE) | PFX_REP;
        else
            break;
        pos++;
        if (pos >= 15)
            return too_long(out, code32);
    }
    memset(out, 0, sizeof *out);
    out->seg_override = seg_override;
    if (seg_override != 0xFF)
        pfx |= PFX_SEG;
    pfx |= (opsize ? PFX_O32 : 0) | (addrsize ? PFX_A32 : 0);

    int op = bytes[pos++];
    if (op == 0x0F) {
        NEED(1);
        op = 0x100 | bytes[pos++];
    }
    out->op = (uint16_t)op;
    out->base = out->index = R_NONE;
    out->seg = SEG_DS;

    int mod = 3, reg = 0, rm = 0;
    if (op_modrm[op]) {
        NEED(1);
        uint8_t m = bytes[pos++];
        if (op >= 0x120 && op <= 0x123)
            m |= 0xC0; /* MOV to/from CRn/DRn: mod is ignored, always a register */
        out->modrm = m;
        mod = m >> 6, reg = (m >> 3) & 7, rm = m & 7;
        out->reg = (uint8_t)reg;
        out->rm = (uint8_t)rm;
        if (mod != 3) {
            pfx |= PFX_MEM;
            int dispsize = 0;
            if (addrsize) {
                if (rm == 4) {
                    NEED(1);
                    uint8_t sib = bytes[pos++];
                    int base = sib & 7, index = (sib >> 3) & 7;
                    out->scale = sib >> 6;
                    out->index = index == 4 ? R_NONE : (uint8_t)index;
                    if (base == 5 && mod == 0) {
                        out->base = R_NONE;
                        dispsize = 4;
                    } else {
                        out->base = (uint8_t)base;
                    }
                } else if (rm == 5 && mod == 0) {
                    dispsize = 4;
                } else {
                    out->base = (uint8_t)rm;
                }
                if (mod == 1)
                    dispsize = 1;
                else if (mod == 2)
                    dispsize = 4;
                if (out->base == R_ESP || out->base == R_EBP)
                    out->seg = SEG_SS;
            } else {
                if (rm == 6 && mod == 0) {
                    dispsize = 2;
                } else {
                    out->base = base16[rm];
                    out->index = index16[rm];
                    if (out->base == R_EBP)
                        out->seg = SEG_SS;
                }
                if (mod == 1)
                    dispsize = 1;
                else if (mod == 2)
                    dispsize = 2;
            }
            if (dispsize) {
                NEED(dispsize);
                uint32_t d = le(bytes + pos, dispsize);
                out->disp = dispsize == 1 ? sext(d, 8) : dispsize == 2 ? sext(d, 16) : d;
                pos += dispsize;
            }
        }
    }
    if (seg_override != 0xFF)
        out->seg = seg_override;

    int id = slot[op][mod == 3][reg][rm];
    const opdef_t *d = id ? defs[id] : NULL;
    if (d) {
        const opinfo_t *info = &infos[id];
        if (info->z_reg)
            out->reg = op & 7;
        for (int k = 0; k < 2 && info->imm[k]; k++) {
            uint32_t v;
            int n;
            switch (info->imm[k]) {
            case IMM_B: n = 1; NEED(n); v = bytes[pos]; break;
            case IMM_SB: case IMM_JB: n = 1; NEED(n); v = sext(bytes[pos], 8); break;
            case IMM_W: n = 2; NEED(n); v = le(bytes + pos, 2); break;
            case IMM_JZ:
                n = opsize ? 4 : 2;
                NEED(n);
                v = opsize ? le(bytes + pos, 4) : sext(le(bytes + pos, 2), 16);
                break;
            case IMM_MOFFS:
                n = addrsize ? 4 : 2;
                NEED(n);
                out->disp = le(bytes + pos, n);
                pos += n;
                continue;
            case IMM_AP:
                n = opsize ? 4 : 2;
                NEED(n + 2);
                out->imm = le(bytes + pos, n);
                out->imm2 = (uint16_t)le(bytes + pos + n, 2);
                pos += n + 2;
                continue;
            default: /* IMM_Z */
                n = opsize ? 4 : 2;
                NEED(n);
                v = le(bytes + pos, n);
                break;
            }
            if (k == 0)
                out->imm = v;
            else
                out->imm2 = (uint16_t)v;
            pos += n;
        }
    }
    if (pos > 15)
        return too_long(out, code32);

    out->len = (uint8_t)pos;
    out->pfx = pfx;
    bool mem = (pfx & PFX_MEM) != 0;
    insn_fn fn = d ? d->fn[mem][opsize] : NULL;
    if (fn && mem && addrsize && out->index == R_NONE && d->fn_bd[opsize])
        fn = d->fn_bd[opsize];
    if (fn && (pfx & PFX_LOCK) && (!(d->flags & OPF_LOCKABLE) || !mem))
        fn = NULL; /* LOCK on anything but a read-modify-write of memory: #UD */
    if (fn) {
        out->fn = fn;
        out->def = (uint16_t)id;
    } else {
        out->fn = op_ud;
    }
    return pos;
}

const opdef_t *opdef_find(const insn_t *i)
{
    if (i->def)
        return defs[i->def];
    if (i->op >= 512 || i->fn == op_gp_too_long)
        return NULL;
    bool modrm = op_modrm[i->op];
    bool reg_form = !modrm || !(i->pfx & PFX_MEM);
    int id = modrm ? slot[i->op][reg_form][(i->modrm >> 3) & 7][i->modrm & 7] : slot[i->op][1][0][0];
    return id ? defs[id] : NULL;
}

bool opcode_has_modrm(unsigned op)
{
    return op < 512 && op_modrm[op];
}

void opdefs_each(void (*visit)(const opdef_t *d, void *opaque), void *opaque)
{
    for (const opdef_t *const *f = families(); *f; f++)
        for (const opdef_t *d = *f; d->mnem; d++)
            visit(d, opaque);
}
