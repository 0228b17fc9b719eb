import GCX
import GCXFileIO
import SystemPackage

/// Joins archives into one without re-encoding: every entry record is copied byte for byte (unknown
/// ancillary chunks included), each checked first. Shards packed on several machines with
/// `pack --shard K/N` merge into the archive one machine would have made.
public struct ArchiveMerger {
    /// What to do when two archives hold the same entry name.
    public enum Duplicates: String, Sendable, CaseIterable {
        /// Refuse the merge (the default).
        case refuse
        /// Keep the first archive's entry.
        case first
        /// Keep the last archive's entry.
        case last
    }

    public enum Order: String, Sendable, CaseIterable {
        /// The archives in the order given, each in its own order.
        case archives
        /// By entry name (UTF-8 bytes), the order of a pack of one folder.
        case names
    }

    public struct Report: Sendable {
        public var entries = 0
        /// Names that were in more than one archive, and which archive's entry was kept.
        public var duplicates: [(name: String, kept: String)] = []
        /// Entries with the same photo (content hash) under different names.
        public var sameContent: [[String]] = []
    }

    public struct DuplicateNames: Error, CustomStringConvertible {
        public var names: [(name: String, archives: [String])]
        public var description: String {
            let shown = names.prefix(3).map { "\(quoted($0.name)) in \($0.archives.joined(separator: " and "))" }.joined(separator: "; ")
            return "\(names.count) entry name(s) are in more than one archive: \(shown)\(names.count > 3 ? "; ..." : "")"
        }
    }

    public var duplicates: Duplicates = .refuse
    public var order: Order = .archives

    public init(duplicates: Duplicates = .refuse, order: Order = .archives) {
        self.duplicates = duplicates
        self.order = order
    }

    public func merge(_ inputs: [FilePath], into output: FilePath, mode: ArchiveFileWriter.Mode) throws -> Report {
        var chosen: [String: (archive: Int, row: IndexRow)] = [:]
        var seenIn: [String: [String]] = [:]
        var readers: [(source: FileSource, reader: ArchiveReader)] = []
        for path in inputs {
            let source = try FileSource(path)
            readers.append((source, try ArchiveReader(source: source)))
        }
        var sequence: [String] = []
        for (archive, (_, reader)) in readers.enumerated() {
            for row in reader.rows {
                let name = row.summary.name
                seenIn[name, default: []].append(inputs[archive].string)
                if chosen[name] == nil { sequence.append(name) }
                if chosen[name] == nil || duplicates == .last { chosen[name] = (archive, row) }
            }
        }
        let clashes = seenIn.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }
        if !clashes.isEmpty && duplicates == .refuse {
            throw DuplicateNames(names: clashes.map { ($0.key, $0.value) })
        }
        if order == .names { sequence.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
        var report = Report()
        report.duplicates = clashes.map { ($0.key, inputs[chosen[$0.key]!.archive].string) }
        var byContent: [[UInt8]: [String]] = [:]
        // Parts packed alike share their defaults, and their records are then copied as they are.
        let formats = try readers.map { try $0.reader.format }
        let shared = formats.allSatisfy { $0 == formats.first && $0.version == .current }
        let defaults = shared ? formats.first?.defaults ?? EntryDefaults() : EntryDefaults()
        let writer = try ArchiveFileWriter(path: output, mode: mode, format: ArchiveFormat(defaults: defaults), keepsFullHash: true)
        do {
            for name in sequence {
                let (archive, row) = chosen[name]!
                let entry = try writer.copyEntry(row, from: readers[archive].1)  // CRC, chunks and index row checked
                // Archives may keep 8 or 32 bytes of the hash; the first 8 identify the content.
                byContent[Array(entry.source.contentHash.prefix(SourceMetadata.truncatedHashSize)), default: []].append(name)
            }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        report.entries = sequence.count
        report.sameContent = byContent.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
        return report
    }
}

/// One part of a collection packed on several machines: `K/N` takes the entries whose name's
/// SHA-256, its first 8 bytes read as a big-endian number, is K − 1 modulo N. The split depends only on the names,
/// so N machines given the same inputs make disjoint shards that together hold every photo.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Parses "K/N" with 1 ≤ K ≤ N ≤ 65,536.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 65_536, k >= 1, k <= n else { return nil }
        index = k
        count = n
    }

    /// Whether `name` falls in this part: the first 8 bytes of the SHA-256 of its UTF-8 bytes, read
    /// as a big-endian unsigned integer, are `index - 1` modulo `count` (README, "A collection on
    /// several machines": another implementation must shard alike).
    public func contains(_ name: String) -> Bool {
        let digest = SHA256.hash(Array(name.utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(count)) == index - 1
    }

    public var description: String { "\(index)/\(count)" }
}
