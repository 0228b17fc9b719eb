/// Binary arithmetic encoder (carry-less, 32-bit low/high, byte output), spec/gcx.md §B.5: the one
/// coder of prompt method 1 and the tiny thumbnail codecs. Writes into a caller-owned buffer (the caller
/// sizes it for the worst case), so the per-bit path has no array bookkeeping.
public struct RangeEncoder {
    @usableFromInline var low: UInt32 = 0
    @usableFromInline var high: UInt32 = 0xFFFF_FFFF
    @usableFromInline let out: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0

    /// `buffer` must hold every byte the coder can write: at most 4 per coded bit (one bit
    /// can at worst collapse the range, which shifts out all 4 bytes of `low`), plus 1.
    public init(buffer: UnsafeMutablePointer<UInt8>) { out = buffer }

    /// Bytes a stream of `bits` coded bits can take at most.
    public static func worstCaseBytes(bits: Int) -> Int { 4 * bits + 1 }

    /// Bytes written so far (the finished stream is at most one more).
    public var bytesWritten: Int { count }

    /// True when the finished stream will be longer than `limit` bytes whatever is coded next: a
    /// non-zero byte is already written at or past index `limit` (finishing only drops trailing
    /// zeros and adds a byte).
    public func exceeds(_ limit: Int) -> Bool {
        guard count > limit else { return false }
        for i in max(limit, 0)..<count where out[i] != 0 { return true }
        return false
    }

    /// Codes `bit` where `p1` (1...4095) is the probability of a 1 in 1/4096 units.
    @inlinable @inline(__always)
    public mutating func encode(bit: Int, p1: Int) {
        let range = high &- low
        let p = UInt32(truncatingIfNeeded: p1)
        let mid = low &+ (range >> 12) &* p &+ (((range & 0xFFF) &* p) >> 12)
        if bit != 0 { high = mid } else { low = mid &+ 1 }
        while (low ^ high) & 0xFF00_0000 == 0 {
            out[count] = UInt8(truncatingIfNeeded: high >> 24)
            count &+= 1
            low <<= 8
            high = (high << 8) | 0xFF
        }
    }

    /// Ends the stream with one byte that, followed by zeros, lies in [low, high]; then drops
    /// trailing zero bytes because the decoder reads zeros past the end anyway.
    public mutating func finish() -> [UInt8] {
        let top = low >> 24
        out[count] = UInt8(truncatingIfNeeded: (low & 0x00FF_FFFF) == 0 ? top : top + 1)
        count += 1
        while count > 0 && out[count - 1] == 0 { count -= 1 }
        return Array(UnsafeBufferPointer(start: out, count: count))
    }
}
