import Foundation
import Testing
import GCX
import GCXFileIO
import SystemPackage

/// Version 2 (spec §3.1) through the binary: what a new archive is, that a version 1 archive stays
/// version 1 when appended to and is still read, verified and merged, and that the two versions
/// carry the same entries.
@Suite struct FormatVersionTests {
    static let photos = CLI.packageRoot + "/fixtures/photos"

    static func format(_ path: String) throws -> ArchiveFormat {
        try ArchiveReader(source: FileSource(FilePath(path))).format
    }

    static func entries(_ path: String) throws -> [Entry] {
        let reader = try ArchiveReader(source: FileSource(FilePath(path)))
        return try reader.rows.map { try reader.entry(at: $0) }
    }

    @Test func newArchivesAreVersion2WithTheirDefaultsOnceAndVersion1StaysReadable() throws {
        let directory = try CLI.temporaryDirectory("gcx-versions")
        let v2 = directory + "/v2.gcx", v1 = directory + "/v1.gcx", full = directory + "/full.gcx"
        #expect(try CLI.run(["pack", Self.photos, "-o", v2, "-q"]).status == 0)
        #expect(try CLI.run(["pack", Self.photos, "-o", v1, "-q", "--format-version", "1"]).status == 0)
        #expect(try CLI.run(["pack", Self.photos, "-o", full, "-q", "--full-hash"]).status == 0)

        let format = try Self.format(v2)
        #expect(format.version == .v2)
        #expect(format.defaults.captioner?.kind == .builtin, "the built-in captioner is written once, in the defaults record")
        #expect(try Self.format(v1) == .v1)

        // The same photos and descriptions in both versions; version 2 keeps 8 bytes of each hash
        // unless asked for all 32, and is smaller.
        let (two, one, whole) = (try Self.entries(v2), try Self.entries(v1), try Self.entries(full))
        #expect(two.map(\.name) == one.map(\.name))
        for (a, b) in zip(two, one) {
            #expect(a.prompt == b.prompt && a.thumbnail == b.thumbnail && a.captioner == b.captioner)
            #expect(a.source.contentHash == Array(b.source.contentHash.prefix(8)))
        }
        #expect(zip(whole, one).allSatisfy { $0.source.contentHash == $1.source.contentHash })
        let size = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        #expect(size(v2) < size(v1))

        for path in [v2, v1, full] {
            #expect(try CLI.run(["validate", path]).status == 0)
            let verify = try CLI.run(["verify", path, Self.photos])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            // The Python reader reads both versions alike.
            let reference = Process()
            reference.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            reference.arguments = ["python3", CLI.packageRoot + "/tools/reference/gcxref.py", path]
            reference.standardOutput = FileHandle.nullDevice
            try reference.run()
            reference.waitUntilExit()
            #expect(reference.terminationStatus == 0, "gcxref.py reads \(path)")
        }
    }

    @Test func aVersion1ArchiveAppendedToStaysVersion1AndMergesIntoVersion2() throws {
        let directory = try CLI.temporaryDirectory("gcx-versions")
        try FileManager.default.createDirectory(atPath: directory + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/b", withIntermediateDirectories: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.photos).filter { $0.hasSuffix(".jpg") }.sorted()
        for (number, name) in names.enumerated() {
            try FileManager.default.copyItem(atPath: Self.photos + "/" + name, toPath: directory + (number < 2 ? "/a/" : "/b/") + name)
        }
        let old = directory + "/old.gcx", new = directory + "/new.gcx", merged = directory + "/merged.gcx"
        #expect(try CLI.run(["pack", directory + "/a", "-o", old, "-q", "--format-version", "1"]).status == 0)
        #expect(try CLI.run(["pack", directory + "/b", "-o", old, "-q", "--append"]).status == 0)
        #expect(try Self.format(old) == .v1, "appending keeps the archive's version")
        let refused = try CLI.run(["pack", directory + "/b", "-o", old, "-q", "--append", "--format-version", "2"])
        #expect(refused.status == 2 && refused.stderr.contains("keeps its version"), "\(refused.stderr)")
        #expect(try Self.entries(old).count == names.count)
        #expect(try CLI.run(["validate", old]).status == 0)

        #expect(try CLI.run(["pack", directory + "/b", "-o", new, "-q"]).status == 0)
        // Entries from both versions: the version 1 ones are re-encoded, the version 2 ones copied.
        let merge = try CLI.run(["merge", new, old, "-o", merged, "--on-duplicate", "first", "--order", "names"])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(try Self.format(merged).version == .v2)
        #expect(try Self.entries(merged).map(\.name) == Self.entries(old).map(\.name))
        #expect(try CLI.run(["validate", merged]).status == 0)
        #expect(try CLI.run(["verify", merged, Self.photos]).status == 0)
    }
}
