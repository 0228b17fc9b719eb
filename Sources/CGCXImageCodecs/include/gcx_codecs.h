#ifndef GCX_CODECS_H
#define GCX_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by every gcx_* codec call.
enum {
    GCX_OK = 0,
    GCX_ERR_CODEC = 1,      ///< libpng/libjpeg rejected the data; message says why
    GCX_ERR_TOO_LARGE = 2,  ///< header dimensions exceed the caller's limits; width/height are set
    GCX_ERR_NO_MEMORY = 3,
    GCX_ERR_UNSUPPORTED = 4 ///< valid file, but a variant this build cannot decode
};

/// A decoded or encoded buffer allocated with malloc; release with gcx_free.
typedef struct {
    uint8_t *data;
    size_t size;
    uint32_t width;
    uint32_t height;
} gcx_buffer;

/// Decodes a PNG to RGB8 (alpha composited over white, 16-bit rounded to 8,
/// gamma chunks ignored). Dimensions are checked against the limits after the
/// header is read and before any pixel buffer is allocated.
int gcx_png_decode(const uint8_t *bytes, size_t count,
                   uint32_t max_side, uint64_t max_pixels,
                   gcx_buffer *out, char *message, size_t message_capacity);

/// Decodes a JPEG (baseline, progressive, arithmetic; grey, YCbCr, RGB,
/// CMYK, YCCK) to RGB8. Same limit rule as gcx_png_decode.
int gcx_jpeg_decode(const uint8_t *bytes, size_t count,
                    uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, char *message, size_t message_capacity);

/// Decodes a still WebP (lossy or lossless, alpha composited over white) to RGB8; `exif` receives
/// the EXIF chunk when there is one (release both with gcx_free).
int gcx_webp_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, gcx_buffer *exif, char *message, size_t message_capacity);

/// Decodes the first image of a TIFF (any layout libtiff's RGBA interface reads) to RGB8 in its
/// stored order; the caller applies the Orientation tag.
int gcx_tiff_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, char *message, size_t message_capacity);

/// Decodes the first frame of a GIF onto its logical screen, over white, to RGB8.
int gcx_gif_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                   gcx_buffer *out, char *message, size_t message_capacity);

/// Decodes the primary image of a HEIF/HEIC or AVIF file to upright RGB8 (irot/imir applied);
/// `exif` receives its EXIF block's TIFF data when there is one.
int gcx_heif_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, gcx_buffer *exif, char *message, size_t message_capacity);

/// Encodes RGB8 pixels as an 8-bit truecolour, non-interlaced PNG.
int gcx_png_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                        gcx_buffer *out, char *message, size_t message_capacity);

/// Encodes RGB8 pixels as a baseline JPEG with optimised Huffman tables and no
/// JFIF/Adobe/EXIF markers. subsample_420 != 0 selects 4:2:0, else 4:4:4.
int gcx_jpeg_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                         int quality, int subsample_420,
                         gcx_buffer *out, char *message, size_t message_capacity);

void gcx_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
