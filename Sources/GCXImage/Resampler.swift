import GCXBytes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// High-quality separable resampling (Lanczos-3), computed in Float, clamped to 0...255.
///
/// Sample positions follow pixel centres: destination pixel x sits at `x + 0.5`. For a
/// thumbnail made by ``Thumbnailer`` at scale s, thumbnail pixel i stands for the centre
/// of its block, `(i*s + min((i+1)*s, W)) / 2` — pass `scale:` so partial edge blocks
/// are placed correctly; without it the plain `(x + 0.5) * src / dst - 0.5` mapping is
/// used, which is the same whenever W is a multiple of s.
public enum Resampler {
    static let lobes = 3

    /// Resizes `image` to `width`×`height`.
    /// - Parameter scale: the thumbnail scale when `image` is a gcx thumbnail of a
    ///   `width`×`height` photo; must then satisfy `ceil(width / scale) == image.width`.
    public static func upsample(_ image: RGBImage, width: Int, height: Int, scale: Int? = nil) throws -> RGBImage {
        let plane = try resample(FloatImage(image), width: width, height: height, scale: scale)
        return plane.quantized()
    }

    static func resample(_ image: FloatImage, width: Int, height: Int, scale: Int?) throws -> FloatImage {
        guard width > 0, height > 0, width <= PixelLimits.maxSide, height <= PixelLimits.maxSide,
              width * height <= PixelLimits.maxPhotoPixels else {
            throw ImageError.invalidArgument("target size \(width)x\(height) is empty or above the limits")
        }
        guard image.width > 0, image.height > 0 else {
            throw ImageError.invalidArgument("cannot resample an empty \(image.width)x\(image.height) image")
        }
        if let scale {
            let expected = Thumbnailer.thumbnailSize(width: width, height: height, scale: scale)
            guard (1...255).contains(scale), expected == (image.width, image.height) else {
                throw ImageError.invalidArgument(
                    "a \(image.width)x\(image.height) thumbnail is not the 1/\(scale) thumbnail of \(width)x\(height)")
            }
        }
        let columns = weights(source: image.width, destination: width, scale: scale)
        let rows = weights(source: image.height, destination: height, scale: scale)
        return image.applyingRows(rows, height: height).applyingColumns(columns, width: width)
    }

    /// One destination sample: contiguous source taps starting at `first`.
    struct Taps {
        var first: Int
        var weights: [Float]
    }

    static func weights(source: Int, destination: Int, scale: Int?) -> [Taps] {
        let ratio = Double(source) / Double(destination)
        let stretch = max(1.0, ratio)  // widen the kernel when shrinking, to avoid aliasing
        let support = Double(lobes) * stretch
        return (0..<destination).map { x in
            let u = sourcePosition(x, source: source, destination: destination, scale: scale)
            let first = Int((u - support).rounded(.up))
            let last = Int((u + support).rounded(.down))
            let lo = min(max(first, 0), source - 1), hi = min(max(last, 0), source - 1)
            var accumulated = [Double](repeating: 0, count: hi - lo + 1)
            if first <= last {
                for i in first...last {
                    // Edge pixels repeat beyond the border.
                    accumulated[min(max(i, 0), source - 1) - lo] += lanczos((u - Double(i)) / stretch)
                }
            }
            let total = accumulated.reduce(0, +)
            if first > last || abs(total) < 1e-9 {
                return Taps(first: min(max(Int(u.rounded()), 0), source - 1), weights: [1])
            }
            return Taps(first: lo, weights: accumulated.map { Float($0 / total) })
        }
    }

    /// Continuous source index (pixel centres at integers) of destination pixel `x`.
    static func sourcePosition(_ x: Int, source: Int, destination: Int, scale: Int?) -> Double {
        let p = Double(x) + 0.5
        guard let s = scale, source >= 2 else {
            return p * Double(source) / Double(destination) - 0.5
        }
        // Block centres: c_i = (i*s + min((i+1)*s, W)) / 2. Uniform except the last one.
        let sd = Double(s)
        let penultimate = Double(source - 2) * sd + sd / 2
        let last = (Double(source - 1) * sd + Double(destination)) / 2
        if p <= penultimate { return p / sd - 0.5 }
        if p <= last { return Double(source - 2) + (p - penultimate) / (last - penultimate) }
        return Double(source - 1) + (p - last) / sd
    }

    static func lanczos(_ x: Double) -> Double {
        let a = Double(lobes)
        if x == 0 { return 1 }
        if abs(x) >= a { return 0 }
        let px = Double.pi * x
        return a * sin(px) * sin(px / a) / (px * px)
    }
}

/// A three-channel Float image for filtering; values are not clamped.
struct FloatImage {
    let width: Int
    let height: Int
    var data: [Float]

    init(width: Int, height: Int, data: [Float]) {
        self.width = width
        self.height = height
        self.data = data
    }

    init(_ image: RGBImage) {
        self.init(width: image.width, height: image.height, data: image.pixels.map(Float.init))
    }

    /// 8-bit samples: clamped to 0...255, rounded half away from zero, exactly as `rounded()` would
    /// but without a libm call per sample.
    func quantized() -> RGBImage {
        let pixels = [UInt8](unsafeUninitializedCapacity: data.count) { out, count in
            data.withUnsafeBufferPointer { data in
                for i in 0..<data.count {
                    let clamped = min(max(data[i], 0), 255)
                    let whole = Int32(clamped)  // exact truncation of 0...255, no range trap to check
                    out[i] = UInt8(truncatingIfNeeded: clamped - Float(whole) >= 0.5 ? whole &+ 1 : whole)
                }
            }
            count = data.count
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    func applyingRows(_ taps: [Resampler.Taps], height newHeight: Int) -> FloatImage {
        let stride = width * 3
        var out = [Float](repeating: 0, count: stride * newHeight)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<newHeight {
                    let tap = taps[y]
                    let d = y * stride
                    for (k, w) in tap.weights.enumerated() {
                        let s = (tap.first + k) * stride
                        for i in 0..<stride { dst[d + i] += w * src[s + i] }
                    }
                }
            }
        }
        return FloatImage(width: width, height: newHeight, data: out)
    }

    func applyingColumns(_ taps: [Resampler.Taps], width newWidth: Int) -> FloatImage {
        var out = [Float](repeating: 0, count: newWidth * height * 3)
        let oldWidth = width
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let srcRow = y * oldWidth * 3, dstRow = y * newWidth * 3
                    for x in 0..<newWidth {
                        let tap = taps[x]
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for k in 0..<tap.weights.count {
                            let w = tap.weights[k]
                            let s = srcRow + (tap.first + k) * 3
                            r += w * src[s]
                            g += w * src[s + 1]
                            b += w * src[s + 2]
                        }
                        let d = dstRow + x * 3
                        dst[d] = r
                        dst[d + 1] = g
                        dst[d + 2] = b
                    }
                }
            }
        }
        return FloatImage(width: newWidth, height: height, data: out)
    }
}
