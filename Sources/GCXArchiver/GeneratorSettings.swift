import GCX
import GCXImage
import GCXNet

/// What a user asks of a generator: the kind and the parameters that change its output. They are
/// recorded in entries at pack time (`metadata`), read back at extraction (`init(metadata:)`), and
/// turned into a working generator by `makeGenerator`. Base URLs and keys are not parameters: they
/// belong to the machine, never to the archive.
public struct GeneratorSettings: Sendable, Equatable {
    public var kind: GeneratorKind = .builtin
    public var model: String?
    public var seed: UInt64?
    /// Requested output size, "WIDTHxHEIGHT"; nil lets the generator choose from the photo's aspect.
    public var size: String?
    // OpenAI Images
    public var quality: String?
    public var inputFidelity: String?
    // AUTOMATIC1111
    public var steps: Int?
    public var cfgScale: Double?
    public var denoisingStrength: Double?
    public var sampler: String?
    public var negativePrompt: String?

    public init(kind: GeneratorKind = .builtin) { self.kind = kind }

    public static let endpointStyles: [GeneratorKind: String] = [.openAI: "openai-images", .a1111: "sdapi-v1"]

    /// The "g" chunk for entries packed with these settings.
    public var metadata: GeneratorMetadata {
        var parameters: [(key: String, value: String)] = []
        func add(_ key: String, _ value: String?) { if let value { parameters.append((key, value)) } }
        add("quality", quality)
        add("input_fidelity", inputFidelity)
        add("steps", steps.map(String.init))
        add("cfg_scale", cfgScale.map { formatNumber($0) })
        add("denoising_strength", denoisingStrength.map { formatNumber($0) })
        add("sampler_name", sampler)
        add("negative_prompt", negativePrompt)
        let dimensions = size.flatMap(OpenAIImageSizes.parse)
        return GeneratorMetadata(kind: kind, model: model ?? "", endpointStyle: GeneratorSettings.endpointStyles[kind] ?? "",
                                 seed: seed, outputWidth: dimensions?.width ?? 0, outputHeight: dimensions?.height ?? 0,
                                 parameters: parameters)
    }

    /// The settings an entry recorded.
    public init(metadata: GeneratorMetadata) {
        kind = metadata.kind
        model = metadata.model.isEmpty ? nil : metadata.model
        seed = metadata.seed
        if metadata.outputWidth > 0 { size = "\(metadata.outputWidth)x\(metadata.outputHeight)" }
        let parameters = Dictionary(metadata.parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        quality = parameters["quality"]
        inputFidelity = parameters["input_fidelity"]
        steps = parameters["steps"].flatMap { Int($0) }
        cfgScale = parameters["cfg_scale"].flatMap { Double($0) }
        denoisingStrength = parameters["denoising_strength"].flatMap { Double($0) }
        sampler = parameters["sampler_name"]
        negativePrompt = parameters["negative_prompt"]
    }

    /// These settings with every parameter `other` sets put over them.
    public func overridden(by other: GeneratorSettings) -> GeneratorSettings {
        var result = other.kind == kind ? self : GeneratorSettings(kind: other.kind)
        result.model = other.model ?? result.model
        result.seed = other.seed ?? result.seed
        result.size = other.size ?? result.size
        result.quality = other.quality ?? result.quality
        result.inputFidelity = other.inputFidelity ?? result.inputFidelity
        result.steps = other.steps ?? result.steps
        result.cfgScale = other.cfgScale ?? result.cfgScale
        result.denoisingStrength = other.denoisingStrength ?? result.denoisingStrength
        result.sampler = other.sampler ?? result.sampler
        result.negativePrompt = other.negativePrompt ?? result.negativePrompt
        return result
    }

    /// Where and how to reach a generator's server.
    public struct Connection: Sendable {
        public var baseURL: String?
        public var apiKey: APIKey?
        public var client: HTTPClient

        public init(baseURL: String?, apiKey: APIKey?, client: HTTPClient) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.client = client
        }
    }

    public func makeGenerator(connection: Connection) throws -> any Generator {
        switch kind {
        case .builtin:
            return BuiltinGenerator()
        case .openAI:
            let baseURL = connection.baseURL ?? OpenAIImageClient.defaultBaseURL
            if connection.apiKey == nil && baseURL == OpenAIImageClient.defaultBaseURL {
                throw GeneratorSettingsError.missingAPIKey(generator: "openai")
            }
            let client = OpenAIImageClient(baseURL: baseURL, apiKey: connection.apiKey, model: model ?? OpenAIImageClient.defaultModel,
                                              quality: quality, inputFidelity: inputFidelity ?? "high", client: connection.client)
            return OpenAIGenerator(client: client, settings: self)
        case .a1111:
            let client = A1111Client(baseURL: connection.baseURL ?? A1111Client.defaultBaseURL, model: model, client: connection.client)
            return A1111Generator(client: client, settings: self)
        default:
            throw GeneratorSettingsError.unknownKind(kind.rawValue)
        }
    }
}

/// A generator that cannot be set up from the settings given.
public enum GeneratorSettingsError: Error, Equatable, CustomStringConvertible {
    /// The public API needs a key and none was found.
    case missingAPIKey(generator: String)
    /// An entry records a generator kind this version does not know.
    case unknownKind(UInt64)
    /// An output size that is not WIDTHxHEIGHT.
    case invalidSize(String)

    public var description: String {
        switch self {
        case .missingAPIKey(let generator): "the \(generator) generator needs an API key (OPENAI_API_KEY)"
        case .unknownKind(let kind): "generator kind \(kind) is unknown to this version of gcx"
        case .invalidSize(let size): "output size \(size) is not WIDTHxHEIGHT"
        }
    }
}

/// Shortest decimal form: 7 → "7", 0.55 → "0.55".
func formatNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
