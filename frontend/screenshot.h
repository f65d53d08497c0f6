/* Screenshots: the guest screen as a PNG file (our own small writer over
 * zlib: 8-bit RGB, no interlace, filter type 0). */
#ifndef X86SIM_SCREENSHOT_H
#define X86SIM_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/pc.h"

bool png_write(const char *path, const display_frame_t *frame, char *err, size_t errlen);
/* Renders the machine's screen and writes it; false with a message when
 * there is no display device or the file cannot be written. */
bool screenshot_take(machine_t *m, const char *path, char *err, size_t errlen);

#endif
