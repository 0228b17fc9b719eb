#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX
import SystemPackage

/// Opens what a user names as an archive: a file, read in place with positioned reads; or `-`,
/// standard input, or any other stream (a pipe, `/dev/stdin`), read whole into memory first since
/// a stream cannot be read out of order.
public enum ArchiveSource {
    /// Streams are held in memory; past this they must be saved to a file first.
    public static let maxStreamBytes = 1 << 30

    /// The archive at `path`, or standard input for `-`.
    public static func open(_ given: FilePath) throws -> any ByteSource {
        let path = given.string
        if path == "-" { return try readStream(0, name: "standard input") }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFIFO || info.st_mode & S_IFMT == S_IFCHR || info.st_mode & S_IFMT == S_IFSOCK {
            let descriptor = openForReading(path)
            guard descriptor >= 0 else { throw FileIOError.system("open", path) }
            defer { close(descriptor) }
            return try readStream(descriptor, name: path)
        }
        return try FileSource(given)
    }

    static func readStream(_ descriptor: Int32, name: String) throws -> MemorySource {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if systemErrno() == EINTR { continue }
                throw FileIOError.system("read", name)
            }
            if count == 0 { return MemorySource(bytes) }
            bytes += chunk[0..<count]
            guard bytes.count <= maxStreamBytes else {
                throw FileIOError(.other, path: name, operation: "read the archive",
                                  reason: "a stream over \(maxStreamBytes >> 20) MiB is not held in memory; save it to a file first")
            }
        }
    }
}

/// The C library's open, out of reach of `ArchiveSource.open`'s name.
private func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }

/// A file of one's own in the temporary folder (`$TMPDIR`, else /tmp), for writing something that
/// ends up on a stream (`gcx pack -o -`); removed with `remove()`.
public struct ScratchFile: Sendable {
    public let path: FilePath

    /// Reserves a new, empty file whose name ends with `suffix`.
    public init(suffix: String) throws {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/gcx-XXXXXX" + suffix).utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(suffix.utf8.count)) }
        guard descriptor >= 0 else { throw FileIOError.system("create a temporary file in", folder) }
        close(descriptor)
        path = FilePath(String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Deletes the file, and the partial file an archive writer may have left beside it.
    public func remove() {
        unlink(path.string)
        unlink(path.string + ".partial")
    }
}
