import GCXBytes

/// Where an entry record lies and what `gcx list` needs to know about it.
public struct IndexRow: Equatable, Sendable {
    /// Absolute offset of the entry record.
    public var offset: Int
    /// What the row repeats of its entry: name, size, mode, byte counts.
    public var summary: EntrySummary

    /// The row of the entry record at `offset`.
    public init(offset: Int, summary: EntrySummary) {
        self.offset = offset
        self.summary = summary
    }

    /// Absolute offset just past the entry record.
    public var end: Int { offset + summary.recordLength }
}

/// The "I" record: one row per entry in file order (spec/gcx.md §7).
///
/// Offsets are coded as the gap after the previous entry's end, so rows are ascending and two
/// rows can never point into the same bytes; names are front-coded against the previous name (in
/// version 2 back-coded too, and a size equal to the previous row's is not repeated).
public struct ArchiveIndex: Equatable, Sendable {
    /// One row per entry, in file order.
    public var rows: [IndexRow]

    /// An index of `rows`, which must be in file order and not overlap.
    public init(rows: [IndexRow]) { self.rows = rows }

    /// Bits of a version 2 row's `row_flags`; bits 3 to 7 hold how many bytes of the previous
    /// name's end the name keeps, 0 to 30, or 31 when a varint of 31 or more follows (as LZ4's
    /// token holds a length with an escape).
    enum RowFlag {
        static let multimodal: UInt8 = 1 << 0
        static let size: UInt8 = 1 << 1
        static let gap: UInt8 = 1 << 2
        static let keptShift: UInt8 = 3
        static let keptEscape = 31
    }

    /// The smallest encoded row: version 1, one byte for each of nine fields and an empty name
    /// suffix; version 2, six one-byte fields.
    static func minimumRowBytes(_ version: FormatVersion) -> Int { version == .v1 ? 9 : 6 }

    /// The smallest entry record. Version 1 (54 bytes): framing (6), an "S" chunk with a one-byte
    /// name (9 + digest), an "M" chunk (3) and an empty stored "P" chunk (4). Version 2 (22 bytes):
    /// framing (6), a one-byte name (2), flags, width, height, size (4), a truncated hash (8),
    /// method and length (2).
    public static func minimumEntryRecord(_ version: FormatVersion) -> Int {
        version == .v1 ? 6 + (9 + SHA256.digestSize) + 3 + 4 : 6 + 2 + 4 + SourceMetadata.truncatedHashSize + 2
    }

    /// The "I" record's body in `version`'s row coding.
    public func encodedBody(version: FormatVersion = .current) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(rows.count)
        var expected = FileHeader.size
        var previousName: [UInt8] = []
        var previousSize: (Int, Int)?
        var previousLength = 0
        for row in rows {
            let summary = row.summary
            let name = Array(summary.name.utf8)
            let shared = zip(name, previousName).prefix { $0 == $1 }.count
            let gap = row.offset - expected
            switch version {
            case .v1:
                writer.writeVarint(gap)
                writer.writeVarint(summary.recordLength)
                writer.writeVarint(shared)
                writer.writeVarint(name.count - shared)
                writer.writeBytes(name[shared...])
                writer.writeVarint(summary.width)
                writer.writeVarint(summary.height)
                writer.writeUInt8(summary.mode.rawValue)
                writer.writeVarint(summary.promptBytes)
                writer.writeVarint(summary.thumbnailBytes)
            case .v2:
                let kept = zip(name[shared...].reversed(), previousName[shared...].reversed()).prefix { $0 == $1 }.count
                let sizeChanged = previousSize.map { $0 != (summary.width, summary.height) } ?? true
                var flags: UInt8 = summary.mode == .multimodal ? RowFlag.multimodal : 0
                if sizeChanged { flags |= RowFlag.size }
                if gap > 0 { flags |= RowFlag.gap }
                flags |= UInt8(min(kept, RowFlag.keptEscape)) << RowFlag.keptShift
                writer.writeUInt8(flags)
                if gap > 0 { writer.writeVarint(gap) }
                writer.writeSignedVarint(Int64(summary.recordLength - previousLength))
                writer.writeVarint(shared)
                if kept >= RowFlag.keptEscape { writer.writeVarint(kept) }
                writer.writeVarint(name.count - shared - kept)
                writer.writeBytes(name[shared..<(name.count - kept)])
                if sizeChanged {
                    writer.writeVarint(summary.width)
                    writer.writeVarint(summary.height)
                }
                if summary.mode == .multimodal { writer.writeVarint(summary.thumbnailBytes) }
                writer.writeVarint(summary.recordLength - summary.promptBytes - summary.thumbnailBytes)
            }
            expected = row.end
            previousLength = summary.recordLength
            previousName = name
            previousSize = (summary.width, summary.height)
        }
        return writer.bytes
    }

    /// Parses an index body at absolute offset `bodyOffset`; every entry must end by `limit`
    /// (the index record's own offset).
    public static func decode(body: [UInt8], at bodyOffset: Int, limit: Int, version: FormatVersion) throws -> ArchiveIndex {
        var reader = ByteReader(body, base: bodyOffset)
        let countOffset = reader.offset
        let count = try reader.readLength(field: "index entry count", max: Limits.entryCount)
        let rowBytes = minimumRowBytes(version)
        guard count <= reader.remaining / rowBytes else {
            throw FormatError(.indexInvalid, at: countOffset,
                              "index claims \(count) entries but its \(reader.remaining) bytes can hold at most \(reader.remaining / rowBytes)")
        }
        var rows: [IndexRow] = []
        rows.reserveCapacity(count)
        var names: Set<String> = []
        names.reserveCapacity(count)
        var expected = FileHeader.size
        var previousName: [UInt8] = []
        var nameBytes: [UInt8] = []
        var previousSize: (width: Int, height: Int)?
        var previousLength = 0
        for number in 0..<count {
            let rowOffset = reader.offset
            var flags: UInt8 = 0
            if version == .v2 {
                flags = try reader.readUInt8(field: "index row \(number) flags")
                guard flags & RowFlag.size != 0 || previousSize != nil else {
                    throw FormatError(.indexInvalid, at: rowOffset, "index row 0 must give its size")
                }
            }
            let gapOffset = reader.offset
            let gap = version == .v1 || flags & RowFlag.gap != 0 ? try reader.readVarint(field: "index row \(number) gap") : 0
            guard version == .v1 || flags & RowFlag.gap == 0 || gap > 0 else {
                throw FormatError(.indexInvalid, at: gapOffset, "index row \(number) flags a gap of 0")
            }
            let recordLength: Int
            if version == .v1 {
                recordLength = try reader.readLength(field: "index row \(number) record length", max: Limits.entryRecordBody + 16)
            } else {
                // The change from the previous row's record length; a sum out of range is caught below.
                let change = try reader.readSignedVarint(field: "index row \(number) record length change")
                recordLength = Int(clamping: max(min(Int64(previousLength) + change, Int64(Limits.entryRecordBody + 16)), -1))
            }
            let offset = expected + Int(clamping: min(gap, UInt64(limit)))
            guard gap <= UInt64(limit), recordLength >= minimumEntryRecord(version), recordLength <= Limits.entryRecordBody + 15,
                  offset + recordLength <= limit else {
                throw FormatError(.indexRange, at: rowOffset,
                                  "index row \(number) points at bytes \(offset)..<\(offset + recordLength), outside the entries region 16..<\(limit) or shorter than an entry")
            }
            let shared = try reader.readLength(field: "index row \(number) name prefix", max: previousName.count)
            var kept = Int(flags >> RowFlag.keptShift)
            if version == .v1 {
                kept = 0
            } else if kept == RowFlag.keptEscape {
                let keptOffset = reader.offset
                kept = try reader.readLength(field: "index row \(number) name suffix kept", max: Limits.nameBytes)
                guard kept >= RowFlag.keptEscape else {
                    throw FormatError(.indexInvalid, at: keptOffset, "index row \(number) escapes a kept length of \(kept), which fits its flags")
                }
            }
            guard kept <= previousName.count - shared else {
                throw FormatError(.limitExceeded, at: rowOffset, "index row \(number) keeps \(kept) bytes of the previous name's end; after its \(shared)-byte prefix only \(previousName.count - shared) are left")
            }
            let middleLength = try reader.readLength(field: "index row \(number) name bytes", max: Limits.nameBytes - shared - kept)
            // The name is assembled in one buffer, reused from row to row.
            nameBytes.removeAll(keepingCapacity: true)
            nameBytes.append(contentsOf: previousName[..<shared])
            nameBytes.append(contentsOf: try reader.readSlice(count: middleLength, field: "index row \(number) name"))
            nameBytes.append(contentsOf: previousName[(previousName.count - kept)...])
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                throw FormatError(.utf8Invalid, at: rowOffset, "index row \(number): the name is not valid UTF-8")
            }
            do { try EntryName.validate(utf8: nameBytes, name: name, at: rowOffset) } catch let error as FormatError { throw error.inEntry(name) }
            guard names.insert(name).inserted else {
                throw FormatError(.nameDuplicate, at: rowOffset, "index lists the name \(quoted(name)) twice", entry: name)
            }
            let summary: EntrySummary
            switch version {
            case .v1:
                let width = try reader.readLength(field: "index row \(number) width", max: Limits.imageSide)
                let height = try reader.readLength(field: "index row \(number) height", max: Limits.imageSide)
                let modeOffset = reader.offset
                let modeValue = try reader.readUInt8(field: "index row \(number) mode")
                guard let mode = CodingMode(rawValue: modeValue), width >= 1, height >= 1 else {
                    throw FormatError(.indexInvalid, at: modeOffset, "index row \(number) has mode \(modeValue) and size \(width)×\(height)", entry: name)
                }
                let promptBytes = try reader.readLength(field: "index row \(number) prompt bytes", max: recordLength)
                let thumbnailBytes = try reader.readLength(field: "index row \(number) thumbnail bytes", max: recordLength)
                summary = EntrySummary(name: name, width: width, height: height, mode: mode, promptBytes: promptBytes,
                                       thumbnailBytes: thumbnailBytes, recordLength: recordLength)
            case .v2:
                var size = previousSize ?? (0, 0)
                if flags & RowFlag.size != 0 {
                    let sizeOffset = reader.offset
                    let width = try reader.readLength(field: "index row \(number) width", max: Limits.imageSide)
                    let height = try reader.readLength(field: "index row \(number) height", max: Limits.imageSide)
                    guard width >= 1, height >= 1, previousSize.map({ $0 != (width, height) }) ?? true else {
                        throw FormatError(.indexInvalid, at: sizeOffset, width < 1 || height < 1
                                          ? "index row \(number) has size \(width)×\(height)"
                                          : "index row \(number) repeats the previous row's size \(width)×\(height) instead of leaving it out", entry: name)
                    }
                    size = (width, height)
                }
                let mode: CodingMode = flags & RowFlag.multimodal != 0 ? .multimodal : .text
                let thumbnailBytes = mode == .multimodal ? try reader.readLength(field: "index row \(number) thumbnail bytes", max: recordLength) : 0
                let otherOffset = reader.offset
                let otherBytes = try reader.readLength(field: "index row \(number) other bytes", max: recordLength)
                guard otherBytes + thumbnailBytes <= recordLength else {
                    throw FormatError(.limitExceeded, at: otherOffset,
                                      "index row \(number): \(otherBytes) other bytes and a \(thumbnailBytes)-byte thumbnail exceed its \(recordLength)-byte record", entry: name)
                }
                let promptBytes = recordLength - otherBytes - thumbnailBytes
                summary = EntrySummary(name: name, width: size.width, height: size.height, mode: mode, promptBytes: promptBytes,
                                       thumbnailBytes: thumbnailBytes, recordLength: recordLength)
            }
            rows.append(IndexRow(offset: offset, summary: summary))
            expected = offset + recordLength
            swap(&previousName, &nameBytes)
            previousSize = (summary.width, summary.height)
            previousLength = recordLength
        }
        guard reader.isAtEnd else {
            throw FormatError(.indexInvalid, at: reader.offset, "index has \(reader.remaining) bytes after its last row")
        }
        return ArchiveIndex(rows: rows)
    }
}

/// The "T" record, always the last 18 bytes of a file: where the index is (spec/gcx.md §8).
public struct Trailer: Equatable, Sendable {
    /// Absolute offset of the index record.
    public var indexOffset: Int
    /// Bytes of the whole index record, framing included.
    public var indexLength: Int

    /// Bytes of the trailer record: kind, length, 12-byte body, CRC.
    public static let size = 18

    /// The trailer of an index record at `indexOffset`, `indexLength` bytes long.
    public init(indexOffset: Int, indexLength: Int) {
        self.indexOffset = indexOffset
        self.indexLength = indexLength
    }

    /// The whole 18-byte trailer record.
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
