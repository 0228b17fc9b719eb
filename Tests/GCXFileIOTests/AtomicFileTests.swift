import Foundation
import Testing
import GCXFileIO
import Synchronization
import SystemPackage

@Suite struct AtomicFileTests {
    static func folder() throws -> FilePath {
        let path = FilePath(NSTemporaryDirectory()).appending("gcx-atomic-" + UUID().uuidString)
        try FileSystem.createFolders(path)
        return path
    }

    @Test func replacesTheFileAndLeavesNoTemporaryBehind() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder.string) }
        try AtomicFile.write([1, 2, 3], to: folder.appending("a.bin"))
        try AtomicFile.write([4, 5], to: folder.appending("a.bin"))
        #expect(try FileSource.readAll(folder.appending("a.bin")) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.string) == ["a.bin"])
    }

    @Test func temporaryNamesDifferAcrossCallsAndThreads() {
        let names = (0..<1000).map { _ in AtomicFile.temporaryPath(for: "x/a.png") }
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.string.hasPrefix("x/.a.png.gcx-tmp-") })
        #expect(AtomicFile.temporaryPath(for: "a.png").string.hasPrefix(".a.png.gcx-tmp-"), "a bare name's temporary is in the current folder")
        #expect(AtomicFile.temporaryPath(for: "/a.png").string.hasPrefix("/.a.png.gcx-tmp-"))
    }

    @Test func manyThreadsWritingOneFileNeverCollide() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder.string) }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            do { try AtomicFile.write([UInt8](repeating: UInt8(index), count: 4096), to: folder.appending("same.png")) } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let bytes = try FileSource.readAll(folder.appending("same.png"))
        #expect(bytes.count == 4096 && Set(bytes).count == 1, "one writer's whole file, never a mixture")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.string) == ["same.png"])
    }

    @Test func aFailureNamesTheDestinationNotTheTemporaryFile() throws {
        #expect {
            try AtomicFile.write([1], to: "/nonexistent-folder/out.png")
        } throws: { error in
            let error = error as? FileIOError
            return error?.path == "/nonexistent-folder/out.png" && error?.errno == ENOENT && error?.kind == .system
        }
    }
}
