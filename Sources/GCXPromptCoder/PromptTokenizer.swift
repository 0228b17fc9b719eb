/// Maps UTF-8 text to the symbol stream the model codes (spec/gcx.md §B.2): each phrase of the
/// model vocabulary becomes one byte value that never occurs in valid UTF-8; every other byte is
/// itself. So any valid UTF-8 text round-trips, and the field labels cost one symbol each.
struct PromptTokenizer: Sendable {
    /// Byte values that valid UTF-8 never contains, in phrase order.
    static let tokenBytes: [UInt8] = [0xC0, 0xC1] + (0xF5...0xFF).map { UInt8($0) }

    /// True for the 13 token byte values.
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool { b == 0xC0 || b == 0xC1 || b >= 0xF5 }

    /// Index of a token byte in `tokenBytes`.
    @inline(__always)
    static func tokenIndex(_ b: UInt8) -> Int { b <= 0xC1 ? Int(b) - 0xC0 : Int(b) - 0xF5 + 2 }

    let phrases: [[UInt8]]
    /// Phrases starting with a given byte, longest first, as (phrase index, bytes).
    private let byFirstByte: [[(Int, [UInt8])]]

    init(phrases: [[UInt8]]) {
        self.phrases = phrases
        var buckets = [[(Int, [UInt8])]](repeating: [], count: 256)
        for (k, p) in phrases.enumerated() { buckets[Int(p[0])].append((k, p)) }
        byFirstByte = buckets.map { $0.sorted { $0.1.count > $1.1.count } }
    }

    /// Greedy longest match at each position; bytes not starting a phrase pass through.
    func symbols(for text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        text.withUnsafeBufferPointer { t in
            var i = 0
            let n = t.count
            outer: while i < n {
                let candidates = byFirstByte[Int(t[i])]
                if !candidates.isEmpty {
                    for (k, p) in candidates where p.count <= n - i {
                        var j = 1
                        while j < p.count && t[i + j] == p[j] { j += 1 }
                        if j == p.count {
                            out.append(PromptTokenizer.tokenBytes[k])
                            i += p.count
                            continue outer
                        }
                    }
                }
                out.append(t[i])
                i += 1
            }
        }
        return out
    }
}
