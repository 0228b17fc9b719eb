#include "gcx_common.h"

#include <stdarg.h>
#include <string.h>
#include <tiffio.h>

// libtiff reads from memory through these callbacks; errors go to a per-thread buffer rather than
// stderr (libtiff's default handlers print).
typedef struct {
    const uint8_t *bytes;
    size_t count;
    size_t position;
} gcx_tiff_source;

static _Thread_local char tiff_error[256];

static void on_tiff_error(const char *module, const char *format, va_list arguments) {
    (void)module;
    vsnprintf(tiff_error, sizeof tiff_error, format, arguments);
}

static void on_tiff_warning(const char *module, const char *format, va_list arguments) {
    (void)module; (void)format; (void)arguments;
}

static tmsize_t tiff_read(thandle_t handle, void *buffer, tmsize_t size) {
    gcx_tiff_source *source = (gcx_tiff_source *)handle;
    size_t left = source->count - source->position;
    size_t n = (size_t)size < left ? (size_t)size : left;
    memcpy(buffer, source->bytes + source->position, n);
    source->position += n;
    return (tmsize_t)n;
}

static tmsize_t tiff_write(thandle_t handle, void *buffer, tmsize_t size) {
    (void)handle; (void)buffer; (void)size;
    return 0;
}

static toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
    gcx_tiff_source *source = (gcx_tiff_source *)handle;
    uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? source->position : source->count;
    uint64_t target = base + offset;
    if (target > source->count) return (toff_t)-1;
    source->position = (size_t)target;
    return target;
}

static int tiff_close(thandle_t handle) { (void)handle; return 0; }
static toff_t tiff_size(thandle_t handle) { return ((gcx_tiff_source *)handle)->count; }

int gcx_tiff_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    TIFFSetErrorHandler(on_tiff_error);
    TIFFSetWarningHandler(on_tiff_warning);
    tiff_error[0] = 0;
    gcx_tiff_source source = { bytes, count, 0 };
    TIFF *tiff = TIFFClientOpen("photo", "rm", (thandle_t)&source, tiff_read, tiff_write, tiff_seek, tiff_close,
                                tiff_size, NULL, NULL);
    if (!tiff) {
        gcx_message(message, message_capacity, tiff_error[0] ? tiff_error : "the TIFF header is invalid");
        return GCX_ERR_CODEC;
    }
    uint32_t width = 0, height = 0;
    TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
    int size = gcx_check_size(width, height, max_side, max_pixels, out);
    if (size != GCX_OK) { TIFFClose(tiff); return size; }

    // The first image, in its stored order: the orientation tag is applied by the caller, with
    // the same code as EXIF orientation everywhere else.
    TIFFRGBAImage image;
    char reason[1024] = "";
    if (!TIFFRGBAImageOK(tiff, reason) || !TIFFRGBAImageBegin(&image, tiff, 0, reason)) {
        gcx_message(message, message_capacity, reason[0] ? reason : "this TIFF variant cannot be decoded");
        TIFFClose(tiff);
        return GCX_ERR_UNSUPPORTED;
    }
    image.req_orientation = ORIENTATION_TOPLEFT;
    image.orientation = ORIENTATION_TOPLEFT;
    uint32_t *raster = malloc((size_t)width * height * sizeof(uint32_t));
    if (!raster) { TIFFRGBAImageEnd(&image); TIFFClose(tiff); return GCX_ERR_NO_MEMORY; }
    int ok = TIFFRGBAImageGet(&image, raster, width, height);
    TIFFRGBAImageEnd(&image);
    TIFFClose(tiff);
    if (!ok) {
        free(raster);
        gcx_message(message, message_capacity, tiff_error[0] ? tiff_error : "the TIFF image data is damaged or truncated");
        return GCX_ERR_CODEC;
    }
    out->data = malloc((size_t)width * height * 3);
    if (!out->data) { free(raster); return GCX_ERR_NO_MEMORY; }
    for (size_t i = 0; i < (size_t)width * height; i++) {
        uint32_t p = raster[i];
        uint32_t a = TIFFGetA(p);
        out->data[i * 3] = gcx_over_white(TIFFGetR(p), a);
        out->data[i * 3 + 1] = gcx_over_white(TIFFGetG(p), a);
        out->data[i * 3 + 2] = gcx_over_white(TIFFGetB(p), a);
    }
    free(raster);
    out->size = (size_t)width * height * 3;
    out->width = width;
    out->height = height;
    return GCX_OK;
}
