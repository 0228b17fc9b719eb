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
    /// Every prompt method this build reads: stored, model-coded and the built-in form.
    public static let standard = PromptDecoding([ModelCodedPromptDecoder(), BuiltinFormPromptDecoder()])
}

extension PromptChunk {
    /// A prompt coded with a model (spec/gcx.md Appendix B), by default the one gcx writes.
    public static func modelCoded(_ text: String, modelID: Int = PromptCoder.currentModelID) -> PromptChunk {
        PromptChunk(method: .modelCoded, decodedLength: text.utf8.count, payload: PromptCoder.encode(text, modelID: modelID))
    }

    /// A text in the built-in describer's form as its choices (spec Appendix D), or nil for other text.
    public static func builtinForm(_ text: String) -> PromptChunk? {
        BuiltinFormCoder.encode(text).map { PromptChunk(method: .builtinForm, decodedLength: text.utf8.count, payload: $0) }
    }

    /// The smallest of the stored, model-coded and (for a text in the built-in describer's form)
    /// built-in form chunks, preferring them in that order on a tie, so that no prompt grows by
    /// more than the chunk's few bytes over its UTF-8 length.
    public static func smallest(_ text: String) -> PromptChunk {
        var best = PromptChunk.stored(text)
        if text.utf8.count <= PromptCoder.maxDecodedLength {
            let coded = PromptChunk.modelCoded(text)
            // Text that codes tighter than a decoder may accept (spec B.1) is not model-coded.
            if PromptCoder.allows(decodedLength: coded.decodedLength, payloadBytes: coded.payload.count),
               coded.encoded().count < best.encoded().count { best = coded }
        }
        if let form = builtinForm(text), form.encoded().count < best.encoded().count { best = form }
        return best
    }
}
