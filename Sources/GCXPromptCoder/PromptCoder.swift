import GCXBytes

/// Codes raster-scan photo descriptions (any UTF-8 text) into compact payloads.
///
/// ```swift
/// let payload = PromptCoder.encode(prompt)
/// let text = try PromptCoder.decode(payload, decodedLength: prompt.utf8.count)
/// ```
/// Payload layout (spec/gcx.md §B.1): model id as LEB128 varint, the low 16 bits
/// of the CRC-32 of the decoded UTF-8 bytes (little-endian), then the arithmetic-coded symbols
/// with trailing zero bytes removed. Thread-safe; the model is primed once per process and per concurrent caller.
public enum PromptCoder {
    /// Model id written by `encode` unless told otherwise (spec B.3: models 2 and 3 are model 1's
    /// algorithm primed also with the built-in describer's form, which they code 2.8x smaller;
    /// model 3 also with every real description of the corpus).
    public static let currentModelID = 3
    /// Model ids this build decodes (and can encode with).
    public static var supportedModelIDs: [Int] { ModelTables.supportedIDs }
    /// Largest `decodedLength` that `decode` accepts: 64 KiB, many times a description (spec B.1).
    public static let maxDecodedLength = 1 << 16
    /// At most this many decoded bytes per payload byte, plus `ratioAllowance`: decoding costs time
    /// per decoded byte, so a few hundred bytes must not be able to demand seconds of work.
    /// Descriptions code at 5-8 bytes per byte; the allowance covers short texts that code very
    /// tightly (a training prompt, met again, codes in a few bytes); longer text that codes
    /// tighter is stored instead.
    public static let maxRatio = 32
    public static let ratioAllowance = 2048

    /// Whether a payload of `payloadBytes` may decode to `decodedLength` bytes (spec B.1).
    public static func allows(decodedLength: Int, payloadBytes: Int) -> Bool {
        decodedLength >= 0 && decodedLength <= maxDecodedLength && decodedLength <= maxRatio * payloadBytes + ratioAllowance
    }

    /// Coded payload for `text` (self-describing: starts with the model id; includes a checksum
    /// of the decoded text). `modelID` must be one of `supportedModelIDs`.
    public static func encode(_ text: String, modelID: Int = currentModelID) -> [UInt8] {
        guard let tables = ModelTables.of(id: modelID) else {
            preconditionFailure("model \(modelID) is not one of \(supportedModelIDs)")
        }
        let bytes = Array(text.utf8)
        let symbols = tables.tokenizer.symbols(for: bytes)
        var out = Varint.encode(UInt64(modelID))
        let check = CRC32.checksum(bytes) & 0xFFFF
        out.append(UInt8(truncatingIfNeeded: check))
        out.append(UInt8(truncatingIfNeeded: check >> 8))
        let body = ModelPool.shared.withModel(tables) { model in model.encode(symbols) }
        out += body
        return out
    }

    /// Decodes a payload produced by `encode`. `decodedLength` is the UTF-8 byte length of the
    /// text. Never traps on hostile input: the work is bounded by `decodedLength`.
    public static func decode(_ payload: [UInt8], decodedLength: Int) throws(PromptCodingError) -> String {
        try decode(payload, decodedLength: decodedLength, trace: nil)
    }

    /// One decoded bit of a test vector (spec B.8): its probability of a 1 (1/4096 units), the bit,
    /// and the coder's interval after it.
    public struct TraceStep: Equatable, Sendable {
        public var p1: Int
        public var bit: Int
        public var low: UInt32
        public var high: UInt32

        public init(p1: Int, bit: Int, low: UInt32, high: UInt32) {
            self.p1 = p1
            self.bit = bit
            self.low = low
            self.high = high
        }
    }

    /// SHA-256 (hex) of each part of a model's state after priming (spec B.8), in the spec's order:
    /// tables T0...T7, the APM, the mixer weights W0, W1, W2, WF, the match table MT, the match
    /// probabilities SM and the history. A reimplementation whose priming differs sees which part.
    public static func primedStateDigests(modelID: Int) -> [(part: String, sha256: String)] {
        guard let tables = ModelTables.of(id: modelID) else { return [] }
        return ContextModel.PrimedState.of(tables).digests()
    }

    /// The first `bits` steps of decoding `payload` (all of them when it has fewer): where a
    /// reimplementation compares its own to find the first bit it gets wrong.
    public static func trace(_ payload: [UInt8], decodedLength: Int, bits: Int) throws(PromptCodingError) -> [TraceStep] {
        var steps: [TraceStep] = []
        _ = try decode(payload, decodedLength: decodedLength) { p1, bit, low, high in
            if steps.count < bits { steps.append(TraceStep(p1: p1, bit: bit, low: low, high: high)) }
        }
        return steps
    }

    private static func decode(_ payload: [UInt8], decodedLength: Int,
                               trace: ((Int, Int, UInt32, UInt32) -> Void)?) throws(PromptCodingError) -> String {
        guard decodedLength >= 0, decodedLength <= maxDecodedLength else {
            throw .decodedLengthOutOfRange(decodedLength, limit: maxDecodedLength)
        }
        guard allows(decodedLength: decodedLength, payloadBytes: payload.count) else {
            throw .decodedLengthOutOfRange(decodedLength, limit: maxRatio * payload.count + ratioAllowance)
        }
        var header = ByteCursor<PromptCodingError>(payload)
        let id = try header.readVarint(field: "model id", max: 1 << 28 - 1)
        let expected = UInt32(try header.readUInt16(.littleEndian, field: "check"))
        guard let tables = ModelTables.of(id: Int(id)) else {
            throw .unknownModel(id: Int(id), supported: ModelTables.supportedIDs)
        }
        let pos = header.index

        let text = try ModelPool.shared.withModel(tables) { model throws(PromptCodingError) -> [UInt8] in
            try model.decode(payload[pos...], length: decodedLength, trace: trace)
        }
        let computed = CRC32.checksum(text) & 0xFFFF
        guard computed == expected else { throw .checksumMismatch(expected: expected, computed: computed) }
        if let bad = firstInvalidUTF8(text) { throw .invalidUTF8(at: bad) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Memory the coder has allocated in this process (every model it has used).
    public struct MemoryUsage: Sendable {
        /// The primed states shared read-only by all threads (one per model used; 0 before the first call).
        public let sharedBytes: Int
        /// Working-state instances created (one per thread that was coding at the same time).
        public let instances: Int
        /// Bytes allocated by the idle instances (normally all of them, between calls).
        public let instanceBytes: Int
        /// The models whose primed state exists, in id order.
        public let modelIDs: [Int]
        /// `sharedBytes + instanceBytes`.
        public var totalBytes: Int { sharedBytes + instanceBytes }
    }

    /// What the coder has allocated so far. Does not prime the model.
    public static func memoryUsage() -> MemoryUsage {
        let u = ModelPool.shared.usage()
        let shared = u.modelIDs.compactMap(ModelTables.of(id:)).reduce(0) {
            $0 + ContextModel.PrimedState.of($1).allocatedBytes
        }
        return MemoryUsage(sharedBytes: shared, instances: u.instances, instanceBytes: u.idleBytes, modelIDs: u.modelIDs)
    }

    /// Offset of the first byte that breaks UTF-8 validity, or nil (the stdlib decoder is the oracle).
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let u): offset += UTF8.width(u)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
