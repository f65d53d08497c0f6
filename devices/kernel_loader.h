/* Direct kernel boot (-kernel, -initrd, -append), as QEMU does it:
 *   - a Linux bzImage, following the x86 boot protocol
 *     (Documentation/x86/boot.rst): protected-mode kernel at 1 MiB, the
 *     initrd at the top of RAM, the command line, and the 32-bit entry with
 *     a zero page holding the setup header and the E820 map;
 *   - a Multiboot (version 1) kernel, ELF or a.out-kludge, with -initrd as
 *     its comma-separated modules ("file args,file2").
 * The files are read and checked when the machine is created (a bad file
 * is refused before the guest runs); the images are placed in RAM and the
 * CPU is put at the kernel's entry on every reset. */
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
} kernel_image_t;

/* Reads and checks the kernel (and initrd/modules) for a machine with
 * `ram_size` bytes of RAM.  On failure writes a message naming the file and
 * the reason to err and returns false. */
bool kernel_open(kernel_image_t *k, const char *kernel_path, const char *initrd_spec,
                 const char *cmdline, uint32_t ram_size, char *err, size_t errlen);
void kernel_close(kernel_image_t *k);
/* Places the images in guest RAM and sets the CPU at the kernel's entry. */
void kernel_boot(const kernel_image_t *k, physmem_t *pm, cpu_t *cpu);

#endif
