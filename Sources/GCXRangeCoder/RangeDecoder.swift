/// Decoder matching `RangeEncoder`; reads past the end of the input return 0 (as in Opus).
public struct RangeDecoder {
    @usableFromInline var low: UInt32 = 0
    @usableFromInline var high: UInt32 = 0xFFFF_FFFF
    @usableFromInline var x: UInt32 = 0
    @usableFromInline let input: ArraySlice<UInt8>
    @usableFromInline var pos: Int
    /// Normalisation shifts so far: the encoder wrote one byte at each.
    @usableFromInline var shifts = 0

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
            shifts &+= 1
        }
        return bit
    }
}

extension RangeDecoder {
    /// The coder's interval after the bits decoded so far (test vectors, spec B.8).
    public var bounds: (low: UInt32, high: UInt32) { (low, high) }

    /// Whether the input is exactly what the encoder writes for the bits decoded so far (spec B.5,
    /// canonical end): the byte of each normalisation shift, then the final byte, with trailing
    /// zeros removed. Anything else (a byte more, a different final byte, a trailing zero) is
    /// another encoding of the same bits, which a payload must not be.
    public var isCanonicalEnd: Bool {
        let top = low >> 24
        let final = UInt8(truncatingIfNeeded: (low & 0x00FF_FFFF) == 0 ? top : top + 1)
        // The input the encoder would have written, with the decoder's zeros past the end.
        var expected = [UInt8](repeating: 0, count: shifts + 1)
        for i in 0..<min(shifts, input.count) { expected[i] = input[input.startIndex + i] }
        expected[shifts] = final
        while let last = expected.last, last == 0 { expected.removeLast() }
        return expected.elementsEqual(input)
    }
}
