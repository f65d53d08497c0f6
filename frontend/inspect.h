/* Looking at the guest without disturbing it: memory by linear or physical
 * address (no faults, no A/D bits, no device side effects), register
 * snapshots and what changed between two, flag names.  The tracer, the
 * debugger and the gdb stub share these. */
#ifndef X86SIM_INSPECT_H
#define X86SIM_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pc.h"

/* Copies up to len bytes of guest memory at addr (linear through the page
 * tables with supervisor rights, or physical) into buf.  Stops at the first
 * byte that is not RAM or ROM (unmapped, MMIO); returns the bytes copied. */
size_t guest_read(machine_t *m, uint32_t addr, bool physical, void *buf, size_t len);
/* Writes guest RAM (decoded code on the page is dropped); returns the bytes
 * written, stopping at the first byte that is not RAM. */
size_t guest_write(machine_t *m, uint32_t addr, bool physical, const void *buf, size_t len);

/* The registers an instruction can change, for before/after comparisons. */
typedef struct cpu_snap {
    uint32_t gpr[8], eip, eflags;
    uint16_t sel[6];
    uint32_t cr0, cr2, cr3, cr4;
    uint8_t cpl;
} cpu_snap_t;

void snap_take(cpu_t *cpu, cpu_snap_t *s);
/* Writes "eax=00001234 esp=0000fffe flags: +ZF -CF" for what differs
 * between before and after (EIP only when it did not simply advance by
 * `len` bytes).  Returns the number of changes. */
int snap_diff(const cpu_snap_t *before, const cpu_snap_t *after, unsigned len, char *buf, size_t size);

/* Fast formatting for the tracer: writes v as `digits` hex digits, or the
 * string, at p (no terminator) and returns the end. */
char *put_hex(char *p, uint32_t v, int digits);
char *put_str(char *p, const char *s);

/* "CF ZF IF" style list of the set flags among the named ones. */
const char *flags_names(uint32_t eflags, char *buf, size_t size);

/* "exception", "hardware interrupt", ... for CPU_EVENT_* */
const char *cpu_event_kind_name(int kind);

extern const char *const reg32_names[8];
extern const char *const seg_names[6];

#endif
