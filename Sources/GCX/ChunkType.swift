/// The one-byte type of a chunk inside an entry record (spec/gcx.md §5).
///
/// As for records: an upper-case ASCII letter is critical (an unknown one makes the entry
/// unreadable), a lower-case letter is ancillary (an unknown one is skipped).
public struct ChunkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The type byte, an ASCII letter in a valid file.
    public let rawValue: UInt8
    /// Any type byte, known or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// "S", critical: the original photo's name, size, hash and capture facts (§6.1).
    public static let source = ChunkType(rawValue: 0x53)
    /// "M", critical: text or multimodal (§6.2).
    public static let mode = ChunkType(rawValue: 0x4D)
    /// "P", critical: the description (§6.3).
    public static let prompt = ChunkType(rawValue: 0x50)
    /// "T", critical: the tiny image, in multimodal entries only (§6.4).
    public static let thumbnail = ChunkType(rawValue: 0x54)
    /// "g", ancillary: how to redraw the entry (§6.5).
    public static let generator = ChunkType(rawValue: 0x67)
    /// "c", ancillary: who described the photo (§6.6).
    public static let captioner = ChunkType(rawValue: 0x63)
    /// "k", ancillary: the camera's make and model (§6.7).
    public static let camera = ChunkType(rawValue: 0x6B)
    /// "l", ancillary: where the photo was taken (§6.8).
    public static let location = ChunkType(rawValue: 0x6C)

    /// The critical chunks of v1, in the order they must appear.
    public static let criticalOrder: [ChunkType] = [.source, .mode, .prompt, .thumbnail]
    /// Every chunk type this version defines, critical and ancillary.
    public static let known: Set<ChunkType> = [.source, .mode, .prompt, .thumbnail, .generator, .captioner, .camera, .location]

    /// An ASCII letter: the only valid type bytes (§5.1).
    public var isLetter: Bool { (0x41...0x5A).contains(rawValue) || (0x61...0x7A).contains(rawValue) }
    /// Upper case: a reader that does not know the type rejects the entry.
    public var isCritical: Bool { (0x41...0x5A).contains(rawValue) }

    /// The letter in quotes, or the byte in hex when it is no letter.
    public var description: String {
        isLetter ? "\"\(Character(Unicode.Scalar(rawValue)))\"" : "0x" + String(rawValue, radix: 16)
    }
}

/// A chunk whose type this reader does not know, kept byte for byte so that it survives a copy.
public struct UnknownChunk: Equatable, Sendable {
    /// The chunk's type byte.
    public var type: ChunkType
    /// The chunk's data, exactly as it was in the file.
    public var data: [UInt8]
    /// A chunk of `type` holding `data`.
    public init(type: ChunkType, data: [UInt8]) { self.type = type; self.data = data }
}
