/* The Intel 8042 keyboard controller (ports 0x60, 0x64) with an MF2
 * keyboard on its first port and a PS/2 mouse (IntelliMouse wheel) on the
 * auxiliary port; IRQ 1 and IRQ 12.
 *
 * The controller's output port drives the A20 gate and the CPU reset line
 * through callbacks the board wires.  Keys come in as PC scancode set 1
 * make codes (0xE0xx for extended keys, 0xE11D Pause, 0xE037 Print
 * Screen); the keyboard sends them in the set the guest selected (1 or 2),
 * and the controller translates set 2 to set 1 when its command byte says
 * so, as a real 8042 does. */
#ifndef X86SIM_I8042_H
#define X86SIM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"
#include "irq.h"

/* An MF2 keyboard buffers 16 bytes; a 17th place takes the overrun code. */
#define PS2_QUEUE_SIZE 17

typedef struct ps2_queue {
    uint8_t data[PS2_QUEUE_SIZE];
    uint8_t head, count;
} ps2_queue_t;

typedef struct ps2_keyboard {
    ps2_queue_t out;
    bool scanning;
    uint8_t set;          /* scancode set: 1 or 2 */
    uint8_t leds, typematic;
    uint8_t pending_cmd;  /* a command waiting for its argument, or 0 */
    uint8_t last_sent;    /* for resend (0xFE) */
} ps2_keyboard_t;

typedef struct ps2_mouse {
    ps2_queue_t out;
    bool reporting, remote, wrap, scaling21;
    uint8_t resolution, rate, id;
    uint8_t pending_cmd;
    uint8_t rates[3];     /* the last three sample rates set (wheel detection) */
    int dx, dy, dz;       /* motion not yet reported (PS/2 sense: y up) */
    uint8_t buttons;
    bool dirty;           /* motion or buttons not yet reported */
    uint8_t last_sent;
} ps2_mouse_t;

typedef struct i8042 {
    uint8_t ram[32];      /* controller RAM; ram[0] is the command byte */
    uint8_t obf;          /* output buffer */
    bool obf_full, obf_aux;
    bool sys_flag;        /* status bit 2 */
    bool last_was_cmd;    /* status bit 3 */
    uint8_t out_port;
    ps2_queue_t ctrl;     /* the controller's own replies */
    ps2_queue_t ctrl_aux; /* bytes written with command 0xD3, sent as mouse data */
    uint8_t pending;      /* a command waiting for a data byte, or 0 */
    bool xlat_break;      /* translation: 0xF0 seen, next code is a break */
    bool irq1_level, irq12_level;
    ps2_keyboard_t kbd;
    ps2_mouse_t aux;
    irq_line_t irq1, irq12;
    void (*set_a20)(void *opaque, bool enabled);
    void (*reset_cpu)(void *opaque);
    void *opaque;
} i8042_t;

/* Registers 0x60 and 0x64. */
bool i8042_init(i8042_t *k, ioport_bus_t *bus, irq_line_t irq1, irq_line_t irq12,
                void (*set_a20)(void *, bool), void (*reset_cpu)(void *), void *opaque);
/* Power-on state of the controller and both devices. */
void i8042_reset(i8042_t *k);
/* A key pressed or released (set-1 make code, 0xE0xx for extended keys). */
void i8042_key(i8042_t *k, uint16_t set1_code, bool down);
/* Mouse motion (dy positive = down, dz positive = wheel toward the user)
 * and buttons (bit 0 left, 1 right, 2 middle). */
void i8042_mouse(i8042_t *k, int dx, int dy, int dz, unsigned buttons);
uint8_t i8042_read(i8042_t *k, uint16_t port);
void i8042_write(i8042_t *k, uint16_t port, uint8_t value);
/* The controller's set 2 to set 1 translation of one byte. */
uint8_t i8042_translate(uint8_t set2);
/* The set-2 make code of a set-1 make code (without prefix), 0 if none. */
uint8_t i8042_set1_to_set2(uint8_t set1);

#endif
