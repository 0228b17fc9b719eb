import Foundation
import GCX
import GCXImage
import GCXThumbnailCodec

/// Runs the built `gcx` binary, as a user would.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// The `gcx` under test: `$GCX_BINARY` when set (tools/test.sh builds a release binary, so the
    /// end-to-end tests run at the speed users see), else the one built beside the test runner.
    static let binary: String = {
        if let given = ProcessInfo.processInfo.environment["GCX_BINARY"], !given.isEmpty {
            precondition(FileManager.default.isExecutableFile(atPath: given), "GCX_BINARY=\(given) is not an executable")
            return given
        }
        return product("gcx")
    }()

    /// An executable product of this package, from the folder the test runner was built in.
    static func product(_ name: String) -> String {
        let runner = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = runner.deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent(name).path), directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent(name).path
    }

    static let packageRoot: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    /// The environment the binary runs in: no API key and a private cache unless a test says so.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENAI_API_KEY"] = nil
        environment["XDG_CACHE_HOME"] = NSTemporaryDirectory() + "gcx-cli-cache-\(getpid())"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:],
                    standardOutput: String? = nil, standardInput: String? = nil, executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        process.environment = environment(extra)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Files rather than pipes: a large output can never block the child.
        let base = NSTemporaryDirectory() + "gcx-cli-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        process.standardOutput = FileHandle(forWritingAtPath: standardOutput ?? base + ".out")
        process.standardError = FileHandle(forWritingAtPath: base + ".err")
        process.standardInput = standardInput.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let outData = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let errData = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension CLI {
    static let datasets = packageRoot + "/../shared/datasets"
    static let corpus = packageRoot + "/../shared/corpus"

    static func temporaryDirectory(_ label: String = "gcx") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts the binary without waiting, for tests that interrupt it.
    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment([:])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Repeatable randomness for tests (SplitMix64): a failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A stored thumbnail's pixels, whatever its codec (tiny, PNG or JPEG).
func decodedThumbnail(_ thumbnail: Thumbnail) throws -> RGBImage {
    guard let variant = thumbnail.codec.tinyVariant else { return try ImageDecoder.decode(thumbnail.payload).image }
    return RGBImage(width: thumbnail.width, height: thumbnail.height,
                    pixels: try TinyImageCodec.decode(thumbnail.payload, width: thumbnail.width, height: thumbnail.height, variant: variant))
}
