/// One photo in an archive: its source metadata, coding mode, prompt, optional thumbnail and the
/// metadata needed to describe and redraw it again (spec/gcx.md §5, §6).
///
///     let entry = Entry(source: source, mode: .text, prompt: .stored("Type: photograph. ..."))
///     var encoder = ArchiveEncoder()
///     let bytes = encoder.header() + (try encoder.encode(entry)) + encoder.finish()
public struct Entry: Equatable, Sendable {
    public var source: SourceMetadata
    public var mode: CodingMode
    public var prompt: PromptChunk
    public var thumbnail: Thumbnail?
    public var generator: GeneratorMetadata?
    public var captioner: CaptionerMetadata?
    /// The camera, from the original's EXIF Make and Model.
    public var camera: CameraMetadata?
    /// Where the photo was taken; only when the packer was asked to keep it.
    public var location: LocationMetadata?
    /// Ancillary chunks this reader does not know, kept so that copying an entry keeps them.
    public var unknownChunks: [UnknownChunk]

    public init(source: SourceMetadata, mode: CodingMode, prompt: PromptChunk, thumbnail: Thumbnail? = nil,
                generator: GeneratorMetadata? = nil, captioner: CaptionerMetadata? = nil, unknownChunks: [UnknownChunk] = []) {
        self.source = source
        self.mode = mode
        self.prompt = prompt
        self.thumbnail = thumbnail
        self.generator = generator
        self.captioner = captioner
        self.unknownChunks = unknownChunks
    }

    public var name: String { source.name }

    /// What the index keeps of this entry so that listing never reads entries.
    public func summary(recordLength: Int) -> EntrySummary {
        EntrySummary(name: name, width: source.width, height: source.height, mode: mode,
                     promptBytes: prompt.payload.count, thumbnailBytes: thumbnail?.payload.count ?? 0,
                     recordLength: recordLength)
    }
}

/// The per-entry facts that `gcx list` shows, as kept in an index row.
public struct EntrySummary: Equatable, Sendable {
    public var name: String
    public var width: Int
    public var height: Int
    public var mode: CodingMode
    /// Bytes of the coded prompt payload.
    public var promptBytes: Int
    /// Bytes of the thumbnail payload, 0 when there is none.
    public var thumbnailBytes: Int
    /// Every byte of the entry record, framing included.
    public var recordLength: Int

    public init(name: String, width: Int, height: Int, mode: CodingMode, promptBytes: Int, thumbnailBytes: Int, recordLength: Int) {
        self.name = name
        self.width = width
        self.height = height
        self.mode = mode
        self.promptBytes = promptBytes
        self.thumbnailBytes = thumbnailBytes
        self.recordLength = recordLength
    }

    /// Bits per pixel of the whole entry record.
    public var bitsPerPixel: Double { Double(recordLength * 8) / Double(width * height) }
}
