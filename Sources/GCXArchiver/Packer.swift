import GCX
import GCXConcurrency
import GCXFileIO
import SystemPackage

/// Packs photos into an archive: each entry is written as soon as it is made, so an interrupted
/// pack keeps every completed entry, and `append` resumes it.
///
///     let packer = Packer(archive: "photos.gcx", options: options, append: true)
///     let summary = try await packer.run(inputs) { event in print(event) }
public final class Packer {
    public enum Event: Sendable {
        case opened(ArchiveFileWriter.OpenReport)
        case packed(PackInput, EntrySummary, index: Int, total: Int)
        /// Packed, but with something the user should hear of (e.g. a description not in the layout).
        case warning(PackInput, String)
        case skipped(PackInput, index: Int, total: Int)
        case failed(ItemFailure, index: Int, total: Int)
    }

    public struct Summary: Sendable {
        public var added: [EntrySummary] = []
        public var skipped: [PackInput] = []
        public var failures: [ItemFailure] = []
        /// Entries in the archive when done, and their pixels.
        public var entryCount = 0
        public var totalPixels = 0
        public var archiveBytes = 0
        /// False when nothing needed writing and the archive was left untouched (or, when there
        /// was none and nothing could be packed, not created).
        public var wroteArchive = true
        /// Cancelled before every photo was done: the completed entries are in `ARCHIVE.partial`,
        /// and a pack with `.append` resumes it.
        public var interrupted = false
        /// With `update`: entries whose photo changed since it was packed, packed again.
        public var updated: [String] = []
    }

    public let archive: FilePath
    public let options: PackOptions
    public let mode: ArchiveFileWriter.Mode
    /// Appending to a damaged archive keeps its intact entries instead of refusing.
    public let recoverDamaged: Bool
    /// Appending: an entry whose photo has changed (size or SHA-256) is packed again, replacing
    /// the old one (the new entry comes after the others).
    public let update: Bool
    /// Given no photos at all, the archive is still written (empty, or as it was when appending):
    /// a shard with no photos is still a part, so that every part exists to merge.
    public let writesEmptyArchive: Bool

    public init(archive: FilePath, options: PackOptions, mode: ArchiveFileWriter.Mode, recoverDamaged: Bool = false,
                update: Bool = false, writesEmptyArchive: Bool = false) {
        self.archive = archive
        self.options = options
        self.mode = mode
        self.recoverDamaged = recoverDamaged
        self.update = update
        self.writesEmptyArchive = writesEmptyArchive
    }

    /// The names among `inputs` whose file differs from what the archive at `archive` recorded.
    static func changed(_ inputs: [PackInput], in archive: FilePath) -> Set<String> {
        guard let source = try? FileSource(archive), let reader = try? ArchiveReader(source: source, recover: true) else { return [] }
        var changed: Set<String> = []
        for input in inputs {
            guard let row = reader.row(named: input.name), let stored = try? reader.entry(at: row).source else { continue }
            guard let status = try? FileSystem.status(of: input.path) else { continue }
            if UInt64(status.size) != stored.originalSize {
                changed.insert(input.name)
            } else if let bytes = try? FileSource.readAll(input.path),
                      !SHA256.hash(bytes).prefix(stored.contentHash.count).elementsEqual(stored.contentHash) {
                changed.insert(input.name)
            }
        }
        return changed
    }

    /// Packs `inputs`. Cancelling the task interrupts the pack: no photo is started after it, those
    /// still waiting for a core or their caption are abandoned, every completed entry stays in
    /// `ARCHIVE.partial` (in input order), a pack with `.append` adds the abandoned ones after
    /// them, and the summary says `interrupted`.
    public func run(_ inputs: [PackInput], progress: (Event) -> Void = { _ in }) async throws -> Summary {
        try Packer.refuseOverwriting(archive, with: inputs)
        let existed = FileSystem.exists(archive)
        let replaced = update && mode == .append ? Packer.changed(inputs, in: archive) : []
        let writer = try ArchiveFileWriter(path: archive, mode: mode, format: options.archiveFormat, keepsFullHash: options.keepsFullHash,
                                           recoverDamaged: recoverDamaged, excluding: replaced)
        progress(.opened(writer.report))
        var summary = Summary()
        let builder = EntryBuilder(options: options)
        let total = inputs.count
        var pending: [(Int, PackInput)] = []
        for (number, input) in inputs.enumerated() {
            if writer.contains(name: input.name) {
                summary.skipped.append(input)
                progress(.skipped(input, index: number, total: total))
            } else {
                pending.append((number, input))
            }
        }
        // Photos are made concurrently (requests in flight up to the client's limit, CPU work in
        // one slot per core) and written in input order, so the archive's bytes do not depend on
        // timing; the window bounds how many are made ahead of the writer.
        let cpu = Slots.cpu
        let window = max(1, options.requestsInFlight) + cpu.count
        var abandoned = false
        let delivered = try await OrderedPipeline.run(
            count: pending.count, window: window,
            start: { pending[$0].1 },
            work: { input -> Result<(entry: Entry, warning: String?), Error> in
                do { return .success(try await builder.entry(for: input, cpu: cpu)) } catch { return .failure(error) }
            },
            deliver: { slot, result in
                let (number, input) = pending[slot]
                // An abandoned photo is neither written nor a failure; the photos completed after
                // it still are written, since they may have cost a request.
                if case .failure(let error) = result, error.isCancellation {
                    abandoned = true
                    return false
                }
                switch result {
                case .success(let (entry, warning)):
                    do {
                        let row = try writer.add(entry)
                        if let warning { progress(.warning(input, warning)) }
                        summary.added.append(row.summary)
                        progress(.packed(input, row.summary, index: number, total: total))
                    } catch let error as FileIOError {
                        writer.discard()
                        throw error
                    } catch {
                        let failure = ItemFailure(input, stage: .adding, cause: error)
                        summary.failures.append(failure)
                        progress(.failed(failure, index: number, total: total))
                    }
                case .failure(let error):
                    let failure = error as? ItemFailure ?? ItemFailure(input, stage: .packing, cause: error)
                    summary.failures.append(failure)
                    progress(.failed(failure, index: number, total: total))
                }
                return true
            })
        if abandoned || delivered < pending.count {
            writer.suspend()
            summary.interrupted = true
            summary.entryCount = writer.entryCount
            return summary
        }
        summary.entryCount = writer.entryCount
        summary.totalPixels = writer.rows.reduce(0) { $0 + $1.summary.width * $1.summary.height }
        summary.updated = summary.added.map(\.name).filter { replaced.contains($0) }
        // Nothing added: an existing archive stays as it was (even with .overwrite), and none is
        // created for a pack whose every photo failed.
        let emptyPartWanted = writesEmptyArchive && inputs.isEmpty
        if !emptyPartWanted && summary.added.isEmpty && !writer.report.resumedPartial && writer.report.droppedEntries.isEmpty {
            writer.discard()
            summary.wroteArchive = false
            if existed, let reader = try? ArchiveReader(source: FileSource(writer.path), recover: true) {
                summary.entryCount = reader.rows.count
                summary.totalPixels = reader.rows.reduce(0) { $0 + $1.summary.width * $1.summary.height }
            }
        } else {
            try writer.finish()
        }
        summary.archiveBytes = (try? FileSource(writer.path).size) ?? 0
        return summary
    }

    /// Refuses an archive path that is one of the photos (the same file, by device and inode,
    /// whatever the path says): packing would replace the photo with the archive.
    static func refuseOverwriting(_ archive: FilePath, with inputs: [PackInput]) throws {
        guard let target = FileSystem.identity(of: archive) else { return }
        for input in inputs where FileSystem.identity(of: input.path) == target {
            throw PackError.outputIsInput(archive: archive.string, input: input.path.string)
        }
    }
}

/// Why a pack cannot start.
public enum PackError: Error, Equatable, CustomStringConvertible {
    /// The archive would be written over one of the photos being packed.
    case outputIsInput(archive: String, input: String)

    public var description: String {
        switch self {
        case .outputIsInput(let archive, let input):
            archive == input ? "\(archive) is one of the photos to pack; the archive must be another file"
                : "\(archive) is the same file as the photo \(input); the archive must be another file"
        }
    }
}
