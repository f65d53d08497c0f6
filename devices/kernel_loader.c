/* Direct kernel boot (see kernel_loader.h). */
#include "kernel_loader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Guest-physical layout of what the loader writes below 1 MiB. */
#define GDT_ADDR 0x6000u
#define ZERO_PAGE_ADDR 0x7000u
#define MB_INFO_ADDR 0x9000u  /* multiboot information structure */
#define MB_MMAP_ADDR 0x9100u
#define MB_MODS_ADDR 0x9400u
#define MB_STRINGS_ADDR 0x9800u
#define MB_STRINGS_END 0xA000u
#define CMDLINE_ADDR 0x20000u
#define CMDLINE_MAX 0x10000u
#define KERNEL_ADDR 0x100000u

/* Flat 4 GiB code and data descriptors (the boot protocol's __BOOT_CS
 * 0x10 and __BOOT_DS 0x18). */
#define SEL_CODE 0x10
#define SEL_DATA 0x18

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static uint8_t *slurp(const char *path, uint32_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n < 0 || n > 0x7FFFFFFF) {
            fail(err, errlen, "%s: not a regular file of a usable size", path);
        } else if ((buf = malloc(n ? (size_t)n : 1)) == NULL) {
            fail(err, errlen, "%s: out of memory", path);
        } else {
            rewind(f);
            if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
                fail(err, errlen, "%s: read error", path);
                free(buf);
                buf = NULL;
            } else {
                *size = (uint32_t)n;
            }
        }
    } else {
        fail(err, errlen, "%s: cannot seek (not a regular file?)", path);
    }
    fclose(f);
    return buf;
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p) { return le16(p) | le16(p + 2) << 16; }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }

/* ---------------------------------------------------------------- Linux */

/* Offsets in the setup header (boot.rst). */
enum {
    HDR_SETUP_SECTS = 0x1F1, HDR_BOOT_FLAG = 0x1FE, HDR_JUMP = 0x200, HDR_MAGIC = 0x202,
    HDR_VERSION = 0x206, HDR_TYPE_OF_LOADER = 0x210, HDR_LOADFLAGS = 0x211,
    HDR_CODE32_START = 0x214, HDR_RAMDISK_IMAGE = 0x218, HDR_RAMDISK_SIZE = 0x21C,
    HDR_CMD_LINE_PTR = 0x228, HDR_INITRD_ADDR_MAX = 0x22C, HDR_CMDLINE_SIZE = 0x238,
    HDR_INIT_SIZE = 0x260,
};
/* Offsets in the zero page (zero-page.rst). */
enum { ZP_EXT_MEM_K = 0x002, ZP_ALT_MEM_K = 0x1E0, ZP_E820_ENTRIES = 0x1E8, ZP_E820_TABLE = 0x2D0 };
#define LOADED_HIGH 0x01

static uint32_t setup_bytes(const uint8_t *f)
{
    uint32_t sects = f[HDR_SETUP_SECTS] ? f[HDR_SETUP_SECTS] : 4;
    return (sects + 1) * 512;
}

static bool is_bzimage(const uint8_t *f, uint32_t size)
{
    return size >= 0x300 && le16(f + HDR_BOOT_FLAG) == 0xAA55 && memcmp(f + HDR_MAGIC, "HdrS", 4) == 0;
}

static bool linux_check(kernel_image_t *k, const char *path, uint32_t ram_size, char *err, size_t errlen)
{
    const uint8_t *f = k->file;
    uint32_t version = le16(f + HDR_VERSION);
    if (version < 0x0202 || !(f[HDR_LOADFLAGS] & LOADED_HIGH))
        return fail(err, errlen, "%s: boot protocol %x.%02x without a high-loaded kernel is too old (need a bzImage, 2.02+)",
                    path, version >> 8, version & 0xFF);
    uint32_t setup = setup_bytes(f);
    if (setup >= k->file_size)
        return fail(err, errlen, "%s: truncated: the setup code claims %u bytes of a %u-byte file", path, setup,
                    k->file_size);
    uint32_t pm_size = k->file_size - setup;
    uint32_t need = pm_size;
    if (version >= 0x020A && le32(f + HDR_INIT_SIZE) > need)
        need = le32(f + HDR_INIT_SIZE);
    uint32_t kernel_end = KERNEL_ADDR + need;
    if (kernel_end > ram_size)
        return fail(err, errlen, "%s: the kernel needs %u KiB above 1 MiB; RAM is %u MiB", path, need >> 10,
                    ram_size >> 20);
    uint32_t cmd_max = version >= 0x0206 ? le32(f + HDR_CMDLINE_SIZE) : 255;
    if (k->cmdline && strlen(k->cmdline) > cmd_max)
        return fail(err, errlen, "-append: the command line is longer than the kernel's %u bytes", cmd_max);
    if (k->nmodules > 1)
        return fail(err, errlen, "-initrd: a Linux kernel takes one initrd file");
    if (k->nmodules == 1) {
        uint32_t max = le32(f + HDR_INITRD_ADDR_MAX);
        uint32_t top = ram_size < (uint64_t)max + 1 ? ram_size : max + 1;
        uint32_t size = k->modules[0].size;
        if (size > top || ((top - size) & PAGE_MASK) < ((kernel_end + PAGE_SIZE - 1) & PAGE_MASK))
            return fail(err, errlen, "-initrd: %u KiB does not fit in RAM above the kernel (%u MiB of RAM)",
                        size >> 10, ram_size >> 20);
    }
    return true;
}

/* The E820 map a PC of this RAM size reports (the BIOS gives the same). */
static int e820_map(uint32_t ram_size, uint64_t table[][3])
{
    int n = 0;
    table[n][0] = 0, table[n][1] = 0x9FC00, table[n++][2] = 1;              /* usable */
    table[n][0] = 0x9FC00, table[n][1] = 0x400, table[n++][2] = 2;          /* EBDA */
    table[n][0] = 0xE0000, table[n][1] = 0x20000, table[n++][2] = 2;        /* BIOS */
    table[n][0] = KERNEL_ADDR, table[n][1] = ram_size - KERNEL_ADDR, table[n++][2] = 1;
    return n;
}

static void linux_boot(const kernel_image_t *k, physmem_t *pm, cpu_t *cpu)
{
    const uint8_t *f = k->file;
    uint32_t setup = setup_bytes(f);
    physmem_write_block(pm, KERNEL_ADDR, f + setup, k->file_size - setup);

    uint8_t zp[4096] = {0};
    /* The setup header runs from 0x1F1 to 0x202 + the jump's offset byte. */
    uint32_t hdr_end = 0x202 + f[HDR_JUMP + 1];
    if (hdr_end > 0x300)
        hdr_end = 0x300;
    memcpy(zp + HDR_SETUP_SECTS, f + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    zp[HDR_TYPE_OF_LOADER] = 0xFF; /* a boot loader without an assigned ID */
    const char *cmd = k->cmdline ? k->cmdline : "";
    physmem_write_block(pm, CMDLINE_ADDR, cmd, (uint32_t)strlen(cmd) + 1);
    put32(zp + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
    if (k->nmodules == 1) {
        uint32_t max = le32(f + HDR_INITRD_ADDR_MAX);
        uint32_t top = pm->ram_size < (uint64_t)max + 1 ? pm->ram_size : max + 1;
        uint32_t addr = (top - k->modules[0].size) & PAGE_MASK;
        physmem_write_block(pm, addr, k->modules[0].data, k->modules[0].size);
        put32(zp + HDR_RAMDISK_IMAGE, addr);
        put32(zp + HDR_RAMDISK_SIZE, k->modules[0].size);
    }
    uint32_t ext_k = (pm->ram_size - KERNEL_ADDR) >> 10;
    put16(zp + ZP_EXT_MEM_K, ext_k > 0xFFFF ? 0xFFFF : ext_k);
    put32(zp + ZP_ALT_MEM_K, ext_k);
    uint64_t map[8][3];
    int n = e820_map(pm->ram_size, map);
    zp[ZP_E820_ENTRIES] = (uint8_t)n;
    for (int e = 0; e < n; e++) {
        uint8_t *p = zp + ZP_E820_TABLE + 20 * e;
        put32(p, (uint32_t)map[e][0]), put32(p + 4, (uint32_t)(map[e][0] >> 32));
        put32(p + 8, (uint32_t)map[e][1]), put32(p + 12, (uint32_t)(map[e][1] >> 32));
        put32(p + 16, (uint32_t)map[e][2]);
    }
    physmem_write_block(pm, ZERO_PAGE_ADDR, zp, sizeof zp);
    cpu->gpr[R_ESI] = ZERO_PAGE_ADDR;
    cpu->eip = le32(f + HDR_CODE32_START);
}

/* ---------------------------------------------------------------- Multiboot */

#define MB_MAGIC 0x1BADB002u
#define MB_BOOT_MAGIC 0x2BADB002u
#define MB_FLAG_AOUT_KLUDGE (1u << 16)

static int32_t multiboot_header(const uint8_t *f, uint32_t size)
{
    for (uint32_t off = 0; off + 12 <= size && off < 8192; off += 4)
        if (le32(f + off) == MB_MAGIC && le32(f + off) + le32(f + off + 4) + le32(f + off + 8) == 0)
            return (int32_t)off;
    return -1;
}

/* One region of the file copied to guest memory, plus zero fill. */
typedef struct segment_load {
    uint32_t file_off, file_size, addr, mem_size;
} segment_load_t;

#define MB_MAX_SEGMENTS 32

/* Works out where the kernel's pieces go; false with a message when the
 * file is inconsistent.  Returns the entry point through *entry. */
static bool multiboot_layout(const kernel_image_t *k, const char *path, uint32_t ram_size,
                             segment_load_t *segs, int *nsegs, uint32_t *entry, uint32_t *end,
                             char *err, size_t errlen)
{
    const uint8_t *f = k->file;
    uint32_t hoff = (uint32_t)multiboot_header(f, k->file_size);
    uint32_t flags = le32(f + hoff + 4);
    *nsegs = 0;
    /* Bits 0-15 are requirements: page-aligned modules (0) and memory
     * information (1) are always given; a video mode (2) is not set, and the
     * kernel is started anyway, as QEMU does.  Others cannot be met. */
    if (flags & 0xFFF8u)
        return fail(err, errlen, "%s: multiboot header asks for unsupported features (flags 0x%x)", path, flags);
    if (flags & MB_FLAG_AOUT_KLUDGE) {
        if (hoff + 32 > k->file_size)
            return fail(err, errlen, "%s: truncated multiboot header", path);
        uint32_t header_addr = le32(f + hoff + 12), load_addr = le32(f + hoff + 16);
        uint32_t load_end = le32(f + hoff + 20), bss_end = le32(f + hoff + 24);
        *entry = le32(f + hoff + 28);
        if (load_addr > header_addr || header_addr - load_addr > hoff)
            return fail(err, errlen, "%s: multiboot load address after the header", path);
        uint32_t file_off = hoff - (header_addr - load_addr);
        uint32_t file_size = load_end ? load_end - load_addr : k->file_size - file_off;
        if (load_end && load_end < load_addr)
            return fail(err, errlen, "%s: multiboot load_end_addr below load_addr", path);
        if ((uint64_t)file_off + file_size > k->file_size)
            return fail(err, errlen, "%s: truncated: multiboot image runs past the end of the file", path);
        uint32_t mem = bss_end > load_addr + file_size ? bss_end - load_addr : file_size;
        segs[(*nsegs)++] = (segment_load_t){file_off, file_size, load_addr, mem};
    } else {
        /* ELF32, i386, executable; PT_LOAD segments at their physical addresses. */
        if (k->file_size < 52 || memcmp(f, "\x7f" "ELF", 4) != 0 || f[4] != 1 || f[5] != 1 ||
            le16(f + 18) != 3)
            return fail(err, errlen, "%s: not a 32-bit little-endian i386 ELF file and no a.out kludge", path);
        uint32_t phoff = le32(f + 28), phentsize = le16(f + 42), phnum = le16(f + 44);
        *entry = le32(f + 24);
        if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > k->file_size)
            return fail(err, errlen, "%s: truncated: ELF program headers run past the end", path);
        for (uint32_t p = 0; p < phnum; p++) {
            const uint8_t *ph = f + phoff + p * phentsize;
            if (le32(ph) != 1 || le32(ph + 20) == 0) /* PT_LOAD with memory */
                continue;
            uint32_t off = le32(ph + 4), paddr = le32(ph + 12), filesz = le32(ph + 16), memsz = le32(ph + 20);
            if ((uint64_t)off + filesz > k->file_size || filesz > memsz)
                return fail(err, errlen, "%s: truncated: an ELF segment runs past the end of the file", path);
            if (*nsegs == MB_MAX_SEGMENTS)
                return fail(err, errlen, "%s: more than %d loadable ELF segments", path, MB_MAX_SEGMENTS);
            segs[(*nsegs)++] = (segment_load_t){off, filesz, paddr, memsz};
        }
        if (*nsegs == 0)
            return fail(err, errlen, "%s: no loadable ELF segment", path);
    }
    *end = 0;
    for (int s = 0; s < *nsegs; s++) {
        uint64_t last = (uint64_t)segs[s].addr + segs[s].mem_size;
        if (segs[s].addr < MB_STRINGS_END || last > ram_size)
            return fail(err, errlen, "%s: a segment at 0x%x-0x%llx is outside usable RAM (%u MiB)", path,
                        segs[s].addr, (unsigned long long)last, ram_size >> 20);
        if (last > *end)
            *end = (uint32_t)last;
    }
    return true;
}

static bool multiboot_check(kernel_image_t *k, const char *path, uint32_t ram_size, char *err, size_t errlen)
{
    segment_load_t segs[MB_MAX_SEGMENTS];
    int n;
    uint32_t entry, end;
    if (!multiboot_layout(k, path, ram_size, segs, &n, &entry, &end, err, errlen))
        return false;
    uint64_t top = (end + PAGE_SIZE - 1) & PAGE_MASK;
    size_t strings = strlen(k->cmdline ? k->cmdline : "") + 16;
    for (int m = 0; m < k->nmodules; m++) {
        top = ((top + k->modules[m].size + PAGE_SIZE - 1) & PAGE_MASK);
        strings += strlen(k->modules[m].args) + 1;
    }
    if (top > ram_size)
        return fail(err, errlen, "-initrd: the modules do not fit in RAM above the kernel (%u MiB of RAM)",
                    ram_size >> 20);
    if (strings > MB_STRINGS_END - MB_STRINGS_ADDR)
        return fail(err, errlen, "-append/-initrd: command lines longer than %u bytes in all",
                    MB_STRINGS_END - MB_STRINGS_ADDR);
    return true;
}

static void multiboot_boot(const kernel_image_t *k, physmem_t *pm, cpu_t *cpu)
{
    segment_load_t segs[MB_MAX_SEGMENTS];
    int n;
    uint32_t entry, end;
    char err[8];
    multiboot_layout(k, "", pm->ram_size, segs, &n, &entry, &end, err, sizeof err);
    static const uint8_t zeros[4096];
    for (int s = 0; s < n; s++) {
        physmem_write_block(pm, segs[s].addr, k->file + segs[s].file_off, segs[s].file_size);
        for (uint32_t z = segs[s].file_size; z < segs[s].mem_size; z += sizeof zeros) {
            uint32_t len = segs[s].mem_size - z < sizeof zeros ? segs[s].mem_size - z : sizeof zeros;
            physmem_write_block(pm, segs[s].addr + z, zeros, len);
        }
    }
    uint32_t str = MB_STRINGS_ADDR;
    const char *cmd = k->cmdline ? k->cmdline : "";
    uint32_t cmd_addr = str;
    physmem_write_block(pm, str, cmd, (uint32_t)strlen(cmd) + 1);
    str += (uint32_t)strlen(cmd) + 1;
    uint32_t name_addr = str;
    physmem_write_block(pm, str, "x86sim", 7);
    str += 7;

    uint32_t top = (end + PAGE_SIZE - 1) & PAGE_MASK;
    for (int m = 0; m < k->nmodules; m++) {
        uint8_t entry16[16] = {0};
        put32(entry16, top);
        put32(entry16 + 4, top + k->modules[m].size);
        put32(entry16 + 8, str);
        physmem_write_block(pm, MB_MODS_ADDR + 16 * m, entry16, sizeof entry16);
        physmem_write_block(pm, top, k->modules[m].data, k->modules[m].size);
        physmem_write_block(pm, str, k->modules[m].args, (uint32_t)strlen(k->modules[m].args) + 1);
        str += (uint32_t)strlen(k->modules[m].args) + 1;
        top = (top + k->modules[m].size + PAGE_SIZE - 1) & PAGE_MASK;
    }

    uint64_t map[8][3];
    int entries = e820_map(pm->ram_size, map);
    for (int e = 0; e < entries; e++) {
        uint8_t mm[24];
        put32(mm, 20); /* size of the rest of the entry */
        put32(mm + 4, (uint32_t)map[e][0]), put32(mm + 8, (uint32_t)(map[e][0] >> 32));
        put32(mm + 12, (uint32_t)map[e][1]), put32(mm + 16, (uint32_t)(map[e][1] >> 32));
        put32(mm + 20, (uint32_t)map[e][2]);
        physmem_write_block(pm, MB_MMAP_ADDR + 24 * e, mm, sizeof mm);
    }
    uint8_t info[88] = {0};
    /* flags: mem_*, cmdline, mods, mmap, boot_loader_name */
    put32(info, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    put32(info + 4, 639);
    put32(info + 8, (pm->ram_size - KERNEL_ADDR) >> 10);
    put32(info + 16, cmd_addr);
    put32(info + 20, (uint32_t)k->nmodules);
    put32(info + 24, MB_MODS_ADDR);
    put32(info + 44, (uint32_t)(24 * entries));
    put32(info + 48, MB_MMAP_ADDR);
    put32(info + 64, name_addr);
    physmem_write_block(pm, MB_INFO_ADDR, info, sizeof info);
    cpu->gpr[R_EAX] = MB_BOOT_MAGIC;
    cpu->gpr[R_EBX] = MB_INFO_ADDR;
    cpu->eip = entry;
}

/* ---------------------------------------------------------------- common */

/* Splits "file args,file2 args" into modules (",," escapes a comma, as in QEMU). */
static bool read_modules(kernel_image_t *k, const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    while (*p) {
        char item[4096];
        size_t n = 0;
        while (*p && !(p[0] == ',' && p[1] != ',')) {
            if (p[0] == ',' && p[1] == ',')
                p++;
            if (n + 1 < sizeof item)
                item[n++] = *p;
            p++;
        }
        item[n] = 0;
        if (*p == ',')
            p++;
        if (k->nmodules == KERNEL_MAX_MODULES)
            return fail(err, errlen, "-initrd: more than %d modules", KERNEL_MAX_MODULES);
        char *space = strchr(item, ' ');
        if (space)
            *space = 0;
        kernel_module_t *m = &k->modules[k->nmodules];
        m->data = slurp(item, &m->size, err, errlen);
        if (!m->data)
            return false;
        if (space)
            *space = ' ';
        m->args = strdup(item);
        k->nmodules++;
    }
    return true;
}

bool kernel_open(kernel_image_t *k, const char *kernel_path, const char *initrd_spec,
                 const char *cmdline, uint32_t ram_size, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->file = slurp(kernel_path, &k->file_size, err, errlen);
    if (!k->file)
        return false;
    k->cmdline = strdup(cmdline ? cmdline : "");
    bool ok = !initrd_spec || read_modules(k, initrd_spec, err, errlen);
    if (ok) {
        if (is_bzimage(k->file, k->file_size)) {
            k->kind = KERNEL_LINUX;
            ok = linux_check(k, kernel_path, ram_size, err, errlen);
        } else if (multiboot_header(k->file, k->file_size) >= 0) {
            k->kind = KERNEL_MULTIBOOT;
            ok = multiboot_check(k, kernel_path, ram_size, err, errlen);
        } else {
            ok = fail(err, errlen, "%s: neither a Linux bzImage (no HdrS setup header) nor a Multiboot kernel",
                      kernel_path);
        }
    }
    if (!ok)
        kernel_close(k);
    return ok;
}

void kernel_close(kernel_image_t *k)
{
    free(k->file);
    free(k->cmdline);
    for (int m = 0; m < k->nmodules; m++) {
        free(k->modules[m].data);
        free(k->modules[m].args);
    }
    memset(k, 0, sizeof *k);
}

/* Protected mode with flat 4 GiB segments and interrupts off, as both
 * protocols' 32-bit entries require. */
static void enter_flat32(physmem_t *pm, cpu_t *cpu)
{
    static const uint8_t gdt[32] = {
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0xFF, 0xFF, 0, 0, 0, 0x9B, 0xCF, 0, /* 0x10: code, base 0, 4 GiB */
        0xFF, 0xFF, 0, 0, 0, 0x93, 0xCF, 0, /* 0x18: data, base 0, 4 GiB */
    };
    physmem_write_block(pm, GDT_ADDR, gdt, sizeof gdt);
    physmem_set_a20(pm, true);
    cpu->gdtr = (dtable_t){GDT_ADDR, sizeof gdt - 1};
    cpu_set_cr0(cpu, cpu->cr0 | CR0_PE);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            cpu_load_seg_raw(cpu, s, SEL_DATA, 0, 0xFFFFFFFFu, 0x93, DESC_FLAG_G | DESC_FLAG_DB);
    cpu_load_seg_raw(cpu, SEG_CS, SEL_CODE, 0, 0xFFFFFFFFu, 0x9B, DESC_FLAG_G | DESC_FLAG_DB);
    cpu_set_eflags(cpu, 2);
    for (int r = 0; r < 8; r++)
        cpu->gpr[r] = 0;
}

void kernel_boot(const kernel_image_t *k, physmem_t *pm, cpu_t *cpu)
{
    if (k->kind == KERNEL_NONE)
        return;
    enter_flat32(pm, cpu);
    if (k->kind == KERNEL_LINUX)
        linux_boot(k, pm, cpu);
    else
        multiboot_boot(k, pm, cpu);
}
