/* The SDL2 window: the guest screen at its native resolution, scaled by
 * whole factors with nearest-neighbour pixels; the keyboard as PC/AT
 * set-1 scancodes; the mouse grabbed on a click and released with
 * Ctrl+Alt+G; Ctrl+Alt+S saves a screenshot; the title shows the state
 * and the guest's speed.  Built only with X86SIM_HAVE_SDL. */
#ifndef X86SIM_SDL_H
#define X86SIM_SDL_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

typedef struct sdl_ui sdl_ui_t;

sdl_ui_t *sdl_open(session_t *s, char *err, size_t errlen);
void sdl_close(sdl_ui_t *ui);
/* Handles input and redraws when a frame is due; `running` says whether
 * the CPU is running (for the title).  May ask the session to stop. */
void sdl_poll(sdl_ui_t *ui, bool running);
/* The user closed the window. */
bool sdl_closed(const sdl_ui_t *ui);

#endif
