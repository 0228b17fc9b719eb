import Foundation

/// The OpenAI Batch API for Chat Completions: upload a JSONL file of requests (`POST /files`,
/// purpose `batch`), create a batch over it (`POST /batches`), poll it (`GET /batches/{id}`) and
/// download its output and error files (`GET /files/{id}/content`). Answers come within 24 hours
/// at half the price of live requests.
///
/// ```swift
/// let batches = OpenAIBatchClient(baseURL: "https://api.openai.com/v1", apiKey: key)
/// let file = try await batches.upload(jsonl, filename: "photos.jsonl")
/// var batch = try await batches.create(inputFileID: file)
/// batch = try await batches.retrieve(batch.id)   // later
/// ```
public struct OpenAIBatchClient: Sendable {
    /// The endpoint every request of a caption batch goes to.
    public static let chatEndpoint = "/v1/chat/completions"
    /// The API's limits on one input file.
    public static let maxRequestsPerFile = 50_000
    public static let maxFileBytes = 200 * 1024 * 1024

    public let baseURL: String
    private let apiKey: APIKey?
    private let client: HTTPClient

    public init(baseURL: String, apiKey: APIKey?, client: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.client = client
    }

    /// Uploads a batch input file; returns its file id.
    public func upload(_ jsonl: [UInt8], filename: String) async throws -> String {
        var form = MultipartForm()
        form.addField("purpose", "batch")
        form.addFile("file", filename: filename, contentType: "application/jsonl", bytes: jsonl)
        let request = HTTPRequest(url: JSONBody.joinURL(baseURL, "/files"), headers: [("Content-Type", form.contentType)],
                                  body: form.finished(), apiKey: apiKey)
        let response = try await client.send(request)
        return try JSONBody.decode(FileObject.self, from: response, path: request.path).id
    }

    /// Creates a batch of chat completions over an uploaded file, with a 24-hour window.
    public func create(inputFileID: String, metadata: [String: String] = [:]) async throws -> Batch {
        let body = try JSONBody.encode(CreateBatch(input_file_id: inputFileID, endpoint: Self.chatEndpoint, completion_window: "24h",
                                                   metadata: metadata.isEmpty ? nil : metadata))
        let request = HTTPRequest(url: JSONBody.joinURL(baseURL, "/batches"),
                                  headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: body, apiKey: apiKey)
        return try JSONBody.decode(Batch.self, from: try await client.send(request), path: request.path)
    }

    public func retrieve(_ batchID: String) async throws -> Batch {
        let request = HTTPRequest(method: "GET", url: JSONBody.joinURL(baseURL, "/batches/\(batchID)"),
                                  headers: [("Accept", "application/json")], apiKey: apiKey)
        return try JSONBody.decode(Batch.self, from: try await client.send(request), path: request.path)
    }

    /// A file's bytes (a batch's output or error file).
    public func content(ofFile fileID: String) async throws -> [UInt8] {
        let request = HTTPRequest(method: "GET", url: JSONBody.joinURL(baseURL, "/files/\(fileID)/content"), apiKey: apiKey)
        return try await client.send(request).body
    }

    /// The requests of an output or error file: each custom id with the model's answer or why it
    /// has none. Lines that are not results are reported as such, never skipped.
    public static func results(in jsonl: [UInt8], file: String) -> [Result] {
        var results: [Result] = []
        for (number, line) in jsonl.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 13 }) {
            guard let parsed = try? JSONDecoder().decode(OutputLine.self, from: Data(line)) else {
                results.append(Result(customID: nil, outcome: .failure("line \(number + 1) of \(file) is not a batch result")))
                continue
            }
            if let response = parsed.response {
                let body = (try? JSONSerialization.data(withJSONObject: response.body?.value ?? [:])).map { Array($0) } ?? []
                if (200...299).contains(response.status_code) {
                    let wrapped = HTTPResponse(status: response.status_code, headers: [:], body: body)
                    do {
                        results.append(Result(customID: parsed.custom_id, outcome: .answer(try OpenAICaptionClient.answer(in: wrapped, path: chatEndpoint))))
                    } catch {
                        results.append(Result(customID: parsed.custom_id, outcome: .failure("\(error)")))
                    }
                } else {
                    results.append(Result(customID: parsed.custom_id,
                                          outcome: .failure("HTTP \(response.status_code): \(ServerMessage.extract(from: body))")))
                }
            } else {
                let error = parsed.error
                let message = [error?.message, error?.code.map { "[code \($0)]" }].compactMap { $0 }.joined(separator: " ")
                results.append(Result(customID: parsed.custom_id, outcome: .failure(message.isEmpty ? "no response and no error given" : message)))
            }
        }
        return results
    }

    public struct Result: Sendable, Equatable {
        public enum Outcome: Sendable, Equatable {
            case answer(String)
            case failure(String)
        }
        public var customID: String?
        public var outcome: Outcome

        public init(customID: String?, outcome: Outcome) {
            self.customID = customID
            self.outcome = outcome
        }
    }

    /// A batch as the API describes it (the fields gcx uses).
    public struct Batch: Decodable, Sendable {
        public struct Counts: Decodable, Sendable {
            public var total: Int
            public var completed: Int
            public var failed: Int
        }
        public struct Errors: Decodable, Sendable {
            public struct Item: Decodable, Sendable {
                public var code: String?
                public var message: String?
                public var line: Int?
            }
            public var data: [Item]?
        }
        public var id: String
        public var status: String
        public var outputFileID: String?
        public var errorFileID: String?
        public var errors: Errors?
        public var requestCounts: Counts?

        /// The API's snake_case names (the Batch object of the OpenAI reference).
        enum CodingKeys: String, CodingKey {
            case id, status, errors
            case outputFileID = "output_file_id", errorFileID = "error_file_id", requestCounts = "request_counts"
        }

        /// Whether the batch will change no more: its files are final.
        public var isFinished: Bool { ["completed", "failed", "expired", "cancelled"].contains(status) }

        /// What the API said went wrong with the batch as a whole.
        public var errorMessages: [String] {
            (errors?.data ?? []).map { item in
                [item.line.map { "line \($0)" }, item.message, item.code.map { "[\($0)]" }].compactMap { $0 }.joined(separator: ": ")
            }
        }
    }

    struct FileObject: Decodable { var id: String }

    struct CreateBatch: Encodable {
        var input_file_id: String
        var endpoint: String
        var completion_window: String
        var metadata: [String: String]?
    }

    struct OutputLine: Decodable {
        struct Response: Decodable {
            var status_code: Int
            var body: AnyJSON?
        }
        struct Failure: Decodable {
            var code: String?
            var message: String?
        }
        var custom_id: String?
        var response: Response?
        var error: Failure?
    }
}

/// Any JSON value, kept to be re-serialised.
struct AnyJSON: Decodable {
    let value: Any

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { value = NSNull() }
        else if let bool = try? container.decode(Bool.self) { value = bool }
        else if let number = try? container.decode(Double.self) { value = number }
        else if let text = try? container.decode(String.self) { value = text }
        else if let array = try? container.decode([AnyJSON].self) { value = array.map(\.value) }
        else { value = try container.decode([String: AnyJSON].self).mapValues(\.value) }
    }
}
