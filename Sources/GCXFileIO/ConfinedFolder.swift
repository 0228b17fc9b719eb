import GCX
import SystemPackage

/// Writes files under one folder and never outside it: names are checked as entry names, every
/// folder on the way is created or must be a real folder (never a symbolic link), and each file is
/// written to a temporary name and renamed into place, so a failure leaves no partial file.
public struct ConfinedFolder: Sendable {
    /// What to do about a file that is already there.
    public enum Existing: Sendable {
        /// Fail for that file (the others go on).
        case refuse
        /// Replace it.
        case overwrite
        /// Keep it and write nothing (resuming an interrupted extraction).
        case skip
    }

    public let root: FilePath
    public let existing: Existing

    /// Opens `root`, creating it if nothing is there; a link to a folder is the user's choice and
    /// is followed, anything else there is refused.
    public init(root: FilePath, existing: Existing) throws(FileIOError) {
        self.root = root
        self.existing = existing
        if FileSystem.exists(root) {
            guard FileSystem.isFolder(root) else {
                throw FileIOError(.exists, path: root.string, operation: "write into it", reason: "the output path exists and is not a folder")
            }
        } else {
            do { try FileSystem.createFolder(root) } catch {
                throw FileIOError(error.kind, path: root.string, operation: "create the output folder", reason: error.reason, errno: error.errno)
            }
        }
    }

    /// Where `relativePath` is written.
    public func path(of relativePath: String) -> FilePath { root.appending(relativePath) }

    /// Whether `relativePath` is there already (so `skip` need not even make its bytes).
    public func exists(_ relativePath: String) -> Bool { FileSystem.exists(path(of: relativePath)) }

    /// Writes `bytes` to `relativePath` (an entry name) under the root. A file already there is
    /// refused or replaced as `existing` says (`skip` is the caller's: it asks `exists` first).
    public func write(_ bytes: [UInt8], to relativePath: String, modificationTime: Int64? = nil) throws {
        try EntryName.validate(relativePath)
        let components = relativePath.split(separator: "/").map(String.init)
        var folder = root
        for component in components.dropLast() {
            folder.append(component)
            if let status = try FileSystem.status(of: folder, followingLinks: false) {
                guard status.kind == .folder else {
                    throw FileIOError(.escapesFolder, path: folder.string, operation: "",
                                      reason: "is not a folder (symbolic links inside the output folder are not followed)")
                }
            } else {
                try FileSystem.createFolder(folder)
            }
        }
        let path = folder.appending(components.last!)
        if let status = try FileSystem.status(of: path, followingLinks: false) {
            guard existing == .overwrite else { throw FileIOError(.exists, path: path.string, operation: "write", reason: "it exists") }
            guard status.kind == .regular || status.kind == .symbolicLink else {
                throw FileIOError(.exists, path: path.string, operation: "", reason: "exists and is not a file")
            }
        }
        // The temporary file is replaced by rename, which replaces a symbolic link itself rather
        // than writing through it.
        try AtomicFile.write(bytes, to: path, modificationTime: modificationTime)
    }
}
