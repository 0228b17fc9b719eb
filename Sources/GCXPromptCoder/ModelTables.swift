import GCXBytes

/// The versioned tables of one model id: the phrase vocabulary and the training prompts whose
/// statistics prime the context model (spec/gcx.md §B.3). Parsed once from the embedded bytes.
struct ModelTables: Sendable {
    let modelID: Int
    /// Phrase k is written as token byte `PromptTokenizer.tokenBytes[k]`.
    let phrases: [[UInt8]]
    /// Training prompts (UTF-8), in the order the model is primed with them.
    let trainingPrompts: [[UInt8]]
    /// Dictionary words (spec 4.9), in file order (sorted, unique), and their weights (1...127).
    let dictionary: [[UInt8]]
    let dictionaryWeights: [Int32]
    /// The phrases as the tokenizer uses them (spec B.2.2), made once with the tables.
    let tokenizer: PromptTokenizer

    /// Model ids this build can decode.
    static let supportedIDs = [1, 2, 3]
    /// Model 2's file opens with this many built-in descriptions (spec/prompt-model/builtin-2.jsonl),
    /// which also prime prompt method 2 (spec D.4).
    static let builtinPreludeCount = 20

    /// Tables for model 1, decoded from the base64 literal on first use (a thread-safe global).
    static let model1 = embedded(id: 1)
    /// Tables for model 2: model 1's algorithm, primed with the built-in describer's form too.
    static let model2 = embedded(id: 2)
    /// Tables for model 3: model 2 primed on the held-out half of the corpus too (every real
    /// description there is), 5.1 % smaller on descriptions it has not seen (spec B.3).
    static let model3 = embedded(id: 3)

    /// The tables of `id`, or nil if this build does not know it.
    static func of(id: Int) -> ModelTables? {
        switch id {
        case 1: model1
        case 2: model2
        case 3: model3
        default: nil
        }
    }

    private static func embedded(id: Int) -> ModelTables {
        guard let tables = ModelTables(blob: embeddedBytes(id: id)), tables.modelID == id else {
            preconditionFailure("embedded model-\(id) tables are corrupt; regenerate with tools/promptcoder/train.py")
        }
        return tables
    }

    /// The raw bytes of spec/prompt-model/model-`id`.bin as embedded (tests compare them with the file).
    static func embeddedBytes(id: Int) -> [UInt8] {
        Base64.decode(base64(id: id)) ?? []
    }

    /// The base64 literal of model `id`'s file ("" for an id this build does not know).
    private static func base64(id: Int) -> String {
        switch id {
        case 1: model1Base64
        case 2: model2Base64
        case 3: model3Base64
        default: ""
        }
    }

    /// Parses "GCXM", model id byte, varint phrase count, phrases, varint prompt count, prompts,
    /// varint word count, front-coded words (varint shared prefix, varint suffix length, suffix,
    /// varint weight).
    init?(blob: [UInt8]) {
        guard let tables = try? ModelTables(parsing: blob) else { return nil }
        self = tables
    }

    /// The first `count` training prompts of model `id`'s embedded file, read from its front
    /// without the rest: prompt method 2 primes on model 2's opening prompts, and reading a
    /// built-in form should not pay for decoding and parsing the whole model (its dictionary).
    static func openingPrompts(id: Int, count: Int) -> [[UInt8]] {
        let base64 = base64(id: id)
        // The prompts come before the dictionary: a prefix of the text usually holds them.
        for characters in [1 << 16, 1 << 18, base64.utf8.count] {
            guard let blob = Base64.decode(String(base64.prefix(characters))),
                  let head = try? head(of: blob, prompts: count), head.id == id else { continue }
            return head.prompts
        }
        preconditionFailure("embedded model-\(id) tables are corrupt; regenerate with tools/promptcoder/train.py")
    }

    /// The model id, the phrases and (at most `prompts` of) the training prompts at the front of a
    /// model file, and the cursor after them.
    private static func head(of blob: [UInt8], prompts limit: Int = .max) throws(PromptCodingError)
        -> (id: Int, phrases: [[UInt8]], prompts: [[UInt8]], cursor: ByteCursor<PromptCodingError>) {
        var cursor = ByteCursor<PromptCodingError>(blob)
        let invalid = PromptCodingError.malformedHeader("model tables are malformed")
        func count(_ field: String) throws(PromptCodingError) -> Int {
            try cursor.readLength(field: field, max: 1 << 28 - 1)
        }
        guard try cursor.readSlice(count: 4, field: "magic").elementsEqual("GCXM".utf8) else { throw invalid }
        let id = try cursor.readUInt8(field: "model id")
        let phraseCount = try count("phrase count")
        guard phraseCount <= PromptTokenizer.tokenBytes.count else { throw invalid }
        var phrases: [[UInt8]] = []
        for _ in 0..<phraseCount {
            let p = try cursor.readBytes(count: try count("phrase length"), field: "phrase")
            guard !p.isEmpty else { throw invalid }
            phrases.append(p)
        }
        var prompts: [[UInt8]] = []
        let promptCount = try count("prompt count")
        guard limit == .max || limit <= promptCount else { throw invalid }
        for _ in 0..<min(promptCount, limit) {
            prompts.append(try cursor.readBytes(count: try count("prompt length"), field: "prompt"))
        }
        return (Int(id), phrases, prompts, cursor)
    }

    init(parsing blob: [UInt8]) throws(PromptCodingError) {
        let (id, phrases, prompts, rest) = try Self.head(of: blob)
        var cursor = rest
        let invalid = PromptCodingError.malformedHeader("model tables are malformed")
        func count(_ field: String) throws(PromptCodingError) -> Int {
            try cursor.readLength(field: field, max: 1 << 28 - 1)
        }
        let wordCount = try count("word count")
        var words: [[UInt8]] = []
        var weights: [Int32] = []
        words.reserveCapacity(wordCount)
        weights.reserveCapacity(wordCount)
        var prev: [UInt8] = []
        for _ in 0..<wordCount {
            let k = try count("shared prefix")
            let suffix = try cursor.readSlice(count: try count("suffix length"), field: "suffix")
            let weight = try count("weight")
            guard k <= prev.count, k + suffix.count > 0, weight >= 1, weight <= 127 else { throw invalid }
            let w = Array(prev[0..<k]) + suffix
            guard w.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }), words.isEmpty || prev.lexicographicallyPrecedes(w)
            else { throw invalid }
            words.append(w)
            weights.append(Int32(weight))
            prev = w
        }
        guard cursor.isAtEnd else { throw invalid }
        modelID = id
        self.phrases = phrases
        tokenizer = PromptTokenizer(phrases: phrases)
        trainingPrompts = prompts
        dictionary = words
        dictionaryWeights = weights
    }
}

/// RFC 4648 base64 decoding that skips newlines; no Foundation needed.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            default: return nil
            }
            acc = (acc << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }
}
