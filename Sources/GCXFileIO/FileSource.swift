#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX
import SystemPackage

/// A file opened for positioned reads; counts the bytes it reads so that a benchmark can show
/// what an operation touched.
public final class FileSource: ByteSource {
    public let path: FilePath
    public let size: Int
    public private(set) var bytesRead = 0
    public private(set) var readCalls = 0
    private let descriptor: Int32

    /// Opens the regular file at `path` (a link to one is followed).
    public init(_ path: FilePath) throws(FileIOError) {
        self.path = path
        descriptor = path.withPlatformString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw FileIOError.system("open", path.string) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let error = FileIOError.system("stat", path.string)
            close(descriptor)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw FileIOError(path: path.string, operation: "read", reason: "not a regular file")
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    public func read(at offset: Int, count: Int) throws(FileIOError) -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset + count <= size, "read outside the file")
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw got == 0 ? FileIOError(path: path.string, operation: "read", reason: "the file shrank while it was read")
                               : FileIOError.system("read", path.string)
            }
            done += got
        }
        bytesRead += count
        readCalls += 1
        return buffer
    }

    /// The whole file.
    public static func readAll(_ path: FilePath) throws(FileIOError) -> [UInt8] {
        let source = try FileSource(path)
        return source.size == 0 ? [] : try source.read(at: 0, count: source.size)
    }
}
