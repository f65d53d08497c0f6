/* The disassembler against GNU objdump (`objdump -D -b binary -mi386
 * -Mintel`, with addr16,data16 for 16-bit code), the reference for what
 * Intel syntax looks like.  Two corpora:
 *  - generated from the opcode tables as they are when the test runs: every
 *    entry, every opcode of its span, register and memory ModRM forms (all
 *    16-bit forms, 32-bit forms with SIB scales, indexes, bases and the
 *    no-base and eiz cases, disp8/16/32), immediates with and without the
 *    sign bit, and the prefixes 66, 67, segment overrides, F2/F3 and LOCK.
 *    An instruction a helper adds to a table is covered from then on.
 *  - NASM-assembled sources (tests/disasm/) and the guest test ROMs,
 *    swept at objdump's instruction boundaries; instructions the tables do
 *    not have yet decode as "(bad)" here and are counted, not compared.
 * Both disassemblies must agree exactly except for the deliberate
 * differences below (README.md lists them too):
 *  1. A relative target with a 16-bit operand size (16-bit code, or 66 in
 *     32-bit code) is truncated to 16 bits as the CPU truncates EIP; objdump
 *     prints the untruncated sum when it carries past 0xFFFF.
 *  2. Where the tables have no entry we print "(bad)" and take the decoder's
 *     length; objdump often takes one byte for "(bad)".
 *  3. Prefixes that later CPUs gave a meaning keep their P6 names: objdump's
 *     "bnd" (MPX, F2 on branches) and "xacquire" (HLE, F2 on locked
 *     instructions) are "repnz" here, "xrelease" (F3) is "repz", "notrack"
 *     (CET, 3E on indirect branches) is "ds".
 *  4. A 66, F2 or F3 prefix on a 0F opcode is ignored as on a P6; objdump
 *     reads it as part of a later CPU's opcode ("(bad)", "wbnoinvd", and
 *     F3 0F BC/BD as "tzcnt"/"lzcnt" where a P6 runs REP BSF/BSR); and
 *     0F 1A/1B, reserved NOPs on a P6, are MPX's "bnd..." to objdump.
 *  5. LOCK MOV CRn is shown as written (a P6 raises #UD); objdump shows
 *     AMD's alias CR8+n ("mov ebx,cr8" for LOCK MOV EBX,CR0).
 *  6. D6 is SALC, which every Intel processor executes (cpu/misc.c);
 *     objdump calls it "(bad)".
 * Encodings with two F2/F3 prefixes are left out: objdump's naming of the
 * second one depends on the order in ways no guest code relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>

#include "cpu/exec.h"

#define SLOT 32 /* bytes per generated instruction, the rest 0x90 */

/* ---------------------------------------------------------------- corpus */

typedef struct corpus {
    uint8_t *bytes; /* n slots of SLOT bytes */
    int n, cap;
    bool code32;
    int entries;    /* table entries that produced encodings */
    int unassigned; /* opcodes without an entry, encoded to check "(bad)" */
    int first_unassigned; /* the slot where their encodings start */
} corpus_t;

static void emit(corpus_t *c, const uint8_t *b, int len)
{
    if (len > 15)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->bytes = realloc(c->bytes, (size_t)c->cap * SLOT);
        assert_non_null(c->bytes);
    }
    uint8_t *s = c->bytes + (size_t)c->n++ * SLOT;
    memset(s, 0x90, SLOT);
    memcpy(s, b, (size_t)len);
}

/* The immediates an operand string asks for, in stream order. */
typedef struct imms {
    char kind[2];   /* 'I' immediate, 'J' relative, 'A' far pointer, 'O' moffs */
    char size[2];   /* size letter */
    int n;
} imms_t;

static imms_t imm_list(const char *args, bool *z_reg)
{
    imms_t r = {0};
    *z_reg = false;
    for (const char *a = args; *a;) {
        const char *end = strchr(a, ',');
        int len = end ? (int)(end - a) : (int)strlen(a);
        char k = 0, s = 0;
        if (len >= 2 && a[0] == 's' && a[1] == 'I')
            k = 'I', s = 's';
        else if (len == 2 && strchr("IJAO", a[0]) && a[1] >= 'a' && a[1] <= 'z')
            k = a[0], s = a[1];
        else if (len == 2 && a[0] == 'Z')
            *z_reg = true;
        if (k && r.n < 2) {
            r.kind[r.n] = k;
            r.size[r.n++] = s;
        }
        a = end ? end + 1 : a + len;
    }
    return r;
}

/* Appends the bytes of the immediates; `variant` picks the values. */
static int put_imms(uint8_t *p, const imms_t *im, bool o32, bool a32, int variant)
{
    static const uint32_t values[4] = {0x12345678u, 0xFFFFFFF0u, 0x00000080u, 0x0000007Fu};
    int n = 0;
    for (int k = 0; k < im->n; k++) {
        uint32_t v = values[(variant + k) & 3];
        int bytes;
        switch (im->kind[k]) {
        case 'A': bytes = o32 ? 6 : 4; break;
        case 'O': bytes = a32 ? 4 : 2; break;
        default:
            switch (im->size[k]) {
            case 'b': case 's': bytes = 1; break;
            case 'w': bytes = 2; break;
            default: bytes = o32 ? 4 : 2; break;
            }
        }
        for (int b = 0; b < bytes; b++)
            p[n++] = (uint8_t)(v >> (8 * (b & 3)));
    }
    return n;
}

/* One ModRM form: the ModRM byte and what follows it (SIB, displacement). */
typedef struct form {
    uint8_t b[6];
    int len;
} form_t;

static uint8_t modrm(int mod, int reg, int rm) { return (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7)); }

static int disp_bytes(uint8_t *p, int size, int variant)
{
    static const uint32_t d32[2] = {0x12345678u, 0xFFFFFFF0u};
    static const uint16_t d16[2] = {0x1234u, 0xFFF0u};
    static const uint8_t d8[2] = {0x10u, 0xF0u};
    uint32_t v = size == 4 ? d32[variant & 1] : size == 2 ? d16[variant & 1] : d8[variant & 1];
    for (int k = 0; k < size; k++)
        p[k] = (uint8_t)(v >> (8 * k));
    return size;
}

/* Memory forms for address size a32.  `full` adds every SIB byte. */
static int memory_forms(form_t *f, int reg, bool a32, bool full)
{
    int n = 0;
    for (int mod = 0; mod < 3; mod++)
        for (int rm = 0; rm < 8; rm++) {
            if (a32 && rm == 4)
                continue; /* SIB forms below */
            form_t *x = &f[n++];
            x->b[0] = modrm(mod, reg, rm);
            x->len = 1;
            int dsize = mod == 1 ? 1 : mod == 2 ? (a32 ? 4 : 2) : 0;
            if (mod == 0 && rm == (a32 ? 5 : 6))
                dsize = a32 ? 4 : 2;
            x->len += disp_bytes(x->b + 1, dsize, rm + mod);
        }
    if (!a32)
        return n;
    for (int sib = 0; sib < 256; sib++) {
        /* A spread of SIB bytes, or all of them. */
        if (!full && (sib * 37 + reg * 11) % 23 != 0 && sib != 0x24 && sib != 0x25 && sib != 0x20 &&
            sib != 0xE5 && sib != 0x64 && sib != 0x9D)
            continue;
        for (int mod = 0; mod < 3; mod++) {
            form_t *x = &f[n++];
            x->b[0] = modrm(mod, reg, 4);
            x->b[1] = (uint8_t)sib;
            x->len = 2;
            int dsize = mod == 1 ? 1 : mod == 2 ? 4 : ((sib & 7) == 5 ? 4 : 0);
            x->len += disp_bytes(x->b + 2, dsize, sib + mod);
        }
    }
    return n;
}

typedef struct gen {
    corpus_t *c;
    bool full_sib_done;
} gen_t;

static bool has_operand(const char *args, char letter)
{
    for (const char *a = args; *a; a++)
        if (*a == letter && (a == args || a[-1] == ','))
            return true;
    return false;
}

/* Every encoding of one table entry, in one mode. */
static void gen_entry(const opdef_t *d, void *opaque)
{
    gen_t *g = opaque;
    corpus_t *c = g->c;
    bool z_reg;
    imms_t im = imm_list(d->args ? d->args : "", &z_reg);
    int span = d->span ? d->span : z_reg ? 8 : 1;
    c->entries++;
    for (int op = d->op; op < d->op + span; op++) {
        uint8_t opc[2];
        int oplen = 0;
        if (op >= 0x100)
            opc[oplen++] = 0x0F;
        opc[oplen++] = (uint8_t)op;
        bool has_modrm = opcode_has_modrm((unsigned)op);
        bool lockable = (d->flags & OPF_LOCKABLE) != 0;
        bool rep = (d->flags & OPF_PREFIX_REP) != 0;
        bool sreg = has_operand(d->args, 'S');
        /* Prefix sets: none, 66, 67, each segment, lock, rep, repne, and
         * pairs. Duplicates of F2/F3 are not generated (see the top). */
        static const uint8_t sets[][3] = {{0}, {0x66}, {0x67}, {0x66, 0x67}, {0xF0}, {0xF3}, {0xF2},
                                          {0x26}, {0x2E}, {0x36}, {0x3E}, {0x64}, {0x65},
                                          {0x66, 0x66}, {0x2E, 0x26}, {0xF0, 0x66}, {0x67, 0x66}};
        static const int set_len[] = {0, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2};
        for (unsigned s = 0; s < sizeof set_len / sizeof set_len[0]; s++) {
            const uint8_t *pfx = sets[s];
            int npfx = set_len[s];
            bool o32 = c->code32, a32 = c->code32;
            for (int k = 0; k < npfx; k++) {
                o32 ^= pfx[k] == 0x66;
                a32 ^= pfx[k] == 0x67;
            }
            bool minor = s >= 4; /* few forms with the rarer prefixes */
            if ((pfx[0] == 0xF0 && !lockable && op != d->op) || ((pfx[0] == 0xF3 || pfx[0] == 0xF2) && !rep && op != d->op))
                continue;
            uint8_t b[24];
            int n = 0;
            memcpy(b, pfx, (size_t)npfx);
            n += npfx;
            memcpy(b + n, opc, (size_t)oplen);
            n += oplen;
            if (!has_modrm) {
                for (int v = 0; v < (im.n ? 2 : 1); v++)
                    emit(c, b, n + put_imms(b + n, &im, o32, a32, v));
                continue;
            }
            form_t forms[1024];
            int nf = 0;
            if (d->mod != OPMOD_MEM)
                for (int rm = 0; rm < 8; rm++) {
                    if (d->rm >= 0 && rm != d->rm)
                        continue;
                    if (minor && rm != 3)
                        continue;
                    int reg = d->reg >= 0 ? d->reg : sreg ? rm : (rm * 5 + 1) & 7;
                    forms[nf].b[0] = modrm(3, reg, rm);
                    forms[nf++].len = 1;
                }
            if (d->mod != OPMOD_REG) {
                int reg = d->reg >= 0 ? d->reg : (op & 7) ^ 2;
                bool full = !g->full_sib_done && !minor && s == 0 && a32;
                form_t mem[1024];
                int nm = memory_forms(mem, reg, a32, full);
                if (full)
                    g->full_sib_done = true;
                for (int k = 0; k < nm; k++)
                    if (!minor || k % 17 == 3)
                        forms[nf++] = mem[k];
            }
            for (int k = 0; k < nf; k++) {
                int len = n;
                memcpy(b + len, forms[k].b, (size_t)forms[k].len);
                len += forms[k].len;
                len += put_imms(b + len, &im, o32, a32, k);
                emit(c, b, len);
            }
        }
    }
}

/* Every opcode the tables do not have, with a register and a memory ModRM
 * byte: "(bad)" here; where objdump knows the instruction it is counted as
 * not in the tables, where it does not the two must agree. */
static void gen_unassigned(corpus_t *c)
{
    for (unsigned op = 0; op < 0x200; op++) {
        if (op == 0x0F || op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E || op == 0x64 ||
            op == 0x65 || op == 0x66 || op == 0x67 || op == 0xF0 || op == 0xF2 || op == 0xF3)
            continue; /* prefixes and the escape byte */
        bool any = false;
        for (int m = 0; m < 256; m += 0x41) { /* ModRM 00, 41, 82, C3 */
            uint8_t b[8] = {0};
            int n = 0;
            if (op >= 0x100)
                b[n++] = 0x0F;
            b[n++] = (uint8_t)op;
            b[n] = (uint8_t)m;
            insn_t i;
            int len = decode_insn(b, 8, c->code32, &i);
            if (len && opdef_find(&i))
                continue;
            emit(c, b, n + 1);
            any = true;
        }
        c->unassigned += any;
    }
}

/* ---------------------------------------------------------------- objdump */

typedef struct line {
    uint32_t addr;
    int len;
    char text[128];
} line_t;

typedef struct listing {
    line_t *lines;
    int n;
} listing_t;

static bool objdump_available(void)
{
    return system("objdump --version >/dev/null 2>&1") == 0;
}

/* Runs objdump over `bytes` and collects its instructions. */
static listing_t objdump(const uint8_t *bytes, size_t size, bool code32)
{
    char path[] = "/tmp/x86sim-disasm-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, size), (ssize_t)size);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "objdump -D -b binary -mi386 -M intel%s --insn-width=16 %s",
             code32 ? "" : ",addr16,data16", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    listing_t l = {calloc(size + 1, sizeof(line_t)), 0};
    char buf[512];
    while (fgets(buf, sizeof buf, p)) {
        unsigned addr;
        int pos = -1;
        if (sscanf(buf, " %x:%n", &addr, &pos) != 1 || pos < 0 || buf[pos] != '\t')
            continue;
        char *hex = buf + pos + 1;
        char *tab = strchr(hex, '\t');
        if (!tab)
            continue;
        int len = 0; /* hex byte pairs separated by spaces */
        for (char *h = hex; h + 1 < tab; h++)
            if (h[0] != ' ' && h[1] != ' ' && (h == hex || h[-1] == ' '))
                len++;
        char *text = tab + 1;
        size_t tl = strcspn(text, "\n");
        while (tl && text[tl - 1] == ' ')
            tl--;
        line_t *ln = &l.lines[l.n++];
        ln->addr = addr;
        ln->len = len;
        snprintf(ln->text, sizeof ln->text, "%.*s", (int)tl, text);
    }
    pclose(p);
    unlink(path);
    return l;
}

/* ---------------------------------------------------------------- comparison */

typedef struct tally {
    int compared, agree, both_bad, not_in_tables, mismatches;
    int deliberate[7]; /* by the numbers at the top */
} tally_t;

static bool is_prefix_byte(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 || b == 0x66 ||
           b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

/* Differences 1, 3-6; difference 2 is counted among the "(bad)" pairs. */
static int deliberate_total(const tally_t *t)
{
    return t->deliberate[1] + t->deliberate[3] + t->deliberate[4] + t->deliberate[5] +
           t->deliberate[6];
}

/* The opcode (0x100 | second byte for 0F xx) after the prefixes, and
 * whether a prefix byte p was among them. */
static unsigned opcode_after_prefixes(const uint8_t *b, uint8_t p, bool *has)
{
    int k = 0;
    *has = false;
    for (; k < 14 && is_prefix_byte(b[k]); k++)
        *has |= b[k] == p;
    return b[k] == 0x0F ? 0x100u | b[k + 1] : b[k];
}

/* Deliberate differences 4, 5 and 6: later CPUs' readings of P6 encodings,
 * and objdump's of SALC. */
static int later_cpu_reading(const uint8_t *b, const char *theirs)
{
    bool p66, pf2, pf3, lock;
    unsigned op = opcode_after_prefixes(b, 0x66, &p66);
    opcode_after_prefixes(b, 0xF2, &pf2);
    opcode_after_prefixes(b, 0xF3, &pf3);
    opcode_after_prefixes(b, 0xF0, &lock);
    if (op >= 0x100 && (p66 || pf2 || pf3) &&
        (strstr(theirs, "(bad)") || strstr(theirs, "wbnoinvd") || strstr(theirs, "tzcnt") ||
         strstr(theirs, "lzcnt")))
        return 4;
    if ((op == 0x11A || op == 0x11B) && strstr(theirs, "bnd"))
        return 4;
    if (op == 0xD6 && strstr(theirs, "(bad)"))
        return 6;
    const char *cr = strstr(theirs, "cr");
    if ((op == 0x120 || op == 0x122) && lock && cr && atoi(cr + 2) >= 8) /* CR8 + reg */
        return 5;
    return 0;
}

/* Replaces every `from` in s (in place, size 160) by `to`; true if any. */
static bool replace_all(char *s, const char *from, const char *to)
{
    bool changed = false;
    char *at = s;
    while ((at = strstr(at, from))) {
        char rest[160];
        snprintf(rest, sizeof rest, "%s", at + strlen(from));
        snprintf(at, 160 - (size_t)(at - s), "%s%s", to, rest);
        at += strlen(to);
        changed = true;
    }
    return changed;
}

/* Runs of spaces collapsed: the mnemonic column moves with a prefix. */
static void squeeze(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++)
        if (!(*r == ' ' && w > s && w[-1] == ' '))
            *w++ = *r;
    *w = '\0';
}

/* Deliberate difference 3: objdump's text with the P6 names of prefixes.
 * A "notrack" on a memory operand is our explicit DS override. */
static bool legacy_prefix_names(const char *ours, const char *theirs)
{
    char a[160], t[160];
    snprintf(a, sizeof a, "%s", ours);
    snprintf(t, sizeof t, "%s", theirs);
    bool changed = replace_all(t, "bnd ", "repnz ");
    changed |= replace_all(t, "xacquire ", "repnz ");
    changed |= replace_all(t, "xrelease ", "repz ");
    if (strstr(t, "notrack ") && strstr(a, "ds:[")) {
        changed |= replace_all(t, "notrack ", "");
        replace_all(a, "ds:[", "[");
    } else {
        changed |= replace_all(t, "notrack ", "ds ");
    }
    squeeze(a);
    squeeze(t);
    return changed && !strcmp(a, t);
}

/* Deliberate difference 1: ours is objdump's target truncated to 16 bits. */
static bool truncated_target(const char *ours, const char *theirs, const uint8_t *b, bool code32)
{
    bool o16 = !code32;
    for (int k = 0; k < 15 && is_prefix_byte(b[k]); k++)
        o16 ^= b[k] == 0x66;
    const char *a = strrchr(ours, ' '), *t = strrchr(theirs, ' ');
    if (!o16 || !a || !t || (a - ours) != (t - theirs) || strncmp(ours, theirs, (size_t)(a - ours)))
        return false;
    unsigned long x = strtoul(a + 1, NULL, 16), y = strtoul(t + 1, NULL, 16);
    return x == (y & 0xFFFF) && x != y;
}

/* `known`: the bytes encode a table entry, so "(bad)" here is a failure. */
static void compare_one(tally_t *t, const uint8_t *b, int avail, bool code32, const line_t *ln, bool known)
{
    char ours[160];
    int len = disasm_bytes(b, avail, code32, ln->addr, ours, sizeof ours);
    if (!known && !strcmp(ours, "(bad)") && strcmp(ln->text, "(bad)")) {
        t->not_in_tables++;
        return;
    }
    if (!strcmp(ours, "(bad)") && !strcmp(ln->text, "(bad)")) {
        t->both_bad++;
        if (len != ln->len)
            t->deliberate[2]++;
        return;
    }
    t->compared++;
    if (!strcmp(ours, ln->text) && len == ln->len) {
        t->agree++;
        return;
    }
    if (len == ln->len && truncated_target(ours, ln->text, b, code32)) {
        t->deliberate[1]++;
        return;
    }
    if (len == ln->len && legacy_prefix_names(ours, ln->text)) {
        t->deliberate[3]++;
        return;
    }
    int later = later_cpu_reading(b, ln->text);
    if (later) {
        t->deliberate[later]++;
        return;
    }
    if (t->mismatches++ < 40) {
        printf("  MISMATCH %s-bit at %#x:", code32 ? "32" : "16", ln->addr);
        for (int k = 0; k < ln->len && k < 15; k++)
            printf(" %02x", b[k]);
        printf("\n    objdump: %s (%d bytes)\n    x86sim:  %s (%d bytes)\n", ln->text, ln->len, ours, len);
    }
}

static void run_generated(bool code32)
{
    if (!objdump_available()) {
        print_message("objdump not found: install binutils (scripts/setup-deps.sh)\n");
        fail();
    }
    corpus_t c = {.code32 = code32};
    gen_t g = {&c, false};
    opcodes_init();
    opdefs_each(gen_entry, &g);
    c.first_unassigned = c.n;
    gen_unassigned(&c);
    tally_t t = {0};
    /* 64 KiB per objdump run: addresses stay what IP can hold in 16-bit
     * code (objdump keeps an offset's high bits in 16-bit targets). */
    const int chunk = 0x10000 / SLOT;
    for (int first = 0; first < c.n; first += chunk) {
        int count = c.n - first < chunk ? c.n - first : chunk;
        listing_t l = objdump(c.bytes + (size_t)first * SLOT, (size_t)count * SLOT, code32);
        int li = 0;
        for (int k = 0; k < count; k++) {
            uint32_t addr = (uint32_t)k * SLOT;
            while (li < l.n && l.lines[li].addr < addr)
                li++;
            if (li == l.n || l.lines[li].addr != addr) {
                printf("  objdump has no instruction at %#x (the previous one ran over)\n", addr);
                t.mismatches++;
                continue;
            }
            compare_one(&t, c.bytes + (size_t)(first + k) * SLOT, SLOT, code32, &l.lines[li],
                        first + k < c.first_unassigned);
        }
        free(l.lines);
    }
    printf("generated %s-bit corpus: %d encodings from %d table entries and %d opcodes without "
           "one; %d compared, %d agree, deliberate differences %d (truncated targets %d, P6 prefix "
           "names %d, later opcode maps %d, LOCK MOV CR %d, SALC %d), both \"(bad)\" %d (lengths differ in %d), %d encodings objdump knows and the "
           "tables lack, %d mismatches\n",
           code32 ? "32" : "16", c.n, c.entries, c.unassigned, t.compared, t.agree,
           deliberate_total(&t), t.deliberate[1], t.deliberate[3], t.deliberate[4],
           t.deliberate[5], t.deliberate[6], t.both_bad, t.deliberate[2],
           t.not_in_tables, t.mismatches);
    free(c.bytes);
    assert_int_equal(t.mismatches, 0);
    assert_true(c.n > 1000);
}

static void generated_32(void **state) { (void)state; run_generated(true); }
static void generated_16(void **state) { (void)state; run_generated(false); }

/* A binary swept at objdump's boundaries. */
static void sweep_file(const char *path, bool code32, tally_t *t)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)size + 16);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    listing_t l = objdump(b, (size_t)size, code32);
    for (int k = 0; k < l.n; k++) {
        const line_t *ln = &l.lines[k];
        compare_one(t, b + ln->addr, (int)(size - ln->addr < 15 ? size - ln->addr : 15), code32, ln, false);
    }
    free(l.lines);
    free(b);
}

/* NASM sources: tests/disasm/NAME16.asm or NAME32.asm, and the guest ROMs
 * (16-bit code at reset). */
static void nasm_sources(void **state)
{
    (void)state;
    if (!objdump_available())
        fail_msg("objdump not found: install binutils (scripts/setup-deps.sh)");
    const char *dirs[] = {DISASM_BIN_DIR "/disasm", DISASM_BIN_DIR "/guest"};
    tally_t t = {0};
    int files = 0;
    for (int d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir))) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".bin"))
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[d], e->d_name);
            bool code32 = n >= 6 && !strncmp(e->d_name + n - 6, "32", 2);
            sweep_file(path, code32, &t);
            files++;
        }
        closedir(dir);
    }
    printf("NASM corpus: %d files; %d instructions compared, %d agree, %d deliberate differences, "
           "%d both \"(bad)\" (lengths differ in %d), %d not in the tables yet (skipped), "
           "%d mismatches\n",
           files, t.compared, t.agree, deliberate_total(&t), t.both_bad, t.deliberate[2],
           t.not_in_tables, t.mismatches);
    assert_true(files >= 2);
    assert_int_equal(t.mismatches, 0);
}

/* disasm_insn (what the tracer holds) says what disasm_bytes says when no
 * prefix was redundant. */
static void insn_path_matches(void **state)
{
    (void)state;
    static const char *const hex[] = {"01d8", "6683c0f0", "8b04a5f0ffffff", "64a178563412", "f00118",
                                      "e9fbffffff", "678b4610", "2e8b00", "666aff", "c3", "66c3"};
    for (unsigned k = 0; k < sizeof hex / sizeof hex[0]; k++) {
        uint8_t b[16];
        int n = 0;
        for (const char *p = hex[k]; p[0] && p[1]; p += 2) {
            unsigned x;
            sscanf(p, "%2x", &x);
            b[n++] = (uint8_t)x;
        }
        char a[128], c[128];
        insn_t i;
        opcodes_init();
        int len = decode_insn(b, n, true, &i);
        assert_int_equal(len, n);
        assert_int_equal(disasm_bytes(b, n, true, 0x1000, a, sizeof a), n);
        assert_int_equal(disasm_insn(&i, true, 0x1000, c, sizeof c), n);
        assert_string_equal(a, c);
    }
}

/* Short or undecodable input: "(bad)", never a read past `avail`; a tiny
 * buffer is cut, not overrun. */
static void bad_and_short(void **state)
{
    (void)state;
    char buf[64];
    uint8_t b[15] = {0x8B, 0x84, 0x24}; /* needs a disp32 */
    assert_int_equal(disasm_bytes(b, 3, true, 0, buf, sizeof buf), 3);
    assert_string_equal(buf, "(bad)");
    assert_int_equal(disasm_bytes(b, 0, true, 0, buf, sizeof buf), 0);
    uint8_t lea_reg[2] = {0x8D, 0xC0};
    disasm_bytes(lea_reg, 2, true, 0, buf, sizeof buf);
    assert_string_equal(buf, "(bad)");
    uint8_t prefixes[15];
    memset(prefixes, 0x66, sizeof prefixes);
    assert_int_equal(disasm_bytes(prefixes, 15, true, 0, buf, sizeof buf), 15);
    assert_string_equal(buf, "(bad)");
    uint8_t add[7] = {0x81, 0x84, 0x24, 1, 2, 3, 4};
    char tiny[8];
    disasm_bytes(add, 7, true, 0, tiny, sizeof tiny); /* truncated by the decoder: 11 bytes */
    assert_string_equal(tiny, "(bad)");
    uint8_t mov[2] = {0x89, 0xD8};
    disasm_bytes(mov, 2, true, 0, tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    assert_memory_equal(tiny, "mov    ", 7);
}

static uint32_t dev_read(void *o, uint32_t off, unsigned size) { (*(int *)o)++; (void)off, (void)size; return 0x90; }
static void dev_write(void *o, uint32_t off, uint32_t v, unsigned size) { (*(int *)o)++; (void)off, (void)v, (void)size; }

/* cpu_disasm_at reads through paging like the debugger must: no fault, no
 * TLB fill, no A/D update, no device access; what cannot be read ends the
 * bytes ("(bad)" when the instruction is cut). */
static void disasm_at_has_no_side_effects(void **state)
{
    (void)state;
    physmem_t pm;
    cpu_t *cpu = calloc(1, sizeof *cpu);
    static const mmio_ops_t ops = {dev_read, dev_write};
    int calls = 0;
    static const cpu_bus_t bus = {0};
    assert_true(physmem_init(&pm, 4u << 20));
    assert_true(physmem_add_mmio(&pm, 0xFEB00000u, 0x1000, &ops, &calls, "dev"));
    assert_true(cpu_init(cpu, &pm, &bus));
    /* 32-bit paging: 0x00400000 -> 0x200000 (code), 0x00401000 absent,
     * 0x00402000 -> the device. */
    uint32_t pd = 0x10000, pt = 0x11000;
    uint32_t pde = pt | 7, ptes[3] = {0x200000 | 7, 0, 0xFEB00000u | 7};
    memcpy(pm.ram + pd + 4, &pde, 4);
    memcpy(pm.ram + pt, ptes, sizeof ptes);
    static const uint8_t code[] = {0x8B, 0x84, 0x24, 0x78, 0x56, 0x34, 0x12}; /* mov eax,[esp+0x12345678] */
    memcpy(pm.ram + 0x200000, code, sizeof code);
    memcpy(pm.ram + 0x200FFD, code, 3); /* cut by the absent page */
    assert_true(cpu_set_cr3(cpu, pd));
    assert_true(cpu_set_cr0(cpu, cpu->cr0 | CR0_PE | CR0_PG));
    cpu_load_seg_raw(cpu, SEG_CS, 8, 0x00400000u, 0xFFFFFFFFu, 0x9B, DESC_FLAG_DB | DESC_FLAG_G);
    uint8_t tlb_before[sizeof cpu->mmu.tlb];
    memcpy(tlb_before, cpu->mmu.tlb, sizeof tlb_before);

    char buf[96];
    uint8_t bytes[15];
    assert_int_equal(cpu_disasm_at(cpu, 0x00400000u, true, buf, sizeof buf, bytes), 7);
    assert_string_equal(buf, "mov    eax,DWORD PTR [esp+0x12345678]");
    assert_memory_equal(bytes, code, 7);
    assert_int_equal(cpu_disasm_at(cpu, 0x00400FFDu, true, buf, sizeof buf, NULL), 3);
    assert_string_equal(buf, "(bad)");
    assert_int_equal(cpu_disasm_at(cpu, 0x00401000u, true, buf, sizeof buf, NULL), 0);
    assert_string_equal(buf, "(bad)");
    assert_int_equal(cpu_disasm_at(cpu, 0x00402000u, true, buf, sizeof buf, NULL), 0);
    assert_int_equal(calls, 0);
    /* Relative targets are CS offsets. */
    static const uint8_t jmp[] = {0xEB, 0xFE};
    memcpy(pm.ram + 0x200100, jmp, 2);
    cpu_disasm_at(cpu, 0x00400100u, true, buf, sizeof buf, NULL);
    assert_string_equal(buf, "jmp    0x100");
    assert_memory_equal(tlb_before, cpu->mmu.tlb, sizeof tlb_before);
    uint32_t pte0;
    memcpy(&pte0, pm.ram + pt, 4);
    assert_int_equal(pte0, 0x200000 | 7); /* no A bit */
    memcpy(&pde, pm.ram + pd + 4, 4);
    assert_int_equal(pde, pt | 7);
    cpu_free(cpu);
    free(cpu);
    physmem_free(&pm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_32),   cmocka_unit_test(generated_16),
        cmocka_unit_test(nasm_sources),   cmocka_unit_test(insn_path_matches),
        cmocka_unit_test(bad_and_short),  cmocka_unit_test(disasm_at_has_no_side_effects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
