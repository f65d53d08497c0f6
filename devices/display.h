/* What the display device hands the frontend: the current screen as an
 * XRGB8888 frame.  The SDL window, screenshots and tests all use this. */
#ifndef X86SIM_DISPLAY_H
#define X86SIM_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

typedef struct display_frame {
    uint32_t width, height; /* pixels */
    uint32_t *pixels;       /* width * height, 0x00RRGGBB, owned by the device */
    /* The rows that changed since the previous render: [dirty_y0, dirty_y1). */
    uint32_t dirty_y0, dirty_y1;
} display_frame_t;

#endif
