import GCXRangeCoder
import CGCXSystem

// Coding whole prompts: encode, decode, and the return to the primed state between prompts.

extension ContextModel {
    /// Codes one prompt's symbols from the primed state (spec 4.7, 5).
    func encode(_ symbols: [UInt8]) -> [UInt8] {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: symbols.count * 32 + 8)
        defer { buffer.deallocate() }
        var coder = RangeEncoder(buffer: buffer)
        startPrompt()
        let count = symbols.count
        for t in 0..<count {
            let s = symbols[t]
            if t + 1 < count { prefetchBuckets(after: s, next: symbols[t + 1]) }
            var k = 7
            while k >= 0 {
                let bit = Int(s >> UInt8(truncatingIfNeeded: k)) & 1
                coder.encode(bit: bit, p1: predict())
                update(bit)
                k &-= 1
            }
        }
        return coder.finish()
    }

    /// Encoder only: the next symbol is known, so the buckets of both its nibbles (in the primed
    /// tables, and their overlay index entries) can be prefetched while the current symbol is
    /// coded. A pure cache hint: changes no state.
    @inline(__always)
    func prefetchBuckets(after s: UInt8, next: UInt8) {
        var ahead = ctx
        ahead.advance(UInt32(s))
        ahead.hashes(into: lookahead)
        let k1: UInt32 = 0x9E37_79B1
        let k2 = UInt32(16 | next >> 4) &* 0x9E37_79B1
        let pmem = self.pmem, ovSlot = self.ovSlot
        for i in 1..<ContextModel.inputCount {
            let h = lookahead[i]
            let a = firstBucket[i] &+ Int((h ^ k1) >> shifts[i])
            let b = firstBucket[i] &+ Int((h ^ k2) >> shifts[i])
            prefetch(UnsafeRawPointer(pmem + (a &<< 4)))
            prefetch(UnsafeRawPointer(pmem + (b &<< 4)))
            prefetch(UnsafeRawPointer(ovSlot + a))
            prefetch(UnsafeRawPointer(ovSlot + b))
        }
    }

    /// Decodes symbols until `length` text bytes are produced (spec 2.3, 6); at most 8 * length bits.
    /// `trace` (test vectors, spec B.8) sees each bit with its probability and the interval after it.
    func decode(_ code: ArraySlice<UInt8>, length: Int,
                trace: ((_ p1: Int, _ bit: Int, _ low: UInt32, _ high: UInt32) -> Void)? = nil) throws(PromptCodingError) -> [UInt8] {
        var coder = RangeDecoder(code)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        startPrompt()
        let phrases = tables.phrases
        while out.count < length {
            var s = 0
            for _ in 0..<8 {
                let p1 = predict()
                let bit = coder.decode(p1: p1)
                if let trace { trace(p1, bit, coder.bounds.low, coder.bounds.high) }
                update(bit)
                s = (s << 1) | bit
            }
            let sym = UInt8(s)
            if PromptTokenizer.isToken(sym) {
                let k = PromptTokenizer.tokenIndex(sym)
                guard k < phrases.count else { throw .undefinedToken(sym, at: out.count) }
                guard phrases[k].count <= length - out.count else {
                    throw .lengthOverrun(at: out.count, decodedLength: length)
                }
                out += phrases[k]
            } else {
                out.append(sym)
            }
        }
        guard coder.isCanonicalEnd else { throw .nonCanonicalCode }
        return out
    }

    /// Returns to the primed state after a prompt: the overlays are emptied (their index entries
    /// cleared; a grown overlay is shrunk back to its default size) and touched weight rows are
    /// copied back from the primed state.
    func rewind() {
        guard let primed else { return }
        for t in mtTouched { mt[Int(t)] = primed.mt[Int(t)] }
        mtTouched.removeAll(keepingCapacity: true)
        histLen = histBase
        if histCap > histBase + (1 << 16) { resizeHistory(to: histBase + 4096) }
        sm.update(from: primed.sm, count: 32)
        for s in 1..<ovCount { ovSlot[Int(ovKey[s])] = 0 }
        ovCount = 1
        for s in 1..<aovCount { aovSlot[Int(aovKey[s])] = 0 }
        aovCount = 1
        if ovCap > ContextModel.overlayKeepBuckets { resizeBuckets(to: ContextModel.overlayBuckets) }
        if aovCap > ContextModel.overlayKeepApmRows { resizeApm(to: ContextModel.overlayApmRows) }
        for i in 0..<rowCount {
            let r = Int(rowList[i])
            rowDirty[r] = 0
            let (at, len) = ContextModel.weightRow(r)
            (weights + at).update(from: primed.weights + at, count: len)
        }
        rowCount = 0
    }
}
