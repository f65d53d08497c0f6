/* The SDL2 window (see sdl.h). */
#ifdef X86SIM_HAVE_SDL
#include "sdl.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>

#include "screenshot.h"

#define FRAME_NS 16666667ull /* 60 frames per second */
#define TITLE_NS 500000000ull

struct sdl_ui {
    session_t *s;
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    uint32_t tex_w, tex_h;
    bool grabbed;
    bool closed;
    unsigned buttons;
    bool down[SDL_NUM_SCANCODES]; /* keys the guest was told are down */
    uint64_t next_frame_ns, next_title_ns;
    uint64_t title_icount, title_ns;
    int screenshots;
};

/* PC/AT scancode set 1 make codes by USB HID usage (SDL_Scancode); 0xE0xx
 * are the extended keys.  These are the 105 keys of an ISO PC keyboard. */
static uint16_t set1_code(SDL_Scancode sc)
{
    static const uint16_t letters[26] = {0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17,
                                         0x24, 0x25, 0x26, 0x32, 0x31, 0x18, 0x19, 0x10, 0x13,
                                         0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C};
    if (sc >= SDL_SCANCODE_A && sc <= SDL_SCANCODE_Z)
        return letters[sc - SDL_SCANCODE_A];
    if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_0)
        return (uint16_t)(0x02 + (sc - SDL_SCANCODE_1)); /* 1..9, 0 are 0x02..0x0B */
    if (sc >= SDL_SCANCODE_F1 && sc <= SDL_SCANCODE_F10)
        return (uint16_t)(0x3B + (sc - SDL_SCANCODE_F1));
    switch (sc) {
    case SDL_SCANCODE_RETURN: return 0x1C;
    case SDL_SCANCODE_ESCAPE: return 0x01;
    case SDL_SCANCODE_BACKSPACE: return 0x0E;
    case SDL_SCANCODE_TAB: return 0x0F;
    case SDL_SCANCODE_SPACE: return 0x39;
    case SDL_SCANCODE_MINUS: return 0x0C;
    case SDL_SCANCODE_EQUALS: return 0x0D;
    case SDL_SCANCODE_LEFTBRACKET: return 0x1A;
    case SDL_SCANCODE_RIGHTBRACKET: return 0x1B;
    case SDL_SCANCODE_BACKSLASH: return 0x2B;
    case SDL_SCANCODE_NONUSHASH: return 0x2B; /* the ISO key left of Enter */
    case SDL_SCANCODE_SEMICOLON: return 0x27;
    case SDL_SCANCODE_APOSTROPHE: return 0x28;
    case SDL_SCANCODE_GRAVE: return 0x29;
    case SDL_SCANCODE_COMMA: return 0x33;
    case SDL_SCANCODE_PERIOD: return 0x34;
    case SDL_SCANCODE_SLASH: return 0x35;
    case SDL_SCANCODE_CAPSLOCK: return 0x3A;
    case SDL_SCANCODE_F11: return 0x57;
    case SDL_SCANCODE_F12: return 0x58;
    case SDL_SCANCODE_PRINTSCREEN: return 0xE037;
    case SDL_SCANCODE_SCROLLLOCK: return 0x46;
    case SDL_SCANCODE_PAUSE: return 0xE11D;
    case SDL_SCANCODE_INSERT: return 0xE052;
    case SDL_SCANCODE_HOME: return 0xE047;
    case SDL_SCANCODE_PAGEUP: return 0xE049;
    case SDL_SCANCODE_DELETE: return 0xE053;
    case SDL_SCANCODE_END: return 0xE04F;
    case SDL_SCANCODE_PAGEDOWN: return 0xE051;
    case SDL_SCANCODE_RIGHT: return 0xE04D;
    case SDL_SCANCODE_LEFT: return 0xE04B;
    case SDL_SCANCODE_DOWN: return 0xE050;
    case SDL_SCANCODE_UP: return 0xE048;
    case SDL_SCANCODE_NUMLOCKCLEAR: return 0x45;
    case SDL_SCANCODE_KP_DIVIDE: return 0xE035;
    case SDL_SCANCODE_KP_MULTIPLY: return 0x37;
    case SDL_SCANCODE_KP_MINUS: return 0x4A;
    case SDL_SCANCODE_KP_PLUS: return 0x4E;
    case SDL_SCANCODE_KP_ENTER: return 0xE01C;
    case SDL_SCANCODE_KP_1: return 0x4F;
    case SDL_SCANCODE_KP_2: return 0x50;
    case SDL_SCANCODE_KP_3: return 0x51;
    case SDL_SCANCODE_KP_4: return 0x4B;
    case SDL_SCANCODE_KP_5: return 0x4C;
    case SDL_SCANCODE_KP_6: return 0x4D;
    case SDL_SCANCODE_KP_7: return 0x47;
    case SDL_SCANCODE_KP_8: return 0x48;
    case SDL_SCANCODE_KP_9: return 0x49;
    case SDL_SCANCODE_KP_0: return 0x52;
    case SDL_SCANCODE_KP_PERIOD: return 0x53;
    case SDL_SCANCODE_NONUSBACKSLASH: return 0x56; /* the ISO key right of left Shift */
    case SDL_SCANCODE_APPLICATION: return 0xE05D;
    case SDL_SCANCODE_LCTRL: return 0x1D;
    case SDL_SCANCODE_LSHIFT: return 0x2A;
    case SDL_SCANCODE_LALT: return 0x38;
    case SDL_SCANCODE_LGUI: return 0xE05B;
    case SDL_SCANCODE_RCTRL: return 0xE01D;
    case SDL_SCANCODE_RSHIFT: return 0x36;
    case SDL_SCANCODE_RALT: return 0xE038;
    case SDL_SCANCODE_RGUI: return 0xE05C;
    default: return 0;
    }
}

static void send_key(sdl_ui_t *ui, SDL_Scancode sc, bool down)
{
    uint16_t code = set1_code(sc);
    if (!code)
        return;
    if (!down && !ui->down[sc])
        return; /* its press went to the host (a shortcut) */
    ui->down[sc] = down;
    machine_key(ui->s->m, code, down);
}

/* On losing focus the guest must not keep keys held down. */
static void release_all_keys(sdl_ui_t *ui)
{
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++)
        if (ui->down[sc])
            send_key(ui, (SDL_Scancode)sc, false);
}

static void set_grab(sdl_ui_t *ui, bool grab)
{
    ui->grabbed = grab;
    SDL_SetRelativeMouseMode(grab ? SDL_TRUE : SDL_FALSE);
    ui->next_title_ns = 0; /* the title says how to release */
}

static void update_title(sdl_ui_t *ui, bool running, uint64_t now)
{
    const cpu_t *cpu = &ui->s->m->cpu;
    double mips = 0;
    if (ui->title_ns && now > ui->title_ns)
        mips = (double)(cpu->icount - ui->title_icount) * 1e3 / (double)(now - ui->title_ns);
    ui->title_icount = cpu->icount;
    ui->title_ns = now;
    const char *state = !running ? "stopped" : cpu->halted ? "idle (HLT)" : "running";
    char title[200];
    snprintf(title, sizeof title, "x86sim - %s - %.1f MIPS - %s%s", state, running ? mips : 0.0,
             ui->grabbed ? "Ctrl+Alt+G releases the mouse" : "click to grab the mouse",
             " - Ctrl+Alt+S screenshot");
    SDL_SetWindowTitle(ui->window, title);
}

static void save_screenshot(sdl_ui_t *ui)
{
    char path[64], err[256];
    snprintf(path, sizeof path, "x86sim-screenshot-%d.png", ++ui->screenshots);
    ui->tex_w = 0; /* rendering for the file used up the dirty rows: redraw all */
    if (screenshot_take(ui->s->m, path, err, sizeof err))
        fprintf(stderr, "x86sim: screenshot saved to %s\n", path);
    else
        fprintf(stderr, "x86sim: screenshot: %s\n", err);
}

/* Ctrl+Alt+key shortcuts for the host; true when the key was one. */
static bool host_shortcut(sdl_ui_t *ui, const SDL_KeyboardEvent *k)
{
    uint16_t mod = k->keysym.mod;
    if (!(mod & KMOD_CTRL) || !(mod & KMOD_ALT) || k->type != SDL_KEYDOWN)
        return false;
    if (k->keysym.scancode == SDL_SCANCODE_G) {
        set_grab(ui, !ui->grabbed);
        return true;
    }
    if (k->keysym.scancode == SDL_SCANCODE_S) {
        if (!k->repeat)
            save_screenshot(ui);
        return true;
    }
    return false;
}

static void handle_event(sdl_ui_t *ui, const SDL_Event *e)
{
    machine_t *m = ui->s->m;
    switch (e->type) {
    case SDL_QUIT:
        ui->closed = true;
        session_request_stop(ui->s, RUN_WINDOW_CLOSED);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP:
        if (!host_shortcut(ui, &e->key))
            send_key(ui, e->key.keysym.scancode, e->type == SDL_KEYDOWN); /* repeats are typematic makes */
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
        if (!ui->grabbed) {
            if (e->type == SDL_MOUSEBUTTONDOWN)
                set_grab(ui, true);
            break;
        }
        unsigned bit = e->button.button == SDL_BUTTON_LEFT ? 1 : e->button.button == SDL_BUTTON_RIGHT ? 2
                     : e->button.button == SDL_BUTTON_MIDDLE ? 4 : 0;
        ui->buttons = e->type == SDL_MOUSEBUTTONDOWN ? ui->buttons | bit : ui->buttons & ~bit;
        machine_mouse(m, 0, 0, 0, ui->buttons);
        break;
    }
    case SDL_MOUSEMOTION:
        if (ui->grabbed)
            machine_mouse(m, e->motion.xrel, e->motion.yrel, 0, ui->buttons);
        break;
    case SDL_MOUSEWHEEL:
        if (ui->grabbed)
            machine_mouse(m, 0, 0, -e->wheel.y, ui->buttons); /* wheel towards the user is positive */
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
            release_all_keys(ui);
            if (ui->grabbed)
                set_grab(ui, false);
        }
        break;
    default:
        break;
    }
}

/* Copies the guest frame into the texture (re-created on a mode change). */
static void draw(sdl_ui_t *ui)
{
    machine_t *m = ui->s->m;
    const display_frame_t *f = machine_display(m);
    if (f && f->width && f->height) {
        if (f->width != ui->tex_w || f->height != ui->tex_h || !ui->texture) {
            if (ui->texture)
                SDL_DestroyTexture(ui->texture);
            ui->texture = SDL_CreateTexture(ui->renderer, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
                                            (int)f->width, (int)f->height);
            ui->tex_w = f->width;
            ui->tex_h = f->height;
            SDL_RenderSetLogicalSize(ui->renderer, (int)f->width, (int)f->height);
            SDL_SetWindowSize(ui->window, (int)f->width, (int)f->height);
            SDL_UpdateTexture(ui->texture, NULL, f->pixels, (int)(f->width * 4));
        } else if (f->dirty_y1 > f->dirty_y0 && f->dirty_y1 <= f->height) {
            SDL_Rect rows = {0, (int)f->dirty_y0, (int)f->width, (int)(f->dirty_y1 - f->dirty_y0)};
            SDL_UpdateTexture(ui->texture, &rows, f->pixels + (size_t)f->dirty_y0 * f->width, (int)(f->width * 4));
        }
    }
    SDL_SetRenderDrawColor(ui->renderer, 0, 0, 0, 255);
    SDL_RenderClear(ui->renderer);
    if (ui->texture)
        SDL_RenderCopy(ui->renderer, ui->texture, NULL, NULL);
    SDL_RenderPresent(ui->renderer);
}

sdl_ui_t *sdl_open(session_t *s, char *err, size_t errlen)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        snprintf(err, errlen, "cannot open the SDL window: %s", SDL_GetError());
        return NULL;
    }
    sdl_ui_t *ui = calloc(1, sizeof *ui);
    if (!ui) {
        snprintf(err, errlen, "out of memory");
        SDL_Quit();
        return NULL;
    }
    ui->s = s;
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "0"); /* nearest: crisp pixels */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    ui->window = SDL_CreateWindow("x86sim", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 640, 400,
                                  SDL_WINDOW_RESIZABLE);
    if (ui->window)
        ui->renderer = SDL_CreateRenderer(ui->window, -1, 0);
    if (!ui->renderer) {
        snprintf(err, errlen, "cannot open the SDL window: %s", SDL_GetError());
        sdl_close(ui);
        return NULL;
    }
    SDL_RenderSetIntegerScale(ui->renderer, SDL_TRUE); /* whole multiples of the guest size */
    SDL_RenderSetLogicalSize(ui->renderer, 640, 400);
    update_title(ui, false, host_ns());
    draw(ui);
    return ui;
}

void sdl_close(sdl_ui_t *ui)
{
    if (!ui)
        return;
    if (ui->texture)
        SDL_DestroyTexture(ui->texture);
    if (ui->renderer)
        SDL_DestroyRenderer(ui->renderer);
    if (ui->window)
        SDL_DestroyWindow(ui->window);
    free(ui);
    SDL_Quit();
}

void sdl_poll(sdl_ui_t *ui, bool running)
{
    uint64_t now = host_ns();
    if (now < ui->next_frame_ns)
        return;
    ui->next_frame_ns = now + FRAME_NS;
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle_event(ui, &e);
    draw(ui);
    if (now >= ui->next_title_ns) {
        ui->next_title_ns = now + TITLE_NS;
        update_title(ui, running, now);
    }
}

bool sdl_closed(const sdl_ui_t *ui)
{
    return ui->closed;
}
#endif
