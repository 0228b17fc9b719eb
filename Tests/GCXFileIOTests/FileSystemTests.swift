import Foundation
import Testing
import GCXFileIO
import SystemPackage

/// The file-system layer on a real temporary folder: what the archiver relies on it to say.
@Suite struct FileSystemTests {
    static func folder() throws -> FilePath {
        let path = NSTemporaryDirectory() + "gcx-fs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return FilePath(path)
    }

    static func write(_ text: String, to path: FilePath) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path.string))
    }

    @Test func statusTellsKindsSizesAndIdentities() throws {
        let root = try Self.folder()
        let file = root.appending("a.txt"), link = root.appending("link"), broken = root.appending("broken")
        try Self.write("hello", to: file)
        try FileManager.default.createSymbolicLink(atPath: link.string, withDestinationPath: "a.txt")
        try FileManager.default.createSymbolicLink(atPath: broken.string, withDestinationPath: "nowhere")

        #expect(try FileSystem.status(of: file)?.kind == .regular)
        #expect(try FileSystem.status(of: file)?.size == 5)
        #expect(try FileSystem.status(of: root)?.kind == .folder)
        #expect(try FileSystem.status(of: link, followingLinks: false)?.kind == .symbolicLink)
        #expect(FileSystem.identity(of: link) == FileSystem.identity(of: file))
        #expect(FileSystem.identity(of: root.appending("x/../a.txt")) == nil, "x does not exist")
        // Nothing there is nil, not an error; a broken link exists but has no target.
        #expect(try FileSystem.status(of: root.appending("missing")) == nil)
        #expect(try FileSystem.status(of: file.appending("below")) == nil, "a file is not a folder")
        #expect(try FileSystem.status(of: broken) == nil)
        #expect(FileSystem.exists(broken) && !FileSystem.exists(root.appending("missing")))
        #expect(FileSystem.isFolder(root) && !FileSystem.isFolder(file))
    }

    @Test func aLinkThatLoopsIsAnErrorNamingIt() throws {
        let root = try Self.folder()
        let a = root.appending("a")
        try FileManager.default.createSymbolicLink(atPath: a.string, withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(atPath: root.appending("b").string, withDestinationPath: "a")
        #expect {
            try FileSystem.status(of: a)
        } throws: { error in
            let failure = error as? FileIOError
            return failure?.errno == ELOOP && failure?.path == a.string && failure?.kind == .system
        }
    }

    @Test func foldersAreCreatedRemovedAndRefusedOverFiles() throws {
        let root = try Self.folder()
        let deep = root.appending("x/y/z")
        try FileSystem.createFolders(deep)
        #expect(FileSystem.isFolder(deep))
        try FileSystem.createFolder(deep)  // already there: fine
        let file = root.appending("f")
        try Self.write("", to: file)
        #expect(throws: FileIOError.self) { try FileSystem.createFolder(file) }
        try FileSystem.remove(file)
        try FileSystem.remove(file)  // already gone: fine
        #expect(!FileSystem.exists(file))
        #expect(try FileSystem.prefix(of: FilePath("/dev/null"), count: 8) == [])
    }

    @Test func theWalkerSortsAndAccountsForEverything() throws {
        let root = try Self.folder()
        try FileSystem.createFolders(root.appending("sub/deeper"))
        for name in ["b.jpg", "a.jpg", "sub/c.png", "sub/deeper/d.txt", ".hidden", "sub/.DS_Store"] {
            try Self.write(name, to: root.appending(name))
        }
        try FileManager.default.createSymbolicLink(atPath: root.appending("to-sub").string, withDestinationPath: "sub")
        try FileManager.default.createSymbolicLink(atPath: root.appending("to-a.jpg").string, withDestinationPath: "a.jpg")
        try FileManager.default.createSymbolicLink(atPath: root.appending("gone").string, withDestinationPath: "nothing")
        try FileManager.default.createSymbolicLink(atPath: root.appending("loop").string, withDestinationPath: "loop")

        let listing = FolderWalker.walk(root)
        #expect(listing.files == ["a.jpg", "b.jpg", "sub/c.png", "sub/deeper/d.txt", "to-a.jpg"])
        #expect(listing.others == [".hidden", "sub/.DS_Store", "to-sub"], "hidden names and links to folders")
        #expect(listing.problems.map(\.description).sorted() == [
            root.appending("gone").string + ": a symbolic link to nothing",
            root.appending("loop").string + ": a symbolic link that loops",
        ])
        #expect(listing.problems.map(\.kind).sorted { "\($0)" < "\($1)" } == [.brokenLink, .loopingLink])
    }

    @Test func theWalkerReportsNamesThatAreNotUTF8AndUnreadableFolders() throws {
        let root = try Self.folder()
        // A name the system holds as bytes that are not UTF-8 (Latin-1 "é").
        let bad = root.string + "/caf\u{FFFD}"
        let badBytes = Array(root.string.utf8) + Array("/caf".utf8) + [0xE9, 0]
        let descriptor = badBytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        try #require(descriptor >= 0)
        close(descriptor)
        let locked = root.appending("locked")
        try FileSystem.createFolder(locked)
        chmod(locked.string, 0)
        defer { chmod(locked.string, 0o755) }

        let listing = FolderWalker.walk(root)
        #expect(listing.files.isEmpty, "\(listing.files), \(bad)")
        let reasons = listing.problems.map(\.description)
        #expect(reasons.contains { $0.hasPrefix(root.string + ": holds 1 name(s) that are not UTF-8") }, "\(reasons)")
        if getuid() != 0 {  // root reads any folder
            #expect(reasons.contains(locked.string + ": cannot read the folder: Permission denied"), "\(reasons)")
        }
    }

    @Test func aConfinedFolderNeverWritesThroughALink() throws {
        let root = try Self.folder()
        let outside = try Self.folder()
        let output = try ConfinedFolder(root: root.appending("out"), existing: .refuse)
        try output.write(Array("one".utf8), to: "a/b.txt")
        #expect(try String(contentsOfFile: root.appending("out/a/b.txt").string, encoding: .utf8) == "one")
        #expect(output.exists("a/b.txt") && !output.exists("a/c.txt"))
        // Written once; a second write is refused unless overwriting was asked for.
        #expect(throws: FileIOError.self) { try output.write(Array("two".utf8), to: "a/b.txt") }
        try ConfinedFolder(root: root.appending("out"), existing: .overwrite).write(Array("two".utf8), to: "a/b.txt")
        #expect(try String(contentsOfFile: root.appending("out/a/b.txt").string, encoding: .utf8) == "two")
        // A link planted inside is not followed.
        try FileManager.default.createSymbolicLink(atPath: root.appending("out/evil").string, withDestinationPath: outside.string)
        #expect {
            try output.write(Array("x".utf8), to: "evil/x.txt")
        } throws: { error in
            (error as? FileIOError)?.kind == .escapesFolder
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.string).isEmpty)
        // A name that is no entry name is refused before anything is written.
        #expect(throws: (any Error).self) { try output.write([1], to: "../escape.txt") }
        #expect(!FileSystem.exists(root.appending("escape.txt")))
        // The root must be a folder (or a link to one).
        try Self.write("", to: root.appending("plain"))
        #expect(throws: FileIOError.self) { try ConfinedFolder(root: root.appending("plain"), existing: .refuse) }
    }

    @Test func aKeyedStoreFansOutAndTheCacheFolderFollowsXDG() throws {
        let root = try Self.folder()
        let store = KeyedFileStore(folder: root.appending("cache"), fileExtension: "png")
        #expect(try store.load(key: "abcdef") == nil)
        try store.store([1, 2, 3], key: "abcdef")
        #expect(try store.load(key: "abcdef") == [1, 2, 3])
        #expect(FileSystem.exists(root.appending("cache/ab/abcdef.png")))
        #expect(KeyedFileStore.cacheFolder(named: "gcx/r", environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/gcx/r")
        #expect(KeyedFileStore.cacheFolder(named: "gcx/r", environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/gcx/r",
                "a relative XDG_CACHE_HOME is ignored, as the XDG spec says")
        #expect(KeyedFileStore.cacheFolder(named: "gcx/r", environment: ["HOME": "/h"]) == "/h/.cache/gcx/r")
    }
}
