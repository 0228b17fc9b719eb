import Foundation

/// Redraws photos through the OpenAI Images API: `images/edits` (multimodal mode, the thumbnail
/// as input image) and `images/generations` (textual mode). Returns the encoded image bytes.
///
/// ```swift
/// let generator = OpenAIImageClient(apiKey: key)
/// let size = OpenAIImageSizes.nearest(width: 768, height: 512, model: generator.model)
/// let png = try await generator.edit(imagePNG: thumbnail, prompt: description, size: size)
/// ```
public struct OpenAIImageClient: Sendable {
    public static let defaultBaseURL = "https://api.openai.com/v1"
    public static let defaultModel = "gpt-image-1"

    public let baseURL: String
    public let model: String
    /// `quality` field (`low`/`medium`/`high`/`auto` for GPT image models); nil omits it.
    public let quality: String?
    /// `input_fidelity` for edits (`low`/`high`); nil omits it. Never sent to DALL·E models.
    public let inputFidelity: String?
    private let apiKey: APIKey?
    private let client: HTTPClient

    public init(baseURL: String = OpenAIImageClient.defaultBaseURL, apiKey: APIKey?,
                model: String = OpenAIImageClient.defaultModel, quality: String? = nil,
                inputFidelity: String? = "high", client: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.quality = quality
        self.inputFidelity = inputFidelity
        self.client = client
    }

    /// DALL·E models need `response_format=b64_json`; GPT image models always return base64
    /// and reject the field.
    private var isDallE: Bool { model.hasPrefix("dall-e") }

    /// Multimodal mode: edits `imagePNG` (the upscaled thumbnail) guided by `prompt`.
    /// - Parameter size: one of ``OpenAIImageSizes/sizes(for:)`` or `auto`.
    public func edit(imagePNG: [UInt8], prompt: String, size: String) async throws -> [UInt8] {
        var form = MultipartForm()
        form.addField("model", model)
        form.addFile("image", filename: "image.png", contentType: "image/png", bytes: imagePNG)
        form.addField("prompt", prompt)
        form.addField("size", size)
        if let quality { form.addField("quality", quality) }
        if let inputFidelity, !isDallE { form.addField("input_fidelity", inputFidelity) }
        if isDallE { form.addField("response_format", "b64_json") }
        form.addField("n", "1")
        let request = HTTPRequest(url: JSONBody.joinURL(baseURL, "/images/edits"),
                                  headers: [("Content-Type", form.contentType), ("Accept", "application/json")],
                                  body: form.finished(), apiKey: apiKey)
        return try await imageBytes(from: client.send(request), path: request.path)
    }

    /// Textual mode: draws from `prompt` alone.
    public func generate(prompt: String, size: String) async throws -> [UInt8] {
        let body = try JSONBody.encode(GenerationRequest(
            model: model, prompt: prompt, size: size, quality: quality, n: 1,
            response_format: isDallE ? "b64_json" : nil))
        let request = HTTPRequest(url: JSONBody.joinURL(baseURL, "/images/generations"),
                                  headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: body, apiKey: apiKey)
        return try await imageBytes(from: client.send(request), path: request.path)
    }

    private func imageBytes(from response: HTTPResponse, path: String) throws -> [UInt8] {
        let decoded = try JSONBody.decode(ImagesResponse.self, from: response, path: path)
        guard let first = decoded.data.first else {
            throw JSONBody.invalid("the answer holds no image (empty data)", response, path: path)
        }
        guard let b64 = first.b64_json else {
            if first.url != nil {
                throw JSONBody.invalid("the server returned an image URL, but gcx requests b64_json; use a model or server that returns base64", response, path: path)
            }
            throw JSONBody.invalid("data[0] has no b64_json", response, path: path)
        }
        guard let bytes = JSONBody.base64Bytes(b64), !bytes.isEmpty else {
            throw JSONBody.invalid("data[0].b64_json is not valid base64", response, path: path)
        }
        return bytes
    }
}

struct GenerationRequest: Encodable {
    var model: String
    var prompt: String
    var size: String
    var quality: String?
    var n: Int
    var response_format: String?
}

struct ImagesResponse: Decodable {
    struct Item: Decodable {
        var b64_json: String?
        var url: String?
    }
    var data: [Item]
}
