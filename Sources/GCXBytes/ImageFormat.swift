/// The image formats gcx reads, recognised by their first bytes; a file name is never consulted.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case png = "PNG"
    case jpeg = "JPEG"
    case webp = "WebP"
    case tiff = "TIFF"
    case gif = "GIF"
    case heif = "HEIF"
    case avif = "AVIF"

    /// The eight bytes every PNG datastream starts with.
    public static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Identifies the format from the first bytes (`FileKind.sniffLength` of them decide).
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        FileKind.sniff(bytes).imageFormat
    }

    /// The format's name, as its raw value ("PNG", "JPEG").
    public var description: String { rawValue }
}

/// What a file is, judged from its first bytes, for choosing a decoder and for saying plainly what
/// a file that cannot be packed is ("a WebP image"), rather than showing its bytes.
public enum FileKind: String, Sendable, Equatable, CustomStringConvertible {
    case png = "a PNG image"
    case jpeg = "a JPEG image"
    case webp = "a WebP image"
    case gif = "a GIF image"
    case tiff = "a TIFF image"
    case heif = "a HEIF/HEIC image"
    case avif = "an AVIF image"
    case bmp = "a BMP image"
    case gcx = "a gcx archive"
    case other = "not an image"

    /// At least 32 bytes make every test decisive.
    public static let sniffLength = 32

    /// What the first bytes say the file is; `.other` when no test matches (fewer than
    /// `sniffLength` bytes are judged by what there is).
    public static func sniff<C: Collection>(_ bytes: C) -> FileKind where C.Element == UInt8 {
        let head = Array(bytes.prefix(sniffLength))
        if head.starts(with: ImageFormat.pngSignature) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        func ascii(_ at: Int, _ text: String) -> Bool {
            head.count >= at + text.utf8.count && head[at..<(at + text.utf8.count)].elementsEqual(text.utf8)
        }
        if ascii(0, "RIFF") && ascii(8, "WEBP") { return .webp }
        if ascii(0, "GIF87a") || ascii(0, "GIF89a") { return .gif }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if ascii(0, "BM") && head.count >= 14 { return .bmp }
        if head.starts(with: [0x89, 0x47, 0x43, 0x58]) { return .gcx }
        if ascii(4, "ftyp") {
            // ISO BMFF: the major brand, then compatible brands, say which image format it holds.
            let brands = stride(from: 8, to: min(head.count, 32) - 3, by: 4).map { String(decoding: head[$0..<($0 + 4)], as: UTF8.self) }
            if brands.contains(where: { $0 == "avif" || $0 == "avis" }) { return .avif }
            if brands.contains(where: { ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].contains($0) }) { return .heif }
        }
        return .other
    }

    /// The format gcx decodes this kind with, if it reads it.
    public var imageFormat: ImageFormat? {
        switch self {
        case .png: .png
        case .jpeg: .jpeg
        case .webp: .webp
        case .tiff: .tiff
        case .gif: .gif
        case .heif: .heif
        case .avif: .avif
        case .bmp, .gcx, .other: nil
        }
    }

    /// True for the kinds gcx can decode.
    public var isReadable: Bool { imageFormat != nil }

    /// True for images of a kind gcx recognises but does not decode.
    public var isUnreadableImage: Bool { !isReadable && self != .other && self != .gcx }

    /// What the file is, as its raw value ("a PNG image").
    public var description: String { rawValue }
}
