import Foundation
import Testing
import GCXFileIO
import Synchronization

@Suite struct AtomicFileTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "gcx-atomic-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func replacesTheFileAndLeavesNoTemporaryBehind() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write([1, 2, 3], to: folder + "/a.bin")
        try AtomicFile.write([4, 5], to: folder + "/a.bin")
        #expect(FileManager.default.contents(atPath: folder + "/a.bin") == Data([4, 5]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.bin"])
    }

    @Test func temporaryNamesDifferAcrossCallsAndThreads() {
        let names = (0..<1000).map { _ in AtomicFile.temporaryPath(for: "x/a.png") }
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.hasPrefix("x/.a.png.gcx-tmp-") })
    }

    @Test func manyThreadsWritingOneFileNeverCollide() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 64) { index in
            do { try AtomicFile.write([UInt8](repeating: UInt8(index), count: 4096), to: folder + "/same.png") } catch {
                failures.withLock { $0 += 1 }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let bytes = try #require(FileManager.default.contents(atPath: folder + "/same.png"))
        #expect(bytes.count == 4096 && Set(bytes).count == 1, "one writer's whole file, never a mixture")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["same.png"])
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
