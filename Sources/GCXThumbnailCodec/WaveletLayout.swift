/// The wavelet decomposition of one plane (spec Appendix C.3, C.4, C.9): how many levels, where
/// each band lies in the Mallat layout, the lifting steps of the codec's wavelet and the quantiser
/// of each band.
struct Layout {
    enum Kind: Int { case low = 0, horizontal = 1, vertical = 2, diagonal = 3 }

    struct Band {
        var kind: Kind
        /// 1 for the finest detail bands; the LL band has the number of levels.
        var level: Int
        var x0: Int, y0: Int, width: Int, height: Int
    }

    let variant: TinyImageCodec.Variant
    let width: Int
    let height: Int
    let levels: Int
    /// The region each level transforms: sizes[0] is the image, sizes[l] its LL after l levels.
    let sizes: [(width: Int, height: Int)]
    /// In coding order: LL, then each level from the coarsest: HL, LH, HH.
    let bands: [Band]

    init(width: Int, height: Int, variant: TinyImageCodec.Variant) {
        self.variant = variant
        self.width = width
        self.height = height
        var levels = 0
        while levels < TinyImageCodec.maxLevels && (2 << levels) <= min(width, height) { levels += 1 }
        self.levels = levels
        var sizes = [(width: width, height: height)]
        for _ in 0..<levels { sizes.append(((sizes.last!.width + 1) / 2, (sizes.last!.height + 1) / 2)) }
        self.sizes = sizes
        var bands = [Band(kind: .low, level: levels, x0: 0, y0: 0, width: sizes[levels].width, height: sizes[levels].height)]
        for level in stride(from: levels, through: 1, by: -1) {
            let outer = sizes[level - 1], inner = sizes[level]
            bands.append(Band(kind: .horizontal, level: level, x0: inner.width, y0: 0, width: outer.width - inner.width, height: inner.height))
            bands.append(Band(kind: .vertical, level: level, x0: 0, y0: inner.height, width: inner.width, height: outer.height - inner.height))
            bands.append(Band(kind: .diagonal, level: level, x0: inner.width, y0: inner.height,
                              width: outer.width - inner.width, height: outer.height - inner.height))
        }
        self.bands = bands
    }

    /// The band of `kind` one level coarser than `band`, if there is one (the LL band has none).
    func parent(of band: Band) -> Band? {
        guard band.kind != .low, band.level < levels else { return nil }
        return bands.first { $0.kind == band.kind && $0.level == band.level + 1 }
    }

    /// The HL band of `level` (1...levels).
    func horizontal(at level: Int) -> Band {
        bands[1 + 3 * (levels - level)]
    }

    // MARK: - Lifting

    func forward(_ plane: inout [Int]) {
        let lift = variant == .codec3 ? Self.lift : Self.lift97
        var line = [Int](repeating: 0, count: max(width, height))
        var rows = [Int](repeating: 0, count: variant == .codec3 ? 0 : width * height)
        for level in 0..<levels {
            let (w, h) = sizes[level]
            for y in 0..<h { lift(&plane, y * width, w, 1, &line, false) }
            if variant == .codec3 {
                for x in 0..<w { lift(&plane, x, h, width, &line, false) }
            } else {
                Self.lift97Columns(&plane, width: width, columns: w, rows: h, scratch: &rows, inverse: false)
            }
        }
    }

    func inverse(_ plane: inout [Int]) {
        let lift = variant == .codec3 ? Self.lift : Self.lift97
        var line = [Int](repeating: 0, count: max(width, height))
        var rows = [Int](repeating: 0, count: variant == .codec3 ? 0 : width * height)
        for level in stride(from: levels - 1, through: 0, by: -1) {
            let (w, h) = sizes[level]
            if variant == .codec3 {
                for x in 0..<w { lift(&plane, x, h, width, &line, true) }
            } else {
                Self.lift97Columns(&plane, width: width, columns: w, rows: h, scratch: &rows, inverse: true)
            }
            for y in 0..<h { lift(&plane, y * width, w, 1, &line, true) }
        }
    }

    /// One 1-D 5/3 step over `count` samples (whole-sample symmetric extension): forward turns
    /// samples into ⌈count/2⌉ low then ⌊count/2⌋ high coefficients; inverse undoes it exactly.
    static func lift(_ a: inout [Int], start: Int, count n: Int, stride gap: Int, line x: inout [Int], inverse: Bool) {
        guard n >= 2 else { return }
        let lows = (n + 1) / 2
        if inverse {
            for k in 0..<lows { x[2 * k] = a[start + k * gap] }
            for k in 0..<(n - lows) { x[2 * k + 1] = a[start + (lows + k) * gap] }
            for i in stride(from: 0, to: n, by: 2) {
                let left = i > 0 ? x[i - 1] : x[i + 1], right = i + 1 < n ? x[i + 1] : x[i - 1]
                x[i] -= (left + right + 2) >> 2
            }
            for i in stride(from: 1, to: n, by: 2) {
                let right = i + 1 < n ? x[i + 1] : x[i - 1]
                x[i] += (x[i - 1] + right) >> 1
            }
            for i in 0..<n { a[start + i * gap] = x[i] }
        } else {
            for i in 0..<n { x[i] = a[start + i * gap] }
            for i in stride(from: 1, to: n, by: 2) {
                let right = i + 1 < n ? x[i + 1] : x[i - 1]
                x[i] -= (x[i - 1] + right) >> 1
            }
            for i in stride(from: 0, to: n, by: 2) {
                let left = i > 0 ? x[i - 1] : x[i + 1], right = i + 1 < n ? x[i + 1] : x[i - 1]
                x[i] += (left + right + 2) >> 2
            }
            for k in 0..<lows { a[start + k * gap] = x[2 * k] }
            for k in 0..<(n - lows) { a[start + (lows + k) * gap] = x[2 * k + 1] }
        }
    }

    /// The CDF 9/7 lifting steps in 1/4096 units (Appendix C.9), applied in this order going forward:
    /// odd samples, even, odd, even. The scaling step is left out; the band weights carry it.
    static let liftSteps97 = [-6497, -217, 3616, 1817]
    /// Every lifting result is clamped to 32 bits, so that no payload can make the values grow
    /// past what 64-bit arithmetic holds; photos never come near.
    static let liftBound = 1 << 31

    /// One 1-D CDF 9/7 step (codec 4) over `count` samples, with the same extension and layout as
    /// `lift`. Forward is the encoder's and need not be exact; inverse is normative.
    static func lift97(_ a: inout [Int], start: Int, count n: Int, stride gap: Int, line x: inout [Int], inverse: Bool) {
        guard n >= 2 else { return }
        let lows = (n + 1) / 2
        a.withUnsafeMutableBufferPointer { a in
            x.withUnsafeMutableBufferPointer { x in
                // One lifting step on the samples of one parity; the ends mirror (x[-1] = x[1],
                // x[n] = x[n-2]).
                func pass(_ parity: Int, _ c: Int, _ sign: Int) {
                    @inline(__always) func lifted(_ v: Int, _ left: Int, _ right: Int) -> Int {
                        min(liftBound - 1, max(-liftBound, v + sign * ((c * (left + right) + 2048) >> 12)))
                    }
                    var i = parity
                    if i == 0 {
                        x[0] = lifted(x[0], x[1], x[1])
                        i = 2
                    }
                    while i < n - 1 {
                        x[i] = lifted(x[i], x[i - 1], x[i + 1])
                        i += 2
                    }
                    if i == n - 1 { x[i] = lifted(x[i], x[i - 1], x[i - 1]) }
                }
                if inverse {
                    for k in 0..<lows { x[2 * k] = a[start + k * gap] }
                    for k in 0..<(n - lows) { x[2 * k + 1] = a[start + (lows + k) * gap] }
                    for step in stride(from: 3, through: 0, by: -1) { pass(step % 2 == 0 ? 1 : 0, liftSteps97[step], -1) }
                    for i in 0..<n { a[start + i * gap] = x[i] }
                } else {
                    for i in 0..<n { x[i] = a[start + i * gap] }
                    for step in 0..<4 { pass(step % 2 == 0 ? 1 : 0, liftSteps97[step], 1) }
                    for k in 0..<lows { a[start + k * gap] = x[2 * k] }
                    for k in 0..<(n - lows) { a[start + (lows + k) * gap] = x[2 * k + 1] }
                }
            }
        }
    }

    /// `lift97` on each of the first `w` columns of the first `n` rows of `plane` (`width` values a
    /// row), a whole row at a time: each step adds to a row its neighbouring rows, so memory is read
    /// in order instead of a column's stride apart. The same arithmetic, so the same values.
    static func lift97Columns(_ plane: inout [Int], width: Int, columns w: Int, rows n: Int, scratch: inout [Int], inverse: Bool) {
        guard n >= 2 else { return }
        let lows = (n + 1) / 2
        plane.withUnsafeMutableBufferPointer { a in
            scratch.withUnsafeMutableBufferPointer { s in
                // Row i of the interleaved column (lows at even rows, highs at odd) is s[i * w ..< (i + 1) * w].
                func copy(from: UnsafeMutablePointer<Int>, to: UnsafeMutablePointer<Int>) { to.update(from: from, count: w) }
                let plane = a.baseAddress!, rows = s.baseAddress!
                func pass(_ parity: Int, _ c: Int, _ sign: Int) {
                    for i in stride(from: parity, to: n, by: 2) {
                        let row = rows + i * w
                        let left = rows + (i > 0 ? i - 1 : i + 1) * w, right = rows + (i + 1 < n ? i + 1 : i - 1) * w
                        for x in 0..<w {
                            row[x] = min(liftBound - 1, max(-liftBound, row[x] + sign * ((c * (left[x] + right[x]) + 2048) >> 12)))
                        }
                    }
                }
                if inverse {
                    for k in 0..<lows { copy(from: plane + k * width, to: rows + 2 * k * w) }
                    for k in 0..<(n - lows) { copy(from: plane + (lows + k) * width, to: rows + (2 * k + 1) * w) }
                    for step in stride(from: 3, through: 0, by: -1) { pass(step % 2 == 0 ? 1 : 0, liftSteps97[step], -1) }
                    for i in 0..<n { copy(from: rows + i * w, to: plane + i * width) }
                } else {
                    for i in 0..<n { copy(from: plane + i * width, to: rows + i * w) }
                    for step in 0..<4 { pass(step % 2 == 0 ? 1 : 0, liftSteps97[step], 1) }
                    for k in 0..<lows { copy(from: rows + 2 * k * w, to: plane + k * width) }
                    for k in 0..<(n - lows) { copy(from: rows + (2 * k + 1) * w, to: plane + (lows + k) * width) }
                }
            }
        }
    }

    // MARK: - Quantisers

    /// The step of `band` for `channel` at quantiser `q`, in 1/16 units (at least 1).
    func step(of band: Band, quantizer q: Int, channel: Int) -> Int {
        let weight = band.kind == .low ? variant.lowWeights[levels]
            : variant.detailWeights[band.level - 1][band.kind == .diagonal ? 1 : 0]
        return max(1, (TinyImageCodec.baseSteps[q] * weight * TinyImageCodec.channelFactors[channel] + 2048) >> 12)
    }

    /// Largest quantised magnitude a stream can carry.
    static let maxMagnitude = (1 << 15) - 1
    /// The rounding of detail coefficients at a quantiser's first trial (`quantise`).
    static let defaultRounding = 5

    /// A detail coefficient's magnitude is |c| / step plus `rounding`/16, rounded down (8 would round
    /// to nearest; less widens the dead zone around 0, since small coefficients are mostly noise, and
    /// spends fewer bytes); LL values round to nearest. An encoder's choice: the decoder only sees the
    /// quantised values.
    func quantise(_ plane: [Int], quantizer q: Int, channel: Int, rounding: Int = Layout.defaultRounding) -> [Int] {
        var out = plane
        for band in bands {
            let s = step(of: band, quantizer: q, channel: channel)
            let offset = band.kind == .low ? s / 2 : (s * rounding) >> 4
            for y in band.y0..<(band.y0 + band.height) {
                for x in band.x0..<(band.x0 + band.width) {
                    let c = plane[y * width + x]
                    let m = min(Self.maxMagnitude, (16 * abs(c) + offset) / s)
                    out[y * width + x] = c < 0 ? -m : m
                }
            }
        }
        return out
    }

    /// Each detail coefficient's magnitude in steps (LL places are 0): what `quantise` rounds.
    func scaled(_ plane: [Int], quantizer q: Int, channel: Int) -> [Double] {
        var out = [Double](repeating: 0, count: plane.count)
        for band in bands where band.kind != .low {
            let perUnit = 16 / Double(step(of: band, quantizer: q, channel: channel))
            for y in band.y0..<(band.y0 + band.height) {
                for x in band.x0..<(band.x0 + band.width) { out[y * width + x] = Double(abs(plane[y * width + x])) * perUnit }
            }
        }
        return out
    }

    func dequantise(_ quantised: [Int], quantizer q: Int, channel: Int) -> [Int] {
        var out = quantised
        for band in bands {
            let s = step(of: band, quantizer: q, channel: channel)
            for y in band.y0..<(band.y0 + band.height) {
                for x in band.x0..<(band.x0 + band.width) {
                    let v = quantised[y * width + x]
                    let m = (abs(v) * s + 8) >> 4
                    out[y * width + x] = v < 0 ? -m : m
                }
            }
        }
        return out
    }
}
