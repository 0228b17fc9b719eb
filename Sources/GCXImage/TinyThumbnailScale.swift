#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCXThumbnailCodec

/// `--thumbnail-scale auto`: of the scales 8, 16, 24, 32 and 64 (and at small budgets some between
/// them), the one whose tiny thumbnail at the budget gives the best reconstruction, judged by the
/// upsampled thumbnail (the consistency step changes the ranking too little to pay for itself) at a
/// reduced size (long side at most 256 pixels, or 1/8) to stay fast. The photo is read once: its
/// block sums give the reference and every candidate's thumbnail exactly.
public enum TinyThumbnailScale {
    public static let candidates = [8, 16, 24, 32, 64]
    /// At budgets up to `smallBudget` bytes the scale matters most and coarse thumbnails cost little
    /// to try: these are tried too, where the thumbnail has at most `smallBudgetPixelsPerByte`
    /// pixels per byte of the budget. (+0.09 dB at 24 bytes on Kodak, +0.06 on CID22 and CLIC.)
    public static let smallBudgetScales = [12, 14, 18, 20, 28, 40, 48]
    static let smallBudget = 64, smallBudgetPixelsPerByte = 100

    /// The scales tried for a `width`×`height` photo at `budget` bytes, in increasing order.
    public static func candidates(width: Int, height: Int, budget: Int) -> [Int] {
        guard budget <= smallBudget else { return candidates }
        let extra = smallBudgetScales.filter {
            let size = Thumbnailer.thumbnailSize(width: width, height: height, scale: $0)
            return size.width * size.height <= smallBudgetPixelsPerByte * budget
        }
        return (candidates + extra).sorted()
    }
    /// The largest chosen thumbnail that is refined (`TinyImageCodec.refined`): 1/8 of a 2-megapixel photo.
    public static let refinedPixels = 1 << 15

    /// With `tradeoff` (dB per byte), `budget` is a ceiling: of the chosen scale's sizes from the
    /// budget down to about a third of it, the one whose estimated reconstruction PSNR less
    /// `tradeoff` per byte is highest. A photo whose reconstruction gains little from its last
    /// bytes spends fewer; across a collection that buys more mean PSNR for the same mean size
    /// than one budget for every photo.
    public static func best(for image: RGBImage, budget: Int, tradeoff: Double? = nil,
                            variant: TinyImageCodec.Variant = .codec5) throws -> (scale: Int, thumbnail: RGBImage, payload: [UInt8]) {
        // The reference: the photo reduced by a power of two to a long side of at most 256 (at most 8).
        var reduction = 1
        while reduction < 8 && max(image.width, image.height) > 256 * reduction { reduction *= 2 }
        // One pass over the photo, at the largest scale that divides the reduction and every candidate.
        // Coarser sums are merged from the coarsest already made that divides them.
        let candidates = Self.candidates(width: image.width, height: image.height, budget: budget)
        let base = candidates.reduce(reduction, gcd)
        var sums = [base: Thumbnailer.blockSums(image, scale: base)]
        for scale in ([reduction] + candidates).sorted() where sums[scale] == nil {
            let from = sums.keys.filter { scale % $0 == 0 }.max()!
            sums[scale] = Thumbnailer.merged(sums[from]!, by: scale / from)
        }
        let reference = reduction > 1 ? Thumbnailer.thumbnail(of: sums[reduction]!) : image
        var best: (scale: Int, thumbnail: RGBImage, payload: [UInt8], error: Double)?
        // Coarse to fine: each scale's quantiser is searched from near the coarser one's (a finer
        // scale has more pixels for the same bytes, so a coarser quantiser).
        var coarser: (pixels: Int, quantizer: Int)?
        for scale in candidates.reversed() {
            let small = Thumbnailer.thumbnail(of: sums[scale]!)
            let count = small.width * small.height
            let guess = coarser.map { TinyImageCodec.quantizerGuess(from: $0.quantizer, pixels: $0.pixels, to: count) }
            guard let (payload, pixels) = TinyImageCodec.encodeAndDecode(small.pixels, width: small.width, height: small.height,
                                                                         maxBytes: budget, variant: variant, refine: false,
                                                                         quantizerGuess: guess) else { continue }
            coarser = (count, TinyImageCodec.quantizer(of: payload))
            let decoded = RGBImage(width: small.width, height: small.height, pixels: pixels)
            let factor = scale % reduction == 0 ? scale / reduction : nil
            let drawn = try Resampler.upsample(decoded, width: reference.width, height: reference.height, scale: factor)
            let error = try ImageMetrics.mse(drawn, reference)
            if best == nil || error <= best!.error { best = (scale, small, payload, error) }
        }
        guard let best else {
            // Not even the coarsest fits: name its size.
            let coarsest = candidates.max()!
            let (width, height) = Thumbnailer.thumbnailSize(width: image.width, height: image.height, scale: coarsest)
            throw ThumbnailBudgetError(budget: budget, width: width, height: height)
        }
        // Refining moves every scale's reconstruction about alike: only the chosen one pays for it,
        // and only up to `refinedPixels` (beyond, the scales tried above already cost most of the
        // 50 ms a photo may take).
        let small = best.thumbnail
        var (payload, size) = (best.payload, budget)
        if let tradeoff {
            (payload, size) = try traded(small, payload: best.payload, error: best.error, scale: best.scale, image: image, reference: reference,
                                         referenceSums: sums[reduction]!, reduction: reduction, tradeoff: tradeoff, variant: variant)
        }
        guard small.width * small.height <= refinedPixels else { return (best.scale, small, payload) }
        return (best.scale, small, TinyImageCodec.refined(payload, pixels: small.pixels, width: small.width,
                                                          height: small.height, maxBytes: size, variant: variant))
    }

    /// The trade-off's quantisers: the budget's, then `tradeoffReach` steps coarser at most (sizes
    /// fall about 9 % a step: to about a third of the budget), first every `tradeoffStride`-th,
    /// then, for thumbnails small enough to afford it, half a stride either side of the best.
    static let tradeoffReach = 12, tradeoffStride = 4

    /// The payload (and its size) of the best trade-off among coarser quantisers of `small`, whose
    /// budget payload `payload` draws the reference with `error`. The estimate is the reference's
    /// error plus the detail the reference itself lacks (the photo's variance within the
    /// reference's blocks), which no thumbnail restores: without it a photo full of fine detail
    /// would look as if each byte bought it more than it does.
    static func traded(_ small: RGBImage, payload: [UInt8], error: Double, scale: Int, image: RGBImage, reference: RGBImage,
                       referenceSums: Thumbnailer.BlockSums, reduction: Int, tradeoff: Double,
                       variant: TinyImageCodec.Variant) throws -> (payload: [UInt8], size: Int) {
        let detail = reduction > 1 ? Thumbnailer.varianceWithinBlocks(image, sums: referenceSums) : 0
        let factor = scale % reduction == 0 ? scale / reduction : nil
        func score(_ error: Double, _ bytes: Int) -> Double {
            10 * log10(255 * 255 / max(error + detail, 1e-9)) - tradeoff * Double(bytes)
        }
        let q0 = TinyImageCodec.quantizer(of: payload)
        var tried: Set<Int> = [q0]
        var chosen = (score: score(error, payload.count), quantizer: q0, payload: payload)
        func trial(_ quantizers: [Int]) throws {
            let fresh = quantizers.filter { $0 > q0 && $0 <= min(q0 + tradeoffReach, TinyImageCodec.maxQuantizer) && !tried.contains($0) }
            tried.formUnion(fresh)
            let made = TinyImageCodec.encodeAndDecode(small.pixels, width: small.width, height: small.height, quantizers: fresh, variant: variant)
            for (q, (candidate, pixels)) in zip(fresh, made) {
                let decoded = RGBImage(width: small.width, height: small.height, pixels: pixels)
                let drawn = try Resampler.upsample(decoded, width: reference.width, height: reference.height, scale: factor)
                let s = score(try ImageMetrics.mse(drawn, reference), candidate.count)
                if s > chosen.score { chosen = (s, q, candidate) }
            }
        }
        try trial(Array(stride(from: q0 + tradeoffStride, through: q0 + tradeoffReach, by: tradeoffStride)))
        if small.width * small.height <= refinedPixels {
            try trial([chosen.quantizer - tradeoffStride / 2, chosen.quantizer + tradeoffStride / 2])
        }
        return (chosen.payload, chosen.payload.count)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

/// Not even the coarsest tiny thumbnail fits the budget.
public struct ThumbnailBudgetError: Error, CustomStringConvertible {
    public var budget: Int, width: Int, height: Int
    public init(budget: Int, width: Int, height: Int) { (self.budget, self.width, self.height) = (budget, width, height) }
    public var description: String { "no \(width)x\(height) tiny thumbnail fits \(budget) bytes" }
}
