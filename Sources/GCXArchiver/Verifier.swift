import Foundation
import GCX
import GCXConcurrency
import GCXFileIO
import SystemPackage

/// Checks the files under a folder against the content hashes an archive keeps for them, as
/// `sha256sum -c` does: each entry's file is missing, changed or intact, and photos under the
/// folder that the archive does not hold are named too.
///
///     let report = try await Verifier(root: "Photos").verify(entries)
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

    public let root: FilePath

    public init(root: FilePath) { self.root = root }

    /// One item per entry (archive order), then one per photo the archive does not hold. Files are
    /// hashed in the CPU slots; a size that differs settles `changed` without reading the file.
    /// - Throws: `CancellationError` when the task is cancelled.
    public func verify(_ entries: [(row: IndexRow, source: SourceMetadata)], cpu: Slots = .cpu) async throws -> [Item] {
        var items = try await cpu.map(entries.map(\.source)) { source in check(source) }
        let held = Set(entries.map { $0.source.name })
        for input in InputCollector.collect([root.string]).inputs {
            var relative = input.path
            _ = relative.removePrefix(root)
            if !held.contains(input.name) && !held.contains(relative.string) {
                items.append(Item(name: relative.string, status: .notInArchive, detail: nil))
            }
        }
        return items
    }

    private func check(_ source: SourceMetadata) -> Item {
        let path = root.appending(source.name)
        let status: FileStatus
        do {
            guard let found = try FileSystem.status(of: path) else { return Item(name: source.name, status: .missing, detail: nil) }
            status = found
        } catch {
            return Item(name: source.name, status: .unreadable, detail: error.problem)
        }
        guard UInt64(status.size) == source.originalSize else {
            return Item(name: source.name, status: .changed, detail: "\(status.size) bytes, \(source.originalSize) when packed")
        }
        do {
            let digest = SHA256.hash(try FileSource.readAll(path))
            return Item(name: source.name, status: digest.prefix(source.contentHash.count).elementsEqual(source.contentHash) ? .ok : .changed,
                        detail: nil)
        } catch {
            return Item(name: source.name, status: .unreadable, detail: "\(error)")
        }
    }
}
