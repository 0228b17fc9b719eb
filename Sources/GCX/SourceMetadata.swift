import GCXBytes

/// The "S" chunk: what the original photo was (spec/gcx.md §6.1).
public struct SourceMetadata: Equatable, Sendable {
    /// The entry name: the photo's path in the collection, checked by §6.1.1.
    public var name: String
    /// The photo's width in pixels, orientation applied.
    public var width: Int
    /// The photo's height in pixels, orientation applied.
    public var height: Int
    /// Size in bytes of the original file.
    public var originalSize: UInt64
    /// SHA-256 of the original file's bytes: all 32 bytes, or in version 2 by default its first
    /// `truncatedHashSize` bytes.
    public var contentHash: [UInt8]
    /// Capture time as the camera's wall clock, in seconds since 1970-01-01T00:00:00 read as UTC.
    public var captureTime: Int64?
    /// The camera's offset from UTC in minutes, when known (needs `captureTime`).
    public var utcOffsetMinutes: Int16?
    /// EXIF orientation 1...8 of the original; pixel data is described after applying it.
    public var orientation: UInt8?

    /// The `hash_algorithm` byte of SHA-256, the only one defined.
    public static let hashAlgorithmSHA256: UInt8 = 1
    /// Bytes of SHA-256 a version 2 entry keeps unless it keeps all 32 (§5.3).
    public static let truncatedHashSize = 8

    /// The source facts of a photo; the optional ones only when known.
    public init(name: String, width: Int, height: Int, originalSize: UInt64, contentHash: [UInt8],
                captureTime: Int64? = nil, utcOffsetMinutes: Int16? = nil, orientation: UInt8? = nil) {
        self.name = name
        self.width = width
        self.height = height
        self.originalSize = originalSize
        self.contentHash = contentHash
        self.captureTime = captureTime
        self.utcOffsetMinutes = utcOffsetMinutes
        self.orientation = orientation
    }

    enum Flag {
        static let captureTime: UInt8 = 1 << 0
        static let utcOffset: UInt8 = 1 << 1
        static let orientation: UInt8 = 1 << 2
        static let known: UInt8 = 0b111
    }

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeString(name)
        writer.writeVarint(width)
        writer.writeVarint(height)
        writer.writeVarint(originalSize)
        writer.writeUInt8(SourceMetadata.hashAlgorithmSHA256)
        writer.writeBytes(contentHash)
        var flags: UInt8 = 0
        if captureTime != nil { flags |= Flag.captureTime }
        if utcOffsetMinutes != nil { flags |= Flag.utcOffset }
        if orientation != nil { flags |= Flag.orientation }
        writer.writeUInt8(flags)
        writeOptionalFields(&writer)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> SourceMetadata {
        let name = try readName(&reader)
        do {
            var source = try readSizes(&reader, name: name)
            let algorithmOffset = reader.offset
            let algorithm = try reader.readUInt8(field: "hash algorithm")
            guard algorithm == hashAlgorithmSHA256 else {
                throw FormatError(.fieldInvalid, at: algorithmOffset, "hash algorithm \(algorithm) is unknown (1 = SHA-256)")
            }
            source.contentHash = try reader.readBytes(count: SHA256.digestSize, field: "SHA-256 of the original")
            let flagsOffset = reader.offset
            let flags = try reader.readUInt8(field: "source flags")
            guard flags & ~Flag.known == 0 else {
                throw FormatError(.fieldInvalid, at: flagsOffset, "source flag bits 0x\(String(flags & ~Flag.known, radix: 16)) are undefined")
            }
            try source.readOptionalFields(&reader, captureTime: flags & Flag.captureTime != 0, utcOffset: flags & Flag.utcOffset != 0,
                                          orientation: flags & Flag.orientation != 0, flagsOffset: flagsOffset)
            return source
        } catch let error as FormatError {
            throw error.inEntry(name)
        }
    }

    /// The entry name, checked against §6.1.1.
    static func readName(_ reader: inout ByteReader) throws -> String {
        let nameOffset = reader.offset
        let name = try reader.readString(field: "entry name", maxBytes: Limits.nameBytes)
        try EntryName.validate(name, at: nameOffset)
        return name
    }

    /// Width, height and original size; the hash is left empty for the caller to read.
    static func readSizes(_ reader: inout ByteReader, name: String) throws -> SourceMetadata {
        func side(_ field: String) throws -> Int {
            let at = reader.offset
            let value = try reader.readLength(field: field, max: Limits.imageSide)
            guard value >= 1 else { throw FormatError(.fieldInvalid, at: at, "\(field) is 0; it must be 1 to \(Limits.imageSide)", entry: name) }
            return value
        }
        let width = try side("width")
        let height = try side("height")
        let originalSize = try reader.readVarint(field: "original file size", max: Limits.originalFileSize)
        return SourceMetadata(name: name, width: width, height: height, originalSize: originalSize, contentHash: [])
    }

    /// Capture time, UTC offset and orientation, each present when its flag says so.
    mutating func readOptionalFields(_ reader: inout ByteReader, captureTime hasTime: Bool, utcOffset hasOffset: Bool,
                                     orientation hasOrientation: Bool, flagsOffset: Int) throws {
        guard !hasOffset || hasTime else {
            throw FormatError(.fieldInvalid, at: flagsOffset, "a UTC offset is flagged without a capture time")
        }
        if hasTime { captureTime = try reader.readSignedVarint(field: "capture time") }
        if hasOffset {
            let at = reader.offset
            let minutes = try reader.readSignedVarint(field: "UTC offset")
            guard (-Limits.utcOffsetMinutes...Limits.utcOffsetMinutes).contains(minutes) else {
                throw FormatError(.fieldInvalid, at: at, "UTC offset of \(minutes) minutes is beyond ±\(Limits.utcOffsetMinutes)")
            }
            utcOffsetMinutes = Int16(minutes)
        }
        if hasOrientation {
            let at = reader.offset
            let value = try reader.readUInt8(field: "orientation")
            guard (1...8).contains(value) else {
                throw FormatError(.fieldInvalid, at: at, "orientation is \(value); EXIF orientations are 1 to 8")
            }
            orientation = value
        }
    }

    /// Writes capture time, UTC offset and orientation, those that are set.
    func writeOptionalFields(_ writer: inout ByteWriter) {
        if let captureTime { writer.writeSignedVarint(captureTime) }
        if let utcOffsetMinutes { writer.writeSignedVarint(Int64(utcOffsetMinutes)) }
        if let orientation { writer.writeUInt8(orientation) }
    }
}
