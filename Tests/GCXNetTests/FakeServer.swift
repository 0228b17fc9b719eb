import Foundation
import Testing

/// Runs one of `tools/fake-servers/*.py` on 127.0.0.1 for the life of a test.
final class FakeServer: @unchecked Sendable {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/fake-servers")

    let process = Process()
    /// Kept open while the server should live; closing it (or our death) stops the server.
    private let stdin = Pipe()
    let port: Int
    let directory: URL
    let logURL: URL

    /// - Parameters:
    ///   - script: `openai_server.py` or `a1111_server.py`.
    ///   - behaviour: the JSON script (see fakecommon.py), or nil.
    ///   - arguments: extra arguments such as `["--key", key]`.
    init(_ script: String, behaviour: [String: Any]? = nil, arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("gcxnet-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logURL = directory.appendingPathComponent("requests.jsonl")
        var args = [Self.folder.appendingPathComponent(script).path, "--port", "0", "--log", logURL.path]
        if let behaviour {
            let scriptURL = directory.appendingPathComponent("script.json")
            try JSONSerialization.data(withJSONObject: behaviour).write(to: scriptURL)
            args += ["--script", scriptURL.path]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args + ["--exit-on-stdin-eof"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        // First line: "PORT <n>".
        var line = Data()
        let handle = stdout.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).prefix(while: { $0.isNumber })) else {
            process.terminate()
            throw ServerStartError(output: text)
        }
        self.port = port
    }

    struct ServerStartError: Error { var output: String }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var openAIBaseURL: String { baseURL + "/v1" }

    /// The request log, one dictionary per request, in completion order.
    func log() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: logURL) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The log's raw text (for grepping secrets).
    func logText() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning {
            // SIGKILL: cannot be blocked, unlike SIGTERM in a child spawned from a worker thread.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? stdin.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body(i)` for i in 0..<count on separate threads and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            body(i)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Thread-safe collector for results produced on several threads.
final class Collector<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    func add(_ item: T) { lock.lock(); items.append(item); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}

/// A valid RGB PNG using stored (uncompressed) deflate blocks — enough for test inputs.
func makePNG(width: Int, height: Int) -> [UInt8] {
    var raw: [UInt8] = []
    for y in 0..<height {
        raw.append(0)
        for x in 0..<width { raw += [UInt8(x & 255), UInt8(y & 255), 128] }
    }
    var zlib: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let n = min(65535, raw.count - offset)
        let final: UInt8 = offset + n == raw.count ? 1 : 0
        zlib += [final, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8((~n >> 8) & 255)]
        zlib += raw[offset..<(offset + n)]
        offset += n
    } while offset < raw.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
    zlib += be32(b << 16 | a)

    var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    func chunk(_ type: String, _ data: [UInt8]) {
        let body = Array(type.utf8) + data
        png += be32(UInt32(data.count)) + body + be32(crc32(body))
    }
    chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
    chunk("IDAT", zlib)
    chunk("IEND", [])
    return png
}

/// (width, height) from a PNG's IHDR, or nil when `bytes` is not a PNG.
func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
    guard bytes.count >= 24, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
          Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
    let w = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
    let h = bytes[20..<24].reduce(0) { $0 << 8 | Int($1) }
    return (w, h)
}

private func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)]
}

private func crc32(_ data: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
