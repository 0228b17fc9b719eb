import GCXBytes

/// Where an entry record lies and what `gcx list` needs to know about it.
public struct IndexRow: Equatable, Sendable {
    /// Absolute offset of the entry record.
    public var offset: Int
    public var summary: EntrySummary

    public init(offset: Int, summary: EntrySummary) {
        self.offset = offset
        self.summary = summary
    }

    public var end: Int { offset + summary.recordLength }
}

/// The "I" record: one row per entry in file order (spec/gcx.md §7).
///
/// Offsets are coded as the gap after the previous entry's end, so rows are ascending and two
/// rows can never point into the same bytes; names are front-coded against the previous name.
public struct ArchiveIndex: Equatable, Sendable {
    public var rows: [IndexRow]

    public init(rows: [IndexRow]) { self.rows = rows }

    /// The smallest encoded row: one byte for each of nine fields and an empty name suffix.
    static let minimumRowBytes = 9
    /// The smallest entry record (54 bytes): framing (6), an "S" chunk with a one-byte name
    /// (9 + digest), an "M" chunk (3) and an empty stored "P" chunk (4).
    public static let minimumEntryRecord = 6 + (9 + SHA256.digestSize) + 3 + 4

    public func encodedBody() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(rows.count)
        var expected = FileHeader.size
        var previousName: [UInt8] = []
        for row in rows {
            let summary = row.summary
            writer.writeVarint(row.offset - expected)
            writer.writeVarint(summary.recordLength)
            let name = Array(summary.name.utf8)
            let shared = zip(name, previousName).prefix { $0 == $1 }.count
            writer.writeVarint(shared)
            writer.writeVarint(name.count - shared)
            writer.writeBytes(name[shared...])
            writer.writeVarint(summary.width)
            writer.writeVarint(summary.height)
            writer.writeUInt8(summary.mode.rawValue)
            writer.writeVarint(summary.promptBytes)
            writer.writeVarint(summary.thumbnailBytes)
            expected = row.end
            previousName = name
        }
        return writer.bytes
    }

    /// Parses an index body at absolute offset `bodyOffset`; every entry must end by `limit`
    /// (the index record's own offset).
    public static func decode(body: [UInt8], at bodyOffset: Int, limit: Int) throws -> ArchiveIndex {
        var reader = ByteReader(body, base: bodyOffset)
        let countOffset = reader.offset
        let count = try reader.readLength(field: "index entry count", max: Limits.entryCount)
        guard count <= reader.remaining / minimumRowBytes else {
            throw FormatError(.indexInvalid, at: countOffset,
                              "index claims \(count) entries but its \(reader.remaining) bytes can hold at most \(reader.remaining / minimumRowBytes)")
        }
        var rows: [IndexRow] = []
        rows.reserveCapacity(count)
        var names: Set<String> = []
        names.reserveCapacity(count)
        var expected = FileHeader.size
        var previousName: [UInt8] = []
        for number in 0..<count {
            let rowOffset = reader.offset
            let gap = try reader.readVarint(field: "index row \(number) gap")
            let recordLength = try reader.readLength(field: "index row \(number) record length", max: Limits.entryRecordBody + 16)
            let offset = expected + Int(clamping: min(gap, UInt64(limit)))
            guard gap <= UInt64(limit), recordLength >= minimumEntryRecord, offset + recordLength <= limit else {
                throw FormatError(.indexRange, at: rowOffset,
                                  "index row \(number) points at bytes \(offset)..<\(offset + recordLength), outside the entries region 16..<\(limit)")
            }
            let shared = try reader.readLength(field: "index row \(number) name prefix", max: previousName.count)
            let suffixLength = try reader.readLength(field: "index row \(number) name suffix length", max: Limits.nameBytes - shared)
            let nameBytes = Array(previousName.prefix(shared)) + (try reader.readBytes(count: suffixLength, field: "index row \(number) name"))
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw FormatError(.utf8Invalid, at: rowOffset, "index row \(number): the name is not valid UTF-8")
            }
            do { try EntryName.validate(name, at: rowOffset) } catch let error as FormatError { throw error.inEntry(name) }
            guard names.insert(name).inserted else {
                throw FormatError(.nameDuplicate, at: rowOffset, "index lists the name \(quoted(name)) twice", entry: name)
            }
            let width = try reader.readLength(field: "index row \(number) width", max: Limits.imageSide)
            let height = try reader.readLength(field: "index row \(number) height", max: Limits.imageSide)
            let modeOffset = reader.offset
            let modeValue = try reader.readUInt8(field: "index row \(number) mode")
            guard let mode = CodingMode(rawValue: modeValue), width >= 1, height >= 1 else {
                throw FormatError(.indexInvalid, at: modeOffset, "index row \(number) has mode \(modeValue) and size \(width)×\(height)", entry: name)
            }
            let promptBytes = try reader.readLength(field: "index row \(number) prompt bytes", max: recordLength)
            let thumbnailBytes = try reader.readLength(field: "index row \(number) thumbnail bytes", max: recordLength)
            let summary = EntrySummary(name: name, width: width, height: height, mode: mode, promptBytes: promptBytes,
                                       thumbnailBytes: thumbnailBytes, recordLength: recordLength)
            rows.append(IndexRow(offset: offset, summary: summary))
            expected = offset + recordLength
            previousName = nameBytes
        }
        guard reader.isAtEnd else {
            throw FormatError(.indexInvalid, at: reader.offset, "index has \(reader.remaining) bytes after its last row")
        }
        return ArchiveIndex(rows: rows)
    }
}

/// The "T" record, always the last 18 bytes of a file: where the index is (spec/gcx.md §8).
public struct Trailer: Equatable, Sendable {
    public var indexOffset: Int
    public var indexLength: Int

    public static let size = 18

    public init(indexOffset: Int, indexLength: Int) {
        self.indexOffset = indexOffset
        self.indexLength = indexLength
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeUInt64(UInt64(indexOffset), .littleEndian)
        writer.writeUInt32(UInt32(indexLength), .littleEndian)
        return RecordFraming.encode(kind: .trailer, body: writer.bytes)
    }

    /// Decodes the last `Trailer.size` bytes of a file of `fileSize` bytes and checks that the
    /// index it names lies right before it.
    public static func decode(_ bytes: [UInt8], fileSize: Int) throws -> Trailer {
        let offset = fileSize - size
        guard bytes.count == size, offset >= FileHeader.size else {
            throw FormatError(.trailerMissing, at: max(fileSize, 0), "file is too short to end with a trailer")
        }
        guard bytes[0] == RecordKind.trailer.rawValue, bytes[1] == UInt8(Limits.trailerBody) else {
            throw FormatError(.trailerMissing, at: offset,
                              "the last \(size) bytes are not a trailer record (\"T\", 12): the file is truncated or its writing was interrupted")
        }
        let head = RecordFraming.Head(kind: .trailer, offset: offset, bodyOffset: offset + 2, bodyLength: Limits.trailerBody)
        let body = try RecordFraming.verify(bytes, head: head)
        var reader = ByteReader(body, base: offset + 2)
        let indexOffset = try reader.readUInt64(.littleEndian, field: "index offset")
        let indexLength = Int(try reader.readUInt32(.littleEndian, field: "index length"))
        guard indexOffset >= UInt64(FileHeader.size), indexOffset <= UInt64(offset),
              Int(indexOffset) + indexLength == offset else {
            throw FormatError(.indexRange, at: offset + 2,
                              "trailer puts the \(indexLength)-byte index at offset \(indexOffset); it must lie after the header and end where the trailer starts (\(offset))")
        }
        return Trailer(indexOffset: Int(indexOffset), indexLength: indexLength)
    }
}
