/* The guest physical address space of a PC:
 *   0 .. ram_size            RAM, except for the legacy holes below 1 MiB:
 *   0xA0000 .. 0xBFFFF       the VGA window (an MMIO region the VGA registers)
 *   0xC0000 .. 0xFFFFF       shadow RAM holding option ROMs and the BIOS; it is
 *                            read-only unless the chipset's PAM registers open it
 *   MMIO regions             registered by devices (PCI BARs, framebuffer)
 *   4 GiB - rom_size .. 4G   the firmware ROM
 *   everything else          unassigned: reads all-ones, writes vanish
 * The A20 gate masks bit 20 of every address when it is off.
 */
#include "mmu.h"

#include <stdlib.h>

bool physmem_init(physmem_t *pm, uint32_t ram_size)
{
    memset(pm, 0, sizeof *pm);
    if (ram_size < 0x100000u || ram_size > PHYS_RAM_MAX || (ram_size & 0xFFFFF))
        return false;
    pm->ram = calloc(1, ram_size);
    pm->ram_pages = ram_size >> PAGE_SHIFT;
    pm->code_page = calloc(1, pm->ram_pages);
    if (!pm->ram || !pm->code_page) {
        physmem_free(pm);
        return false;
    }
    pm->ram_size = ram_size;
    pm->a20_mask = 0xFFFFFFFFu;
    return true;
}

void physmem_free(physmem_t *pm)
{
    free(pm->ram);
    free(pm->code_page);
    free(pm->rom);
    memset(pm, 0, sizeof *pm);
}

bool physmem_load_bios(physmem_t *pm, const uint8_t *image, uint32_t size)
{
    if (size < 0x10000u || size > 0x100000u || (size & 0xFFF))
        return false;
    uint8_t *rom = malloc(size);
    if (!rom)
        return false;
    memcpy(rom, image, size);
    free(pm->rom);
    pm->rom = rom;
    pm->rom_size = size;
    pm->rom_base = (uint32_t)(0x100000000ull - size);
    /* The low alias: the last 128 KiB (or all) ending at 1 MiB. */
    uint32_t low = size < 0x20000u ? size : 0x20000u;
    memcpy(pm->ram + PHYS_SHADOW_END - low, image + size - low, low);
    for (uint32_t p = (PHYS_SHADOW_END - low) >> PAGE_SHIFT; p < PHYS_SHADOW_END >> PAGE_SHIFT; p++)
        if (pm->code_page[p] && pm->code_written)
            pm->code_written(pm->code_opaque, p);
    return true;
}

bool physmem_load_option_rom(physmem_t *pm, uint32_t addr, const uint8_t *image, uint32_t size)
{
    if (addr < PHYS_SHADOW_START || size > 0xE0000u - addr)
        return false;
    memcpy(pm->ram + addr, image, size);
    return true;
}

static bool overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return (uint64_t)a < (uint64_t)b + blen && (uint64_t)b < (uint64_t)a + alen;
}

static bool region_fits(const physmem_t *pm, uint32_t base, uint32_t size, const mmio_region_t *self)
{
    if (size == 0 || (uint64_t)base + size > 0x100000000ull)
        return false;
    /* The VGA window is the one MMIO region allowed inside the RAM range. */
    bool in_vga = base >= PHYS_VGA_WINDOW && (uint64_t)base + size <= PHYS_VGA_WINDOW_END;
    if (!in_vga && overlaps(base, size, 0, pm->ram_size))
        return false;
    if (pm->rom && overlaps(base, size, pm->rom_base, pm->rom_size))
        return false;
    for (int i = 0; i < pm->mmio_count; i++)
        if (&pm->mmio[i] != self && overlaps(base, size, pm->mmio[i].base, pm->mmio[i].size))
            return false;
    return true;
}

static bool add_region(physmem_t *pm, const mmio_region_t *r)
{
    if (pm->mmio_count == PHYS_MAX_MMIO || !region_fits(pm, r->base, r->size, NULL))
        return false;
    pm->mmio[pm->mmio_count++] = *r;
    return true;
}

bool physmem_add_mmio(physmem_t *pm, uint32_t base, uint32_t size, const mmio_ops_t *ops,
                      void *opaque, const char *name)
{
    mmio_region_t r = {.base = base, .size = size, .ops = ops, .opaque = opaque, .name = name};
    return add_region(pm, &r);
}

bool physmem_add_ram_region(physmem_t *pm, uint32_t base, uint32_t size, uint8_t *host,
                            const char *name)
{
    if ((base | size) & (PAGE_SIZE - 1))
        return false;
    mmio_region_t r = {.base = base, .size = size, .host = host, .name = name};
    return add_region(pm, &r);
}

bool physmem_move_region(physmem_t *pm, const char *name, uint32_t new_base)
{
    for (int i = 0; i < pm->mmio_count; i++) {
        mmio_region_t *r = &pm->mmio[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!region_fits(pm, new_base, r->size, r))
            return false;
        r->base = new_base;
        if (pm->a20_changed) /* cached translations point at the old place */
            pm->a20_changed(pm->a20_opaque);
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
    if (pm->a20_changed)
        pm->a20_changed(pm->a20_opaque);
}

void physmem_set_shadow_writable(physmem_t *pm, uint32_t addr, uint32_t len, bool writable)
{
    bool changed = false;
    for (uint32_t a = addr; a < addr + len && a < PHYS_SHADOW_END; a += PHYS_SHADOW_BLOCK) {
        if (a < PHYS_SHADOW_START)
            continue;
        bool *w = &pm->shadow_writable[(a - PHYS_SHADOW_START) / PHYS_SHADOW_BLOCK];
        changed |= *w != writable;
        *w = writable;
    }
    if (changed && pm->a20_changed) /* the TLB may hold the old permission */
        pm->a20_changed(pm->a20_opaque);
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

uint8_t *physmem_page_ptr(physmem_t *pm, uint32_t addr, bool write)
{
    addr &= PAGE_MASK;
    phys_where_t w = physmem_where(pm, addr);
    switch (w.kind) {
    case PHYS_RAM:
        if (write && pm->code_page[addr >> PAGE_SHIFT])
            return NULL;
        return pm->ram + addr;
    case PHYS_SHADOW_ROM:
    case PHYS_ROM:
        if (write)
            return NULL;
        return w.kind == PHYS_ROM ? pm->rom + w.offset : pm->ram + addr;
    case PHYS_MMIO:
        return w.mmio->host ? w.mmio->host + w.offset : NULL;
    case PHYS_UNASSIGNED:
        break;
    }
    return NULL;
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

uint32_t physmem_read(physmem_t *pm, uint32_t addr, unsigned size)
{
    addr &= pm->a20_mask;
    phys_where_t w = physmem_where(pm, addr);
    switch (w.kind) {
    case PHYS_RAM:
    case PHYS_SHADOW_ROM:
        return load_le(pm->ram + addr, size);
    case PHYS_ROM:
        return load_le(pm->rom + w.offset, size);
    case PHYS_MMIO:
        if (w.mmio->host)
            return load_le(w.mmio->host + w.offset, size);
        if (w.offset + size > w.mmio->size) /* straddles the end: split */
            break;
        return w.mmio->ops->read(w.mmio->opaque, w.offset, size);
    case PHYS_UNASSIGNED:
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= physmem_read(pm, addr + i, 1) << (8 * i);
    return v;
}

static void note_code_write(physmem_t *pm, uint32_t addr)
{
    uint32_t page = addr >> PAGE_SHIFT;
    if (pm->code_page[page]) {
        pm->code_page[page] = 0;
        if (pm->code_written)
            pm->code_written(pm->code_opaque, page);
    }
}

void physmem_write(physmem_t *pm, uint32_t addr, uint32_t value, unsigned size)
{
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
        if (a < pm->ram_size)
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

void physmem_mark_code(physmem_t *pm, uint32_t page_number)
{
    if (page_number < pm->ram_pages)
        pm->code_page[page_number] = 1;
}
