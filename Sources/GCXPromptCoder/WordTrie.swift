/// The dictionary of spec 4.9 as a trie: each entry is a word followed by 0x20; a node's children
/// (sorted by symbol) are contiguous in the child arrays, and `cum` holds prefix sums of the
/// entry weights below each child, so the entries consistent with a partial symbol are one
/// contiguous child range. Read-only once built; shared by all threads.
final class WordTrie: @unchecked Sendable {
    /// Child i: symbol, total weight of the entries below it (as prefix sums `cum[i+1]-cum[i]`),
    /// node it leads to (-1 at an end marker).
    let sym: UnsafeMutablePointer<UInt8>
    let cum: UnsafeMutablePointer<Int32>
    let next: UnsafeMutablePointer<Int32>
    /// Node k's children are `start[k] ..< start[k] + count[k]`; node 0 is the root.
    let start: UnsafeMutablePointer<Int32>
    let count: UnsafeMutablePointer<Int32>
    let childCount: Int
    let nodeCount: Int

    init(words: [[UInt8]], weights: [Int32]) {
        // `words` is sorted and unique (ModelTables checks); 0x20 sorts before every letter, so the
        // entries stay sorted.
        let entries = words.map { $0 + [0x20] }
        var sym: [UInt8] = [], cnt: [Int32] = [], next: [Int32] = []
        var start: [Int32] = [], count: [Int32] = []
        // Breadth-first: queue of (node id, entry range, depth).
        var wcum: [Int32] = [0]
        for w in weights { wcum.append(wcum.last! + w) }
        var queue: [(Int, Int, Int)] = [(0, entries.count, 0)]
        start.append(0); count.append(0)
        var qi = 0
        while qi < queue.count {
            let (lo, hi, d) = queue[qi]
            let node = qi
            qi += 1
            start[node] = Int32(sym.count)
            var i = lo
            while i < hi {
                let c = entries[i][d]
                var j = i
                while j < hi && entries[j][d] == c { j += 1 }
                sym.append(c); cnt.append(wcum[j] - wcum[i])
                if c == 0x20 {
                    next.append(-1)
                } else {
                    next.append(Int32(queue.count))
                    queue.append((i, j, d + 1))
                    start.append(0); count.append(0)
                }
                i = j
            }
            count[node] = Int32(sym.count) - start[node]
        }
        var cum: [Int32] = [0]
        for c in cnt { cum.append(cum.last! + c) }
        func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
            p.initialize(from: a, count: a.count)
            return p
        }
        self.sym = copy(sym); self.cum = copy(cum); self.next = copy(next)
        self.start = copy(start); self.count = copy(count)
        childCount = sym.count
        nodeCount = start.count
    }

    deinit {
        sym.deallocate(); cum.deallocate(); next.deallocate(); start.deallocate(); count.deallocate()
    }

    var allocatedBytes: Int { childCount * 9 + 4 + nodeCount * 8 }
}
