// Measures what listing an archive and reading one entry cost as archives grow: builds archives of
// 1k, 10k and 100k entries and reports bytes read, read calls and time for each operation, next to
// the file size, so that "listing reads only header, index and trailer; reading one entry reads
// only that entry" is shown with numbers. Then, in the same run, `gcx list` and `unzip -l` as
// processes (best of 5, output to /dev/null) on a gcx archive and a zip of the same names.
//
//     swift build -c release && .build/release/gcx-bench-container [--counts 1000,10000,100000] [--dir /tmp]
import GCXBytes
import GCX
import GCXFileIO
import Foundation

#if canImport(Glibc)
import Glibc
import SystemPackage
#endif

func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

var counts = [1_000, 10_000, 100_000]
var directory = "/tmp"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--counts": counts = arguments.popFirst()!.split(separator: ",").map { Int($0)! }
    case "--dir": directory = arguments.popFirst()!
    default: fatalError("usage: gcx-bench-container [--counts N,N,...] [--dir DIR]")
    }
}

/// A realistic entry: a ~1,300-character prompt stored as ~300 coded bytes (random bytes stand in
/// for the coder's output), and for every other entry a ~1,200-byte thumbnail.
func entry(_ number: Int, random: inout UInt64) -> Entry {
    func next() -> UInt8 {
        random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: random >> 56)
    }
    let name = "photos/2024/IMG_\(String(100_000 + number).dropFirst()).jpg"
    let source = SourceMetadata(name: name, width: 4032, height: 3024, originalSize: 3_500_000 + UInt64(number),
                                contentHash: (0..<32).map { _ in next() })
    let payload = (0..<300).map { _ in next() }
    var entry = Entry(source: source, mode: .text, prompt: PromptChunk(method: PromptMethod(rawValue: 7), decodedLength: 1300, payload: payload),
                      generator: GeneratorMetadata(kind: .builtin), captioner: CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1))
    if number % 2 == 1 {
        let size = Thumbnail.size(forSourceWidth: 4032, height: 3024, scale: 8)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        let ihdr = Array("IHDR".utf8) + [0, 0, UInt8(size.width >> 8), UInt8(size.width & 255), 0, 0, UInt8(size.height >> 8), UInt8(size.height & 255), 8, 2, 0, 0, 0]
        let crc = CRC32.checksum(ihdr)
        png += ihdr + [UInt8(crc >> 24), UInt8((crc >> 16) & 255), UInt8((crc >> 8) & 255), UInt8(crc & 255)]
        png += (0..<1_200).map { _ in next() }
        entry.mode = .multimodal
        entry.thumbnail = Thumbnail(codec: .png, scale: 8, width: size.width, height: size.height, payload: png)
    }
    return entry
}

var listings: [(Int, String)] = []
print("| entries | file bytes | write s | list: bytes read | list: reads | list ms | one entry: bytes read | one entry: reads | one entry ms | entry bytes | scan (no index) ms |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for count in counts {
    let path = "\(directory)/gcx-bench-\(count).gcx"
    unlink(path)
    var random: UInt64 = 42
    let writeStart = now()
    let writer = try ArchiveFileWriter(path: FilePath(path), mode: .create)
    for number in 0..<count { try writer.add(entry(number, random: &random)) }
    try writer.finish()
    let writeSeconds = now() - writeStart

    let listStart = now()
    let source = try FileSource(FilePath(path))
    let reader = try ArchiveReader(source: source)
    let names = reader.rows.map(\.summary.name)
    let listMs = (now() - listStart) * 1000
    precondition(names.count == count)
    let listBytes = source.bytesRead, listReads = source.readCalls

    let target = names[count / 2]
    let oneStart = now()
    let one = try reader.entry(named: target)
    let oneMs = (now() - oneStart) * 1000
    precondition(one.name == target)
    let oneBytes = source.bytesRead - listBytes, oneReads = source.readCalls - listReads
    let recordLength = reader.row(named: target)!.summary.recordLength

    let scanStart = now()
    let scanned = try ArchiveReader.scanEntries(FileSource(FilePath(path)), format: reader.format).rows.count
    let scanMs = (now() - scanStart) * 1000
    precondition(scanned == count)

    listings.append((count, path))
    print("| \(count) | \(source.size) | \(String(format3(writeSeconds))) | \(listBytes) | \(listReads) | \(format3(listMs)) | \(oneBytes) | \(oneReads) | \(format3(oneMs)) | \(recordLength) | \(format3(scanMs)) |")
}

/// Best of five runs of a command, stdout and stderr to /dev/null, in milliseconds. Spawned and
/// waited for with posix_spawn and waitpid: Foundation's Process on Linux notices an exit only
/// at its run loop's next turn, which quantises short runs to tens of milliseconds.
func timeCommand(_ executable: String, _ arguments: [String]) -> Double? {
    var best = Double.infinity
    for _ in 0..<5 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = now()
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        guard waitpid(pid, &status, 0) == pid, status == 0 else { return nil }
        best = min(best, (now() - start) * 1000)
    }
    return best
}

let gcxBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gcx").path
print("")
print("| entries | gcx list ms | unzip -l ms | gcx / unzip |")
print("|---|---|---|---|")
for (count, path) in listings {
    // The same names, stored, in a zip made by Python's zipfile.
    let zip = "\(directory)/gcx-bench-\(count).zip"
    let maker = Process()
    maker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    maker.arguments = ["python3", "-c", """
        import sys, zipfile
        with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
            for i in range(int(sys.argv[2])):
                z.writestr("photos/2024/IMG_%s.jpg" % str(100000 + i)[1:], b"x" * 300)
        """, zip, String(count)]
    try maker.run()
    maker.waitUntilExit()
    let ours = FileManager.default.isExecutableFile(atPath: gcxBinary) ? timeCommand(gcxBinary, ["list", path]) : nil
    let theirs = timeCommand("/usr/bin/unzip", ["-l", zip])
    let ratio = ours.flatMap { o in theirs.map { o / $0 } }
    print("| \(count) | \(ours.map(format3) ?? "— (build gcx)") | \(theirs.map(format3) ?? "— (no unzip)") | \(ratio.map { format3($0) } ?? "—") |")
    if ProcessInfo.processInfo.environment["GCX_BENCH_KEEP"] == nil {
        unlink(path)
        unlink(zip)
    }
}

func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
