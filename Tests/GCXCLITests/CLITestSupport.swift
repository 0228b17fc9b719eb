import Foundation
import GCX
import GCXImage
import GCXThumbnailCodec
import GCXTestSupport

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

    static let packageRoot = SharedData.packageRoot

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
    static let datasets = SharedData.datasets
    static let corpus = SharedData.corpus

    static func temporaryDirectory(_ label: String = "gcx") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}


/// A stored thumbnail's pixels, whatever its codec (tiny, PNG or JPEG).
func decodedThumbnail(_ thumbnail: Thumbnail) throws -> RGBImage {
    guard let variant = thumbnail.codec.tinyVariant else { return try ImageDecoder.decode(thumbnail.payload).image }
    return RGBImage(width: thumbnail.width, height: thumbnail.height,
                    pixels: try TinyImageCodec.decode(thumbnail.payload, width: thumbnail.width, height: thumbnail.height, variant: variant))
}

/// A running gcx whose standard error a test reads as it comes, so that it acts when the binary
/// reports something (an entry packed) instead of polling the file system.
final class ReportingProcess {
    let process = Process()
    private let errors = Pipe()
    private var pending = Data()
    private(set) var transcript = ""

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.environment = CLI.environment([:])
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
    }

    /// Blocks until `count` lines containing `marker` have been printed; false if the binary closed
    /// its standard error (ended) first.
    func waitFor(_ count: Int, linesContaining marker: String) -> Bool {
        var seen = 0
        while seen < count {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                transcript += line + "\n"
                if line.contains(marker) { seen += 1 }
                continue
            }
            let chunk = errors.fileHandleForReading.availableData  // blocks until bytes or the end
            if chunk.isEmpty { return false }
            pending.append(chunk)
        }
        return true
    }

    /// Waits for the binary to end; everything it printed to standard error.
    @discardableResult
    func finish() -> String {
        pending.append(errors.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        transcript += String(decoding: pending, as: UTF8.self)
        pending.removeAll()
        return transcript
    }
}
