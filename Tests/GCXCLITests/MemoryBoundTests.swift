import Foundation
import Testing
import GCX
import GCXThumbnailCodec

/// Opening and validating any input stays within 256 MiB, whatever its headers claim (spec §9, §13):
/// every conformance fixture (claims of 1,000,001 entries, 65,535-pixel sides, 16 MiB records,
/// decoded lengths past their bounds) and the largest thumbnail a file may ask gcx to decode.
@Suite struct MemoryBoundTests {
    static let limitKiB = 256 * 1024

    /// Peak resident memory of `gcx ARGUMENTS`, from /usr/bin/time.
    static func peakKiB(_ arguments: [String]) throws -> Int {
        let report = NSTemporaryDirectory() + "gcx-rss-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", report, CLI.binary] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOfFile: report, encoding: .utf8)
        return try #require(Int(text.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""))
    }

    @Test func validatingEveryFixtureStaysWithinTheBound() throws {
        let root = ContainerCommandTests.fixtures
        let files = ContainerCommandTests.cases.map { root + "/" + $0.file }
        let peak = try Self.peakKiB(["validate", "-q"] + files)
        #expect(peak < Self.limitKiB, "\(peak / 1024) MiB")
    }

    @Test func theLargestTinyThumbnailStaysWithinTheBound() throws {
        // 1024×1024 at scale 1: the most pixels codec 5 decodes (2^20), in a file of a few KB.
        let side = 1024
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for i in 0..<(side * side) { pixels[3 * i] = UInt8(i % 251); pixels[3 * i + 1] = UInt8(i / side % 256) }
        let payload = TinyImageCodec.encode(pixels, width: side, height: side, quantizer: 63)
        let source = SourceMetadata(name: "big.png", width: side, height: side, originalSize: 1, contentHash: SHA256.hash([1]))
        let entry = Entry(source: source, mode: .multimodal, prompt: .stored("x"),
                          thumbnail: Thumbnail(codec: .tiny, scale: 1, width: side, height: side, payload: payload))
        var encoder = ArchiveEncoder()
        var bytes = encoder.header()
        bytes += try encoder.encode(entry)
        bytes += encoder.finish()
        let path = NSTemporaryDirectory() + "gcx-big-thumb-\(UUID().uuidString).gcx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(bytes.count < 20_000)
        for command in [["validate", "-q", path], ["extract", path, "-o", path + ".out", "--what", "thumbnail", "-q"]] {
            let peak = try Self.peakKiB(command)
            #expect(peak < Self.limitKiB, "\(command[0]): \(peak / 1024) MiB")
        }
        try? FileManager.default.removeItem(atPath: path + ".out")
    }
}
