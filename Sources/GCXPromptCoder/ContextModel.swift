import CGCXSystem


/// The context-mixing model of spec/gcx.md §B.4: bucketed bit-probability tables (one 16-word
/// bucket per context and nibble), three logistic mixers joined by a final mixer, and an APM
/// stage, primed by running over the model's training prompts.
///
/// Priming costs about as much as coding 40 KB, so it is done once per process (`PrimedState`,
/// shared read-only by all instances and threads). An instance never copies the primed tables:
/// it keeps a small copy-on-write *overlay* of the buckets and APM rows the current prompt has
/// touched (a per-instance index maps bucket / APM row -> overlay slot, 0 = not in the overlay,
/// read from the primed state). The first time a prompt selects a bucket it is copied into the
/// overlay (or, when claimed for a new context, written there fresh); the per-bit predict/update
/// then work on the overlay copy only. Returning to the primed state (`rewind`) just clears the
/// index entries of the overlay slots. Mixer weights (0.55 MiB) are a private copy per instance,
/// rewound row by row. The logical state after every bit is exactly that of a full private copy.
/// Not thread-safe: `ModelPool` hands one instance to one caller at a time.
final class ContextModel: @unchecked Sendable {
    /// Tables, i.e. mixer inputs besides the bias (spec 4.3).
    static let inputCount = 10
    /// Tables >= localFirst are per-prompt: empty at each prompt start.
    static let localFirst = 8
    /// log2 of the bucket count of each hashed table (tables 0 and 1 are direct: 17 buckets, here
    /// padded to 20 so every table starts on a multiple of 4, and 256*17).
    static let tableBits: [Int] = [0, 12, 14, 16, 15, 16, 16, 15, 11, 11]
    static let countLimit: UInt32 = 127
    static let mixerRate = 64
    static let finalRate = 6
    static let weightInit: Int32 = 1 << 13
    static let finalWeightInit: Int32 = 65536 / 3
    static let weightLimit: Int32 = 1 << 24
    static let apmRate = 7
    static let apmRows = 65536
    /// Initial overlay capacity of an instance (buckets / APM rows). A prompt that touches more
    /// grows the overlay (doubling, at most to the whole table); `rewind` shrinks an overlay
    /// larger than `overlayKeep*` back to the initial size (so one long text does not pin memory,
    /// and ordinary prompts do not reallocate). The corpus prompts (at most 1.5 KB) touch at most
    /// 14,800 buckets and 1,100 APM rows.
    static let overlayBuckets = 16384
    static let overlayKeepBuckets = 32768
    static let overlayApmRows = 2048
    static let overlayKeepApmRows = 4096
    private static let n = inputCount
    /// Mixer inputs: the tables, the match model, the bias.
    private static let mi = inputCount + 3
    static let matchBits = 16
    static let matchVerify = 32
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

    // Table geometry: 16-word buckets; word 0 of a hashed bucket is its check, words 1..15 the nodes.
    private let bucketCount: Int
    private let firstBucket: UnsafeMutablePointer<Int>
    private let shifts: UnsafeMutablePointer<UInt32>
    /// The primed tables (read-only, shared), bucket b at `pmem + b * 16`.
    private let pmem: UnsafeMutablePointer<UInt32>
    /// The primed APM (read-only, shared), row r at `papm + r * 24`.
    private let papm: UnsafeMutablePointer<UInt16>

    // Bucket overlay: slot s (1..<ovCount) holds a private copy of bucket ovKey[s] at ov + s * 16;
    // ovSlot[b] is b's slot or 0. Slot 0 is unused. When priming (primed == nil) the overlay is
    // the whole table: ovSlot[b] = b + 1 for every b, and it becomes the primed state's tables.
    private var ov: UnsafeMutablePointer<UInt32>
    private var ovBase: UnsafeMutableRawPointer
    private var ovBytes = 0
    private var ovKey: UnsafeMutablePointer<Int32>
    private var ovCap: Int
    private var ovCount = 1
    private let ovSlot: UnsafeMutablePointer<Int32>
    // APM overlay: the same scheme with 24-entry rows.
    private var aov: UnsafeMutablePointer<UInt16>
    private var aovBase: UnsafeMutableRawPointer
    private var aovBytes = 0
    private var aovKey: UnsafeMutablePointer<Int32>
    private var aovCap: Int
    private var aovCount = 1
    private let aovSlot: UnsafeMutablePointer<Int32>

    private let weights: UnsafeMutablePointer<Int32>
    // Match model: symbol history (training prompts, then the current prompt), last position of
    // each hashed order-6 context, adaptive probabilities by (length bucket, expected bit).
    private var hist: UnsafeMutablePointer<UInt8>
    private var histCap: Int
    private var histLen = 0
    private var histBase = 0
    private let mt: UnsafeMutablePointer<Int32>
    private var mtTouched: [Int32] = []
    private let sm: UnsafeMutablePointer<UInt32>
    private let trie: WordTrie
    private var dNode = -1, dA = 0, dB = 0, dM = 0
    private var mlen = 0, mptr = 0, mbyte = 0, mbucket = 0, smIdx = -1, mexp = 0
    private let stretch: UnsafeMutablePointer<Int32>
    private let squashT: UnsafeMutablePointer<Int32>
    private let rate: UnsafeMutablePointer<Int>
    private let countClass: UnsafeMutablePointer<Int>

    // Touched weight rows since the last rewind (each listed once).
    private let rowDirty: UnsafeMutablePointer<UInt8>
    private let rowList: UnsafeMutablePointer<Int32>
    private var rowCount = 0

    // Context state (spec 4.2), reset per prompt.
    private var c0 = 1
    private var nib = 1
    private var ctx = SymbolContext()
    private var hits = 0
    private let hashes: UnsafeMutablePointer<UInt32>
    private let lookahead: UnsafeMutablePointer<UInt32>
    /// Word offset in `ov` of each table's current bucket.
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
    /// Index in `aov` of the APM entry to update.
    private var apmIndex = 0
    /// Whether `ov`/`aov` are still owned by this instance (priming hands them to `PrimedState`).
    private var ownsOverlay = true

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
            total += i == 0 ? 20 : 1 << b
        }
        firstBucket[n] = total
        bucketCount = total
        let rows = ContextModel.apmRows
        ovSlot = .allocate(capacity: total)
        aovSlot = .allocate(capacity: rows)
        if primed == nil {
            // Priming: the overlay is the whole table (identity slots), allocated as it will be
            // kept by the primed state.
            ovCap = total + 1
            aovCap = rows + 1
            ovCount = ovCap
            aovCount = aovCap
            for b in 0..<total { ovSlot[b] = Int32(b + 1) }
            for r in 0..<rows { aovSlot[r] = Int32(r + 1) }
        } else {
            ovCap = ContextModel.overlayBuckets
            aovCap = ContextModel.overlayApmRows
            ovSlot.initialize(repeating: 0, count: total)
            aovSlot.initialize(repeating: 0, count: rows)
        }
        (ovBase, ovBytes) = ContextModel.allocateTable(bytes: ovCap * 64)
        ov = ovBase.bindMemory(to: UInt32.self, capacity: ovCap * 16)
        ovKey = .allocate(capacity: ovCap)
        (aovBase, aovBytes) = ContextModel.allocateTable(bytes: aovCap * 48)
        aov = aovBase.bindMemory(to: UInt16.self, capacity: aovCap * 24)
        aovKey = .allocate(capacity: aovCap)
        if let primed {
            pmem = primed.mem
            papm = primed.apm
        } else {
            pmem = ov + 16
            papm = aov + 24
        }
        weights = .allocate(capacity: ContextModel.weightCount)
        mt = .allocate(capacity: 1 << ContextModel.matchBits)
        sm = .allocate(capacity: 32)
        trie = primed?.trie ?? WordTrie(words: tables.dictionary, weights: tables.dictionaryWeights)
        if let primed {
            histBase = primed.histLen
            histCap = histBase + 4096
            hist = .allocate(capacity: histCap)
            hist.update(from: primed.hist, count: histBase)
            histLen = histBase
            mt.update(from: primed.mt, count: 1 << ContextModel.matchBits)
            sm.update(from: primed.sm, count: 32)
        } else {
            histCap = 1 << 16
            hist = .allocate(capacity: histCap)
            mt.initialize(repeating: 0, count: 1 << ContextModel.matchBits)
            sm.initialize(repeating: 0x8000, count: 32)
        }
        stretch = .allocate(capacity: 4096)
        for (i, v) in Logistic.stretchTable.enumerated() { stretch[i] = v }
        squashT = .allocate(capacity: 4095)
        for (i, v) in Logistic.squashTable.enumerated() { squashT[i] = v }
        rate = .allocate(capacity: 256)
        for k in 0..<256 { rate[k] = min(65535, 655_360 / (10 * k + 12)) }
        countClass = .allocate(capacity: 256)
        for k in 0..<256 { countClass[k] = k < 4 ? k : k < 6 ? 4 : k < 10 ? 5 : k < 20 ? 6 : 7 }
        rowDirty = .allocate(capacity: ContextModel.weightRows)
        rowDirty.initialize(repeating: 0, count: ContextModel.weightRows)
        rowList = .allocate(capacity: ContextModel.weightRows)
        hashes = .allocate(capacity: n)
        hashes.initialize(repeating: 0, count: n)
        lookahead = .allocate(capacity: n)
        lookahead.initialize(repeating: 0, count: n)
        bucket = .allocate(capacity: n)
        cand = .allocate(capacity: n)
        chks = .allocate(capacity: n)
        stretched = .allocate(capacity: n + 3)
        confOff = .allocate(capacity: n + 3)
        stretched32 = .allocate(capacity: n + 3)
        if let primed {
            weights.update(from: primed.weights, count: ContextModel.weightCount)
        } else {
            prime()
        }
    }

    deinit {
        firstBucket.deallocate(); shifts.deallocate()
        if ownsOverlay { ovBase.deallocate(); aovBase.deallocate() }
        ovKey.deallocate(); ovSlot.deallocate(); aovKey.deallocate(); aovSlot.deallocate()
        weights.deallocate(); mt.deallocate(); sm.deallocate(); hist.deallocate()
        stretch.deallocate(); squashT.deallocate(); rate.deallocate(); countClass.deallocate()
        rowDirty.deallocate(); rowList.deallocate()
        hashes.deallocate(); lookahead.deallocate(); bucket.deallocate(); cand.deallocate(); chks.deallocate()
        stretched.deallocate(); confOff.deallocate(); stretched32.deallocate()
    }

    /// Bytes this instance has allocated (overlays at their current capacity, index arrays,
    /// private weights, bookkeeping); excludes the shared primed state.
    var allocatedBytes: Int {
        let n = ContextModel.inputCount
        var b = ownsOverlay ? ovBytes + aovBytes : 0
        b += ovCap * 4 + bucketCount * 4 + aovCap * 4 + ContextModel.apmRows * 4
        b += ContextModel.weightCount * 4 + ContextModel.weightRows * 5
        b += (1 << ContextModel.matchBits) * 4 + 32 * 4 + histCap + mtTouched.capacity * 4
        b += (4096 + 4095) * 4 + 256 * 16
        b += (n + 1) * 8 + n * 4 + n * 4 + n * 8 * 3 + n * 4 + (n + 1) * (8 + 8 + 4)
        return b
    }

    /// Memory for `bytes` bytes, 2 MiB-aligned, with a transparent-huge-page hint on its whole
    /// 2 MiB blocks where the OS has one (large tables are hit at random, so 4 KiB pages would
    /// cost a TLB miss per lookup). Returns the pointer and the bytes allocated (bytes rounded up
    /// to 4 KiB).
    private static func allocateTable(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let huge = 1 << 21
        let size = (bytes + 4095) & ~4095
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: size >= huge ? huge : 64)
        let whole = size & ~(huge - 1)
        if whole > 0 { _ = gcx_advise_huge_pages(raw, whole) }
        return (raw, size)
    }

    /// The primed state shared by all instances of one model id (read-only once built).
    final class PrimedState: @unchecked Sendable {
        let mem: UnsafeMutablePointer<UInt32>
        let apm: UnsafeMutablePointer<UInt16>
        let weights: UnsafeMutablePointer<Int32>
        let hist: UnsafeMutablePointer<UInt8>
        let histLen: Int
        let trie: WordTrie
        let mt: UnsafeMutablePointer<Int32>
        let sm: UnsafeMutablePointer<UInt32>
        /// Bytes allocated for the primed tables, APM and weights.
        let allocatedBytes: Int

        /// Takes over the priming model's tables (whole-table overlays) without copying them.
        private init(_ model: ContextModel) {
            let (m, a, bytes) = model.surrenderTables()
            mem = m
            apm = a
            weights = .allocate(capacity: ContextModel.weightCount)
            weights.initialize(from: model.weights, count: ContextModel.weightCount)
            histLen = model.histLen
            hist = .allocate(capacity: histLen)
            hist.initialize(from: model.hist, count: histLen)
            trie = model.trie
            mt = .allocate(capacity: 1 << ContextModel.matchBits)
            mt.initialize(from: model.mt, count: 1 << ContextModel.matchBits)
            sm = .allocate(capacity: 32)
            sm.initialize(from: model.sm, count: 32)
            allocatedBytes = bytes + ContextModel.weightCount * 4 + (1 << ContextModel.matchBits) * 4 + 128 + histLen + trie.allocatedBytes
        }

        static let model1 = PrimedState(ContextModel(tables: .model1, primed: nil))

        static func of(_ tables: ModelTables) -> PrimedState {
            precondition(tables.modelID == 1)
            return model1
        }
    }

    /// Priming model only: hands its whole-table overlays to the primed state.
    private func surrenderTables() -> (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt16>, Int) {
        precondition(primed == nil && ownsOverlay)
        ownsOverlay = false
        return (ov + 16, aov + 24, ovBytes + aovBytes)
    }

    /// Initial state (spec 4.7), then every training prompt coded without output.
    private func prime() {
        for b in 0..<bucketCount { emptyBucket(ov + (b + 1) * 16) }
        for ctx in 0..<ContextModel.apmRows {
            for j in 0..<24 {
                aov[(ctx + 1) * 24 + j] = UInt16(Logistic.squash(j * 4096 / 23 - 2048) * 16)
            }
        }
        let wf = ContextModel.wfBase
        weights.initialize(repeating: ContextModel.weightInit, count: wf)
        (weights + wf).initialize(repeating: ContextModel.finalWeightInit, count: ContextModel.weightCount - wf)
        let tokenizer = PromptTokenizer(phrases: tables.phrases)
        let localStart = firstBucket[ContextModel.localFirst]
        for prompt in tables.trainingPrompts {
            for b in localStart..<bucketCount { emptyBucket(ov + (b + 1) * 16) }
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
        for b in localStart..<bucketCount { emptyBucket(ov + (b + 1) * 16) }
        for i in 0..<rowCount { rowDirty[Int(rowList[i])] = 0 }
        rowCount = 0
    }

    /// An empty bucket: check word 0, nodes 0x8000 (p = 1/2, n = 0, nothing seen).
    @inline(__always)
    private func emptyBucket(_ p: UnsafeMutablePointer<UInt32>) {
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

    /// Encoder only: the next symbol is known, so the buckets of both its nibbles (in the primed
    /// tables, and their overlay index entries) can be prefetched while the current symbol is
    /// coded. A pure cache hint: changes no state.
    @inline(__always)
    private func prefetchBuckets(after s: UInt8, next: UInt8) {
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

    /// Reallocates the match history with `cap` symbols, keeping the first `histLen`.
    private func resizeHistory(to cap: Int) {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        p.update(from: hist, count: histLen)
        hist.deallocate()
        hist = p; histCap = cap
    }

    /// Reallocates the bucket overlay with `cap` slots, keeping slots 1..<ovCount.
    private func resizeBuckets(to cap: Int) {
        let (raw, bytes) = ContextModel.allocateTable(bytes: cap * 64)
        let p = raw.bindMemory(to: UInt32.self, capacity: cap * 16)
        p.update(from: ov, count: ovCount * 16)
        let k = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        k.update(from: ovKey, count: ovCount)
        ovBase.deallocate(); ovKey.deallocate()
        ovBase = raw; ov = p; ovKey = k; ovBytes = bytes; ovCap = cap
    }

    /// Reallocates the APM overlay with `cap` rows, keeping rows 1..<aovCount.
    private func resizeApm(to cap: Int) {
        let (raw, bytes) = ContextModel.allocateTable(bytes: cap * 48)
        let p = raw.bindMemory(to: UInt16.self, capacity: cap * 24)
        p.update(from: aov, count: aovCount * 24)
        let k = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        k.update(from: aovKey, count: aovCount)
        aovBase.deallocate(); aovKey.deallocate()
        aovBase = raw; aov = p; aovKey = k; aovBytes = bytes; aovCap = cap
    }

    /// Offset and length in `weights` of weight row `r` (numbering of `markRows`).
    private static func weightRow(_ r: Int) -> (Int, Int) {
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

    private func computeHashes() { ctx.hashes(into: hashes) }

    /// Overlay slot of bucket `b`, copied from the primed state if not yet in the overlay.
    @inline(__always)
    private func ownBucket(_ b: Int) -> Int {
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
    private func selectBuckets() {
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
            prefetch(UnsafeRawPointer(pmem + (i0 &<< 4)))
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
    private func ownApmRow(_ r: Int) -> Int {
        let s = Int(aovSlot[r])
        if s != 0 { return s }
        return newApmRow(r)
    }

    private func newApmRow(_ r: Int) -> Int {
        if aovCount == aovCap { resizeApm(to: min(aovCap * 2, ContextModel.apmRows + 1)) }
        let t = aovCount
        aovCount = t + 1
        aovSlot[r] = Int32(truncatingIfNeeded: t)
        aovKey[t] = Int32(truncatingIfNeeded: r)
        (aov + t * 24).update(from: papm + r * 24, count: 24)
        return t
    }

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

/// Hint to bring the cache line at `p` into the cache (LLVM's prefetch intrinsic: read, high
/// locality, data cache). A pure performance hint: it never changes what the model computes.
@inline(__always)
private func prefetch(_ p: UnsafeRawPointer) { gcx_prefetch(p) }

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
