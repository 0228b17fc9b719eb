/// Decoder matching `RangeEncoder`; reads past the end of the input return 0 (as in Opus).
public struct RangeDecoder {
    @usableFromInline var low: UInt32 = 0
    @usableFromInline var high: UInt32 = 0xFFFF_FFFF
    @usableFromInline var x: UInt32 = 0
    @usableFromInline let input: ArraySlice<UInt8>
    @usableFromInline var pos: Int

    public init(_ input: ArraySlice<UInt8>) {
        self.input = input
        pos = input.startIndex
        for _ in 0..<4 { x = (x << 8) | UInt32(readByte()) }
    }

    @inlinable @inline(__always)
    mutating func readByte() -> UInt8 {
        guard pos < input.endIndex else { return 0 }
        defer { pos += 1 }
        return input[pos]
    }

    /// Decodes one bit coded with probability `p1` (1...4095) of a 1 in 1/4096 units.
    @inlinable @inline(__always)
    public mutating func decode(p1: Int) -> Int {
        let range = high &- low
        let p = UInt32(truncatingIfNeeded: p1)
        let mid = low &+ (range >> 12) &* p &+ (((range & 0xFFF) &* p) >> 12)
        let bit: Int
        if x <= mid { bit = 1; high = mid } else { bit = 0; low = mid &+ 1 }
        while (low ^ high) & 0xFF00_0000 == 0 {
            low <<= 8
            high = (high << 8) | 0xFF
            x = (x << 8) | UInt32(readByte())
        }
        return bit
    }
}

extension RangeDecoder {
    /// Bytes of the input read so far, counting the 4 read at the start (reads past the end count too).
    public var bytesRead: Int { pos - input.startIndex }
}
