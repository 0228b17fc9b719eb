/// Appends encoded fields to a byte array; the writing twin of `ByteCursor`.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    public mutating func writeUInt16(_ value: UInt16, _ order: ByteOrder) { writeInteger(UInt64(value), byteCount: 2, order) }
    public mutating func writeUInt32(_ value: UInt32, _ order: ByteOrder) { writeInteger(UInt64(value), byteCount: 4, order) }
    public mutating func writeUInt64(_ value: UInt64, _ order: ByteOrder) { writeInteger(value, byteCount: 8, order) }

    private mutating func writeInteger(_ value: UInt64, byteCount: Int, _ order: ByteOrder) {
        for k in 0..<byteCount {
            let shift = order == .littleEndian ? 8 * k : 8 * (byteCount - 1 - k)
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// An unsigned LEB128 varint in its shortest form.
    public mutating func writeVarint(_ value: UInt64) { Varint.append(value, to: &bytes) }

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

/// Unsigned LEB128 in its shortest form, and zigzag for signed values (spec/gcx.md §2.2).
public enum Varint {
    /// A 64-bit value needs at most ten 7-bit groups.
    public static let maxBytes = 10

    public static func size(of value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 { count += 1; rest >>= 7 }
        return count
    }

    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return bytes
    }

    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
