/* Direct kernel boot (-kernel, -initrd, -append), as QEMU does it:
 *   - a Linux bzImage, following the x86 boot protocol
 *     (Documentation/x86/boot.rst): protected-mode kernel at 1 MiB, the
 *     initrd at the top of RAM, the command line, and the 32-bit entry with
 *     a zero page holding the setup header and the E820 map;
 *   - a Multiboot (version 1) kernel, ELF or a.out-kludge, with -initrd as
 *     its comma-separated modules ("file args,file2").
 * The files are read and checked when the machine is created (a bad file
 * is refused before the guest runs); the images are placed in RAM and the
 * CPU is put at the kernel's entry on every reset.
 *
 * With a BIOS that can boot a kernel itself (ours, bios/boot.asm), a Linux
 * kernel is entered the way a boot loader enters it, after POST: the
 * loader places the real-mode setup code at 0x10000 (header filled in,
 * heap to 0xDE00, stack at 0xE000), the command line at 0x20000, the
 * protected-mode kernel at 1 MiB, the initrd at the top of RAM, and writes
 * a 20-byte record at the address the BIOS advertises ("XSIMBOOT" at
 * F000:FFD0, then the version, then the address): the entry CS:IP, SS:SP
 * and DS (see bios/boot.asm).  The CPU starts at the reset vector; the
 * BIOS runs POST (so the VGA is set up and Linux has its text console),
 * then enters the setup code.  Multiboot kernels, and any kernel with
 * another BIOS, keep the 32-bit entry. */
#ifndef X86SIM_KERNEL_LOADER_H
#define X86SIM_KERNEL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cpu/cpu.h"
#include "../mmu/mmu.h"

typedef struct kernel_module {
    uint8_t *data;
    uint32_t size;
    char *args;
} kernel_module_t;

#define KERNEL_MAX_MODULES 16

typedef struct kernel_image {
    enum { KERNEL_NONE, KERNEL_LINUX, KERNEL_MULTIBOOT } kind;
    uint8_t *file; /* the whole kernel file */
    uint32_t file_size;
    char *cmdline;
    kernel_module_t modules[KERNEL_MAX_MODULES]; /* Linux: modules[0] is the initrd */
    int nmodules;
    uint32_t bios_record; /* nonzero: enter through the BIOS, which reads the record here */
} kernel_image_t;

/* Reads and checks the kernel (and initrd/modules) for a machine with
 * `ram_size` bytes of RAM.  On failure writes a message naming the file and
 * the reason to err and returns false. */
bool kernel_open(kernel_image_t *k, const char *kernel_path, const char *initrd_spec,
                 const char *cmdline, uint32_t ram_size, char *err, size_t errlen);
void kernel_close(kernel_image_t *k);
/* Chooses the entry through the BIOS if `rom` is a BIOS that takes the
 * record and the kernel is a Linux kernel whose setup code fits; returns
 * whether it did. */
bool kernel_use_bios(kernel_image_t *k, const uint8_t *rom, uint32_t rom_size);
/* Places the images in guest RAM and sets the CPU at the kernel's entry
 * (or, through the BIOS, leaves it at the reset vector). */
void kernel_boot(const kernel_image_t *k, physmem_t *pm, cpu_t *cpu);

#endif
