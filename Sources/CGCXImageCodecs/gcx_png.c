#include "gcx_common.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Everything libpng's callbacks touch lives in one struct reached through a
// pointer, so its contents are well defined after longjmp.
typedef struct {
    jmp_buf jump;
    char *message;
    size_t message_capacity;
    const uint8_t *bytes;
    size_t count;
    size_t position;
    // Decode outputs / encode buffer, freed on the error path.
    uint8_t *rgb;
    uint8_t *rows;
    png_bytep *row_pointers;
    uint8_t *encoded;
    size_t encoded_size;
    size_t encoded_capacity;
    int status;
    char last_warning[160];
} gcx_png_context;

static void set_message(gcx_png_context *context, const char *text) {
    if (context->message && context->message_capacity > 0) {
        snprintf(context->message, context->message_capacity, "%s", text);
    }
}

static void on_error(png_structp png, png_const_charp text) {
    gcx_png_context *context = (gcx_png_context *)png_get_error_ptr(png);
    if (context->last_warning[0] && strstr(text, "IHDR")) {
        // png_check_IHDR warns with the specific reason, then fails with a generic one.
        char combined[400];
        snprintf(combined, sizeof combined, "%s: %s", text, context->last_warning);
        set_message(context, combined);
    } else {
        set_message(context, text);
    }
    longjmp(context->jump, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    // Ancillary problems (bad CRC in tEXt, unknown sRGB profile...) do not stop
    // decoding; the text is kept to explain a following error.
    gcx_png_context *context = (gcx_png_context *)png_get_error_ptr(png);
    snprintf(context->last_warning, sizeof context->last_warning, "%s", text);
}

static void read_bytes(png_structp png, png_bytep destination, size_t length) {
    gcx_png_context *context = (gcx_png_context *)png_get_io_ptr(png);
    if (length > context->count - context->position) {
        png_error(png, "unexpected end of data: the PNG file is truncated");
    }
    memcpy(destination, context->bytes + context->position, length);
    context->position += length;
}

static inline uint8_t scale16(uint32_t value) {
    return (uint8_t)((value * 255u + 32767u) / 65535u);
}

// Converts one row of 8- or 16-bit RGB / RGBA samples to RGB8; alpha is
// composited over white so transparent areas read as paper, not black.
static void convert_row(const uint8_t *source, uint8_t *destination, uint32_t width,
                        int channels, int depth) {
    for (uint32_t x = 0; x < width; x++) {
        if (depth == 8) {
            const uint8_t *p = source + (size_t)x * channels;
            if (channels == 4) {
                uint32_t a = p[3];
                for (int c = 0; c < 3; c++) {
                    destination[3 * x + c] = (uint8_t)((p[c] * a + 255u * (255u - a) + 127u) / 255u);
                }
            } else {
                destination[3 * x] = p[0];
                destination[3 * x + 1] = p[1];
                destination[3 * x + 2] = p[2];
            }
        } else {
            const uint8_t *p = source + (size_t)x * channels * 2;
            uint32_t v[4];
            for (int c = 0; c < channels; c++) v[c] = ((uint32_t)p[2 * c] << 8) | p[2 * c + 1];
            for (int c = 0; c < 3; c++) {
                uint32_t value = v[c];
                if (channels == 4) {
                    uint64_t a = v[3];
                    value = (uint32_t)((value * a + 65535ull * (65535ull - a) + 32767ull) / 65535ull);
                }
                destination[3 * x + c] = scale16(value);
            }
        }
    }
}

int gcx_png_decode(const uint8_t *bytes, size_t count,
                   uint32_t max_side, uint64_t max_pixels,
                   gcx_buffer *out, char *message, size_t message_capacity) {
    gcx_png_context context;
    memset(&context, 0, sizeof context);
    context.message = message;
    context.message_capacity = message_capacity;
    context.bytes = bytes;
    context.count = count;
    context.status = GCX_ERR_CODEC;
    memset(out, 0, sizeof *out);

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    if (!png) {
        set_message(&context, "out of memory creating the PNG reader");
        return GCX_ERR_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        set_message(&context, "out of memory creating the PNG reader");
        return GCX_ERR_NO_MEMORY;
    }
    if (setjmp(context.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(context.rgb);
        free(context.rows);
        free(context.row_pointers);
        return context.status;
    }
    png_set_read_fn(png, &context, read_bytes);
    png_read_info(png, info);

    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    if (gcx_check_size(width, height, max_side, max_pixels, out) != GCX_OK) {
        // The caller names the size and the limits from out->width and out->height.
        set_message(&context, "image exceeds the pixel limits");
        context.status = GCX_ERR_TOO_LARGE;
        longjmp(context.jump, 1);
    }

    // Palette -> RGB, grey < 8 bits -> 8 bits, tRNS -> alpha; grey -> RGB.
    // No png_set_gamma: gAMA/cHRM/sRGB/iCCP are ignored, samples are taken as sRGB.
    png_set_expand(png);
    png_set_gray_to_rgb(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((channels != 3 && channels != 4) || (depth != 8 && depth != 16)) {
        set_message(&context, "unexpected PNG layout after expansion");
        longjmp(context.jump, 1);
    }

    context.status = GCX_ERR_NO_MEMORY;
    context.rgb = malloc((size_t)width * height * 3);
    if (!context.rgb) {
        set_message(&context, "out of memory allocating the RGB image");
        longjmp(context.jump, 1);
    }
    if (passes == 1) {
        // Row by row: no full-size 16-bit RGBA intermediate for big images.
        context.rows = malloc(row_bytes);
        if (!context.rows) {
            set_message(&context, "out of memory allocating a PNG row");
            longjmp(context.jump, 1);
        }
        context.status = GCX_ERR_CODEC;
        for (png_uint_32 y = 0; y < height; y++) {
            png_read_row(png, context.rows, NULL);
            convert_row(context.rows, context.rgb + (size_t)y * width * 3, width, channels, depth);
        }
    } else {
        context.rows = malloc(row_bytes * height);
        context.row_pointers = malloc(sizeof(png_bytep) * height);
        if (!context.rows || !context.row_pointers) {
            set_message(&context, "out of memory allocating the interlaced PNG buffer");
            longjmp(context.jump, 1);
        }
        for (png_uint_32 y = 0; y < height; y++) context.row_pointers[y] = context.rows + row_bytes * y;
        context.status = GCX_ERR_CODEC;
        png_read_image(png, context.row_pointers);
        for (png_uint_32 y = 0; y < height; y++) {
            convert_row(context.row_pointers[y], context.rgb + (size_t)y * width * 3, width, channels, depth);
        }
    }
    // Reads through IEND so corruption after the image data is reported too.
    png_read_end(png, NULL);

    png_destroy_read_struct(&png, &info, NULL);
    free(context.rows);
    free(context.row_pointers);
    out->data = context.rgb;
    out->size = (size_t)width * height * 3;
    return GCX_OK;
}

static void write_bytes(png_structp png, png_bytep data, size_t length) {
    gcx_png_context *context = (gcx_png_context *)png_get_io_ptr(png);
    if (length > context->encoded_capacity - context->encoded_size) {
        size_t capacity = context->encoded_capacity ? context->encoded_capacity : 4096;
        while (capacity - context->encoded_size < length) capacity *= 2;
        uint8_t *grown = realloc(context->encoded, capacity);
        if (!grown) {
            context->status = GCX_ERR_NO_MEMORY;
            png_error(png, "out of memory growing the PNG output buffer");
        }
        context->encoded = grown;
        context->encoded_capacity = capacity;
    }
    memcpy(context->encoded + context->encoded_size, data, length);
    context->encoded_size += length;
}

static void flush_bytes(png_structp png) { (void)png; }

int gcx_png_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                        gcx_buffer *out, char *message, size_t message_capacity) {
    gcx_png_context context;
    memset(&context, 0, sizeof context);
    context.message = message;
    context.message_capacity = message_capacity;
    context.status = GCX_ERR_CODEC;
    memset(out, 0, sizeof *out);

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &context, on_error, on_warning);
    if (!png) {
        set_message(&context, "out of memory creating the PNG writer");
        return GCX_ERR_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        set_message(&context, "out of memory creating the PNG writer");
        return GCX_ERR_NO_MEMORY;
    }
    if (setjmp(context.jump)) {
        png_destroy_write_struct(&png, &info);
        free(context.encoded);
        return context.status;
    }
    png_set_write_fn(png, &context, write_bytes, flush_bytes);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * width * 3));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    out->data = context.encoded;
    out->size = context.encoded_size;
    out->width = width;
    out->height = height;
    return GCX_OK;
}

void gcx_free(void *pointer) { free(pointer); }
