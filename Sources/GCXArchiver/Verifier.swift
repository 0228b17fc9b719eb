import Foundation
import GCX
import GCXFileIO

/// Checks the files under a folder against the content hashes an archive keeps for them, as
/// `sha256sum -c` does: each entry's file is missing, changed or intact, and photos under the
/// folder that the archive does not hold are named too.
///
///     let report = try Verifier(root: "Photos").verify(reader)
public struct Verifier: Sendable {
    public enum Status: String, Sendable, Equatable {
        /// Same bytes as when packed.
        case ok
        /// A file is there, with other bytes.
        case changed
        /// No file at the entry's path.
        case missing
        /// The file cannot be read (the reason is in `detail`).
        case unreadable
        /// A photo under the folder that the archive does not hold.
        case notInArchive = "not-in-archive"
    }

    public struct Item: Sendable, Equatable {
        /// The entry name, or the path under the folder for `notInArchive`.
        public var name: String
        public var status: Status
        public var detail: String?
    }

    public let root: String

    public init(root: String) { self.root = root }

    /// One item per entry (archive order), then one per photo the archive does not hold. Files are
    /// hashed on every core; a size that differs settles `changed` without reading the file.
    public func verify(_ entries: [(row: IndexRow, source: SourceMetadata)],
                       jobs: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Item] {
        let results = ResultSlots<Item>(count: entries.count)
        let lanes = max(1, min(jobs, entries.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for index in stride(from: lane, to: entries.count, by: lanes) {
                results.set(index, .success(check(entries[index].source)))
            }
        }
        var items = entries.indices.map { index -> Item in
            if case .success(let item) = results.get(index) { return item }
            return Item(name: entries[index].source.name, status: .unreadable, detail: nil)
        }
        let held = Set(entries.map { $0.source.name })
        for path in InputCollector.collect([root]).inputs {
            let relative = String(path.path.dropFirst(root.hasSuffix("/") ? root.count : root.count + 1))
            if !held.contains(path.name) && !held.contains(relative) {
                items.append(Item(name: relative, status: .notInArchive, detail: nil))
            }
        }
        return items
    }

    private func check(_ source: SourceMetadata) -> Item {
        let path = (root as NSString).appendingPathComponent(source.name)
        var info = stat()
        guard stat(path, &info) == 0 else { return Item(name: source.name, status: .missing, detail: nil) }
        guard UInt64(info.st_size) == source.originalSize else {
            return Item(name: source.name, status: .changed, detail: "\(info.st_size) bytes, \(source.originalSize) when packed")
        }
        do {
            let digest = SHA256.hash(try FileSource.readAll(path: path))
            return Item(name: source.name, status: digest.prefix(source.contentHash.count).elementsEqual(source.contentHash) ? .ok : .changed,
                        detail: nil)
        } catch {
            return Item(name: source.name, status: .unreadable, detail: "\(error)")
        }
    }
}
