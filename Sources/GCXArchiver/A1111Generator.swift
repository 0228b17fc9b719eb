import GCX
import GCXImage
import GCXNet

/// An AUTOMATIC1111/Forge-style server: img2img from the upsampled thumbnail for multimodal entries,
/// txt2img for text entries, at the photo's aspect ratio with the long side 1024 (multiples of 8)
/// unless the settings give a size.
public struct A1111Generator: Generator {
    public let client: A1111Client
    public let settings: GeneratorSettings

    public var metadata: GeneratorMetadata { settings.metadata }
    public var label: String { "a1111 at \(client.baseURL)\(settings.model.map { ", model \($0)" } ?? "")" }

    public func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage {
        var parameters = A1111Parameters()
        if let seed = settings.seed { parameters.seed = Int(truncatingIfNeeded: seed) }
        if let steps = settings.steps { parameters.steps = steps }
        if let cfg = settings.cfgScale { parameters.cfgScale = cfg }
        if let strength = settings.denoisingStrength { parameters.denoisingStrength = strength }
        if let sampler = settings.sampler { parameters.samplerName = sampler }
        if let negative = settings.negativePrompt { parameters.negativePrompt = negative }
        if let size = settings.size, let (width, height) = OpenAIImageSizes.parse(size) {
            parameters.width = width
            parameters.height = height
        } else {
            let longSide = max(entry.source.width, entry.source.height)
            func fit(_ side: Int) -> Int { max(64, (side * 1024 / longSide + 4) / 8 * 8) }
            parameters.width = fit(entry.source.width)
            parameters.height = fit(entry.source.height)
        }
        let bytes: [UInt8]
        if let thumbnail {
            let initial = try Resampler.upsample(thumbnail, width: parameters.width, height: parameters.height)
            bytes = try await client.img2img(initPNG: try PNGEncoder.encode(initial), prompt: prompt, parameters: parameters)
        } else {
            bytes = try await client.txt2img(prompt: prompt, parameters: parameters)
        }
        return try Reconstruction.decodeGenerated(bytes)
    }
}
