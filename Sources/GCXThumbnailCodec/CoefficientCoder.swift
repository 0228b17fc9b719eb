import GCXRangeCoder

/// Codes the quantised coefficients of the three planes (spec Appendix C.6): per band, in raster
/// order, each value as a zero flag, a sign, an Exp-Golomb length in unary and its mantissa, under
/// contexts chosen by channel, band kind and level, and the magnitudes of neighbours already coded.
struct Coder {
    let layout: Layout
    private var models: Models

    /// Zeros and ones coded under each context so far, when counting (training only).
    var counts: [Int]? {
        get { models.counts }
        set { models.counts = newValue }
    }

    /// Luma's values once its plane is coded: chroma's contexts in codec 5 look at them.
    private var luma: [Int]?

    init(layout: Layout, untrained: Bool = false) {
        self.layout = layout
        models = Models(variant: layout.variant, untrained: untrained)
    }

    /// Where one value's contexts come from.
    struct Site {
        var set: Int        // channel class (Y 0, chroma 1) · 3 + band class (LL 0, HL/LH 1, HH 2)
        var level: Int      // 0...4
        var near: Int       // 0...4, from the neighbours
        var parent: Int     // 0...2
        // Codec 5 only (C.10), 0 otherwise: the neighbour along the band's edges and the value
        // across (the HL band at the place for luma's LH and HH, luma at the place for chroma),
        // each as a magnitude 0...2 and a sign (0 zero, 1 positive, 2 negative).
        var along = 0, cross = 0, alongSign = 0, crossSign = 0
    }

    // MARK: - Shared context selection

    /// min(2,|left|) + min(2,|above|) + (above-left ≠ 0) + (above-right ≠ 0), at most 4; neighbours
    /// outside the band count as 0.
    static func near(_ magnitudes: [Int], width: Int, band: Layout.Band, x: Int, y: Int) -> Int {
        func at(_ dx: Int, _ dy: Int) -> Int {
            let bx = x + dx, by = y + dy
            guard bx >= 0, by >= 0, bx < band.width else { return 0 }
            return abs(magnitudes[(band.y0 + by) * width + band.x0 + bx])
        }
        return min(4, min(2, at(-1, 0)) + min(2, at(0, -1)) + min(1, at(-1, -1)) + min(1, at(1, -1)))
    }

    func site(channel: Int, band: Layout.Band, near: Int, parent: Int) -> Site {
        let bandClass = band.kind == .low ? 0 : band.kind == .diagonal ? 2 : 1
        return Site(set: (channel == 0 ? 0 : 1) * 3 + bandClass, level: max(1, band.level) - 1, near: near, parent: parent)
    }

    func parentMagnitude(_ values: [Int], parent: Layout.Band?, x: Int, y: Int) -> Int {
        guard let parent else { return 0 }
        let px = min(x >> 1, parent.width - 1), py = min(y >> 1, parent.height - 1)
        return min(2, abs(values[(parent.y0 + py) * layout.width + parent.x0 + px]))
    }

    /// 0 for zero, 1 for positive, 2 for negative.
    static func signClass(_ v: Int) -> Int { v == 0 ? 0 : v > 0 ? 1 : 2 }

    /// MED prediction of an LL value from its left, above and above-left neighbours.
    static func predict(_ values: [Int], width: Int, x: Int, y: Int) -> Int {
        let hasLeft = x > 0, hasAbove = y > 0
        if !hasLeft && !hasAbove { return 0 }
        if !hasAbove { return values[y * width + x - 1] }
        if !hasLeft { return values[(y - 1) * width + x] }
        let a = values[y * width + x - 1], b = values[(y - 1) * width + x], c = values[(y - 1) * width + x - 1]
        if c >= max(a, b) { return min(a, b) }
        if c <= min(a, b) { return max(a, b) }
        return a + b - c
    }

    /// Visits a plane in coding order. `code` gets what the encoder codes at each place (the value,
    /// or in the LL band its residual from the prediction; a decoder ignores it), the site, and the
    /// place's index in the plane if it is in a detail band (nil in LL), and returns what was coded,
    /// which becomes the plane's value.
    /// Luma's final values are kept for chroma's contexts (codec 5).
    mutating func traverse(_ values: inout [Int], channel: Int, _ code: (Int, Site, Int?) throws -> Int) rethrows {
        let width = layout.width
        let oriented = layout.variant.oriented
        for band in layout.bands {
            let parent = layout.parent(of: band)    // once per band, not per coefficient
            // Codec 5: the neighbour along the band's edges, and where the value across comes from.
            let (alongX, alongY) = band.kind == .horizontal ? (0, -1) : band.kind == .vertical ? (-1, 0) : (1, -1)
            let acrossLuma = channel > 0 ? luma : nil
            let acrossBand = band.kind == .vertical || band.kind == .diagonal ? layout.horizontal(at: band.level) : nil
            var residuals = [Int](repeating: 0, count: band.kind == .low ? layout.width * layout.height : 0)
            for y in 0..<band.height {
                for x in 0..<band.width {
                    let index = (band.y0 + y) * width + band.x0 + x
                    if band.kind == .low {
                        let prediction = Self.predict(values, width: width, x: x, y: y)
                        let near = Self.near(residuals, width: width, band: band, x: x, y: y)
                        let r = try code(values[index] - prediction, site(channel: channel, band: band, near: near, parent: 0), nil)
                        residuals[index] = r
                        values[index] = prediction + r
                    } else {
                        let near = Self.near(values, width: width, band: band, x: x, y: y)
                        let parentValue = parentMagnitude(values, parent: parent, x: x, y: y)
                        var site = site(channel: channel, band: band, near: near, parent: parentValue)
                        if oriented {
                            let ax = x + alongX, ay = y + alongY
                            let alongValue = ax >= 0 && ay >= 0 && ax < band.width ? values[(band.y0 + ay) * width + band.x0 + ax] : 0
                            var crossValue = 0
                            if let acrossLuma {
                                crossValue = acrossLuma[index]
                            } else if let acrossBand {
                                crossValue = values[(acrossBand.y0 + min(y, acrossBand.height - 1)) * width
                                    + acrossBand.x0 + min(x, acrossBand.width - 1)]
                            }
                            site.along = min(2, abs(alongValue))
                            site.alongSign = Self.signClass(alongValue)
                            site.cross = min(2, abs(crossValue))
                            site.crossSign = Self.signClass(crossValue)
                        }
                        values[index] = try code(values[index], site, index)
                    }
                }
            }
        }
        if channel == 0 { luma = values }
    }

    mutating func encode(_ values: [Int], channel: Int, into coder: inout RangeEncoder) {
        var plane = values
        var models = self.models
        traverse(&plane, channel: channel) { value, site, _ in
            models.encode(value, at: site, into: &coder)
            return value
        }
        self.models = models
    }

    /// Codes a plane whose detail values are chosen for the least `error + lambda · bits`: `nearest`
    /// holds the values rounded to nearest (LL values are coded as they are), `scaled` each detail
    /// coefficient's magnitude in steps. A value may drop to one less or to 0 where the bits it
    /// saves, under the contexts as they stand, are worth more than the error it adds (squared, in
    /// steps, which weigh alike in every band and channel). Returns the values coded.
    mutating func encode(nearest: [Int], scaled: [Double], lambda: Double, channel: Int,
                         into coder: inout RangeEncoder) -> [Int] {
        var plane = nearest
        var models = self.models
        traverse(&plane, channel: channel) { value, site, index in
            guard let index, value != 0 else {
                models.encode(value, at: site, into: &coder)
                return value
            }
            let u = scaled[index], m = abs(value)
            func cost(_ candidate: Int) -> Double {
                let d = u - Double(candidate)
                return d * d + lambda * models.cost(candidate, at: site)
            }
            var best = 0, bestCost = cost(0)
            for candidate in max(1, m - 1)...m {
                let c = cost(candidate)
                if c <= bestCost { best = candidate; bestCost = c }
            }
            let chosen = value < 0 ? -best : best
            models.encode(chosen, at: site, into: &coder)
            return chosen
        }
        self.models = models
        return plane
    }

    mutating func decode(into values: inout [Int], channel: Int, from coder: inout RangeDecoder) throws {
        var models = self.models
        defer { self.models = models }
        try traverse(&values, channel: channel) { _, site, _ in try models.decode(at: site, from: &coder) }
    }
}

/// Every context of a payload (C.5; C.10 for codec 5), shared by its three channels, in one array:
/// ZERO, SIGN, LENGTH, MANTISSA, each in row-major order of its indices.
struct Models {
    /// Where each kind of context starts (ZERO at 0), and how many there are.
    private let signBase: Int, lengthBase: Int, mantissaBase: Int, count: Int
    private let oriented: Bool

    /// The table's layout: ZERO (450, or ZERO5's 4,050), SIGN (6, or SIGN5's 54), LENGTH (288),
    /// MANTISSA (96).
    private static func bases(oriented: Bool) -> (sign: Int, length: Int, mantissa: Int, count: Int) {
        let sign = oriented ? 4050 : 450
        let length = sign + (oriented ? 54 : 6)
        return (sign, length, length + 288, length + 288 + 96)
    }

    private var models: [BitModel]
    /// Training (`TinyImageCodec.contextCounts`): zeros and ones coded under each context.
    var counts: [Int]?

    /// Contexts of `variant`: 840 for codecs 3 and 4, 4,488 for codec 5.
    static func count(_ variant: TinyImageCodec.Variant) -> Int { bases(oriented: variant.oriented).count }

    /// `untrained`: every context at (32768, 0), as training starts, so a table never depends on the
    /// one before it.
    init(variant: TinyImageCodec.Variant, untrained: Bool = false) {
        oriented = variant.oriented
        (signBase, lengthBase, mantissaBase, count) = Self.bases(oriented: oriented)
        models = untrained ? [BitModel](repeating: BitModel(), count: count) : oriented ? Self.primed5 : Self.primed
    }

    /// The contexts as every payload starts them (C.5, C.10), made once: the encoder's searches
    /// start a coder for every trial.
    private static let primed = TinyImagePriors.initial.map { BitModel(p: $0, n: TinyImagePriors.confidence) }
    private static let primed5 = TinyImagePriors.initial5.map { BitModel(p: $0, n: TinyImagePriors.confidence) }

    /// The zero flag's context: ZERO[c][k][lev][near·3 + parent], or C.10's ZERO5.
    @inline(__always)
    func zero(_ site: Coder.Site) -> Int {
        let base = (site.set * 5 + site.level) * 5 + site.near
        return oriented ? ((base * 3 + site.parent) * 3 + site.along) * 3 + site.cross : base * 3 + site.parent
    }

    /// The sign's context: SIGN[c][k], or C.10's SIGN5.
    @inline(__always)
    func sign(_ site: Coder.Site) -> Int {
        signBase + (oriented ? (site.set * 3 + site.alongSign) * 3 + site.crossSign : site.set)
    }

    /// The context of the length's bit `i` (0-based): LENGTH[c][k][i][g], g from `near`.
    @inline(__always)
    func length(_ site: Coder.Site, _ i: Int) -> Int {
        lengthBase + (site.set * 16 + i) * 3 + (site.near == 0 ? 0 : site.near <= 2 ? 1 : 2)
    }

    /// The context of the mantissa's first bit of a `bits`-bit magnitude: MANTISSA[c][k][bits].
    @inline(__always)
    func mantissa(_ site: Coder.Site, _ bits: Int) -> Int { mantissaBase + site.set * 16 + bits }

    mutating func encode(_ v: Int, at site: Coder.Site, into coder: inout RangeEncoder) {
        func put(_ bit: Int, _ index: Int) {
            coder.encode(bit: bit, p1: models[index].p1)
            models[index].update(bit)
            if counts != nil { counts![2 * index + bit] += 1 }
        }
        put(v != 0 ? 1 : 0, zero(site))
        guard v != 0 else { return }
        put(v < 0 ? 1 : 0, sign(site))
        let m = abs(v)
        let bits = Int.bitWidth - m.leadingZeroBitCount     // 1...15
        for i in 0..<(bits - 1) { put(1, length(site, i)) }
        put(0, length(site, bits - 1))
        guard bits >= 2 else { return }
        put((m >> (bits - 2)) & 1, mantissa(site, bits))
        for i in stride(from: bits - 3, through: 0, by: -1) { coder.encode(bit: (m >> i) & 1, p1: 2048) }
    }

    /// −log2 of p1/4096 for p1 = 0...4096: the bits a 1 costs (a 0 costs `bitCosts[4096 − p1]`).
    static let bitCosts: [Double] = (0...4096).map { $0 == 0 ? 24 : 12 - log2(Double($0)) }

    /// log2 of x > 0, from its binary exponent and ln of its significand s (1 ≤ s < 2) by the
    /// series ln s = 2 atanh z, z = (s − 1)/(s + 1) ≤ 1/3 (the module has no maths library).
    static func log2(_ x: Double) -> Double {
        let s = x.significand, z = (s - 1) / (s + 1), z2 = z * z
        var term = z, sum = 0.0
        for k in stride(from: 1, through: 41, by: 2) {
            sum += term / Double(k)
            term *= z2
        }
        return Double(x.exponent) + 2 * sum / 0.693_147_180_559_945_3
    }

    /// The bits magnitude `m` (sign included) would cost at `site` with the contexts as they are.
    func cost(_ m: Int, at site: Coder.Site) -> Double {
        func bit(_ b: Int, _ index: Int) -> Double {
            let p1 = models[index].p1
            return Self.bitCosts[b != 0 ? p1 : 4096 - p1]
        }
        var total = bit(m != 0 ? 1 : 0, zero(site))
        guard m != 0 else { return total }
        total += 1      // the sign: either way about a bit
        let bits = Int.bitWidth - m.leadingZeroBitCount
        for i in 0..<(bits - 1) { total += bit(1, length(site, i)) }
        total += bit(0, length(site, bits - 1))
        guard bits >= 2 else { return total }
        return total + bit((m >> (bits - 2)) & 1, mantissa(site, bits)) + Double(bits - 2)
    }

    mutating func decode(at site: Coder.Site, from coder: inout RangeDecoder) throws -> Int {
        func get(_ index: Int) -> Int {
            let bit = coder.decode(p1: models[index].p1)
            models[index].update(bit)
            return bit
        }
        guard get(zero(site)) == 1 else { return 0 }
        let negative = get(sign(site)) == 1
        var bits = 1
        while get(length(site, bits - 1)) == 1 {
            bits += 1
            guard bits <= 15 else {
                throw TinyImageCodec.DecodingError(reason: "a coefficient length passes 15 bits")
            }
        }
        var m = 1
        if bits >= 2 {
            m = m << 1 | get(mantissa(site, bits))
            for _ in stride(from: bits - 3, through: 0, by: -1) { m = m << 1 | coder.decode(p1: 2048) }
        }
        return negative ? -m : m
    }
}
