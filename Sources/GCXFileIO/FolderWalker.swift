#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX
import SystemPackage

/// Walks a folder tree the way an archiver must: every name read as the bytes the system holds (a
/// name that is not UTF-8 is reported, never mangled), hidden names and links to folders left out
/// but accounted for (no loops, no escapes), and nothing it could not look at passed over in silence.
public enum FolderWalker {
    public struct Listing: Sendable, Equatable {
        /// Regular files and links to them: paths relative to the folder walked, sorted by their
        /// UTF-8 bytes.
        public var files: [String] = []
        /// Hidden names (starting with "."), links to folders, devices, sockets and pipes:
        /// relative paths, sorted.
        public var others: [String] = []
        /// What could not be looked at: unreadable folders, broken or looping links, folders
        /// holding names that are not UTF-8.
        public var problems: [FileIOError] = []
    }

    public static func walk(_ folder: FilePath) -> Listing {
        var listing = Listing()
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? folder : folder.appending(relative)
            for child in names(in: absolute, problems: &listing.problems) {
                let childRelative = relative.isEmpty ? child : relative + "/" + child
                if child.hasPrefix(".") {
                    listing.others.append(childRelative)
                    continue
                }
                let path = absolute.appending(child)
                do throws(FileIOError) {
                    guard let own = try FileSystem.status(of: path, followingLinks: false) else {
                        throw FileIOError(path: path.string, operation: "examine", reason: "it vanished while the folder was read")
                    }
                    var kind = own.kind
                    if kind == .symbolicLink {
                        guard let target = try target(of: path) else { continue }
                        kind = target.kind
                        if kind == .folder {
                            listing.others.append(childRelative)
                            continue
                        }
                    }
                    switch kind {
                    case .folder: pending.append(childRelative)
                    case .regular: listing.files.append(childRelative)
                    case .symbolicLink, .other: listing.others.append(childRelative)
                    }
                } catch {
                    listing.problems.append(error)
                }
            }
        }
        let order = { (a: String, b: String) in Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        listing.files.sort(by: order)
        listing.others.sort(by: order)
        return listing

        /// What the link at `path` points to; nil (a problem recorded) when it points nowhere.
        func target(of path: FilePath) throws(FileIOError) -> FileStatus? {
            do {
                if let target = try FileSystem.status(of: path) { return target }
                listing.problems.append(FileIOError(.brokenLink, path: path.string, operation: "", reason: "a symbolic link to nothing"))
            } catch where error.errno == ELOOP {
                listing.problems.append(FileIOError(.loopingLink, path: path.string, operation: "", reason: "a symbolic link that loops"))
            }
            return nil
        }
    }

    /// The names in one folder ("." and ".." left out), as UTF-8; names that are not are reported
    /// once for the folder, with the first of them shown.
    static func names(in folder: FilePath, problems: inout [FileIOError]) -> [String] {
        guard let directory = folder.withPlatformString({ opendir($0) }) else {
            problems.append(.system("read the folder", folder.string))
            return []
        }
        defer { closedir(directory) }
        var names: [String] = []
        var badNames: [[UInt8]] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix(while: { $0 != 0 })) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) { names.append(name) } else { badNames.append(bytes) }
        }
        if let bad = badNames.first {
            let shown = String(decoding: bad, as: UTF8.self)
            problems.append(FileIOError(.nameNotUTF8, path: folder.string, operation: "",
                                        reason: "holds \(badNames.count) name(s) that are not UTF-8 and cannot be entry names, such as \(quoted(shown)); rename them"))
        }
        return names
    }
}
