import Foundation
import GCX
import GCXFileIO

/// Writes files under one folder and never outside it: names are checked as entry names, every
/// folder on the way is created or must be a real folder (never a symbolic link), and each file is
/// written to a temporary name and renamed into place, so a failure leaves no partial file.
public struct SafeOutput: Sendable {
    /// What to do about a file that is already there.
    public enum Existing: Sendable {
        /// Fail for that file (the others go on).
        case refuse
        /// Replace it.
        case overwrite
        /// Keep it and write nothing (resuming an interrupted extraction).
        case skip
    }

    public let root: String
    public let existing: Existing
    public var force: Bool { existing == .overwrite }

    public init(root: String, force: Bool) throws {
        try self.init(root: root, existing: force ? .overwrite : .refuse)
    }

    public init(root: String, existing: Existing) throws {
        self.root = root
        self.existing = existing
        var info = stat()
        if lstat(root, &info) != 0 {
            guard mkdir(root, 0o755) == 0 || errno == EEXIST else {
                throw PackFailure(input: root, reason: "cannot create the output folder: \(String(cString: strerror(errno)))")
            }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            var target = stat()
            guard stat(root, &target) == 0, target.st_mode & S_IFMT == S_IFDIR else {
                throw PackFailure(input: root, reason: "the output path exists and is not a folder")
            }
        }
    }

    /// Whether `relativePath` is there already (so `skip` need not even make its bytes).
    public func exists(_ relativePath: String) -> Bool {
        var info = stat()
        return lstat((root as NSString).appendingPathComponent(relativePath), &info) == 0
    }

    /// Writes `bytes` to `relativePath` under the root. Fails if the file exists and `force` is off.
    public func write(_ bytes: [UInt8], to relativePath: String, modificationTime: Int64? = nil) throws {
        try EntryName.validate(relativePath)
        let components = relativePath.split(separator: "/").map(String.init)
        var folder = root
        for component in components.dropLast() {
            folder = (folder as NSString).appendingPathComponent(component)
            var info = stat()
            if lstat(folder, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw PackFailure(input: folder, reason: "is not a folder (symbolic links inside the output folder are not followed)")
                }
            } else if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw PackFailure(input: folder, reason: "cannot create folder: \(String(cString: strerror(errno)))")
            }
        }
        let path = (folder as NSString).appendingPathComponent(components.last!)
        var existing = stat()
        if lstat(path, &existing) == 0 {
            guard force else { throw FileIOError(.exists, path: path, operation: "write", reason: "it exists") }
            guard existing.st_mode & S_IFMT == S_IFREG || existing.st_mode & S_IFMT == S_IFLNK else {
                throw PackFailure(input: path, reason: "exists and is not a file")
            }
        }
        // The temporary file is replaced by rename, which replaces a symbolic link itself rather
        // than writing through it.
        try AtomicFile.write(bytes, to: path, modificationTime: modificationTime)
    }
}
