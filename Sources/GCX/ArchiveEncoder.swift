/// Produces the bytes of an archive one record at a time; the file layer decides where they go.
///
///     var encoder = ArchiveEncoder()
///     var file = encoder.header()
///     for entry in entries { file += try encoder.encode(entry) }
///     file += encoder.finish()
public struct ArchiveEncoder: Sendable {
    /// The file's version and defaults: every record this encoder makes follows them.
    public let format: ArchiveFormat
    /// Version 2 keeps the first 8 bytes of each photo's SHA-256 unless this is set.
    public var keepsFullHash = false
    /// The entries encoded so far (and those continued), in file order: the index `finish` writes.
    public private(set) var rows: [IndexRow]
    /// Absolute offset at which the next record will start.
    public private(set) var endOffset: Int
    private var names: Set<String>

    /// A new archive: the next record follows the header and the defaults record, if any.
    public init(format: ArchiveFormat = ArchiveFormat()) {
        self.init(format: format, continuing: [], at: FileHeader.size + ArchiveEncoder.defaultsRecord(format).count)
    }

    /// Continues an archive of `format` whose entries `rows` are already written and whose next
    /// record starts at `endOffset` (appending).
    public init(format: ArchiveFormat, continuing rows: [IndexRow], at endOffset: Int) {
        self.format = format
        self.rows = rows
        self.endOffset = endOffset
        self.names = Set(rows.map(\.summary.name))
    }

    /// The file's first bytes: the header and, when the format has defaults, the "D" record.
    public func header() -> [UInt8] {
        FileHeader(version: format.version).encoded() + ArchiveEncoder.defaultsRecord(format)
    }

    static func defaultsRecord(_ format: ArchiveFormat) -> [UInt8] {
        format.defaults.isEmpty ? [] : RecordFraming.encode(kind: .defaults, body: format.defaults.encodedBody())
    }

    /// Whether an entry of this name is already in the archive.
    public func contains(name: String) -> Bool { names.contains(name) }

    /// The entry record for `entry`, registered for the index.
    public mutating func encode(_ entry: Entry) throws -> [UInt8] {
        let (record, summary) = try makeRecord(entry)
        try registerRecord(of: summary)
        return record
    }

    /// The entry record for `entry` and its index summary, not yet registered: a writer registers
    /// it once the bytes are safely written.
    public func makeRecord(_ entry: Entry) throws -> (record: [UInt8], summary: EntrySummary) {
        guard !names.contains(entry.name) else {
            throw FormatError(.nameDuplicate, at: endOffset, "the archive already has an entry named \(quoted(entry.name))", entry: entry.name)
        }
        guard rows.count < Limits.entryCount else {
            throw FormatError(.limitExceeded, at: endOffset, "an archive holds at most \(Limits.entryCount) entries")
        }
        var entry = entry
        if format.version >= .v2 && !keepsFullHash && entry.source.contentHash.count > SourceMetadata.truncatedHashSize {
            entry.source.contentHash = Array(entry.source.contentHash.prefix(SourceMetadata.truncatedHashSize))
        }
        let body = try entry.encodedBody(format: format)
        guard body.count <= Limits.entryRecordBody else {
            throw FormatError(.limitExceeded, at: endOffset,
                              "entry \(quoted(entry.name)) needs \(body.count) bytes; an entry record holds at most \(Limits.entryRecordBody)")
        }
        let record = RecordFraming.encode(kind: .entry, body: body)
        return (record, entry.summary(recordLength: record.count))
    }

    /// Registers an entry record that is copied as it is (appending to a recovered archive).
    public mutating func registerRecord(of summary: EntrySummary) throws {
        guard names.insert(summary.name).inserted else {
            throw FormatError(.nameDuplicate, at: endOffset, "the archive already has an entry named \(quoted(summary.name))", entry: summary.name)
        }
        rows.append(IndexRow(offset: endOffset, summary: summary))
        endOffset += summary.recordLength
    }

    /// The index and trailer that close the archive.
    public func finish() -> [UInt8] {
        let index = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: rows).encodedBody(version: format.version))
        return index + Trailer(indexOffset: endOffset, indexLength: index.count).encoded()
    }
}
