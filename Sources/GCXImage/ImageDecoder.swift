import CGCXImageCodecs
import GCXBytes

/// Decodes PNG, JPEG, WebP, TIFF, GIF, HEIF/HEIC and AVIF bytes to upright 8-bit sRGB pixels.
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
/// - WebP (lossy, lossless, alpha) through libwebp; TIFF (the first image, any layout libtiff's RGBA
///   interface reads) through libtiff; GIF (the first frame on its logical screen) through giflib;
///   HEIF/HEIC and AVIF (the primary image, irot/imir applied) through libheif with its HEVC and AV1
///   decoders.
/// - EXIF orientation (JPEG APP1 "Exif", PNG eXIf, WebP EXIF chunk, TIFF Orientation tag) is
///   applied to the pixels; capture time comes from EXIF in every format that has it.
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
        let (raw, embeddedExif) = try decodePixels(bytes, format: format)
        let exif: [UInt8]? = switch format {
        case .jpeg: ExifMetadata.findInJPEG(bytes)
        case .png: PNGChunks.exif(bytes)
        case .tiff: bytes  // a TIFF file is itself the structure EXIF borrows: its IFD0 holds the tags
        default: embeddedExif
        }
        let metadata = exif.map { ExifMetadata.parse(tiff: $0) } ?? ExifMetadata()
        // HEIF and AVIF carry their own rotation and mirroring (irot, imir), which the decoder has
        // applied; their EXIF orientation must not be applied again.
        let orientation = format == .heif || format == .avif ? .up
            : metadata.orientation.flatMap(ExifOrientation.init(rawValue:)) ?? .up
        return DecodedImage(image: orientation.apply(to: raw), format: format, orientation: orientation,
                            captureTime: metadata.captureTime, camera: metadata.camera, position: metadata.position)
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

    /// The pixels, and the EXIF block the container held apart from them (WebP, HEIF, AVIF).
    private static func decodePixels(_ bytes: [UInt8], format: ImageFormat) throws -> (RGBImage, [UInt8]?) {
        var buffer = gcx_buffer()
        var exif = gcx_buffer()
        var message = [CChar](repeating: 0, count: 512)
        let side = UInt32(PixelLimits.maxSide), pixels = UInt64(PixelLimits.maxPhotoPixels)
        let status = bytes.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { text in
                let (data, count, note, room) = (input.baseAddress, input.count, text.baseAddress, text.count)
                return switch format {
                case .png: gcx_png_decode(data, count, side, pixels, &buffer, note, room)
                case .jpeg: gcx_jpeg_decode(data, count, side, pixels, &buffer, note, room)
                case .webp: gcx_webp_decode(data, count, side, pixels, &buffer, &exif, note, room)
                case .tiff: gcx_tiff_decode(data, count, side, pixels, &buffer, note, room)
                case .gif: gcx_gif_decode(data, count, side, pixels, &buffer, note, room)
                case .heif, .avif: gcx_heif_decode(data, count, side, pixels, &buffer, &exif, note, room)
                }
            }
        }
        defer {
            gcx_free(buffer.data)
            gcx_free(exif.data)
        }
        try CodecStatus.check(status, format: format, message: message, buffer: buffer)
        let image = RGBImage(width: Int(buffer.width), height: Int(buffer.height),
                             pixels: Array(UnsafeBufferPointer(start: buffer.data, count: buffer.size)))
        let block = exif.data.map { Array(UnsafeBufferPointer(start: $0, count: exif.size)) }
        return (image, block)
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
