#include "gcx_common.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

// Error manager extended with our jump target; libjpeg reaches it through
// cinfo->err, and everything freed on the error path lives here.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_capacity;
    int truncated;
    int status;
    uint8_t *rgb;
    uint8_t *row;
    // Encoder output, grown by our destination manager (jpeg_mem_dest's buffer
    // can go stale on the error path, so we own this one).
    struct jpeg_destination_mgr destination;
    unsigned char *encoded;
    size_t encoded_capacity;
} gcx_jpeg_error;

static void set_message(gcx_jpeg_error *error, const char *text) {
    if (error->message && error->message_capacity > 0) {
        snprintf(error->message, error->message_capacity, "%s", text);
    }
}

static void on_error_exit(j_common_ptr cinfo) {
    gcx_jpeg_error *error = (gcx_jpeg_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    set_message(error, text);
    longjmp(error->jump, 1);
}

static void on_emit_message(j_common_ptr cinfo, int level) {
    gcx_jpeg_error *error = (gcx_jpeg_error *)cinfo->err;
    if (level < 0) {
        // A truncated file decodes to grey blocks with only a warning; treat it
        // as an error so a damaged photo is never archived silently.
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) error->truncated = 1;
        cinfo->err->num_warnings++;
    }
}

static void on_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void install_error_manager(gcx_jpeg_error *error, char *message, size_t capacity) {
    memset(error, 0, sizeof *error);
    jpeg_std_error(&error->base);
    error->base.error_exit = on_error_exit;
    error->base.emit_message = on_emit_message;
    error->base.output_message = on_output_message;
    error->message = message;
    error->message_capacity = capacity;
    error->status = GCX_ERR_CODEC;
}

static void fail(gcx_jpeg_error *error, int status, const char *text) {
    error->status = status;
    set_message(error, text);
    longjmp(error->jump, 1);
}

int gcx_jpeg_decode(const uint8_t *bytes, size_t count,
                    uint32_t max_side, uint64_t max_pixels,
                    gcx_buffer *out, char *message, size_t message_capacity) {
    struct jpeg_decompress_struct cinfo;
    gcx_jpeg_error error;
    install_error_manager(&error, message, message_capacity);
    memset(out, 0, sizeof *out);
    cinfo.err = &error.base;
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(error.rgb);
        free(error.row);
        return error.status;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, bytes, (unsigned long)count);
    if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
        fail(&error, GCX_ERR_CODEC, "JPEG stream holds only tables, no image");
    }
    uint32_t width = cinfo.image_width;
    uint32_t height = cinfo.image_height;
    if (gcx_check_size(width, height, max_side, max_pixels, out) != GCX_OK) {
        // The caller names the size and the limits from out->width and out->height.
        fail(&error, GCX_ERR_TOO_LARGE, "image exceeds the pixel limits");
    }

    int cmyk = 0;
    int inverted_cmyk = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo.out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        cmyk = 1;
        // Adobe applications write CMYK inverted (255 = no ink); their files carry the Adobe marker.
        inverted_cmyk = cinfo.saw_Adobe_marker;
        break;
    default:
        fail(&error, GCX_ERR_UNSUPPORTED, "unsupported JPEG colour space (not grey, YCbCr, RGB, CMYK or YCCK)");
    }
    jpeg_start_decompress(&cinfo);
    int components = cinfo.output_components;
    if ((cmyk && components != 4) || (!cmyk && components != 3)) {
        fail(&error, GCX_ERR_CODEC, "unexpected JPEG output layout");
    }

    error.rgb = malloc((size_t)width * height * 3);
    error.row = malloc((size_t)width * components);
    if (!error.rgb || !error.row) {
        fail(&error, GCX_ERR_NO_MEMORY, "out of memory allocating the JPEG image");
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        uint32_t y = cinfo.output_scanline;
        JSAMPROW rows[1];
        rows[0] = cmyk ? error.row : error.rgb + (size_t)y * width * 3;
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) {
            fail(&error, GCX_ERR_CODEC, "JPEG decoder stopped early: the file is truncated");
        }
        if (cmyk) {
            uint8_t *destination = error.rgb + (size_t)y * width * 3;
            for (uint32_t x = 0; x < width; x++) {
                const uint8_t *p = error.row + 4 * (size_t)x;
                uint32_t k = inverted_cmyk ? p[3] : 255u - p[3];
                for (int c = 0; c < 3; c++) {
                    uint32_t v = inverted_cmyk ? p[c] : 255u - p[c];
                    destination[3 * x + c] = (uint8_t)((v * k + 127u) / 255u);
                }
            }
        }
    }
    if (error.truncated) {
        fail(&error, GCX_ERR_CODEC, "Premature end of JPEG file: the file is truncated");
    }
    jpeg_finish_decompress(&cinfo);
    if (error.truncated) {
        fail(&error, GCX_ERR_CODEC, "Premature end of JPEG file: the file is truncated");
    }
    jpeg_destroy_decompress(&cinfo);
    free(error.row);
    out->data = error.rgb;
    out->size = (size_t)width * height * 3;
    return GCX_OK;
}

static void destination_init(j_compress_ptr cinfo) {
    gcx_jpeg_error *error = (gcx_jpeg_error *)cinfo->err;
    error->encoded_capacity = 4096;
    error->encoded = malloc(error->encoded_capacity);
    if (!error->encoded) fail(error, GCX_ERR_NO_MEMORY, "out of memory allocating the JPEG output");
    error->destination.next_output_byte = error->encoded;
    error->destination.free_in_buffer = error->encoded_capacity;
}

static boolean destination_grow(j_compress_ptr cinfo) {
    gcx_jpeg_error *error = (gcx_jpeg_error *)cinfo->err;
    // libjpeg calls this only when the buffer is completely full.
    size_t used = error->encoded_capacity;
    unsigned char *grown = realloc(error->encoded, used * 2);
    if (!grown) fail(error, GCX_ERR_NO_MEMORY, "out of memory growing the JPEG output");
    error->encoded = grown;
    error->encoded_capacity = used * 2;
    error->destination.next_output_byte = grown + used;
    error->destination.free_in_buffer = used;
    return TRUE;
}

static void destination_term(j_compress_ptr cinfo) { (void)cinfo; }

int gcx_jpeg_encode_rgb8(const uint8_t *pixels, uint32_t width, uint32_t height,
                         int quality, int subsample_420,
                         gcx_buffer *out, char *message, size_t message_capacity) {
    struct jpeg_compress_struct cinfo;
    gcx_jpeg_error error;
    install_error_manager(&error, message, message_capacity);
    memset(out, 0, sizeof *out);
    cinfo.err = &error.base;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(error.encoded);
        return error.status;
    }
    jpeg_create_compress(&cinfo);
    error.destination.init_destination = destination_init;
    error.destination.empty_output_buffer = destination_grow;
    error.destination.term_destination = destination_term;
    cinfo.dest = &error.destination;
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    // Smallest baseline stream: optimised Huffman tables, no JFIF/Adobe APPn.
    cinfo.optimize_coding = TRUE;
    cinfo.write_JFIF_header = FALSE;
    cinfo.write_Adobe_marker = FALSE;
    cinfo.dct_method = JDCT_ISLOW;
    int factor = subsample_420 ? 2 : 1;
    cinfo.comp_info[0].h_samp_factor = factor;
    cinfo.comp_info[0].v_samp_factor = factor;
    cinfo.comp_info[1].h_samp_factor = 1;
    cinfo.comp_info[1].v_samp_factor = 1;
    cinfo.comp_info[2].h_samp_factor = 1;
    cinfo.comp_info[2].v_samp_factor = 1;
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1];
        rows[0] = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * width * 3);
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    out->data = error.encoded;
    out->size = error.encoded_capacity - error.destination.free_in_buffer;
    out->width = width;
    out->height = height;
    return GCX_OK;
}
