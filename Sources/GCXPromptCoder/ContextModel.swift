import CGCXSystem
import GCX


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
    static let n = inputCount
    /// Mixer inputs: the tables, the match model, the bias.
    static let mi = inputCount + 3
    static let matchBits = 16
    static let matchVerify = 32
    // Weight layout (spec 4.4): mixer 0 has 16 weights per input (count class x det), 256 sets;
    // mixer 1 has 8*256 sets, mixer 2 16*256 sets, the final mixer 14*256 sets of 3.
    static let w0Row = mi * 16
    static let w0Base = 0
    static let w1Base = 256 * w0Row
    static let sets1 = 8 * 256
    static let sets2 = 16 * 256
    static let w2Base = w1Base + sets1 * mi
    static let wfBase = w2Base + sets2 * mi
    static let weightCount = wfBase + 14 * 256 * 3
    /// Weight rows for the dirty list: one per weight set of each mixer.
    static let rowBase1 = 256
    static let rowBase2 = rowBase1 + sets1
    static let rowBaseF = rowBase2 + sets2
    static let weightRows = rowBaseF + 14 * 256
    /// The first bucket of each table in the one bucket array, and the total at the end. Even
    /// starts (table 0 padded from 17 to 20 buckets), so that a set of 4 ways stays in one table.
    static let tableStarts: [Int] = (0..<inputCount).reduce(into: [0]) { starts, i in
        starts.append(starts[i] + (i == 0 ? 20 : 1 << tableBits[i]))
    }


    let tables: ModelTables
    let primed: PrimedState?

    // Table geometry: 16-word buckets; word 0 of a hashed bucket is its check, words 1..15 the nodes.
    let bucketCount: Int
    let firstBucket: UnsafeMutablePointer<Int>
    let shifts: UnsafeMutablePointer<UInt32>
    /// The primed tables (read-only, shared), bucket b at `pmem + b * 16`.
    let pmem: UnsafeMutablePointer<UInt32>
    /// The primed APM (read-only, shared), row r at `papm + r * 24`.
    let papm: UnsafeMutablePointer<UInt16>

    // Bucket overlay: slot s (1..<ovCount) holds a private copy of bucket ovKey[s] at ov + s * 16;
    // ovSlot[b] is b's slot or 0. Slot 0 is unused. When priming (primed == nil) the overlay is
    // the whole table: ovSlot[b] = b + 1 for every b, and it becomes the primed state's tables.
    var ov: UnsafeMutablePointer<UInt32>
    var ovBase: UnsafeMutableRawPointer
    var ovBytes = 0
    var ovKey: UnsafeMutablePointer<Int32>
    var ovCap: Int
    var ovCount = 1
    let ovSlot: UnsafeMutablePointer<Int32>
    // APM overlay: the same scheme with 24-entry rows.
    var aov: UnsafeMutablePointer<UInt16>
    var aovBase: UnsafeMutableRawPointer
    var aovBytes = 0
    var aovKey: UnsafeMutablePointer<Int32>
    var aovCap: Int
    var aovCount = 1
    let aovSlot: UnsafeMutablePointer<Int32>

    let weights: UnsafeMutablePointer<Int32>
    // Match model: symbol history (training prompts, then the current prompt), last position of
    // each hashed order-6 context, adaptive probabilities by (length bucket, expected bit).
    var hist: UnsafeMutablePointer<UInt8>
    var histCap: Int
    var histLen = 0
    var histBase = 0
    let mt: UnsafeMutablePointer<Int32>
    var mtTouched: [Int32] = []
    let sm: UnsafeMutablePointer<UInt32>
    let trie: WordTrie
    var dNode = -1, dA = 0, dB = 0, dM = 0
    var mlen = 0, mptr = 0, mbyte = 0, mbucket = 0, smIdx = -1, mexp = 0
    let stretch: UnsafeMutablePointer<Int32>
    let squashT: UnsafeMutablePointer<Int32>
    let rate: UnsafeMutablePointer<Int>
    let countClass: UnsafeMutablePointer<Int>

    // Touched weight rows since the last rewind (each listed once).
    let rowDirty: UnsafeMutablePointer<UInt8>
    let rowList: UnsafeMutablePointer<Int32>
    var rowCount = 0

    // Context state (spec 4.2), reset per prompt.
    var c0 = 1
    var nib = 1
    var ctx = SymbolContext()
    var hits = 0
    let hashes: UnsafeMutablePointer<UInt32>
    let lookahead: UnsafeMutablePointer<UInt32>
    /// Word offset in `ov` of each table's current bucket.
    let bucket: UnsafeMutablePointer<Int>
    let cand: UnsafeMutablePointer<Int>
    let chks: UnsafeMutablePointer<UInt32>

    // Per-bit scratch between predict and update.
    let stretched: UnsafeMutablePointer<Int>
    let confOff: UnsafeMutablePointer<Int>
    let stretched32: UnsafeMutablePointer<Int32>
    var base0 = 0, base1 = 0, base2 = 0, baseF = 0
    var d0 = 0, d1 = 0, d2 = 0
    var p0 = 0, p1 = 0, p2 = 0
    var mixed = 2048
    /// Index in `aov` of the APM entry to update.
    var apmIndex = 0
    /// Whether `ov`/`aov` are still owned by this instance (priming hands them to `PrimedState`).
    var ownsOverlay = true

    /// A model in the primed state of `tables`.
    convenience init(tables: ModelTables) {
        self.init(tables: tables, primed: PrimedState.of(tables))
    }

    init(tables: ModelTables, primed: PrimedState?) {
        self.tables = tables
        self.primed = primed
        let n = ContextModel.inputCount
        firstBucket = .allocate(capacity: n + 1)
        shifts = .allocate(capacity: n)
        for i in 0...n { firstBucket[i] = ContextModel.tableStarts[i] }
        for i in 0..<n { shifts[i] = UInt32(32 - ContextModel.tableBits[i]) }
        let total = ContextModel.tableStarts[n]
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
    static func allocateTable(bytes: Int) -> (UnsafeMutableRawPointer, Int) {
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

        // Each primed on first use (lazy, thread-safe globals): a process that reads only one
        // model's payloads pays for that model only.
        static let model1 = PrimedState(ContextModel(tables: .model1, primed: nil))
        static let model2 = PrimedState(ContextModel(tables: .model2, primed: nil))
        static let model3 = PrimedState(ContextModel(tables: .model3, primed: nil))

        /// SHA-256 of each part of this state (spec B.8).
        func digests() -> [(part: String, sha256: String)] {
            ContextModel.primedDigests(self)
        }

        /// A primed state for tables that are not a registered model (research only: the
        /// `experimentalSizes` hook); registered models use `of(_:)`, primed once per process.
        static func priming(_ tables: ModelTables) -> PrimedState {
            PrimedState(ContextModel(tables: tables, primed: nil))
        }

        static func of(_ tables: ModelTables) -> PrimedState {
            switch tables.modelID {
            case 1: return model1
            case 2: return model2
            case 3: return model3
            default: preconditionFailure("no primed state for model \(tables.modelID)")
            }
        }
    }

    /// The primed state's parts serialised as spec B.8 defines them (little-endian words; table 0
    /// as its 17 buckets, without this implementation's padding), each with its SHA-256.
    static func primedDigests(_ state: PrimedState) -> [(part: String, sha256: String)] {
        func hex(_ bytes: [UInt8]) -> String {
            let digits = Array("0123456789abcdef")
            return String(SHA256.hash(bytes).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
        }
        func words<T: FixedWidthInteger>(_ base: UnsafePointer<T>, _ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count * T.bitWidth / 8)
            for k in 0..<count {
                let value = base[k]
                for b in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * b))) }
            }
            return bytes
        }
        var parts: [(String, String)] = []
        for i in 0..<ContextModel.localFirst {
            let buckets = i == 0 ? 17 : 1 << ContextModel.tableBits[i]
            parts.append(("T\(i)", hex(words(UnsafePointer(state.mem + tableStarts[i] * 16), buckets * 16))))
        }
        parts.append(("A", hex(words(UnsafePointer(state.apm), ContextModel.apmRows * 24))))
        let w = UnsafePointer(state.weights)
        parts.append(("W0", hex(words(w + ContextModel.w0Base, ContextModel.w1Base - ContextModel.w0Base))))
        parts.append(("W1", hex(words(w + ContextModel.w1Base, ContextModel.w2Base - ContextModel.w1Base))))
        parts.append(("W2", hex(words(w + ContextModel.w2Base, ContextModel.wfBase - ContextModel.w2Base))))
        parts.append(("WF", hex(words(w + ContextModel.wfBase, ContextModel.weightCount - ContextModel.wfBase))))
        parts.append(("MT", hex(words(UnsafePointer(state.mt), 1 << ContextModel.matchBits))))
        parts.append(("SM", hex(words(UnsafePointer(state.sm), 32))))
        parts.append(("hist", hex(Array(UnsafeBufferPointer(start: state.hist, count: state.histLen)))))
        return parts
    }

    /// Priming model only: hands its whole-table overlays to the primed state.
    func surrenderTables() -> (UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt16>, Int) {
        precondition(primed == nil && ownsOverlay)
        ownsOverlay = false
        return (ov + 16, aov + 24, ovBytes + aovBytes)
    }

    /// Initial state (spec 4.7), then every training prompt coded without output.
    func prime() {
        for b in 0..<bucketCount { emptyBucket(ov + (b + 1) * 16) }
        for ctx in 0..<ContextModel.apmRows {
            for j in 0..<24 {
                aov[(ctx + 1) * 24 + j] = UInt16(Logistic.squash(j * 4096 / 23 - 2048) * 16)
            }
        }
        let wf = ContextModel.wfBase
        weights.initialize(repeating: ContextModel.weightInit, count: wf)
        (weights + wf).initialize(repeating: ContextModel.finalWeightInit, count: ContextModel.weightCount - wf)
        let tokenizer = tables.tokenizer
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
    func emptyBucket(_ p: UnsafeMutablePointer<UInt32>) {
        p[0] = 0
        for j in 1..<16 { p[j] = 0x8000 }
    }
}

/// Hint to bring the cache line at `p` into the cache (LLVM's prefetch intrinsic: read, high
/// locality, data cache). A pure performance hint: it never changes what the model computes.
@inline(__always)
func prefetch(_ p: UnsafeRawPointer) { gcx_prefetch(p) }
