/* Small ISA debug devices:
 *   debugcon  - port 0xE9 writes characters to a file (Bochs/QEMU debug port);
 *               reading it returns 0xE9 so guests can detect it;
 *   debugexit - QEMU's isa-debug-exit: a write of V ends the emulator with
 *               exit status (V << 1) | 1;
 *   postcode  - port 0x80: the last POST code, for traces and the debugger. */
#ifndef X86SIM_DEBUGCON_H
#define X86SIM_DEBUGCON_H

#include <stdio.h>

#include "ioport.h"

typedef struct debugcon {
    FILE *out;
} debugcon_t;

typedef struct debugexit {
    bool requested;
    int status;
    void (*stop)(void *opaque); /* asks the machine loop to stop */
    void *stop_opaque;
} debugexit_t;

typedef struct postcode {
    uint8_t last;
} postcode_t;

bool debugcon_init(debugcon_t *d, ioport_bus_t *bus, uint16_t port, FILE *out);
bool debugexit_init(debugexit_t *d, ioport_bus_t *bus, uint16_t base, uint16_t size,
                    void (*stop)(void *), void *opaque);
bool postcode_init(postcode_t *p, ioport_bus_t *bus);

#endif
