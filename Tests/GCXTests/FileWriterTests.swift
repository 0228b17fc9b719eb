import Foundation
import Testing
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXTestSupport
import SystemPackage

@Suite struct FileWriterTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gcx-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func entries(_ count: Int, seed: UInt64) -> [Entry] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { Samples.entry(&rng, number: $0) }
    }

    @Test func createWritesAsideThenRenames() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let writer = try ArchiveFileWriter(path: FilePath(path), mode: .create)
        for entry in entries(5, seed: 1) { try writer.add(entry) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: path + ".partial"))
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try Validator(promptDecoding: .standard).validate(FileSource(FilePath(path))).isValid)
        #expect(try ArchiveReader(source: FileSource(FilePath(path))).rows.count == 5)
        #expect(throws: FileIOError.self) { try ArchiveFileWriter(path: FilePath(path), mode: .create) }
    }

    @Test func failedWriteLeavesTheExistingArchiveUntouched() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let first = try ArchiveFileWriter(path: FilePath(path), mode: .create)
        for entry in entries(3, seed: 2) { try first.add(entry) }
        try first.finish()
        let before = try FileSource.readAll(FilePath(path))

        let second = try ArchiveFileWriter(path: FilePath(path), mode: .append)
        for entry in entries(4, seed: 3) { try second.add(entry) }
        second.discard()
        #expect(try FileSource.readAll(FilePath(path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
    }

    @Test func appendKeepsEntryBytesAndSkipsNothing() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let firstEntries = entries(3, seed: 4)
        let first = try ArchiveFileWriter(path: FilePath(path), mode: .create)
        for entry in firstEntries { try first.add(entry) }
        try first.finish()
        let original = try FileSource.readAll(FilePath(path))
        let originalRows = try ArchiveReader(source: FileSource(FilePath(path))).rows

        let more = entries(6, seed: 5).map { entry -> Entry in var copy = entry; copy.source.name = "more/" + entry.name; return copy }
        let second = try ArchiveFileWriter(path: FilePath(path), mode: .append)
        #expect(second.report.existingEntries == 3)
        for entry in more { try second.add(entry) }
        try second.finish()
        let appended = try FileSource.readAll(FilePath(path))
        // Existing entries keep their offsets and bytes.
        #expect(Array(appended.prefix(originalRows.last!.end)) == Array(original.prefix(originalRows.last!.end)))
        let reader = try ArchiveReader(source: FileSource(FilePath(path)))
        #expect(reader.rows.map(\.summary.name) == (firstEntries + more).map(\.name))
        #expect(try Validator(promptDecoding: .standard).validate(FileSource(FilePath(path))).isValid)
    }

    @Test func interruptedWriteIsResumedByAppend() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let all = entries(8, seed: 6)
        do {
            let writer = try ArchiveFileWriter(path: FilePath(path), mode: .create)
            for entry in all.prefix(5) { try writer.add(entry) }
            // The process dies here: no finish, no discard.
        }
        // Simulate a kill in the middle of the sixth record.
        let partial = path + ".partial"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        handle.seekToEndOfFile()
        handle.write(Data([0x45, 0x90, 0x03, 0x53, 0x01]))
        try handle.close()

        #expect(throws: FileIOError.self) { try ArchiveFileWriter(path: FilePath(path), mode: .create) }
        let resumed = try ArchiveFileWriter(path: FilePath(path), mode: .append)
        #expect(resumed.report.resumedPartial)
        #expect(resumed.report.existingEntries == 5)
        #expect(resumed.report.droppedBytes == 5)
        for entry in all.dropFirst(5) where !resumed.contains(name: entry.name) { try resumed.add(entry) }
        try resumed.finish()
        let reader = try ArchiveReader(source: FileSource(FilePath(path)))
        #expect(reader.rows.map(\.summary.name) == all.map(\.name))
        #expect(try Validator(promptDecoding: .standard).validate(FileSource(FilePath(path))).isValid)
    }

    @Test func partialKilledBeforeItsHeaderStartsAfresh() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        _ = FileManager.default.createFile(atPath: path + ".partial", contents: Data([0x89, 0x47]))
        let writer = try ArchiveFileWriter(path: FilePath(path), mode: .append)
        #expect(writer.entryCount == 0)
        for entry in entries(2, seed: 8) { try writer.add(entry) }
        try writer.finish()
        #expect(try Validator(promptDecoding: .standard).validate(FileSource(FilePath(path))).isValid)
    }

    @Test func appendToADamagedArchiveIsRefusedOrRecoversItsCompleteEntries() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let first = entries(4, seed: 9)
        let writer = try ArchiveFileWriter(path: FilePath(path), mode: .create)
        for entry in first { try writer.add(entry) }
        try writer.finish()
        // Lose the trailer, as a broken copy would.
        let bytes = try FileSource.readAll(FilePath(path))
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes.dropLast(3)))
        // Refused unless recovery is asked for, and then left exactly as it was.
        #expect { try ArchiveFileWriter(path: FilePath(path), mode: .append) } throws: { error in
            (error as? DamagedArchiveError)?.intactEntries == 4
        }
        #expect(try FileSource.readAll(FilePath(path)) == Array(bytes.dropLast(3)))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        let appender = try ArchiveFileWriter(path: FilePath(path), mode: .append, recoverDamaged: true)
        #expect(appender.report.recoveredTarget != nil)
        #expect(appender.entryCount == 4)
        try appender.finish()
        #expect(try ArchiveReader(source: FileSource(FilePath(path))).rows.map(\.summary.name) == first.map(\.name))
    }

    @Test func secondWriterIsLockedOut() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/a.gcx"
        let first = try ArchiveFileWriter(path: FilePath(path), mode: .create)
        #expect { try ArchiveFileWriter(path: FilePath(path), mode: .append) } throws: { "\($0)".contains("another gcx process") }
        try first.finish()
    }
}
