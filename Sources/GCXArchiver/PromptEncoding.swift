import GCX

/// Chooses how each prompt is stored: the smallest payload among the methods this build can write,
/// so a prompt never grows beyond its UTF-8 length and the chunk's few bytes (spec/gcx.md §6.3).
public enum PromptEncoding {
    public static func chunk(for text: String) -> PromptChunk {
        .smallest(text)
    }

    /// Every prompt method this build can decode, for readers and the validator.
    public static let decoding = PromptDecoding.standard
}
