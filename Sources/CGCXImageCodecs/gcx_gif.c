#include "gcx_common.h"

#include <gif_lib.h>
#include <string.h>

typedef struct {
    const uint8_t *bytes;
    size_t count;
    size_t position;
} gcx_gif_source;

static int gif_read(GifFileType *gif, GifByteType *buffer, int length) {
    gcx_gif_source *source = (gcx_gif_source *)gif->UserData;
    size_t left = source->count - source->position;
    size_t n = (size_t)length < left ? (size_t)length : left;
    memcpy(buffer, source->bytes + source->position, n);
    source->position += n;
    return (int)n;
}

// The first frame only, read record by record (never the whole animation), drawn on the logical
// screen over white; its transparent index, if any, shows white.
int gcx_gif_decode(const uint8_t *bytes, size_t count, uint32_t max_side, uint64_t max_pixels,
                   gcx_buffer *out, char *message, size_t message_capacity) {
    memset(out, 0, sizeof *out);
    gcx_gif_source source = { bytes, count, 0 };
    int error = 0;
    GifFileType *gif = DGifOpen(&source, gif_read, &error);
    if (!gif) {
        gcx_message(message, message_capacity, GifErrorString(error) ? GifErrorString(error) : "the GIF header is invalid");
        return GCX_ERR_CODEC;
    }
    int status = gcx_check_size((uint64_t)gif->SWidth, (uint64_t)gif->SHeight, max_side, max_pixels, out);
    if (status != GCX_OK) { DGifCloseFile(gif, &error); return status; }
    uint32_t width = (uint32_t)gif->SWidth, height = (uint32_t)gif->SHeight;
    uint8_t *rgb = malloc((size_t)width * height * 3);
    GifByteType *line = malloc(width);
    if (!rgb || !line) { free(rgb); free(line); DGifCloseFile(gif, &error); return GCX_ERR_NO_MEMORY; }
    memset(rgb, 255, (size_t)width * height * 3);
    int transparent = -1;
    int done = 0;
    status = GCX_ERR_CODEC;
    const char *reason = "the GIF holds no image";
    while (!done) {
        GifRecordType record;
        if (DGifGetRecordType(gif, &record) == GIF_ERROR) { reason = GifErrorString(gif->Error); break; }
        if (record == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType *extension = NULL;
            if (DGifGetExtension(gif, &code, &extension) == GIF_ERROR) { reason = GifErrorString(gif->Error); break; }
            if (code == GRAPHICS_EXT_FUNC_CODE && extension && extension[0] >= 4 && (extension[1] & 1)) {
                transparent = extension[4];
            }
            while (extension) {
                if (DGifGetExtensionNext(gif, &extension) == GIF_ERROR) { extension = NULL; reason = GifErrorString(gif->Error); done = 1; }
            }
        } else if (record == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(gif) == GIF_ERROR) { reason = GifErrorString(gif->Error); break; }
            GifImageDesc *frame = &gif->Image;
            ColorMapObject *map = frame->ColorMap ? frame->ColorMap : gif->SColorMap;
            // In 64 bits: a frame offset past the screen must not wrap (found by tools/fuzz.sh image).
            if (!map || frame->Width <= 0 || frame->Height <= 0 || frame->Left < 0 || frame->Top < 0 ||
                (uint64_t)frame->Left + (uint64_t)frame->Width > width || (uint64_t)frame->Top + (uint64_t)frame->Height > height) {
                reason = map ? "the first frame lies outside the logical screen" : "the GIF has no colour table";
                break;
            }
            static const int offsets[] = { 0, 4, 2, 1 }, steps[] = { 8, 8, 4, 2 };
            int passes = frame->Interlace ? 4 : 1;
            int failed = 0;
            for (int pass = 0; pass < passes && !failed; pass++) {
                int first = frame->Interlace ? offsets[pass] : 0, step = frame->Interlace ? steps[pass] : 1;
                for (int y = first; y < frame->Height; y += step) {
                    if (DGifGetLine(gif, line, frame->Width) == GIF_ERROR) { failed = 1; break; }
                    uint8_t *row = rgb + ((size_t)(frame->Top + y) * width + (size_t)frame->Left) * 3;
                    for (int x = 0; x < frame->Width; x++) {
                        int index = line[x];
                        if (index == transparent || index >= map->ColorCount) continue;
                        row[x * 3] = map->Colors[index].Red;
                        row[x * 3 + 1] = map->Colors[index].Green;
                        row[x * 3 + 2] = map->Colors[index].Blue;
                    }
                }
            }
            if (failed) { reason = "the GIF image data is damaged or truncated"; break; }
            status = GCX_OK;
            done = 1;
        } else {  // TERMINATE_RECORD_TYPE (or anything else): no image came first
            break;
        }
    }
    free(line);
    DGifCloseFile(gif, &error);
    if (status != GCX_OK) {
        free(rgb);
        gcx_message(message, message_capacity, reason ? reason : "the GIF is damaged");
        return status;
    }
    out->data = rgb;
    out->size = (size_t)width * height * 3;
    out->width = width;
    out->height = height;
    return GCX_OK;
}
