/* See disasm.h. */
#include "disasm.h"

#include <stdio.h>
#include <string.h>

int disasm_at(cpu_t *cpu, uint32_t linear, char *text, int size, uint8_t *bytes)
{
    memset(bytes, 0, 16);
    int len = cpu_disasm_at(cpu, linear, cpu->code32, text, size, bytes);
    if (len <= 0)
        snprintf(text, (size_t)size, "(unreadable)");
    return len;
}
