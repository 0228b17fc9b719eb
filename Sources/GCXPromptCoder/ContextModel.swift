#if canImport(Glibc)
import Glibc
#endif

/// The context-mixing model of spec/gcx.md §B.4: bucketed bit-probability tables (one 16-word
/// bucket per context and nibble), three logistic mixers joined by a final mixer, and an APM
/// stage, primed by running over the model's training prompts.
///
/// Priming costs about as much as coding 40 KB, so it is done once per process (`PrimedState`,
/// shared read-only); each instance copies it and, after each prompt, copies back only the
/// buckets, weight rows and APM rows the prompt touched (`rewind`), which costs in proportion
/// to the prompt. Not thread-safe: `ModelPool` hands one instance to one caller at a time.
final class ContextModel: @unchecked Sendable {
    /// Tables, i.e. mixer inputs besides the bias (spec 4.3).
    static let inputCount = 12
    /// Tables >= localFirst are per-prompt: empty at each prompt start.
    static let localFirst = 10
    /// log2 of the bucket count of each hashed table (tables 0 and 1 are direct: 17 buckets, here
    /// padded to 20 so every table starts on a multiple of 4, and 256*17).
    static let tableBits: [Int] = [0, 0, 12, 14, 16, 16, 15, 16, 16, 15, 11, 11]
    static let countLimit: UInt32 = 127
    static let mixerRate = 64
    static let finalRate = 6
    static let weightInit: Int32 = 1 << 13
    static let finalWeightInit: Int32 = 65536 / 3
    static let weightLimit: Int32 = 1 << 24
    static let apmRate = 7
    static let apmRows = 65536

    private static let n = inputCount
    private static let mi = inputCount + 1
    // Weight layout (spec 4.4): mixer 0 has 16 weights per input (count class x det), 256 sets;
    // mixer 1 has 8*256 sets, mixer 2 16*256 sets, the final mixer 14*256 sets of 3.
    private static let w0Row = mi * 16
    private static let w0Base = 0
    private static let w1Base = 256 * w0Row
    private static let sets1 = 8 * 256
    private static let sets2 = 16 * 256
    private static let w2Base = w1Base + sets1 * mi
    private static let wfBase = w2Base + sets2 * mi
    private static let weightCount = wfBase + 14 * 256 * 3
    /// Weight rows for the dirty list: one per weight set of each mixer.
    private static let rowBase1 = 256
    private static let rowBase2 = rowBase1 + sets1
    private static let rowBaseF = rowBase2 + sets2
    private static let weightRows = rowBaseF + 14 * 256

    let tables: ModelTables
    private let primed: PrimedState?

    // Table memory: 16-word buckets; word 0 of a hashed bucket is its check, words 1..15 the nodes.
    private let bucketCount: Int
    private let mem: UnsafeMutablePointer<UInt32>
    private let firstBucket: UnsafeMutablePointer<Int>
    private let shifts: UnsafeMutablePointer<UInt32>
    private let apm: UnsafeMutablePointer<UInt16>
    private let apmCount = ContextModel.apmRows * 24
    private let weights: UnsafeMutablePointer<Int32>
    private let stretch: UnsafeMutablePointer<Int32>
    private let squashT: UnsafeMutablePointer<Int32>
    private let rate: UnsafeMutablePointer<Int>
    private let countClass: UnsafeMutablePointer<Int>

    // Touched buckets / weight rows / APM rows since the last rewind (each listed once).
    private let dirty: UnsafeMutablePointer<UInt8>
    private let dirtyList: UnsafeMutablePointer<Int32>
    private var dirtyCount = 0
    private let rowDirty: UnsafeMutablePointer<UInt8>
    private let rowList: UnsafeMutablePointer<Int32>
    private var rowCount = 0
    private let apmDirty: UnsafeMutablePointer<UInt8>
    private let apmDirtyList: UnsafeMutablePointer<Int32>
    private var apmDirtyCount = 0

    // Context state (spec 4.2), reset per prompt.
    private var c0 = 1
    private var nib = 1
    private var ctx = SymbolContext()
    private var hits = 0
    private let hashes: UnsafeMutablePointer<UInt32>
    private let lookahead: UnsafeMutablePointer<UInt32>
    /// Word offset in `mem` of each table's current bucket.
    private let bucket: UnsafeMutablePointer<Int>
    private let cand: UnsafeMutablePointer<Int>
    private let chks: UnsafeMutablePointer<UInt32>

    // Per-bit scratch between predict and update.
    private let stretched: UnsafeMutablePointer<Int>
    private let confOff: UnsafeMutablePointer<Int>
    private let stretched32: UnsafeMutablePointer<Int32>
    private var base0 = 0, base1 = 0, base2 = 0, baseF = 0
    private var d0 = 0, d1 = 0, d2 = 0
    private var p0 = 0, p1 = 0, p2 = 0
    private var mixed = 2048
    private var apmIndex = 0

    /// A model in the primed state of `tables`.
    convenience init(tables: ModelTables) {
        self.init(tables: tables, primed: PrimedState.of(tables))
    }

    private init(tables: ModelTables, primed: PrimedState?) {
        self.tables = tables
        self.primed = primed
        let n = ContextModel.inputCount
        firstBucket = .allocate(capacity: n + 1)
        shifts = .allocate(capacity: n)
        var total = 0
        for i in 0..<n {
            firstBucket[i] = total
            let b = ContextModel.tableBits[i]
            shifts[i] = UInt32(32 - b)
            // Even starts, so that a pair of buckets b, b ^ 1 stays inside one table.
            total += i == 0 ? 20 : i == 1 ? 256 * 17 : 1 << b
        }
        firstBucket[n] = total
        bucketCount = total
        mem = ContextModel.allocateHuge(UInt32.self, count: total * 16)
        apm = ContextModel.allocateHuge(UInt16.self, count: apmCount)
        weights = .allocate(capacity: ContextModel.weightCount)
        stretch = .allocate(capacity: 4096)
        for (i, v) in Logistic.stretchTable.enumerated() { stretch[i] = v }
        squashT = .allocate(capacity: 4095)
        for (i, v) in Logistic.squashTable.enumerated() { squashT[i] = v }
        rate = .allocate(capacity: 256)
        for k in 0..<256 { rate[k] = min(65535, 655_360 / (10 * k + 12)) }
        countClass = .allocate(capacity: 256)
        for k in 0..<256 { countClass[k] = k < 4 ? k : k < 6 ? 4 : k < 10 ? 5 : k < 20 ? 6 : 7 }
        dirty = .allocate(capacity: total)
        dirty.initialize(repeating: 0, count: total)
        dirtyList = .allocate(capacity: total)
        rowDirty = .allocate(capacity: ContextModel.weightRows)
        rowDirty.initialize(repeating: 0, count: ContextModel.weightRows)
        rowList = .allocate(capacity: ContextModel.weightRows)
        apmDirty = .allocate(capacity: ContextModel.apmRows)
        apmDirty.initialize(repeating: 0, count: ContextModel.apmRows)
        apmDirtyList = .allocate(capacity: ContextModel.apmRows)
        hashes = .allocate(capacity: n)
        hashes.initialize(repeating: 0, count: n)
        lookahead = .allocate(capacity: n)
        lookahead.initialize(repeating: 0, count: n)
        bucket = .allocate(capacity: n)
        cand = .allocate(capacity: n)
        chks = .allocate(capacity: n)
        stretched = .allocate(capacity: n + 1)
        confOff = .allocate(capacity: n + 1)
        stretched32 = .allocate(capacity: n + 1)
        if let primed {
            mem.update(from: primed.mem, count: total * 16)
            apm.update(from: primed.apm, count: apmCount)
            weights.update(from: primed.weights, count: ContextModel.weightCount)
        } else {
            prime()
        }
    }

    deinit {
        firstBucket.deallocate(); shifts.deallocate(); mem.deallocate(); apm.deallocate(); weights.deallocate()
        stretch.deallocate(); squashT.deallocate(); rate.deallocate(); countClass.deallocate()
        dirty.deallocate(); dirtyList.deallocate(); rowDirty.deallocate(); rowList.deallocate()
        apmDirty.deallocate(); apmDirtyList.deallocate()
        hashes.deallocate(); lookahead.deallocate(); bucket.deallocate(); cand.deallocate(); chks.deallocate()
        stretched.deallocate(); confOff.deallocate(); stretched32.deallocate()
    }

    /// Memory in 2 MiB-aligned blocks with a transparent-huge-page hint where the OS has one:
    /// the tables are hit at random, so 4 KiB pages would cost a TLB miss per lookup.
    private static func allocateHuge<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let huge = 1 << 21
        let bytes = (count * MemoryLayout<T>.stride + huge - 1) & ~(huge - 1)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge)
        #if os(Linux)
        _ = madvise(raw, bytes, 14)  // MADV_HUGEPAGE
        #endif
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// The primed state shared by all instances of one model id (read-only once built).
    final class PrimedState: @unchecked Sendable {
        let mem: UnsafeMutablePointer<UInt32>
        let apm: UnsafeMutablePointer<UInt16>
        let weights: UnsafeMutablePointer<Int32>

        private init(_ model: ContextModel) {
            let words = model.bucketCount * 16
            mem = ContextModel.allocateHuge(UInt32.self, count: words)
            mem.initialize(from: model.mem, count: words)
            apm = ContextModel.allocateHuge(UInt16.self, count: model.apmCount)
            apm.initialize(from: model.apm, count: model.apmCount)
            weights = .allocate(capacity: ContextModel.weightCount)
            weights.initialize(from: model.weights, count: ContextModel.weightCount)
        }

        static let model1 = PrimedState(ContextModel(tables: .model1, primed: nil))

        static func of(_ tables: ModelTables) -> PrimedState {
            precondition(tables.modelID == 1)
            return model1
        }
    }

    /// Initial state (spec 4.7), then every training prompt coded without output.
    private func prime() {
        for b in 0..<bucketCount { emptyBucket(b) }
        for ctx in 0..<ContextModel.apmRows {
            for j in 0..<24 {
                apm[ctx * 24 + j] = UInt16(Logistic.squash(j * 4096 / 23 - 2048) * 16)
            }
        }
        let wf = ContextModel.wfBase
        weights.initialize(repeating: ContextModel.weightInit, count: wf)
        (weights + wf).initialize(repeating: ContextModel.finalWeightInit, count: ContextModel.weightCount - wf)
        let tokenizer = PromptTokenizer(phrases: tables.phrases)
        for prompt in tables.trainingPrompts {
            for b in firstBucket[ContextModel.localFirst]..<bucketCount { emptyBucket(b) }
            startPrompt()
            for s in tokenizer.symbols(for: prompt) {
                var k = 7
                while k >= 0 {
                    _ = predict()
                    update(Int(s >> UInt8(k)) & 1)
                    k -= 1
                }
            }
        }
        // The primed state keeps the local tables empty.
        for b in firstBucket[ContextModel.localFirst]..<bucketCount { emptyBucket(b) }
        forgetTouched()
    }

    /// Clears the touched lists without restoring anything (after priming).
    private func forgetTouched() {
        for i in 0..<dirtyCount { dirty[Int(dirtyList[i])] = 0 }
        for i in 0..<rowCount { rowDirty[Int(rowList[i])] = 0 }
        for i in 0..<apmDirtyCount { apmDirty[Int(apmDirtyList[i])] = 0 }
        dirtyCount = 0; rowCount = 0; apmDirtyCount = 0
    }

    /// An empty bucket: check word 0, nodes 0x8000 (p = 1/2, n = 0, nothing seen).
    @inline(__always)
    private func emptyBucket(_ b: Int) {
        let p = mem + b * 16
        p[0] = 0
        for j in 1..<16 { p[j] = 0x8000 }
    }

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

    /// Encoder only: the next symbol is known, so the buckets of both its nibbles can be
    /// prefetched while the current symbol is coded. A pure cache hint: changes no state.
    @inline(__always)
    private func prefetchBuckets(after s: UInt8, next: UInt8) {
        var ahead = ctx
        ahead.advance(UInt32(s))
        ahead.hashes(into: lookahead)
        let k1: UInt32 = 0x9E37_79B1
        let k2 = UInt32(16 | next >> 4) &* 0x9E37_79B1
        for i in 2..<ContextModel.inputCount {
            let h = lookahead[i]
            prefetch(mem + ((firstBucket[i] &+ Int((h ^ k1) >> shifts[i])) &<< 4))
            prefetch(mem + ((firstBucket[i] &+ Int((h ^ k2) >> shifts[i])) &<< 4))
        }
    }

    /// Decodes symbols until `length` text bytes are produced (spec 2.3, 6); at most 8 * length bits.
    func decode(_ code: ArraySlice<UInt8>, length: Int) throws(PromptCodingError) -> [UInt8] {
        var coder = RangeDecoder(code)
        var out: [UInt8] = []
        out.reserveCapacity(length)
        startPrompt()
        let phrases = tables.phrases
        while out.count < length {
            var s = 0
            for _ in 0..<8 {
                let bit = coder.decode(p1: predict())
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
        return out
    }

    /// Returns to the primed state after a prompt: touched buckets, weight rows and APM rows are
    /// copied back from the primed state (local buckets emptied).
    func rewind() {
        guard let primed else { return }
        let localStart = firstBucket[ContextModel.localFirst]
        for i in 0..<dirtyCount {
            let b = Int(dirtyList[i])
            dirty[b] = 0
            if b < localStart {
                (mem + b * 16).update(from: primed.mem + b * 16, count: 16)
            } else {
                emptyBucket(b)
            }
        }
        dirtyCount = 0
        for i in 0..<rowCount {
            let r = Int(rowList[i])
            rowDirty[r] = 0
            let (at, len) = ContextModel.weightRow(r)
            (weights + at).update(from: primed.weights + at, count: len)
        }
        rowCount = 0
        for i in 0..<apmDirtyCount {
            let r = Int(apmDirtyList[i])
            apmDirty[r] = 0
            (apm + r * 24).update(from: primed.apm + r * 24, count: 24)
        }
        apmDirtyCount = 0
    }

    /// Offset and length in `weights` of weight row `r` (numbering of `markRows`).
    private static func weightRow(_ r: Int) -> (Int, Int) {
        if r < 256 { return (w0Base + r * w0Row, w0Row) }
        if r < rowBase2 { return (w1Base + (r - rowBase1) * mi, mi) }
        if r < rowBaseF { return (w2Base + (r - rowBase2) * mi, mi) }
        return (wfBase + (r - rowBaseF) * 3, 3)
    }

    /// Resets the per-prompt state (spec 4.2). The local tables are already empty: the primed
    /// state has them empty and `rewind` empties every local bucket a prompt touched.
    func startPrompt() {
        c0 = 1
        ctx = SymbolContext()
        computeHashes()
        selectBuckets()
    }

    private func computeHashes() { ctx.hashes(into: hashes) }

    /// Finds (or claims) each table's bucket for the nibble that starts now (spec 4.3).
    @inline(__always)
    private func selectBuckets() {
        let n = ContextModel.inputCount
        let c0 = self.c0
        let nibbleBucket = c0 == 1 ? 0 : c0 &- 15
        let mem = self.mem, firstBucket = self.firstBucket, shifts = self.shifts
        var b = firstBucket[0] &+ nibbleBucket
        touch(b)
        bucket[0] = b &<< 4
        b = firstBucket[1] &+ Int(ctx.c4 & 0xFF) &* 17 &+ nibbleBucket
        touch(b)
        bucket[1] = b &<< 4
        let k = UInt32(truncatingIfNeeded: c0) &* 0x9E37_79B1
        let cand = self.cand, chks = self.chks
        // Pass 1: addresses and first loads, independent of each other so the misses overlap.
        var sink: UInt32 = 0
        for i in 2..<n {
            let x = hashes[i] ^ k
            chks[i] = (x & 0xFFFF) | 0x10000
            let i0 = firstBucket[i] &+ Int(x >> shifts[i])
            cand[i] = i0
            sink ^= mem[i0 &<< 4]
        }
        var h = sink == 0xFFFF_FFFF ? 1 : 0  // never: the check words are below 2^17
        for i in 2..<n {
            let chk = chks[i]
            let i0 = cand[i]
            var at = -1
            for w in 0..<4 where mem[(i0 ^ w) &<< 4] == chk { at = i0 ^ w; h &+= 1; break }
            if at < 0 {
                at = i0
                var best = (mem[(i0 &<< 4) &+ 1] >> 16) & 0xFF
                for w in 1..<4 {
                    let nw = (mem[((i0 ^ w) &<< 4) &+ 1] >> 16) & 0xFF
                    if nw < best { best = nw; at = i0 ^ w }
                }
                let p = mem + (at &<< 4)
                p[0] = chk
                for j in 1..<16 { p[j] = 0x8000 }
            }
            touch(at)
            bucket[i] = at &<< 4
        }
        hits = h
        nib = 1
    }

    @inline(__always)
    private func touch(_ b: Int) {
        if dirty[b] == 0 {
            dirty[b] = 1
            dirtyList[dirtyCount] = Int32(truncatingIfNeeded: b)
            dirtyCount &+= 1
        }
    }

    @inline(__always)
    private func touchRow(_ r: Int) {
        if rowDirty[r] == 0 {
            rowDirty[r] = 1
            rowList[rowCount] = Int32(truncatingIfNeeded: r)
            rowCount &+= 1
        }
    }

    private func endSymbol(_ s: UInt32) {
        ctx.advance(s)
        computeHashes()
    }

    /// Probability (1...4095, in 1/4096) that the next bit is 1 (spec 4.4, 4.5).
    @inline(__always)
    func predict() -> Int {
        let n = ContextModel.n, mi = ContextModel.mi
        let c0 = self.c0, nib = self.nib
        let mem = self.mem, bucket = self.bucket, cc = self.countClass
        let stretched = self.stretched, confOff = self.confOff, stretch = self.stretch
        for i in 0..<n {
            let slot = mem[bucket[i] &+ nib]
            let sv = stretch[Int((slot & 0xFFFF) >> 4)]
            stretched32[i] = sv
            stretched[i] = Int(sv)
            let det = (slot >> 24) == 3 ? 0 : 8
            confOff[i] = i &* 16 &+ cc[Int((slot >> 16) & 0xFF)] &+ det
        }
        stretched[n] = 256
        stretched32[n] = 256
        confOff[n] = n &* 16

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

        let row = c0 | Int(ctx.c4 & 0xFF) << 8
        markApmRow(row)
        let v = (Int(stretch[pm]) &+ 2048) &* 23
        let wt = v & 0xFFF
        let ab = row &* 24 &+ (v >> 12)
        let a = (Int(apm[ab]) &* (4096 &- wt) &+ Int(apm[ab &+ 1]) &* wt) >> 16
        apmIndex = ab &+ (wt >> 11)
        let p = (pm &+ 3 &* a &+ 2) >> 2
        return min(max(p, 1), 4095)
    }

    @inline(__always)
    private func markApmRow(_ r: Int) {
        if apmDirty[r] == 0 {
            apmDirty[r] = 1
            apmDirtyList[apmDirtyCount] = Int32(truncatingIfNeeded: r)
            apmDirtyCount &+= 1
        }
    }

    @inline(__always)
    private func squash(_ d: Int) -> Int {
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
        let mem = self.mem, bucket = self.bucket, nib = self.nib
        let rate = self.rate, confOff = self.confOff
        for i in 0..<n {
            let at = bucket[i] &+ nib
            let slot = mem[at]
            let p = Int(slot & 0xFFFF), c = (slot >> 16) & 0xFF
            let np = p &+ (((target &- p) &* rate[Int(c)]) >> 16)
            let nc = c < limit ? c &+ 1 : limit
            mem[at] = (slot & 0x0300_0000) | seen | nc << 16 | UInt32(truncatingIfNeeded: np)
        }
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

/// Hint to bring the cache line at `p` into the cache (LLVM's prefetch intrinsic: read, high
/// locality, data cache). A pure performance hint: it never changes what the model computes.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ p: UnsafeRawPointer, _ rw: Int32, _ locality: Int32, _ cache: Int32)

@inline(__always)
private func prefetch(_ p: UnsafeMutablePointer<UInt32>) { llvmPrefetch(UnsafeRawPointer(p), 0, 3, 1) }

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
        h[2] = SymbolContext.hash(2, c4 & 0xFFFF)
        h[3] = SymbolContext.hash(3, c4 & 0xFF_FFFF)
        h[4] = SymbolContext.hash(4, c4)
        h[5] = SymbolContext.hash(6, c4, c8 & 0xFFFF)
        h[6] = SymbolContext.hash(7, word, c1)
        h[7] = SymbolContext.hash(8, word, word1)
        h[8] = SymbolContext.hash(10, field, word)
        h[9] = SymbolContext.hash(41, UInt32(fieldIndex), clause, wordInClause)
        h[10] = SymbolContext.hash(17, word, c1)
        h[11] = SymbolContext.hash(14, c4)
    }
}
