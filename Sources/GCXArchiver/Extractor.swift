import GCX
import GCXConcurrency
import GCXFileIO
import GCXImage
import GCXPromptCoder
import SystemPackage

/// Writes prompts, thumbnails and reconstructions of entries under an output folder.
///
/// For an entry named `a/b.jpg`: `a/b.txt` (the prompt, byte for byte), `a/b.thumb.png` (the decoded
/// thumbnail) and `a/b.png` (the reconstruction at the original size).
public final class Extractor {
    public enum Item: String, Sendable, CaseIterable {
        case prompt, thumbnail, reconstruction
    }

    /// The file format of reconstructions.
    public enum ImageFileFormat: String, Sendable, CaseIterable {
        case png, jpeg
    }

    public struct Written: Sendable {
        public var entry: String
        public var item: Item
        public var path: String
    }

    public enum Event: Sendable {
        case wrote(Written, index: Int, total: Int)
        /// The file was there already and `skip` was asked for.
        case skipped(entry: String, item: Item, index: Int, total: Int)
        case failed(ItemFailure, index: Int, total: Int)
    }

    /// What an extraction did. It stops at the first write the system refuses (a full disk, a
    /// read-only folder): nothing after it could be written either.
    public struct Result: Sendable {
        public var written: [Written] = []
        public var skipped = 0
        public var failures: [ItemFailure] = []
        /// The write error that stopped the extraction, if one did.
        public var stoppedBy: FileIOError?
        /// Cancelled before every entry was done: what was completed is written, and an extraction
        /// with ``ConfinedFolder/Existing/skip`` finishes it.
        public var interrupted = false
    }

    public let reader: ArchiveReader
    public let output: ConfinedFolder
    public let items: Set<Item>
    /// The generator for each entry (its recorded one, or what the user chose).
    public let generatorFor: @Sendable (Entry) throws -> any Generator
    /// Where reconstructions by generators other than the built-in one are kept; nil for none.
    public let cache: ReconstructionCache?
    /// Entries in progress at once beyond the CPU slots: generators on servers are slow, so this
    /// is the number of requests that may be in flight.
    public let requestsInFlight: Int
    /// Reconstructions as PNG (lossless, the default) or JPEG (quality 92, what photo apps expect).
    public var reconstructionFormat: ImageFileFormat = .png

    public init(reader: ArchiveReader, output: ConfinedFolder, items: Set<Item>, cache: ReconstructionCache? = nil, requestsInFlight: Int = 1,
                generatorFor: @escaping @Sendable (Entry) throws -> any Generator = { _ in BuiltinGenerator() }) {
        self.reader = reader
        self.output = output
        self.items = items
        self.generatorFor = generatorFor
        self.cache = cache
        self.requestsInFlight = max(1, requestsInFlight)
    }

    public convenience init(reader: ArchiveReader, output: ConfinedFolder, items: Set<Item>, generator: any Generator, cache: ReconstructionCache? = nil) {
        self.init(reader: reader, output: output, items: items, cache: cache) { _ in generator }
    }

    /// What the concurrent part of an extraction needs; all of it is safe to share across threads.
    private struct Work: Sendable {
        var output: ConfinedFolder
        var generatorFor: @Sendable (Entry) throws -> any Generator
        var cache: ReconstructionCache?
        var format: ImageFileFormat
        var cpu: Slots
    }

    /// The reconstruction in the chosen format, from the cache when it has it.
    private static func reconstruction(of entry: Entry, prompt: String, work: Work) async throws -> [UInt8] {
        let generator = try work.generatorFor(entry)
        let cache = generator.metadata.kind == .builtin ? nil : work.cache
        let key = ReconstructionCache.key(entry: entry, prompt: prompt, generator: generator.metadata)
        // A server's image may have been paid for: once it is here, cancelling does not abandon it.
        let paid = generator.metadata.kind != .builtin
        func onCore<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            paid ? try await work.cpu.runToCompletion(body) : try await work.cpu.run(body)
        }
        var png: [UInt8]
        if let cache, let bytes = cache.load(key: key), (try? ImageDecoder.decode(bytes)) != nil {
            png = bytes
        } else {
            let image = try await Reconstruction.reconstruct(entry, prompt: prompt, generator: generator, cpu: work.cpu)
            png = try await onCore { try PNGEncoder.encode(image) }
            try cache?.store(png, key: key)
        }
        guard work.format == .jpeg else { return png }
        return try await onCore { [png] in try JPEGEncoder.encode(try ImageDecoder.decode(png).image, quality: 92) }
    }

    /// The output paths of an entry, relative to the output folder.
    public static func relativePath(for name: String, item: Item, format: ImageFileFormat = .png) -> String {
        let slash = name.lastIndex(of: "/")
        let fileStart = slash.map { name.index(after: $0) } ?? name.startIndex
        var stem = name
        if let dot = name[fileStart...].lastIndex(of: "."), dot > fileStart { stem = String(name[..<dot]) }
        switch item {
        case .prompt: return stem + ".txt"
        case .thumbnail: return stem + ".thumb.png"
        case .reconstruction: return stem + (format == .jpeg ? ".jpg" : ".png")
        }
    }

    /// One entry's outcome: files written, skipped and failures, in item order.
    private struct Outcome: Sendable {
        init(failures: [ItemFailure] = []) {
            self.failures = failures
        }

        /// Made and waiting to be written, in item order.
        var files: [File] = []

        var written: [Written] = []
        var skipped: [Item] = []
        var failures: [ItemFailure] = []
    }

    /// Extracts `rows`, `requestsInFlight` entries at a time beyond the CPU slots; failures are reported and the
    /// rest go on. Events come in entry order. Cancelling the task interrupts the extraction: no
    /// entry is started after it, items still waiting for a core or a server are abandoned (not
    /// failures), every completed file is written, and the result says `interrupted`.
    public func run(_ rows: [IndexRow], progress: (Event) -> Void = { _ in }) async -> Result {
        var result = Result()
        // Decide every output path first, so two entries never write the same file.
        var claimed: [String: String] = [:]
        var plans: [[Item: String]] = []
        var early: [[ItemFailure]] = []
        for row in rows {
            var plan: [Item: String] = [:]
            var refused: [ItemFailure] = []
            for item in Item.allCases where items.contains(item) {
                let path = Extractor.relativePath(for: row.summary.name, item: item, format: reconstructionFormat)
                if let other = claimed[path] {
                    refused.append(ItemFailure(row.summary.name, stage: .selecting, cause: ItemProblem.outputTaken(item: item, path: path, by: other)))
                } else {
                    claimed[path] = row.summary.name
                    plan[item] = path
                }
            }
            plans.append(plan)
            early.append(refused)
        }
        // Entries are read one by one on this task (the reader is not shared across threads),
        // drawn concurrently, and written in entry order.
        let work = Work(output: output, generatorFor: generatorFor, cache: cache, format: reconstructionFormat, cpu: .cpu)
        let delivered = (try? await OrderedPipeline.run(
            count: rows.count, window: requestsInFlight + work.cpu.count,
            start: { index -> (Swift.Result<Loaded, ItemFailure>, [Item: String]) in
                let row = rows[index]
                do {
                    let entry = try reader.entry(at: row)
                    return (.success(Loaded(entry: entry, prompt: try PromptDecoding.standard.text(of: entry.prompt, at: row.offset))), plans[index])
                } catch {
                    return (.failure(ItemFailure(row.summary.name, stage: .loading, cause: error)), plans[index])
                }
            },
            work: { loaded, plan in
                switch loaded {
                case .success(let loaded): await Extractor.extract(loaded, plan: plan, work: work)
                case .failure(let failure): Outcome(failures: [failure])
                }
            },
            deliver: { index, found in
                // Files are written here, one entry after the other in entry order, so the first
                // write the system refuses stops everything after it.
                guard result.stoppedBy == nil else { return false }
                var outcome = found
                if outcome.failures.contains(where: \.isCancellation) {
                    outcome.failures.removeAll(where: \.isCancellation)
                    result.interrupted = true
                }
                for file in outcome.files {
                    do {
                        try output.write(file.bytes, to: file.path, modificationTime: file.modificationTime)
                        outcome.written.append(Written(entry: rows[index].summary.name, item: file.item,
                                                       path: output.path(of: file.path).string))
                    } catch {
                        outcome.failures.append(ItemFailure(rows[index].summary.name, stage: .extracting(file.item), cause: error))
                        if let failure = error as? FileIOError, failure.kind == .system { break }
                    }
                }
                outcome.failures = early[index] + outcome.failures
                for done in outcome.written { progress(.wrote(done, index: index, total: rows.count)) }
                for item in outcome.skipped { progress(.skipped(entry: rows[index].summary.name, item: item, index: index, total: rows.count)) }
                for failure in outcome.failures { progress(.failed(failure, index: index, total: rows.count)) }
                result.written += outcome.written
                result.skipped += outcome.skipped.count
                result.failures += outcome.failures
                if result.stoppedBy == nil, let stop = outcome.failures.lazy.compactMap({ $0.cause as? FileIOError }).first(where: { $0.kind == .system }) {
                    result.stoppedBy = stop
                }
                return result.stoppedBy == nil && !result.interrupted
            })) ?? 0
        if delivered < rows.count && result.stoppedBy == nil { result.interrupted = true }
        return result
    }

    /// One output file, made and not yet written.
    private struct File: Sendable {
        var item: Item
        var path: String
        var bytes: [UInt8]
        var modificationTime: Int64?
    }

    /// An entry read and its prompt decoded.
    private struct Loaded: Sendable {
        var entry: Entry
        var prompt: String
    }

    private static func extract(_ loaded: Loaded, plan: [Item: String], work: Work) async -> Outcome {
        var outcome = Outcome()
        let entry = loaded.entry, text = loaded.prompt, name = entry.name
        for item in Item.allCases {
            guard let path = plan[item] else { continue }
            if work.output.existing == .skip && work.output.exists(path) {
                outcome.skipped.append(item)
                continue
            }
            do {
                var bytes: [UInt8]
                switch item {
                case .prompt: bytes = Array(text.utf8)
                case .thumbnail:
                    guard let thumbnail = entry.thumbnail else { continue }
                    bytes = thumbnail.codec == .png ? thumbnail.payload
                        : try PNGEncoder.encode(try Reconstruction.decodeThumbnail(thumbnail))
                case .reconstruction:
                    bytes = try await reconstruction(of: entry, prompt: text, work: work)
                }
                // Images carry the photo's capture time (EXIF DateTimeOriginal) and have it as their
                // modification time, so they sort with the original in a photo library.
                var time: Int64?
                if let seconds = entry.source.captureTime {
                    time = seconds - Int64(entry.source.utcOffsetMinutes ?? 0) * 60
                    if item != .prompt {
                        let exif = ExifWriter.captureTime(wallClockSeconds: seconds, utcOffsetMinutes: entry.source.utcOffsetMinutes.map(Int.init))
                        bytes = item == .reconstruction && work.format == .jpeg ? ExifWriter.jpeg(bytes, exif: exif) : ExifWriter.png(bytes, exif: exif)
                    }
                }
                outcome.files.append(File(item: item, path: path, bytes: bytes, modificationTime: time))
            } catch let failure as ItemFailure {
                outcome.failures.append(failure)
            } catch {
                outcome.failures.append(ItemFailure(name, stage: .extracting(item), cause: error))
            }
        }
        return outcome
    }
}
