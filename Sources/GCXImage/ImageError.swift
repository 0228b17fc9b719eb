/// Every failure of the image layer: what went wrong, in words a person can act on.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes start with neither the PNG nor the JPEG signature.
    case unrecognizedFormat(firstBytes: [UInt8])
    /// The data ends before a structure that must be there.
    case truncated(format: ImageFormat, offset: Int, needed: Int)
    /// A header field is invalid (wrong value, impossible length).
    case invalidHeader(format: ImageFormat, offset: Int, reason: String)
    /// Header dimensions exceed ``ImageLimits``; refused before allocating pixels.
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
            let hex = bytes.prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: " ")
            return "not a PNG or JPEG file (first bytes: \(hex.isEmpty ? "none, the data is empty" : hex))"
        case .truncated(let format, let offset, let needed):
            return "\(format) data is truncated: needed \(needed) more byte(s) at offset \(offset)"
        case .invalidHeader(let format, let offset, let reason):
            return "invalid \(format) header at offset \(offset): \(reason)"
        case .tooLarge(let width, let height):
            return "image is \(width)x\(height) pixels; the limit is \(ImageLimits.maxSide) pixels per side "
                + "and \(ImageLimits.maxPixels) pixels in total"
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

/// Size limits checked against the header before any pixel buffer exists.
public enum ImageLimits {
    public static let maxSide = 65_535
    public static let maxPixels = 1 << 28

    static func check(width: Int, height: Int) throws(ImageError) {
        if width > maxSide || height > maxSide || width * height > maxPixels {
            throw .tooLarge(width: width, height: height)
        }
    }
}

extension String {
    func leftPadded(to count: Int) -> String {
        self.count >= count ? self : String(repeating: "0", count: count - self.count) + self
    }
}
