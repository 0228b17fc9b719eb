/// The "M" chunk: how the entry is meant to be redrawn (spec/gcx.md §6.2).
public enum CodingMode: UInt8, Sendable, CaseIterable, Codable {
    /// Description only; the generator draws from text.
    case text = 0
    /// Description and thumbnail; the reconstruction must agree with the thumbnail.
    case multimodal = 1

    /// The name used in JSON and on the command line.
    public var name: String {
        switch self {
        case .text: "text"
        case .multimodal: "multimodal"
        }
    }

    /// The mode a name (or "textual", for text) gives; nil for any other.
    public init?(name: String) {
        switch name {
        case "text", "textual": self = .text
        case "multimodal": self = .multimodal
        default: return nil
        }
    }
}
