/* The debugger's views of the CPU's system state: segment registers with
 * their descriptor caches, control registers, the GDT, LDT, IDT and TSS,
 * the page tables, and the walk of one address (xlate). */
#ifndef X86SIM_SYSTABLES_H
#define X86SIM_SYSTABLES_H

#include <stdio.h>

#include "devices/pc.h"

void show_sregs(machine_t *m, FILE *out);
void show_cregs(machine_t *m, FILE *out);
void show_dregs(machine_t *m, FILE *out);
void show_gdt(machine_t *m, FILE *out);
void show_ldt(machine_t *m, FILE *out);
void show_idt(machine_t *m, FILE *out);
void show_tss(machine_t *m, FILE *out);
void show_page_tables(machine_t *m, FILE *out);
/* The translation of a linear address: the page walk, the physical
 * address and what is there, the host address. */
void show_xlate(machine_t *m, uint32_t linear, FILE *out);

#endif
