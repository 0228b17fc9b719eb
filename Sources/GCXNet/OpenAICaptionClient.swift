import Foundation

/// Describes a photo through an OpenAI-compatible Chat Completions endpoint with image input
/// (OpenAI, Ollama, vLLM, LM Studio, ...).
///
/// ```swift
/// let captioner = OpenAICaptionClient(apiKey: key)
/// let answer = try await captioner.describe(imageBytes: png, mimeType: "image/png", instruction: instruction)
/// ```
/// What the answer must look like, and whether to ask again, is the caller's (the raster-scan
/// schema's) business: this client only holds the conversation.
public struct OpenAICaptionClient: Sendable {
    public static let defaultBaseURL = "https://api.openai.com/v1"
    public static let defaultModel = "gpt-4o"

    public let baseURL: String
    public let model: String
    private let apiKey: APIKey?
    private let client: HTTPClient

    /// - Parameters:
    ///   - baseURL: up to and including the version, e.g. `http://127.0.0.1:11434/v1`.
    ///   - apiKey: nil for local servers that need none.
    public init(baseURL: String = OpenAICaptionClient.defaultBaseURL, apiKey: APIKey?,
                model: String = OpenAICaptionClient.defaultModel, client: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.client = client
    }

    /// Sends the instruction and the (already downscaled) photo and returns the answer. With a
    /// follow-up, the conversation goes on: the first answer as the assistant's turn, then the
    /// follow-up message, and the second answer is returned.
    /// - Parameter mimeType: `image/png` or `image/jpeg`, matching `imageBytes`.
    /// - Throws: ``BackendError``.
    public func describe(imageBytes: [UInt8], mimeType: String, instruction: String,
                         followUp: (previousAnswer: String, message: String)? = nil) async throws -> String {
        var messages = Self.messages(imageBytes: imageBytes, mimeType: mimeType, instruction: instruction)
        if let followUp {
            messages.append(ChatMessage(role: "assistant", content: .text(followUp.previousAnswer)))
            messages.append(ChatMessage(role: "user", content: .text(followUp.message)))
        }
        let url = JSONBody.joinURL(baseURL, "/chat/completions")
        let body = try JSONBody.encode(ChatRequest(model: model, messages: messages))
        let request = HTTPRequest(url: url, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: body, apiKey: apiKey)
        let response = try await client.send(request)
        return try Self.answer(in: response, path: request.path)
    }

    /// One line of a Batch API input file: the request `describe` would send first, under `customID`.
    public func batchLine(customID: String, imageBytes: [UInt8], mimeType: String, instruction: String) throws -> [UInt8] {
        let body = ChatRequest(model: model, messages: Self.messages(imageBytes: imageBytes, mimeType: mimeType, instruction: instruction))
        return try JSONBody.encode(BatchInputLine(custom_id: customID, method: "POST", url: OpenAIBatchClient.chatEndpoint, body: body))
    }

    /// The instruction and the photo, as the user's turn.
    static func messages(imageBytes: [UInt8], mimeType: String, instruction: String) -> [ChatMessage] {
        let dataURL = "data:\(mimeType);base64," + Data(imageBytes).base64EncodedString()
        return [ChatMessage(role: "user", content: .parts([
            .init(type: "text", text: instruction, image_url: nil),
            .init(type: "image_url", text: nil, image_url: .init(url: dataURL)),
        ]))]
    }

    /// The model's answer in a chat completion (a live response, or a batch output line's body).
    static func answer(in response: HTTPResponse, path: String) throws -> String {
        let decoded = try JSONBody.decode(ChatResponse.self, from: response, path: path)
        guard let choice = decoded.choices.first else {
            throw JSONBody.invalid("the answer has no choices", response, path: path)
        }
        guard let content = choice.message.content, !content.isEmpty else {
            let reason = choice.message.refusal.map { "the model refused: \($0)" }
                ?? "the answer is empty (finish_reason \(choice.finish_reason ?? "none"))"
            throw JSONBody.invalid(reason, response, path: path)
        }
        return content
    }
}

// MARK: - Wire format (Chat Completions)

struct ChatRequest: Encodable {
    var model: String
    var messages: [ChatMessage]
}

/// One request of a Batch API input file.
struct BatchInputLine: Encodable {
    var custom_id: String
    var method: String
    var url: String
    var body: ChatRequest
}

struct ChatMessage: Encodable {
    enum Content: Encodable {
        case text(String)
        case parts([Part])

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .parts(let parts): try container.encode(parts)
            }
        }
    }

    struct Part: Encodable {
        struct ImageURL: Encodable { var url: String }
        var type: String
        var text: String?
        var image_url: ImageURL?
    }

    var role: String
    var content: Content
}

struct ChatResponse: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var role: String?
            var content: String?
            var refusal: String?
        }
        var message: Message
        var finish_reason: String?
    }
    var choices: [Choice]
}
