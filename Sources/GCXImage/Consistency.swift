/// Makes a reconstruction agree with the thumbnail it was drawn from.
///
/// Given a reconstruction R (W×H), the decoded thumbnail T (`ceil(W/s)`×`ceil(H/s)`)
/// and the scale s, returns R' with `Thumbnailer.downsample(R', scale: s) == T` exactly,
/// while keeping R's detail above the block scale:
///
/// 1. Smooth pass (3 rounds): the residual `T - blockMean(R)` is upsampled with the
///    same Lanczos-3 filter and added, so corrections have no block edges.
/// 2. Exact pass: per block and channel, the integer sum is moved into the range that
///    rounds to T (`T*n - n/2 ... T*n - n/2 + n - 1`) by spreading the deficit over the
///    pixels that are not clamped at 0/255, in proportion to a tent peaking at the block's
///    centre, repeated until it fits. This always terminates with an exact match because
///    every T in 0...255 is reachable and each round moves at least one level.
///
///     let r = try Resampler.upsample(t, width: w, height: h, scale: 8)
///     let rPrime = try Consistency.enforce(r, thumbnail: t, scale: 8)
public enum Consistency {
    static let smoothRounds = 3

    public static func enforce(_ reconstruction: RGBImage, thumbnail: RGBImage, scale: Int) throws -> RGBImage {
        guard (1...255).contains(scale) else {
            throw ImageError.invalidArgument("thumbnail scale \(scale) is outside 1...255")
        }
        let w = reconstruction.width, h = reconstruction.height
        let expected = Thumbnailer.thumbnailSize(width: w, height: h, scale: scale)
        guard w > 0, h > 0, expected == (thumbnail.width, thumbnail.height) else {
            throw ImageError.invalidArgument(
                "thumbnail is \(thumbnail.width)x\(thumbnail.height) but a \(w)x\(h) image at 1/\(scale) "
                    + "needs \(expected.width)x\(expected.height)")
        }
        var current = FloatImage(reconstruction)
        for _ in 0..<smoothRounds {
            let residual = blockResidual(current, thumbnail: thumbnail, scale: scale)
            let correction = try Resampler.resample(residual, width: w, height: h, scale: scale)
            for i in 0..<current.data.count {
                current.data[i] = min(max(current.data[i] + correction.data[i], 0), 255)
            }
        }
        var result = current.quantized()
        exactPass(&result, thumbnail: thumbnail, scale: scale)
        return result
    }

    /// `T - mean(block)` per block and channel, in Float.
    static func blockResidual(_ image: FloatImage, thumbnail: RGBImage, scale s: Int) -> FloatImage {
        let tw = thumbnail.width
        var sums = [Float](repeating: 0, count: thumbnail.pixels.count)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let b = ((y / s) * tw + x / s) * 3, i = (y * image.width + x) * 3
                sums[b] += image.data[i]
                sums[b + 1] += image.data[i + 1]
                sums[b + 2] += image.data[i + 2]
            }
        }
        for by in 0..<thumbnail.height {
            let bh = min((by + 1) * s, image.height) - by * s
            for bx in 0..<tw {
                let n = Float(bh * (min((bx + 1) * s, image.width) - bx * s))
                for c in 0..<3 {
                    let b = (by * tw + bx) * 3 + c
                    sums[b] = Float(thumbnail.pixels[b]) - sums[b] / n
                }
            }
        }
        return FloatImage(width: tw, height: thumbnail.height, data: sums)
    }

    /// Integer per-block correction so every block mean rounds to the thumbnail value. The
    /// deficit is spread in proportion to a tent that peaks at the block's centre and is smallest
    /// at its edges, so what is left of it after the smooth pass does not step at block edges.
    static func exactPass(_ image: inout RGBImage, thumbnail: RGBImage, scale s: Int) {
        let w = image.width, h = image.height
        var indices: [Int] = []
        var weights: [Int] = []
        indices.reserveCapacity(s * s)
        weights.reserveCapacity(s * s)
        for by in 0..<thumbnail.height {
            let y0 = by * s, y1 = min((by + 1) * s, h)
            for bx in 0..<thumbnail.width {
                let x0 = bx * s, x1 = min((bx + 1) * s, w)
                for c in 0..<3 {
                    var sum = 0
                    for y in y0..<y1 { for x in x0..<x1 { sum += Int(image.pixels[(y * w + x) * 3 + c]) } }
                    let n = (y1 - y0) * (x1 - x0)
                    let t = Int(thumbnail.pixels[(by * thumbnail.width + bx) * 3 + c])
                    let low = t * n - n / 2, high = low + n - 1
                    var deficit = sum < low ? low - sum : (sum > high ? high - sum : 0)
                    while deficit != 0 {
                        let up = deficit > 0
                        // The pixels that can still move, each with its tent weight.
                        indices.removeAll(keepingCapacity: true)
                        weights.removeAll(keepingCapacity: true)
                        for y in y0..<y1 {
                            let wy = min(y - y0 + 1, y1 - y)
                            for x in x0..<x1 {
                                let i = (y * w + x) * 3 + c
                                guard up ? image.pixels[i] < 255 : image.pixels[i] > 0 else { continue }
                                indices.append(i)
                                weights.append(wy * min(x - x0 + 1, x1 - x))
                            }
                        }
                        if indices.isEmpty { break }  // unreachable: t*n is always attainable
                        let total = weights.reduce(0, +)
                        let magnitude = abs(deficit)
                        var moved = 0
                        for (k, i) in indices.enumerated() {
                            // Each pixel's share rounded down; at least one step goes to the
                            // heaviest pixels first so that every round makes progress.
                            var step = magnitude * weights[k] / total
                            if step == 0 && moved < magnitude && weights[k] * indices.count >= total { step = 1 }
                            step = min(step, magnitude - moved)
                            let old = Int(image.pixels[i])
                            let new = min(max(old + (up ? step : -step), 0), 255)
                            image.pixels[i] = UInt8(new)
                            moved += abs(new - old)
                        }
                        if moved == 0 {
                            // Every share rounded to nothing: move the heaviest pixel one level.
                            let k = weights.indices.max { weights[$0] < weights[$1] }!
                            let i = indices[k]
                            image.pixels[i] = UInt8(Int(image.pixels[i]) + (up ? 1 : -1))
                            moved = 1
                        }
                        deficit += up ? -moved : moved
                    }
                }
            }
        }
    }
}
