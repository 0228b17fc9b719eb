#include "gcx_common.h"
#include "gcx_system.h"

#include <libheif/heif.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// libheif is loaded on first use, not linked: it and the decoders it loads (x265, de265, dav1d,
// aom) cost every gcx command milliseconds of start-up, and most commands never meet a HEIF.
#define GCX_HEIF_FUNCTIONS(X) \
    X(heif_context_alloc) X(heif_context_free) X(heif_context_set_maximum_image_size_limit) \
    X(heif_context_read_from_memory_without_copy) X(heif_context_get_primary_image_handle) \
    X(heif_image_handle_get_width) X(heif_image_handle_get_height) X(heif_image_handle_release) \
    X(heif_decode_image) X(heif_image_get_plane_readonly) X(heif_image_get_width) \
    X(heif_image_get_height) X(heif_image_release) X(heif_image_handle_get_list_of_metadata_block_IDs) \
    X(heif_image_handle_get_metadata_size) X(heif_image_handle_get_metadata)

#define GCX_HEIF_POINTER(name) static __typeof__(&name) gcx_##name;
GCX_HEIF_FUNCTIONS(GCX_HEIF_POINTER)

static pthread_once_t gcx_heif_once = PTHREAD_ONCE_INIT;
static int gcx_heif_loaded;
static char gcx_heif_load_error[256];

static void gcx_heif_load(void) {
#define GCX_HEIF_NAME(name) #name,
#define GCX_HEIF_SLOT(name) (void **)&gcx_##name,
    static const char *const names[] = {GCX_HEIF_FUNCTIONS(GCX_HEIF_NAME)};
    void **const slots[] = {GCX_HEIF_FUNCTIONS(GCX_HEIF_SLOT)};
    gcx_heif_loaded = gcx_open_library("libheif.so.1", "HEIF and AVIF need libheif", names, slots,
                                       sizeof names / sizeof names[0], gcx_heif_load_error, sizeof gcx_heif_load_error);
}

// Below, every libheif call goes through the pointers loaded above.
#define heif_context_alloc gcx_heif_context_alloc
#define heif_context_free gcx_heif_context_free
#define heif_context_set_maximum_image_size_limit gcx_heif_context_set_maximum_image_size_limit
#define heif_context_read_from_memory_without_copy gcx_heif_context_read_from_memory_without_copy
#define heif_context_get_primary_image_handle gcx_heif_context_get_primary_image_handle
#define heif_image_handle_get_width gcx_heif_image_handle_get_width
#define heif_image_handle_get_height gcx_heif_image_handle_get_height
#define heif_image_handle_release gcx_heif_image_handle_release
#define heif_decode_image gcx_heif_decode_image
#define heif_image_get_plane_readonly gcx_heif_image_get_plane_readonly
#define heif_image_get_width gcx_heif_image_get_width
#define heif_image_get_height gcx_heif_image_get_height
#define heif_image_release gcx_heif_image_release
#define heif_image_handle_get_list_of_metadata_block_IDs gcx_heif_image_handle_get_list_of_metadata_block_IDs
#define heif_image_handle_get_metadata_size gcx_heif_image_handle_get_metadata_size
#define heif_image_handle_get_metadata gcx_heif_image_handle_get_metadata

// HEIF (HEIC, with HEVC) and AVIF (AV1) through libheif and the decoders it was built with. The
// image's own transformations (irot, imir, clap) are applied by libheif, so the pixels come out
// upright; EXIF is returned for its capture time only (HEIF says EXIF orientation must not be
// applied on top of irot/imir).
int gcx_heif_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, gcx_buffer *exif, char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    memset(exif, 0, sizeof *exif);
    pthread_once(&gcx_heif_once, gcx_heif_load);
    if (!gcx_heif_loaded) {
        gcx_message(message, message_capacity, gcx_heif_load_error);
        return GCX_ERR_UNSUPPORTED;
    }
    struct heif_context *context = heif_context_alloc();
    if (!context) return GCX_ERR_NO_MEMORY;
    heif_context_set_maximum_image_size_limit(context, (int)max_side);
    struct heif_error error = heif_context_read_from_memory_without_copy(context, bytes, count, NULL);
    struct heif_image_handle *handle = NULL;
    if (error.code == heif_error_Ok) error = heif_context_get_primary_image_handle(context, &handle);
    if (error.code != heif_error_Ok) {
        gcx_message(message, message_capacity, error.message);
        heif_context_free(context);
        return error.code == heif_error_Unsupported_feature || error.code == heif_error_Unsupported_filetype
            ? GCX_ERR_UNSUPPORTED : GCX_ERR_CODEC;
    }
    int status = gcx_check_size((uint64_t)heif_image_handle_get_width(handle), (uint64_t)heif_image_handle_get_height(handle),
                                max_side, max_pixels, out);
    if (status != GCX_OK) {
        heif_image_handle_release(handle);
        heif_context_free(context);
        return status;
    }
    struct heif_image *image = NULL;
    error = heif_decode_image(handle, &image, heif_colorspace_RGB, heif_chroma_interleaved_RGBA, NULL);
    if (error.code != heif_error_Ok) {
        gcx_message(message, message_capacity, error.message);
        heif_image_handle_release(handle);
        heif_context_free(context);
        return error.code == heif_error_Unsupported_feature || error.code == heif_error_Unsupported_filetype
            || error.code == heif_error_Decoder_plugin_error ? GCX_ERR_UNSUPPORTED : GCX_ERR_CODEC;
    }
    int stride = 0;
    const uint8_t *rgba = heif_image_get_plane_readonly(image, heif_channel_interleaved, &stride);
    int width = heif_image_get_width(image, heif_channel_interleaved);
    int height = heif_image_get_height(image, heif_channel_interleaved);
    status = rgba ? gcx_check_size((uint64_t)width, (uint64_t)height, max_side, max_pixels, out) : GCX_ERR_CODEC;
    if (status == GCX_OK) {
        out->data = malloc((size_t)width * height * 3);
        if (!out->data) {
            status = GCX_ERR_NO_MEMORY;
        } else {
            gcx_rgba_to_rgb(rgba, (size_t)stride, (uint32_t)width, (uint32_t)height, out->data);
            out->size = (size_t)width * height * 3;
        }
    } else if (!rgba) {
        gcx_message(message, message_capacity, "libheif returned no RGBA plane");
    }
    heif_image_release(image);

    heif_item_id id;
    if (status == GCX_OK && heif_image_handle_get_list_of_metadata_block_IDs(handle, "Exif", &id, 1) == 1) {
        size_t size = heif_image_handle_get_metadata_size(handle, id);
        // The block starts with a 4-byte big-endian offset to the TIFF header.
        uint8_t *block = size > 4 ? malloc(size) : NULL;
        if (block && heif_image_handle_get_metadata(handle, id, block).code == heif_error_Ok) {
            uint32_t skip = (uint32_t)block[0] << 24 | (uint32_t)block[1] << 16 | (uint32_t)block[2] << 8 | block[3];
            if ((size_t)skip < size - 4) {
                exif->size = size - 4 - skip;
                exif->data = malloc(exif->size);
                if (exif->data) memcpy(exif->data, block + 4 + skip, exif->size); else exif->size = 0;
            }
        }
        free(block);
    }
    heif_image_handle_release(handle);
    heif_context_free(context);
    return status;
}
