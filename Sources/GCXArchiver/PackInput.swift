import Foundation
import GCX

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

    public var description: String { "\(input): \(reason)" }
}

/// Turns command-line arguments (files and folders) into the list of photos to pack.
public enum InputCollector {
    /// File name extensions taken from folders; a file named directly is tried whatever its name.
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif"]

    /// Every photo under the arguments, folders walked recursively in name order. Hidden files and
    /// folders (names starting with ".") and symbolic links to folders are not followed.
    public static func collect(_ arguments: [String]) -> (inputs: [PackInput], failures: [PackFailure]) {
        var inputs: [PackInput] = []
        var failures: [PackFailure] = []
        var names: [String: String] = [:]
        func add(path: String, relativeName: String) {
            do {
                let name = try EntryName.make(fromRelativePath: relativeName)
                if let earlier = names[name] {
                    failures.append(PackFailure(input: path, reason: "its entry name \(quoted(name)) is already taken by \(earlier)"))
                    return
                }
                names[name] = path
                inputs.append(PackInput(path: path, name: name))
            } catch {
                failures.append(PackFailure(input: path, reason: "cannot be named in an archive: \(error)"))
            }
        }
        let files = FileManager.default
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                failures.append(PackFailure(input: argument, reason: "no such file or folder"))
                continue
            }
            if !isDirectory.boolValue {
                add(path: argument, relativeName: (argument as NSString).lastPathComponent)
                continue
            }
            for relative in walk(folder: argument) {
                add(path: (argument as NSString).appendingPathComponent(relative), relativeName: relative)
            }
        }
        return (inputs, failures)
    }

    /// Relative paths of the image files under `folder`, sorted by their UTF-8 bytes.
    static func walk(folder: String) -> [String] {
        var found: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? folder : (folder as NSString).appendingPathComponent(relative)
            guard let children = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { continue }
            for child in children where !child.hasPrefix(".") {
                let childRelative = relative.isEmpty ? child : relative + "/" + child
                let childAbsolute = (absolute as NSString).appendingPathComponent(child)
                var info = stat()
                guard lstat(childAbsolute, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(childRelative)
                case S_IFREG, S_IFLNK:
                    var target = stat()
                    if stat(childAbsolute, &target) == 0, target.st_mode & S_IFMT == S_IFREG,
                       imageExtensions.contains((child as NSString).pathExtension.lowercased()) {
                        found.append(childRelative)
                    }
                default: break
                }
            }
        }
        return found.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
