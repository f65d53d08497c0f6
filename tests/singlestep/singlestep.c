/* Runs SingleStepTests (hardware-captured single-instruction tests, MOO
 * format) through our CPU in real mode and reports how many pass.
 *
 *   singlestep [-v] [--trace] [--only NAME] [--min-pass PERCENT] DIR
 *
 * DIR holds *.MOO.gz files, metadata.json (per-opcode masks of undefined
 * flags) and revocation_list.txt (hashes of bad tests, skipped).  Each test
 * loads its INIT registers and RAM into a real-mode machine with 16 MiB of
 * RAM and A20 on, runs it up to the HLT the test placed after the
 * instruction (or at the handler of the exception it raises), and
 * compares every register and the RAM
 * bytes of INIT and FINA.  FLAGS is compared under the metadata mask and
 * without bits 12-15 (a 286 in real mode reads them differently); the same
 * mask applies to FLAGS images the instruction pushed.  The last line of
 * the output is "N passed, N failed", where every test whose final state
 * differs from the capture counts as failed, including those that differ
 * because a P6 architecturally behaves unlike the 286 (each such class is
 * recognised by an architectural rule, checked where a P6 result is known,
 * and counted on its own line before the total).  With --min-pass the exit
 * status says whether the tests that passed or differ only by such a class
 * reached PERCENT of all tests: an unexplained failure counts against it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cpu/exec.h"

#define RAM_SIZE (16u << 20)
#define MAX_STEPS 200000
#define MAX_EVENTS 100

/* ================================================================ metadata.json */

/* A minimal JSON reader: enough to walk metadata.json's objects and read
 * "flags-mask" and "status" per opcode and per ModRM.reg. */
typedef struct json {
    const char *p, *end;
} json_t;

static void json_ws(json_t *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
}

/* Reads a string into buf (escapes are kept as their second character). */
static bool json_string(json_t *j, char *buf, size_t n)
{
    json_ws(j);
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    size_t k = 0;
    while (j->p < j->end && *j->p != '"') {
        if (*j->p == '\\' && j->p + 1 < j->end)
            j->p++;
        if (k + 1 < n)
            buf[k++] = *j->p;
        j->p++;
    }
    if (j->p >= j->end)
        return false;
    j->p++;
    buf[k] = 0;
    return true;
}

static bool json_skip(json_t *j);

/* Walks an object, calling fn for each member with the value unread. */
typedef bool (*json_member_fn)(json_t *j, const char *key, void *ctx);
static bool json_object(json_t *j, json_member_fn fn, void *ctx)
{
    json_ws(j);
    if (j->p >= j->end || *j->p != '{')
        return false;
    j->p++;
    for (;;) {
        json_ws(j);
        if (j->p < j->end && *j->p == '}') {
            j->p++;
            return true;
        }
        char key[64];
        if (!json_string(j, key, sizeof key))
            return false;
        json_ws(j);
        if (j->p >= j->end || *j->p != ':')
            return false;
        j->p++;
        if (!(fn ? fn(j, key, ctx) : json_skip(j)))
            return false;
        json_ws(j);
        if (j->p < j->end && *j->p == ',')
            j->p++;
    }
}

static bool skip_member(json_t *j, const char *key, void *ctx)
{
    (void)key, (void)ctx;
    return json_skip(j);
}

static bool json_skip(json_t *j)
{
    json_ws(j);
    if (j->p >= j->end)
        return false;
    char c = *j->p;
    if (c == '{')
        return json_object(j, skip_member, NULL);
    if (c == '"') {
        char tmp[8];
        return json_string(j, tmp, sizeof tmp);
    }
    if (c == '[') {
        j->p++;
        for (;;) {
            json_ws(j);
            if (j->p < j->end && *j->p == ']') {
                j->p++;
                return true;
            }
            if (!json_skip(j))
                return false;
            json_ws(j);
            if (j->p < j->end && *j->p == ',')
                j->p++;
        }
    }
    while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']')
        j->p++; /* number, true, false, null */
    return true;
}

/* What metadata.json says about one opcode (and ModRM.reg). */
typedef struct form_meta {
    bool known;
    uint16_t flags_mask; /* defined FLAGS bits */
    char status[16];
} form_meta_t;

/* opcode (0x00-0xFF, 0x100 | second byte) x (reg 0-7, or 8 for "any") */
static form_meta_t meta[0x200][9];

static bool meta_member(json_t *j, const char *key, void *ctx)
{
    form_meta_t *m = ctx;
    if (strcmp(key, "flags-mask") == 0) {
        json_ws(j);
        m->flags_mask = (uint16_t)strtoul(j->p, NULL, 10);
        return json_skip(j);
    }
    if (strcmp(key, "status") == 0)
        return json_string(j, m->status, sizeof m->status);
    return json_skip(j);
}

typedef struct reg_ctx {
    int op;
} reg_ctx_t;

static bool reg_member(json_t *j, const char *key, void *ctx)
{
    int op = ((reg_ctx_t *)ctx)->op;
    int reg = atoi(key);
    if (reg < 0 || reg > 7)
        return json_skip(j);
    form_meta_t *m = &meta[op][reg];
    *m = (form_meta_t){.known = true, .flags_mask = 0xFFFF};
    return json_object(j, meta_member, m);
}

static bool opcode_entry_member(json_t *j, const char *key, void *ctx)
{
    reg_ctx_t *rc = ctx;
    if (strcmp(key, "reg") == 0)
        return json_object(j, reg_member, rc);
    return meta_member(j, key, &meta[rc->op][8]);
}

static bool opcodes_member(json_t *j, const char *key, void *ctx)
{
    (void)ctx;
    unsigned long v = strtoul(key, NULL, 16);
    int op = strlen(key) > 2 ? (int)(0x100 | (v & 0xFF)) : (int)v;
    if (op < 0 || op >= 0x200)
        return json_skip(j);
    meta[op][8] = (form_meta_t){.known = true, .flags_mask = 0xFFFF};
    reg_ctx_t rc = {op};
    return json_object(j, opcode_entry_member, &rc);
}

static bool top_member(json_t *j, const char *key, void *ctx)
{
    (void)ctx;
    if (strcmp(key, "opcodes") == 0)
        return json_object(j, opcodes_member, NULL);
    return json_skip(j);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool load_metadata(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "singlestep: cannot read %s\n", path);
        return false;
    }
    json_t j = {text, text + len};
    bool ok = json_object(&j, top_member, NULL);
    free(text);
    if (!ok)
        fprintf(stderr, "singlestep: %s is not the JSON expected\n", path);
    return ok;
}

/* ================================================================ revocations */

static char (*revoked)[41];
static int nrevoked;

static void load_revocations(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/revocation_list.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (strlen(s) < 40 || *s == '#')
            continue;
        char (*nr)[41] = realloc(revoked, (size_t)(nrevoked + 1) * sizeof *revoked);
        if (!nr)
            break;
        revoked = nr;
        for (int k = 0; k < 40; k++)
            revoked[nrevoked][k] = (char)(s[k] >= 'A' && s[k] <= 'F' ? s[k] - 'A' + 'a' : s[k]);
        revoked[nrevoked++][40] = 0;
    }
    fclose(f);
}

static bool is_revoked(const uint8_t hash[20])
{
    char hex[41];
    for (int k = 0; k < 20; k++)
        snprintf(hex + 2 * k, 3, "%02x", hash[k]);
    for (int k = 0; k < nrevoked; k++)
        if (strcmp(hex, revoked[k]) == 0)
            return true;
    return false;
}

/* ================================================================ MOO */

enum { R_AX, R_BX, R_CX, R_DX, R_CS, R_SS, R_DS, R_ES, R_SP, R_BP, R_SI, R_DI, R_IP, R_FLAGS, NREGS };
static const char *const reg_names[NREGS] = {"ax", "bx", "cx", "dx", "cs", "ss", "ds",
                                             "es", "sp", "bp", "si", "di", "ip", "flags"};

typedef struct ram_byte {
    uint32_t addr;
    uint8_t value;
} ram_byte_t;

typedef struct state {
    uint16_t regs[NREGS];
    uint16_t present; /* FINA lists only the registers that changed */
    const uint8_t *ram; /* count x (u32 address, u8 value), unaligned */
    uint32_t ram_count;
} state_t;

typedef struct test {
    char name[96];
    const uint8_t *bytes;
    uint32_t nbytes;
    state_t init, fina;
    bool has_exception;
    const uint8_t *hash;
} test_t;

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static ram_byte_t ram_at(const state_t *s, uint32_t k)
{
    const uint8_t *e = s->ram + 5 * k;
    return (ram_byte_t){le32(e), e[4]};
}

/* Parses a state chunk's sub-chunks. */
static bool parse_state(const uint8_t *p, const uint8_t *end, state_t *s)
{
    while (p + 8 <= end) {
        uint32_t len = le32(p + 4);
        const uint8_t *d = p + 8;
        if (len > (size_t)(end - d))
            return false;
        if (memcmp(p, "REGS", 4) == 0 && len >= 2) {
            s->present = le16(d);
            const uint8_t *v = d + 2;
            for (int r = 0; r < NREGS; r++)
                if (s->present & (1u << r)) {
                    if (v + 2 > d + len)
                        return false;
                    s->regs[r] = le16(v);
                    v += 2;
                }
        } else if (memcmp(p, "RAM ", 4) == 0 && len >= 4) {
            s->ram_count = le32(d);
            if ((uint64_t)s->ram_count * 5 + 4 > len)
                return false;
            s->ram = d + 4;
        }
        p = d + len;
    }
    return true;
}

static bool parse_test(const uint8_t *p, const uint8_t *end, test_t *t)
{
    memset(t, 0, sizeof *t);
    p += 4; /* the test's index */
    while (p + 8 <= end) {
        uint32_t len = le32(p + 4);
        const uint8_t *d = p + 8;
        if (len > (size_t)(end - d))
            return false;
        if (memcmp(p, "NAME", 4) == 0 && len >= 4) {
            uint32_t n = le32(d);
            if (n > len - 4)
                return false;
            snprintf(t->name, sizeof t->name, "%.*s", (int)n, (const char *)d + 4);
        } else if (memcmp(p, "BYTS", 4) == 0 && len >= 4) {
            t->nbytes = le32(d);
            if (t->nbytes > len - 4)
                return false;
            t->bytes = d + 4;
        } else if (memcmp(p, "INIT", 4) == 0) {
            if (!parse_state(d, d + len, &t->init))
                return false;
        } else if (memcmp(p, "FINA", 4) == 0) {
            if (!parse_state(d, d + len, &t->fina))
                return false;
        } else if (memcmp(p, "EXCP", 4) == 0 && len >= 5) {
            t->has_exception = true;
        } else if (memcmp(p, "HASH", 4) == 0 && len >= 20) {
            t->hash = d;
        }
        p = d + len;
    }
    return t->init.present == (1u << NREGS) - 1;
}

/* ================================================================ machine */

typedef struct runner {
    physmem_t pm;
    cpu_t cpu;
    int exception; /* the first exception our CPU raised, or -1 */
    bool astray;   /* the last run executed more than a test's few instructions */
    int events;    /* exceptions and interrupts in this run */
    bool verbose, trace;
    const char *only; /* run only tests whose name starts with this */
} runner_t;

/* --trace: every instruction's CS:IP and registers, before it runs. */
static bool trace_insn(void *opaque, uint32_t linear)
{
    const cpu_t *cpu = &((runner_t *)opaque)->cpu;
    printf("    %04x:%04x (%05x) ax=%04x bx=%04x cx=%04x dx=%04x sp=%04x bp=%04x si=%04x di=%04x fl=%04x\n",
           cpu->seg[SEG_CS].sel, cpu->eip, linear, cpu->gpr[R_EAX] & 0xFFFF, cpu->gpr[R_EBX] & 0xFFFF,
           cpu->gpr[R_ECX] & 0xFFFF, cpu->gpr[R_EDX] & 0xFFFF, cpu->gpr[R_ESP] & 0xFFFF,
           cpu->gpr[R_EBP] & 0xFFFF, cpu->gpr[R_ESI] & 0xFFFF, cpu->gpr[R_EDI] & 0xFFFF,
           cpu_get_eflags(cpu) & 0xFFFF);
    return false;
}

static uint32_t bus_in(void *o, uint16_t port, unsigned size)
{
    (void)o, (void)port;
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; /* unconnected ports */
}
static void bus_out(void *o, uint16_t port, uint32_t v, unsigned size) { (void)o, (void)port, (void)v, (void)size; }
static uint8_t bus_ack(void *o)
{
    (void)o;
    return 0;
}

static void on_event(void *opaque, int kind, int vector, bool has_error, uint32_t error)
{
    (void)has_error, (void)error;
    runner_t *r = opaque;
    if (kind == CPU_EVENT_EXCEPTION && r->exception < 0)
        r->exception = vector;
    /* A fault whose handler faults again retires no instruction: stop such
     * a loop (it happens only in code the test does not define). */
    if (++r->events > MAX_EVENTS)
        cpu_request_stop(&r->cpu);
}

static bool runner_init(runner_t *r)
{
    memset(r, 0, sizeof *r);
    if (!physmem_init(&r->pm, RAM_SIZE))
        return false;
    cpu_bus_t bus = {.opaque = r, .in = bus_in, .out = bus_out, .intr_ack = bus_ack};
    if (!cpu_init(&r->cpu, &r->pm, &bus))
        return false;
    physmem_set_a20(&r->pm, true);
    /* The tests' machine has plain RAM everywhere, also where a PC has the
     * VGA window and the write-protected BIOS shadow. */
    physmem_set_shadow_writable(&r->pm, PHYS_SHADOW_START, PHYS_SHADOW_END - PHYS_SHADOW_START, true);
    if (!physmem_add_ram_region(&r->pm, PHYS_VGA_WINDOW, PHYS_VGA_WINDOW_END - PHYS_VGA_WINDOW,
                                r->pm.ram + PHYS_VGA_WINDOW, "ram"))
        return false;
    r->cpu.hooks.opaque = r;
    r->cpu.hooks.event = on_event;
    return true;
}

static const int seg_of[NREGS] = {[R_CS] = SEG_CS, [R_SS] = SEG_SS, [R_DS] = SEG_DS, [R_ES] = SEG_ES};
static const int gpr_of[NREGS] = {[R_AX] = R_EAX, [R_BX] = R_EBX, [R_CX] = R_ECX, [R_DX] = R_EDX,
                                  [R_SP] = R_ESP, [R_BP] = R_EBP, [R_SI] = R_ESI, [R_DI] = R_EDI};

static void load_state(runner_t *r, const test_t *t)
{
    cpu_t *cpu = &r->cpu;
    /* A run that went astray (into bytes the test does not define) may
     * have changed control registers, the x87 or debug registers: start
     * the next test from RESET. */
    if (r->astray) {
        cpu_reset(cpu);
        r->astray = false;
    }
    const uint16_t *v = t->init.regs;
    memset(cpu->gpr, 0, sizeof cpu->gpr);
    for (int k = 0; k < NREGS; k++)
        if (k <= R_DX || (k >= R_SP && k <= R_DI))
            cpu->gpr[gpr_of[k]] = v[k];
    cpu->shutdown = cpu->halted = cpu->irq_inhibit = false;
    cpu->delivering = cpu->pending_exc = -1;
    cpu->idtr = (dtable_t){0, 0x3FF};
    cpu_set_eflags(cpu, (v[R_FLAGS] & 0x0FD5u) | 2u);
    cpu_load_seg_raw(cpu, SEG_FS, 0, 0, 0xFFFF, 0x93, 0);
    cpu_load_seg_raw(cpu, SEG_GS, 0, 0, 0xFFFF, 0x93, 0);
    for (int k = R_CS; k <= R_ES; k++)
        cpu_load_seg_raw(cpu, seg_of[k], v[k], (uint32_t)v[k] << 4, 0xFFFF, k == R_CS ? 0x9B : 0x93, 0);
    cpu->eip = v[R_IP];
    r->exception = -1;
    r->events = 0;
    for (uint32_t k = 0; k < t->init.ram_count; k++) {
        ram_byte_t b = ram_at(&t->init, k);
        if (b.addr < RAM_SIZE)
            physmem_write(&r->pm, b.addr, b.value, 1);
    }
}

/* Each test's code ends in HLT (after the instruction, and at the handler
 * of an exception it raises): run until the CPU halts. */
static void run(runner_t *r)
{
    cpu_t *cpu = &r->cpu;
    uint64_t start = cpu->icount, limit = start + MAX_STEPS;
    while (cpu->icount < limit) {
        cpu_exit_t e = cpu_execute(cpu, cpu->icount + 64);
        if (e == CPU_EXIT_HALT || e == CPU_EXIT_SHUTDOWN || e == CPU_EXIT_STOP)
            break;
    }
    /* (a long REP counts one per chunk) */
    r->astray |= cpu->icount - start > 64 || r->events > MAX_EVENTS;
}

/* The value FINA expects for register k. */
static uint16_t expected_reg(const test_t *t, int k)
{
    return (t->fina.present & (1u << k)) ? t->fina.regs[k] : t->init.regs[k];
}

static uint16_t actual_reg(const cpu_t *cpu, int k)
{
    if (k == R_IP)
        return (uint16_t)cpu->eip;
    if (k == R_FLAGS)
        return (uint16_t)cpu_get_eflags(cpu);
    if (k >= R_CS && k <= R_ES)
        return cpu->seg[seg_of[k]].sel;
    return (uint16_t)cpu->gpr[gpr_of[k]];
}

/* The opcode (0x100 | byte after 0F) past the prefixes, and ModRM.reg
 * (8 when there is no byte after the opcode); *modrm_at is where the
 * ModRM byte would be. */
static int opcode_at(const test_t *t, int *reg, uint32_t *modrm_at)
{
    const uint8_t *b = t->bytes;
    uint32_t n = t->nbytes, k = 0;
    while (k < n && (b[k] == 0x26 || b[k] == 0x2E || b[k] == 0x36 || b[k] == 0x3E || b[k] == 0xF0 ||
                     b[k] == 0xF2 || b[k] == 0xF3))
        k++;
    if (k >= n)
        return -1;
    int op = b[k];
    if (op == 0x0F && k + 1 < n)
        op = 0x100 | b[++k];
    *reg = k + 1 < n ? (b[k + 1] >> 3) & 7 : 8;
    *modrm_at = k + 1;
    return op;
}

static int opcode_of(const test_t *t, int *reg)
{
    uint32_t at;
    return opcode_at(t, reg, &at);
}

/* The flags a test's form defines (bits 12-15 never). */
static uint16_t flags_mask_of(const test_t *t)
{
    int reg, op = opcode_of(t, &reg);
    uint16_t mask = 0xFFFF;
    if (op >= 0 && meta[op][reg].known)
        mask = meta[op][reg].flags_mask;
    else if (op >= 0 && meta[op][8].known)
        mask = meta[op][8].flags_mask;
    return mask & 0x0FFF;
}

/* Compares; on a difference fills why[] and returns false. */
static bool check(runner_t *r, const test_t *t, char *why, size_t n)
{
    cpu_t *cpu = &r->cpu;
    uint16_t fmask = flags_mask_of(t);
    for (int k = 0; k < NREGS; k++) {
        uint16_t want = expected_reg(t, k), got = actual_reg(cpu, k);
        uint16_t m = k == R_FLAGS ? fmask : 0xFFFF;
        if ((want ^ got) & m) {
            snprintf(why, n, "%s = %04x, expected %04x", reg_names[k], got & m, want & m);
            return false;
        }
    }
    /* The FLAGS image PUSHF or an interrupt pushed, at SS:SP-2 (the
     * recorded EXCP address is the aligned bus address, not the byte's). */
    int reg;
    uint32_t flags_lo = 0xFFFFFFFFu, flags_hi = 0xFFFFFFFFu;
    if (t->has_exception || opcode_of(t, &reg) == 0x9C) {
        uint32_t ss = (uint32_t)t->init.regs[R_SS] << 4, sp = t->init.regs[R_SP];
        flags_lo = ss + ((sp - 2) & 0xFFFF);
        flags_hi = ss + ((sp - 1) & 0xFFFF);
    }
    for (int pass = 0; pass < 2; pass++) {
        const state_t *s = pass ? &t->init : &t->fina;
        for (uint32_t k = 0; k < s->ram_count; k++) {
            ram_byte_t b = ram_at(s, k);
            if (pass) { /* bytes INIT lists and FINA does not keep their value */
                bool changed = false;
                for (uint32_t j = 0; j < t->fina.ram_count && !changed; j++)
                    changed = ram_at(&t->fina, j).addr == b.addr;
                if (changed)
                    continue;
            }
            if (b.addr >= RAM_SIZE)
                continue;
            uint8_t got = (uint8_t)physmem_read(&r->pm, b.addr, 1);
            uint8_t m = 0xFF;
            if (b.addr == flags_lo)
                m = (uint8_t)fmask;
            else if (b.addr == flags_hi)
                m = (uint8_t)(fmask >> 8);
            if ((got ^ b.value) & m) {
                snprintf(why, n, "RAM[%05x] = %02x, expected %02x", b.addr, got, b.value);
                return false;
            }
        }
    }
    return true;
}

/* ================================================================ 286 vs P6 */

/* Where a 286 and a P6 differ by design, a test's hardware result does not
 * apply; the runner recognises these cases by rule, checks what a P6 does
 * instead, and counts them apart. */
enum { DIFF_NONE, DIFF_FPU, DIFF_LOCK, DIFF_WRAP, DIFF_LONG, DIFF_SREG, NDIFF };
static const char *const diff_reasons[NDIFF] = {
    "",
    "x87 escapes, captured on a 286 without a coprocessor (they did nothing there;"
    " a P6 computes): not compared",
    "LOCK on an instruction that cannot be locked (or a register destination):"
    " a P6 raises #UD (checked)",
    "word access or instruction fetch across offset FFFF: the 286 wraps within the"
    " segment, a P6 raises #GP/#SS (checked: no limit fault with the limits lifted)",
    "instructions longer than 10 bytes (prefixes repeated): the 286 faults, a P6"
    " runs them (up to 15 bytes)",
    "MOV to or from segment register 4 or 5: the 286 has no FS and GS and faults,"
    " a P6 moves FS or GS (checked: no exception)",
};

static bool has_lock(const test_t *t)
{
    for (uint32_t k = 0; k < t->nbytes; k++) {
        uint8_t b = t->bytes[k];
        if (b == 0xF0)
            return true;
        if (b != 0x26 && b != 0x2E && b != 0x36 && b != 0x3E && b != 0xF2 && b != 0xF3)
            return false;
    }
    return false;
}

/* The SDM's list of instructions LOCK may prefix (one-byte opcodes; the
 * 286 set has no 0F forms), each with a memory destination. */
static bool p6_lockable(const test_t *t)
{
    int reg;
    uint32_t at;
    int op = opcode_at(t, &reg, &at);
    if (at >= t->nbytes || (t->bytes[at] >> 6) == 3)
        return false; /* no ModRM, or a register operand */
    switch (op) {
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
    case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31: /* ADD..XOR Ev,Gv */
    case 0x86: case 0x87:                                            /* XCHG */
        return true;
    case 0x80: case 0x81: case 0x82: case 0x83:
        return reg != 7; /* not CMP */
    case 0xF6: case 0xF7:
        return reg == 2 || reg == 3; /* NOT, NEG */
    case 0xFE: case 0xFF:
        return reg == 0 || reg == 1; /* INC, DEC */
    default:
        return false;
    }
}

static bool is_fpu(const test_t *t)
{
    int reg, op = opcode_of(t, &reg);
    return op >= 0 && strcmp(meta[op][8].status, "fpu") == 0;
}

/* Called for a test our CPU failed: which known difference explains it. */
static int classify(runner_t *r, const test_t *t)
{
    int reg, op = opcode_of(t, &reg);
    if (t->nbytes - 1 > 10) /* the bytes end with the test's HLT */
        return DIFF_LONG;
    if (has_lock(t) && !p6_lockable(t) && r->exception == EXC_UD)
        return DIFF_LOCK;
    if ((op == 0x8C || op == 0x8E) && (reg == 4 || reg == 5) && r->exception < 0)
        return DIFF_SREG;
    if (r->exception != EXC_GP && r->exception != EXC_SS)
        return DIFF_NONE;
    /* Run the instruction again with real-mode segment limits lifted to
     * 128 KiB: if a limit check was its only fault, it now completes. */
    load_state(r, t);
    for (int s = 0; s < 6; s++) {
        segment_t *sg = &r->cpu.seg[s];
        cpu_load_seg_raw(&r->cpu, s, sg->sel, sg->base, 0x1FFFF, sg->access, sg->flags);
    }
    uint32_t start = r->cpu.eip;
    for (int k = 0; k < MAX_STEPS && r->exception < 0 && r->cpu.eip == start; k++)
        if (cpu_step(&r->cpu) == CPU_EXIT_STOP)
            break;
    r->astray = true;
    /* (Another exception may follow from the bytes read past FFFF, which
     * the test does not define.) */
    bool wrap = r->exception != EXC_GP && r->exception != EXC_SS;
    for (int s = 0; s < 6; s++) { /* back to 64 KiB */
        segment_t *sg = &r->cpu.seg[s];
        cpu_load_seg_raw(&r->cpu, s, sg->sel, sg->base, 0xFFFF, sg->access, sg->flags);
    }
    return wrap ? DIFF_WRAP : DIFF_NONE;
}

/* ================================================================ files */

typedef struct totals {
    long passed, failed, skipped;
    long differ[NDIFF];
} totals_t;

static bool run_file(runner_t *r, const char *path, const char *name, totals_t *tot)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        fprintf(stderr, "singlestep: cannot open %s\n", path);
        return false;
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = malloc(cap);
    int got;
    while (buf && (got = gzread(gz, buf + n, (unsigned)(cap - n))) > 0) {
        n += (size_t)got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    gzclose(gz);
    if (!buf) {
        fprintf(stderr, "singlestep: out of memory reading %s\n", path);
        return false;
    }
    long failed = 0, count = 0;
    char first[256] = "";
    const uint8_t *p = buf, *end = buf + n;
    while (p + 8 <= end) {
        uint32_t len = le32(p + 4);
        if (len > (size_t)(end - p - 8)) {
            fprintf(stderr, "singlestep: %s: truncated chunk\n", path);
            break;
        }
        if (memcmp(p, "TEST", 4) == 0) {
            test_t t;
            if (!parse_test(p + 8, p + 8 + len, &t) || !t.bytes) {
                fprintf(stderr, "singlestep: %s: malformed test\n", path);
            } else if (t.hash && is_revoked(t.hash)) {
                tot->skipped++;
            } else if (is_fpu(&t)) {
                tot->differ[DIFF_FPU]++;
            } else if (!r->only || strncmp(t.name, r->only, strlen(r->only)) == 0) {
                if (r->trace)
                    printf("  %s\n", t.name);
                load_state(r, &t);
                run(r);
                char why[128];
                int diff;
                if (check(r, &t, why, sizeof why)) {
                    count++;
                    tot->passed++;
                } else if ((diff = classify(r, &t)) != DIFF_NONE) {
                    tot->differ[diff]++;
                    if (r->verbose)
                        printf("  DIFF %s: %s\n", t.name, why);
                } else {
                    count++;
                    tot->failed++;
                    if (failed++ == 0)
                        snprintf(first, sizeof first, "%s: %s", t.name, why);
                    if (r->verbose)
                        printf("  FAIL %s: %s\n", t.name, why);
                }
            }
        }
        p += 8 + len;
    }
    free(buf);
    if (failed)
        printf("%-12s %4ld/%ld failed; first: %s\n", name, failed, count, first);
    return true;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    const char *dir = NULL, *only = NULL;
    double min_pass = -1;
    bool verbose = false, trace = false;
    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[k], "--trace") == 0)
            trace = verbose = true;
        else if (strcmp(argv[k], "--only") == 0 && k + 1 < argc)
            only = argv[++k];
        else if (strcmp(argv[k], "--min-pass") == 0 && k + 1 < argc)
            min_pass = atof(argv[++k]);
        else
            dir = argv[k];
    }
    if (!dir) {
        fprintf(stderr, "usage: singlestep [-v] [--trace] [--only NAME] [--min-pass PERCENT] DIR\n");
        return 2;
    }
    if (!load_metadata(dir))
        return 2;
    load_revocations(dir);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "singlestep: cannot open directory %s\n", dir);
        return 2;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 7 && strcmp(e->d_name + l - 7, ".MOO.gz") == 0) {
            char **nn = realloc(names, (count + 1) * sizeof *names);
            if (!nn)
                break;
            names = nn;
            names[count++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);

    static runner_t r;
    if (!runner_init(&r)) {
        fprintf(stderr, "singlestep: cannot create the machine\n");
        return 2;
    }
    r.verbose = verbose;
    r.only = only;
    r.trace = trace;
    if (trace) {
        r.cpu.hooks.exec_check = trace_insn;
        r.cpu.debugger_step = true;
        cpu_update_stepping(&r.cpu);
    }
    totals_t tot = {0};
    for (size_t k = 0; k < count; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        run_file(&r, path, names[k], &tot);
        free(names[k]);
    }
    free(names);
    if (tot.skipped)
        printf("%ld revoked tests skipped\n", tot.skipped);
    long differ = 0;
    for (int k = 1; k < NDIFF; k++)
        if (tot.differ[k]) {
            printf("%ld tests: %s\n", tot.differ[k], diff_reasons[k]);
            differ += tot.differ[k];
        }
    long total = tot.passed + tot.failed + differ;
    printf("%ld of the failures are the 286-versus-P6 differences above, %ld are not (%.3f%% of the tests pass or "
           "differ only that way)\n",
           differ, tot.failed, total ? 100.0 * (double)(tot.passed + differ) / (double)total : 0.0);
    printf("%ld passed, %ld failed\n", tot.passed, tot.failed + differ);
    if (min_pass >= 0)
        return total > 0 && 100.0 * (double)(tot.passed + differ) / (double)total >= min_pass ? 0 : 1;
    return 0;
}
