/* The guest physical address space of a PC:
 *   0 .. ram_size            RAM, except for the legacy holes below 1 MiB:
 *   0xA0000 .. 0xBFFFF       the VGA window (an MMIO region the VGA registers;
 *                            without one the chipset forwards it to the bus,
 *                            where nothing answers: unassigned, never RAM)
 *   0xC0000 .. 0xFFFFF       shadow RAM holding option ROMs and the BIOS; it is
 *                            read-only unless the chipset's PAM registers open it
 *   MMIO regions             registered by devices (PCI BARs, framebuffer)
 *   4 GiB - rom_size .. 4G   the firmware ROM
 *   everything else          unassigned: reads all-ones, writes vanish
 * The A20 gate masks bit 20 of every address when it is off.
 *
 * RAM, ROM, shadow blocks and host-backed regions cover whole 4 KiB pages;
 * only device regions (which never get a host pointer) may start or end
 * inside a page.  So a page whose first byte is plain memory is plain memory
 * throughout, which is what lets the TLB keep one host pointer per page.
 */
#include "mmu.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Host huge pages for guest RAM: a guest touching many pages (a kernel
 * decompressing itself, page tables, caches) would otherwise spend much of
 * its time in host TLB misses. */
#define RAM_HOST_ALIGN (2u << 20)

/* Zeroed guest RAM, aligned for the host's huge pages and marked for them
 * where the host supports it (an advice only: without it, normal pages). */
static uint8_t *ram_alloc(uint32_t size)
{
    size_t span = (size_t)size + RAM_HOST_ALIGN;
    uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)map + RAM_HOST_ALIGN - 1) & ~(uintptr_t)(RAM_HOST_ALIGN - 1);
    uint8_t *ram = (uint8_t *)start;
    /* Give back the slack before and after the aligned range. */
    if (ram > map)
        munmap(map, (size_t)(ram - map));
    size_t tail = span - (size_t)(ram - map) - size;
    if (tail)
        munmap(ram + size, tail);
#ifdef MADV_HUGEPAGE
    madvise(ram, size, MADV_HUGEPAGE);
#endif
    return ram;
}

bool physmem_init(physmem_t *pm, uint32_t ram_size)
{
    memset(pm, 0, sizeof *pm);
    if (ram_size < 0x100000u || ram_size > PHYS_RAM_MAX || (ram_size & 0xFFFFF))
        return false;
    pm->ram = ram_alloc(ram_size);
    pm->ram_size = ram_size;
    pm->ram_pages = ram_size >> PAGE_SHIFT;
    pm->code_page = calloc(1, pm->ram_pages);
    if (!pm->ram || !pm->code_page) {
        physmem_free(pm);
        return false;
    }
    pm->a20_mask = 0xFFFFFFFFu;
    return true;
}

void physmem_free(physmem_t *pm)
{
    if (pm->ram)
        munmap(pm->ram, pm->ram_size);
    free(pm->code_page);
    free(pm->rom);
    memset(pm, 0, sizeof *pm);
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

/* The registered region other than `self` that overlaps [base, base+size). */
static const mmio_region_t *find_overlap(const physmem_t *pm, uint32_t base, uint32_t size,
                                         const mmio_region_t *self)
{
    for (int i = 0; i < pm->mmio_count; i++)
        if (&pm->mmio[i] != self && overlaps(base, size, pm->mmio[i].base, pm->mmio[i].size))
            return &pm->mmio[i];
    return NULL;
}

/* A RAM page was written behind the TLB's back (or by it, on the slow path):
 * decoded copies of its code are stale. */
static void note_code_write(physmem_t *pm, uint32_t addr)
{
    uint32_t page = addr >> PAGE_SHIFT;
    if (page < pm->ram_pages && pm->code_page[page]) {
        pm->code_page[page] = 0;
        if (pm->code_written)
            pm->code_written(pm->code_opaque, page);
    }
}

bool physmem_load_bios(physmem_t *pm, const uint8_t *image, uint32_t size)
{
    if (size < 0x10000u || size > 0x100000u || (size & 0xFFF))
        return false;
    uint32_t base = (uint32_t)(0x100000000ull - size);
    if (find_overlap(pm, base, size, NULL))
        return false;
    uint8_t *rom = malloc(size);
    if (!rom)
        return false;
    memcpy(rom, image, size);
    free(pm->rom);
    pm->rom = rom;
    pm->rom_size = size;
    pm->rom_base = base;
    /* The low alias: the last 128 KiB (or all) ending at 1 MiB. */
    uint32_t low = size < 0x20000u ? size : 0x20000u;
    memcpy(pm->ram + PHYS_SHADOW_END - low, image + size - low, low);
    for (uint32_t a = PHYS_SHADOW_END - low; a < PHYS_SHADOW_END; a += PAGE_SIZE)
        note_code_write(pm, a);
    return true;
}

bool physmem_load_option_rom(physmem_t *pm, uint32_t addr, const uint8_t *image, uint32_t size)
{
    if (addr < PHYS_SHADOW_START || addr > 0xE0000u || size > 0xE0000u - addr)
        return false;
    memcpy(pm->ram + addr, image, size);
    for (uint32_t a = addr & PAGE_MASK; a < addr + size; a += PAGE_SIZE)
        note_code_write(pm, a);
    return true;
}

static bool region_fits(const physmem_t *pm, uint32_t base, uint32_t size, bool host,
                        const mmio_region_t *self)
{
    if (size == 0 || (uint64_t)base + size > 0x100000000ull)
        return false;
    if (host && ((base | size) & (PAGE_SIZE - 1))) /* host memory goes by whole pages */
        return false;
    /* The VGA window is the one MMIO region allowed inside the RAM range. */
    bool in_vga = base >= PHYS_VGA_WINDOW && (uint64_t)base + size <= PHYS_VGA_WINDOW_END;
    if (!in_vga && overlaps(base, size, 0, pm->ram_size))
        return false;
    if (pm->rom && overlaps(base, size, pm->rom_base, pm->rom_size))
        return false;
    return find_overlap(pm, base, size, self) == NULL;
}

static bool add_region(physmem_t *pm, const mmio_region_t *r)
{
    if (pm->mmio_count == PHYS_MAX_MMIO || !r->name ||
        !region_fits(pm, r->base, r->size, r->host != NULL, NULL))
        return false;
    pm->mmio[pm->mmio_count++] = *r;
    return true;
}

bool physmem_add_mmio(physmem_t *pm, uint32_t base, uint32_t size, const mmio_ops_t *ops,
                      void *opaque, const char *name)
{
    if (!ops || !ops->read || !ops->write)
        return false;
    mmio_region_t r = {.base = base, .size = size, .ops = ops, .opaque = opaque, .name = name};
    return add_region(pm, &r);
}

bool physmem_add_ram_region(physmem_t *pm, uint32_t base, uint32_t size, uint8_t *host,
                            const char *name)
{
    if (!host)
        return false;
    mmio_region_t r = {.base = base, .size = size, .host = host, .name = name};
    return add_region(pm, &r);
}

/* Cached translations (TLB host pointers, permissions) depend on the map. */
static void map_changed(physmem_t *pm)
{
    if (pm->a20_changed)
        pm->a20_changed(pm->a20_opaque);
}

bool physmem_move_region(physmem_t *pm, const char *name, uint32_t new_base)
{
    for (int i = 0; i < pm->mmio_count; i++) {
        mmio_region_t *r = &pm->mmio[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!region_fits(pm, new_base, r->size, r->host != NULL, r))
            return false;
        r->base = new_base;
        map_changed(pm);
        return true;
    }
    return false;
}

void physmem_set_a20(physmem_t *pm, bool enabled)
{
    uint32_t mask = enabled ? 0xFFFFFFFFu : ~(1u << 20);
    if (mask == pm->a20_mask)
        return;
    pm->a20_mask = mask;
    map_changed(pm);
}

void physmem_set_shadow_writable(physmem_t *pm, uint32_t addr, uint32_t len, bool writable)
{
    uint64_t end = (uint64_t)addr + len; /* exclusive */
    if (len == 0 || end <= PHYS_SHADOW_START || addr >= PHYS_SHADOW_END)
        return;
    uint32_t first = addr < PHYS_SHADOW_START ? 0 : (addr - PHYS_SHADOW_START) / PHYS_SHADOW_BLOCK;
    uint32_t last = end >= PHYS_SHADOW_END ? PHYS_SHADOW_BLOCKS - 1
                                           : (uint32_t)(end - 1 - PHYS_SHADOW_START) / PHYS_SHADOW_BLOCK;
    bool changed = false;
    for (uint32_t b = first; b <= last; b++) {
        changed |= pm->shadow_writable[b] != writable;
        pm->shadow_writable[b] = writable;
    }
    if (changed) /* the TLB may hold the old permission */
        map_changed(pm);
}

static const mmio_region_t *find_region(const physmem_t *pm, uint32_t addr)
{
    for (int i = 0; i < pm->mmio_count; i++) {
        const mmio_region_t *r = &pm->mmio[i];
        if (addr - r->base < r->size)
            return r;
    }
    return NULL;
}

phys_where_t physmem_where(const physmem_t *pm, uint32_t addr)
{
    phys_where_t w = {.kind = PHYS_UNASSIGNED, .offset = addr};
    const mmio_region_t *r = find_region(pm, addr);
    if (r) {
        w.kind = PHYS_MMIO;
        w.offset = addr - r->base;
        w.mmio = r;
    } else if (addr >= PHYS_VGA_WINDOW && addr < PHYS_VGA_WINDOW_END) {
        /* No VGA claimed this part of the window: nothing answers. */
    } else if (addr < pm->ram_size) {
        w.kind = PHYS_RAM;
        if (addr >= PHYS_SHADOW_START && addr < PHYS_SHADOW_END &&
            !pm->shadow_writable[(addr - PHYS_SHADOW_START) / PHYS_SHADOW_BLOCK])
            w.kind = PHYS_SHADOW_ROM;
    } else if (pm->rom && addr >= pm->rom_base) {
        w.kind = PHYS_ROM;
        w.offset = addr - pm->rom_base;
    }
    return w;
}

const char *phys_kind_name(phys_kind_t kind)
{
    switch (kind) {
    case PHYS_RAM: return "RAM";
    case PHYS_ROM: return "ROM";
    case PHYS_SHADOW_ROM: return "shadow ROM";
    case PHYS_MMIO: return "MMIO";
    case PHYS_UNASSIGNED: return "unassigned";
    }
    return "?";
}

/* Host memory behind plain-memory address `addr`, or NULL for device
 * registers and unassigned space. */
static uint8_t *host_of(const physmem_t *pm, uint32_t addr, phys_where_t w)
{
    switch (w.kind) {
    case PHYS_RAM:
    case PHYS_SHADOW_ROM: return pm->ram + addr;
    case PHYS_ROM: return pm->rom + w.offset;
    case PHYS_MMIO: return w.mmio->host ? w.mmio->host + w.offset : NULL;
    case PHYS_UNASSIGNED: break;
    }
    return NULL;
}

uint8_t *physmem_page_ptr(physmem_t *pm, uint32_t addr, bool write)
{
    addr &= PAGE_MASK;
    if (physmem_is_plain_ram(pm, addr)) /* the common case, without the search */
        return write && pm->code_page[addr >> PAGE_SHIFT] ? NULL : pm->ram + addr;
    phys_where_t w = physmem_where(pm, addr);
    if (write) {
        if (w.kind == PHYS_ROM || w.kind == PHYS_SHADOW_ROM)
            return NULL;
        if (w.kind == PHYS_RAM && pm->code_page[addr >> PAGE_SHIFT])
            return NULL;
    }
    return host_of(pm, addr, w);
}

static uint32_t load_le(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return p[0];
    case 2: return (uint32_t)p[0] | (uint32_t)p[1] << 8;
    default: return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
}

static void store_le(uint8_t *p, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool crosses_page(uint32_t addr, unsigned size)
{
    return (addr & (PAGE_SIZE - 1)) > PAGE_SIZE - size;
}

uint32_t physmem_read(physmem_t *pm, uint32_t addr, unsigned size)
{
    if (MMU_UNLIKELY(crosses_page(addr, size))) {
        uint32_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= physmem_read(pm, addr + i, 1) << (8 * i);
        return v;
    }
    addr &= pm->a20_mask;
    phys_where_t w = physmem_where(pm, addr);
    const uint8_t *host = host_of(pm, addr, w);
    if (host)
        return load_le(host, size);
    uint32_t all = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (w.kind == PHYS_UNASSIGNED)
        return all;
    if (w.offset + size <= w.mmio->size) /* a device's stray high bits are dropped */
        return w.mmio->ops->read(w.mmio->opaque, w.offset, size) & all;
    uint32_t v = 0; /* straddles the end of the region: each byte on its own */
    for (unsigned i = 0; i < size; i++)
        v |= physmem_read(pm, addr + i, 1) << (8 * i);
    return v;
}

void physmem_write(physmem_t *pm, uint32_t addr, uint32_t value, unsigned size)
{
    if (MMU_UNLIKELY(crosses_page(addr, size))) {
        for (unsigned i = 0; i < size; i++)
            physmem_write(pm, addr + i, (value >> (8 * i)) & 0xFF, 1);
        return;
    }
    addr &= pm->a20_mask;
    phys_where_t w = physmem_where(pm, addr);
    switch (w.kind) {
    case PHYS_RAM:
        note_code_write(pm, addr);
        store_le(pm->ram + addr, value, size);
        return;
    case PHYS_MMIO:
        if (w.mmio->host) {
            store_le(w.mmio->host + w.offset, value, size);
            return;
        }
        if (w.offset + size <= w.mmio->size) {
            w.mmio->ops->write(w.mmio->opaque, w.offset, value, size);
            return;
        }
        for (unsigned i = 0; i < size; i++)
            physmem_write(pm, addr + i, (value >> (8 * i)) & 0xFF, 1);
        return;
    case PHYS_SHADOW_ROM:
    case PHYS_ROM:
    case PHYS_UNASSIGNED:
        return; /* read-only or nothing there: the write is lost, as on a PC */
    }
}

void physmem_read_block(physmem_t *pm, uint32_t addr, void *buf, uint32_t len)
{
    uint8_t *out = buf;
    while (len) {
        uint32_t a = addr & pm->a20_mask;
        uint32_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        const uint8_t *p = physmem_page_ptr(pm, a, false);
        if (p)
            memcpy(out, p + (a & (PAGE_SIZE - 1)), chunk);
        else
            for (uint32_t i = 0; i < chunk; i++)
                out[i] = (uint8_t)physmem_read(pm, a + i, 1);
        out += chunk;
        addr += chunk;
        len -= chunk;
    }
}

void physmem_write_block(physmem_t *pm, uint32_t addr, const void *buf, uint32_t len)
{
    const uint8_t *in = buf;
    while (len) {
        uint32_t a = addr & pm->a20_mask;
        uint32_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        note_code_write(pm, a);
        uint8_t *p = physmem_page_ptr(pm, a, true);
        if (p)
            memcpy(p + (a & (PAGE_SIZE - 1)), in, chunk);
        else
            for (uint32_t i = 0; i < chunk; i++)
                physmem_write(pm, a + i, in[i], 1);
        in += chunk;
        addr += chunk;
        len -= chunk;
    }
}

bool physmem_peek(const physmem_t *pm, uint64_t addr, void *buf, uint32_t len)
{
    uint8_t *out = buf;
    bool known = true;
    for (uint32_t i = 0; i < len; i++) {
        uint64_t a64 = addr + i;
        out[i] = 0xFF;
        if (a64 >> 32)
            continue; /* beyond our 32-bit physical space: unassigned */
        uint32_t a = (uint32_t)a64 & pm->a20_mask;
        phys_where_t w = physmem_where(pm, a);
        const uint8_t *host = host_of(pm, a, w);
        if (host)
            out[i] = *host;
        else if (w.kind == PHYS_MMIO)
            known = false;
    }
    return known;
}

void physmem_mark_code(physmem_t *pm, uint32_t page_number)
{
    if (page_number < pm->ram_pages)
        pm->code_page[page_number] = 1;
}
