import Foundation

/// Generation parameters for AUTOMATIC1111/Forge-style servers.
public struct A1111Parameters: Sendable, Equatable {
    /// -1 lets the server pick; set it for reproducible reconstructions.
    public var seed: Int
    public var steps: Int
    public var cfgScale: Double
    /// img2img only: how far to move away from the init image (0...1).
    public var denoisingStrength: Double
    public var samplerName: String
    public var negativePrompt: String
    /// Output size; rounded to the nearest multiple of 8 (at least 64) before sending.
    public var width: Int
    public var height: Int

    public init(seed: Int = -1, steps: Int = 20, cfgScale: Double = 7, denoisingStrength: Double = 0.6,
                samplerName: String = "Euler a", negativePrompt: String = "", width: Int = 512, height: Int = 512) {
        self.seed = seed
        self.steps = steps
        self.cfgScale = cfgScale
        self.denoisingStrength = denoisingStrength
        self.samplerName = samplerName
        self.negativePrompt = negativePrompt
        self.width = width
        self.height = height
    }

    static func roundTo8(_ value: Int) -> Int { max(64, ((value + 4) / 8) * 8) }
}

/// Redraws photos through an AUTOMATIC1111/Forge web UI API (`--api`): `sdapi/v1/img2img`
/// (multimodal mode) and `sdapi/v1/txt2img` (textual mode). Seedable and local.
///
/// ```swift
/// let a1111 = A1111Client(baseURL: "http://127.0.0.1:7860", model: "sd_xl_base_1.0")
/// let png = try await a1111.img2img(initPNG: thumbnail, prompt: description,
///                             parameters: A1111Parameters(seed: 42, width: 768, height: 512))
/// ```
public struct A1111Client: Sendable {
    public static let defaultBaseURL = "http://127.0.0.1:7860"

    public let baseURL: String
    /// Checkpoint sent as `override_settings.sd_model_checkpoint`; nil keeps the server's.
    public let model: String?
    private let client: HTTPClient

    public init(baseURL: String = A1111Client.defaultBaseURL, model: String? = nil, client: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.model = model
        self.client = client
    }

    public func img2img(initPNG: [UInt8], prompt: String, parameters: A1111Parameters) async throws -> [UInt8] {
        var body = payload(prompt: prompt, parameters: parameters)
        body.init_images = [Data(initPNG).base64EncodedString()]
        body.denoising_strength = parameters.denoisingStrength
        return try await post("/sdapi/v1/img2img", body)
    }

    public func txt2img(prompt: String, parameters: A1111Parameters) async throws -> [UInt8] {
        try await post("/sdapi/v1/txt2img", payload(prompt: prompt, parameters: parameters))
    }

    private func payload(prompt: String, parameters: A1111Parameters) -> A1111Request {
        A1111Request(
            prompt: prompt, negative_prompt: parameters.negativePrompt, seed: parameters.seed,
            steps: parameters.steps, cfg_scale: parameters.cfgScale, sampler_name: parameters.samplerName,
            width: A1111Parameters.roundTo8(parameters.width), height: A1111Parameters.roundTo8(parameters.height),
            batch_size: 1, n_iter: 1,
            override_settings: model.map { ["sd_model_checkpoint": $0] })
    }

    private func post(_ path: String, _ body: A1111Request) async throws -> [UInt8] {
        let request = HTTPRequest(url: JSONBody.joinURL(baseURL, path),
                                  headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: try JSONBody.encode(body))
        let response = try await client.send(request)
        let decoded = try JSONBody.decode(A1111Response.self, from: response, path: request.path)
        guard let first = decoded.images?.first else {
            throw JSONBody.invalid("the answer holds no image (empty images)", response, path: request.path)
        }
        guard let bytes = JSONBody.base64Bytes(first), !bytes.isEmpty else {
            throw JSONBody.invalid("images[0] is not valid base64", response, path: request.path)
        }
        return bytes
    }
}

struct A1111Request: Encodable {
    var init_images: [String]?
    var prompt: String
    var negative_prompt: String
    var seed: Int
    var steps: Int
    var cfg_scale: Double
    var denoising_strength: Double?
    var sampler_name: String
    var width: Int
    var height: Int
    var batch_size: Int
    var n_iter: Int
    var override_settings: [String: String]?

    init(prompt: String, negative_prompt: String, seed: Int, steps: Int, cfg_scale: Double,
         sampler_name: String, width: Int, height: Int, batch_size: Int, n_iter: Int,
         override_settings: [String: String]?) {
        self.prompt = prompt
        self.negative_prompt = negative_prompt
        self.seed = seed
        self.steps = steps
        self.cfg_scale = cfg_scale
        self.sampler_name = sampler_name
        self.width = width
        self.height = height
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.override_settings = override_settings
    }
}

struct A1111Response: Decodable {
    var images: [String]?
}
