import Foundation

/// One HTTP request as the client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL, e.g. `https://api.openai.com/v1/chat/completions`. Never holds a secret.
    public var url: String
    /// Header lines as (name, value); `Authorization` is added from ``apiKey``.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The key to send as `Authorization: Bearer`, if any.
    public var apiKey: APIKey?

    public init(method: String = "POST", url: String, headers: [(String, String)] = [],
                body: [UInt8] = [], apiKey: APIKey? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.apiKey = apiKey
    }

    /// The URL's path (what errors quote), e.g. `/v1/chat/completions`.
    public var path: String {
        guard let components = URLComponents(string: url) else { return url }
        return components.path.isEmpty ? "/" : components.path
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; of repeated headers the last one wins.
    public var headers: [String: String]
    public var body: [UInt8]
    /// How many attempts it took (1 when the first one succeeded).
    public var attempts: Int

    public init(status: Int, headers: [String: String], body: [UInt8], attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.attempts = attempts
    }

    /// Parses a raw header block; with redirects or 1xx responses, only the last block counts.
    static func parseHeaders(_ raw: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in raw.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("HTTP/") { result = [:]; continue }
            guard let colon = text.firstIndex(of: ":") else { continue }
            let name = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            result[name] = value
        }
        return result
    }
}
