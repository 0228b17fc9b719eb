import CGCXImageCodecs
import GCXBytes

/// Decodes PNG and JPEG bytes to upright 8-bit sRGB pixels.
///
/// - Format: sniffed from the magic bytes, never from a file name.
/// - PNG: every colour type and bit depth, interlaced or not, through libpng.
///   16-bit samples are rounded to 8 bits (`(v * 255 + 32767) / 65535`).
/// - JPEG: baseline, progressive and arithmetic-coded through libjpeg-turbo;
///   greyscale is replicated to RGB, CMYK/YCCK are converted naively to RGB
///   (Adobe-inverted CMYK recognised by its Adobe marker). 12-bit JPEG is
///   refused with libjpeg's own message. A truncated JPEG is an error, not grey blocks.
/// - Alpha (PNG alpha channel or tRNS) is composited over **white**:
///   `out = (c * a + 255 * (255 - a) + 127) / 255` (in 16 bits for 16-bit files).
/// - Colour management is **ignored**: gAMA, cHRM, sRGB, iCCP chunks and JPEG ICC
///   profiles are not applied; samples are taken to be sRGB as stored.
/// - EXIF orientation (JPEG APP1 "Exif", PNG eXIf) is applied to the pixels.
/// - Limits: a side above 65535 or more than 2^26 pixels (``PixelLimits``) is refused from the
///   header, before any pixel buffer is allocated.
///
///     let decoded = try ImageDecoder.decode(Array(fileData))
///     print(decoded.image.width, decoded.orientation, decoded.captureTime as Any)
public enum ImageDecoder {
    /// Decodes `bytes`; throws an ``ImageError`` describing what is wrong.
    public static func decode(_ bytes: [UInt8]) throws -> DecodedImage {
        guard let format = ImageFormat.sniff(bytes) else {
            throw damagedSignatureError(bytes)
        }
        // Our own header reader runs first, so a hostile size is refused before the
        // codec starts. It is stricter than libjpeg about stray bytes between
        // segments, so if it cannot parse, the codec (which checks the same limits
        // before allocating) decides and words the error.
        if let header = try? ImageHeader.parse(bytes, as: format) {
            try ImageError.checkSize(width: header.width, height: header.height)
        }

        if format == .png { try PNGChunks.requireImageData(bytes) }
        let raw = try decodePixels(bytes, format: format)
        let exif: [UInt8]? = format == .jpeg ? ExifMetadata.findInJPEG(bytes) : PNGChunks.exif(bytes)
        let metadata = exif.map { ExifMetadata.parse(tiff: $0) } ?? ExifMetadata()
        let orientation = metadata.orientation.flatMap(ExifOrientation.init(rawValue:)) ?? .up
        return DecodedImage(image: orientation.apply(to: raw), format: format,
                            orientation: orientation, captureTime: metadata.captureTime)
    }

    /// Names a damaged PNG signature as such (3 of its first 4 bytes match,
    /// ignoring case), otherwise reports an unknown format.
    static func damagedSignatureError(_ bytes: [UInt8]) -> ImageError {
        let expected = ImageFormat.pngSignature
        let head = Array(bytes.prefix(8))
        let matches = zip(head.prefix(4), expected.prefix(4)).filter { $0 | 0x20 == $1 | 0x20 }.count
        guard head.count == 8, matches >= 3 else { return .unrecognizedFormat(firstBytes: Array(bytes.prefix(FileKind.sniffLength))) }
        let hex = { (b: [UInt8]) in b.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ") }
        // The CR LF SUB LF tail exists to catch newline conversion.
        let textMode = Array(head[4..<8]) != Array(expected[4..<8])
        return .invalidHeader(
            format: .png, offset: 0,
            reason: "the PNG signature is damaged: expected \(hex(expected)), found \(hex(head))"
                + (textMode ? " (line endings altered, e.g. by a text-mode transfer?)" : ""))
    }

    private static func decodePixels(_ bytes: [UInt8], format: ImageFormat) throws -> RGBImage {
        var buffer = gcx_buffer()
        var message = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                switch format {
                case .png:
                    gcx_png_decode(input.baseAddress, input.count, UInt32(PixelLimits.maxSide),
                                   UInt64(PixelLimits.maxPhotoPixels), &buffer, text.baseAddress, text.count)
                case .jpeg:
                    gcx_jpeg_decode(input.baseAddress, input.count, UInt32(PixelLimits.maxSide),
                                    UInt64(PixelLimits.maxPhotoPixels), &buffer, text.baseAddress, text.count)
                }
            }
        }
        defer { gcx_free(buffer.data) }
        try CodecStatus.check(status, format: format, message: message, buffer: buffer)
        let width = Int(buffer.width), height = Int(buffer.height)
        let pixels = Array(UnsafeBufferPointer(start: buffer.data, count: buffer.size))
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

/// Maps a gcx_* C status to an ``ImageError``.
enum CodecStatus {
    static func check(_ status: Int32, format: ImageFormat, message: [CChar], buffer: gcx_buffer) throws {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case Int(GCX_OK):
            return
        case Int(GCX_ERR_TOO_LARGE):
            throw ImageError.tooLarge(width: Int(buffer.width), height: Int(buffer.height))
        case Int(GCX_ERR_NO_MEMORY):
            throw ImageError.outOfMemory(text)
        case Int(GCX_ERR_UNSUPPORTED):
            throw ImageError.unsupported(format: format, message: text)
        default:
            if text.contains("precision") {
                throw ImageError.unsupported(format: format, message: text + " (only 8-bit JPEG is supported)")
            }
            throw ImageError.codec(format: format, message: text.isEmpty ? "unknown error" : text)
        }
    }
}
