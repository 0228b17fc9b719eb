/// Format and dimensions read from a PNG or JPEG header without decoding pixels.
///
/// PNG: the IHDR chunk that must follow the signature. JPEG: the first SOFn
/// marker segment; `isBaselineJPEG` is true only for SOF0 (baseline DCT,
/// Huffman, 8-bit) — SOF1/SOF2/SOF9... are extended, progressive or arithmetic.
///
///     let info = try ImageHeaderInfo.parse(bytes)
///     if info.format == .jpeg && !info.isBaselineJPEG { ... }
public struct ImageHeaderInfo: Sendable, Equatable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    public let isBaselineJPEG: Bool

    public init(format: ImageFormat, width: Int, height: Int, isBaselineJPEG: Bool) {
        self.format = format
        self.width = width
        self.height = height
        self.isBaselineJPEG = isBaselineJPEG
    }

    /// Parses the header. Throws a located ``ImageError`` for anything malformed.
    public static func parse(_ bytes: [UInt8]) throws -> ImageHeaderInfo {
        guard let format = ImageFormat.sniff(bytes) else {
            throw ImageError.unrecognizedFormat(firstBytes: Array(bytes.prefix(8)))
        }
        switch format {
        case .png: return try parsePNG(bytes)
        case .jpeg: return try parseJPEG(bytes)
        }
    }

    static func parsePNG(_ bytes: [UInt8]) throws(ImageError) -> ImageHeaderInfo {
        var reader = ByteReader(bytes, format: .png, offset: 8)
        let length = try reader.readUInt32BigEndian()
        let type = try reader.readBytes(4)
        guard Array(type) == Array("IHDR".utf8) else {
            throw .invalidHeader(format: .png, offset: 12, reason: "first chunk is not IHDR")
        }
        guard length == 13 else {
            throw .invalidHeader(format: .png, offset: 8, reason: "IHDR length is \(length), must be 13")
        }
        let width = try reader.readUInt32BigEndian()
        let height = try reader.readUInt32BigEndian()
        guard width > 0, height > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw .invalidHeader(format: .png, offset: 16,
                                 reason: "dimensions \(width)x\(height) are outside 1...2^31-1")
        }
        return ImageHeaderInfo(format: .png, width: Int(width), height: Int(height), isBaselineJPEG: false)
    }

    static func parseJPEG(_ bytes: [UInt8]) throws(ImageError) -> ImageHeaderInfo {
        var reader = ByteReader(bytes, format: .jpeg, offset: 2)
        while true {
            let marker = try JPEGMarkers.nextMarker(&reader)
            if marker == 0xDA || marker == 0xD9 {
                throw .invalidHeader(format: .jpeg, offset: reader.offset - 2,
                                     reason: "reached \(marker == 0xDA ? "SOS" : "EOI") before any SOF frame header")
            }
            if JPEGMarkers.isStandalone(marker) { continue }
            let segmentStart = reader.offset
            let length = Int(try reader.readUInt16BigEndian())
            guard length >= 2 else {
                throw .invalidHeader(format: .jpeg, offset: segmentStart,
                                     reason: "segment length \(length) is below 2")
            }
            if JPEGMarkers.isStartOfFrame(marker) {
                _ = try reader.readUInt8()  // sample precision
                let height = Int(try reader.readUInt16BigEndian())
                let width = Int(try reader.readUInt16BigEndian())
                guard width > 0, height > 0 else {
                    throw .invalidHeader(format: .jpeg, offset: segmentStart + 3,
                                         reason: "frame size \(width)x\(height) is empty (DNL-defined heights are not supported)")
                }
                return ImageHeaderInfo(format: .jpeg, width: width, height: height,
                                       isBaselineJPEG: marker == 0xC0)
            }
            try reader.skip(length - 2)
        }
    }
}

/// JPEG marker-walking helpers shared by the header reader and the EXIF finder.
enum JPEGMarkers {
    /// Reads the next marker code, skipping fill bytes; throws if not at a marker.
    static func nextMarker(_ reader: inout ByteReader) throws(ImageError) -> UInt8 {
        let start = reader.offset
        guard try reader.readUInt8() == 0xFF else {
            throw .invalidHeader(format: .jpeg, offset: start, reason: "expected a marker (0xFF)")
        }
        var marker = try reader.readUInt8()
        while marker == 0xFF { marker = try reader.readUInt8() }
        return marker
    }

    /// Markers without a length field: TEM, RSTn, SOI, EOI.
    static func isStandalone(_ marker: UInt8) -> Bool {
        marker == 0x01 || (0xD0...0xD8).contains(marker)
    }

    /// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
    }
}
