/// SHA-256 (FIPS 180-4), streaming: `update` as bytes pass, then `finalize`.
///
/// The format records the SHA-256 of each original photo; the core computes it itself so that it
/// needs no crypto dependency.
public struct SHA256 {
    private var state: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]
    private var pending: [UInt8] = []
    /// The message schedule, reused for every block rather than allocated per block.
    private var schedule = [UInt32](repeating: 0, count: 64)
    private var totalBytes: UInt64 = 0

    /// Bytes of a digest.
    public static let digestSize = 32

    /// A hash of no bytes yet.
    public init() { pending.reserveCapacity(64) }

    /// Hashes `bytes` after those given before.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        totalBytes &+= UInt64(bytes.count)
        var index = bytes.startIndex
        // Top up a partial block first, then hash whole blocks straight from the input.
        while !pending.isEmpty, index != bytes.endIndex {
            pending.append(bytes[index])
            index = bytes.index(after: index)
            if pending.count == 64 {
                compress(pending[...])
                pending.removeAll(keepingCapacity: true)
            }
        }
        let rest = bytes[index...]
        let wholeBlocks = rest.count / 64 * 64
        if wholeBlocks > 0 {
            let contiguous: Void? = rest.withContiguousStorageIfAvailable { buffer in
                for start in stride(from: 0, to: wholeBlocks, by: 64) { compress(buffer[start..<(start + 64)]) }
            }
            if contiguous == nil {
                let blocks = Array(rest.prefix(wholeBlocks))
                for start in stride(from: 0, to: wholeBlocks, by: 64) { compress(blocks[start..<(start + 64)]) }
            }
        }
        pending.append(contentsOf: rest.dropFirst(wholeBlocks))
    }

    /// The 32-byte digest of every byte given; the hash is not to be updated afterwards.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        var tail = pending
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for k in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }
        for start in stride(from: 0, to: tail.count, by: 64) { compress(tail[start..<(start + 64)]) }
        var digest: [UInt8] = []
        for word in state { for k in (0..<4).reversed() { digest.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))) } }
        return digest
    }

    /// The 32-byte SHA-256 of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    private mutating func compress<Block: RandomAccessCollection>(_ block: Block) where Block.Element == UInt8, Block.Index == Int {
        let base = block.startIndex
        var w = schedule
        schedule = []  // keep w uniquely referenced so writes need no copy
        defer { schedule = w }
        for t in 0..<16 {
            let i = base + 4 * t
            w[t] = UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16 | UInt32(block[i + 2]) << 8 | UInt32(block[i + 3])
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        for t in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ SHA256.k[t] &+ w[t]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ majority
            h = g; g = f; f = e; e = d &+ t1
            d = c; c = b; b = a; a = t1 &+ t2
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
        state[4] &+= e; state[5] &+= f; state[6] &+= g; state[7] &+= h
    }

    private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
