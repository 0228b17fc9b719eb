#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the file, what was being done, and why — the system's `errno` when
/// the system said no, so callers can tell a full disk from a missing file.
public struct FileIOError: Error, CustomStringConvertible, Sendable {
    /// What kind of refusal this is, for callers that react to it (a CLI adds its flag hints).
    public enum Kind: Sendable, Equatable {
        /// A system call failed; `errno` says why.
        case system
        /// The destination exists and replacing it was not asked for.
        case exists
        /// An interrupted write left `ARCHIVE.partial`; resuming or deleting it was not asked for.
        case interruptedWrite
        /// Another process holds the archive's lock.
        case locked
        /// Anything else (not a regular file, a file that shrank while read...).
        case other
    }

    public var kind: Kind
    public var path: String
    public var operation: String
    public var reason: String
    /// The system's error number, when the failure came from a system call.
    public var errno: Int32?

    public init(_ kind: Kind = .other, path: String, operation: String, reason: String, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.reason = reason
        self.errno = errno
    }

    /// From the current `errno`.
    static func system(_ operation: String, _ path: String) -> FileIOError {
        let code = systemErrno()
        return FileIOError(.system, path: path, operation: operation, reason: String(cString: strerror(code)), errno: code)
    }

    /// True when the device is full or over quota: no later write will succeed either.
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}

/// The calling thread's `errno` (the module's own name `errno` is taken by the property above).
@inline(__always) func systemErrno() -> Int32 { errno }
