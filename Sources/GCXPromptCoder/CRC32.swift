/// CRC-32 as in ISO-HDLC / zlib (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF).
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private var state: UInt32 = 0xFFFF_FFFF

    mutating func update<C: Sequence>(_ bytes: C) where C.Element == UInt8 {
        let t = CRC32.table
        var c = state
        for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        state = c
    }

    func finalize() -> UInt32 { state ^ 0xFFFF_FFFF }

    static func checksum<C: Sequence>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.finalize()
    }
}
