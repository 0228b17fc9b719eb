import Foundation
import GCX
import GCXBytes

/// One file to pack and the entry name it gets.
public struct PackInput: Sendable, Equatable {
    /// Where the file is, as the user can find it.
    public var path: String
    /// The entry name: the path relative to the folder given on the command line, or the file's own
    /// name for a file given directly.
    public var name: String

    public init(path: String, name: String) {
        self.path = path
        self.name = name
    }
}

/// A photo that could not be packed, and why; the rest of the batch goes on.
public struct PackFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var input: String
    public var reason: String
    /// The typed error behind `reason`, when there was one, for callers that react to its kind.
    public var cause: (any Error)?

    public init(input: String, reason: String, cause: (any Error)? = nil) {
        self.input = input
        self.reason = reason
        self.cause = cause
    }

    public static func == (a: PackFailure, b: PackFailure) -> Bool { a.input == b.input && a.reason == b.reason }

    /// The input as a terminal can show it (control characters escaped), then the reason.
    public var description: String {
        let printable = input.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
        return "\(printable ? quoted(input) : input): \(reason)"
    }
}

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
        public var failures: [PackFailure] = []
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
        func add(path: String, relativeName: String) {
            if let identity = FileIdentity(path: path), !seen.insert(identity).inserted { return }
            do {
                let name = try EntryName.make(fromRelativePath: relativeName)
                if let earlier = names[name] {
                    collected.failures.append(PackFailure(input: path, reason: "its entry name \(quoted(name)) is already taken by \(earlier)"))
                    return
                }
                names[name] = path
                collected.inputs.append(PackInput(path: path, name: name))
            } catch {
                collected.failures.append(PackFailure(input: path, reason: "cannot be named in an archive: \(error)"))
            }
        }
        for argument in arguments {
            var info = stat()
            guard stat(argument, &info) == 0 else {
                if lstat(argument, &info) == 0 {
                    collected.failures.append(PackFailure(input: argument, reason: "a symbolic link to nothing: \(String(cString: strerror(errno)))"))
                } else {
                    collected.missing.append(argument)
                    collected.failures.append(PackFailure(input: argument, reason: "no such file or folder"))
                }
                continue
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                add(path: argument, relativeName: (argument as NSString).lastPathComponent)
                continue
            }
            let walked = walk(folder: argument)
            collected.failures += walked.failures
            collected.others += walked.others.map { (argument as NSString).appendingPathComponent($0) }
            let prefix = prefixFolders ? folderName(argument).map { $0 + "/" } ?? "" : ""
            for relative in walked.photos {
                add(path: (argument as NSString).appendingPathComponent(relative), relativeName: prefix + relative)
            }
        }
        return collected
    }

    /// The name a folder argument contributes to entry names: its last component (`~/Photos/` gives
    /// `Photos`; `.` and `/` give none).
    static func folderName(_ argument: String) -> String? {
        let last = (argument as NSString).standardizingPath.split(separator: "/").last.map(String.init)
        guard let last, last != ".", last != ".." else {
            let resolved = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(argument)
            return (resolved as NSString).standardizingPath.split(separator: "/").last.map(String.init)
        }
        return last
    }

    /// The photos under `folder` (relative paths sorted by their UTF-8 bytes), what could not be
    /// looked at (failures), and the other files (relative paths).
    static func walk(folder: String) -> (photos: [String], failures: [PackFailure], others: [String]) {
        var photos: [String] = []
        var failures: [PackFailure] = []
        var others: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? folder : (folder as NSString).appendingPathComponent(relative)
            let (listing, problem) = listFolder(absolute)
            if let problem { failures.append(problem) }
            for child in listing {
                let childRelative = relative.isEmpty ? child : relative + "/" + child
                let childAbsolute = (absolute as NSString).appendingPathComponent(child)
                if child.hasPrefix(".") {
                    others.append(childRelative)
                    continue
                }
                var info = stat()
                guard lstat(childAbsolute, &info) == 0 else {
                    failures.append(PackFailure(input: childAbsolute, reason: "cannot be examined: \(String(cString: strerror(errno)))"))
                    continue
                }
                var kind = info.st_mode & S_IFMT
                if kind == S_IFLNK {
                    var target = stat()
                    guard stat(childAbsolute, &target) == 0 else {
                        let reason = errno == ELOOP ? "a symbolic link that loops" : "a symbolic link to nothing"
                        failures.append(PackFailure(input: childAbsolute, reason: reason))
                        continue
                    }
                    kind = target.st_mode & S_IFMT
                    if kind == S_IFDIR {  // links to folders are not followed (no loops, no escapes)
                        others.append(childRelative)
                        continue
                    }
                }
                switch kind {
                case S_IFDIR: pending.append(childRelative)
                case S_IFREG:
                    if imageExtensions.contains((child as NSString).pathExtension.lowercased()) {
                        photos.append(childRelative)
                        continue
                    }
                    switch sniff(childAbsolute) {
                    case .failure(let failure): failures.append(failure)
                    case .success(let fileKind) where fileKind.isReadable: photos.append(childRelative)
                    case .success(let fileKind) where fileKind.isUnreadableImage:
                        failures.append(PackFailure(input: childAbsolute, reason: "\(fileKind), which gcx cannot read (it reads PNG, JPEG, WebP, TIFF, GIF, HEIF/HEIC and AVIF)"))
                    case .success: others.append(childRelative)
                    }
                default: others.append(childRelative)
                }
            }
        }
        let order = { (a: String, b: String) in Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        return (photos.sorted(by: order), failures, others.sorted(by: order))
    }

    /// A folder's entries, read with the system's own calls so that a name that is not UTF-8 is
    /// reported rather than lost or mangled.
    static func listFolder(_ path: String) -> (names: [String], problem: PackFailure?) {
        guard let directory = opendir(path) else {
            return ([], PackFailure(input: path, reason: "cannot read the folder: \(String(cString: strerror(errno)))"))
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
            return (names, PackFailure(input: path, reason: "holds \(badNames.count) name(s) that are not UTF-8 and cannot be entry names, such as \(quoted(shown)); rename them"))
        }
        return (names, nil)
    }

    /// What a file holds, from its first bytes.
    static func sniff(_ path: String) -> Result<FileKind, PackFailure> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(PackFailure(input: path, reason: "cannot open: \(String(cString: strerror(errno)))"))
        }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: FileKind.sniffLength)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else { return .failure(PackFailure(input: path, reason: "cannot read: \(String(cString: strerror(errno)))")) }
        return .success(FileKind.sniff(head.prefix(count)))
    }
}
