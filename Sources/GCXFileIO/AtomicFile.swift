#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SystemPackage

/// The one way gcx puts a file in place: written beside its destination under a unique temporary
/// name, synced, renamed over the destination, and the folder synced, so a reader sees the old
/// file or the whole new one, never a part, even after a crash. Used by the extractor and the
/// reconstruction cache; the archive writer shares its pieces.
///
///     try AtomicFile.write(pngBytes, to: "out/a/b.png")
public enum AtomicFile {
    /// Writes `bytes` to `path`, replacing what is there (a symbolic link is replaced, not followed),
    /// with `modificationTime` (seconds since 1970, UTC) as its access and modification time when
    /// given. Errors name `path`, never the temporary file.
    public static func write(_ bytes: [UInt8], to destination: FilePath, permissions: mode_t = 0o644,
                             modificationTime: Int64? = nil) throws(FileIOError) {
        let path = destination.string, temporary = temporaryPath(for: destination).string
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileIOError.system("create", path) }
        do throws(FileIOError) {
            try FileDescriptorWriter.writeAll(descriptor, bytes, path: path)
            if let modificationTime {
                let time = timespec(tv_sec: Int(modificationTime), tv_nsec: 0)
                var times = [time, time]
                guard futimens(descriptor, &times) == 0 else { throw FileIOError.system("set the time of", path) }
            }
            guard fsync(descriptor) == 0 else { throw FileIOError.system("sync", path) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = FileIOError.system("rename into place", path)
            unlink(temporary)
            throw error
        }
        syncDirectory(of: destination)
    }

    /// A name beside `path` that no other writer — thread or process — uses at the same time.
    public static func temporaryPath(for path: FilePath) -> FilePath {
        let serial = counter.add(1, ordering: .relaxed).newValue
        let name = ".\(path.lastComponent?.string ?? "").gcx-tmp-\(getpid())-\(serial)"
        return path.removingLastComponent().appending(name)
    }

    /// Makes a rename into the folder of `path` durable.
    public static func syncDirectory(of path: FilePath) {
        let folder = path.removingLastComponent()
        let directory = folder.isEmpty ? "." : folder.string
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    private static let counter = Atomic<Int>(0)
}
