#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: the file, what was being done, and why — the system's `errno` when
/// the system said no, so callers can tell a full disk from a missing file.
public struct FileIOError: Error, CustomStringConvertible, Sendable, Equatable {
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
        /// A symbolic link to nothing.
        case brokenLink
        /// A symbolic link that leads back to itself.
        case loopingLink
        /// A folder holds names that are not UTF-8 (which no entry name can be).
        case nameNotUTF8
        /// A path inside a confined folder that would leave it: a link, or a file where a folder must be.
        case escapesFolder
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

    /// From `errno` (by default the current one).
    static func system(_ operation: String, _ path: String, errno code: Int32 = systemErrno()) -> FileIOError {
        FileIOError(.system, path: path, operation: operation, reason: String(cString: strerror(code)), errno: code)
    }

    /// True when the device is full or over quota: no later write will succeed either.
    public var isOutOfSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    /// What went wrong, without the path: "cannot OPERATION: REASON", or the reason alone for a
    /// finding that is no operation's failure ("a symbolic link to nothing").
    public var problem: String { operation.isEmpty ? reason : "cannot \(operation): \(reason)" }

    public var description: String { "\(path): \(problem)" }
}

/// The calling thread's `errno` (the module's own name `errno` is taken by the property above).
@inline(__always) func systemErrno() -> Int32 { errno }
