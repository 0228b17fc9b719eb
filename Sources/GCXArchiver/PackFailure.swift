import GCX

/// A photo that could not be packed, and why; the rest of the batch goes on.
public struct PackFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var input: String
    public var reason: String
    /// The typed error behind `reason`, when there was one, for callers that react to its kind.
    public var cause: (any Error)?

    public init(input: String, reason: String, cause: (any Error)? = nil) {
        self.input = input
        self.reason = reason
        self.cause = cause
    }

    public static func == (a: PackFailure, b: PackFailure) -> Bool { a.input == b.input && a.reason == b.reason }

    /// The input as a terminal can show it (control characters escaped), then the reason.
    public var description: String {
        let printable = input.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
        return "\(printable ? quoted(input) : input): \(reason)"
    }
}
