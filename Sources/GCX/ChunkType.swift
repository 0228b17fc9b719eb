/// The one-byte type of a chunk inside an entry record (spec/gcx.md §5).
///
/// As for records: an upper-case ASCII letter is critical (an unknown one makes the entry
/// unreadable), a lower-case letter is ancillary (an unknown one is skipped).
public struct ChunkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let source = ChunkType(rawValue: 0x53)     // "S"
    public static let mode = ChunkType(rawValue: 0x4D)       // "M"
    public static let prompt = ChunkType(rawValue: 0x50)     // "P"
    public static let thumbnail = ChunkType(rawValue: 0x54)  // "T"
    public static let generator = ChunkType(rawValue: 0x67)  // "g"
    public static let captioner = ChunkType(rawValue: 0x63)  // "c"
    public static let camera = ChunkType(rawValue: 0x6B)     // "k"
    public static let location = ChunkType(rawValue: 0x6C)   // "l"

    /// The critical chunks of v1, in the order they must appear.
    public static let criticalOrder: [ChunkType] = [.source, .mode, .prompt, .thumbnail]
    public static let known: Set<ChunkType> = [.source, .mode, .prompt, .thumbnail, .generator, .captioner, .camera, .location]

    public var isLetter: Bool { (0x41...0x5A).contains(rawValue) || (0x61...0x7A).contains(rawValue) }
    public var isCritical: Bool { (0x41...0x5A).contains(rawValue) }

    public var description: String {
        isLetter ? "\"\(Character(Unicode.Scalar(rawValue)))\"" : "0x" + String(rawValue, radix: 16)
    }
}

/// A chunk whose type this reader does not know, kept byte for byte so that it survives a copy.
public struct UnknownChunk: Equatable, Sendable {
    public var type: ChunkType
    public var data: [UInt8]
    public init(type: ChunkType, data: [UInt8]) { self.type = type; self.data = data }
}
