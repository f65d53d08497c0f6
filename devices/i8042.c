/* The 8042 keyboard controller, MF2 keyboard and PS/2 mouse (see i8042.h). */
#include "i8042.h"

#include <string.h>

/* Command byte bits. */
#define CB_KBD_INT 0x01
#define CB_AUX_INT 0x02
#define CB_SYS 0x04
#define CB_KBD_OFF 0x10
#define CB_AUX_OFF 0x20
#define CB_XLAT 0x40

/* Status register bits. */
#define ST_OBF 0x01
#define ST_SYS 0x04
#define ST_CMD 0x08
#define ST_UNLOCKED 0x10
#define ST_AUX 0x20

/* Output port bits. */
#define OP_RESET 0x01 /* 0 holds the CPU in reset */
#define OP_A20 0x02

/* Device replies. */
#define PS2_ACK 0xFA
#define PS2_RESEND 0xFE
#define PS2_BAT_OK 0xAA
#define PS2_ECHO 0xEE

/* The 8042's translation of set-2 codes 0x00-0x7F to set 1 (the IBM PC/AT
 * technical reference table); codes from 0x80 pass unchanged except F7
 * (0x83) and Alt+SysRq (0x84). */
static const uint8_t xlat_table[128] = {
    0xFF, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
    0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A, 0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
    0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C, 0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E, 0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
    0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60, 0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
    0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E, 0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B, 0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
    0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45, 0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
};

/* Set-1 make code -> set-2 make code for the keys of an MF2 keyboard (the
 * inverse of the table above); extended keys share it after their 0xE0. */
static const uint8_t set1_to_set2[0x60] = {
    0x00, 0x76, 0x16, 0x1E, 0x26, 0x25, 0x2E, 0x36, 0x3D, 0x3E, 0x46, 0x45, 0x4E, 0x55, 0x66, 0x0D,
    0x15, 0x1D, 0x24, 0x2D, 0x2C, 0x35, 0x3C, 0x43, 0x44, 0x4D, 0x54, 0x5B, 0x5A, 0x14, 0x1C, 0x1B,
    0x23, 0x2B, 0x34, 0x33, 0x3B, 0x42, 0x4B, 0x4C, 0x52, 0x0E, 0x12, 0x5D, 0x1A, 0x22, 0x21, 0x2A,
    0x32, 0x31, 0x3A, 0x41, 0x49, 0x4A, 0x59, 0x7C, 0x11, 0x29, 0x58, 0x05, 0x06, 0x04, 0x0C, 0x03,
    0x0B, 0x83, 0x0A, 0x01, 0x09, 0x77, 0x7E, 0x6C, 0x75, 0x7D, 0x7B, 0x6B, 0x73, 0x74, 0x79, 0x69,
    0x72, 0x7A, 0x70, 0x71, 0x84, 0x00, 0x61, 0x78, 0x07, 0x00, 0x00, 0x1F, 0x27, 0x2F, 0x00, 0x00,
};

uint8_t i8042_translate(uint8_t b)
{
    if (b < 0x80)
        return xlat_table[b];
    return b == 0x83 ? 0x41 : b == 0x84 ? 0x54 : b;
}

uint8_t i8042_set1_to_set2(uint8_t code)
{
    return code < sizeof set1_to_set2 ? set1_to_set2[code] : 0;
}

/* ---------------------------------------------------------------- queues */

static unsigned queue_room(const ps2_queue_t *q) { return PS2_QUEUE_SIZE - q->count; }

static bool queue_push(ps2_queue_t *q, uint8_t b)
{
    if (q->count == PS2_QUEUE_SIZE)
        return false;
    q->data[(q->head + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
    return true;
}

static uint8_t queue_pop(ps2_queue_t *q)
{
    uint8_t b = q->data[q->head];
    q->head = (uint8_t)((q->head + 1) % PS2_QUEUE_SIZE);
    q->count--;
    return b;
}

static void queue_clear(ps2_queue_t *q) { q->head = q->count = 0; }

/* ---------------------------------------------------------------- controller */

static void update_irqs(i8042_t *k)
{
    bool irq1 = k->obf_full && !k->obf_aux && (k->ram[0] & CB_KBD_INT);
    bool irq12 = k->obf_full && k->obf_aux && (k->ram[0] & CB_AUX_INT);
    if (irq1 != k->irq1_level)
        irq_set(&k->irq1, k->irq1_level = irq1);
    if (irq12 != k->irq12_level)
        irq_set(&k->irq12, k->irq12_level = irq12);
}

static void mouse_flush(i8042_t *k);

/* Moves the next byte into an empty output buffer: the controller's replies
 * first, then the keyboard, then the mouse, each while its interface is
 * enabled. */
static void fill_obf(i8042_t *k)
{
    while (!k->obf_full) {
        if (k->ctrl.count) {
            k->obf = queue_pop(&k->ctrl);
            k->obf_aux = false;
        } else if (k->ctrl_aux.count) {
            k->obf = queue_pop(&k->ctrl_aux);
            k->obf_aux = true;
        } else if (k->kbd.out.count && !(k->ram[0] & CB_KBD_OFF)) {
            uint8_t b = queue_pop(&k->kbd.out);
            if (k->ram[0] & CB_XLAT) {
                if (b == 0xF0) {
                    k->xlat_break = true;
                    continue;
                }
                b = i8042_translate(b) | (k->xlat_break ? 0x80 : 0);
                k->xlat_break = false;
            }
            k->obf = b;
            k->obf_aux = false;
        } else if (k->aux.out.count && !(k->ram[0] & CB_AUX_OFF)) {
            k->obf = queue_pop(&k->aux.out);
            k->obf_aux = true;
            mouse_flush(k); /* room for reports held back */
        } else {
            break;
        }
        k->obf_full = true;
    }
    update_irqs(k);
}

static void reply(i8042_t *k, uint8_t b)
{
    queue_push(&k->ctrl, b);
}

static void write_out_port(i8042_t *k, uint8_t v)
{
    k->out_port = v;
    if (k->set_a20)
        k->set_a20(k->opaque, v & OP_A20);
    if (!(v & OP_RESET) && k->reset_cpu)
        k->reset_cpu(k->opaque);
}

static uint8_t out_port_value(const i8042_t *k)
{
    /* Bits 4 and 5 show the output-buffer-full signals (IRQ 1, IRQ 12). */
    return (uint8_t)((k->out_port & 0xCF) | (k->obf_full && !k->obf_aux ? 0x10 : 0) |
                     (k->obf_full && k->obf_aux ? 0x20 : 0));
}

static void kbd_write(i8042_t *k, uint8_t v);
static void mouse_write(i8042_t *k, uint8_t v);

static void controller_command(i8042_t *k, uint8_t cmd)
{
    if (cmd >= 0x20 && cmd <= 0x3F) {
        reply(k, k->ram[cmd & 0x1F]);
        return;
    }
    if ((cmd >= 0x60 && cmd <= 0x7F) || (cmd >= 0xD1 && cmd <= 0xD4)) {
        k->pending = cmd; /* the data byte follows on port 0x60 */
        return;
    }
    if (cmd >= 0xF0) { /* pulse output port bits 0-3 low; bit 0 is RESET */
        if (!(cmd & 1) && k->reset_cpu)
            k->reset_cpu(k->opaque);
        return;
    }
    switch (cmd) {
    case 0xA4: reply(k, 0xF1); break;                /* no password installed */
    case 0xA7: k->ram[0] |= CB_AUX_OFF; break;
    case 0xA8: k->ram[0] &= (uint8_t)~CB_AUX_OFF; break;
    case 0xA9: reply(k, 0x00); break;                /* aux interface test: OK */
    case 0xAA:                                       /* self-test */
        k->sys_flag = true;
        reply(k, 0x55);
        break;
    case 0xAB: reply(k, 0x00); break;                /* keyboard interface test: OK */
    case 0xAD: k->ram[0] |= CB_KBD_OFF; break;
    case 0xAE: k->ram[0] &= (uint8_t)~CB_KBD_OFF; break;
    case 0xC0: reply(k, 0xB0); break;                /* input port: not inhibited, no jumper */
    case 0xD0: reply(k, out_port_value(k)); break;
    case 0xDD: write_out_port(k, k->out_port & (uint8_t)~OP_A20); break;
    case 0xDF: write_out_port(k, k->out_port | OP_A20); break;
    case 0xE0: reply(k, 0x00); break;                /* test inputs */
    default: break;                                  /* unknown: ignored */
    }
}

static void controller_data(i8042_t *k, uint8_t v)
{
    uint8_t cmd = k->pending;
    k->pending = 0;
    if (cmd >= 0x60 && cmd <= 0x7F) {
        k->ram[cmd & 0x1F] = v;
        if (cmd == 0x60)
            k->sys_flag = v & CB_SYS;
        return;
    }
    switch (cmd) {
    case 0xD1: write_out_port(k, v); break;
    case 0xD2: reply(k, v); break; /* as if the keyboard sent it */
    /* The controller itself puts the byte in its output buffer, marked as
     * mouse data, whether or not the mouse interface is enabled (Linux's
     * multiplexer probe loops bytes back with the interface off). */
    case 0xD3: queue_push(&k->ctrl_aux, v); break;
    case 0xD4: mouse_write(k, v); break;
    default: kbd_write(k, v); break;
    }
}

uint8_t i8042_read(i8042_t *k, uint16_t port)
{
    if (port == 0x64)
        return (uint8_t)((k->obf_full ? ST_OBF : 0) | (k->sys_flag ? ST_SYS : 0) |
                         (k->last_was_cmd ? ST_CMD : 0) | ST_UNLOCKED |
                         (k->obf_full && k->obf_aux ? ST_AUX : 0));
    uint8_t v = k->obf; /* an empty buffer reads its last byte again */
    k->obf_full = false;
    /* The IRQ line falls as the buffer empties, and rises again when the
     * next byte arrives: a new edge for the PIC's edge-triggered input,
     * which would otherwise never see a request for that byte (Linux's
     * handler reads one byte per interrupt). */
    update_irqs(k);
    fill_obf(k);
    return v;
}

void i8042_write(i8042_t *k, uint16_t port, uint8_t v)
{
    k->last_was_cmd = port == 0x64;
    if (port == 0x64)
        controller_command(k, v);
    else
        controller_data(k, v);
    fill_obf(k);
}

/* ---------------------------------------------------------------- keyboard */

static void kbd_send(ps2_keyboard_t *kb, uint8_t b)
{
    if (queue_push(&kb->out, b))
        kb->last_sent = b;
}

static void kbd_defaults(ps2_keyboard_t *kb)
{
    kb->set = 2;
    kb->typematic = 0x2B; /* 10.9 characters/s after 500 ms */
    kb->pending_cmd = 0;
}

static void kbd_write(i8042_t *k, uint8_t v)
{
    ps2_keyboard_t *kb = &k->kbd;
    if (kb->pending_cmd) {
        uint8_t cmd = kb->pending_cmd;
        kb->pending_cmd = 0;
        switch (cmd) {
        case 0xED: kb->leds = v & 7; kbd_send(kb, PS2_ACK); return;
        case 0xF3: kb->typematic = v & 0x7F; kbd_send(kb, PS2_ACK); return;
        default: /* 0xF0: scancode set */
            if (v == 0) {
                kbd_send(kb, PS2_ACK);
                kbd_send(kb, kb->set);
            } else if (v == 1 || v == 2) {
                kb->set = v;
                kbd_send(kb, PS2_ACK);
            } else {
                kbd_send(kb, PS2_RESEND); /* set 3 is not offered */
            }
            return;
        }
    }
    switch (v) {
    case 0xED: /* set LEDs */
    case 0xF0: /* select scancode set */
    case 0xF3: /* typematic rate and delay */
        kbd_send(kb, PS2_ACK);
        kb->pending_cmd = v;
        break;
    case 0xEE: kbd_send(kb, PS2_ECHO); break;
    case 0xF2: /* identify: MF2 keyboard */
        kbd_send(kb, PS2_ACK);
        kbd_send(kb, 0xAB);
        kbd_send(kb, 0x83);
        break;
    case 0xF4: /* enable: clears the buffer */
        queue_clear(&kb->out);
        kb->scanning = true;
        kbd_send(kb, PS2_ACK);
        break;
    case 0xF5: /* disable and set defaults */
        queue_clear(&kb->out);
        kbd_defaults(kb);
        kb->scanning = false;
        kbd_send(kb, PS2_ACK);
        break;
    case 0xF6: /* set defaults */
        queue_clear(&kb->out);
        kbd_defaults(kb);
        kbd_send(kb, PS2_ACK);
        break;
    case 0xF7: case 0xF8: case 0xF9: case 0xFA: /* set-3 key types: accepted */
        kbd_send(kb, PS2_ACK);
        break;
    case 0xFE: kbd_send(kb, kb->last_sent); break;
    case 0xFF: /* reset and basic assurance test */
        queue_clear(&kb->out);
        kbd_defaults(kb);
        kb->leds = 0;
        kb->scanning = true;
        kbd_send(kb, PS2_ACK);
        kbd_send(kb, PS2_BAT_OK);
        break;
    default: kbd_send(kb, PS2_RESEND); break;
    }
}

/* Queues a key's bytes whole in the 16-byte buffer, or an overrun code in
 * the place after it when they do not fit. */
static void kbd_queue_key(ps2_keyboard_t *kb, const uint8_t *bytes, unsigned n)
{
    if (queue_room(&kb->out) >= n + 1) {
        for (unsigned j = 0; j < n; j++)
            kbd_send(kb, bytes[j]);
    } else if (queue_room(&kb->out) >= 1) {
        kbd_send(kb, kb->set == 1 ? 0xFF : 0x00);
    }
}

void i8042_key(i8042_t *k, uint16_t code, bool down)
{
    ps2_keyboard_t *kb = &k->kbd;
    if (!kb->scanning)
        return;
    uint8_t b[8];
    unsigned n = 0;
    bool set1 = kb->set == 1;
    if (code == 0xE11D) { /* Pause: a make sequence only */
        static const uint8_t pause1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
        static const uint8_t pause2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
        if (down)
            kbd_queue_key(kb, set1 ? pause1 : pause2, set1 ? sizeof pause1 : sizeof pause2);
        else
            return;
    } else if (code == 0xE037) { /* Print Screen: fake shift around the key */
        static const uint8_t make1[] = {0xE0, 0x2A, 0xE0, 0x37}, break1[] = {0xE0, 0xB7, 0xE0, 0xAA};
        static const uint8_t make2[] = {0xE0, 0x12, 0xE0, 0x7C};
        static const uint8_t break2[] = {0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12};
        if (set1)
            kbd_queue_key(kb, down ? make1 : break1, 4);
        else
            kbd_queue_key(kb, down ? make2 : break2, down ? sizeof make2 : sizeof break2);
    } else {
        uint8_t base = code & 0x7F;
        bool ext = (code >> 8) == 0xE0;
        if ((code >> 8) && !ext)
            return;
        if (ext)
            b[n++] = 0xE0;
        if (set1) {
            b[n++] = (uint8_t)(base | (down ? 0 : 0x80));
        } else {
            uint8_t s2 = i8042_set1_to_set2(base);
            if (!s2)
                return;
            if (!down)
                b[n++] = 0xF0;
            b[n++] = s2;
        }
        kbd_queue_key(kb, b, n);
    }
    fill_obf(k);
}

/* ---------------------------------------------------------------- mouse */

static void mouse_send(ps2_mouse_t *ms, uint8_t b)
{
    if (queue_push(&ms->out, b))
        ms->last_sent = b;
}

static void mouse_clear_motion(ps2_mouse_t *ms)
{
    ms->dx = ms->dy = ms->dz = 0;
    ms->dirty = false;
}

static void mouse_defaults(ps2_mouse_t *ms)
{
    ms->rate = 100;
    ms->resolution = 2; /* 4 counts/mm */
    ms->scaling21 = false;
    ms->remote = false;
    ms->reporting = false;
    ms->pending_cmd = 0;
    mouse_clear_motion(ms);
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* 2:1 scaling of stream-mode motion (the datasheet's table for 0..5). */
static int scale21(int v)
{
    static const int small[6] = {0, 1, 1, 3, 6, 9};
    int a = v < 0 ? -v : v;
    int s = a < 6 ? small[a] : 2 * a;
    return v < 0 ? -s : s;
}

static unsigned packet_size(const ps2_mouse_t *ms) { return ms->id == 3 ? 4 : 3; }

/* Queues one movement packet with the motion accumulated so far. */
static void mouse_packet(ps2_mouse_t *ms, bool scaled)
{
    int dx = scaled && ms->scaling21 ? scale21(ms->dx) : ms->dx;
    int dy = scaled && ms->scaling21 ? scale21(ms->dy) : ms->dy;
    bool xo = dx < -256 || dx > 255, yo = dy < -256 || dy > 255;
    dx = clamp(dx, -256, 255);
    dy = clamp(dy, -256, 255);
    mouse_send(ms, (uint8_t)((ms->buttons & 7) | 0x08 | (dx < 0) << 4 | (dy < 0) << 5 | xo << 6 | yo << 7));
    mouse_send(ms, (uint8_t)dx);
    mouse_send(ms, (uint8_t)dy);
    if (ms->id == 3) {
        int dz = clamp(ms->dz, -8, 7);
        mouse_send(ms, (uint8_t)dz);
        ms->dz -= dz;
    } else {
        ms->dz = 0;
    }
    ms->dx = ms->dy = 0;
    ms->dirty = ms->dz != 0;
}

/* Stream mode: reports the pending motion when the queue has room. */
static void mouse_flush(i8042_t *k)
{
    ps2_mouse_t *ms = &k->aux;
    if (ms->dirty && ms->reporting && !ms->remote && !ms->wrap &&
        queue_room(&ms->out) >= packet_size(ms))
        mouse_packet(ms, true);
}

static void mouse_write(i8042_t *k, uint8_t v)
{
    ps2_mouse_t *ms = &k->aux;
    if (ms->wrap && v != 0xEC && v != 0xFF) {
        mouse_send(ms, v); /* wrap mode echoes */
        return;
    }
    if (ms->pending_cmd) {
        uint8_t cmd = ms->pending_cmd;
        ms->pending_cmd = 0;
        if (cmd == 0xE8) {
            ms->resolution = v & 3;
        } else { /* 0xF3: sample rate; 200, 100, 80 unlocks the wheel */
            ms->rate = v;
            ms->rates[0] = ms->rates[1];
            ms->rates[1] = ms->rates[2];
            ms->rates[2] = v;
            if (ms->rates[0] == 200 && ms->rates[1] == 100 && ms->rates[2] == 80)
                ms->id = 3;
        }
        mouse_send(ms, PS2_ACK);
        return;
    }
    switch (v) {
    case 0xE6: ms->scaling21 = false; mouse_send(ms, PS2_ACK); break;
    case 0xE7: ms->scaling21 = true; mouse_send(ms, PS2_ACK); break;
    case 0xE8: /* set resolution */
    case 0xF3: /* set sample rate */
        ms->pending_cmd = v;
        mouse_send(ms, PS2_ACK);
        break;
    case 0xE9: /* status request */
        mouse_send(ms, PS2_ACK);
        mouse_send(ms, (uint8_t)(ms->remote << 6 | ms->reporting << 5 | ms->scaling21 << 4 |
                                 (ms->buttons & 1) << 2 | (ms->buttons & 4) >> 1 | (ms->buttons & 2) >> 1));
        mouse_send(ms, ms->resolution);
        mouse_send(ms, ms->rate);
        break;
    case 0xEA: ms->remote = false; mouse_clear_motion(ms); mouse_send(ms, PS2_ACK); break;
    case 0xEB: /* read data */
        mouse_send(ms, PS2_ACK);
        mouse_packet(ms, false);
        break;
    case 0xEC: ms->wrap = false; mouse_send(ms, PS2_ACK); break;
    case 0xEE: ms->wrap = true; mouse_send(ms, PS2_ACK); break;
    case 0xF0: ms->remote = true; mouse_send(ms, PS2_ACK); break;
    case 0xF2: mouse_send(ms, PS2_ACK); mouse_send(ms, ms->id); break;
    case 0xF4: ms->reporting = true; mouse_clear_motion(ms); mouse_send(ms, PS2_ACK); break;
    case 0xF5: ms->reporting = false; mouse_clear_motion(ms); mouse_send(ms, PS2_ACK); break;
    case 0xF6: mouse_defaults(ms); mouse_send(ms, PS2_ACK); break;
    case 0xFE: mouse_send(ms, ms->last_sent); break;
    case 0xFF: /* reset: self-test passed, ID 0 */
        queue_clear(&ms->out);
        mouse_defaults(ms);
        ms->wrap = false;
        ms->id = 0;
        memset(ms->rates, 0, sizeof ms->rates);
        mouse_send(ms, PS2_ACK);
        mouse_send(ms, PS2_BAT_OK);
        mouse_send(ms, 0x00);
        break;
    default: mouse_send(ms, PS2_RESEND); break;
    }
}

void i8042_mouse(i8042_t *k, int dx, int dy, int dz, unsigned buttons)
{
    ps2_mouse_t *ms = &k->aux;
    ms->dx = clamp(ms->dx + dx, -4096, 4096);
    ms->dy = clamp(ms->dy - dy, -4096, 4096); /* PS/2 counts y upwards */
    ms->dz = clamp(ms->dz + dz, -64, 64);
    if (dx || dy || dz || (buttons & 7) != ms->buttons)
        ms->dirty = true;
    ms->buttons = buttons & 7;
    mouse_flush(k);
    fill_obf(k);
}

/* ---------------------------------------------------------------- wiring */

void i8042_reset(i8042_t *k)
{
    memset(k->ram, 0, sizeof k->ram);
    k->ram[0] = CB_KBD_INT | CB_AUX_INT | CB_XLAT; /* both ports on, translated */
    k->obf = 0;
    k->obf_full = k->obf_aux = k->sys_flag = k->last_was_cmd = k->xlat_break = false;
    k->pending = 0;
    queue_clear(&k->ctrl);
    queue_clear(&k->ctrl_aux);
    memset(&k->kbd, 0, sizeof k->kbd);
    kbd_defaults(&k->kbd);
    k->kbd.scanning = true;
    memset(&k->aux, 0, sizeof k->aux);
    mouse_defaults(&k->aux);
    k->out_port = 0xFF; /* 8042 port pins come out of reset high: A20 on, no reset */
    update_irqs(k);
}

static uint32_t i8042_io_read(void *opaque, uint16_t port, unsigned size)
{
    (void)size;
    return i8042_read(opaque, port);
}

static void i8042_io_write(void *opaque, uint16_t port, uint32_t value, unsigned size)
{
    (void)size;
    i8042_write(opaque, port, (uint8_t)value);
}

bool i8042_init(i8042_t *k, ioport_bus_t *bus, irq_line_t irq1, irq_line_t irq12,
                void (*set_a20)(void *, bool), void (*reset_cpu)(void *), void *opaque)
{
    memset(k, 0, sizeof *k);
    k->irq1 = irq1;
    k->irq12 = irq12;
    k->set_a20 = set_a20;
    k->reset_cpu = reset_cpu;
    k->opaque = opaque;
    i8042_reset(k);
    return ioport_register(bus, 0x60, 1, i8042_io_read, i8042_io_write, k, "i8042-data") &&
           ioport_register(bus, 0x64, 1, i8042_io_read, i8042_io_write, k, "i8042-cmd");
}
