#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX
import SystemPackage

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
        /// Damaged entries of the target left out when appending with `recoverDamaged`.
        public var droppedEntries: [FormatError] = []
    }

    /// The archive's file: the path given, or the file a symbolic link there points to (the link
    /// is written through, never replaced).
    public let path: FilePath
    /// `ARCHIVE.partial`, where the archive is written until it is finished.
    public let partialPath: FilePath
    // The same as strings, for the system calls.
    private let target: String
    private let partial: String
    public private(set) var report = OpenReport()
    private var encoder: ArchiveEncoder
    private var descriptor: Int32
    private var finished = false

    /// - Parameter recoverDamaged: when appending to a damaged archive, keep its intact entries and
    ///   leave the rest out (listed in `report.droppedEntries`); without it, a damaged archive is
    ///   refused with ``DamagedArchiveError`` and left untouched.
    /// - Parameter excluding: when appending, entries of the target with these names are not
    ///   carried over (they are about to be replaced).
    /// - Parameter format: the version and defaults of a new archive. An archive appended to, or
    ///   an interrupted write resumed, keeps its own.
    /// - Parameter keepsFullHash: version 2 keeps all 32 bytes of each photo's SHA-256, not 8.
    public init(path given: FilePath, mode: Mode, format: ArchiveFormat = ArchiveFormat(), keepsFullHash: Bool = false,
                recoverDamaged: Bool = false, excluding: Set<String> = []) throws {
        let path = try ArchiveFileWriter.resolve(given.string)
        let partialPath = path + ".partial"
        self.target = path
        self.partial = partialPath
        self.path = FilePath(path)
        self.partialPath = FilePath(partialPath)
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
        // An archive appended to keeps its version and defaults, so its records are copied as they are.
        let fileFormat = mode == .append && targetExists ? try ArchiveFileWriter.format(of: path, recoverDamaged: recoverDamaged) : format
        encoder = ArchiveEncoder(format: fileFormat)
        encoder.keepsFullHash = keepsFullHash
        let created = !partialExists
        descriptor = try ArchiveFileWriter.openLocked(partialPath, flags: created ? O_RDWR | O_CREAT | O_EXCL : O_RDWR)
        do {
            let partialSize = created ? 0 : try FileSource(FilePath(partialPath)).size
            if partialSize < FileHeader.size {
                // New, or killed before its header was complete: start it afresh.
                guard ftruncate(descriptor, 0) == 0 else { throw FileIOError.system("truncate", partialPath) }
                try writeAll(encoder.header())
            } else {
                try resumePartial(keepsFullHash: keepsFullHash)
            }
            // A resumed partial may hold only part of the target's entries if the copy was cut short.
            if mode == .append && targetExists { try copyEntries(from: path, recoverDamaged: recoverDamaged, excluding: excluding) }
            if targetExists { try keepOwnership(of: path) }
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

    /// Copies the entry of `row` from `reader`'s archive, checked first (CRC, chunks, agreement
    /// with its row): byte for byte when both archives have one format, so moving entries between
    /// them never re-encodes; re-encoded otherwise (a version 1 archive merged into a new one).
    /// Returns the entry as checked, so that a caller needs not read it again.
    @discardableResult
    public func copyEntry(_ row: IndexRow, from reader: ArchiveReader) throws -> Entry {
        let entry = try reader.entry(at: row)
        if try reader.format == encoder.format {
            try addRecord(try reader.source.read(at: row.offset, count: row.summary.recordLength), summary: row.summary)
        } else {
            try add(entry)
        }
        return entry
    }

    /// Appends an entry record as it is, byte for byte (its CRC and its agreement with `summary`
    /// checked by the caller, e.g. with `ArchiveReader.entry(at:)`), into an archive of the
    /// format it was made for.
    @discardableResult
    func addRecord(_ record: [UInt8], summary: EntrySummary) throws -> IndexRow {
        precondition(record.count == summary.recordLength, "the record and its summary disagree")
        try encoder.registerRecord(of: summary)
        do {
            try writeAll(record)
        } catch {
            _ = ftruncate(descriptor, off_t(encoder.rows[encoder.rows.count - 1].offset))
            throw error
        }
        return encoder.rows[encoder.rows.count - 1]
    }

    /// Writes the index and trailer, syncs, and renames the archive into place.
    public func finish() throws {
        precondition(!finished, "finish called twice")
        try writeAll(encoder.finish())
        guard fsync(descriptor) == 0 else { throw FileIOError.system("sync", partial) }
        guard rename(partial, target) == 0 else { throw FileIOError.system("rename \(partial) to", target) }
        AtomicFile.syncDirectory(of: path)
        close(descriptor)
        descriptor = -1
        finished = true
    }

    /// Stops without finishing and keeps the partial file with every entry completed so far, for a
    /// later `.append` to resume (an interrupted pack).
    public func suspend() {
        guard !finished, descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// Stops without finishing and deletes the partial file (nothing completed is kept).
    public func discard() {
        guard !finished, descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(partial)
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

    /// The version and defaults of an existing archive; a file that is not one is refused as damaged.
    /// With `recoverDamaged`, a damaged defaults record is left behind (its entries keep all but it).
    static func format(of path: String, recoverDamaged: Bool) throws -> ArchiveFormat {
        let source = try FileSource(FilePath(path))
        let header: FileHeader
        do {
            header = try FileHeader.decode(try source.read(at: 0, count: min(FileHeader.size, source.size)))
        } catch let error as FormatError {
            throw DamagedArchiveError(path: path, problems: ["\(error)"], intactEntries: 0, isArchive: false)
        }
        do {
            return try ArchiveReader.readFormat(source, version: header.version)
        } catch let error as FormatError {
            guard recoverDamaged else { throw DamagedArchiveError(path: path, problems: ["\(error)"], intactEntries: 0, isArchive: true) }
            return ArchiveFormat(version: header.version)
        }
    }

    /// Takes over the complete entries of an interrupted write and cuts off its damaged tail.
    private func resumePartial(keepsFullHash: Bool) throws {
        let source = try FileSource(partialPath)
        let header = try FileHeader.decode(try source.read(at: 0, count: min(FileHeader.size, source.size)))
        let format = try ArchiveReader.readFormat(source, version: header.version)
        let scan = try RecordScanner(source: source, version: format.version).scan(resynchronise: false)
        var rows: [IndexRow] = []
        var names: Set<String> = []
        for record in scan.records where record.head.kind == .entry {
            let entry = try Entry.decode(body: record.body, at: record.head.bodyOffset, format: format)
            guard names.insert(entry.name).inserted else { continue }
            rows.append(IndexRow(offset: record.head.offset, summary: entry.summary(recordLength: record.head.totalLength)))
        }
        // A finished partial (killed between writing the trailer and renaming) ends with index and
        // trailer; cut back to the last entry so the new index is the only one.
        let end = rows.last?.end ?? ArchiveEncoder(format: format).endOffset
        report.droppedBytes = source.size - end
        report.resumedPartial = true
        guard ftruncate(descriptor, off_t(end)) == 0 else { throw FileIOError.system("truncate", partial) }
        guard lseek(descriptor, off_t(end), SEEK_SET) >= 0 else { throw FileIOError.system("seek", partial) }
        encoder = ArchiveEncoder(format: format, continuing: rows, at: end)
        encoder.keepsFullHash = keepsFullHash
    }

    /// Copies the target's entry records byte for byte into the partial file, each checked first
    /// (CRC, chunks, agreement with its index row), so that a damaged archive is never carried on.
    private func copyEntries(from path: String, recoverDamaged: Bool, excluding: Set<String>) throws {
        let source = try FileSource(FilePath(path))
        let header = try source.read(at: 0, count: min(FileHeader.size, source.size))
        do {
            _ = try FileHeader.decode(header)
        } catch {
            throw DamagedArchiveError(path: path, problems: ["\(error)"], intactEntries: 0, isArchive: false)
        }
        let reader = try ArchiveReader(source: source, recover: true)
        var problems: [FormatError] = reader.recoveredFrom.map { [$0] } ?? []
        var intact: [IndexRow] = []
        for row in reader.rows where !encoder.contains(name: row.summary.name) && !excluding.contains(row.summary.name) {
            do {
                _ = try reader.entry(at: row)
                intact.append(row)
            } catch let error as FormatError {
                problems.append(error.inEntry(row.summary.name))
            }
        }
        if !problems.isEmpty && !recoverDamaged {
            throw DamagedArchiveError(path: path, problems: problems.map { "\($0)" }, intactEntries: intact.count, isArchive: true)
        }
        report.recoveredTarget = reader.recoveredFrom
        report.droppedEntries = reader.recoveredFrom == nil ? problems : Array(problems.dropFirst())
        for row in intact {
            guard try reader.format == encoder.format else {
                // A partial file resumed after its target was replaced by one of another format.
                try add(try reader.entry(at: row))
                continue
            }
            let record = try source.read(at: row.offset, count: row.summary.recordLength)
            try encoder.registerRecord(of: row.summary)
            try writeAll(record)
        }
    }

    /// The file an archive path names: a symbolic link is followed to its target (which need not
    /// exist yet); a folder is refused with a message that says so.
    static func resolve(_ path: String) throws -> String {
        var info = stat()
        var resolved = path
        var links = 0
        while lstat(resolved, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
            links += 1
            guard links <= 40 else { throw FileIOError(.other, path: path, operation: "follow the symbolic link", reason: "too many levels of symbolic links") }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(resolved, &buffer, buffer.count - 1)
            guard count > 0 else { throw FileIOError.system("read the symbolic link", resolved) }
            let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let folder = resolved.lastIndex(of: "/").map { String(resolved[...$0]) } ?? ""
            resolved = target.hasPrefix("/") ? target : folder + target
        }
        if lstat(resolved, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            throw FileIOError(.other, path: path, operation: "write the archive", reason: "it is a folder, not an archive file")
        }
        return resolved
    }

    /// Gives the new file the existing archive's permissions (and owner and group, where allowed),
    /// so replacing it through a rename changes nothing but its contents.
    private func keepOwnership(of path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        guard fchmod(descriptor, info.st_mode & 0o7777) == 0 else { throw FileIOError.system("set the permissions of", partial) }
        _ = fchown(descriptor, info.st_uid, info.st_gid)  // only root may give a file away; not fatal
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try FileDescriptorWriter.writeAll(descriptor, bytes, path: partial)
    }
}

/// An archive that cannot be appended to as it is: it is damaged, or not an archive at all.
public struct DamagedArchiveError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// What is wrong, as the reader reported it (located by offset and entry).
    public var problems: [String]
    /// Entries that would survive a recovery.
    public var intactEntries: Int
    /// False when the file is not a .gcx archive at all (its header does not read).
    public var isArchive: Bool

    public var description: String {
        guard isArchive else { return "\(path): not a .gcx archive (\(problems.first ?? "its header does not read"))" }
        let shown = problems.prefix(3).joined(separator: "; ")
        let more = problems.count > 3 ? "; and \(problems.count - 3) more" : ""
        return "\(path) is damaged (\(shown)\(more)); \(intactEntries) of its entries are intact"
    }
}
