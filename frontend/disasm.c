/* See disasm.h. */
#include "disasm.h"

#include <stdio.h>
#include <string.h>

/* The disassembler is being written in cpu/ (the `mmu` helper's branch);
 * until it is merged the symbol may be missing, and a weak reference lets
 * the frontend build and say so instead of printing wrong text. */
#pragma weak cpu_disasm_at

int disasm_at(cpu_t *cpu, uint32_t linear, char *text, int size, uint8_t *bytes)
{
    memset(bytes, 0, 16);
    if (!cpu_disasm_at) {
        snprintf(text, (size_t)size, "(no disassembler in this build)");
        return 0;
    }
    int len = cpu_disasm_at(cpu, linear, cpu->code32, text, size, bytes);
    if (len <= 0)
        snprintf(text, (size_t)size, "(unreadable)");
    return len;
}
