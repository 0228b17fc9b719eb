import GCX
import GCXFileIO
import SystemPackage

/// Removes and renames entries without re-encoding anything: the new archive is written aside
/// (`ARCHIVE.partial`) from the old one's records, byte for byte, and renamed into place; a renamed
/// entry's record is rebuilt around the same prompt and thumbnail bytes. Every record is checked
/// as it is copied, so a damaged archive is refused, never carried on.
public struct ArchiveEditor {
    public let path: FilePath

    public init(path: FilePath) { self.path = path }

    public enum EditError: Error, Equatable, CustomStringConvertible {
        case noMatch([String])
        case nameTaken(String)
        case sameName(String)

        public var description: String {
            switch self {
            case .noMatch(let patterns): "no entry matches \(patterns.map(quoted).joined(separator: ", "))"
            case .nameTaken(let name): "the archive already has an entry named \(quoted(name))"
            case .sameName(let name): "\(quoted(name)) is already its name"
            }
        }
    }

    /// Removes the entries `selection` chooses; returns their names. Nothing is written when a
    /// pattern matches nothing.
    @discardableResult
    public func remove(_ selection: EntrySelection) throws -> [String] {
        let source = try FileSource(path)
        let reader = try ArchiveReader(source: source)
        let (chosen, unmatched) = selection.select(from: reader.rows)
        guard unmatched.isEmpty else { throw EditError.noMatch(unmatched) }
        let removed = Set(chosen.map(\.offset))
        try rewrite(reader, source: source) { row in removed.contains(row.offset) ? .drop : .keep }
        return chosen.map(\.summary.name)
    }

    /// Renames entry `old` to `new`, or the folder `old` (every entry under `old/`) to `new`;
    /// returns the (old, new) names.
    @discardableResult
    public func rename(_ old: String, to new: String) throws -> [(String, String)] {
        let source = try FileSource(path)
        let reader = try ArchiveReader(source: source)
        let from = old.hasSuffix("/") ? String(old.dropLast()) : old
        let to = new.hasSuffix("/") ? String(new.dropLast()) : new
        var renames: [Int: String] = [:]
        for row in reader.rows {
            let name = row.summary.name
            if name == from {
                renames[row.offset] = to
            } else if name.hasPrefix(from + "/") {
                renames[row.offset] = to + name.dropFirst(from.count)
            }
        }
        guard !renames.isEmpty else { throw EditError.noMatch([old]) }
        guard from != to else { throw EditError.sameName(from) }
        let kept = Set(reader.rows.map(\.summary.name)).subtracting(reader.rows.filter { renames[$0.offset] != nil }.map(\.summary.name))
        for name in renames.values {
            try EntryName.validate(name)
            if kept.contains(name) { throw EditError.nameTaken(name) }
        }
        try rewrite(reader, source: source) { row in renames[row.offset].map { .rename($0) } ?? .keep }
        return reader.rows.compactMap { row in renames[row.offset].map { (row.summary.name, $0) } }
    }

    private enum Fate { case keep, drop, rename(String) }

    private func rewrite(_ reader: ArchiveReader, source: FileSource, fate: (IndexRow) -> Fate) throws {
        // The archive keeps its version and defaults: the entries kept are copied as they are.
        let writer = try ArchiveFileWriter(path: path, mode: .overwrite, format: reader.format, keepsFullHash: true)
        do {
            for row in reader.rows {
                let decision = fate(row)
                if case .drop = decision { continue }
                if case .rename(let name) = decision {
                    var entry = try reader.entry(at: row)  // CRC, chunks and index row checked
                    entry.source.name = name
                    try writer.add(entry)
                } else {
                    try writer.copyEntry(row, from: reader)
                }
            }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
    }
}
