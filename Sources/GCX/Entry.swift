/// One photo in an archive: its source metadata, coding mode, prompt, optional thumbnail and the
/// metadata needed to describe and redraw it again (spec/gcx.md §5, §6).
///
///     let entry = Entry(source: source, mode: .text, prompt: .stored("Type: photograph. ..."))
///     var encoder = ArchiveEncoder()
///     let bytes = encoder.header() + (try encoder.encode(entry)) + encoder.finish()
public struct Entry: Equatable, Sendable {
    /// The "S" chunk: the original photo.
    public var source: SourceMetadata
    /// The "M" chunk: text or multimodal.
    public var mode: CodingMode
    /// The "P" chunk: the description, as coded.
    public var prompt: PromptChunk
    /// The "T" chunk: present exactly when the mode is multimodal.
    public var thumbnail: Thumbnail?
    /// The "g" chunk, or nil when the entry takes the file's default (or has none).
    public var generator: GeneratorMetadata?
    /// The "c" chunk, or nil when the entry takes the file's default (or has none).
    public var captioner: CaptionerMetadata?
    /// The camera, from the original's EXIF Make and Model.
    public var camera: CameraMetadata?
    /// Where the photo was taken; only when the packer was asked to keep it.
    public var location: LocationMetadata?
    /// Ancillary chunks this reader does not know, kept so that copying an entry keeps them.
    public var unknownChunks: [UnknownChunk]

    /// An entry of the given chunks; camera and location are set afterwards, when known.
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

    /// The entry's name: its path in the collection (§6.1.1).
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
    /// The entry's name.
    public var name: String
    /// The photo's width in pixels, orientation applied.
    public var width: Int
    /// The photo's height in pixels, orientation applied.
    public var height: Int
    /// The entry's coding mode.
    public var mode: CodingMode
    /// Bytes of the coded prompt payload.
    public var promptBytes: Int
    /// Bytes of the thumbnail payload, 0 when there is none.
    public var thumbnailBytes: Int
    /// Every byte of the entry record, framing included.
    public var recordLength: Int

    /// A row's summary, field by field.
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
