/* PNG writer (see screenshot.h); the format is the PNG specification's
 * (ISO/IEC 15948): signature, IHDR, one IDAT with the zlib stream, IEND,
 * each chunk with a CRC-32 over its type and data. */
#include "screenshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static bool write_chunk(FILE *f, const char type[4], const uint8_t *data, uint32_t len)
{
    uint8_t head[8], tail[4];
    put_be32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, head + 4, 4);
    if (len)
        crc = crc32(crc, data, len);
    put_be32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, f) == 8 && (len == 0 || fwrite(data, 1, len, f) == len) &&
           fwrite(tail, 1, 4, f) == 4;
}

bool png_write(const char *path, const display_frame_t *frame, char *err, size_t errlen)
{
    uint32_t w = frame->width, h = frame->height;
    if (!w || !h || w > 16384 || h > 16384) {
        snprintf(err, errlen, "the screen is %ux%u: nothing to save", w, h);
        return false;
    }
    size_t row = 1 + (size_t)w * 3, raw_len = row * h;
    uLongf packed_len = compressBound((uLong)raw_len);
    uint8_t *raw = malloc(raw_len), *packed = malloc(packed_len);
    bool ok = false;
    if (!raw || !packed) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *r = raw + y * row;
        const uint32_t *src = frame->pixels + (size_t)y * w;
        r[0] = 0; /* filter: none */
        for (uint32_t x = 0; x < w; x++) {
            r[1 + 3 * x] = (uint8_t)(src[x] >> 16);
            r[2 + 3 * x] = (uint8_t)(src[x] >> 8);
            r[3 + 3 * x] = (uint8_t)src[x];
        }
    }
    if (compress2(packed, &packed_len, raw, (uLong)raw_len, 6) != Z_OK) {
        snprintf(err, errlen, "zlib could not compress the image");
        goto out;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    uint8_t ihdr[13];
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    ok = fwrite(signature, 1, 8, f) == 8 && write_chunk(f, "IHDR", ihdr, 13) &&
         write_chunk(f, "IDAT", packed, (uint32_t)packed_len) && write_chunk(f, "IEND", NULL, 0);
    if (fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "%s: write error", path);
out:
    free(raw);
    free(packed);
    return ok;
}

bool screenshot_take(machine_t *m, const char *path, char *err, size_t errlen)
{
    const display_frame_t *frame = machine_display(m);
    if (!frame) {
        snprintf(err, errlen, "this machine has no display device to take a screenshot of");
        return false;
    }
    return png_write(path, frame, err, errlen);
}
