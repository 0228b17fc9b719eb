/// Thumbnail codecs (spec/gcx.md §6.4 and the codec registry).
public struct ThumbnailCodec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A PNG datastream.
    public static let png = ThumbnailCodec(rawValue: 1)
    /// A baseline (SOF0) JPEG datastream.
    public static let jpeg = ThumbnailCodec(rawValue: 2)

    public var isKnown: Bool { self == .png || self == .jpeg }

    public var description: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpeg"
        default: "codec \(rawValue)"
        }
    }
}

/// The "T" chunk: a tiny image that pins down layout and colour.
public struct Thumbnail: Equatable, Sendable {
    public var codec: ThumbnailCodec
    /// The source was reduced by this factor: width = ceil(source width / scale), likewise height.
    public var scale: Int
    public var width: Int
    public var height: Int
    /// The codec's datastream.
    public var payload: [UInt8]

    public init(codec: ThumbnailCodec, scale: Int, width: Int, height: Int, payload: [UInt8]) {
        self.codec = codec
        self.scale = scale
        self.width = width
        self.height = height
        self.payload = payload
    }

    /// The thumbnail size that scale `scale` gives for a source of `width` × `height`.
    public static func size(forSourceWidth width: Int, height: Int, scale: Int) -> (width: Int, height: Int) {
        ((width + scale - 1) / scale, (height + scale - 1) / scale)
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeU8(codec.rawValue)
        writer.writeU8(UInt8(scale))
        writer.writeVarint(width)
        writer.writeVarint(height)
        writer.writeBytes(payload)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> Thumbnail {
        let codecOffset = reader.offset
        let codec = ThumbnailCodec(rawValue: try reader.readU8(field: "thumbnail codec"))
        guard codec.isKnown else {
            throw FormatError(.thumbnailCodecUnknown, at: codecOffset, "thumbnail \(codec) is unknown (1 = PNG, 2 = baseline JPEG)")
        }
        let scaleOffset = reader.offset
        let scale = Int(try reader.readU8(field: "thumbnail scale"))
        guard scale >= 1 else { throw FormatError(.fieldInvalid, at: scaleOffset, "thumbnail scale is 0; it must be 1 to 255") }
        let width = try reader.readLength(field: "thumbnail width", max: Limits.imageSide)
        let height = try reader.readLength(field: "thumbnail height", max: Limits.imageSide)
        let payload = try reader.readBytes(count: reader.remaining, field: "thumbnail payload")
        return Thumbnail(codec: codec, scale: scale, width: width, height: height, payload: payload)
    }
}

/// What a thumbnail's own datastream says about itself, read from its header without decoding.
public struct EmbeddedImageInfo: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var isBaselineJPEG: Bool

    /// Reads PNG's IHDR or a JPEG's first SOFn marker. Throws a description of what is wrong.
    public static func parse(_ bytes: [UInt8], codec: ThumbnailCodec) throws(EmbeddedImageError) -> EmbeddedImageInfo {
        switch codec {
        case .png: return try parsePNG(bytes)
        case .jpeg: return try parseJPEG(bytes)
        default: throw EmbeddedImageError("codec \(codec) has no header reader")
        }
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private static func parsePNG(_ bytes: [UInt8]) throws(EmbeddedImageError) -> EmbeddedImageInfo {
        guard bytes.count >= 33, Array(bytes[0..<8]) == pngSignature else { throw EmbeddedImageError("payload is not a PNG datastream") }
        guard Array(bytes[12..<16]) == Array("IHDR".utf8) else { throw EmbeddedImageError("PNG does not start with IHDR") }
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        let crc = CRC32.checksum(bytes[12..<29])
        guard UInt32(be32(29)) == crc else { throw EmbeddedImageError("PNG IHDR CRC is wrong") }
        return EmbeddedImageInfo(width: be32(16), height: be32(20), isBaselineJPEG: false)
    }

    private static func parseJPEG(_ bytes: [UInt8]) throws(EmbeddedImageError) -> EmbeddedImageInfo {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw EmbeddedImageError("payload is not a JPEG datastream (no SOI)") }
        var at = 2
        while at + 4 <= bytes.count {
            guard bytes[at] == 0xFF else { throw EmbeddedImageError("JPEG marker expected at payload byte \(at)") }
            let marker = bytes[at + 1]
            if marker == 0xFF { at += 1; continue }
            let length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length >= 2, at + 2 + length <= bytes.count else { throw EmbeddedImageError("JPEG segment at payload byte \(at) is truncated") }
            let isSOF = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
            if isSOF {
                guard length >= 8 else { throw EmbeddedImageError("JPEG SOF segment is too short") }
                let height = Int(bytes[at + 5]) << 8 | Int(bytes[at + 6])
                let width = Int(bytes[at + 7]) << 8 | Int(bytes[at + 8])
                return EmbeddedImageInfo(width: width, height: height, isBaselineJPEG: marker == 0xC0)
            }
            if marker == 0xDA || marker == 0xD9 { break }
            at += 2 + length
        }
        throw EmbeddedImageError("JPEG has no frame header (SOFn) before its scan data")
    }
}

public struct EmbeddedImageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
