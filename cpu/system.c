/* System instructions: HLT, CLI/STI, PUSHF/POPF, the descriptor-table
 * registers (LGDT LIDT SGDT SIDT LLDT SLDT LTR STR), the machine status
 * word (LMSW SMSW CLTS), control and debug registers (MOV CRn, MOV DRn),
 * caches and TLB (INVD WBINVD INVLPG), CPUID, RDTSC, RDMSR/WRMSR and
 * SYSENTER/SYSEXIT.
 */
#include "exec.h"

/* ---------------------------------------------------------------- CPUID
 *
 * What CPUID reports, in one place.  A feature bit is set only when the
 * emulator implements the feature; the CR4 bits a guest may set follow from
 * it (cr4_allowed below).  Leaf 1 EDX: */
#define FEAT_FPU (1u << 0)   /* x87 on chip: yes (cpu/fpu*.c) */
#define FEAT_VME (1u << 1)   /* V86 mode extensions and PVI (cpu/vme.c): yes */
#define FEAT_DE (1u << 2)    /* CR4.DE: DR4/DR5 #UD, I/O breakpoints: yes */
#define FEAT_PSE (1u << 3)   /* 4 MiB pages: yes */
#define FEAT_TSC (1u << 4)   /* RDTSC, CR4.TSD: yes */
#define FEAT_MSR (1u << 5)   /* RDMSR/WRMSR: yes */
#define FEAT_PAE (1u << 6)   /* PAE paging (NX: EFER.NXE, extended leaf below): yes */
#define FEAT_MCE (1u << 7)   /* machine-check exception: no */
#define FEAT_CX8 (1u << 8)   /* CMPXCHG8B: yes (cpu/mov.c) */
#define FEAT_APIC (1u << 9)  /* local APIC: no */
#define FEAT_SEP (1u << 11)  /* SYSENTER/SYSEXIT: yes */
#define FEAT_MTRR (1u << 12) /* MTRRs: no */
#define FEAT_PGE (1u << 13)  /* global pages, CR4.PGE: yes */
#define FEAT_MCA (1u << 14)  /* machine-check architecture: no */
#define FEAT_CMOV (1u << 15) /* CMOVcc, and FCMOVcc/FCOMI with the FPU: yes */
#define FEAT_PAT (1u << 16)  /* page attribute table: no */
#define FEAT_MMX (1u << 23)  /* MMX: no */
#define FEAT_FXSR (1u << 24) /* FXSAVE/FXRSTOR, CR4.OSFXSR (x87 state only; no SSE): yes */

#define CPUID_FEATURES_EDX (FEAT_FPU | FEAT_VME | FEAT_DE | FEAT_PSE | FEAT_TSC | FEAT_MSR | FEAT_PAE | \
                            FEAT_CX8 | FEAT_SEP | FEAT_PGE | FEAT_CMOV | FEAT_FXSR)
#define CPUID_MAX_LEAF 1u
/* The extended leaves: 0x80000001 EDX says what the EFER MSR may enable. */
#define EXT_FEAT_SYSCALL (1u << 11) /* SYSCALL/SYSRET, EFER.SCE: no */
#define EXT_FEAT_NX (1u << 20)      /* execute-disable under PAE, EFER.NXE: yes */
#define EXT_FEAT_LM (1u << 29)      /* long mode, EFER.LME: no */

#define CPUID_EXT_FEATURES_EDX EXT_FEAT_NX
#define CPUID_MAX_EXT_LEAF 0x80000004u /* up to the brand string */
/* Our own vendor string (12 bytes, in EBX, EDX, ECX order) and the brand
 * string of leaves 0x80000002-0x80000004 (48 bytes, NUL-padded). */
static const char cpuid_vendor[12] = {'x', '8', '6', 's', 'i', 'm', ' ', 'P', '6', ' ', 'P', 'C'};
static const char cpuid_brand[48] = "x86sim virtual P6 processor";

/* CR4 bits a guest may set: those of the features reported above.  PCE
 * (RDPMC at any CPL) exists on every P6. */
static uint32_t cr4_allowed(void)
{
    uint32_t f = CPUID_FEATURES_EDX, ok = CR4_PCE;
    if (f & FEAT_VME)
        ok |= CR4_VME | CR4_PVI;
    if (f & FEAT_TSC)
        ok |= CR4_TSD;
    if (f & FEAT_DE)
        ok |= CR4_DE;
    if (f & FEAT_PSE)
        ok |= CR4_PSE;
    if (f & FEAT_PAE)
        ok |= CR4_PAE;
    if (f & FEAT_MCE)
        ok |= CR4_MCE;
    if (f & FEAT_PGE)
        ok |= CR4_PGE;
    if (f & FEAT_FXSR)
        ok |= CR4_OSFXSR;
    return ok;
}

/* The EFER bits WRMSR may set, likewise from the extended features. */
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
static uint64_t efer_allowed(void)
{
    uint32_t f = CPUID_EXT_FEATURES_EDX;
    return ((f & EXT_FEAT_SYSCALL) ? EFER_SCE : 0) | ((f & EXT_FEAT_LM) ? EFER_LME : 0) |
           ((f & EXT_FEAT_NX) ? EFER_NXE : 0);
}

/* The k-th little-endian dword of a CPUID string. */
static uint32_t string_word(const char *s, int k)
{
    uint32_t v;
    memcpy(&v, s + 4 * k, 4);
    return v;
}

static void cpuid_set(cpu_t *cpu, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    cpu->gpr[R_EAX] = a;
    cpu->gpr[R_EBX] = b;
    cpu->gpr[R_ECX] = c;
    cpu->gpr[R_EDX] = d;
}

static void cpuid(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint32_t leaf = cpu->gpr[R_EAX];
    /* A leaf beyond the highest basic or extended one answers like the
     * highest basic leaf (Intel's rule). */
    bool extended = leaf >= 0x80000000u && leaf <= CPUID_MAX_EXT_LEAF;
    if (!extended && leaf > CPUID_MAX_LEAF)
        leaf = CPUID_MAX_LEAF;
    switch (leaf) {
    case 0:
        cpuid_set(cpu, CPUID_MAX_LEAF, string_word(cpuid_vendor, 0), string_word(cpuid_vendor, 2),
                  string_word(cpuid_vendor, 1));
        break;
    case 1:
        cpuid_set(cpu, CPU_SIGNATURE, 0, 0, CPUID_FEATURES_EDX);
        break;
    case 0x80000000u:
        cpuid_set(cpu, CPUID_MAX_EXT_LEAF, 0, 0, 0);
        break;
    case 0x80000001u:
        cpuid_set(cpu, 0, 0, 0, CPUID_EXT_FEATURES_EDX);
        break;
    default: { /* 0x80000002-0x80000004: 16 bytes of the brand string each */
        const char *s = cpuid_brand + 16 * (leaf - 0x80000002u);
        cpuid_set(cpu, string_word(s, 0), string_word(s, 1), string_word(s, 2), string_word(s, 3));
        break;
    }
    }
}

/* ---------------------------------------------------------------- privilege */

/* Privileged instructions need CPL 0 (real mode is CPL 0, V86 mode CPL 3). */
static void check_cpl0(cpu_t *cpu)
{
    if (cpu->cpl != 0)
        cpu_exception(cpu, EXC_GP, 0);
}

/* LLDT, SLDT, LTR, STR exist only in protected mode: #UD in real and V86. */
static void require_protected_mode(cpu_t *cpu)
{
    if (!cpu_is_protected(cpu) || cpu_is_v86(cpu))
        cpu_exception(cpu, EXC_UD, 0);
}

static unsigned iopl(const cpu_t *cpu)
{
    return (cpu->eflags & FLAG_IOPL) >> 12;
}

static void hlt(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
    cpu->halted = true;
    end_block(cpu);
}

/* CLI/STI change IF when CPL <= IOPL in protected mode, with IOPL 3 in V86
 * mode.  Otherwise, with VME in V86 mode or PVI at CPL 3, they change VIF
 * (STI faults while VIP is pending); else #GP(0). */
static bool if_allowed(const cpu_t *cpu)
{
    return !cpu_is_protected(cpu) || (cpu_is_v86(cpu) ? iopl(cpu) == 3 : cpu->cpl <= iopl(cpu));
}

static void cli(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (LIKELY(if_allowed(cpu)))
        cpu->eflags &= ~FLAG_IF;
    else if (vif_mode(cpu))
        cpu->eflags &= ~FLAG_VIF;
    else
        cpu_exception(cpu, EXC_GP, 0);
}

static void sti(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if (LIKELY(if_allowed(cpu))) {
        if (!(cpu->eflags & FLAG_IF))
            cpu->irq_inhibit = true; /* the next instruction runs first */
        cpu->eflags |= FLAG_IF;
    } else if (vif_mode(cpu) && !(cpu->eflags & FLAG_VIP)) {
        cpu->eflags |= FLAG_VIF;
    } else {
        cpu_exception(cpu, EXC_GP, 0);
    }
}

/* PUSHF/POPF in V86 mode with IOPL < 3: the 16-bit forms with VME work on
 * VIF (vme.c); otherwise #GP(0), for the monitor to emulate them.  PUSHF
 * stores VM and RF as 0. */
static bool v86_flags_trap(cpu_t *cpu, const insn_t *i)
{
    if (!cpu_is_v86(cpu) || iopl(cpu) == 3)
        return false;
    if (!(cpu->cr4 & CR4_VME) || o32(i))
        cpu_exception(cpu, EXC_GP, 0);
    return true;
}

static void pushf(cpu_t *cpu, const insn_t *i)
{
    if (UNLIKELY(v86_flags_trap(cpu, i)))
        push16(cpu, (uint16_t)vme_flags_image(cpu));
    else
        push_sized(cpu, cpu_get_eflags(cpu) & ~(FLAG_VM | FLAG_RF), o32(i));
}

/* POPF changes no VM, VIF or VIP (and clears RF); IOPL only at CPL 0; IF
 * only when CPL <= IOPL. */
static void popf(cpu_t *cpu, const insn_t *i)
{
    bool is32 = o32(i);
    if (UNLIKELY(v86_flags_trap(cpu, i))) {
        uint32_t v = vme_load_flags(cpu, stack_peek(cpu, 0, false));
        pop16(cpu);
        cpu_set_eflags(cpu, v);
        return;
    }
    uint32_t image = pop_sized(cpu, is32);
    uint32_t mask = FLAGS_ARITH | FLAG_TF | FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT;
    if (is32)
        mask |= FLAG_RF | FLAG_AC | FLAG_ID;
    if (cpu->cpl > 0)
        mask &= ~FLAG_IOPL;
    if (cpu->cpl > iopl(cpu))
        mask &= ~FLAG_IF;
    image &= ~FLAG_RF;
    cpu_set_eflags(cpu, (cpu_get_eflags(cpu) & ~mask) | (image & mask));
}

/* ---------------------------------------------------------------- descriptor tables */

/* The six-byte memory image of GDTR/IDTR: a 16-bit operand size uses only
 * 24 bits of the base (and SGDT/SIDT store 0 in the sixth byte). */
static void load_dtable(cpu_t *cpu, const insn_t *i, dtable_t *t)
{
    check_cpl0(cpu);
    uint32_t off = ea_offset(cpu, i);
    uint16_t limit = rd16(cpu, i->seg, off);
    uint32_t base = rd32(cpu, i->seg, off + 2);
    t->limit = limit;
    t->base = o32(i) ? base : base & 0xFFFFFFu;
}

/* The image as a whole must be 4-byte aligned for #AC (SDM vol. 3, table
 * 6-7), so it is written as words: a dword at offset 2 would be misaligned. */
static void store_dtable(cpu_t *cpu, const insn_t *i, const dtable_t *t)
{
    uint32_t off = ea_offset(cpu, i);
    mmu_check_align(&cpu->mmu, cpu->mmu.cur, seg_linear(cpu, i->seg, off, 6, SEG_RIGHT_W), 4);
    check_write(cpu, i->seg, off, 6);
    uint32_t base = o32(i) ? t->base : t->base & 0xFFFFFFu;
    wr16(cpu, i->seg, off, t->limit);
    wr16(cpu, i->seg, off + 2, (uint16_t)base);
    wr16(cpu, i->seg, off + 4, (uint16_t)(base >> 16));
}

static void lgdt(cpu_t *c, const insn_t *i) { load_dtable(c, i, &c->gdtr); }
static void lidt(cpu_t *c, const insn_t *i) { load_dtable(c, i, &c->idtr); }
static void sgdt(cpu_t *c, const insn_t *i) { store_dtable(c, i, &c->gdtr); }
static void sidt(cpu_t *c, const insn_t *i) { store_dtable(c, i, &c->idtr); }

/* The Ew operand of LLDT, LTR and LMSW. */
static uint16_t word_operand(cpu_t *cpu, const insn_t *i)
{
    return (i->pfx & PFX_MEM) ? (uint16_t)ea_rd16(cpu, i) : get_r16(cpu, i->rm);
}

/* Stores a selector or the MSW: a register with 32-bit operand size gets
 * the value zero-extended, memory always 16 bits. */
static void store_word(cpu_t *cpu, const insn_t *i, uint32_t v)
{
    if (i->pfx & PFX_MEM)
        ea_wr16(cpu, i, (uint16_t)v);
    else if (o32(i))
        cpu->gpr[i->rm] = v;
    else
        set_r16(cpu, i->rm, (uint16_t)v);
}

/* Reads a system descriptor for LLDT/LTR: the selector must be in the GDT
 * and of one of the `types` (bit mask). */
static desc_t system_desc(cpu_t *cpu, uint16_t sel, uint32_t types)
{
    desc_t d;
    if ((sel & 4) || !desc_read(cpu, sel, &d) || (desc_access(d) & DESC_S) ||
        !(types & (1u << (desc_access(d) & 0x0F))))
        cpu_exception(cpu, EXC_GP, sel & 0xFFFC);
    if (!(desc_access(d) & DESC_P))
        cpu_exception(cpu, EXC_NP, sel & 0xFFFC);
    return d;
}

static void lldt(cpu_t *cpu, const insn_t *i)
{
    require_protected_mode(cpu);
    check_cpl0(cpu);
    uint16_t sel = word_operand(cpu, i);
    if ((sel & ~3u) == 0) {
        cpu->ldtr = (segment_t){.sel = sel}; /* null: LDT references fault */
        return;
    }
    desc_t d = system_desc(cpu, sel, 1u << 0x2);
    seg_cache_from_desc(cpu, &cpu->ldtr, sel, d, false);
}

static void ltr(cpu_t *cpu, const insn_t *i)
{
    require_protected_mode(cpu);
    check_cpl0(cpu);
    uint16_t sel = word_operand(cpu, i);
    if ((sel & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    desc_t d = system_desc(cpu, sel, (1u << 0x1) | (1u << 0x9)); /* available TSS */
    d.hi |= 0x200; /* busy */
    sys_wr8(cpu, cpu->gdtr.base + (sel & ~7u) + 5, desc_access(d));
    seg_cache_from_desc(cpu, &cpu->tr, sel, d, false);
}

/* SLDT/STR: in memory, the LDTR and TR contents need 4-byte alignment for
 * #AC like SGDT's image (SDM vol. 3, table 6-7), though only a word is
 * written. */
static void store_selector(cpu_t *cpu, const insn_t *i, uint16_t sel)
{
    require_protected_mode(cpu);
    if (i->pfx & PFX_MEM)
        mmu_check_align(&cpu->mmu, cpu->mmu.cur,
                        seg_linear(cpu, i->seg, ea_offset(cpu, i), 2, SEG_RIGHT_W), 4);
    store_word(cpu, i, sel);
}

static void sldt(cpu_t *c, const insn_t *i) { store_selector(c, i, c->ldtr.sel); }
static void str(cpu_t *c, const insn_t *i) { store_selector(c, i, c->tr.sel); }

/* ---------------------------------------------------------------- CR0 and the MSW */

/* The CR0 bits that exist; writes to the others are ignored. */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
                     CR0_NW | CR0_CD | CR0_PG)

static void write_cr0(cpu_t *cpu, uint32_t v)
{
    v = (v & CR0_DEFINED) | CR0_ET;
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
        cpu_exception(cpu, EXC_GP, 0);
    if (!cpu_set_cr0(cpu, v))
        cpu_exception(cpu, EXC_GP, 0); /* PAE paging with a bad PDPTE */
}

static void smsw(cpu_t *c, const insn_t *i) { store_word(c, i, c->cr0); }

/* LMSW loads PE, MP, EM and TS; it can set PE but not clear it. */
static void lmsw(cpu_t *cpu, const insn_t *i)
{
    check_cpl0(cpu);
    uint32_t msw = word_operand(cpu, i) & 0xF;
    cpu_set_cr0(cpu, (cpu->cr0 & ~0xEu) | msw | (cpu->cr0 & CR0_PE));
}

static void clts(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
    cpu_set_cr0(cpu, cpu->cr0 & ~CR0_TS);
}

/* INVD and WBINVD: there are no caches to write back or drop. */
static void flush_caches(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
}

static void invlpg(cpu_t *cpu, const insn_t *i)
{
    check_cpl0(cpu);
    mmu_invlpg(&cpu->mmu, cpu->seg[i->seg].base + ea_offset(cpu, i));
    end_block(cpu);
}

/* ---------------------------------------------------------------- MOV CRn, MOV DRn */

/* The register operand is always ModRM.rm (mod is ignored: decode.c
 * treats these opcodes as register forms). */
static void mov_from_cr(cpu_t *cpu, const insn_t *i)
{
    uint32_t v;
    switch (i->reg) {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    default: cpu_exception(cpu, EXC_UD, 0);
    }
    check_cpl0(cpu);
    cpu->gpr[i->rm] = v;
}

static void mov_to_cr(cpu_t *cpu, const insn_t *i)
{
    if (i->reg != 0 && i->reg != 2 && i->reg != 3 && i->reg != 4)
        cpu_exception(cpu, EXC_UD, 0);
    check_cpl0(cpu);
    uint32_t v = cpu->gpr[i->rm];
    switch (i->reg) {
    case 0:
        write_cr0(cpu, v);
        break;
    case 2:
        cpu->cr2 = v;
        break;
    case 3:
        if (!cpu_set_cr3(cpu, v))
            cpu_exception(cpu, EXC_GP, 0); /* PAE PDPTE with reserved bits */
        break;
    default: {
        uint32_t old = cpu->cr4;
        if (v & ~cr4_allowed())
            cpu_exception(cpu, EXC_GP, 0);
        if (!cpu_set_cr4(cpu, v))
            cpu_exception(cpu, EXC_GP, 0); /* PAE paging with a bad PDPTE */
        if ((v ^ old) & CR4_DE) /* I/O breakpoints come or go */
            cpu_debug_changed(cpu);
        break;
    }
    }
}

#define DR6_BD (1u << 13)
#define DR7_GD (1u << 13)

/* The debug register MOV DRn names, after the CPL, DR4/DR5 and DR7.GD
 * checks: DR4 and DR5 are DR6 and DR7 unless CR4.DE makes them #UD. */
static int debug_register(cpu_t *cpu, const insn_t *i)
{
    check_cpl0(cpu);
    int n = i->reg;
    if (n == 4 || n == 5) {
        if (cpu->cr4 & CR4_DE)
            cpu_exception(cpu, EXC_UD, 0);
        n += 2;
    }
    if (cpu->dr[7] & DR7_GD) {
        /* General detect: a fault before the access; the handler is
         * entered with GD clear so it may use the registers. */
        cpu->dr[6] |= DR6_BD;
        cpu->dr[7] &= ~DR7_GD;
        cpu->eflags |= FLAG_RF; /* a fault-class #DB: RF=1 in the saved image */
        cpu_exception(cpu, EXC_DB, 0);
    }
    return n;
}

static void mov_from_dr(cpu_t *cpu, const insn_t *i)
{
    int n = debug_register(cpu, i);
    cpu->gpr[i->rm] = cpu->dr[n];
}

static void mov_to_dr(cpu_t *cpu, const insn_t *i)
{
    int n = debug_register(cpu, i);
    uint32_t v = cpu->gpr[i->rm];
    if (n == 6)
        v = (v & 0xE00Fu) | 0xFFFF0FF0u; /* B0-B3, BD, BS, BT; the rest fixed */
    else if (n == 7)
        v = (v & 0xFFFF23FFu) | 0x400u; /* bits 11, 12, 14, 15 are 0, bit 10 is 1 */
    cpu->dr[n] = v;
    cpu_debug_changed(cpu);
}

/* ---------------------------------------------------------------- TSC and MSRs */

#define MSR_TSC 0x10u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_EFER 0xC0000080u

static uint64_t tsc(const cpu_t *cpu)
{
    return tsc_ticks(cpu) + cpu->tsc_offset;
}

static void rdtsc(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0)
        cpu_exception(cpu, EXC_GP, 0);
    uint64_t t = tsc(cpu);
    cpu->gpr[R_EAX] = (uint32_t)t;
    cpu->gpr[R_EDX] = (uint32_t)(t >> 32);
}

static void rdmsr(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
    uint64_t v;
    switch (cpu->gpr[R_ECX]) {
    case MSR_TSC: v = tsc(cpu); break;
    case MSR_SYSENTER_CS: v = cpu->msr.sysenter_cs; break;
    case MSR_SYSENTER_ESP: v = cpu->msr.sysenter_esp; break;
    case MSR_SYSENTER_EIP: v = cpu->msr.sysenter_eip; break;
    case MSR_EFER: v = cpu->msr.efer; break;
    default: cpu_exception(cpu, EXC_GP, 0);
    }
    cpu->gpr[R_EAX] = (uint32_t)v;
    cpu->gpr[R_EDX] = (uint32_t)(v >> 32);
}

static void wrmsr(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    check_cpl0(cpu);
    uint32_t lo = cpu->gpr[R_EAX];
    switch (cpu->gpr[R_ECX]) {
    case MSR_TSC:
        /* P6: only the low 32 bits can be written; the high ones clear. */
        cpu->tsc_offset = (uint64_t)lo - tsc_ticks(cpu);
        break;
    case MSR_SYSENTER_CS: cpu->msr.sysenter_cs = lo; break;
    case MSR_SYSENTER_ESP: cpu->msr.sysenter_esp = lo; break;
    case MSR_SYSENTER_EIP: cpu->msr.sysenter_eip = lo; break;
    case MSR_EFER: {
        /* Reserved bits, and those of features we lack (SCE, LME; LMA is
         * read-only), give #GP(0).  NXE changes what the TLB caches. */
        uint64_t v = (uint64_t)cpu->gpr[R_EDX] << 32 | lo;
        if (v & ~efer_allowed())
            cpu_exception(cpu, EXC_GP, 0);
        cpu->msr.efer = v;
        mmu_set_efer(&cpu->mmu, v);
        end_block(cpu); /* the next fetch sees the new execute rights */
        break;
    }
    default: cpu_exception(cpu, EXC_GP, 0);
    }
}

/* ---------------------------------------------------------------- SYSENTER, SYSEXIT */

/* The flat 4 GiB segments SYSENTER and SYSEXIT load without reading any
 * descriptor: code execute/read accessed, data read/write accessed. */
static void load_flat(cpu_t *cpu, int s, uint16_t sel, unsigned dpl)
{
    uint8_t access = (uint8_t)(DESC_P | (dpl << 5) | DESC_S | (s == SEG_CS ? 0x0B : 0x03));
    cpu_load_seg_raw(cpu, s, sel, 0, 0xFFFFFFFFu, access, DESC_FLAG_G | DESC_FLAG_DB);
}

static void sysenter(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu_is_protected(cpu) || (cs & ~3u) == 0)
        cpu_exception(cpu, EXC_GP, 0);
    cpu_set_eflags(cpu, cpu_get_eflags(cpu) & ~(FLAG_VM | FLAG_IF | FLAG_RF));
    cpu_set_cpl(cpu, 0);
    load_flat(cpu, SEG_CS, cs & 0xFFFC, 0);
    load_flat(cpu, SEG_SS, (cs & 0xFFFC) + 8, 0);
    cpu->gpr[R_ESP] = cpu->msr.sysenter_esp;
    cpu->eip = cpu->msr.sysenter_eip;
}

static void sysexit(cpu_t *cpu, const insn_t *i)
{
    (void)i;
    uint16_t cs = (uint16_t)cpu->msr.sysenter_cs;
    if (!cpu_is_protected(cpu) || (cs & ~3u) == 0 || cpu->cpl != 0)
        cpu_exception(cpu, EXC_GP, 0);
    cpu_set_cpl(cpu, 3);
    load_flat(cpu, SEG_CS, (uint16_t)((cs + 16) | 3), 3);
    load_flat(cpu, SEG_SS, (uint16_t)((cs + 24) | 3), 3);
    cpu->gpr[R_ESP] = cpu->gpr[R_ECX];
    cpu->eip = cpu->gpr[R_EDX];
}

const opdef_t system_ops[] = {
    {0xF4, -1, -1, 0, 0, "hlt", "", OPF_END, H(hlt)},
    {0xFA, -1, -1, 0, 0, "cli", "", 0, H(cli)},
    {0xFB, -1, -1, 0, 0, "sti", "", OPF_END, H(sti)},
    {0x9C, -1, -1, 0, 0, "pushf/pushfd", "", 0, H(pushf)},
    {0x9D, -1, -1, 0, 0, "popf/popfd", "", OPF_END, H(popf)},
    {0x100, 0, -1, 0, 0, "sldt", "Rv/Mw", 0, H(sldt)},
    {0x100, 1, -1, 0, 0, "str", "Rv/Mw", 0, H(str)},
    {0x100, 2, -1, 0, 0, "lldt", "Ew", 0, H(lldt)},
    {0x100, 3, -1, 0, 0, "ltr", "Ew", 0, H(ltr)},
    {0x101, 0, -1, OPMOD_MEM, 0, "sgdt", "Ms", 0, H(sgdt)},
    {0x101, 1, -1, OPMOD_MEM, 0, "sidt", "Ms", 0, H(sidt)},
    {0x101, 2, -1, OPMOD_MEM, 0, "lgdt", "Ms", OPF_END, H(lgdt)},
    {0x101, 3, -1, OPMOD_MEM, 0, "lidt", "Ms", OPF_END, H(lidt)},
    {0x101, 4, -1, 0, 0, "smsw", "Mw/Rv", 0, H(smsw)},
    {0x101, 6, -1, 0, 0, "lmsw", "Ew", OPF_END, H(lmsw)},
    {0x101, 7, -1, OPMOD_MEM, 0, "invlpg", "Mb", OPF_END, H(invlpg)},
    {0x106, -1, -1, 0, 0, "clts", "", 0, H(clts)},
    {0x108, -1, -1, 0, 0, "invd", "", 0, H(flush_caches)},
    {0x109, -1, -1, 0, 0, "wbinvd", "", 0, H(flush_caches)},
    {0x120, -1, -1, 0, 0, "mov", "Rd,Cd", 0, H(mov_from_cr)},
    {0x121, -1, -1, 0, 0, "mov", "Rd,Dd", 0, H(mov_from_dr)},
    {0x122, -1, -1, 0, 0, "mov", "Cd,Rd", OPF_END, H(mov_to_cr)},
    {0x123, -1, -1, 0, 0, "mov", "Dd,Rd", OPF_END, H(mov_to_dr)},
    {0x130, -1, -1, 0, 0, "wrmsr", "", 0, H(wrmsr)},
    {0x131, -1, -1, 0, 0, "rdtsc", "", 0, H(rdtsc)},
    {0x132, -1, -1, 0, 0, "rdmsr", "", 0, H(rdmsr)},
    {0x134, -1, -1, 0, 0, "sysenter", "", OPF_END, H(sysenter)},
    {0x135, -1, -1, 0, 0, "sysexit", "", OPF_END, H(sysexit)},
    {0x1A2, -1, -1, 0, 0, "cpuid", "", 0, H(cpuid)},
    {0},
};
