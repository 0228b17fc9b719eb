import GCX
import GCXThumbnailCodec

/// How each photo's thumbnail is made, as one value: a setting that cannot apply (a byte budget
/// for JPEG, an automatic scale without a budget, a trade-off at a fixed scale) cannot be written.
public enum ThumbnailPolicy: Sendable, Equatable {
    /// No thumbnail: text entries, the description alone.
    case none
    /// Baseline JPEG at 1/`scale` of the photo on each side, at libjpeg `quality` (1 to 100).
    case jpeg(scale: Int, quality: Int)
    /// Lossless PNG at 1/`scale`.
    case png(scale: Int)
    /// gcx's tiny codec in the form `variant` (codec 5, or 4 or 3 for older readers).
    case tiny(TinyImageCodec.Variant, Tiny)

    /// How big a tiny thumbnail is.
    public enum Tiny: Sendable, Equatable {
        /// Per photo, the scale whose reconstruction is best at `budget` bytes
        /// (`TinyThumbnailScale.best`); with a `tradeoff` (dB per byte) the budget is a ceiling.
        case autoScale(budget: Int, tradeoff: Double?)
        /// At 1/`scale`, the best thumbnail that fits `budget` bytes.
        case fixedScale(Int, budget: Int)
        /// At 1/`scale`, with one quantiser (0, the finest, to `TinyImageCodec.maxQuantizer`).
        case fixedQuantizer(Int, scale: Int)
    }

    /// The scale when none is given and none is searched.
    public static let defaultScale = 8
    public static let defaultJPEGQuality = 50
    /// Kodak at 528 bytes with codec 5 (scale auto): 21.96 dB reconstruction PSNR, above the 21.95 dB
    /// of the earlier default (baseline JPEG, quality 50, 1/8: 1,243 bytes); entries of 599 bytes.
    public static let defaultBudget = 528
    /// What gcx packs with unless told otherwise.
    public static let standard = ThumbnailPolicy.tiny(.codec5, .autoScale(budget: defaultBudget, tradeoff: nil))

    /// Entries made under this policy: text without a thumbnail, multimodal with one.
    public var mode: CodingMode { self == .none ? .text : .multimodal }

    /// The codec id the thumbnails get; nil for none.
    public var codec: ThumbnailCodec? {
        switch self {
        case .none: nil
        case .jpeg: .jpeg
        case .png: .png
        case .tiny(.codec3, _): .tiny3
        case .tiny(.codec4, _): .tiny4
        case .tiny(.codec5, _): .tiny
        }
    }

    /// A 1-100 quality (100 the finest) as the tiny codec's quantiser.
    public static func tinyQuantizer(quality: Int) -> Int {
        (100 - min(100, max(1, quality))) * TinyImageCodec.maxQuantizer / 99
    }
}
