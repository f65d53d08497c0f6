/* Side-effect-free views of the guest (see inspect.h). */
#include "inspect.h"

#include <stdio.h>
#include <string.h>

const char *const reg32_names[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
const char *const seg_names[6] = {"es", "cs", "ss", "ds", "fs", "gs"};

const char *cpu_event_kind_name(int kind)
{
    switch (kind) {
    case CPU_EVENT_EXCEPTION: return "exception";
    case CPU_EVENT_HW_INTERRUPT: return "hardware interrupt";
    case CPU_EVENT_SW_INTERRUPT: return "software interrupt";
    default: return "triple fault";
    }
}

/* The physical address of `addr`, or false when it does not translate. */
static bool to_physical(machine_t *m, uint32_t addr, bool physical, uint32_t *phys)
{
    if (physical) {
        *phys = addr;
        return true;
    }
    return mmu_probe(&m->cpu.mmu, addr, false, ACCESS_READ, phys);
}

size_t guest_read(machine_t *m, uint32_t addr, bool physical, void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        uint32_t a = addr + (uint32_t)done, phys;
        if (!to_physical(m, a, physical, &phys))
            break;
        const uint8_t *page = physmem_page_ptr(&m->mem, phys & m->mem.a20_mask, false);
        if (!page)
            break;
        size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1)); /* to the end of this page */
        if (n > len - done)
            n = len - done;
        memcpy(out + done, page + (phys & (PAGE_SIZE - 1)), n);
        done += n;
        if ((uint32_t)(a + n) == 0)
            break; /* wrapped around 4 GiB */
    }
    return done;
}

size_t guest_write(machine_t *m, uint32_t addr, bool physical, const void *buf, size_t len)
{
    const uint8_t *in = buf;
    size_t done = 0;
    for (; done < len; done++) {
        uint32_t phys;
        if (!to_physical(m, addr + (uint32_t)done, physical, &phys))
            break;
        phys &= m->mem.a20_mask;
        if (physmem_where(&m->mem, phys).kind != PHYS_RAM)
            break;
        physmem_write(&m->mem, phys, in[done], 1); /* drops decoded code on the page */
    }
    return done;
}

void snap_take(cpu_t *cpu, cpu_snap_t *s)
{
    memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
    s->eip = cpu->eip;
    s->eflags = cpu_get_eflags(cpu);
    for (int k = 0; k < 6; k++)
        s->sel[k] = cpu->seg[k].sel;
    s->cr0 = cpu->cr0;
    s->cr2 = cpu->cr2;
    s->cr3 = cpu->cr3;
    s->cr4 = cpu->cr4;
    s->cpl = cpu->cpl;
}

static const struct {
    uint32_t bit;
    const char *name;
} flag_table[] = {
    {FLAG_CF, "CF"}, {FLAG_PF, "PF"}, {FLAG_AF, "AF"}, {FLAG_ZF, "ZF"}, {FLAG_SF, "SF"},
    {FLAG_TF, "TF"}, {FLAG_IF, "IF"}, {FLAG_DF, "DF"}, {FLAG_OF, "OF"}, {FLAG_NT, "NT"},
    {FLAG_RF, "RF"}, {FLAG_VM, "VM"}, {FLAG_AC, "AC"}, {FLAG_VIF, "VIF"}, {FLAG_VIP, "VIP"},
    {FLAG_ID, "ID"},
};
#define FLAG_COUNT (sizeof flag_table / sizeof flag_table[0])

const char *flags_names(uint32_t eflags, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t k = 0; k < FLAG_COUNT; k++)
        if ((eflags & flag_table[k].bit) && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", flag_table[k].name);
    if ((eflags & FLAG_IOPL) && used < size)
        snprintf(buf + used, size - used, "%sIOPL=%u", used ? " " : "", (eflags & FLAG_IOPL) >> 12);
    return buf;
}

char *put_hex(char *p, uint32_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int k = digits - 1; k >= 0; k--)
        p[k] = hex[v & 15], v >>= 4;
    return p + digits;
}

char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

/* One "name=value" item, with a separating space after the first. */
static char *put_item(char *p, int *n, const char *name, uint32_t v, int digits)
{
    if ((*n)++)
        *p++ = ' ';
    p = put_str(p, name);
    *p++ = '=';
    return put_hex(p, v, digits);
}

/* The longest text snap_diff can write: every register, every flag. */
#define SNAP_DIFF_MAX 400

int snap_diff(const cpu_snap_t *a, const cpu_snap_t *b, unsigned len, char *buf, size_t size)
{
    char tmp[SNAP_DIFF_MAX], *p = tmp;
    int n = 0;
    for (int k = 0; k < 8; k++)
        if (a->gpr[k] != b->gpr[k])
            p = put_item(p, &n, reg32_names[k], b->gpr[k], 8);
    for (int k = 0; k < 6; k++)
        if (a->sel[k] != b->sel[k])
            p = put_item(p, &n, seg_names[k], b->sel[k], 4);
    if (b->eip != a->eip + len || a->sel[SEG_CS] != b->sel[SEG_CS])
        p = put_item(p, &n, "eip", b->eip, 8);
    static const char *const cr_names[4] = {"cr0", "cr2", "cr3", "cr4"};
    const uint32_t *ca = &a->cr0, *cb = &b->cr0;
    for (int k = 0; k < 4; k++)
        if (ca[k] != cb[k])
            p = put_item(p, &n, cr_names[k], cb[k], 8);
    if (a->cpl != b->cpl)
        p = put_item(p, &n, "cpl", b->cpl, 1);
    uint32_t changed = a->eflags ^ b->eflags;
    if (changed) {
        p = put_str(p, n ? " flags:" : "flags:");
        for (size_t k = 0; k < FLAG_COUNT; k++)
            if (changed & flag_table[k].bit) {
                *p++ = ' ';
                *p++ = (b->eflags & flag_table[k].bit) ? '+' : '-';
                p = put_str(p, flag_table[k].name);
                n++;
            }
        if (changed & FLAG_IOPL) {
            p = put_str(p, " IOPL=");
            *p++ = (char)('0' + ((b->eflags & FLAG_IOPL) >> 12));
            n++;
        }
    }
    size_t used = (size_t)(p - tmp) < size ? (size_t)(p - tmp) : size - 1;
    memcpy(buf, tmp, used);
    buf[used] = 0;
    return n;
}
