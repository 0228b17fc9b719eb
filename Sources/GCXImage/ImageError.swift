import GCXBytes

/// Every failure of the image layer: what went wrong, in words a person can act on.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes start with neither the PNG nor the JPEG signature (the first 32 bytes are kept, so
    /// the message can name a format gcx recognises but does not read).
    case unrecognizedFormat(firstBytes: [UInt8])
    /// A header field is invalid (wrong value, impossible length).
    case invalidHeader(format: ImageFormat, offset: Int, reason: String)
    /// Header dimensions exceed ``PixelLimits``; refused before allocating pixels.
    case tooLarge(width: Int, height: Int)
    /// libpng or libjpeg rejected the data; `message` is the codec's own text.
    case codec(format: ImageFormat, message: String)
    /// A valid file of a variant that cannot be decoded here (e.g. 12-bit JPEG).
    case unsupported(format: ImageFormat, message: String)
    /// A caller passed arguments that cannot work (zero scale, mismatched sizes...).
    case invalidArgument(String)
    case outOfMemory(String)

    public var description: String {
        switch self {
        case .unrecognizedFormat(let bytes):
            let kind = FileKind.sniff(bytes)
            if kind.isUnreadableImage || kind == .gcx {
                return "\(kind), which gcx cannot read (it reads PNG, JPEG, WebP, TIFF, GIF, HEIF/HEIC and AVIF)"
            }
            let hex = bytes.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            return "not an image gcx reads (first bytes: \(hex.isEmpty ? "none, the data is empty" : hex))"
        case .invalidHeader(let format, let offset, let reason):
            return "invalid \(format) header at offset \(offset): \(reason)"
        case .tooLarge(let width, let height):
            return "image is \(width)x\(height) pixels; the limit is \(PixelLimits.maxSide) pixels per side "
                + "and \(PixelLimits.maxPhotoPixels) pixels in total"
        case .codec(let format, let message):
            return "\(format) decoder error: \(message)"
        case .unsupported(let format, let message):
            return "unsupported \(format): \(message)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .outOfMemory(let message):
            return "out of memory: \(message)"
        }
    }
}

extension ImageError {
    /// A header the shared reader refused, as the image layer words it.
    init(_ error: ImageHeaderError, format: ImageFormat) {
        self = .invalidHeader(format: error.format ?? format, offset: error.offset, reason: error.reason)
    }

    /// Refuses, before any pixel buffer exists, an image over the photo limits.
    static func checkSize(width: Int, height: Int) throws(ImageError) {
        guard PixelLimits.fits(width: width, height: height) else { throw .tooLarge(width: width, height: height) }
    }
}

extension String {
    func leftPadded(to count: Int) -> String {
        self.count >= count ? self : String(repeating: "0", count: count - self.count) + self
    }
}
