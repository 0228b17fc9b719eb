import GCXBytes

/// Generator kinds (spec/gcx.md registry): who redraws the photo.
public struct GeneratorKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kind's registry number.
    public let rawValue: UInt64
    /// Any kind, registered or not.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The built-in reconstructor: upsampled thumbnail plus the consistency step.
    public static let builtin = GeneratorKind(rawValue: 0)
    /// The OpenAI Images API (edits for multimodal entries, generations for textual ones).
    public static let openAI = GeneratorKind(rawValue: 1)
    /// AUTOMATIC1111/Forge-style `sdapi/v1` servers (img2img, txt2img).
    public static let a1111 = GeneratorKind(rawValue: 2)

    /// The registered kinds' names, as JSON and the command line write them.
    public static let names: [GeneratorKind: String] = [.builtin: "builtin", .openAI: "openai", .a1111: "a1111"]

    /// The kind's name, or its number when it has none.
    public var description: String { GeneratorKind.names[self] ?? "generator \(rawValue)" }

    /// The registered kind of this name; nil for any other.
    public init?(name: String) {
        guard let match = GeneratorKind.names.first(where: { $0.value == name }) else { return nil }
        self = match.key
    }
}

/// The "g" chunk: how the entry should be redrawn; enough to repeat an extraction.
/// It never holds a secret: keys that name one are refused (spec/gcx.md §6.5).
public struct GeneratorMetadata: Equatable, Sendable {
    /// Who redraws the photo.
    public var kind: GeneratorKind
    /// The generating model, e.g. "gpt-image-1" or a checkpoint's name; empty for the built-in one.
    public var model: String
    /// The API style, e.g. "openai-images" or "sdapi-v1"; empty for the built-in one.
    public var endpointStyle: String
    /// The seed of a seedable generator, so that a redraw repeats.
    public var seed: UInt64?
    /// Requested output width; 0 (with a height of 0) means the original size.
    public var outputWidth: Int
    /// Requested output height; 0 exactly when `outputWidth` is.
    public var outputHeight: Int
    /// Free parameters, sorted by key, keys unique.
    public var parameters: [(key: String, value: String)]

    /// Metadata of a redraw by `kind`; `parameters` are sorted by key here.
    public init(kind: GeneratorKind, model: String = "", endpointStyle: String = "", seed: UInt64? = nil,
                outputWidth: Int = 0, outputHeight: Int = 0, parameters: [(key: String, value: String)] = []) {
        self.kind = kind
        self.model = model
        self.endpointStyle = endpointStyle
        self.seed = seed
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        self.parameters = parameters.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }

    /// Equal when every field is, parameters compared in order (they are kept sorted).
    public static func == (a: GeneratorMetadata, b: GeneratorMetadata) -> Bool {
        a.kind == b.kind && a.model == b.model && a.endpointStyle == b.endpointStyle && a.seed == b.seed
            && a.outputWidth == b.outputWidth && a.outputHeight == b.outputHeight
            && a.parameters.map(\.key) == b.parameters.map(\.key) && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    /// Words that mark a parameter key as a credential.
    public static let secretKeyWords = ["key", "token", "secret", "password", "passwd", "auth", "credential", "cookie"]

    /// Why a parameter looks like a secret, or nil.
    public static func secretReason(key: String, value: String) -> String? {
        let lower = key.lowercased()
        if let word = secretKeyWords.first(where: { lower.contains($0) }) {
            return "parameter key \(quoted(key)) names a credential (\"\(word)\")"
        }
        let trimmed = value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : value
        if trimmed.hasPrefix("sk-") && trimmed.utf8.count >= 20 { return "the value of parameter \(quoted(key)) looks like an API key" }
        return nil
    }

    static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= Limits.parameterKeyBytes && key.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    enum Flag {
        static let seed: UInt8 = 1
        static let known: UInt8 = 1
    }

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(kind.rawValue)
        writer.writeString(model)
        writer.writeString(endpointStyle)
        writer.writeUInt8(seed == nil ? 0 : Flag.seed)
        if let seed { writer.writeVarint(seed) }
        writer.writeVarint(outputWidth)
        writer.writeVarint(outputHeight)
        writer.writeVarint(parameters.count)
        for (key, value) in parameters {
            writer.writeString(key)
            writer.writeString(value)
        }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> GeneratorMetadata {
        let kind = GeneratorKind(rawValue: try reader.readVarint(field: "generator kind"))
        let model = try reader.readString(field: "generator model", maxBytes: Limits.stringBytes)
        let endpoint = try reader.readString(field: "generator endpoint style", maxBytes: Limits.stringBytes)
        let flagsOffset = reader.offset
        let flags = try reader.readUInt8(field: "generator flags")
        guard flags & ~Flag.known == 0 else {
            throw FormatError(.fieldInvalid, at: flagsOffset, "generator flag bits 0x\(String(flags & ~Flag.known, radix: 16)) are undefined")
        }
        let seed = flags & Flag.seed != 0 ? try reader.readVarint(field: "generator seed") : nil
        let width = try reader.readLength(field: "generator output width", max: Limits.imageSide)
        let height = try reader.readLength(field: "generator output height", max: Limits.imageSide)
        guard (width == 0) == (height == 0) else {
            throw FormatError(.fieldInvalid, at: reader.offset, "generator output size \(width)×\(height): both sides or neither must be 0")
        }
        let count = try reader.readLength(field: "generator parameter count", max: Limits.parameterCount)
        var parameters: [(key: String, value: String)] = []
        for _ in 0..<count {
            let keyOffset = reader.offset
            let key = try reader.readString(field: "parameter key", maxBytes: Limits.parameterKeyBytes)
            guard isValidKey(key) else {
                throw FormatError(.fieldInvalid, at: keyOffset, "parameter key \(quoted(key)) is not 1-64 bytes of a-z 0-9 _ . -")
            }
            if let previous = parameters.last?.key, !Array(previous.utf8).lexicographicallyPrecedes(Array(key.utf8)) {
                throw FormatError(.fieldInvalid, at: keyOffset, "parameter keys are not strictly ascending (\(quoted(previous)) then \(quoted(key)))")
            }
            let valueOffset = reader.offset
            let value = try reader.readString(field: "parameter value", maxBytes: Limits.parameterValueBytes)
            if let reason = secretReason(key: key, value: value) {
                throw FormatError(.generatorSecret, at: valueOffset, reason + "; secrets never belong in an archive")
            }
            parameters.append((key, value))
        }
        return GeneratorMetadata(kind: kind, model: model, endpointStyle: endpoint, seed: seed,
                                 outputWidth: width, outputHeight: height, parameters: parameters)
    }
}
