#include "gcx_common.h"

#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

int gcx_webp_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, gcx_buffer *exif, char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    memset(exif, 0, sizeof *exif);
    WebPBitstreamFeatures features;
    VP8StatusCode status = WebPGetFeatures(bytes, count, &features);
    if (status != VP8_STATUS_OK) {
        gcx_message(message, message_capacity, status == VP8_STATUS_NOT_ENOUGH_DATA ? "the WebP file is truncated" : "the WebP header is invalid");
        return GCX_ERR_CODEC;
    }
    int size = gcx_check_size((uint64_t)features.width, (uint64_t)features.height, max_side, max_pixels, out);
    if (size != GCX_OK) return size;
    if (features.has_animation) {
        // Only the first frame of an animation would be a photo; libwebp's simple decoder refuses it.
        gcx_message(message, message_capacity, "an animated WebP (only still images are packed)");
        return GCX_ERR_UNSUPPORTED;
    }
    int width = 0, height = 0;
    uint8_t *rgba = WebPDecodeRGBA(bytes, count, &width, &height);
    if (!rgba) {
        gcx_message(message, message_capacity, "libwebp could not decode the image data (damaged or truncated)");
        return GCX_ERR_CODEC;
    }
    out->data = malloc((size_t)width * height * 3);
    if (!out->data) { WebPFree(rgba); return GCX_ERR_NO_MEMORY; }
    gcx_rgba_to_rgb(rgba, (size_t)width * 4, (uint32_t)width, (uint32_t)height, out->data);
    out->size = (size_t)width * height * 3;
    out->width = (uint32_t)width;
    out->height = (uint32_t)height;
    WebPFree(rgba);

    // EXIF lives in its own RIFF chunk of the extended format.
    WebPData data = { bytes, count };
    WebPDemuxer *demux = WebPDemux(&data);
    if (demux) {
        WebPChunkIterator chunk;
        if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) {
            exif->data = malloc(chunk.chunk.size ? chunk.chunk.size : 1);
            if (exif->data) {
                memcpy(exif->data, chunk.chunk.bytes, chunk.chunk.size);
                exif->size = chunk.chunk.size;
            }
            WebPDemuxReleaseChunkIterator(&chunk);
        }
        WebPDemuxDelete(demux);
    }
    return GCX_OK;
}
