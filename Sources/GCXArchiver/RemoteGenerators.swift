import GCX
import GCXImage
import GCXNet

/// The OpenAI Images API: multimodal entries through edits (the thumbnail upsampled to the output
/// size as the input image), text entries through generations. The output size is the allowed size
/// nearest the photo's aspect ratio unless the settings give one.
public struct OpenAIGeneratorBackend: Generator {
    public let client: OpenAIImageGenerator
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

/// An AUTOMATIC1111/Forge-style server: img2img from the upsampled thumbnail for multimodal entries,
/// txt2img for text entries, at the photo's aspect ratio with the long side 1024 (multiples of 8)
/// unless the settings give a size.
public struct A1111GeneratorBackend: Generator {
    public let client: A1111Generator
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
