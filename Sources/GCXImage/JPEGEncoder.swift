import CGCXImageCodecs

/// Writes RGB8 images as the smallest baseline JPEG libjpeg-turbo can make:
/// SOF0, optimised Huffman tables, no JFIF APP0, no Adobe APP14, no EXIF.
/// Chroma is subsampled 4:2:0 unless asked otherwise. Made for tiny thumbnails,
/// where every marker byte counts.
public enum JPEGEncoder {
    public enum ChromaSubsampling: Sendable {
        case yuv420
        case yuv444
    }

    /// Default thumbnail quality. Measured on the 24 Kodak photos at scale 1/8 (96x64):
    /// mean 1,243 bytes, max 1,755 (0.025 bpp of the 768x512 photo), so a whole entry
    /// with ~1,000 characters of description stays well under 0.1 bpp.
    public static let defaultQuality = 50

    /// Encodes `image` at `quality` (1...100, libjpeg's scale).
    public static func encode(_ image: RGBImage, quality: Int = defaultQuality,
                              subsampling: ChromaSubsampling = .yuv420) throws -> [UInt8] {
        guard (1...100).contains(quality) else {
            throw ImageError.invalidArgument("JPEG quality \(quality) is outside 1...100")
        }
        try EncoderInput.validate(image, maxSide: 65_500)  // JPEG's own limit
        var buffer = gcx_buffer()
        var message = [CChar](repeating: 0, count: 512)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                gcx_jpeg_encode_rgb8(pixels.baseAddress, UInt32(image.width), UInt32(image.height),
                                     Int32(quality), subsampling == .yuv420 ? 1 : 0,
                                     &buffer, text.baseAddress, text.count)
            }
        }
        defer { gcx_free(buffer.data) }
        try CodecStatus.check(status, format: .jpeg, message: message, buffer: buffer)
        return Array(UnsafeBufferPointer(start: buffer.data, count: buffer.size))
    }
}
