/* The disassembler: Intel syntax the way `objdump -d -Mintel` prints it,
 * driven by the opcode tables.  Every instruction family describes its
 * operands in SDM appendix-A notation (exec.h); this file turns that
 * notation plus a decoded insn_t into text, so an instruction added to a
 * table is disassembled with no work here.
 *
 * What the notation cannot say, objdump's habits that are special-cased:
 *  - prefixes an instruction does not use are printed by name ("data16",
 *    "addr32", "cs", "repz", "lock") in the order they appear;
 *  - call/jmp/ret/push/pop/iret/pusha/popa/pushf/popf/enter/leave without a
 *    register or memory operand show a non-default operand size as a
 *    suffix ("retw", "pushd 0x1"), and take their plain name otherwise;
 *  - a register operand of MOV to/from a segment register takes the
 *    operand size ("mov ds,eax");
 *  - F3 90 is "pause" and 66 90 "xchg ax,ax";
 *  - an address-size prefix is printed even where it sizes a moffs operand,
 *    or a bare 32-bit offset in 16-bit code (objdump counts it as unused);
 *  - "lgdt"-style six-byte operands (size s) print no PTR and a w/d suffix;
 *  - the x87 environment and state images (FLDENV, FNSTENV, FRSTOR, FNSAVE)
 *    take the w/d suffix too, and WAIT joins the x87 instruction after it
 *    ("finit" for 9B DB E3).
 * Deliberate differences from objdump (tests/unit/test_disasm.c checks the
 * rest) are listed in README.md: relative targets are truncated to the
 * operand size as the CPU does, and "(bad)" covers what the tables lack.
 */
#include <stdarg.h>
#include <stdio.h>

#include "exec.h"

/* ---------------------------------------------------------------- output */

typedef struct out {
    char *buf;
    int size, len;
} out_t;

static void put(out_t *o, const char *fmt, ...)
{
    if (o->len >= o->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, (size_t)(o->size - o->len), fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + n < o->size ? o->len + n : o->size - 1;
}

static const char *const reg8[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
static const char *const reg16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const reg32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const sreg[8] = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};
static const char *const cond[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                                     "s", "ns", "p", "np", "l", "ge", "le", "g"};

static const char *gpr_name(unsigned n, unsigned bytes)
{
    return bytes == 1 ? reg8[n & 7] : bytes == 2 ? reg16[n & 7] : reg32[n & 7];
}

/* ---------------------------------------------------------------- operands */

typedef enum kind {
    K_FIXED,  /* a register or constant named in the table: AL, DX, ES, 1, ST */
    K_EAX,    /* eAX: AX or EAX by operand size */
    K_E, K_M, K_R, K_G, K_Z,
    K_S, K_C, K_D, K_T,
    K_I, K_SI, K_J, K_A, K_O, K_X, K_Y,
    K_STI,
    K_UNKNOWN,
} kind_t;

typedef struct operand {
    kind_t kind;
    char size;       /* size letter: b w d q t v z p a s, or 0 */
    char text[8];    /* K_FIXED: the name as written */
} operand_t;

#define MAX_OPERANDS 4

/* Parses the operand string; of an alternative "Rv/Mw" it keeps the form
 * that matches the ModRM byte (memory or register). */
static int parse_operands(const char *args, bool mem, operand_t *ops)
{
    int n = 0;
    const char *a = args ? args : "";
    while (*a && n < MAX_OPERANDS) {
        const char *end = a;
        while (*end && *end != ',')
            end++;
        int len = (int)(end - a);
        if (len == 5 && a[2] == '/') {
            bool second_is_mem = a[3] == 'M';
            if (mem == second_is_mem)
                a += 3;
            len = 2;
        }
        operand_t *op = &ops[n++];
        memset(op, 0, sizeof *op);
        char c = a[0];
        if (len == 3 && !strncmp(a, "STi", 3)) {
            op->kind = K_STI;
        } else if (len == 3 && !strncmp(a, "eAX", 3)) {
            op->kind = K_EAX;
            op->size = 'v';
        } else if (len >= 2 && c == 's' && a[1] == 'I') {
            op->kind = K_SI;
            op->size = len > 2 ? a[2] : 'b';
        } else if (len <= 2 && strchr("EMRGZSCDTIJAOXY", c) && (len == 1 || (a[1] >= 'a' && a[1] <= 'z'))) {
            static const char letters[] = "EMRGZSCDTIJAOXY";
            static const kind_t kinds[] = {K_E, K_M, K_R, K_G, K_Z, K_S, K_C, K_D,
                                           K_T, K_I, K_J, K_A, K_O, K_X, K_Y};
            op->kind = kinds[strchr(letters, c) - letters];
            op->size = len == 2 ? a[1] : 0;
        } else if (len > 0 && len < (int)sizeof op->text) {
            op->kind = K_FIXED;
            memcpy(op->text, a, (size_t)len);
        } else {
            op->kind = K_UNKNOWN;
        }
        a = *end ? end + 1 : end;
    }
    return n;
}

/* Bytes of an operand of size letter `s` (0: not a sized operand). */
static unsigned size_bytes(char s, bool o32)
{
    switch (s) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'q': return 8;
    case 't': return 10;
    case 'v': case 'z': return o32 ? 4 : 2;
    case 'p': return o32 ? 6 : 4;
    case 'a': return o32 ? 8 : 4;
    default: return 0;
    }
}

static const char *ptr_name(unsigned bytes)
{
    switch (bytes) {
    case 1: return "BYTE";
    case 2: return "WORD";
    case 4: return "DWORD";
    case 6: return "FWORD";
    case 8: return "QWORD";
    case 10: return "TBYTE";
    default: return NULL;
    }
}

/* Operands whose printed form changes with the operand size. */
static bool size_dependent(const operand_t *op)
{
    switch (op->kind) {
    case K_EAX: case K_SI: case K_A: return true;
    case K_J: return op->size == 'z';
    default: return op->size == 'v' || op->size == 'z' || op->size == 'p' || op->size == 'a' ||
                    op->size == 's';
    }
}

/* ---------------------------------------------------------------- analysis */

/* The facts about one instruction that decide what gets printed. */
typedef struct view {
    const insn_t *i;
    const opdef_t *d;
    operand_t ops[MAX_OPERANDS];
    int nops;
    bool code32, o32, a32, mem;
    bool uses_opsize, uses_addrsize, uses_seg;
    bool suffix;      /* objdump names the operand size in the mnemonic */
    bool has_sreg;    /* an S operand: its partner register takes the operand size */
    bool pause, xchg; /* the NOP special cases */
    uint32_t eip;
} view_t;

/* Mnemonics objdump suffixes with w/d when nothing else shows the size. */
static bool suffix_mnemonic(const char *m, size_t len)
{
    static const char *const names[] = {"call", "jmp", "ret", "retf", "push", "pop", "iret", "pusha",
                                        "popa", "pushf", "popf", "enter", "leave",
                                        "fldenv", "fnstenv", "frstor", "fnsave", NULL};
    for (int k = 0; names[k]; k++)
        if (strlen(names[k]) == len && !strncmp(m, names[k], len))
            return true;
    return false;
}

static size_t base_mnemonic_len(const char *m)
{
    const char *slash = strchr(m, '/');
    return slash ? (size_t)(slash - m) : strlen(m);
}

static void analyse(view_t *v)
{
    const opdef_t *d = v->d;
    const insn_t *i = v->i;
    v->o32 = (i->pfx & PFX_O32) != 0;
    v->a32 = (i->pfx & PFX_A32) != 0;
    v->mem = (i->pfx & PFX_MEM) != 0;
    v->nops = parse_operands(d->args, v->mem, v->ops);
    bool slash = strchr(d->mnem, '/') != NULL;
    v->uses_opsize = slash && !(d->flags & OPF_ASIZE_MNEM);
    v->uses_addrsize = slash && (d->flags & OPF_ASIZE_MNEM);
    bool suffix_ok = suffix_mnemonic(d->mnem, base_mnemonic_len(d->mnem));
    for (int k = 0; k < v->nops; k++) {
        const operand_t *op = &v->ops[k];
        if (size_dependent(op))
            v->uses_opsize = true;
        if (((op->kind == K_E || op->kind == K_M) && v->mem) || op->kind == K_X || op->kind == K_Y)
            v->uses_addrsize = true;
        if (((op->kind == K_E || op->kind == K_M) && v->mem) || op->kind == K_X || op->kind == K_O)
            v->uses_seg = true;
        if (op->kind == K_S)
            v->has_sreg = true;
        /* Only immediates, near targets and segment registers leave the
         * size unseen. */
        bool unseen = op->kind == K_I || op->kind == K_SI || (op->kind == K_J && op->size == 'z') ||
                      op->kind == K_S || (op->kind == K_M && !op->size) || /* x87 env/state images */
                      (op->kind == K_FIXED && strlen(op->text) == 2 && op->text[1] == 'S');
        if (!unseen)
            suffix_ok = false;
    }
    if (suffix_ok) {
        v->suffix = true;
        v->uses_opsize = true;
    }
    /* A segment register's partner shows the operand size in a register
     * form; in memory it is always a word. */
    if (v->has_sreg)
        v->uses_opsize = !v->mem;
    if (i->op == 0x90 && !strcmp(d->mnem, "nop")) {
        v->pause = (i->pfx & PFX_REP) != 0;
        v->xchg = !v->pause && v->o32 != v->code32;
        v->uses_opsize = v->xchg;
    }
}

/* ---------------------------------------------------------------- prefixes */

static bool is_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0x66 ||
           b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

static bool is_seg_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}

static const char *seg_prefix_name(uint8_t b)
{
    return b >= 0x64 ? sreg[b - 0x64 + SEG_FS] : sreg[(b >> 3) & 3];
}

/* objdump names the 67 prefix of a 16-bit instruction whose memory operand
 * is a bare 32-bit offset, although that prefix sized it. */
static bool absolute_disp32_in_16bit(const view_t *v)
{
    return !v->code32 && v->a32 && v->mem && (v->i->modrm & 0xC7) == 0x05;
}

/* Prints the prefixes the instruction did not use, each by its name, in the
 * order given; the last 66, 67 and segment prefix count as used when the
 * instruction depends on them. */
static void put_prefixes(out_t *o, const view_t *v, const uint8_t *pfx, int n)
{
    int last66 = -1, last67 = -1, last_seg = -1, last_rep = -1;
    for (int k = 0; k < n; k++) {
        if (pfx[k] == 0x66)
            last66 = k;
        else if (pfx[k] == 0x67)
            last67 = k;
        else if (is_seg_prefix(pfx[k]))
            last_seg = k;
        else if (pfx[k] == 0xF2 || pfx[k] == 0xF3)
            last_rep = k;
    }
    const char *m = v->d->mnem;
    bool compares = !strncmp(m, "cmps", 4) || !strncmp(m, "scas", 4);
    for (int k = 0; k < n; k++) {
        uint8_t b = pfx[k];
        const char *name = NULL;
        if (b == 0x66 && !(k == last66 && v->uses_opsize))
            name = v->code32 ? "data16" : "data32";
        else if (b == 0x67 && (!(k == last67 && v->uses_addrsize) || absolute_disp32_in_16bit(v)))
            name = v->code32 ? "addr16" : "addr32";
        else if (is_seg_prefix(b) && !(k == last_seg && v->uses_seg))
            name = seg_prefix_name(b);
        else if (b == 0xF0)
            name = "lock";
        else if (b == 0xF3 && v->pause)
            name = NULL;
        else if (b == 0xF3)
            name = (v->d->flags & OPF_PREFIX_REP) && k == last_rep && !compares ? "rep" : "repz";
        else if (b == 0xF2)
            name = "repnz";
        if (name)
            put(o, "%s ", name);
    }
}

/* The prefixes an insn_t records, in a canonical order, for disasm_insn. */
static int implied_prefixes(const insn_t *i, bool code32, uint8_t *pfx)
{
    int n = 0;
    if (i->seg_override != 0xFF) {
        static const uint8_t seg_byte[6] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
        pfx[n++] = seg_byte[i->seg_override];
    }
    if (((i->pfx & PFX_O32) != 0) != code32)
        pfx[n++] = 0x66;
    if (((i->pfx & PFX_A32) != 0) != code32)
        pfx[n++] = 0x67;
    if (i->pfx & PFX_LOCK)
        pfx[n++] = 0xF0;
    if (i->pfx & PFX_REP)
        pfx[n++] = 0xF3;
    if (i->pfx & PFX_REPNE)
        pfx[n++] = 0xF2;
    return n;
}

/* ---------------------------------------------------------------- mnemonic */

static void put_mnemonic(out_t *o, const view_t *v)
{
    const opdef_t *d = v->d;
    if (v->pause) {
        put(o, "pause");
        return;
    }
    if (v->xchg) {
        put(o, "xchg");
        return;
    }
    const char *m = d->mnem;
    const char *slash = strchr(m, '/');
    size_t len = slash ? (size_t)(slash - m) : strlen(m);
    if (slash && !v->suffix) {
        bool second = (d->flags & OPF_ASIZE_MNEM) ? v->a32 : v->o32;
        if (second) {
            m = slash + 1;
            len = strlen(m);
        }
    }
    for (size_t k = 0; k < len; k++) {
        if (m[k] == '%' && !strncmp(m + k, "%cc", 3)) {
            put(o, "%s", cond[v->i->op & 15]);
            k += 2;
        } else {
            put(o, "%c", m[k]);
        }
    }
    if (v->suffix && v->o32 != v->code32)
        put(o, "%c", v->o32 ? 'd' : 'w');
    for (int k = 0; k < v->nops; k++)
        if (v->ops[k].size == 's' && v->mem) /* lgdt/sgdt: the size shows as a suffix */
            put(o, "%c", v->o32 ? 'd' : 'w');
}

/* ---------------------------------------------------------------- operands */

static void put_hex(out_t *o, uint32_t v) { put(o, "0x%x", v); }

static void put_signed_disp(out_t *o, int32_t d)
{
    if (d < 0)
        put(o, "-0x%x", (uint32_t)0 - (uint32_t)d);
    else
        put(o, "+0x%x", (uint32_t)d);
}

/* The segment an operand shows: the override when one is used. */
static bool override_shown(const view_t *v)
{
    return v->uses_seg && v->i->seg_override != 0xFF;
}

/* A ModRM memory operand: [base+index*scale+disp] or seg:offset. */
static void put_modrm_mem(out_t *o, const view_t *v, unsigned bytes)
{
    const insn_t *i = v->i;
    const char *ptr = ptr_name(bytes);
    if (ptr)
        put(o, "%s PTR ", ptr);
    if (override_shown(v))
        put(o, "%s:", sreg[i->seg_override]);
    unsigned mod = i->modrm >> 6, rm = i->modrm & 7;
    if (!v->a32) {
        static const char *const base16[8] = {"bx+si", "bx+di", "bp+si", "bp+di", "si", "di", "bp", "bx"};
        if (mod == 0 && rm == 6) {
            put(o, "%s0x%x", override_shown(v) ? "" : "ds:", i->disp & 0xFFFF);
            return;
        }
        put(o, "[%s", base16[rm]);
        if (mod)
            put_signed_disp(o, (int16_t)i->disp);
        put(o, "]");
        return;
    }
    bool sib = rm == 4;
    bool base = i->base != R_NONE;
    if (!sib && !base) { /* disp32 alone */
        put(o, "%s0x%x", override_shown(v) ? "" : "ds:", i->disp);
        return;
    }
    put(o, "[");
    if (base)
        put(o, "%s", reg32[i->base]);
    if (sib) {
        const char *index = i->index != R_NONE ? reg32[i->index] : NULL;
        /* objdump names a SIB index field of 4 "eiz" unless it is the plain
         * [esp] form. */
        if (!index && !(i->base == R_ESP && i->scale == 0))
            index = "eiz";
        if (index)
            put(o, "%s%s*%u", base ? "+" : "", index, 1u << i->scale);
    }
    if (mod == 1)
        put_signed_disp(o, (int8_t)i->disp);
    else if (mod == 2 || !base)
        put_signed_disp(o, (int32_t)i->disp);
    put(o, "]");
}

/* DS:eSI or ES:eDI of a string instruction (DS:eBX for XLAT). */
static void put_string_mem(out_t *o, const view_t *v, unsigned bytes, bool source)
{
    const char *ptr = ptr_name(bytes);
    if (ptr)
        put(o, "%s PTR ", ptr);
    int seg = source ? (override_shown(v) ? v->i->seg_override : SEG_DS) : SEG_ES;
    const char *reg = !source ? "di" : v->i->op == 0xD7 ? "bx" : "si";
    put(o, "%s:[%s%s]", sreg[seg], v->a32 ? "e" : "", reg);
}

static void put_operand(out_t *o, const view_t *v, const operand_t *op, int *nimm)
{
    const insn_t *i = v->i;
    unsigned osize = v->o32 ? 4 : 2;
    uint32_t omask = v->o32 ? 0xFFFFFFFFu : 0xFFFFu;
    unsigned bytes = size_bytes(op->size, v->o32);
    switch (op->kind) {
    case K_FIXED:
        if (!strcmp(op->text, "ST")) {
            put(o, "st");
        } else {
            for (const char *c = op->text; *c; c++)
                put(o, "%c", *c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
        }
        return;
    case K_EAX:
        put(o, "%s", gpr_name(R_EAX, osize));
        return;
    case K_E:
    case K_M:
    case K_R:
        if (v->mem && op->kind != K_R) {
            if (v->has_sreg) /* MOV to/from a segment register moves a word */
                bytes = 2;
            put_modrm_mem(o, v, op->size == 's' ? 0 : bytes);
        } else {
            put(o, "%s", gpr_name(i->rm, v->has_sreg ? osize : (bytes ? bytes : 4)));
        }
        return;
    case K_G:
        put(o, "%s", gpr_name(i->reg, bytes ? bytes : 4));
        return;
    case K_Z:
        put(o, "%s", gpr_name(i->reg, bytes ? bytes : osize));
        return;
    case K_S:
        put(o, "%s", sreg[i->reg & 7]);
        return;
    case K_C:
    case K_D:
    case K_T: /* control, debug, test register */
        put(o, "%cr%u", op->kind == K_C ? 'c' : op->kind == K_D ? 'd' : 't', i->reg & 7u);
        return;
    case K_STI:
        put(o, "st(%u)", i->rm & 7u);
        return;
    case K_I:
    case K_SI: {
        uint32_t val = (*nimm)++ == 0 ? i->imm : i->imm2;
        if (op->kind == K_SI)
            put_hex(o, val & omask);
        else
            put_hex(o, bytes == 1 ? val & 0xFF : bytes == 2 ? val & 0xFFFF : val & omask);
        return;
    }
    case K_J:
        put_hex(o, (v->eip + i->len + i->imm) & omask);
        return;
    case K_A:
        put(o, "0x%x:0x%x", i->imm2, i->imm & omask);
        return;
    case K_O:
        put(o, "%s:0x%x", override_shown(v) ? sreg[i->seg_override] : "ds", i->disp);
        return;
    case K_X:
    case K_Y:
        put_string_mem(o, v, bytes, op->kind == K_X);
        return;
    case K_UNKNOWN:
        break;
    }
    put(o, "?");
}

/* ---------------------------------------------------------------- entry points */

static int format(const insn_t *i, const uint8_t *pfx, int npfx, bool code32, uint32_t eip, char *buf,
                  int size)
{
    out_t o = {buf, size, 0};
    if (size <= 0)
        return i->len;
    buf[0] = '\0';
    const opdef_t *d = opdef_find(i);
    if (!d) {
        put(&o, "(bad)");
        return i->len ? i->len : 1;
    }
    view_t v = {.i = i, .d = d, .code32 = code32, .eip = eip};
    analyse(&v);
    char head[64];
    out_t h = {head, sizeof head, 0};
    head[0] = '\0';
    put_prefixes(&h, &v, pfx, npfx);
    put_mnemonic(&h, &v);
    if (v.xchg) { /* 66 90: the one-byte XCHG eAX,eAX that NOP is */
        const char *ax = gpr_name(R_EAX, v.o32 ? 4 : 2);
        put(&o, "%-6s %s,%s", head, ax, ax);
        return i->len;
    }
    if (v.nops == 0 || v.pause) {
        put(&o, "%s", head);
        return i->len;
    }
    put(&o, "%-6s ", head);
    int nimm = 0;
    for (int k = 0; k < v.nops; k++) {
        if (k)
            put(&o, ",");
        put_operand(&o, &v, &v.ops[k], &nimm);
    }
    return i->len;
}

int disasm_insn(const insn_t *i, bool code32, uint32_t eip, char *buf, int size)
{
    uint8_t pfx[8];
    int n = implied_prefixes(i, code32, pfx);
    return format(i, pfx, n, code32, eip, buf, size);
}

/* objdump shows WAIT (9B, repeated or not) followed by an x87 instruction
 * as one instruction: a no-wait control instruction takes its waiting name
 * (9B DB E3 is "finit"), any other is shown as itself.  Returns the length
 * of the whole, or 0 when the bytes after the WAITs are no x87 opcode. */
static int fwait_merged(const uint8_t *bytes, int avail, bool code32, uint32_t eip, char *buf, int size)
{
    static const char *const nowait[] = {"fninit", "fnclex", "fnstsw", "fnstcw", "fnstenv", "fnsave",
                                         "fneni", "fndisi", "fnsetpm", NULL};
    int k = 0;
    while (k < avail && bytes[k] == 0x9B)
        k++;
    int op = k;
    while (op < avail && is_prefix(bytes[op]))
        op++;
    if (op >= avail || bytes[op] < 0xD8 || bytes[op] > 0xDF)
        return 0;
    int len = disasm_bytes(bytes + k, avail - k, code32, eip + (uint32_t)k, buf, size);
    for (int n = 0; nowait[n] && size > 0; n++) {
        char *m = strstr(buf, nowait[n]);
        if (m && (m == buf || m[-1] == ' ')) {
            memmove(m + 1, m + 2, strlen(m + 2) + 1); /* fnstsw -> fstsw */
            size_t mlen = strlen(nowait[n]) - 1;
            if (m[mlen] == ' ' && mlen < 6 && strlen(buf) + 2 <= (size_t)size) /* keep the padding to 6 */
                memmove(m + mlen + 1, m + mlen, strlen(m + mlen) + 1);
            break;
        }
    }
    return k + len;
}

int disasm_bytes(const uint8_t *bytes, int avail, bool code32, uint32_t eip, char *buf, int size)
{
    opcodes_init();
    insn_t i;
    int len = avail > 0 ? decode_insn(bytes, avail, code32, &i) : 0;
    if (len == 0) { /* the bytes end inside the instruction */
        if (size > 0)
            snprintf(buf, (size_t)size, "(bad)");
        return avail > 0 ? avail : 0;
    }
    if (len == 1 && bytes[0] == 0x9B) {
        int merged = fwait_merged(bytes, avail, code32, eip, buf, size);
        if (merged)
            return merged;
    }
    int npfx = 0;
    while (npfx < len && is_prefix(bytes[npfx]))
        npfx++;
    return format(&i, bytes, npfx, code32, eip, buf, size);
}

int cpu_disasm_at(cpu_t *cpu, uint32_t linear, bool code32, char *buf, int bufsize, uint8_t *bytes_out)
{
    /* Read what is there as the supervisor would see it, without faults,
     * TLB fills, A/D updates or device reads. */
    uint8_t bytes[15];
    int n = 0;
    while (n < 15) {
        uint32_t phys;
        if (!mmu_probe(&cpu->mmu, linear + (uint32_t)n, false, ACCESS_READ, &phys) ||
            !physmem_peek(cpu->mmu.pm, phys, &bytes[n], 1))
            break;
        n++;
    }
    if (n == 0) {
        if (bufsize > 0)
            snprintf(buf, (size_t)bufsize, "(bad)");
        return 0;
    }
    int len = disasm_bytes(bytes, n, code32, linear - cpu->seg[SEG_CS].base, buf, bufsize);
    if (bytes_out)
        memcpy(bytes_out, bytes, (size_t)len);
    return len;
}
