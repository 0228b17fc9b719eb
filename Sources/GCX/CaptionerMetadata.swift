import GCXBytes

/// Captioner kinds (spec/gcx.md registry): who wrote the description.
public struct CaptionerKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kind's registry number.
    public let rawValue: UInt64
    /// Any kind, registered or not.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The built-in structural describer (colours and layout computed from pixels).
    public static let builtin = CaptionerKind(rawValue: 0)
    /// Descriptions supplied by the user in a JSONL file.
    public static let sidecar = CaptionerKind(rawValue: 1)
    /// An OpenAI-compatible Chat Completions server with image input.
    public static let openAI = CaptionerKind(rawValue: 2)

    /// The registered kinds' names, as JSON and the command line write them.
    public static let names: [CaptionerKind: String] = [.builtin: "builtin", .sidecar: "sidecar", .openAI: "openai"]

    /// The kind's name, or its number when it has none.
    public var description: String { CaptionerKind.names[self] ?? "captioner \(rawValue)" }
}

/// The "c" chunk: who described the photo and under which instruction.
public struct CaptionerMetadata: Equatable, Sendable {
    /// Who described the photo.
    public var kind: CaptionerKind
    /// The captioning model, e.g. "gpt-4o"; empty for the built-in describer.
    public var model: String
    /// The raster-scan instruction version (1 = instruction-v1); 0 when unknown.
    public var instructionVersion: Int

    /// Metadata of a description by `kind` with `model` under `instructionVersion`.
    public init(kind: CaptionerKind, model: String = "", instructionVersion: Int = 0) {
        self.kind = kind
        self.model = model
        self.instructionVersion = instructionVersion
    }

    /// The chunk's data.
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
