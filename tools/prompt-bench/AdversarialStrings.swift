/// Seeded strings that stress the coder: random scalars (controls, CJK, emoji, any plane),
/// byte-ish Latin-1 text, and corpus-like text with broken labels. Same generator as the tests.
enum AdversarialStrings {
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func scalar(_ rng: inout SplitMix64) -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [0x00...0x1F, 0x20...0x7E, 0x7F...0x7FF, 0x4E00...0x9FFF,
                                             0x1F300...0x1FAFF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        while true {
            let r = ranges[rng.below(ranges.count)]
            let v = r.lowerBound + UInt32(rng.below(Int(r.upperBound - r.lowerBound) + 1))
            if let s = Unicode.Scalar(v) { return s }
        }
    }

    static func make(count: Int, seed: UInt64, maxLength: Int = 600) -> [String] {
        var rng = SplitMix64(state: seed)
        let pieces = ["Top-left: ", "\nMiddle-center: ", ". Style: ", "\n", "Composition:", "Bottom-", "continues the "]
        return (0..<count).map { i in
            var s = ""
            let n = rng.below(maxLength)
            switch i % 3 {
            case 0: for _ in 0..<n { s.unicodeScalars.append(scalar(&rng)) }
            case 1: for _ in 0..<n { s.unicodeScalars.append(Unicode.Scalar(UInt8(rng.below(256)))) }
            default:
                for _ in 0..<(n / 8) {
                    s += rng.below(2) == 0 ? pieces[rng.below(pieces.count)] : String(scalar(&rng))
                }
            }
            return s
        }
    }
}
