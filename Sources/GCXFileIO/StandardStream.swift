#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and standard error, written unbuffered so the two interleave as written, with
/// failures reported rather than dropped (a full disk under `gcx list > file` is an error).
public enum StandardStream: Sendable {
    case output
    case error

    private var descriptor: Int32 { self == .output ? 1 : 2 }
    private var name: String { self == .output ? "standard output" : "standard error" }

    /// Whether the stream is a terminal (progress redraws one line there).
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    /// The terminal's width in columns, when the stream is a terminal that says.
    public var columns: Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }


    /// Writes all of `bytes`, resuming after interruptions and short writes.
    public func write(_ bytes: [UInt8]) throws(FileIOError) {
        try FileDescriptorWriter.writeAll(descriptor, bytes, path: name)
    }

    public func write(_ text: String) throws(FileIOError) { try write(Array(text.utf8)) }
}

/// The one loop that writes a buffer to a descriptor: EINTR retried, short writes continued.
enum FileDescriptorWriter {
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(FileIOError) {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + done, bytes.count - done)
            }
            if wrote < 0 {
                if systemErrno() == EINTR { continue }
                throw FileIOError.system("write", path)
            }
            guard wrote > 0 else { throw FileIOError(path: path, operation: "write", reason: "no progress writing") }
            done += wrote
        }
    }
}
