import GCXBytes

/// A research hook for the benchmark tool, not part of the format: how a candidate model file
/// (spec B.3's layout, any model id) would code texts, so that a change to the training prompts or
/// the dictionary can be measured without registering a model id. Nothing it codes is ever
/// written into an archive.
extension PromptCoder {
    /// The payload size (spec B.1: model id varint, check, code) of each text under the model
    /// file `blob`, after checking that each payload decodes back to its text. Primes the model
    /// anew on every call (about as long as coding the training prompts).
    package static func experimentalSizes(of texts: [String], modelFile blob: [UInt8]) throws(PromptCodingError) -> [Int] {
        let tables = try ModelTables(parsing: blob)
        let model = ContextModel(tables: tables, primed: .priming(tables))
        let header = Varint.encode(UInt64(tables.modelID)).count + 2
        var sizes: [Int] = []
        for text in texts {
            let bytes = Array(text.utf8)
            let code = model.encode(tables.tokenizer.symbols(for: bytes))
            model.rewind()
            let decoded = try model.decode(code[...], length: bytes.count)
            model.rewind()
            precondition(decoded == bytes, "the candidate model does not decode what it coded")
            sizes.append(header + code.count)
        }
        return sizes
    }
}
