/* The VGA's PCI function (see vga.h): 1234:1111, class 03 (display),
 * BAR0 = the 16 MiB framebuffer, prefetchable memory.  The framebuffer is
 * plain host memory mapped into the guest's physical address space, so
 * guest stores to it are ordinary RAM stores; it follows BAR0 when the
 * guest reprograms it. */
#include "vga.h"

/* BAR0 moved or its decoding changed: the framebuffer follows it.  It is
 * registered the first time the BAR decodes at a usable address. */
static void lfb_bar_changed(pci_device_t *d, int bar, uint32_t addr, bool enabled)
{
    vga_t *v = d->opaque;
    if (bar != 0 || !enabled || addr == 0)
        return;
    if (!v->lfb_mapped)
        v->lfb_mapped = physmem_add_ram_region(v->pm, addr, VGA_VRAM_SIZE, v->vram, VGA_LFB_REGION);
    else if (addr != v->lfb_base && !physmem_move_region(v->pm, VGA_LFB_REGION, addr))
        return; /* overlaps something: the framebuffer stays where it was */
    if (v->lfb_mapped)
        v->lfb_base = addr;
}

void vga_pci_init(vga_t *v)
{
    pci_device_init(&v->pci, VGA_PCI_SLOT, 0, VGA_PCI_VENDOR, VGA_PCI_DEVICE, 0x03, 0x00, 0x00, "vga");
    pci_device_set_bar(&v->pci, 0, VGA_VRAM_SIZE, false);
    v->pci.config[0x10] |= 0x08; /* prefetchable */
    v->pci.bar_changed = lfb_bar_changed;
    v->pci.opaque = v;
}
