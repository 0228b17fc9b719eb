/// Appends encoded fields to a byte array; the writing twin of `ByteCursor`.
public struct ByteWriter {
    @usableFromInline var storage: [UInt8] = []

    /// What has been written.
    @inlinable public var bytes: [UInt8] { storage }

    /// An empty writer.
    @inlinable public init() {}

    /// One byte.
    @inlinable public mutating func writeUInt8(_ value: UInt8) { storage.append(value) }

    /// A fixed-width integer in the byte order named.
    @inlinable public mutating func writeUInt16(_ value: UInt16, _ order: ByteOrder) { writeInteger(UInt64(value), byteCount: 2, order) }
    /// A fixed-width integer in the byte order named.
    @inlinable public mutating func writeUInt32(_ value: UInt32, _ order: ByteOrder) { writeInteger(UInt64(value), byteCount: 4, order) }
    /// A fixed-width integer in the byte order named.
    @inlinable public mutating func writeUInt64(_ value: UInt64, _ order: ByteOrder) { writeInteger(value, byteCount: 8, order) }

    @inlinable
    mutating func writeInteger(_ value: UInt64, byteCount: Int, _ order: ByteOrder) {
        for k in 0..<byteCount {
            let shift = order == .littleEndian ? 8 * k : 8 * (byteCount - 1 - k)
            storage.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// An unsigned LEB128 varint in its shortest form.
    @inlinable public mutating func writeVarint(_ value: UInt64) { Varint.append(value, to: &storage) }

    /// A non-negative `Int` as an unsigned varint (a negative one is a programming error).
    @inlinable
    public mutating func writeVarint(_ value: Int) {
        precondition(value >= 0, "varints are unsigned")
        writeVarint(UInt64(value))
    }

    /// A signed value, zigzag-coded, as a varint.
    @inlinable public mutating func writeSignedVarint(_ value: Int64) { writeVarint(Varint.zigzag(value)) }

    /// Bytes as they are.
    @inlinable
    public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        storage.append(contentsOf: data)
    }

    /// A varint byte count followed by the UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ text: String) {
        writeVarint(text.utf8.count)
        storage.append(contentsOf: text.utf8)
    }
}

/// Unsigned LEB128 in its shortest form, and zigzag for signed values (spec/gcx.md §2.2).
public enum Varint {
    /// A 64-bit value needs at most ten 7-bit groups.
    public static let maxBytes = 10

    /// The number of bytes `value` takes as a varint (1 to 10).
    @inlinable
    public static func size(of value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 { count += 1; rest >>= 7 }
        return count
    }

    /// Appends `value` as a varint in its shortest form.
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// `value` as a varint in its shortest form.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return bytes
    }

    /// Maps signed onto unsigned so that small magnitudes stay small: 0, -1, 1, -2 become 0, 1, 2, 3.
    @inlinable
    public static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// The inverse of `zigzag`.
    @inlinable
    public static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
