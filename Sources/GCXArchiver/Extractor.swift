import Foundation
import GCX
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

    public struct Written: Sendable {
        public var entry: String
        public var item: Item
        public var path: String
    }

    public enum Event: Sendable {
        case wrote(Written, index: Int, total: Int)
        case failed(PackFailure, index: Int, total: Int)
    }

    public let reader: ArchiveReader
    public let output: SafeOutput
    public let items: Set<Item>
    public let generator: any Generator
    /// Where reconstructions by generators other than the built-in one are kept; nil for none.
    public let cache: ReconstructionCache?

    public init(reader: ArchiveReader, output: SafeOutput, items: Set<Item>, generator: any Generator = BuiltinGenerator(),
                cache: ReconstructionCache? = nil) {
        self.reader = reader
        self.output = output
        self.items = items
        self.generator = generator
        self.cache = generator.metadata.kind == .builtin ? nil : cache
    }

    /// The reconstruction as PNG, from the cache when it has it.
    func reconstruction(of entry: Entry, prompt: String) throws -> (bytes: [UInt8], cached: Bool) {
        let key = ReconstructionCache.key(entry: entry, prompt: prompt, generator: generator.metadata)
        if let cache, let bytes = cache.load(key: key), (try? ImageDecoder.decode(bytes)) != nil {
            return (bytes, true)
        }
        let bytes = try PNGEncoder.encode(try Reconstruction.reconstruct(entry, prompt: prompt, generator: generator))
        try cache?.store(bytes, key: key)
        return (bytes, false)
    }

    /// The output paths of an entry, relative to the output folder.
    public static func relativePath(for name: String, item: Item) -> String {
        let slash = name.lastIndex(of: "/")
        let fileStart = slash.map { name.index(after: $0) } ?? name.startIndex
        var stem = name
        if let dot = name[fileStart...].lastIndex(of: "."), dot > fileStart { stem = String(name[..<dot]) }
        switch item {
        case .prompt: return stem + ".txt"
        case .thumbnail: return stem + ".thumb.png"
        case .reconstruction: return stem + ".png"
        }
    }

    /// Extracts `rows` (every entry when empty); failures are reported and the rest go on.
    public func run(_ rows: [IndexRow], progress: (Event) -> Void = { _ in }) -> (written: [Written], failures: [PackFailure]) {
        var written: [Written] = []
        var failures: [PackFailure] = []
        var claimed: [String: String] = [:]
        for (number, row) in rows.enumerated() {
            let name = row.summary.name
            func fail(_ reason: String) {
                let failure = PackFailure(input: name, reason: reason)
                failures.append(failure)
                progress(.failed(failure, index: number, total: rows.count))
            }
            let entry: Entry
            let text: String
            do {
                entry = try reader.entry(at: row)
                text = try PromptEncoding.decoding.text(of: entry.prompt, at: row.offset)
            } catch {
                fail("\(error)")
                continue
            }
            for item in Item.allCases where items.contains(item) {
                let path = Extractor.relativePath(for: name, item: item)
                if let other = claimed[path] {
                    fail("its \(item.rawValue) would be \(path), already written for \(quoted(other))")
                    continue
                }
                do {
                    let bytes: [UInt8]
                    switch item {
                    case .prompt: bytes = Array(text.utf8)
                    case .thumbnail:
                        guard let thumbnail = entry.thumbnail else { continue }
                        bytes = thumbnail.codec == .png ? thumbnail.payload
                            : try PNGEncoder.encode(try Reconstruction.decodeThumbnail(thumbnail))
                    case .reconstruction:
                        bytes = try reconstruction(of: entry, prompt: text).bytes
                    }
                    try output.write(bytes, to: path)
                    claimed[path] = name
                    let done = Written(entry: name, item: item, path: (output.root as NSString).appendingPathComponent(path))
                    written.append(done)
                    progress(.wrote(done, index: number, total: rows.count))
                } catch let failure as PackFailure {
                    fail(failure.description)
                } catch {
                    fail("\(item.rawValue): \(error)")
                }
            }
        }
        return (written, failures)
    }
}
