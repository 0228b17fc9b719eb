/// The byte-level context of spec 4.2 (everything but the partial symbol), reset per prompt.
struct SymbolContext {
    var c4: UInt32 = 0
    var c8: UInt32 = 0
    var word: UInt32 = 0
    var word1: UInt32 = 0
    var wordLen = 0
    var field: UInt32 = 0
    var fieldIndex = 0
    var clause: UInt32 = 0
    var wordInClause: UInt32 = 0

    /// Word-letter class: ASCII letters folded to lower case, digits, UTF-8 bytes; else 0.
    @inline(__always)
    static func letter(_ s: UInt32) -> UInt32 {
        switch s {
        case 0x41...0x5A: return s + 32
        case 0x61...0x7A, 0x30...0x39: return s
        case 0x80...0xBF, 0xC2...0xF4: return s
        default: return 0
        }
    }

    /// The state after symbol `s` (spec 4.2).
    @inline(__always)
    mutating func advance(_ s: UInt32) {
        c8 = (c8 << 8) | (c4 >> 24)
        c4 = (c4 << 8) | s
        if PromptTokenizer.isToken(UInt8(s)) {
            field = s; fieldIndex = PromptTokenizer.tokenIndex(UInt8(s)) + 1
            word1 = s; word = 0; wordLen = 0
            clause = 0; wordInClause = 0
        } else {
            let l = SymbolContext.letter(s)
            if l != 0 {
                if word == 0 { word = 0x811C_9DC5; wordLen = 0 }
                word = (word ^ l) &* 0x0100_0193
                wordLen &+= 1
            } else if word != 0 {
                word1 = word; word = 0; wordLen = 0
                wordInClause &+= 1
            }
            if s == 0x2C || s == 0x2E || s == 0x3B { clause &+= 1; wordInClause = 0 }
        }
    }

    @inline(__always)
    private static func mix(_ v: UInt32) -> UInt32 {
        var x = v
        x ^= x >> 16
        x = x &* 0x7FEB_352D
        x ^= x >> 15
        x = x &* 0x846C_A68B
        x ^= x >> 16
        return x
    }

    /// H(k, a, b, ...) of spec 4.3: x = 0, then x = mix(x + v) for each value.
    @inline(__always)
    private static func hash(_ k: UInt32, _ a: UInt32) -> UInt32 { mix(mix(k) &+ a) }
    @inline(__always)
    private static func hash(_ k: UInt32, _ a: UInt32, _ b: UInt32) -> UInt32 { mix(mix(mix(k) &+ a) &+ b) }
    @inline(__always)
    private static func hash(_ k: UInt32, _ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        mix(mix(mix(mix(k) &+ a) &+ b) &+ c)
    }

    /// Context hashes h[2...11] of spec 4.3.
    @inline(__always)
    func hashes(into h: UnsafeMutablePointer<UInt32>) {
        let c1 = c4 & 0xFF
        h[1] = SymbolContext.hash(2, c4 & 0xFFFF)
        h[2] = SymbolContext.hash(3, c4 & 0xFF_FFFF)
        h[3] = SymbolContext.hash(6, c4, c8 & 0xFFFF)
        h[4] = SymbolContext.hash(7, word, c1)
        h[5] = SymbolContext.hash(8, word, word1)
        h[6] = SymbolContext.hash(10, field, word)
        h[7] = SymbolContext.hash(41, UInt32(fieldIndex), clause, wordInClause)
        h[8] = SymbolContext.hash(17, word, c1)
        h[9] = SymbolContext.hash(14, c4)
    }
}
