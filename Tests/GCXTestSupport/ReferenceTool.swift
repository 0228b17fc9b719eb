import Foundation

/// Runs one of the second decoders in `tools/reference` (Python, written from the spec) on a JSON
/// array of cases sent on its standard input, and returns the JSON array it prints.
public enum ReferenceTool {
    public static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/reference")

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// One result object per case, as `script` prints them; throws if it fails or prints another shape.
    public static func run(_ script: String, cases: [[String: Any]]) throws -> [[String: String]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", folder.appendingPathComponent(script).path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: cases))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "\(script) exited with \(process.terminationStatus)") }
        guard let results = try JSONSerialization.jsonObject(with: output) as? [[String: String]], results.count == cases.count else {
            throw Failure(description: "\(script) did not print one result object per case")
        }
        return results
    }
}
