import GCX
import GCXBytes
import GCXFileIO
import SystemPackage

/// Turns command-line arguments (files and folders) into the list of photos to pack, and accounts
/// for everything else it meets: nothing is left out without a word.
public enum InputCollector {
    /// File name extensions taken from folders without looking inside; any other file is judged by
    /// its first bytes.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif", "webp", "tif", "tiff",
                                                      "gif", "heic", "heif", "hif", "avif"]

    public struct Collected: Sendable {
        /// The photos, in argument order, folders walked in name order.
        public var inputs: [PackInput] = []
        /// Arguments and files that cannot be packed, each with its reason: unreadable files and
        /// folders, broken or looping symbolic links, names that are not UTF-8, images of a kind
        /// gcx does not read, name clashes.
        public var failures: [ItemFailure] = []
        /// Arguments that do not exist (an I/O error for the command line).
        public var missing: [String] = []
        /// Files inside folders that are not photos (and hidden files), left out by design.
        public var others: [String] = []
    }

    /// Every photo under the arguments, folders walked recursively in name order. Hidden files and
    /// folders (names starting with ".") are left out and counted with the other files; symbolic
    /// links to folders are not followed. A file given twice (by any path) is packed once.
    /// - Parameter prefixFolders: entry names keep the name of the folder given (`d1/x.png` for a
    ///   photo `x.png` in the folder argument `d1`), as tar does, so two folders can hold the same names.
    public static func collect(_ arguments: [String], prefixFolders: Bool = false) -> Collected {
        var collected = Collected()
        var names: [String: String] = [:]
        var seen: Set<FileIdentity> = []
        func add(path: FilePath, relativeName: String) {
            if let identity = FileSystem.identity(of: path), !seen.insert(identity).inserted { return }
            do {
                let name = try EntryName.make(fromRelativePath: relativeName)
                if let earlier = names[name] {
                    collected.failures.append(ItemFailure(path.string, stage: .naming, cause: ItemProblem.nameTaken(name, by: earlier)))
                    return
                }
                names[name] = path.string
                collected.inputs.append(PackInput(path: path, name: name))
            } catch {
                collected.failures.append(ItemFailure(path.string, stage: .naming, cause: error))
            }
        }
        for argument in arguments {
            let path = FilePath(argument)
            let status: FileStatus?
            do { status = try FileSystem.status(of: path) } catch {
                collected.failures.append(failure(error))
                continue
            }
            guard let status else {
                if FileSystem.exists(path) {
                    collected.failures.append(ItemFailure(argument, stage: .collecting, cause: ItemProblem.linkToNothing))
                } else {
                    collected.missing.append(argument)
                    collected.failures.append(ItemFailure(argument, stage: .collecting, cause: ItemProblem.noSuchFile))
                }
                continue
            }
            guard status.kind == .folder else {
                add(path: path, relativeName: path.lastComponent?.string ?? argument)
                continue
            }
            let listing = FolderWalker.walk(path)
            collected.failures += listing.problems.map(failure)
            var others = listing.others
            let prefix = prefixFolders ? folderName(argument).map { $0 + "/" } ?? "" : ""
            for relative in listing.files {
                let file = path.appending(relative)
                switch kind(of: file, named: relative) {
                case .photo: add(path: file, relativeName: prefix + relative)
                case .other: others.append(relative)
                case .failure(let failure): collected.failures.append(failure)
                }
            }
            others.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            collected.others += others.map { path.appending($0).string }
        }
        return collected
    }

    /// An I/O problem as a failure of the file it concerns.
    static func failure(_ error: FileIOError) -> ItemFailure {
        ItemFailure(error.path, stage: .collecting, cause: error)
    }

    /// The name a folder argument contributes to entry names: its last component (`~/Photos/` gives
    /// `Photos`; `.` and `/` give none).
    static func folderName(_ argument: String) -> String? {
        var path = FilePath(argument)
        path.lexicallyNormalize()
        if let last = path.lastComponent, last.kind == .regular { return last.string }
        guard let current = try? FileSystem.currentFolder() else { return nil }
        var resolved = current.pushing(FilePath(argument))
        resolved.lexicallyNormalize()
        return resolved.lastComponent.map(\.string)
    }

    enum Kind {
        case photo, other
        case failure(ItemFailure)
    }

    /// Whether a file found in a folder is a photo: by its extension, else by its first bytes.
    static func kind(of file: FilePath, named relative: String) -> Kind {
        if let ext = file.extension, imageExtensions.contains(ext.lowercased()) { return .photo }
        let head: [UInt8]
        do { head = try FileSystem.prefix(of: file, count: FileKind.sniffLength) } catch { return .failure(failure(error)) }
        let fileKind = FileKind.sniff(head[...])
        if fileKind.isReadable { return .photo }
        if fileKind.isUnreadableImage {
            return .failure(ItemFailure(file.string, stage: .collecting, cause: ItemProblem.unreadableFormat("\(fileKind)")))
        }
        return .other
    }
}
