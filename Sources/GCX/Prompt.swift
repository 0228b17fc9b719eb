import GCXBytes

/// How a prompt's text is coded in the "P" chunk (spec/gcx.md §6.3 and the method registry).
public struct PromptMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method's registry number.
    public let rawValue: UInt64
    /// Any method, registered or not.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Plain UTF-8.
    public static let stored = PromptMethod(rawValue: 0)
    /// The context-mixing model and range coder of spec/gcx.md Appendix B.
    public static let modelCoded = PromptMethod(rawValue: 1)
    /// The built-in describer's form stored as its choices (spec/gcx.md Appendix D).
    public static let builtinForm = PromptMethod(rawValue: 2)

    /// The method's name, or its number when it has none.
    public var description: String {
        switch self {
        case .stored: "stored"
        case .modelCoded: "model-coded"
        case .builtinForm: "built-in form"
        default: "method \(rawValue)"
        }
    }
}

/// The "P" chunk: a prompt as stored, before decoding.
public struct PromptChunk: Equatable, Sendable {
    /// How `payload` codes the text.
    public var method: PromptMethod
    /// Length in bytes of the decoded UTF-8 text.
    public var decodedLength: Int
    /// The method's payload; for `stored` the UTF-8 bytes themselves.
    public var payload: [UInt8]

    /// A chunk of `payload` coded by `method`, decoding to `decodedLength` bytes.
    public init(method: PromptMethod, decodedLength: Int, payload: [UInt8]) {
        self.method = method
        self.decodedLength = decodedLength
        self.payload = payload
    }

    /// A prompt kept as plain UTF-8.
    public static func stored(_ text: String) -> PromptChunk {
        let bytes = Array(text.utf8)
        return PromptChunk(method: .stored, decodedLength: bytes.count, payload: bytes)
    }

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(method.rawValue)
        writer.writeVarint(decodedLength)
        writer.writeBytes(payload)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> PromptChunk {
        let method = PromptMethod(rawValue: try reader.readVarint(field: "prompt method"))
        let decodedLength = try reader.readLength(field: "decoded prompt length", max: Limits.promptBytes)
        let payload = try reader.readBytes(count: reader.remaining, field: "prompt payload")
        return PromptChunk(method: method, decodedLength: decodedLength, payload: payload)
    }
}

/// Decodes the payload of one prompt method. `stored` is decoded by `PromptDecoding` itself; other methods
/// are registered by the module that implements them, so the core stays free of model tables.
public protocol PromptDecoder: Sendable {
    /// The method this decoder decodes.
    var method: PromptMethod { get }
    /// The decoded text, or a thrown description of what is wrong with the payload.
    func decode(payload: [UInt8], decodedLength: Int) throws -> String
}

/// Turns prompt chunks back into text with whatever methods are registered.
public struct PromptDecoding: Sendable {
    private var decoders: [PromptMethod: any PromptDecoder]

    /// Decoding with `decoders` besides `stored`; of two for one method, the last is used.
    public init(_ decoders: [any PromptDecoder] = []) {
        self.decoders = Dictionary(decoders.map { ($0.method, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Whether chunks of `method` can be decoded here.
    public func supports(_ method: PromptMethod) -> Bool { method == .stored || decoders[method] != nil }

    /// Decodes; throws a `FormatError` at `offset` (the chunk's position) on failure.
    public func text(of chunk: PromptChunk, at offset: Int) throws -> String {
        if chunk.method == .stored {
            guard chunk.payload.count == chunk.decodedLength else {
                throw FormatError(.promptInvalid, at: offset,
                                  "stored prompt has \(chunk.payload.count) bytes but its decoded length says \(chunk.decodedLength)")
            }
            guard let text = String(validating: chunk.payload, as: UTF8.self) else {
                throw FormatError(.promptInvalid, at: offset, "stored prompt is not valid UTF-8")
            }
            return text
        }
        guard let decoder = decoders[chunk.method] else {
            throw FormatError(.promptMethodUnknown, at: offset, "prompt coding \(chunk.method) is unknown to this reader")
        }
        let text: String
        do {
            text = try decoder.decode(payload: chunk.payload, decodedLength: chunk.decodedLength)
        } catch let error as FormatError {
            throw error
        } catch {
            throw FormatError(.promptInvalid, at: offset, "\(chunk.method) prompt does not decode: \(error)")
        }
        guard text.utf8.count == chunk.decodedLength else {
            throw FormatError(.promptInvalid, at: offset,
                              "\(chunk.method) prompt decoded to \(text.utf8.count) bytes, not the recorded \(chunk.decodedLength)")
        }
        return text
    }
}
