import GCX

/// How photos become entries.
public struct PackOptions: Sendable {
    /// The thumbnail each entry gets, and so its mode (none: text entries).
    public var thumbnail: ThumbnailPolicy = .standard
    /// Who writes the descriptions.
    public var captioner: any Captioner = BuiltinCaptioner()
    /// The generator recorded in each entry, so that extraction repeats it; nil records none (the
    /// built-in reconstructor).
    public var generator: GeneratorMetadata?
    /// Requests in flight to a captioning server (the CLI's --jobs); CPU work has its own lanes.
    public var requestsInFlight = 1
    /// Keep the photo's GPS position (the "l" chunk). Off by default: a description of a private
    /// photo and the place it was taken are sensitive together.
    public var keepLocation = false

    /// The container version of a new archive (an archive appended to keeps its own).
    public var formatVersion: FormatVersion = .current
    /// Keep all 32 bytes of each photo's SHA-256; version 2 keeps the first 8 by default.
    public var keepsFullHash = false

    /// What a new archive of these options is: version 2 writes the captioner and generator
    /// once, in its defaults record, instead of in every entry.
    public var archiveFormat: ArchiveFormat {
        formatVersion == .v1 ? .v1 : ArchiveFormat(version: formatVersion, defaults: EntryDefaults(generator: generator, captioner: captioner.metadata))
    }

    public init() {}
}
