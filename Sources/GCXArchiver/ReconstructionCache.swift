import GCXBytes
import GCX
import GCXFileIO
import SystemPackage

/// Finished reconstructions kept on disk, keyed by everything that determines them: the entry's
/// content (photo hash, size, mode, prompt, thumbnail), the generator and its parameters, and the
/// version of the reconstruction pipeline. A second extraction of the same entry with the same
/// generator costs no request. Secrets never enter a key or a file here.
public struct ReconstructionCache: Sendable {
    public let directory: FilePath
    private let files: KeyedFileStore

    /// Changes whenever the pipeline after the generator (resizing, consistency step) changes.
    static let pipelineVersion = "gcx-reconstruction-1"

    public init(directory: FilePath) {
        self.directory = directory
        files = KeyedFileStore(folder: directory, fileExtension: "png")
    }

    /// `$XDG_CACHE_HOME/gcx/reconstructions`, or `~/.cache/gcx/reconstructions`.
    public static func defaultDirectory(environment: [String: String]) -> FilePath {
        KeyedFileStore.cacheFolder(named: "gcx/reconstructions", environment: environment)
    }

    public static func key(entry: Entry, prompt: String, generator: GeneratorMetadata) -> String {
        var writer = ByteWriter()
        writer.writeString(pipelineVersion)
        writer.writeBytes(entry.source.contentHash)
        writer.writeVarint(entry.source.width)
        writer.writeVarint(entry.source.height)
        writer.writeUInt8(entry.mode.rawValue)
        writer.writeString(prompt)
        if let thumbnail = entry.thumbnail { writer.writeBytes(thumbnail.encoded()) }
        writer.writeBytes(generator.encoded())
        return SHA256.hash(writer.bytes).map { String(Int($0) + 0x100, radix: 16).dropFirst() }.joined()
    }

    /// The reconstruction stored under `key`; nil if there is none or it cannot be read (the
    /// cache is an optimisation: a miss only costs a request).
    public func load(key: String) -> [UInt8]? { (try? files.load(key: key)) ?? nil }

    /// Stores a reconstruction; written aside and renamed, so a reader never sees half a file.
    public func store(_ bytes: [UInt8], key: String) throws(FileIOError) {
        try files.store(bytes, key: key)
    }
}
