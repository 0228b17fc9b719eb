import Foundation
import GCX
import GCXFileIO

/// Packs photos into an archive: each entry is written as soon as it is made, so an interrupted
/// pack keeps every completed entry, and `append` resumes it.
///
///     let packer = Packer(archive: "photos.gcx", options: options, append: true)
///     let summary = try packer.run(inputs) { event in print(event) }
public final class Packer {
    public enum Event: Sendable {
        case opened(ArchiveFileWriter.OpenReport)
        case packed(PackInput, EntrySummary, index: Int, total: Int)
        /// Packed, but with something the user should hear of (e.g. a description not in the layout).
        case warning(PackInput, String)
        case skipped(PackInput, index: Int, total: Int)
        case failed(PackFailure, index: Int, total: Int)
    }

    public struct Summary: Sendable {
        public var added: [EntrySummary] = []
        public var skipped: [PackInput] = []
        public var failures: [PackFailure] = []
        /// Entries in the archive when done, and their pixels.
        public var entryCount = 0
        public var totalPixels = 0
        public var archiveBytes = 0
        /// False when nothing needed writing and the archive was left untouched.
        public var wroteArchive = true
    }

    public let archive: String
    public let options: PackOptions
    public let mode: ArchiveFileWriter.Mode

    public init(archive: String, options: PackOptions, mode: ArchiveFileWriter.Mode) {
        self.archive = archive
        self.options = options
        self.mode = mode
    }

    public func run(_ inputs: [PackInput], progress: (Event) -> Void = { _ in }) throws -> Summary {
        let writer = try ArchiveFileWriter(path: archive, mode: mode)
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
        // Photos are made `jobs` at a time and written in input order, so the archive's bytes do not
        // depend on timing.
        let batchSize = max(1, options.jobs)
        var start = 0
        while start < pending.count {
            let batch = Array(pending[start..<min(start + batchSize, pending.count)])
            let results = ResultSlots<(entry: Entry, warning: String?)>(count: batch.count)
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                results.set(slot, Result { try builder.entry(for: batch[slot].1) })
            }
            for (slot, (number, input)) in batch.enumerated() {
                switch results.get(slot) {
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
                        let failure = PackFailure(input: input.path, reason: "\(error)")
                        summary.failures.append(failure)
                        progress(.failed(failure, index: number, total: total))
                    }
                case .failure(let error):
                    let failure = error as? PackFailure ?? PackFailure(input: input.path, reason: "\(error)")
                    summary.failures.append(failure)
                    progress(.failed(failure, index: number, total: total))
                }
            }
            start += batchSize
        }
        summary.entryCount = writer.entryCount
        summary.totalPixels = writer.rows.reduce(0) { $0 + $1.summary.width * $1.summary.height }
        let unchanged = summary.added.isEmpty && !writer.report.resumedPartial && FileManager.default.fileExists(atPath: archive)
        if unchanged {
            writer.discard()
            summary.wroteArchive = false
        } else {
            try writer.finish()
        }
        summary.archiveBytes = (try? FileSource(path: archive).size) ?? 0
        return summary
    }
}

/// Results filled in by concurrent workers, one slot each.
final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Result<Value, Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<Value, Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = value
    }

    func get(_ index: Int) -> Result<Value, Error> {
        lock.lock(); defer { lock.unlock() }
        return slots[index]!
    }
}
