import Foundation

/// Runs one of `tools/fake-servers/*.py` on 127.0.0.1 for the life of a test.
public final class FakeServer: Sendable {
    public static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/fake-servers")

    public let process = Process()
    /// Kept open while the server should live; closing it (or our death) stops the server.
    private let stdin = Pipe()
    public let port: Int
    public let directory: URL
    public let logURL: URL

    /// - Parameters:
    ///   - script: `openai_server.py` or `a1111_server.py`.
    ///   - behaviour: the JSON script (see fakecommon.py), or nil.
    ///   - arguments: extra arguments such as `["--key", key]`.
    public init(_ script: String, behaviour: [String: Any]? = nil, arguments: [String] = []) throws {
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

    public struct ServerStartError: Error { public var output: String }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var openAIBaseURL: String { baseURL + "/v1" }

    /// The largest number of requests the server was working on at once, from its log.
    public func mostInFlight() -> Int {
        var events: [(Double, Int)] = []
        for entry in log() {
            events.append((entry["t_start"] as! Double, 1))
            events.append((entry["t_end"] as! Double, -1))
        }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0, most = 0
        for (_, delta) in events { current += delta; most = max(most, current) }
        return most
    }

    /// The request log, one dictionary per request, in completion order.
    public func log() -> [[String: Any]] {
        guard let data = try? Data(contentsOf: logURL) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The log's raw text (for grepping secrets).
    public func logText() -> String {
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

