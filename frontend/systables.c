/* System-state views for the debugger (see systables.h).  Descriptor
 * layouts follow the Intel SDM vol. 3, sections 3.4.5 (segment
 * descriptors), 6.11 (IDT gates) and 7.2.1 (the 32-bit TSS). */
#include "systables.h"

#include <string.h>

#include "inspect.h"

static const char *const seg_upper[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};

/* System descriptor types (S = 0). */
static const char *system_type_name(unsigned type)
{
    static const char *const names[16] = {
        "reserved",        "16-bit TSS (available)", "LDT",           "16-bit TSS (busy)",
        "16-bit call gate", "task gate",             "16-bit interrupt gate", "16-bit trap gate",
        "reserved",        "32-bit TSS (available)", "reserved",      "32-bit TSS (busy)",
        "32-bit call gate", "reserved",              "32-bit interrupt gate", "32-bit trap gate",
    };
    return names[type & 15];
}

/* "code, execute/read, conforming, DPL 0, present, 32-bit, 4 KiB granular" */
static void describe_access(uint8_t access, uint8_t flags, FILE *out)
{
    if (!(access & DESC_S)) {
        fprintf(out, "%s", system_type_name(access & 15));
    } else if (access & DESC_CODE) {
        fprintf(out, "code, %s%s", access & DESC_READABLE ? "execute/read" : "execute-only",
                access & DESC_CONFORMING ? ", conforming" : "");
    } else {
        fprintf(out, "data, %s%s", access & DESC_WRITABLE ? "read/write" : "read-only",
                access & DESC_EXPAND_DOWN ? ", expand-down" : "");
    }
    if ((access & DESC_S) && (access & DESC_ACCESSED))
        fprintf(out, ", accessed");
    fprintf(out, ", DPL %u, %s", (access >> 5) & 3, access & DESC_P ? "present" : "NOT present");
    if (access & DESC_S)
        fprintf(out, ", %s, %s", flags & DESC_FLAG_DB ? "32-bit" : "16-bit",
                flags & DESC_FLAG_G ? "4 KiB granular" : "byte granular");
}

static void show_segment(const char *name, const segment_t *sg, FILE *out)
{
    fprintf(out, "%-4s 0x%04x base=0x%08x limit=0x%08x (index %u, %s, RPL %u) ", name, sg->sel, sg->base, sg->limit,
            sg->sel >> 3, sg->sel & 4 ? "LDT" : "GDT", sg->sel & 3);
    describe_access(sg->access, sg->flags, out);
    fputc('\n', out);
}

void show_sregs(machine_t *m, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    for (int k = 0; k < 6; k++)
        show_segment(seg_upper[k], &cpu->seg[k], out);
    show_segment("LDTR", &cpu->ldtr, out);
    show_segment("TR", &cpu->tr, out);
    fprintf(out, "GDTR base=0x%08x limit=0x%04x\nIDTR base=0x%08x limit=0x%04x\n", cpu->gdtr.base, cpu->gdtr.limit,
            cpu->idtr.base, cpu->idtr.limit);
}

static void show_bits(const char *name, uint32_t value, const char *const *bit_names, FILE *out)
{
    fprintf(out, "%s=0x%08x [", name, value);
    bool first = true;
    for (int b = 31; b >= 0; b--)
        if ((value >> b & 1) && bit_names[b]) {
            fprintf(out, "%s%s", first ? "" : " ", bit_names[b]);
            first = false;
        }
    fprintf(out, "]\n");
}

void show_cregs(machine_t *m, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    static const char *const cr0_bits[32] = {[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET",
                                             [5] = "NE", [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD",
                                             [31] = "PG"};
    static const char *const cr4_bits[32] = {[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE",
                                             [5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
                                             [10] = "OSXMMEXCPT"};
    show_bits("CR0", cpu->cr0, cr0_bits, out);
    fprintf(out, "CR2=0x%08x (last page-fault address)\n", cpu->cr2);
    fprintf(out, "CR3=0x%08x (page directory at 0x%08x%s%s)\n", cpu->cr3, cpu->cr3 & PAGE_MASK,
            cpu->cr3 & 8 ? ", PWT" : "", cpu->cr3 & 16 ? ", PCD" : "");
    show_bits("CR4", cpu->cr4, cr4_bits, out);
    fprintf(out, "EFER=0x%016llx\n", (unsigned long long)cpu->msr.efer);
}

void show_dregs(machine_t *m, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    for (int k = 0; k < 4; k++)
        fprintf(out, "DR%d=0x%08x\n", k, cpu->dr[k]);
    fprintf(out, "DR6=0x%08x\nDR7=0x%08x\n", cpu->dr[6], cpu->dr[7]);
}

/* Reads the 8-byte descriptor at linear `addr`; false when unreadable. */
static bool read_desc(machine_t *m, uint32_t addr, uint32_t *lo, uint32_t *hi)
{
    uint32_t d[2];
    if (guest_read(m, addr, false, d, 8) != 8)
        return false;
    *lo = d[0];
    *hi = d[1];
    return true;
}

static void show_descriptor_table(machine_t *m, const char *name, uint32_t base, uint32_t limit, FILE *out)
{
    fprintf(out, "%s at 0x%08x, limit 0x%x (%u entries):\n", name, base, limit, (limit + 1) / 8);
    for (uint32_t off = 0; off + 7 <= limit; off += 8) {
        uint32_t lo, hi;
        if (!read_desc(m, base + off, &lo, &hi)) {
            fprintf(out, "  %s[0x%02x]: unreadable (not mapped)\n", name, off);
            break;
        }
        if (!lo && !hi) {
            if (off == 0)
                fprintf(out, "  %s[0x00]: null\n", name);
            continue;
        }
        uint8_t access = (uint8_t)(hi >> 8), flags = (uint8_t)((hi >> 16) & 0xF0);
        fprintf(out, "  %s[0x%02x]: ", name, off);
        if (!(access & DESC_S) && ((access & 15) == 4 || (access & 15) == 12 || (access & 15) == 5)) {
            fprintf(out, "%s to 0x%04x:0x%08x, ", system_type_name(access & 15), lo >> 16,
                    (hi & 0xFFFF0000u) | (lo & 0xFFFF));
            fprintf(out, "DPL %u, %s\n", (access >> 5) & 3, access & DESC_P ? "present" : "NOT present");
            continue;
        }
        uint32_t sbase = (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u);
        uint32_t slimit = (lo & 0xFFFF) | (hi & 0xF0000u);
        if (flags & DESC_FLAG_G)
            slimit = (slimit << 12) | 0xFFF;
        fprintf(out, "base=0x%08x limit=0x%08x ", sbase, slimit);
        describe_access(access, flags, out);
        fputc('\n', out);
    }
}

void show_gdt(machine_t *m, FILE *out)
{
    show_descriptor_table(m, "GDT", m->cpu.gdtr.base, m->cpu.gdtr.limit, out);
}

void show_ldt(machine_t *m, FILE *out)
{
    if ((m->cpu.ldtr.sel & ~3u) == 0) {
        fprintf(out, "LDT: none (LDTR holds the null selector)\n");
        return;
    }
    show_descriptor_table(m, "LDT", m->cpu.ldtr.base, m->cpu.ldtr.limit, out);
}

void show_idt(machine_t *m, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    if (!cpu_is_protected(cpu)) {
        fprintf(out, "interrupt vector table at 0x%08x, limit 0x%x:\n", cpu->idtr.base, cpu->idtr.limit);
        for (uint32_t v = 0; v < 256 && v * 4 + 3 <= cpu->idtr.limit; v++) {
            uint16_t e[2];
            if (guest_read(m, cpu->idtr.base + v * 4, false, e, 4) != 4)
                break;
            if (e[0] || e[1])
                fprintf(out, "  IVT[0x%02x] -> %04x:%04x  %s\n", v, e[1], e[0], v < 20 ? cpu_exception_name((int)v) : "");
        }
        return;
    }
    show_descriptor_table(m, "IDT", cpu->idtr.base, cpu->idtr.limit, out);
}

void show_tss(machine_t *m, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    fprintf(out, "TR 0x%04x: base=0x%08x limit=0x%x, %s\n", cpu->tr.sel, cpu->tr.base, cpu->tr.limit,
            system_type_name(cpu->tr.access & 15));
    if (!(cpu->tr.access & 8)) {
        fprintf(out, "  (16-bit or no TSS: fields not shown)\n");
        return;
    }
    uint32_t t[26];
    if (cpu->tr.limit < 0x67 || guest_read(m, cpu->tr.base, false, t, sizeof t) != sizeof t) {
        fprintf(out, "  unreadable\n");
        return;
    }
    fprintf(out, "  link=0x%04x\n  esp0=0x%08x ss0=0x%04x\n  esp1=0x%08x ss1=0x%04x\n  esp2=0x%08x ss2=0x%04x\n",
            t[0] & 0xFFFF, t[1], t[2] & 0xFFFF, t[3], t[4] & 0xFFFF, t[5], t[6] & 0xFFFF);
    fprintf(out, "  cr3=0x%08x eip=0x%08x eflags=0x%08x\n", t[7], t[8], t[9]);
    for (int k = 0; k < 8; k++)
        fprintf(out, "%s%s=0x%08x", k == 4 ? "\n  " : k ? " " : "  ", reg32_names[k], t[10 + k]);
    fprintf(out, "\n  es=0x%04x cs=0x%04x ss=0x%04x ds=0x%04x fs=0x%04x gs=0x%04x ldt=0x%04x\n", t[18] & 0xFFFF,
            t[19] & 0xFFFF, t[20] & 0xFFFF, t[21] & 0xFFFF, t[22] & 0xFFFF, t[23] & 0xFFFF, t[24] & 0xFFFF);
    fprintf(out, "  I/O bitmap at offset 0x%04x, T=%u\n", t[25] >> 16, t[25] & 1);
}

/* ---------------------------------------------------------------- paging */

static void print_range(uint32_t lin_start, uint32_t lin_end, uint32_t phys_start, const mmu_explain_t *ex,
                        FILE *out)
{
    fprintf(out, "  0x%08x-0x%08x -> 0x%08x-0x%08x %s %s%s\n", lin_start, lin_end, phys_start,
            phys_start + (lin_end - lin_start), ex->writable ? "rw" : "ro", ex->user ? "user" : "supervisor",
            ex->global ? " global" : "");
}

void show_page_tables(machine_t *m, FILE *out)
{
    const mmu_t *mmu = &m->cpu.mmu;
    if (!(mmu->cr0 & CR0_PG)) {
        fprintf(out, "paging is off: linear = physical\n");
        return;
    }
    fprintf(out, "mappings (linear -> physical), cr3=0x%08x%s:\n", mmu->cr3, mmu->cr4 & CR4_PAE ? ", PAE" : "");
    bool open = false;
    uint32_t start = 0, pstart = 0, prev_phys = 0;
    mmu_explain_t run = {0};
    uint64_t lin = 0;
    while (lin < 0x100000000ull) {
        mmu_explain_t ex;
        mmu_explain(mmu, (uint32_t)lin, false, ACCESS_READ, &ex);
        uint32_t phys = (uint32_t)ex.physical;
        bool extends = open && ex.ok && phys == prev_phys + PAGE_SIZE && ex.writable == run.writable &&
                       ex.user == run.user && ex.global == run.global;
        if (open && !extends) {
            print_range(start, (uint32_t)lin - 1, pstart, &run, out);
            open = false;
        }
        if (ex.ok && !open) {
            open = true;
            start = (uint32_t)lin;
            pstart = phys;
            run = ex;
        }
        prev_phys = phys;
        /* Skip a whole table's reach when its directory entry is absent. */
        uint64_t step = PAGE_SIZE;
        if (!ex.ok && ex.nsteps >= 1 && !(ex.steps[ex.nsteps - 1].entry & PTE_P)) {
            const char *level = ex.steps[ex.nsteps - 1].level;
            if (!strcmp(level, "PDE"))
                step = (mmu->cr4 & CR4_PAE) ? (2u << 20) : (4u << 20);
            else if (!strcmp(level, "PDPTE"))
                step = 1u << 30;
            lin &= ~(step - 1);
        }
        lin += step;
    }
    if (open)
        print_range(start, 0xFFFFFFFFu, pstart, &run, out);
}

void show_xlate(machine_t *m, uint32_t linear, FILE *out)
{
    const cpu_t *cpu = &m->cpu;
    mmu_explain_t ex;
    mmu_explain(&cpu->mmu, linear, cpu->cpl == 3, ACCESS_READ, &ex);
    fprintf(out, "linear 0x%08x (%s read):\n", linear, cpu->cpl == 3 ? "user" : "supervisor");
    if (!ex.paging) {
        fprintf(out, "  paging off: physical = linear\n");
    } else {
        fprintf(out, "  cr3=0x%08x, %s paging\n", ex.cr3, ex.pae ? "PAE" : "32-bit");
        for (int k = 0; k < ex.nsteps; k++) {
            uint64_t e = ex.steps[k].entry;
            fprintf(out, "  %-5s at 0x%08llx = 0x%0*llx [%s%s%s%s%s%s]\n", ex.steps[k].level,
                    (unsigned long long)ex.steps[k].entry_addr,
                    ex.pae ? 16 : 8, (unsigned long long)e, e & PTE_P ? "P" : "not present", e & PTE_W ? " W" : "",
                    e & PTE_U ? " U" : "", e & PTE_A ? " A" : "", e & PTE_D ? " D" : "", e & PTE_PS ? " PS" : "");
        }
        if (!ex.ok) {
            fprintf(out, "  no translation: this access would raise #PF with error code 0x%x\n", ex.fault_error);
            return;
        }
        fprintf(out, "  %u KiB page, %s, %s%s\n", ex.page_size >> 10, ex.writable ? "writable" : "read-only",
                ex.user ? "user" : "supervisor only", ex.executable ? "" : ", no-execute");
    }
    uint32_t phys = (uint32_t)ex.physical & m->mem.a20_mask;
    phys_where_t w = physmem_where(&m->mem, phys);
    fprintf(out, "  -> physical 0x%08x: %s", phys, phys_kind_name(w.kind));
    if (w.kind == PHYS_MMIO && w.mmio)
        fprintf(out, " (%s, offset 0x%x)", w.mmio->name, w.offset);
    else if (w.kind != PHYS_UNASSIGNED)
        fprintf(out, " offset 0x%x", w.offset);
    const uint8_t *host = physmem_page_ptr(&m->mem, phys, false);
    if (host)
        fprintf(out, " -> host %p", (const void *)(host + (phys & (PAGE_SIZE - 1))));
    fputc('\n', out);
}
