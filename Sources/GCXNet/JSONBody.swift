import Foundation

/// JSON helpers shared by the clients.
enum JSONBody {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return Array(try encoder.encode(value))
    }

    /// Decodes a 2xx body, or throws an `invalidResponse` error naming what was wrong.
    static func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            let snippet = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw BackendError(kind: .invalidResponse, status: response.status,
                               serverMessage: "cannot decode \(T.self): \(error.localizedDescription); body starts: \(snippet)",
                               path: path, attempts: response.attempts)
        }
    }

    static func invalid(_ message: String, _ response: HTTPResponse, path: String) -> BackendError {
        BackendError(kind: .invalidResponse, status: response.status, serverMessage: message,
                     path: path, attempts: response.attempts)
    }

    /// Decodes base64 (tolerating a `data:...;base64,` prefix, as some A1111 forks send).
    static func base64Bytes(_ text: String) -> [UInt8]? {
        var payload = Substring(text)
        if payload.hasPrefix("data:"), let comma = payload.firstIndex(of: ",") {
            payload = payload[payload.index(after: comma)...]
        }
        return Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters).map { Array($0) }
    }

    static func joinURL(_ base: String, _ path: String) -> String {
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed + path
    }
}
