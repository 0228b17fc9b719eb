/// An adaptive probability (spec Appendix C.5): a 16-bit estimate of P(1) that learns fast at
/// first (rate 1/(n + 1.5) after n bits) and settles at rate 1/21.5. Shared by the tiny thumbnail
/// codecs and prompt method 2.
public struct BitModel: Sendable {
    public var p = 32768
    public var n = 0

    @inlinable
    public init(p: Int = 32768, n: Int = 0) {
        self.p = p
        self.n = n
    }

    /// 65536 / (n + 1.5), rounded down, for n = 0...20.
    public static let rates: [Int] = (0...20).map { 131072 / (2 * $0 + 3) }

    /// The probability of a 1 as the range coder takes it (1...4095, in 1/4096).
    @inlinable
    public var p1: Int { min(4095, max(1, p >> 4)) }

    @inlinable
    public mutating func update(_ bit: Int) {
        let rate = Self.rates[n]
        if bit != 0 { p += ((65536 - p) * rate) >> 16 } else { p -= (p * rate) >> 16 }
        if n < 20 { n += 1 }
    }
}
