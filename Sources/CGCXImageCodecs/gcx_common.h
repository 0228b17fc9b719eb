#ifndef GCX_COMMON_H
#define GCX_COMMON_H

#include "gcx_codecs.h"
#include <stdio.h>
#include <stdlib.h>

// Shared by the decoders in this folder (not part of the public header).

static inline void gcx_message(char *message, size_t capacity, const char *text) {
    if (message && capacity > 0) snprintf(message, capacity, "%s", text);
}

// Refuses a size over the caller's limits before any pixel buffer exists.
static inline int gcx_check_size(uint64_t width, uint64_t height, uint32_t max_side, uint64_t max_pixels,
                                 gcx_buffer *out) {
    out->width = (uint32_t)(width > UINT32_MAX ? UINT32_MAX : width);
    out->height = (uint32_t)(height > UINT32_MAX ? UINT32_MAX : height);
    if (width == 0 || height == 0 || width > max_side || height > max_side || width * height > max_pixels) {
        return GCX_ERR_TOO_LARGE;
    }
    return GCX_OK;
}

// Alpha over white, as for PNG: out = (c * a + 255 * (255 - a) + 127) / 255.
static inline uint8_t gcx_over_white(uint32_t c, uint32_t a) {
    return (uint8_t)((c * a + 255u * (255u - a) + 127u) / 255u);
}

// RGBA8 rows (stride in bytes) to packed RGB8, alpha composited over white.
static inline void gcx_rgba_to_rgb(const uint8_t *rgba, size_t stride, uint32_t width, uint32_t height, uint8_t *rgb) {
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *s = rgba + (size_t)y * stride;
        uint8_t *d = rgb + (size_t)y * width * 3;
        for (uint32_t x = 0; x < width; x++, s += 4, d += 3) {
            d[0] = gcx_over_white(s[0], s[3]);
            d[1] = gcx_over_white(s[1], s[3]);
            d[2] = gcx_over_white(s[2], s[3]);
        }
    }
}

#endif
