import GCXBytes

/// Captioner kinds (spec/gcx.md registry): who wrote the description.
public struct CaptionerKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The built-in structural describer (colours and layout computed from pixels).
    public static let builtin = CaptionerKind(rawValue: 0)
    /// Descriptions supplied by the user in a JSONL file.
    public static let sidecar = CaptionerKind(rawValue: 1)
    /// An OpenAI-compatible Chat Completions server with image input.
    public static let openAI = CaptionerKind(rawValue: 2)

    public static let names: [CaptionerKind: String] = [.builtin: "builtin", .sidecar: "sidecar", .openAI: "openai"]

    public var description: String { CaptionerKind.names[self] ?? "captioner \(rawValue)" }
}

/// The "c" chunk: who described the photo and under which instruction.
public struct CaptionerMetadata: Equatable, Sendable {
    public var kind: CaptionerKind
    public var model: String
    /// The raster-scan instruction version (1 = instruction-v1); 0 when unknown.
    public var instructionVersion: Int

    public init(kind: CaptionerKind, model: String = "", instructionVersion: Int = 0) {
        self.kind = kind
        self.model = model
        self.instructionVersion = instructionVersion
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(kind.rawValue)
        writer.writeString(model)
        writer.writeVarint(instructionVersion)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> CaptionerMetadata {
        let kind = CaptionerKind(rawValue: try reader.readVarint(field: "captioner kind"))
        let model = try reader.readString(field: "captioner model", maxBytes: Limits.stringBytes)
        let version = try reader.readLength(field: "instruction version", max: 0xFFFF)
        return CaptionerMetadata(kind: kind, model: model, instructionVersion: version)
    }
}
