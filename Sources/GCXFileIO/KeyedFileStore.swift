#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Files kept under a folder by a key (a lowercase hex digest): `FOLDER/ab/abcdef….EXT`, two hex
/// digits fanning them out so no folder grows huge. Stores write aside and rename, so a reader never
/// sees half a file and two writers of one key leave one whole file.
public struct KeyedFileStore: Sendable {
    public let folder: FilePath
    public let fileExtension: String

    public init(folder: FilePath, fileExtension: String) {
        self.folder = folder
        self.fileExtension = fileExtension
    }

    /// `$XDG_CACHE_HOME/NAME` (an absolute XDG_CACHE_HOME only, as the XDG spec says), else
    /// `$HOME/.cache/NAME`, else the user's home folder from the password database.
    public static func cacheFolder(named name: String, environment: [String: String]) -> FilePath {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return FilePath(xdg).appending(name) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? homeFromPasswordDatabase() ?? "/"
        return FilePath(home).appending(".cache").appending(name)
    }

    public func path(for key: String) -> FilePath {
        folder.appending(String(key.prefix(2))).appending(key + "." + fileExtension)
    }

    /// The stored bytes, or nil when there are none for `key`.
    public func load(key: String) throws(FileIOError) -> [UInt8]? {
        let path = path(for: key)
        guard try FileSystem.status(of: path) != nil else { return nil }
        return try FileSource.readAll(path)
    }

    public func store(_ bytes: [UInt8], key: String) throws(FileIOError) {
        let path = path(for: key)
        var parent = path
        parent.removeLastComponent()
        try FileSystem.createFolders(parent)
        try AtomicFile.write(bytes, to: path)
    }

    private static func homeFromPasswordDatabase() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }
}
