import GCX

/// How photos become entries.
public struct PackOptions: Sendable {
    public var mode: CodingMode = .multimodal
    /// 8, 16 or 32 in practice: the thumbnail is 1/scale of the photo on each side.
    public var thumbnailScale = 8
    /// Tiny thumbnails with a byte budget: each photo gets the scale (`TinyThumbnailScale.candidates`) whose
    /// reconstruction at the budget is best; `thumbnailScale` is then unused.
    public var autoThumbnailScale = true
    public var thumbnailCodec: ThumbnailCodec = .tiny
    /// libjpeg quality for JPEG thumbnails; for tiny thumbnails without a budget, 1...100 maps onto
    /// the quantiser 63...0. Ignored when `thumbnailBytes` is set.
    public var thumbnailQuality = 50
    /// Tiny thumbnails: the best one that fits this many bytes.
    public var thumbnailBytes: Int? = PackOptions.defaultThumbnailBytes
    /// Tiny thumbnails with the auto scale: bytes below the budget are left out where they would buy
    /// less than this many dB of (estimated) reconstruction PSNR each (`TinyThumbnailScale.best`).
    public var thumbnailTradeoff: Double?
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

    public static let defaultThumbnailQuality = 50
    /// Kodak at 528 bytes with codec 5 (scale auto): 21.96 dB reconstruction PSNR, above the 21.95 dB
    /// of the earlier default (baseline JPEG, quality 50, 1/8: 1,243 bytes); entries of 599 bytes.
    public static let defaultThumbnailBytes = 528

    public init() {}
}
