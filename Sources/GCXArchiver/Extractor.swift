import Foundation
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXImage

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
        case failed(PackFailure, index: Int, total: Int)
    }

    /// What an extraction did. It stops at the first write the system refuses (a full disk, a
    /// read-only folder): nothing after it could be written either.
    public struct Result: Sendable {
        public var written: [Written] = []
        public var skipped = 0
        public var failures: [PackFailure] = []
        /// The write error that stopped the extraction, if one did.
        public var stoppedBy: FileIOError?
    }

    public let reader: ArchiveReader
    public let output: SafeOutput
    public let items: Set<Item>
    /// The generator for each entry (its recorded one, or what the user chose).
    public let generatorFor: @Sendable (Entry) throws -> any Generator
    /// Where reconstructions by generators other than the built-in one are kept; nil for none.
    public let cache: ReconstructionCache?
    /// Entries processed at the same time (generators on servers are slow).
    public let jobs: Int
    /// Reconstructions as PNG (lossless, the default) or JPEG (quality 92, what photo apps expect).
    public var reconstructionFormat: ImageFileFormat = .png

    public init(reader: ArchiveReader, output: SafeOutput, items: Set<Item>, cache: ReconstructionCache? = nil, jobs: Int = 1,
                generatorFor: @escaping @Sendable (Entry) throws -> any Generator = { _ in BuiltinGenerator() }) {
        self.reader = reader
        self.output = output
        self.items = items
        self.generatorFor = generatorFor
        self.cache = cache
        self.jobs = max(1, jobs)
    }

    public convenience init(reader: ArchiveReader, output: SafeOutput, items: Set<Item>, generator: any Generator, cache: ReconstructionCache? = nil) {
        self.init(reader: reader, output: output, items: items, cache: cache) { _ in generator }
    }

    /// What the parallel part of an extraction needs; all of it is safe to share across threads.
    private struct Work: Sendable {
        var output: SafeOutput
        var generatorFor: @Sendable (Entry) throws -> any Generator
        var cache: ReconstructionCache?
        var format: ImageFileFormat
    }

    /// The reconstruction as PNG, from the cache when it has it.
    private static func reconstruction(of entry: Entry, prompt: String, work: Work) throws -> [UInt8] {
        let generator = try work.generatorFor(entry)
        let cache = generator.metadata.kind == .builtin ? nil : work.cache
        let key = ReconstructionCache.key(entry: entry, prompt: prompt, generator: generator.metadata)
        if let cache, let bytes = cache.load(key: key), (try? ImageDecoder.decode(bytes)) != nil {
            return bytes
        }
        let bytes = try PNGEncoder.encode(try Reconstruction.reconstruct(entry, prompt: prompt, generator: generator))
        try cache?.store(bytes, key: key)
        return bytes
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
        var written: [Written] = []
        var skipped: [Item] = []
        var failures: [PackFailure] = []
    }

    /// Extracts `rows`, `jobs` entries at a time; failures are reported and the rest go on. Events
    /// come in entry order.
    public func run(_ rows: [IndexRow], progress: (Event) -> Void = { _ in }) -> Result {
        var result = Result()
        // Decide every output path first, so two entries never write the same file.
        var claimed: [String: String] = [:]
        var plans: [[Item: String]] = []
        var early: [[PackFailure]] = []
        for row in rows {
            var plan: [Item: String] = [:]
            var refused: [PackFailure] = []
            for item in Item.allCases where items.contains(item) {
                let path = Extractor.relativePath(for: row.summary.name, item: item, format: reconstructionFormat)
                if let other = claimed[path] {
                    refused.append(PackFailure(input: row.summary.name, reason: "its \(item.rawValue) would be \(path), already written for \(quoted(other))"))
                } else {
                    claimed[path] = row.summary.name
                    plan[item] = path
                }
            }
            plans.append(plan)
            early.append(refused)
        }
        var start = 0
        while start < rows.count {
            let batch = Array(start..<min(start + jobs, rows.count))
            // Entries are read one by one (the reader is not shared across threads); drawing and
            // writing run in parallel.
            let loaded = batch.map { index -> Swift.Result<(Entry, String), Error> in
                Swift.Result {
                    let entry = try reader.entry(at: rows[index])
                    return (entry, try PromptDecoding.standard.text(of: entry.prompt, at: rows[index].offset))
                }
            }
            let outcomes = ResultSlots<Outcome>(count: batch.count)
            let work = Work(output: output, generatorFor: generatorFor, cache: cache, format: reconstructionFormat)
            let names = batch.map { rows[$0].summary.name }
            let batchPlans = batch.map { plans[$0] }
            DispatchQueue.concurrentPerform(iterations: batch.count) { slot in
                outcomes.set(slot, .success(Extractor.extract(loaded[slot], name: names[slot], plan: batchPlans[slot], work: work)))
            }
            for (slot, index) in batch.enumerated() {
                guard case .success(var outcome) = outcomes.get(slot) else { continue }
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
            }
            if result.stoppedBy != nil { break }
            start += jobs
        }
        return result
    }

    private static func extract(_ loaded: Swift.Result<(Entry, String), Error>, name: String, plan: [Item: String], work: Work) -> Outcome {
        var outcome = Outcome()
        let entry: Entry, text: String
        switch loaded {
        case .success(let pair): (entry, text) = pair
        case .failure(let error):
            outcome.failures.append(PackFailure(input: name, reason: "\(error)"))
            return outcome
        }
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
                    bytes = try reconstruction(of: entry, prompt: text, work: work)
                    if work.format == .jpeg { bytes = try JPEGEncoder.encode(try ImageDecoder.decode(bytes).image, quality: 92) }
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
                try work.output.write(bytes, to: path, modificationTime: time)
                outcome.written.append(Written(entry: name, item: item, path: (work.output.root as NSString).appendingPathComponent(path)))
            } catch let failure as PackFailure {
                outcome.failures.append(failure)
            } catch {
                outcome.failures.append(PackFailure(input: name, reason: "\(item.rawValue): \(error)", cause: error))
            }
        }
        return outcome
    }
}
