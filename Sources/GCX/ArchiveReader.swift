import Synchronization

/// Reads an archive through its index: opening reads the header, the trailer and the index; each
/// entry is read on its own when asked for (spec/gcx.md §7, §8).
///
///     let reader = try ArchiveReader(source: MemorySource(bytes))
///     for row in reader.rows { print(row.summary.name) }
///     let entry = try reader.entry(named: "kodim01.png")
///
/// When the trailer or index is missing or damaged and `recover` is true, the reader scans the
/// records instead and keeps every complete entry (`recoveredFrom` says why).
public final class ArchiveReader {
    /// The archive's bytes.
    public let source: any ByteSource
    /// The file's header, checked on opening.
    public let header: FileHeader
    /// Read on the first entry read: listing never reads the defaults record.
    private let formatRead = Mutex<ArchiveFormat?>(nil)
    private let recover: Bool
    /// The entries, in file order.
    public let rows: [IndexRow]
    /// Why the index could not be used, when the rows come from a scan.
    public let recoveredFrom: FormatError?
    /// Built on the first look-up by name: listing never pays for it.
    private let rowByName = Mutex<[String: Int]?>(nil)

    /// Opens `source`: reads the header, the trailer and the index (or, with `recover`, scans the records when those are damaged).
    public init(source: any ByteSource, recover: Bool = false) throws {
        self.source = source
        header = try FileHeader.decode(try source.read(at: 0, count: min(FileHeader.size, source.size)))
        self.recover = recover
        do {
            rows = try ArchiveReader.readIndex(source, version: header.version)
            recoveredFrom = nil
        } catch let error as FormatError where recover {
            rows = try ArchiveReader.scanEntries(source, format: ArchiveReader.readFormat(source, version: header.version, recover: true)).rows
            recoveredFrom = error
        }
    }

    /// The file's version and (version 2) the defaults its entries inherit, read once.
    public var format: ArchiveFormat {
        get throws {
            try formatRead.withLock { cached throws -> ArchiveFormat in
                if let cached { return cached }
                let read = try ArchiveReader.readFormat(source, version: header.version, recover: recover)
                cached = read
                return read
            }
        }
    }

    /// With `recover`, a damaged defaults record is passed over: it is ancillary information, and
    /// the entries are whole without it.
    static func readFormat(_ source: any ByteSource, version: FormatVersion, recover: Bool) throws -> ArchiveFormat {
        do {
            return try readFormat(source, version: version)
        } catch is FormatError where recover {
            return ArchiveFormat(version: version)
        }
    }

    /// The version, and the "D" record's defaults when the first record after the header is one.
    public static func readFormat(_ source: any ByteSource, version: FormatVersion) throws -> ArchiveFormat {
        guard version >= .v2, source.size > FileHeader.size,
              try source.read(at: FileHeader.size, count: 1) == [RecordKind.defaults.rawValue] else {
            return ArchiveFormat(version: version)
        }
        let record = try RecordScanner(source: source, version: version).readRecord(at: FileHeader.size)
        return ArchiveFormat(version: version, defaults: try EntryDefaults.decode(body: record.body, at: record.head.bodyOffset).defaults)
    }

    /// The row of the entry named `name`, or nil; the first such row if a damaged file has two.
    public func row(named name: String) -> IndexRow? {
        let index = rowByName.withLock { table -> Int? in
            if table == nil {
                var built: [String: Int] = [:]
                built.reserveCapacity(rows.count)
                for (index, row) in rows.enumerated() where built[row.summary.name] == nil { built[row.summary.name] = index }
                table = built
            }
            return table?[name]
        }
        return index.map { rows[$0] }
    }

    /// Reads, checks and decodes one entry; touches only that entry's bytes.
    public func entry(named name: String) throws -> Entry {
        guard let row = row(named: name) else { throw ArchiveReaderError.noSuchEntry(name) }
        return try entry(at: row)
    }

    /// Reads, checks and decodes the entry of `row`; touches only its bytes. Its summary must agree with the row.
    public func entry(at row: IndexRow) throws -> Entry {
        let format = try self.format
        let record = try RecordScanner(source: source, version: format.version).readRecord(at: row.offset, expectedLength: row.summary.recordLength)
        guard record.head.kind == .entry, record.head.totalLength == row.summary.recordLength else {
            throw FormatError(.indexEntryMissing, at: row.offset,
                              "the index says entry \(quoted(row.summary.name)) is a \(row.summary.recordLength)-byte entry record here, but a \(record.head.totalLength)-byte \(record.head.kind) record is")
        }
        let entry = try Entry.decode(body: record.body, at: record.head.bodyOffset, format: format)
        let actual = entry.summary(recordLength: record.head.totalLength)
        guard actual == row.summary else {
            throw FormatError(.indexMismatch, at: row.offset,
                              "the index row for \(quoted(row.summary.name)) disagrees with the entry (\(ArchiveReader.differences(row.summary, actual)))",
                              entry: entry.name)
        }
        return entry
    }

    static func readIndex(_ source: any ByteSource, version: FormatVersion) throws -> [IndexRow] {
        guard source.size >= FileHeader.size + Trailer.size else {
            throw FormatError(.trailerMissing, at: source.size, "file is too short to hold a trailer")
        }
        let trailer = try Trailer.decode(try source.read(at: source.size - Trailer.size, count: Trailer.size), fileSize: source.size)
        let record = try RecordScanner(source: source, version: version).readRecord(at: trailer.indexOffset, expectedLength: trailer.indexLength)
        guard record.head.kind == .index, record.head.totalLength == trailer.indexLength else {
            throw FormatError(.indexRange, at: trailer.indexOffset,
                              "the trailer points at a \(trailer.indexLength)-byte index, but a \(record.head.totalLength)-byte \(record.head.kind) record is there")
        }
        return try ArchiveIndex.decode(body: record.body, at: record.head.bodyOffset, limit: trailer.indexOffset, version: version).rows
    }

    /// Every complete, well-formed entry found by scanning, in file order, first of each name.
    public static func scanEntries(_ source: any ByteSource, format: ArchiveFormat) throws -> (rows: [IndexRow], scan: RecordScanner.Result) {
        let scan = try RecordScanner(source: source, version: format.version).scan()
        var rows: [IndexRow] = []
        var names: Set<String> = []
        for record in scan.records where record.head.kind == .entry {
            guard let entry = try? Entry.decode(body: record.body, at: record.head.bodyOffset, format: format),
                  names.insert(entry.name).inserted else { continue }
            rows.append(IndexRow(offset: record.head.offset, summary: entry.summary(recordLength: record.head.totalLength)))
        }
        return (rows, scan)
    }

    static func differences(_ expected: EntrySummary, _ actual: EntrySummary) -> String {
        var parts: [String] = []
        if expected.name != actual.name { parts.append("name \(quoted(expected.name)) vs \(quoted(actual.name))") }
        if expected.width != actual.width || expected.height != actual.height {
            parts.append("size \(expected.width)×\(expected.height) vs \(actual.width)×\(actual.height)")
        }
        if expected.mode != actual.mode { parts.append("mode \(expected.mode.name) vs \(actual.mode.name)") }
        if expected.promptBytes != actual.promptBytes { parts.append("prompt bytes \(expected.promptBytes) vs \(actual.promptBytes)") }
        if expected.thumbnailBytes != actual.thumbnailBytes { parts.append("thumbnail bytes \(expected.thumbnailBytes) vs \(actual.thumbnailBytes)") }
        if expected.recordLength != actual.recordLength { parts.append("record length \(expected.recordLength) vs \(actual.recordLength)") }
        return "index vs entry: " + parts.joined(separator: ", ")
    }
}

/// A request the archive cannot answer.
public enum ArchiveReaderError: Error, CustomStringConvertible, Equatable {
    /// No entry has this name.
    case noSuchEntry(String)

    /// The refusal, naming the entry.
    public var description: String {
        switch self {
        case .noSuchEntry(let name): "the archive has no entry named \(quoted(name))"
        }
    }
}
