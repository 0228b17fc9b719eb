#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX

/// Writes an archive crash-safely: everything goes to `ARCHIVE.partial` beside the target, which is
/// renamed over the target only when the index and trailer are written and synced. The archive
/// the user had is never touched before that rename.
///
/// An interrupted writer leaves `ARCHIVE.partial` holding every entry it completed; opening with
/// `.append` resumes it (keeping those entries) instead of starting again.
///
///     let writer = try ArchiveFileWriter(path: "photos.gcx", mode: .append)
///     if !writer.contains(name: entry.name) { try writer.add(entry) }
///     try writer.finish()
public final class ArchiveFileWriter {
    public enum Mode: Sendable {
        /// A new archive; fails if the target exists.
        case create
        /// A new archive that replaces the target at `finish`.
        case overwrite
        /// Adds to the target if it exists (else creates it), resuming an interrupted write.
        case append
    }

    /// What opening found and did, for the user to see.
    public struct OpenReport: Sendable {
        /// Entries the archive already had (from the target or a resumed partial file).
        public var existingEntries = 0
        /// An interrupted write whose complete entries were taken over.
        public var resumedPartial = false
        /// The target's index was unusable and its entries were recovered by scanning.
        public var recoveredTarget: FormatError?
        /// Bytes of a damaged tail dropped from a resumed partial file.
        public var droppedBytes = 0
    }

    public let path: String
    public let partialPath: String
    public private(set) var report = OpenReport()
    private var encoder: ArchiveEncoder
    private var descriptor: Int32
    private var finished = false

    public init(path: String, mode: Mode) throws {
        self.path = path
        partialPath = path + ".partial"
        let targetExists = access(path, F_OK) == 0
        let partialExists = access(partialPath, F_OK) == 0
        if mode == .create && targetExists {
            throw FileIOError(.exists, path: path, operation: "create the archive", reason: "it exists")
        }
        if partialExists && mode != .append {
            throw FileIOError(.interruptedWrite, path: partialPath, operation: "start a new archive",
                              reason: "an interrupted write left this file")
        }
        descriptor = -1
        encoder = ArchiveEncoder()
        let created = !partialExists
        descriptor = try ArchiveFileWriter.openLocked(partialPath, flags: created ? O_RDWR | O_CREAT | O_EXCL : O_RDWR)
        do {
            let partialSize = created ? 0 : try FileSource(path: partialPath).size
            if partialSize < FileHeader.size {
                // New, or killed before its header was complete: start it afresh.
                guard ftruncate(descriptor, 0) == 0 else { throw FileIOError.system("truncate", partialPath) }
                try writeAll(encoder.header())
            } else {
                try resumePartial()
            }
            // A resumed partial may hold only part of the target's entries if the copy was cut short.
            if mode == .append && targetExists { try copyEntries(from: path) }
        } catch {
            close(descriptor)
            descriptor = -1
            if created { unlink(partialPath) }
            throw error
        }
        report.existingEntries = encoder.rows.count
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public var entryCount: Int { encoder.rows.count }
    public var rows: [IndexRow] { encoder.rows }

    public func contains(name: String) -> Bool { encoder.contains(name: name) }

    /// Appends one entry. When this returns, the entry survives a crash of this process.
    @discardableResult
    public func add(_ entry: Entry) throws -> IndexRow {
        let (record, summary) = try encoder.makeRecord(entry)
        do {
            try writeAll(record)
        } catch {
            // Cut off what part of the record got written, so the next entry starts cleanly.
            _ = ftruncate(descriptor, off_t(encoder.endOffset))
            _ = lseek(descriptor, off_t(encoder.endOffset), SEEK_SET)
            throw error
        }
        try encoder.registerRecord(of: summary)
        return encoder.rows[encoder.rows.count - 1]
    }

    /// Writes the index and trailer, syncs, and renames the archive into place.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        try writeAll(encoder.finish())
        guard fsync(descriptor) == 0 else { throw FileIOError.system("sync", partialPath) }
        guard rename(partialPath, path) == 0 else { throw FileIOError.system("rename \(partialPath) to", path) }
        AtomicFile.syncDirectory(of: path)
        close(descriptor)
        descriptor = -1
        finished = true
    }

    /// Stops without finishing and deletes the partial file (nothing completed is kept).
    public func discard() {
        guard !finished, descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(partialPath)
    }

    // MARK: - Opening

    private static func openLocked(_ path: String, flags: Int32) throws -> Int32 {
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileIOError.system("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw FileIOError(.locked, path: path, operation: "lock", reason: "another gcx process is writing this archive")
        }
        return fd
    }

    /// Takes over the complete entries of an interrupted write and cuts off its damaged tail.
    private func resumePartial() throws {
        let source = try FileSource(path: partialPath)
        _ = try FileHeader.decode(try source.read(at: 0, count: min(FileHeader.size, source.size)))
        let scan = try RecordScanner(source: source).scan(resynchronise: false)
        var rows: [IndexRow] = []
        var names: Set<String> = []
        for record in scan.records where record.head.kind == .entry {
            let entry = try Entry.decode(body: record.body, at: record.head.bodyOffset)
            guard names.insert(entry.name).inserted else { continue }
            rows.append(IndexRow(offset: record.head.offset, summary: entry.summary(recordLength: record.head.totalLength)))
        }
        // A finished partial (killed between writing the trailer and renaming) ends with index and
        // trailer; cut back to the last entry so the new index is the only one.
        let end = rows.last?.end ?? FileHeader.size
        report.droppedBytes = source.size - end
        report.resumedPartial = true
        guard ftruncate(descriptor, off_t(end)) == 0 else { throw FileIOError.system("truncate", partialPath) }
        guard lseek(descriptor, off_t(end), SEEK_SET) >= 0 else { throw FileIOError.system("seek", partialPath) }
        encoder = ArchiveEncoder(continuing: rows, at: end)
    }

    /// Copies the target's entry records byte for byte into the partial file.
    private func copyEntries(from path: String) throws {
        let source = try FileSource(path: path)
        let reader = try ArchiveReader(source: source, recover: true)
        report.recoveredTarget = reader.recoveredFrom
        for row in reader.rows where !encoder.contains(name: row.summary.name) {
            let record = try source.read(at: row.offset, count: row.summary.recordLength)
            try encoder.registerRecord(of: row.summary)
            try writeAll(record)
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try FileDescriptorWriter.writeAll(descriptor, bytes, path: partialPath)
    }
}
