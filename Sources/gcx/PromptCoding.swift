import GCX

/// The prompt methods this build of gcx can decode.
enum PromptCoding {
    static let decoding = PromptDecoding.standard
}
