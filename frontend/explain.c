/* The instruction explainer (see explain.h). */
#include "explain.h"

#include <string.h>

#include "disasm.h"

static void record_access(void *opaque, uint32_t linear, uint32_t physical, unsigned size, uint32_t value,
                          bool write)
{
    explain_record_t *r = opaque;
    if (r->nacc == EXPLAIN_MAX_ACCESSES) {
        r->dropped++;
        return;
    }
    r->acc[r->nacc++] = (explain_access_t){linear, physical, value, (uint8_t)size, write};
}

void explain_begin(explain_record_t *r, session_t *s)
{
    cpu_t *cpu = &s->m->cpu;
    memset(r, 0, sizeof *r);
    r->icount = cpu->icount;
    snap_take(cpu, &r->before);
    for (int k = 0; k < 6; k++) {
        const segment_t *sg = &cpu->seg[k];
        r->seg_base[k] = sg->base;
        r->seg_lo[k] = sg->lo;
        r->seg_hi[k] = sg->hi;
        r->seg_rights[k] = sg->rights;
        r->seg_access[k] = sg->access;
    }
    r->linear = cpu->seg[SEG_CS].base + cpu->eip;
    r->len = disasm_at(cpu, r->linear, r->text, sizeof r->text, r->bytes);
    r->traps_before = s->ntraps;
    cpu->seg_fault_info.size = 0;
    session_set_recorder(s, record_access, r);
}

void explain_end(explain_record_t *r, session_t *s)
{
    cpu_t *cpu = &s->m->cpu;
    session_set_recorder(s, NULL, NULL);
    snap_take(cpu, &r->after);
    r->retired = cpu->icount != r->icount;
    r->seg_failed = cpu->seg_fault_info.size != 0;
    r->fault_seg = cpu->seg_fault_info.seg;
    r->fault_offset = cpu->seg_fault_info.offset;
    r->fault_size = cpu->seg_fault_info.size;
    r->fault_right = cpu->seg_fault_info.right;
    r->valid = true;
}

/* ---------------------------------------------------------------- wording */

static const char *segment_upper[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};

/* Whether an access is near the stack pointer before or after. */
static bool near_stack(const explain_record_t *r, uint32_t linear)
{
    uint32_t before = r->seg_base[SEG_SS] + r->before.gpr[R_ESP];
    uint32_t after = r->seg_base[SEG_SS] + r->after.gpr[R_ESP];
    return linear - (before - 64) <= 128u || linear - (after - 64) <= 128u;
}

/* Which segment an access most likely went through: the stack near ESP,
 * else the first data segment whose limits hold the offset.  -1: none. */
static int guess_segment(const explain_record_t *r, uint32_t linear, unsigned size)
{
    if (near_stack(r, linear))
        return SEG_SS;
    static const int order[] = {SEG_DS, SEG_ES, SEG_SS, SEG_FS, SEG_GS, SEG_CS};
    for (int k = 0; k < 6; k++) {
        int sg = order[k];
        uint32_t off = linear - r->seg_base[sg];
        if (off >= r->seg_lo[sg] && (uint64_t)off + size - 1 <= r->seg_hi[sg])
            return sg;
    }
    return -1;
}

static bool in_table(uint32_t linear, uint32_t base, uint32_t limit)
{
    return linear - base <= limit;
}

static void describe_where(const explain_access_t *a, const explain_record_t *r, const session_t *s,
                           bool delivered_event, FILE *out)
{
    const cpu_t *cpu = &s->m->cpu;
    bool protected_mode = r->before.cr0 & CR0_PE;
    uint32_t idt_span = protected_mode ? 256 * 8 - 1 : 256 * 4 - 1;
    if (delivered_event && !a->write && !near_stack(r, a->linear) &&
        in_table(a->linear, cpu->idtr.base, cpu->idtr.limit < idt_span ? cpu->idtr.limit : idt_span)) {
        fprintf(out, "%s (system access, no segment check)", protected_mode ? "the IDT" : "the interrupt vector table");
        return;
    }
    if (protected_mode && cpu->gdtr.limit && in_table(a->linear, cpu->gdtr.base, cpu->gdtr.limit)) {
        fprintf(out, "the GDT (system access, no segment check)");
        return;
    }
    if (protected_mode && in_table(a->linear, cpu->tr.base, cpu->tr.limit)) {
        fprintf(out, "the TSS (system access, no segment check)");
        return;
    }
    int sg = guess_segment(r, a->linear, a->size);
    if (sg < 0) {
        fprintf(out, "linear 0x%08x", a->linear);
        return;
    }
    uint32_t off = a->linear - r->seg_base[sg];
    fprintf(out, "%s:0x%04x (segment check: 0x%x..0x%x inside 0x%x..0x%x, %s allowed)", segment_upper[sg], off, off,
            off + a->size - 1, r->seg_lo[sg], r->seg_hi[sg], a->write ? "writing" : "reading");
}

static void describe_page_check(const explain_access_t *a, const explain_record_t *r, const session_t *s,
                                FILE *out)
{
    if (!(r->before.cr0 & CR0_PG)) {
        fprintf(out, "      paging off: physical = linear");
    } else {
        mmu_explain_t ex;
        mmu_explain(&s->m->cpu.mmu, a->linear, r->before.cpl == 3, a->write ? ACCESS_WRITE : ACCESS_READ, &ex);
        fprintf(out, "      page check (%s access at CPL %u): ", a->write ? "write" : "read", r->before.cpl);
        for (int k = 0; k < ex.nsteps; k++)
            fprintf(out, "%s@0x%08llx=0x%llx ", ex.steps[k].level, (unsigned long long)ex.steps[k].entry_addr,
                    (unsigned long long)ex.steps[k].entry);
        fprintf(out, "-> %s%s%s", ex.writable ? "writable" : "read-only", ex.user ? ", user" : ", supervisor only",
                ex.ok ? ": allowed" : ": refused");
    }
    phys_where_t w = physmem_where(&s->m->mem, a->physical);
    fprintf(out, "; physical 0x%08x is %s\n", a->physical, phys_kind_name(w.kind));
}

/* Privilege rules that depend on the instruction, named by its mnemonic. */
static void describe_privilege(const explain_record_t *r, FILE *out)
{
    char mnem[16] = "";
    sscanf(r->text, "%15s", mnem);
    bool protected_mode = r->before.cr0 & CR0_PE;
    bool v86 = r->before.eflags & FLAG_VM;
    unsigned cpl = r->before.cpl, iopl = (r->before.eflags & FLAG_IOPL) >> 12;
    static const char *const privileged[] = {"hlt", "lgdt", "lidt", "lldt", "ltr", "invlpg", "clts", "lmsw",
                                             "rdmsr", "wrmsr", "wbinvd", "invd", NULL};
    bool is_priv = false;
    for (int k = 0; privileged[k]; k++)
        is_priv |= !strcmp(mnem, privileged[k]);
    if (!strcmp(mnem, "mov") && (strstr(r->text, "cr") || strstr(r->text, "dr")))
        is_priv = true;
    if (!protected_mode) {
        fprintf(out, "  privilege: real mode, no privilege checks\n");
    } else if (is_priv) {
        fprintf(out, "  privilege: %s is privileged: needs CPL 0, CPL is %u: %s\n", mnem, cpl,
                cpl == 0 && !v86 ? "allowed" : "refused (#GP(0))");
    } else if (!strcmp(mnem, "cli") || !strcmp(mnem, "sti")) {
        bool ok = v86 ? iopl == 3 : cpl <= iopl;
        fprintf(out, "  privilege: %s needs %s (CPL %u, IOPL %u): %s\n", mnem, v86 ? "IOPL 3" : "CPL <= IOPL", cpl,
                iopl, ok ? "allowed" : "refused (#GP(0))");
    } else if (!strncmp(mnem, "in", 2) || !strncmp(mnem, "out", 3)) {
        fprintf(out, "  privilege: port I/O needs CPL <= IOPL (CPL %u, IOPL %u)%s\n", cpl, iopl,
                cpl <= iopl && !v86 ? ": allowed" : ", else the TSS I/O permission bitmap decides");
    } else {
        fprintf(out, "  privilege: CPL %u, no instruction-specific privilege rule\n", cpl);
    }
}

static void describe_fault(const explain_record_t *r, const trap_record_t *t, const session_t *s, FILE *out)
{
    const cpu_t *cpu = &s->m->cpu;
    fprintf(out, "  fault: %s (vector %d)", cpu_exception_name(t->vector), t->vector);
    if (t->has_error)
        fprintf(out, ", error code 0x%04x", t->error);
    fputc('\n', out);
    if ((t->vector == EXC_GP || t->vector == EXC_SS) && r->seg_failed) {
        int sg = r->fault_seg;
        uint64_t end = (uint64_t)r->fault_offset + r->fault_size - 1;
        fprintf(out, "    why: %s of %u bytes at %s:0x%x", r->fault_right == SEG_RIGHT_W ? "a write" : "a read",
                r->fault_size, segment_upper[sg], r->fault_offset);
        if (r->fault_offset < r->seg_lo[sg] || end > r->seg_hi[sg])
            fprintf(out, " reaches 0x%llx, outside the segment's offsets 0x%x..0x%x", (unsigned long long)end,
                    r->seg_lo[sg], r->seg_hi[sg]);
        else
            fprintf(out, " is not allowed: the segment is not %s", r->fault_right == SEG_RIGHT_W ? "writable" : "readable");
        fprintf(out, "; %s faults with %s\n", segment_upper[sg], sg == SEG_SS ? "#SS(0)" : "#GP(0)");
    } else if (t->vector == EXC_PF) {
        uint32_t e = t->error;
        fprintf(out, "    why: a %s %s-mode %s at linear 0x%08x (CR2): %s%s\n", e & PF_I ? "fetch" : "data",
                e & PF_U ? "user" : "supervisor", e & PF_W ? "write" : "read", cpu->cr2,
                e & PF_RSVD ? "a reserved bit is set in a paging entry"
                            : e & PF_P ? "the page is present but the access is not permitted"
                                       : "the page is not present",
                "");
        mmu_explain_t ex;
        mmu_explain(&cpu->mmu, cpu->cr2, e & PF_U, e & PF_I ? ACCESS_FETCH : e & PF_W ? ACCESS_WRITE : ACCESS_READ,
                    &ex);
        for (int k = 0; k < ex.nsteps; k++)
            fprintf(out, "    %s at 0x%08llx = 0x%llx%s\n", ex.steps[k].level, (unsigned long long)ex.steps[k].entry_addr,
                    (unsigned long long)ex.steps[k].entry, ex.steps[k].entry & PTE_P ? "" : " (not present)");
    } else if (t->vector == EXC_UD) {
        fprintf(out, "    why: the bytes are not an instruction this CPU implements\n");
    } else if (t->vector == EXC_DE) {
        fprintf(out, "    why: division by zero, or the quotient does not fit the destination\n");
    } else if (t->has_error && (t->error & ~3u)) {
        fprintf(out, "    why: about selector 0x%04x (index %u in the %s%s)\n", t->error & 0xFFFC, t->error >> 3,
                t->error & 2 ? "IDT" : t->error & 4 ? "LDT" : "GDT", t->error & 1 ? ", external event" : "");
    }
}

void explain_print(const explain_record_t *r, const session_t *s, FILE *out)
{
    if (!r->valid) {
        fprintf(out, "explain: nothing recorded yet: `step` runs an instruction and records it\n");
        return;
    }
    fprintf(out, "instruction %llu at %04x:%08x (linear 0x%08x): %s\n", (unsigned long long)r->icount,
            r->before.sel[SEG_CS], r->before.eip, r->linear, r->text);
    bool mode_pm = r->before.cr0 & CR0_PE;
    fprintf(out, "  mode: %s, CPL %u, %s\n", !mode_pm ? "real mode" : (r->before.eflags & FLAG_VM) ? "virtual-8086" : "protected mode",
            r->before.cpl, (r->before.cr0 & CR0_PG) ? "paging on" : "paging off");
    /* Events during the step. */
    const trap_record_t *fault = NULL;
    bool delivered = false;
    for (uint64_t n = r->traps_before; n < s->ntraps; n++) {
        const trap_record_t *t = &s->traps[n % SESSION_TRAP_LOG];
        delivered = true;
        if (t->kind == CPU_EVENT_EXCEPTION && !fault)
            fault = t;
        else if (t->kind == CPU_EVENT_HW_INTERRUPT)
            fprintf(out, "  first: hardware interrupt %d was delivered\n", t->vector);
        else if (t->kind == CPU_EVENT_SW_INTERRUPT)
            fprintf(out, "  interrupt: INT %d through %s entry %d -> %04x:%08x\n", t->vector,
                    mode_pm ? "IDT" : "IVT", t->vector, t->cs_after, t->eip_after);
    }
    for (int k = 0; k < r->nacc; k++) {
        const explain_access_t *a = &r->acc[k];
        fprintf(out, "  %s %u byte%s at ", a->write ? "wrote" : "read", a->size, a->size > 1 ? "s" : "");
        describe_where(a, r, s, delivered, out);
        fprintf(out, ": 0x%0*x\n", a->size * 2, a->value);
        describe_page_check(a, r, s, out);
    }
    if (r->dropped)
        fprintf(out, "  (%d more accesses not shown)\n", r->dropped);
    if (!r->nacc)
        fprintf(out, "  memory: no data read or written\n");
    char changes[256];
    if (snap_diff(&r->before, &r->after, (unsigned)r->len, changes, sizeof changes))
        fprintf(out, "  changed: %s\n", changes);
    else
        fprintf(out, "  changed: no register or flag%s\n", r->retired ? "" : " (the instruction did not complete)");
    describe_privilege(r, out);
    if (fault)
        describe_fault(r, fault, s, out);
    else
        fprintf(out, "  fault: none\n");
}
