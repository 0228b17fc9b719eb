import CGCXSystem

// Per bit: the mixers' prediction and their update (spec 4.4, 4.5).

extension ContextModel {
    /// Probability (1...4095, in 1/4096) that the next bit is 1 (spec 4.4, 4.5).
    @inline(__always)
    func predict() -> Int {
        let n = ContextModel.n, mi = ContextModel.mi
        let c0 = self.c0, nib = self.nib
        let mem = self.ov, bucket = self.bucket, cc = self.countClass
        let stretched = self.stretched, confOff = self.confOff, stretch = self.stretch
        for i in 0..<n {
            let slot = mem[bucket[i] &+ nib]
            let sv = stretch[Int((slot & 0xFFFF) >> 4)]
            stretched32[i] = sv
            stretched[i] = Int(sv)
            let det = (slot >> 24) == 3 ? 0 : 8
            confOff[i] = i &* 16 &+ cc[Int((slot >> 16) & 0xFF)] &+ det
        }
        if mbyte != 0 {
            let k = (Int.bitWidth &- 1) &- c0.leadingZeroBitCount
            let eb = (mbyte >> (7 &- k)) & 1
            mexp = eb
            smIdx = mbucket &* 2 &+ eb
            let sv = stretch[Int((sm[smIdx] & 0xFFFF) >> 4)]
            stretched32[n] = sv
            stretched[n] = Int(sv)
            confOff[n] = n &* 16 &+ mbucket
        } else {
            smIdx = -1
            stretched32[n] = 0
            stretched[n] = 0
            confOff[n] = n &* 16
        }
        // Dictionary input.
        let da = dA, db = dB
        if da < db {
            let trie = self.trie
            let k = (Int.bitWidth &- 1) &- c0.leadingZeroBitCount
            // Split: first child whose bit (7-k) is 1.
            var m = da
            let sy = trie.sym
            while m < db && (Int(sy[m]) >> (7 &- k)) & 1 == 0 { m &+= 1 }
            dM = m
            let nAll = Int(trie.cum[db] &- trie.cum[da]), n1 = Int(trie.cum[db] &- trie.cum[m])
            let p12 = min(max(((32 &* n1 &+ 1) &* 4096) / (32 &* nAll &+ 2), 1), 4095)
            let sv = stretch[p12]
            stretched32[n + 1] = sv
            stretched[n + 1] = Int(sv)
            confOff[n + 1] = (n + 1) &* 16 &+ min(nAll.bitWidth &- nAll.leadingZeroBitCount, 15)
        } else {
            stretched32[n + 1] = 0
            stretched[n + 1] = 0
            confOff[n + 1] = (n + 1) &* 16
        }
        stretched[n + 2] = 256
        stretched32[n + 2] = 256
        confOff[n + 2] = (n + 2) &* 16

        let r1 = min(ctx.wordLen, 7) &* 256 &+ c0
        let r2 = min(hits, 15) &* 256 &+ c0
        let rf = ctx.fieldIndex &* 256 &+ c0
        touchRow(c0); touchRow(ContextModel.rowBase1 &+ r1); touchRow(ContextModel.rowBase2 &+ r2)
        touchRow(ContextModel.rowBaseF &+ rf)
        let b0 = ContextModel.w0Base &+ c0 &* ContextModel.w0Row
        let b1 = ContextModel.w1Base &+ r1 &* mi
        let b2 = ContextModel.w2Base &+ r2 &* mi
        let bf = ContextModel.wfBase &+ rf &* 3
        base0 = b0; base1 = b1; base2 = b2; baseF = bf
        let w0 = weights + b0, w1 = weights + b1, w2 = weights + b2
        var dot0 = 0, dot1 = 0, dot2 = 0
        for i in 0..<mi {
            let x = stretched[i]
            dot0 = dot0 &+ x &* Int(w0[confOff[i]])
            dot1 = dot1 &+ x &* Int(w1[i])
            dot2 = dot2 &+ x &* Int(w2[i])
        }
        let e0 = min(max(dot0 >> 16, -2047), 2047)
        let e1 = min(max(dot1 >> 16, -2047), 2047)
        let e2 = min(max(dot2 >> 16, -2047), 2047)
        d0 = e0; d1 = e1; d2 = e2
        p0 = squash(e0); p1 = squash(e1); p2 = squash(e2)
        let wf = weights + bf
        let pm = squash((e0 &* Int(wf[0]) &+ e1 &* Int(wf[1]) &+ e2 &* Int(wf[2])) >> 16)
        mixed = pm

        let row = ownApmRow(c0 | Int(ctx.c4 & 0xFF) << 8)
        let apm = self.aov
        let v = (Int(stretch[pm]) &+ 2048) &* 23
        let wt = v & 0xFFF
        let ab = row &* 24 &+ (v >> 12)
        let a = (Int(apm[ab]) &* (4096 &- wt) &+ Int(apm[ab &+ 1]) &* wt) >> 16
        apmIndex = ab &+ (wt >> 11)
        let p = (pm &+ 3 &* a &+ 2) >> 2
        return min(max(p, 1), 4095)
    }

    @inline(__always)
    func squash(_ d: Int) -> Int {
        if d > 2047 { return 4095 }
        if d < -2047 { return 0 }
        return Int(squashT[d &+ 2047])
    }

    /// Learns from the coded bit (spec 4.6) and advances the context.
    @inline(__always)
    func update(_ bit: Int) {
        let n = ContextModel.n, mi = ContextModel.mi
        let target = bit != 0 ? 65535 : 0
        let limit = ContextModel.countLimit
        let seen = UInt32(1) << UInt32(24 &+ bit)
        let mem = self.ov, bucket = self.bucket, nib = self.nib
        let rate = self.rate, confOff = self.confOff
        for i in 0..<n {
            let at = bucket[i] &+ nib
            let slot = mem[at]
            let p = Int(slot & 0xFFFF), c = (slot >> 16) & 0xFF
            let np = p &+ (((target &- p) &* rate[Int(c)]) >> 16)
            let nc = c < limit ? c &+ 1 : limit
            mem[at] = (slot & 0x0300_0000) | seen | nc << 16 | UInt32(truncatingIfNeeded: np)
        }
        if smIdx >= 0 {
            let slot = sm[smIdx]
            let p = Int(slot & 0xFFFF), c = (slot >> 16) & 0xFF
            let np = p &+ (((target &- p) &* rate[Int(c)]) >> 16)
            let nc = c < limit ? c &+ 1 : limit
            sm[smIdx] = nc << 16 | UInt32(truncatingIfNeeded: np)
            if mexp != bit { mbyte = 0; mlen = 0 }
        }
        if dA < dB { if bit != 0 { dA = dM } else { dB = dM } }
        let lim = ContextModel.weightLimit
        let y12 = bit << 12
        let r = ContextModel.mixerRate
        // |x| <= 2047 and |err| <= 4095 * 64, so x * err fits in 32 bits; the first-layer
        // weights are 32-bit and wrap (spec 4.6), in practice they stay far below 2^31.
        let err0 = Int32(truncatingIfNeeded: (y12 &- p0) &* r)
        let err1 = Int32(truncatingIfNeeded: (y12 &- p1) &* r)
        let err2 = Int32(truncatingIfNeeded: (y12 &- p2) &* r)
        let w0 = weights + base0, w1 = weights + base1, w2 = weights + base2
        let xs = stretched32
        for i in 0..<mi {
            let o = confOff[i]
            w0[o] &+= (xs[i] &* err0) >> 16
        }
        for i in 0..<mi { w1[i] &+= (xs[i] &* err1) >> 16 }
        for i in 0..<mi { w2[i] &+= (xs[i] &* err2) >> 16 }
        let ferr = (y12 &- mixed) &* ContextModel.finalRate
        let wf = weights + baseF
        wf[0] = min(max(wf[0] &+ Int32(truncatingIfNeeded: (d0 &* ferr) >> 16), -lim), lim)
        wf[1] = min(max(wf[1] &+ Int32(truncatingIfNeeded: (d1 &* ferr) >> 16), -lim), lim)
        wf[2] = min(max(wf[2] &+ Int32(truncatingIfNeeded: (d2 &* ferr) >> 16), -lim), lim)
        let ar = ContextModel.apmRate
        let g = (bit << 16) &+ (bit << ar) &- bit &- bit
        let apm = self.aov
        let old = Int(apm[apmIndex])
        apm[apmIndex] = UInt16(truncatingIfNeeded: old &+ ((g &- old) >> ar))
        c0 = (c0 << 1) | bit
        self.nib = (nib << 1) | bit
        if c0 >= 256 {
            endSymbol(UInt32(c0 & 0xFF))
            c0 = 1
            selectBuckets()
        } else if c0 >= 16 && c0 < 32 {
            selectBuckets()
        }
    }
}
