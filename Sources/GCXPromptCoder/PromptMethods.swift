import GCX

/// Method 1 of the container's prompt chunk (spec/gcx.md §6.3, Appendix B), registered with the
/// core from here: the core knows prompt methods only through `PromptDecoder`.
public struct ModelCodedPromptDecoder: PromptDecoder {
    public init() {}
    public var method: PromptMethod { .modelCoded }
    public func decode(payload: [UInt8], decodedLength: Int) throws -> String {
        try PromptCoder.decode(payload, decodedLength: decodedLength)
    }
}

extension PromptDecoding {
    /// Every prompt method this build reads: stored and model-coded.
    public static let standard = PromptDecoding([ModelCodedPromptDecoder()])
}

extension PromptChunk {
    /// A prompt coded with a model (spec/gcx.md Appendix B), by default the one gcx writes.
    public static func modelCoded(_ text: String, modelID: Int = PromptCoder.currentModelID) -> PromptChunk {
        PromptChunk(method: .modelCoded, decodedLength: text.utf8.count, payload: PromptCoder.encode(text, modelID: modelID))
    }

    /// The smaller of the model-coded and stored forms (stored on a tie), so that no prompt grows
    /// by more than the chunk's few bytes over its UTF-8 length.
    public static func smallest(_ text: String) -> PromptChunk {
        let stored = PromptChunk.stored(text)
        guard text.utf8.count <= PromptCoder.maxDecodedLength else { return stored }
        let coded = PromptChunk.modelCoded(text)
        // Text that codes tighter than a decoder may accept (spec B.1) is stored as it is.
        guard PromptCoder.allows(decodedLength: coded.decodedLength, payloadBytes: coded.payload.count) else { return stored }
        return coded.encoded().count < stored.encoded().count ? coded : stored
    }
}
