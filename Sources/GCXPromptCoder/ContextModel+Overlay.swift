import CGCXSystem

// The copy-on-write overlay and per-symbol context selection: which buckets and APM rows the
// current prompt reads and writes, and how they are copied from the primed state (spec 4.3, 4.6).

extension ContextModel {
    /// Reallocates the match history with `cap` symbols, keeping the first `histLen`.
    func resizeHistory(to cap: Int) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        p.update(from: hist, count: histLen)
        hist.deallocate()
        hist = p; histCap = cap
    }

    /// Reallocates the bucket overlay with `cap` slots, keeping slots 1..<ovCount.
    func resizeBuckets(to cap: Int) {
        let (raw, bytes) = ContextModel.allocateTable(bytes: cap * 64)
        let p = raw.bindMemory(to: UInt32.self, capacity: cap * 16)
        p.update(from: ov, count: ovCount * 16)
        let k = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        k.update(from: ovKey, count: ovCount)
        ovBase.deallocate(); ovKey.deallocate()
        ovBase = raw; ov = p; ovKey = k; ovBytes = bytes; ovCap = cap
    }

    /// Reallocates the APM overlay with `cap` rows, keeping rows 1..<aovCount.
    func resizeApm(to cap: Int) {
        let (raw, bytes) = ContextModel.allocateTable(bytes: cap * 48)
        let p = raw.bindMemory(to: UInt16.self, capacity: cap * 24)
        p.update(from: aov, count: aovCount * 24)
        let k = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        k.update(from: aovKey, count: aovCount)
        aovBase.deallocate(); aovKey.deallocate()
        aovBase = raw; aov = p; aovKey = k; aovBytes = bytes; aovCap = cap
    }

    /// Offset and length in `weights` of weight row `r` (numbering of `markRows`).
    static func weightRow(_ r: Int) -> (Int, Int) {
        if r < 256 { return (w0Base + r * w0Row, w0Row) }
        if r < rowBase2 { return (w1Base + (r - rowBase1) * mi, mi) }
        if r < rowBaseF { return (w2Base + (r - rowBase2) * mi, mi) }
        return (wfBase + (r - rowBaseF) * 3, 3)
    }

    /// Resets the per-prompt state (spec 4.2). The local tables are already empty: the primed
    /// state has them empty and `rewind` drops every bucket a prompt touched.
    func startPrompt() {
        c0 = 1
        ctx = SymbolContext()
        mlen = 0; mptr = 0; mbyte = 0
        dNode = -1; dA = 0; dB = 0
        computeHashes()
        selectBuckets()
    }

    func computeHashes() { ctx.hashes(into: hashes) }

    /// Overlay slot of bucket `b`, copied from the primed state if not yet in the overlay.
    @inline(__always)
    func ownBucket(_ b: Int) -> Int {
        let s = Int(ovSlot[b])
        if s != 0 { return s }
        let t = ovCount
        ovCount = t &+ 1
        ovSlot[b] = Int32(truncatingIfNeeded: t)
        ovKey[t] = Int32(truncatingIfNeeded: b)
        (ov + (t &<< 4)).update(from: pmem + (b &<< 4), count: 16)
        return t
    }

    /// Finds (or claims) each table's bucket for the nibble that starts now (spec 4.3).
    @inline(__always)
    func selectBuckets() {
        let n = ContextModel.inputCount
        // At most n new overlay slots below.
        // (When priming, or once grown to the whole table, every bucket has its slot.)
        if ovCount &+ n > ovCap && ovCap <= bucketCount { resizeBuckets(to: min(ovCap * 2, bucketCount + 1)) }
        let c0 = self.c0
        let nibbleBucket = c0 == 1 ? 0 : c0 &- 15
        let firstBucket = self.firstBucket, shifts = self.shifts
        let pmem = self.pmem, ovSlot = self.ovSlot
        bucket[0] = ownBucket(firstBucket[0] &+ nibbleBucket) &<< 4
        let k = UInt32(truncatingIfNeeded: c0) &* 0x9E37_79B1
        let cand = self.cand, chks = self.chks
        // Pass 1: addresses and first loads, independent of each other so the misses overlap.
        for i in 1..<n {
            let x = hashes[i] ^ k
            chks[i] = (x & 0xFFFF) | 0x10000
            let i0 = firstBucket[i] &+ Int(x >> shifts[i])
            cand[i] = i0
            // All four ways of the set: a miss on way 0 is usually followed by reads of the others.
            let set = pmem + ((i0 & ~3) &<< 4)
            prefetch(UnsafeRawPointer(set))
            prefetch(UnsafeRawPointer(set + 16))
            prefetch(UnsafeRawPointer(set + 32))
            prefetch(UnsafeRawPointer(set + 48))
            prefetch(UnsafeRawPointer(ovSlot + i0))
        }
        var h = 0
        for i in 1..<n {
            let chk = chks[i]
            let i0 = cand[i]
            let ov = self.ov
            // Word 0 of way w, from the overlay if the bucket is there, else the primed table.
            @inline(__always) func way(_ w: Int) -> UnsafeMutablePointer<UInt32> {
                let b = i0 ^ w
                let s = Int(ovSlot[b])
                return s != 0 ? ov + (s &<< 4) : pmem + (b &<< 4)
            }
            let q0 = way(0), q1 = way(1), q2 = way(2), q3 = way(3)
            var at = -1
            if q0[0] == chk { at = i0 } else if q1[0] == chk { at = i0 ^ 1 } else if q2[0] == chk {
                at = i0 ^ 2
            } else if q3[0] == chk { at = i0 ^ 3 }
            if at >= 0 {
                h &+= 1
                bucket[i] = ownBucket(at) &<< 4
            } else {
                at = i0
                var best = (q0[1] >> 16) & 0xFF
                let n1 = (q1[1] >> 16) & 0xFF
                if n1 < best { best = n1; at = i0 ^ 1 }
                let n2 = (q2[1] >> 16) & 0xFF
                if n2 < best { best = n2; at = i0 ^ 2 }
                let n3 = (q3[1] >> 16) & 0xFF
                if n3 < best { best = n3; at = i0 ^ 3 }
                // A claimed bucket is written fresh: no copy from the primed state needed.
                var s = Int(ovSlot[at])
                if s == 0 {
                    s = ovCount
                    ovCount = s &+ 1
                    ovSlot[at] = Int32(truncatingIfNeeded: s)
                    ovKey[s] = Int32(truncatingIfNeeded: at)
                }
                let p = ov + (s &<< 4)
                p[0] = chk
                for j in 1..<16 { p[j] = 0x8000 }
                bucket[i] = s &<< 4
            }
        }
        hits = h
        nib = 1
    }

    @inline(__always)
    func touchRow(_ r: Int) {
        if rowDirty[r] == 0 {
            rowDirty[r] = 1
            rowList[rowCount] = Int32(truncatingIfNeeded: r)
            rowCount &+= 1
        }
    }

    func endSymbol(_ s: UInt32) {
        ctx.advance(s)
        computeHashes()
        let sym = UInt8(truncatingIfNeeded: s)
        if mlen > 0 && hist[mptr] == sym { mlen = min(mlen + 1, 65535); mptr += 1 } else { mlen = 0 }
        if histLen == histCap { resizeHistory(to: histCap * 2) }
        hist[histLen] = sym
        histLen += 1
        let pos = histLen
        let hi = Int(hashes[3] >> UInt32(32 - ContextModel.matchBits))
        if mlen == 0 {
            let cand = Int(mt[hi])
            if cand > 0 {
                var l = 0
                while l < ContextModel.matchVerify && l < cand && hist[cand - 1 - l] == hist[pos - 1 - l] { l += 1 }
                if l > 0 { mlen = l; mptr = cand }
            }
        }
        mt[hi] = Int32(truncatingIfNeeded: pos)
        if primed != nil { mtTouched.append(Int32(truncatingIfNeeded: hi)) }
        mbyte = mlen > 0 ? Int(hist[mptr]) | 256 : 0
        mbucket = min(mlen, 15)
        // Dictionary: follow the current word's letters.
        if ctx.wordLen == 0 {
            dNode = -1
        } else {
            if ctx.wordLen == 1 { dNode = 0 }
            if dNode >= 0 {
                let l = UInt8(truncatingIfNeeded: SymbolContext.letter(s))
                let st = Int(trie.start[dNode]), en = st + Int(trie.count[dNode])
                var f = -1
                for c in st..<en where trie.sym[c] == l { f = Int(trie.next[c]); break }
                dNode = f
            }
        }
        if dNode >= 0 {
            dA = Int(trie.start[dNode]); dB = dA + Int(trie.count[dNode])
            prefetch(UnsafeRawPointer(trie.sym + dA))
            prefetch(UnsafeRawPointer(trie.cum + dA))
            prefetch(UnsafeRawPointer(trie.cum + dB))
        } else { dA = 0; dB = 0 }
    }

    /// Overlay row of APM context `r`, copied from the primed state if not yet in the overlay.
    @inline(__always)
    func ownApmRow(_ r: Int) -> Int {
        let s = Int(aovSlot[r])
        if s != 0 { return s }
        return newApmRow(r)
    }

    func newApmRow(_ r: Int) -> Int {
        if aovCount == aovCap { resizeApm(to: min(aovCap * 2, ContextModel.apmRows + 1)) }
        let t = aovCount
        aovCount = t + 1
        aovSlot[r] = Int32(truncatingIfNeeded: t)
        aovKey[t] = Int32(truncatingIfNeeded: r)
        (aov + t * 24).update(from: papm + r * 24, count: 24)
        return t
    }
}
