import GCXBytes

/// What every entry of a version 2 file has unless it carries its own: the "D" record right after
/// the header (spec/gcx.md §7.1). A collection is usually described and redrawn by one captioner
/// and one generator, so their chunks are written once per file instead of once per entry.
public struct EntryDefaults: Equatable, Sendable {
    /// The "g" chunk of every entry that has none of its own.
    public var generator: GeneratorMetadata?
    /// The "c" chunk of every entry that has none of its own.
    public var captioner: CaptionerMetadata?

    /// Defaults of these chunks; with neither, the file has no "D" record.
    public init(generator: GeneratorMetadata? = nil, captioner: CaptionerMetadata? = nil) {
        self.generator = generator
        self.captioner = captioner
    }

    /// No default at all: the file has no "D" record.
    public var isEmpty: Bool { generator == nil && captioner == nil }

    /// The "D" record's body: its chunks, `g` before `c`.
    public func encodedBody() -> [UInt8] {
        var writer = ByteWriter()
        if let generator { writer.writeChunk(.generator, generator.encoded()) }
        if let captioner { writer.writeChunk(.captioner, captioner.encoded()) }
        return writer.bytes
    }

    /// Parses a "D" record's body at absolute offset `bodyOffset`. Unknown ancillary chunks are
    /// returned so that a validator can warn of them; they apply to no entry.
    public static func decode(body: [UInt8], at bodyOffset: Int) throws -> (defaults: EntryDefaults, unknown: [UnknownChunk]) {
        var reader = ByteReader(body, base: bodyOffset)
        var defaults = EntryDefaults()
        var unknown: [UnknownChunk] = []
        var seen: Set<ChunkType> = []
        while !reader.isAtEnd {
            let chunkOffset = reader.offset
            var (type, data) = try reader.readChunk()
            guard seen.insert(type).inserted || !ChunkType.known.contains(type) else {
                throw FormatError(.chunkDuplicate, at: chunkOffset, "\(type) chunk appears twice in the defaults record")
            }
            switch type {
            case .generator: defaults.generator = try GeneratorMetadata.decode(&data)
            case .captioner: defaults.captioner = try CaptionerMetadata.decode(&data)
            case _ where ChunkType.known.contains(type):
                throw FormatError(.chunkForbidden, at: chunkOffset, "a defaults record holds only \"g\" and \"c\" chunks, not \(type)")
            case _ where type.isCritical:
                throw FormatError(.chunkUnknownCritical, at: chunkOffset, "critical chunk \(type) is unknown to this reader")
            default:
                unknown.append(UnknownChunk(type: type, data: try data.readBytes(count: data.remaining, field: "\(type) chunk")))
            }
            guard data.isAtEnd else {
                throw FormatError(.chunkTrailingBytes, at: data.offset, "\(type) chunk has \(data.remaining) bytes after its last field")
            }
        }
        return (defaults, unknown)
    }
}

/// How the entries of one file are coded: its version and, in version 2, its defaults. Records
/// copied between files of the same format are copied byte for byte; otherwise re-encoded.
public struct ArchiveFormat: Equatable, Sendable {
    /// The header's version: how entries and index rows are coded.
    public var version: FormatVersion
    /// The "D" record's chunks (version 2); empty in version 1.
    public var defaults: EntryDefaults

    /// A format of `version` with `defaults`; version 1 has none.
    public init(version: FormatVersion = .current, defaults: EntryDefaults = EntryDefaults()) {
        precondition(version >= .v2 || defaults.isEmpty, "version 1 has no defaults record")
        self.version = version
        self.defaults = defaults
    }

    /// Version 1, which has no defaults: how a version 1 archive is appended to.
    public static let v1 = ArchiveFormat(version: .v1)
}

extension ByteWriter {
    /// `type u8 | data_length varint | data` (spec/gcx.md §5).
    mutating func writeChunk(_ type: ChunkType, _ data: [UInt8]) {
        writeUInt8(type.rawValue)
        writeVarint(data.count)
        writeBytes(data)
    }
}

extension ByteCursor where Failure == FormatError {
    /// One chunk's type (an ASCII letter) and a cursor over its data, which must lie inside what is left.
    mutating func readChunk() throws -> (ChunkType, ByteReader) {
        let chunkOffset = offset
        let type = ChunkType(rawValue: try readUInt8(field: "chunk type"))
        guard type.isLetter else {
            throw FormatError(.chunkTypeInvalid, at: chunkOffset, "chunk type \(type) is not an ASCII letter")
        }
        let length = try readLength(field: "\(type) chunk length", max: Limits.entryRecordBody)
        guard length <= remaining else {
            throw FormatError(.truncated, at: chunkOffset,
                              "\(type) chunk of \(length) bytes runs past the end of its record (\(remaining) bytes left)")
        }
        return (type, try readSubCursor(count: length, field: "\(type) chunk"))
    }
}
