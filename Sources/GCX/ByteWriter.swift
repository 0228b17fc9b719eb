/// Appends encoded fields to a byte array; the writing twin of `ByteReader`.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func writeU8(_ value: UInt8) { bytes.append(value) }

    public mutating func writeU32LE(_ value: UInt32) {
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }

    public mutating func writeU64LE(_ value: UInt64) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }

    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func writeVarint(_ value: Int) {
        precondition(value >= 0, "varints are unsigned")
        writeVarint(UInt64(value))
    }

    public mutating func writeSignedVarint(_ value: Int64) { writeVarint(Varint.zigzag(value)) }

    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// A varint byte count followed by the UTF-8 bytes.
    public mutating func writeString(_ text: String) {
        let utf8 = Array(text.utf8)
        writeVarint(utf8.count)
        bytes.append(contentsOf: utf8)
    }
}

/// LEB128 helpers shared by reader and writer.
public enum Varint {
    /// A 64-bit value needs at most ten 7-bit groups.
    public static let maxBytes = 10

    public static func size(of value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 { count += 1; rest >>= 7 }
        return count
    }

    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
