/// What a PNG or JPEG datastream says about itself in its header, read without decoding pixels.
///
/// The one header reader of gcx: the validator checks thumbnails with it and the image layer
/// refuses oversized photos with it, so the two can never disagree about one file.
/// PNG: the signature, then IHDR (length 13, CRC checked). JPEG: SOI, then marker segments (fill
/// bytes and standalone markers skipped, every segment bounded) up to the first SOFn;
/// `isBaselineJPEG` is true only for SOF0.
///
///     let header = try ImageHeader.parse(bytes)
///     if header.format == .jpeg && !header.isBaselineJPEG { ... }
public struct ImageHeader: Sendable, Equatable {
    /// PNG or JPEG.
    public var format: ImageFormat
    /// Pixels across, as the header says.
    public var width: Int
    /// Pixels down, as the header says.
    public var height: Int
    /// True for a JPEG whose first frame is SOF0 (baseline DCT); false for PNG.
    public var isBaselineJPEG: Bool

    /// A header with these values (tests and the image layer's encoders make them).
    public init(format: ImageFormat, width: Int, height: Int, isBaselineJPEG: Bool) {
        self.format = format
        self.width = width
        self.height = height
        self.isBaselineJPEG = isBaselineJPEG
    }

    /// Parses whichever format the bytes start with.
    public static func parse(_ bytes: [UInt8]) throws(ImageHeaderError) -> ImageHeader {
        switch ImageFormat.sniff(bytes) {
        case .png: return try parse(bytes, as: .png)
        case .jpeg: return try parse(bytes, as: .jpeg)
        case let other?: throw ImageHeaderError(format: other, at: 0, "\(other) headers are read by their own decoder")
        case nil: throw ImageHeaderError(format: nil, at: 0, "neither a PNG nor a JPEG signature")
        }
    }

    /// Parses `bytes` as `format`; a different signature is an error.
    public static func parse(_ bytes: [UInt8], as format: ImageFormat) throws(ImageHeaderError) -> ImageHeader {
        do throws(ImageHeaderError) {
            switch format {
            case .png: return try parsePNG(bytes)
            case .jpeg: return try parseJPEG(bytes)
            default: throw ImageHeaderError(format: format, at: 0, "\(format) headers are read by their own decoder")
            }
        } catch {
            var located = error
            located.format = format
            throw located
        }
    }

    private static func parsePNG(_ bytes: [UInt8]) throws(ImageHeaderError) -> ImageHeader {
        var cursor = ByteCursor<ImageHeaderError>(bytes)
        guard try cursor.readSlice(count: 8, field: "signature").elementsEqual(ImageFormat.pngSignature) else {
            throw ImageHeaderError(format: .png, at: 0, "not a PNG datastream (no PNG signature)")
        }
        let length = try cursor.readUInt32(.bigEndian, field: "IHDR length")
        let typeOffset = cursor.offset
        guard try cursor.readSlice(count: 4, field: "first chunk type").elementsEqual("IHDR".utf8) else {
            throw ImageHeaderError(format: .png, at: typeOffset, "the first chunk is not IHDR")
        }
        guard length == 13 else {
            throw ImageHeaderError(format: .png, at: 8, "IHDR length is \(length), must be 13")
        }
        let width = try cursor.readUInt32(.bigEndian, field: "IHDR width")
        let height = try cursor.readUInt32(.bigEndian, field: "IHDR height")
        try cursor.skip(5, field: "IHDR fields")
        let crc = try cursor.readUInt32(.bigEndian, field: "IHDR CRC")
        guard crc == CRC32.checksum(bytes[12..<29]) else {
            throw ImageHeaderError(format: .png, at: 29, "IHDR CRC is wrong")
        }
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImageHeaderError(format: .png, at: 16, "dimensions \(width)x\(height) are outside 1...2^31-1")
        }
        return ImageHeader(format: .png, width: Int(width), height: Int(height), isBaselineJPEG: false)
    }

    private static func parseJPEG(_ bytes: [UInt8]) throws(ImageHeaderError) -> ImageHeader {
        var cursor = ByteCursor<ImageHeaderError>(bytes)
        guard try cursor.readUInt16(.bigEndian, field: "SOI marker") == 0xFFD8 else {
            throw ImageHeaderError(format: .jpeg, at: 0, "not a JPEG datastream (no SOI marker)")
        }
        while true {
            let markerOffset = cursor.offset
            let marker = try JPEGMarker.next(&cursor)
            if marker == JPEGMarker.startOfScan || marker == JPEGMarker.endOfImage {
                throw ImageHeaderError(format: .jpeg, at: markerOffset,
                                       "reached \(marker == JPEGMarker.startOfScan ? "SOS" : "EOI") before any SOF frame header")
            }
            if JPEGMarker.isStandalone(marker) { continue }
            var segment = try JPEGMarker.segment(&cursor)
            if JPEGMarker.isStartOfFrame(marker) {
                _ = try segment.readUInt8(field: "SOF sample precision")
                let heightOffset = segment.offset
                let height = Int(try segment.readUInt16(.bigEndian, field: "SOF height"))
                let width = Int(try segment.readUInt16(.bigEndian, field: "SOF width"))
                guard width > 0, height > 0 else {
                    throw ImageHeaderError(format: .jpeg, at: heightOffset,
                                           "frame size \(width)x\(height) is empty (DNL-defined heights are not supported)")
                }
                return ImageHeader(format: .jpeg, width: width, height: height, isBaselineJPEG: marker == 0xC0)
            }
        }
    }
}

/// JPEG's marker grammar, shared by the header reader and the image layer's EXIF finder.
public enum JPEGMarker {
    /// SOS: the entropy-coded data follows.
    public static let startOfScan: UInt8 = 0xDA
    /// EOI: the end of the datastream.
    public static let endOfImage: UInt8 = 0xD9
    /// APP1: where EXIF lives.
    public static let app1: UInt8 = 0xE1

    /// Reads the next marker code, skipping fill bytes; throws if the cursor is not at a marker.
    public static func next<Failure>(_ cursor: inout ByteCursor<Failure>) throws(Failure) -> UInt8 {
        let start = cursor.offset
        guard try cursor.readUInt8(field: "JPEG marker") == 0xFF else {
            throw cursor.failure(.invalid, at: start, "expected a JPEG marker (0xFF) at offset \(start)")
        }
        var marker = try cursor.readUInt8(field: "JPEG marker code")
        while marker == 0xFF { marker = try cursor.readUInt8(field: "JPEG marker code") }
        return marker
    }

    /// The body of the marker segment at the cursor (after its 2-byte length), which is skipped.
    public static func segment<Failure>(_ cursor: inout ByteCursor<Failure>) throws(Failure) -> ByteCursor<Failure> {
        let start = cursor.offset
        let length = Int(try cursor.readUInt16(.bigEndian, field: "JPEG segment length"))
        guard length >= 2 else {
            throw cursor.failure(.invalid, at: start, "JPEG segment length \(length) is below 2")
        }
        return try cursor.readSubCursor(count: length - 2, field: "JPEG segment")
    }

    /// Markers without a length field: TEM, RSTn, SOI, EOI.
    public static func isStandalone(_ marker: UInt8) -> Bool {
        marker == 0x01 || (0xD0...0xD8).contains(marker)
    }

    /// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    public static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }
}

/// A PNG or JPEG header that cannot be read: where, and what was expected.
public struct ImageHeaderError: ByteCursorError, Sendable, Equatable, CustomStringConvertible {
    /// The format being read, when known.
    public var format: ImageFormat?
    /// Offset from the start of the datastream.
    public var offset: Int
    /// What was expected there.
    public var reason: String

    /// A failure reading `format` at `offset`.
    public init(format: ImageFormat?, at offset: Int, _ reason: String) {
        self.format = format
        self.offset = offset
        self.reason = reason
    }

    /// A cursor's refusal, format not yet known.
    public init(_ failure: CursorFailure) {
        self.init(format: nil, at: failure.offset, failure.message)
    }

    /// The format when known, the offset and the reason.
    public var description: String {
        "\(format.map { "\($0) " } ?? "")header at offset \(offset): \(reason)"
    }
}
