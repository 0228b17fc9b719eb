import GCXBytes
import GCX
import GCXImage
import GCXThumbnailCodec

/// Redraws a photo from its prompt (and thumbnail, in multimodal mode).
public protocol Generator: Sendable {
    /// What the generator is and the parameters that change its output: recorded in entries packed
    /// with it, and part of the cache key of its reconstructions.
    var metadata: GeneratorMetadata { get }
    /// A human-readable name for progress lines.
    var label: String { get }
    /// Draws the entry. `thumbnail` is the decoded thumbnail of a multimodal entry and nil for a
    /// text one. The image may have any size: the caller resizes it to the original size and, for a
    /// multimodal entry, applies the consistency step.
    func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage
}

/// The built-in generator: the upsampled thumbnail itself, so the reconstruction is the thumbnail
/// made sharp by Lanczos-3 and exact by the consistency step. It cannot draw from text alone.
public struct BuiltinGenerator: Generator {
    public init() {}
    public var metadata: GeneratorMetadata { GeneratorMetadata(kind: .builtin) }
    public var label: String { "built-in reconstructor (upsampled thumbnail + consistency step; no generator configured)" }

    public func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage {
        guard let thumbnail, let scale = entry.thumbnail?.scale else { throw ReconstructionError.needsGenerator(entry.name) }
        return try Resampler.upsample(thumbnail, width: entry.source.width, height: entry.source.height, scale: scale)
    }
}
