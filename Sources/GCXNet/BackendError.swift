import Foundation

/// A request to a backend failed. Quotes the server's own message, the HTTP status and the URL
/// path; never the API key (the client scrubs it even from server messages that echo it).
public struct BackendError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server answered with a non-success status.
        case http
        /// Could not connect (refused, unresolvable).
        case connectFailed
        /// The connect or total timeout expired.
        case timedOut
        /// The connection dropped or the server sent nothing.
        case connectionLost
        /// The server answered 2xx with a body we cannot use.
        case invalidResponse
        /// The request could not be sent at all (bad URL, local failure).
        case local
    }

    public var kind: Kind
    /// HTTP status of the last attempt; nil when no response arrived.
    public var status: Int?
    /// The server's message (`error.message`, `detail`, `errors`, ...) or the transport error.
    public var serverMessage: String
    /// URL path of the request, e.g. `/v1/images/edits`.
    public var path: String
    /// Attempts made before giving up.
    public var attempts: Int

    public init(kind: Kind, status: Int?, serverMessage: String, path: String, attempts: Int) {
        self.kind = kind
        self.status = status
        self.serverMessage = serverMessage
        self.path = path
        self.attempts = attempts
    }

    /// Whether trying again later might succeed (rate limits, server errors, network trouble).
    public var isTransient: Bool {
        switch kind {
        case .connectFailed, .timedOut, .connectionLost: return true
        case .http: return status.map(HTTPClient.isRetryableStatus) ?? false
        case .invalidResponse, .local: return false
        }
    }

    public var description: String {
        let what: String
        switch kind {
        case .http: what = "HTTP \(status ?? 0)"
        case .connectFailed: what = "connection failed"
        case .timedOut: what = "timed out"
        case .connectionLost: what = "connection lost"
        case .invalidResponse: what = status.map { "unusable response (HTTP \($0))" } ?? "unusable response"
        case .local: what = "request not sent"
        }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return "\(what) from \(path) after \(tries): \(serverMessage)"
    }
}

enum ServerMessage {
    /// Extracts the human message from an error body: OpenAI `{"error": {"message": ...}}`,
    /// A1111/FastAPI `{"detail": ...}`, `{"error": ..., "errors": ...}`; else the body text, shortened.
    static func extract(from body: [UInt8]) -> String {
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            if let error = object["error"] as? [String: Any] {
                var message = (error["message"] as? String) ?? ""
                var extras: [String] = []
                if let type = error["type"] as? String, !type.isEmpty { extras.append("type \(type)") }
                if let code = error["code"] as? String, !code.isEmpty { extras.append("code \(code)") }
                if let param = error["param"] as? String, !param.isEmpty { extras.append("param \(param)") }
                if message.isEmpty { message = "(no message)" }
                return extras.isEmpty ? message : "\(message) [\(extras.joined(separator: ", "))]"
            }
            var parts: [String] = []
            if let errors = object["errors"] { parts.append(flatten(errors)) }
            if let detail = object["detail"] { parts.append(flatten(detail)) }
            if let error = object["error"] { parts.append(flatten(error)) }
            if let message = object["message"] as? String { parts.append(message) }
            let joined = parts.filter { !$0.isEmpty }
            if !joined.isEmpty { return joined.joined(separator: ": ") }
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return "(empty body)" }
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }

    /// OpenAI's machine-readable `error.code`, e.g. `insufficient_quota`.
    static func code(from body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }

    private static func flatten(_ value: Any) -> String {
        switch value {
        case let s as String: return s
        case let list as [Any]: return list.map(flatten).filter { !$0.isEmpty }.joined(separator: "; ")
        case let dict as [String: Any]:
            // FastAPI validation item: {"loc": ["body", "steps"], "msg": "...", "type": "..."}
            if let msg = dict["msg"] as? String {
                if let loc = dict["loc"] as? [Any] {
                    return "\(loc.map { "\($0)" }.joined(separator: ".")): \(msg)"
                }
                return msg
            }
            if let message = dict["message"] as? String { return message }
            return ""
        case let n as NSNumber: return n.stringValue
        default: return ""
        }
    }
}
