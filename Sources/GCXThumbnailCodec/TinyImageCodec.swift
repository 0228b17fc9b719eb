import GCXRangeCoder

/// Thumbnail codecs 3, 4 and 5 (spec/gcx.md Appendix C): a lossy codec for images of a few thousand
/// pixels that spends nothing on framing. The payload is one range-coded stream: a 6-bit quantiser
/// index, then the quantised coefficients of the YCoCg-R colour transform and an integer wavelet
/// (5/3 in codec 3; 9/7 on samples with two fractional bits in codecs 4 and 5), each bit under an
/// adaptive binary context (codec 5's also by the neighbour along the band's edges, the band beside
/// it and, for chroma, luma). The thumbnail chunk already gives the width and height. Everything the decoder
/// computes is integer arithmetic, so every decoder that follows the spec produces the same pixels.
///
///     let payload = TinyImageCodec.encode(pixels, width: 96, height: 64, maxBytes: 300)
///     let pixels = try TinyImageCodec.decode(payload, width: 96, height: 64, variant: .codec5)
public enum TinyImageCodec {
    /// Largest thumbnail the codec codes (Appendix C.1): 1/8 of a 64-megapixel photo.
    public static let maxPixels = 1 << 20
    /// Quantiser indexes run from 0 (finest) to 63.
    public static let maxQuantizer = 63
    /// Most wavelet levels.
    static let maxLevels = 5

    /// Step sizes in 1/16 units: round(16 · 2^(q/6)).
    static let baseSteps: [Int] = [
        16, 18, 20, 23, 25, 29, 32, 36, 40, 45, 51, 57, 64, 72, 81, 91, 102, 114, 128, 144, 161, 181, 203,
        228, 256, 287, 323, 362, 406, 456, 512, 575, 645, 724, 813, 912, 1024, 1149, 1290, 1448, 1625, 1825,
        2048, 2299, 2580, 2896, 3251, 3649, 4096, 4598, 5161, 5793, 6502, 7298, 8192, 9195, 10321, 11585,
        13004, 14596, 16384, 18390, 20643, 23170,
    ]
    /// The three forms of the codec, alike but for the wavelet, the samples' precision and the
    /// contexts.
    public enum Variant: Sendable {
        /// Codec 3 (Appendix C): the 5/3 wavelet on whole samples.
        case codec3
        /// Codec 4 (Appendix C.9): the CDF 9/7 wavelet on samples with two fractional bits, which
        /// codes photos better at the same bytes.
        case codec4
        /// Codec 5 (Appendix C.10): codec 4 whose contexts also follow each band's orientation (the
        /// neighbour along its edges), the band beside it at the same place and, for chroma, luma.
        case codec5

        /// Fractional bits of the planes the wavelet works on.
        var fractionBits: Int { self == .codec3 ? 0 : 2 }

        /// Whether the contexts of Appendix C.10 are used.
        var oriented: Bool { self == .codec5 }

        /// Band weights, 256 · 2^fractionBits over the synthesis norm of the band: detail bands by
        /// level 1...5 and kind (horizontal or vertical, diagonal).
        var detailWeights: [[Int]] { self == .codec3 ? Self.detailWeights3 : Self.detailWeights4 }

        /// The LL band's weight by the number of levels 0...5.
        var lowWeights: [Int] { self == .codec3 ? Self.lowWeights3 : Self.lowWeights4 }

        // Tables, made once (C.7, C.9).
        private static let detailWeights3 = [[247, 356], [161, 278], [88, 161], [45, 84], [23, 42]]
        private static let detailWeights4 = [[1013, 1301], [776, 1059], [560, 745], [415, 545], [312, 408]]
        private static let lowWeights3 = [256, 171, 93, 48, 24, 12]
        private static let lowWeights4 = [1024, 788, 568, 421, 317, 239]
    }

    /// Chroma steps are coarser, in 1/16 units: Co and Cg errors weigh 1/6 and 1/4 of Y's in RGB.
    static let channelFactors: [Int] = [16, 39, 32]

    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    // MARK: - Encoding

    /// The payload at quantiser `quantizer` (0...63) for `pixels` (RGB, 8 bits, rows top to bottom).
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, quantizer: Int, variant: Variant = .codec5) -> [UInt8] {
        encode(pixels, width: width, height: height, quantizer: quantizer, variant: variant, counts: nil)
    }

    /// Training: how many zeros and ones the encoder codes under each context (two counts per
    /// context, in the order of Appendix C.5's PRIOR table).
    public static func contextCounts(_ pixels: [UInt8], width: Int, height: Int, quantizer: Int, variant: Variant) -> [Int] {
        var counts = [Int](repeating: 0, count: 2 * Models.count(variant))
        _ = encode(pixels, width: width, height: height, quantizer: quantizer, variant: variant, counts: &counts)
        return counts
    }

    /// How many contexts a payload of `variant` has (the length of its PRIOR table).
    public static func contextCount(_ variant: Variant) -> Int { Models.count(variant) }

    /// Training: the quantiser that fits `maxBytes` with untrained contexts.
    public static func untrainedQuantizer(_ pixels: [UInt8], width: Int, height: Int, maxBytes: Int, variant: Variant) -> Int? {
        var scratch = [Int](repeating: 0, count: 2 * Models.count(variant))
        return finestFitting(maxBytes) {
            encode(pixels, width: width, height: height, quantizer: $0, variant: variant, counts: &scratch).count
        }
    }

    /// The quantiser `encode(_:width:height:maxBytes:)` picks, or nil when none fits.
    public static func quantizer(_ pixels: [UInt8], width: Int, height: Int, maxBytes: Int, variant: Variant = .codec5) -> Int? {
        fitting(pixels, width: width, height: height, maxBytes: maxBytes, variant: variant)?.quantizer
    }

    /// The finest quantiser whose payload fits and that payload. The colour and wavelet transforms
    /// are made once for all the quantisers tried, and a trial stops after a channel once its
    /// payload can no longer fit. With `refine`, finer quantisers whose values are chosen for their
    /// cost in bits are tried too (`refined`).
    private static func fitting(_ pixels: [UInt8], width: Int, height: Int, maxBytes: Int, variant: Variant,
                                refine: Bool = false, guess: Int? = nil) -> Fit? {
        let (layout, planes) = transformed(pixels, width: width, height: height, variant: variant)
        var best: Fit?
        _ = finestFitting(maxBytes, guess: guess) { q in
            // Trials up to twice the budget run to the end: their sizes place the next trial.
            var reached = 0
            guard let made = code(planes, layout: layout, quantizer: q, limit: 2 * maxBytes, reached: &reached) else {
                return reached
            }
            if made.payload.count <= maxBytes && (best == nil || q < best!.quantizer) {
                best = Fit(quantizer: q, payload: made.payload, values: made.values, layout: layout)
            }
            return made.payload.count
        }
        guard refine, let plain = best else { return best }
        return refined(plain, planes: planes, pixels: pixels, maxBytes: maxBytes)
    }

    /// A payload, the values it codes and their layout (so its pixels need no entropy decoding).
    struct Fit {
        var quantizer: Int, payload: [UInt8], values: [[Int]], layout: Layout
        var pixels: [UInt8] { decoded(values, quantizer: quantizer, layout: layout) }
    }

    /// `encode(_:width:height:maxBytes:variant:refine:quantizerGuess:)` and the pixels its payload
    /// decodes to, without decoding it.
    public static func encodeAndDecode(_ pixels: [UInt8], width: Int, height: Int, maxBytes: Int, variant: Variant = .codec5,
                                       refine: Bool = true, quantizerGuess: Int? = nil) -> (payload: [UInt8], pixels: [UInt8])? {
        guard let fit = fitting(pixels, width: width, height: height, maxBytes: maxBytes, variant: variant, refine: refine,
                                guess: quantizerGuess) else { return nil }
        return (fit.payload, fit.pixels)
    }

    /// The payload at each of `quantizers` with the pixels it decodes to (transforms made once), for
    /// choosing a size by what it buys.
    public static func encodeAndDecode(_ pixels: [UInt8], width: Int, height: Int, quantizers: [Int],
                                       variant: Variant = .codec5) -> [(payload: [UInt8], pixels: [UInt8])] {
        let (layout, planes) = transformed(pixels, width: width, height: height, variant: variant)
        return quantizers.compactMap { q in
            code(planes, layout: layout, quantizer: q).map { ($0.payload, decoded($0.values, quantizer: q, layout: layout)) }
        }
    }

    /// `payload` (which fits `maxBytes`, coded from `pixels` by `encode(_:width:height:maxBytes:refine:)`
    /// without refining) refined as `encode` refines: the same or a better payload within `maxBytes`.
    /// For choosing among several sizes first and refining only the one chosen.
    public static func refined(_ payload: [UInt8], pixels: [UInt8], width: Int, height: Int, maxBytes: Int,
                               variant: Variant = .codec5) -> [UInt8] {
        let q = quantizer(of: payload)
        let (layout, planes) = transformed(pixels, width: width, height: height, variant: variant)
        let values = (0..<3).map { layout.quantise(planes[$0], quantizer: q, channel: $0) }
        return refined(Fit(quantizer: q, payload: payload, values: values, layout: layout), planes: planes, pixels: pixels,
                       maxBytes: maxBytes).payload
    }

    /// The layout and the three transformed planes of `pixels`.
    static func transformed(_ pixels: [UInt8], width: Int, height: Int, variant: Variant) -> (Layout, [[Int]]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3)
        let layout = Layout(width: width, height: height, variant: variant)
        var planes = forwardColour(pixels, count: width * height, fractionBits: variant.fractionBits)
        for channel in 0..<3 { layout.forward(&planes[channel]) }
        return (layout, planes)
    }

    /// How detail coefficients become values: an encoder's choice, the decoder sees only the values.
    enum Quantisation {
        /// One dead zone everywhere: |x| / step + rounding / 16, rounded down.
        case deadZone(rounding: Int)
        /// Each value chosen for the least error + lambda · bits (`Coder.encode(nearest:scaled:...)`).
        case tradeoff(lambda: Double)
    }

    /// Trade-offs tried by `refined`, in order of falling size (error in squared steps per bit).
    static let lambdas: [Double] = [0.02, 0.04, 0.06, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4]
    /// How many finer quantisers than the one found `refined` tries. (Trying the one found too, with
    /// smaller trade-offs, gained 0.01-0.02 dB on Kodak for half as much time again.)
    static let refinedSteps = 2

    /// The best of the payloads that fit, by squared error against `pixels`: the finest quantiser
    /// with one dead zone leaves part of the budget unspent (steps are 2^(1/6) apart), and a finer
    /// step whose values are chosen for their cost in bits often codes the same bytes with less error.
    private static func refined(_ plain: Fit, planes: [[Int]], pixels: [UInt8], maxBytes: Int) -> Fit {
        let layout = plain.layout
        func error(_ fit: Fit) -> Int {
            let rgb = fit.pixels
            var sum = 0
            for i in 0..<pixels.count {
                let d = Int(rgb[i]) - Int(pixels[i])
                sum += d * d
            }
            return sum
        }
        var best = (fit: plain, error: error(plain))
        for q in stride(from: plain.quantizer - 1, through: max(0, plain.quantizer - refinedSteps), by: -1) {
            // The first trade-off that fits spends the most of the budget; sizes fall along the
            // list (almost always), so it is found by binary search.
            var low = 0, high = lambdas.count - 1
            var found: (payload: [UInt8], values: [[Int]])?
            while low <= high {
                let middle = (low + high) / 2
                if let made = code(planes, layout: layout, quantizer: q, quantisation: .tradeoff(lambda: lambdas[middle]), limit: maxBytes),
                   made.payload.count <= maxBytes {
                    found = made
                    high = middle - 1
                } else {
                    low = middle + 1
                }
            }
            guard let found else { continue }
            let fit = Fit(quantizer: q, payload: found.payload, values: found.values, layout: layout)
            let e = error(fit)
            if e < best.error { best = (fit, e) }
        }
        return best.fit
    }

    /// The pixels a payload decodes to, from its quantised values (no entropy decoding needed).
    static func decoded(_ values: [[Int]], quantizer q: Int, layout: Layout) -> [UInt8] {
        var planes: [[Int]] = []
        for channel in 0..<3 {
            var plane = layout.dequantise(values[channel], quantizer: q, channel: channel)
            layout.inverse(&plane)
            planes.append(plane)
        }
        return inverseColour(planes, count: layout.width * layout.height, fractionBits: layout.variant.fractionBits)
    }

    /// The smallest quantiser whose size is at most `maxBytes`: the size falls as the quantiser
    /// grows (almost always; where it does not, a coarser one is taken). Each trial is placed where
    /// the sizes measured so far put the answer, the logarithm of the size being close to linear in
    /// the quantiser (steps are 2^(1/6) apart): two or three trials from a fair `guess`, where a
    /// binary search takes six. `size` may return a lower bound for a size over `maxBytes`.
    static func finestFitting(_ maxBytes: Int, guess: Int? = nil, size: (Int) -> Int) -> Int? {
        // The answer lies in low...high: `over` is the coarsest quantiser known not to fit and
        // `fits` the finest known to fit.
        var over: Int?, fits: Int?
        var q = min(max(guess ?? maxQuantizer / 2, 0), maxQuantizer)
        var last: (q: Int, log: Double)?, slope = typicalLogSizeSlope
        let target = Models.log2(Double(max(maxBytes, 1)))
        var trials = 0
        while true {
            let s = size(q)
            if s <= maxBytes { fits = q } else { over = q }
            trials += 1
            let low = (over ?? -1) + 1, high = (fits ?? maxQuantizer + 1) - 1
            if low > high { return fits }
            if trials > maxInterpolatedTrials {
                q = (low + high) / 2  // sizes that do not behave: bisect
                continue
            }
            // log2(size) against q: the slope through the last two trials (within bounds), else a
            // typical one; the next trial where that line meets the budget.
            let logSize = Models.log2(Double(max(s, 1)))
            if let last, last.q != q {
                slope = min(max((last.log - logSize) / Double(q - last.q), 0.04), 0.5)
            }
            last = (q, logSize)
            let estimate = Double(q) + (logSize - target) / slope
            q = estimate.isNaN ? (low + high) / 2 : Int(min(max(estimate.rounded(.up), Double(low)), Double(high)))
        }
    }

    /// How much log2(payload size) falls per quantiser step at thumbnail sizes (about 9 % a step).
    static let typicalLogSizeSlope = 0.13
    /// Interpolated trials before `finestFitting` falls back to bisection.
    static let maxInterpolatedTrials = 4

    /// A guess at the quantiser that fits a thumbnail of `newPixels` pixels in the bytes where one of
    /// `pixels` pixels fit at `quantizer`: about 3.5 steps coarser per doubling of the pixels (measured
    /// on Kodak and CLIC between the auto scales' sizes).
    public static func quantizerGuess(from quantizer: Int, pixels: Int, to newPixels: Int) -> Int {
        let steps = 3.5 * Models.log2(Double(max(newPixels, 1)) / Double(max(pixels, 1)))
        return min(max(quantizer + Int(steps.rounded()), 0), maxQuantizer)
    }

    private static func encode(_ pixels: [UInt8], width: Int, height: Int, quantizer: Int, variant: Variant,
                               counts: UnsafeMutablePointer<[Int]>?) -> [UInt8] {
        let (layout, planes) = transformed(pixels, width: width, height: height, variant: variant)
        return code(planes, layout: layout, quantizer: quantizer, counts: counts)!.payload
    }

    /// The payload of transformed `planes` at one quantiser and the values it codes; nil as soon as
    /// more than `limit` bytes are written.
    static func code(_ planes: [[Int]], layout: Layout, quantizer: Int,
                     quantisation: Quantisation = .deadZone(rounding: Layout.defaultRounding), limit: Int? = nil,
                     counts: UnsafeMutablePointer<[Int]>? = nil,
                     reached: UnsafeMutablePointer<Int>? = nil) -> (payload: [UInt8], values: [[Int]])? {
        let q = min(max(quantizer, 0), maxQuantizer)
        // Counting is training, which starts from untrained contexts.
        var coder = Coder(layout: layout, untrained: counts != nil)
        if let counts { coder.counts = counts.pointee }
        defer { if let counts, let made = coder.counts { counts.pointee = made } }
        // At most 1 + 1 + 15 + 14 bits per value (zero flag, sign, length, mantissa).
        let bits = 6 + 3 * layout.width * layout.height * 31
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: RangeEncoder.worstCaseBytes(bits: bits))
        defer { buffer.deallocate() }
        var encoder = RangeEncoder(buffer: buffer)
        for bit in (0..<6).reversed() { encoder.encode(bit: (q >> bit) & 1, p1: 2048) }
        var values: [[Int]] = []
        for channel in 0..<3 {
            switch quantisation {
            case .deadZone(let rounding):
                let quantised = layout.quantise(planes[channel], quantizer: q, channel: channel, rounding: rounding)
                coder.encode(quantised, channel: channel, into: &encoder)
                values.append(quantised)
            case .tradeoff(let lambda):
                values.append(coder.encode(nearest: layout.quantise(planes[channel], quantizer: q, channel: channel, rounding: 8),
                                           scaled: layout.scaled(planes[channel], quantizer: q, channel: channel),
                                           lambda: lambda, channel: channel, into: &encoder))
            }
            if let limit, encoder.exceeds(limit) {
                reached?.pointee = encoder.bytesWritten
                return nil
            }
        }
        return (encoder.finish(), values)
    }

    /// The best payload of at most `maxBytes` bytes: the finest quantiser that fits, then (with
    /// `refine`) the least error among that and finer quantisers whose values are chosen for their
    /// cost in bits. Nil when even the coarsest does not fit.
    /// `quantizerGuess`, a quantiser likely near the one that fits (such as the one found for the
    /// same photo at a coarser scale), only speeds the search up.
    public static func encode(_ pixels: [UInt8], width: Int, height: Int, maxBytes: Int, variant: Variant = .codec5,
                              refine: Bool = true, quantizerGuess: Int? = nil) -> [UInt8]? {
        fitting(pixels, width: width, height: height, maxBytes: maxBytes, variant: variant, refine: refine, guess: quantizerGuess)?.payload
    }

    /// The quantiser a payload was coded at (its first 6 bits).
    public static func quantizer(of payload: [UInt8]) -> Int {
        var decoder = RangeDecoder(payload[...])
        var q = 0
        for _ in 0..<6 { q = q << 1 | decoder.decode(p1: 2048) }
        return q
    }

    // MARK: - Decoding

    /// The pixels (RGB, 8 bits) a payload of codec 3, 4 or 5 (`variant`) codes.
    /// - Throws: ``DecodingError`` when the payload breaks a rule of Appendix C.
    public static func decode(_ payload: [UInt8], width: Int, height: Int, variant: Variant) throws -> [UInt8] {
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw DecodingError(reason: "a tiny thumbnail has 1 to \(maxPixels) pixels, not \(width)×\(height)")
        }
        var decoder = RangeDecoder(payload[...])
        var q = 0
        for _ in 0..<6 { q = q << 1 | decoder.decode(p1: 2048) }
        let layout = Layout(width: width, height: height, variant: variant)
        var coder = Coder(layout: layout)
        var values: [[Int]] = []
        for channel in 0..<3 {
            var quantised = [Int](repeating: 0, count: width * height)
            try coder.decode(into: &quantised, channel: channel, from: &decoder)
            values.append(quantised)
        }
        guard decoder.isCanonicalEnd else {
            throw DecodingError(reason: "the payload does not end as the encoder ends it (a byte too many, a trailing zero, or another final byte; spec B.5)")
        }
        return decoded(values, quantizer: q, layout: layout)
    }

    // MARK: - Colour

    /// YCoCg-R, reversible: Co = R − B, t = B + ⌊Co/2⌋, Cg = G − t, Y = t + ⌊Cg/2⌋; then each value
    /// given `fractionBits` fractional bits (codec 4).
    static func forwardColour(_ pixels: [UInt8], count: Int, fractionBits: Int) -> [[Int]] {
        var y = [Int](repeating: 0, count: count), co = y, cg = y
        for i in 0..<count {
            let r = Int(pixels[3 * i]), g = Int(pixels[3 * i + 1]), b = Int(pixels[3 * i + 2])
            co[i] = r - b
            let t = b + (co[i] >> 1)
            cg[i] = g - t
            y[i] = t + (cg[i] >> 1)
            y[i] <<= fractionBits
            co[i] <<= fractionBits
            cg[i] <<= fractionBits
        }
        return [y, co, cg]
    }

    /// The values rounded to whole samples (half up), then YCoCg-R undone and clamped to 0...255.
    static func inverseColour(_ planes: [[Int]], count: Int, fractionBits: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: 3 * count)
        let half = fractionBits == 0 ? 0 : 1 << (fractionBits - 1)
        for i in 0..<count {
            let y = (planes[0][i] + half) >> fractionBits, co = (planes[1][i] + half) >> fractionBits
            let cg = (planes[2][i] + half) >> fractionBits
            let t = y - (cg >> 1)
            let g = cg + t
            let b = t - (co >> 1)
            let r = b + co
            pixels[3 * i] = UInt8(clamping: r)
            pixels[3 * i + 1] = UInt8(clamping: g)
            pixels[3 * i + 2] = UInt8(clamping: b)
        }
        return pixels
    }
}
