import GCXBytes
import GCXThumbnailCodec

/// Thumbnail codecs (spec/gcx.md §6.4 and the codec registry).
public struct ThumbnailCodec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The codec's registry number.
    public let rawValue: UInt8
    /// Any codec, registered or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A PNG datastream.
    public static let png = ThumbnailCodec(rawValue: 1)
    /// A baseline (SOF0) JPEG datastream.
    public static let jpeg = ThumbnailCodec(rawValue: 2)
    /// gcx's tiny-image codec in its first form (spec Appendix C: the 5/3 wavelet): read, and
    /// written by option for readers that know no other.
    public static let tiny3 = ThumbnailCodec(rawValue: 3)
    /// gcx's tiny-image codec in its second form (spec Appendix C with C.9: the 9/7 wavelet): read,
    /// and written by option for readers that know no later form.
    public static let tiny4 = ThumbnailCodec(rawValue: 4)
    /// gcx's tiny-image codec (spec Appendix C with C.9 and C.10: the 9/7 wavelet, contexts that
    /// follow each band's orientation and, for chroma, luma): no framing, a few hundred bytes.
    /// What gcx writes.
    public static let tiny = ThumbnailCodec(rawValue: 5)

    /// Whether this reader decodes the codec.
    public var isKnown: Bool { self == .png || self == .jpeg || isTiny }

    /// Codec 3, 4 or 5: the tiny codec in any of its forms.
    public var isTiny: Bool { tinyVariant != nil }

    /// The form of the tiny codec a codec id names, if it names one.
    public var tinyVariant: TinyImageCodec.Variant? {
        switch self {
        case .tiny3: .codec3
        case .tiny4: .codec4
        case .tiny: .codec5
        default: nil
        }
    }

    /// The image format of the codec's datastream, for the codecs that are standard formats.
    public var imageFormat: ImageFormat? {
        switch self {
        case .png: .png
        case .jpeg: .jpeg
        default: nil
        }
    }

    /// The codec's name, or its number when it has none.
    public var description: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpeg"
        case .tiny3: "tiny3"
        case .tiny4: "tiny4"
        case .tiny: "tiny"
        default: "codec \(rawValue)"
        }
    }
}

/// The "T" chunk: a tiny image that pins down layout and colour.
public struct Thumbnail: Equatable, Sendable {
    /// How `payload` codes the pixels.
    public var codec: ThumbnailCodec
    /// The source was reduced by this factor: width = ceil(source width / scale), likewise height.
    public var scale: Int
    /// Pixels across: ceil(source width / scale).
    public var width: Int
    /// Pixels down: ceil(source height / scale).
    public var height: Int
    /// The codec's datastream.
    public var payload: [UInt8]

    /// A thumbnail of `codec` holding `payload`.
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

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeUInt8(codec.rawValue)
        writer.writeUInt8(UInt8(scale))
        writer.writeVarint(width)
        writer.writeVarint(height)
        writer.writeBytes(payload)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> Thumbnail {
        let codecOffset = reader.offset
        let codec = ThumbnailCodec(rawValue: try reader.readUInt8(field: "thumbnail codec"))
        guard codec.isKnown else {
            throw FormatError(.thumbnailCodecUnknown, at: codecOffset, "thumbnail \(codec) is unknown (1 = PNG, 2 = baseline JPEG, 3 and 4 = tiny)")
        }
        let scaleOffset = reader.offset
        let scale = Int(try reader.readUInt8(field: "thumbnail scale"))
        guard scale >= 1 else { throw FormatError(.fieldInvalid, at: scaleOffset, "thumbnail scale is 0; it must be 1 to 255") }
        let width = try reader.readLength(field: "thumbnail width", max: Limits.imageSide)
        let height = try reader.readLength(field: "thumbnail height", max: Limits.imageSide)
        let payload = try reader.readBytes(count: reader.remaining, field: "thumbnail payload")
        return Thumbnail(codec: codec, scale: scale, width: width, height: height, payload: payload)
    }
}
