import ArgumentParser
import GCX
import GCXArchiver
import GCXNet

/// How to reach a captioner's or generator's server.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "The server's base URL, e.g. http://127.0.0.1:11434/v1 for an OpenAI-compatible server or http://127.0.0.1:7860 for AUTOMATIC1111 (default: the provider's public API). Repeat it for a pool of equivalent servers: requests are spread over them and a failed attempt is retried on the next.")
    var baseURLs: [String] = []

    /// The first server; the others share its requests (``HTTPClientOptions/servers``).
    var baseURL: String? { baseURLs.first }

    @Option(help: "Read the API key from this file instead of the OPENAI_API_KEY environment variable.")
    var apiKeyFile: String?

    @Option(help: "Trust the certificate authorities in this PEM file (a company's private CA); default CURL_CA_BUNDLE or SSL_CERT_FILE, else the system's. Proxies come from HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.")
    var caCert: String?

    @Option(help: "Seconds before one request is abandoned (and retried).")
    var timeout: Double = 300

    @Option(help: "Attempts per request, retries on 429, 5xx and connection errors included.")
    var attempts: Int = 5

    @Option(help: "At most this many requests a minute (default: no limit).")
    var requestsPerMinute: Int?

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard (1...20).contains(attempts) else { throw ValidationError("--attempts must be 1 to 20") }
        if let requestsPerMinute, requestsPerMinute < 1 { throw ValidationError("--requests-per-minute must be at least 1") }
    }

    /// The key, from --api-key-file or the environment; never printed.
    func apiKey() throws -> APIKey? {
        if let apiKeyFile { return try APIKey.fromFile(apiKeyFile) }
        return APIKey.fromEnvironment()
    }

    func client(concurrency: Int) -> HTTPClient {
        var options = HTTPClientOptions()
        options.timeout = timeout
        options.maxAttempts = attempts
        options.maxConcurrent = max(1, concurrency)
        options.requestsPerMinute = requestsPerMinute
        if let caCert { options.caFile = caCert }
        if baseURLs.count > 1 { options.servers = baseURLs }
        return HTTPClient(options: options)
    }
}

/// Which generator redraws entries, and its parameters.
struct GeneratorOptions: ParsableArguments {
    @Option(help: "builtin, openai (Images API) or a1111 (AUTOMATIC1111/Forge sdapi).")
    var generator: GeneratorArgument?

    @Option(help: "The generator's model, e.g. gpt-image-1 or an SD checkpoint name.")
    var model: String?

    @Option(help: "Seed, for generators that take one.")
    var seed: UInt64?

    @Option(help: "Output size WIDTHxHEIGHT asked of the generator (default: from the photo's aspect ratio).")
    var size: String?

    @Option(help: "openai: quality (low, medium, high, auto).")
    var quality: ImageQualityChoice?

    @Option(help: "openai: input fidelity for edits (low, high).")
    var inputFidelity: InputFidelityChoice?

    @Option(help: "a1111: sampling steps.")
    var steps: Int?

    @Option(help: "a1111: CFG scale.")
    var cfgScale: Double?

    @Option(help: "a1111: denoising strength for img2img, 0 to 1.")
    var denoisingStrength: Double?

    @Option(help: "a1111: sampler name.")
    var sampler: String?

    @Option(help: "a1111: negative prompt.")
    var negativePrompt: String?

    func validate() throws {
        if let size, OpenAIImageSizes.parse(size) == nil { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 1536x1024") }
        if let steps, !(1...500).contains(steps) { throw ValidationError("--steps must be 1 to 500") }
        if let denoisingStrength, !(0...1).contains(denoisingStrength) { throw ValidationError("--denoising-strength must be 0 to 1") }
    }

    /// The parameters given on the command line, for generator `kind`.
    func settings(kind: GeneratorKind) -> GeneratorSettings {
        var settings = GeneratorSettings(kind: kind)
        settings.model = model
        settings.seed = seed
        settings.size = size
        settings.quality = quality?.rawValue
        settings.inputFidelity = inputFidelity?.rawValue
        settings.steps = steps
        settings.cfgScale = cfgScale
        settings.denoisingStrength = denoisingStrength
        settings.sampler = sampler
        settings.negativePrompt = negativePrompt
        return settings
    }

    var chosenKind: GeneratorKind? { generator?.kind }
}
