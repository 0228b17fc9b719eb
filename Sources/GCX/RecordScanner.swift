import GCXBytes

/// Walks the records of a file from the header on, without the index (spec/gcx.md §10).
///
/// Used to recover the entries of a file whose trailer or index is missing or damaged, and by
/// the validator to check every byte. After a damaged stretch it resynchronises by trying each
/// later offset as the start of a known record whose CRC checks; the work this may cost is
/// bounded, so a hostile file cannot make it run for long.
public struct RecordScanner {
    /// One record read whole, its CRC checked.
    public struct Record: Sendable {
        /// Where the record lies and its kind.
        public var head: RecordFraming.Head
        /// The record's body.
        public var body: [UInt8]
    }

    /// What a scan found.
    public struct Result: Sendable {
        /// The intact records, in file order.
        public var records: [Record]
        /// Each damaged stretch, as the error found at its start.
        public var problems: [FormatError]
        /// End of the last good record, i.e. where a writer may continue an interrupted file.
        public var endOfLastRecord: Int
        /// True when the records before `endOfLastRecord` follow each other with no damage.
        public var isContiguous: Bool
    }

    let source: any ByteSource
    /// The file's version: which critical record kinds exist.
    let version: FormatVersion

    /// A scanner of `source`, a file of `version`.
    public init(source: any ByteSource, version: FormatVersion) {
        self.source = source
        self.version = version
    }

    /// Scans from `start`; with `resynchronise` false it stops at the first damage.
    public func scan(from start: Int = FileHeader.size, resynchronise: Bool = true) throws -> Result {
        var result = Result(records: [], problems: [], endOfLastRecord: start, isContiguous: true)
        var offset = start
        // Bytes CRC-checked while hunting for a record after damage; proportional to the file.
        var resyncBudget = 16 * source.size + (1 << 24)
        while offset < source.size {
            do {
                let record = try readRecord(at: offset)
                result.records.append(record)
                offset = record.head.end
                result.endOfLastRecord = offset
            } catch let error as FormatError {
                result.problems.append(error)
                result.isContiguous = false
                guard resynchronise, let next = try findRecord(after: offset, budget: &resyncBudget) else { break }
                offset = next
            }
        }
        return result
    }

    /// Reads and checks one whole record at `offset`. When the caller knows the record's length
    /// (from an index row or the trailer) it is read in one call.
    public func readRecord(at offset: Int, expectedLength: Int? = nil) throws -> Record {
        if let expectedLength, expectedLength >= 6, expectedLength <= source.size - offset {
            let bytes = try source.read(at: offset, count: expectedLength)
            let head = try RecordFraming.decodeHead(Array(bytes.prefix(1 + Varint.maxBytes)), at: offset, fileSize: source.size, version: version)
            if head.totalLength == expectedLength {
                return Record(head: head, body: try RecordFraming.verify(bytes, head: head))
            }
        }
        let prefix = try source.read(at: offset, count: min(1 + Varint.maxBytes, source.size - offset))
        let head = try RecordFraming.decodeHead(prefix, at: offset, fileSize: source.size, version: version)
        let bytes = try source.read(at: offset, count: head.totalLength)
        return Record(head: head, body: try RecordFraming.verify(bytes, head: head))
    }

    private func findRecord(after offset: Int, budget: inout Int) throws -> Int? {
        let window = 1 << 16
        var base = offset + 1
        while base < source.size {
            let chunk = try source.read(at: base, count: min(window, source.size - base))
            for (position, byte) in chunk.enumerated() where RecordKind(rawValue: byte).isKnown(in: version) {
                let candidate = base + position
                guard let head = try? readHeadOnly(at: candidate) else { continue }
                budget -= head.totalLength
                if budget < 0 { return nil }
                if (try? readRecord(at: candidate)) != nil { return candidate }
            }
            base += chunk.count
        }
        return nil
    }

    private func readHeadOnly(at offset: Int) throws -> RecordFraming.Head {
        let prefix = try source.read(at: offset, count: min(1 + Varint.maxBytes, source.size - offset))
        return try RecordFraming.decodeHead(prefix, at: offset, fileSize: source.size, version: version)
    }
}
