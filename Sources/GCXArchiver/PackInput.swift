import SystemPackage

/// One file to pack and the entry name it gets.
public struct PackInput: Sendable, Equatable {
    /// Where the file is, as the user can find it.
    public var path: FilePath
    /// The entry name: the path relative to the folder given on the command line, or the file's own
    /// name for a file given directly.
    public var name: String

    public init(path: FilePath, name: String) {
        self.path = path
        self.name = name
    }
}
