import GCX
import GCXImage
import GCXNet

/// The OpenAI Images API: multimodal entries through edits (the thumbnail upsampled to the output
/// size as the input image), text entries through generations. The output size is the allowed size
/// nearest the photo's aspect ratio unless the settings give one.
public struct OpenAIGenerator: Generator {
    public let client: OpenAIImageClient
    public let settings: GeneratorSettings

    public var metadata: GeneratorMetadata {
        var recorded = settings
        recorded.model = client.model
        return recorded.metadata
    }

    public var label: String { "openai images, model \(client.model) at \(client.baseURL)" }

    public func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage {
        let size = settings.size ?? OpenAIImageSizes.nearest(width: entry.source.width, height: entry.source.height, model: client.model)
        guard let (width, height) = OpenAIImageSizes.parse(size) else {
            throw GeneratorSettingsError.invalidSize(size)
        }
        let bytes: [UInt8]
        if let thumbnail {
            let initial = try Resampler.upsample(thumbnail, width: width, height: height)
            bytes = try await client.edit(imagePNG: try PNGEncoder.encode(initial), prompt: prompt, size: size)
        } else {
            bytes = try await client.generate(prompt: prompt, size: size)
        }
        return try Reconstruction.decodeGenerated(bytes)
    }
}
