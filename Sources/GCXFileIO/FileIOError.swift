#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation, naming the file and the system's reason.
public struct FileIOError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var operation: String
    public var reason: String

    public init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.reason = reason
    }

    /// From the current `errno`.
    static func system(_ operation: String, _ path: String) -> FileIOError {
        FileIOError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}
