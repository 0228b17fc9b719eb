import Foundation
import Testing
import GCX
import GCXArchiver
import GCXFileIO
import SystemPackage

/// What `pack --update` and `merge` decide, asked of the library: which photos changed, which
/// duplicate is kept, and in what order the merged entries come.
@Suite struct UpdateAndMergeTests {
    static let photos = FilePath(#filePath).removingLastComponent().removingLastComponent().removingLastComponent()
        .appending("fixtures/photos")

    /// A fresh folder holding copies of fixture photos under the names given.
    static func folder(_ copies: [String: String]) throws -> FilePath {
        let folder = FilePath(NSTemporaryDirectory()).appending("gcx-update-\(UUID().uuidString)")
        for (name, photo) in copies {
            try FileSystem.createFolders(folder.appending("in"))
            try AtomicFile.write(try FileSource.readAll(photos.appending(photo)), to: folder.appending("in").appending(name))
        }
        return folder
    }

    static func inputs(_ folder: FilePath) -> [PackInput] { InputCollector.collect([folder.appending("in").string]).inputs }

    static func names(in archive: FilePath) throws -> [String] {
        try ArchiveReader(source: FileSource(archive)).rows.map(\.summary.name)
    }

    @Test func updateRepacksOnlyThePhotoWhoseContentChanged() async throws {
        let folder = try Self.folder(["a.jpg": "kodim03.jpg", "b.jpg": "kodim05.jpg"])
        defer { try? FileSystem.remove(folder) }
        let archive = folder.appending("a.gcx")
        _ = try await Packer(archive: archive, options: PackOptions(), mode: .create).run(Self.inputs(folder))

        let unchanged = try await Packer(archive: archive, options: PackOptions(), mode: .append, update: true).run(Self.inputs(folder))
        #expect(unchanged.updated.isEmpty && unchanged.added.isEmpty && !unchanged.wroteArchive)

        // a.jpg gets other bytes: it is packed again and its new entry comes after b.jpg.
        try AtomicFile.write(try FileSource.readAll(Self.photos.appending("kodim19.jpg")), to: folder.appending("in/a.jpg"))
        let updated = try await Packer(archive: archive, options: PackOptions(), mode: .append, update: true).run(Self.inputs(folder))
        #expect(updated.updated == ["a.jpg"] && updated.added.map(\.name) == ["a.jpg"])
        #expect(try Self.names(in: archive) == ["b.jpg", "a.jpg"])
        let entry = try ArchiveReader(source: FileSource(archive)).entry(named: "a.jpg")
        #expect(entry.source.originalSize == UInt64(try FileSource(Self.photos.appending("kodim19.jpg")).size))
    }

    @Test func mergeRefusesOrKeepsDuplicatesAndOrdersAsAsked() async throws {
        let first = try Self.folder(["x.jpg": "kodim23.jpg", "same.jpg": "kodim03.jpg"])
        let second = try Self.folder(["a.jpg": "kodim05.jpg", "same.jpg": "kodim19.jpg"])
        defer { try? FileSystem.remove(first); try? FileSystem.remove(second) }
        let parts = [first.appending("p.gcx"), second.appending("p.gcx")]
        _ = try await Packer(archive: parts[0], options: PackOptions(), mode: .create).run(Self.inputs(first))
        _ = try await Packer(archive: parts[1], options: PackOptions(), mode: .create).run(Self.inputs(second))
        let output = first.appending("merged.gcx")

        #expect { try ArchiveMerger().merge(parts, into: output, mode: .create) } throws: { error in
            (error as? ArchiveMerger.DuplicateNames)?.names.map(\.name) == ["same.jpg"]
        }
        #expect(!FileSystem.exists(output), "a refused merge writes nothing")

        let kept = try ArchiveMerger(duplicates: .last).merge(parts, into: output, mode: .create)
        #expect(kept.entries == 3 && kept.duplicates.map(\.name) == ["same.jpg"] && kept.duplicates.first?.kept == parts[1].string)
        #expect(try Self.names(in: output) == ["same.jpg", "x.jpg", "a.jpg"])
        let same = try ArchiveReader(source: FileSource(output)).entry(named: "same.jpg")
        #expect(same.source.originalSize == UInt64(try FileSource(Self.photos.appending("kodim19.jpg")).size))

        _ = try ArchiveMerger(duplicates: .first, order: .names).merge(parts, into: output, mode: .overwrite)
        #expect(try Self.names(in: output) == ["a.jpg", "same.jpg", "x.jpg"])
    }
}
