/// CRC-32 as in ISO-HDLC, zlib and PNG (reflected polynomial 0xEDB88320, initial and final
/// value 0xFFFFFFFF). The check value of the ASCII bytes "123456789" is 0xCBF43926.
public struct CRC32 {
    @usableFromInline var state: UInt32 = 0xFFFF_FFFF

    /// A checksum of no bytes yet.
    @inlinable public init() {}

    /// Contiguous bytes (arrays, slices) take the fast path; other collections are copied first.
    @inlinable
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(buffer: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update(buffer: $0) } }
    }

    /// The loop itself, compiled once here: a generic loop instantiated in another module would
    /// run through protocol witnesses, a byte at a time.
    public mutating func update(buffer: UnsafeRawBufferPointer) {
        var crc = state
        CRC32.table.withUnsafeBufferPointer { table in
            for byte in buffer {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        state = crc
    }

    /// The CRC-32 of every byte given to `update` so far.
    @inlinable public func finalize() -> UInt32 { state ^ 0xFFFF_FFFF }

    /// The CRC-32 of `bytes` in one call.
    @inlinable
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.finalize()
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }
}
