/// The container formats the decoder recognises by their magic bytes.
public enum ImageFormat: String, Sendable, Equatable, CustomStringConvertible {
    case png = "PNG"
    case jpeg = "JPEG"

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Identifies the format from the first bytes; the file name is never consulted.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        if bytes.count >= 8 && Array(bytes[0..<8]) == pngSignature { return .png }
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return .jpeg }
        return nil
    }

    public var description: String { rawValue }
}
