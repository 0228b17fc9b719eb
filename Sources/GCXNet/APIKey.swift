import Foundation

/// A secret API key. Sent only in the `Authorization: Bearer` header; every textual form of the
/// value is redacted so it cannot leak into logs, errors or archives by accident.
///
/// ```swift
/// guard let key = APIKey.fromEnvironment() ?? (try? APIKey.fromFile(path)) else { ... }
/// print(key)            // APIKey(redacted, 51 characters)
/// ```
public struct APIKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The environment variable read by ``fromEnvironment(_:)``.
    public static let environmentVariable = "OPENAI_API_KEY"

    let secret: String

    /// Wraps a key; leading and trailing whitespace is removed. Returns nil for an empty key.
    public init?(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.contains(where: { $0.isNewline }) else { return nil }
        secret = trimmed
    }

    /// Reads `OPENAI_API_KEY` (or another variable); nil when unset or blank.
    public static func fromEnvironment(_ name: String = environmentVariable) -> APIKey? {
        guard let value = ProcessInfo.processInfo.environment[name] else { return nil }
        return APIKey(value)
    }

    /// Reads a key file (as given by `--api-key-file`); surrounding whitespace is trimmed.
    public static func fromFile(_ path: String) throws -> APIKey {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw APIKeyError.unreadable(path: path)
        }
        guard let text = String(data: data, encoding: .utf8), let key = APIKey(text) else {
            throw APIKeyError.empty(path: path)
        }
        return key
    }

    /// The header line that carries the key. The only place the secret leaves this type.
    var authorizationHeader: String { "Authorization: Bearer \(secret)" }

    public var description: String { "APIKey(redacted, \(secret.count) characters)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Why a key file could not be used. Never quotes the file's content.
public enum APIKeyError: Error, CustomStringConvertible {
    case unreadable(path: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read API key file \(path)"
        case .empty(let path): return "API key file \(path) is empty or holds more than one line"
        }
    }
}
