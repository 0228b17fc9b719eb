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

    /// Model ids this build can decode.
    static let supportedIDs = [1]

    /// Tables for model 1, decoded from the base64 literal on first use (a thread-safe global).
    static let model1: ModelTables = {
        guard let blob = Base64.decode(model1Base64), let tables = ModelTables(blob: blob) else {
            preconditionFailure("embedded model-1 tables are corrupt; regenerate with tools/promptcoder/train.py")
        }
        return tables
    }()

    /// The raw bytes of spec/prompt-model/model-1.bin as embedded (tests compare them with the file).
    static var model1Bytes: [UInt8] { Base64.decode(model1Base64) ?? [] }

    /// Parses "GCXM", model id byte, varint phrase count, phrases, varint prompt count, prompts,
    /// varint word count, front-coded words (varint shared prefix, varint suffix length, suffix,
    /// varint weight).
    init?(blob: [UInt8]) {
        var cursor = ByteCursor(blob)
        guard cursor.readBytes(4) == Array("GCXM".utf8), let id = cursor.readByte() else { return nil }
        guard let phraseCount = cursor.readVarint(), phraseCount <= PromptTokenizer.tokenBytes.count else { return nil }
        var phrases: [[UInt8]] = []
        for _ in 0..<phraseCount {
            guard let n = cursor.readVarint(), let p = cursor.readBytes(n), !p.isEmpty else { return nil }
            phrases.append(p)
        }
        guard let promptCount = cursor.readVarint() else { return nil }
        var prompts: [[UInt8]] = []
        for _ in 0..<promptCount {
            guard let n = cursor.readVarint(), let p = cursor.readBytes(n) else { return nil }
            prompts.append(p)
        }
        guard let wordCount = cursor.readVarint() else { return nil }
        var words: [[UInt8]] = []
        var weights: [Int32] = []
        words.reserveCapacity(wordCount)
        weights.reserveCapacity(wordCount)
        var prev: [UInt8] = []
        for _ in 0..<wordCount {
            guard let k = cursor.readVarint(), k <= prev.count, let n = cursor.readVarint(),
                  let suffix = cursor.readBytes(n), k + n > 0, let weight = cursor.readVarint(),
                  weight >= 1, weight <= 127 else { return nil }
            let w = Array(prev[0..<k]) + suffix
            guard w.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }), words.isEmpty || prev.lexicographicallyPrecedes(w)
            else { return nil }
            words.append(w)
            weights.append(Int32(weight))
            prev = w
        }
        guard cursor.isAtEnd else { return nil }
        modelID = Int(id)
        self.phrases = phrases
        trainingPrompts = prompts
        dictionary = words
        dictionaryWeights = weights
    }
}

/// Minimal reader over the embedded table bytes; `read*` advances, nil when truncated.
private struct ByteCursor {
    private let bytes: [UInt8]
    private var pos = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var isAtEnd: Bool { pos == bytes.count }

    mutating func readByte() -> UInt8? {
        guard pos < bytes.count else { return nil }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func readBytes(_ n: Int) -> [UInt8]? {
        guard n >= 0, n <= bytes.count - pos else { return nil }
        defer { pos += n }
        return Array(bytes[pos..<pos + n])
    }

    /// Unsigned LEB128, at most 4 bytes (values < 2^28).
    mutating func readVarint() -> Int? {
        var value = 0
        for i in 0..<4 {
            guard let b = readByte() else { return nil }
            value |= Int(b & 0x7F) << (7 * i)
            if b < 0x80 { return value }
        }
        return nil
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
