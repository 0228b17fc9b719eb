#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Which file a path names: the same pair for two paths means one file (links and `..` resolved).
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
}

/// What is at a path.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, folder, symbolicLink, other
    }

    public var kind: Kind
    /// Bytes, for a regular file.
    public var size: Int
    public var identity: FileIdentity
    /// Seconds since 1970.
    public var modificationTime: Int64

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .folder
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = Int(info.st_size)
        identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        modificationTime = Int64(info.st_mtim.tv_sec)
    }
}

/// The file system as the archiver sees it: every question about a path asked one way, every
/// failure a `FileIOError` naming the path and the system's reason.
public enum FileSystem {
    /// What is at `path`, or nil when nothing is (no such file, or a component is not a folder).
    /// With `followingLinks` a link is looked through: a link to nothing is then nil, a link that
    /// loops an error.
    public static func status(of path: FilePath, followingLinks: Bool = true) throws(FileIOError) -> FileStatus? {
        var info = stat()
        let result = path.withPlatformString { followingLinks ? stat($0, &info) : lstat($0, &info) }
        guard result == 0 else {
            let code = systemErrno()
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileIOError.system("examine", path.string, errno: code)
        }
        return FileStatus(info)
    }

    /// Something is at `path`: a file, a folder, a link (even a broken one).
    public static func exists(_ path: FilePath) -> Bool {
        (try? status(of: path, followingLinks: false)) != nil
    }

    /// `path` is a folder, or a link to one.
    public static func isFolder(_ path: FilePath) -> Bool {
        (try? status(of: path))??.kind == .folder
    }

    /// The identity of the file `path` names, links followed; nil if there is none.
    public static func identity(of path: FilePath) -> FileIdentity? {
        (try? status(of: path))??.identity
    }

    /// Creates the folder `path` (mode 755 less the umask); one already there is fine when it is a
    /// folder or a link to one.
    public static func createFolder(_ path: FilePath) throws(FileIOError) {
        guard path.withPlatformString({ mkdir($0, 0o755) }) != 0 else { return }
        let code = systemErrno()
        guard code == EEXIST, isFolder(path) else {
            throw code == EEXIST ? FileIOError(path: path.string, operation: "create the folder", reason: "something else is there")
                                 : FileIOError.system("create the folder", path.string, errno: code)
        }
    }

    /// Creates `path` and every missing folder above it.
    public static func createFolders(_ path: FilePath) throws(FileIOError) {
        if isFolder(path) { return }
        var parent = path
        if parent.removeLastComponent(), !parent.isEmpty, parent != path { try createFolders(parent) }
        try createFolder(path)
    }

    /// Removes the file or empty folder at `path`; nothing there is not an error.
    public static func remove(_ path: FilePath) throws(FileIOError) {
        guard path.withPlatformString(removeFile) != 0 else { return }
        let code = systemErrno()
        if code != ENOENT { throw FileIOError.system("remove", path.string, errno: code) }
    }

    /// The process's working folder.
    public static func currentFolder() throws(FileIOError) -> FilePath {
        guard let pointer = getcwd(nil, 0) else { throw FileIOError.system("find the current folder", ".") }
        defer { free(pointer) }
        return FilePath(platformString: pointer)
    }

    /// Up to `count` bytes from the start of the regular file `path` (fewer if it is shorter).
    public static func prefix(of path: FilePath, count: Int) throws(FileIOError) -> [UInt8] {
        let descriptor = path.withPlatformString { open($0, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw FileIOError.system("open", path.string) }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + done, count - done) }
            if got < 0 && systemErrno() == EINTR { continue }
            guard got >= 0 else { throw FileIOError.system("read", path.string) }
            if got == 0 { break }
            done += got
        }
        return Array(head.prefix(done))
    }
}

/// The C library's remove(3), under a name the namespace's own `remove` does not hide.
private func removeFile(_ path: UnsafePointer<CChar>) -> Int32 { remove(path) }
