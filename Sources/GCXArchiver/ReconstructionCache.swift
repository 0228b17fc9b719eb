import GCXBytes
import Foundation
import GCX
import GCXFileIO

/// Finished reconstructions kept on disk, keyed by everything that determines them: the entry's
/// content (photo hash, size, mode, prompt, thumbnail), the generator and its parameters, and the
/// version of the reconstruction pipeline. A second extraction of the same entry with the same
/// generator costs no request. Secrets never enter a key or a file here.
public struct ReconstructionCache: Sendable {
    public let directory: String

    /// Changes whenever the pipeline after the generator (resizing, consistency step) changes.
    static let pipelineVersion = "gcx-reconstruction-1"

    public init(directory: String) { self.directory = directory }

    /// `$XDG_CACHE_HOME/gcx/reconstructions`, or `~/.cache/gcx/reconstructions`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/gcx/reconstructions" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/gcx/reconstructions"
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

    func path(for key: String) -> String { "\(directory)/\(key.prefix(2))/\(key).png" }

    public func load(key: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(for: key)).map { [UInt8]($0) }
    }

    /// Stores a reconstruction; written aside and renamed, so a reader never sees half a file.
    public func store(_ bytes: [UInt8], key: String) throws {
        let file = path(for: key)
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try AtomicFile.write(bytes, to: file)
    }
}
