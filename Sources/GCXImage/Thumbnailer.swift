/// The normative thumbnail operator of the gcx format: a block average in sRGB values.
///
/// For a W×H image and scale `s` (1...255; gcx uses 8, 16 or 32) the thumbnail is
/// `tw = ceil(W / s)` by `th = ceil(H / s)`. Thumbnail pixel (x, y), channel c, is the
/// mean of channel c over the source block `[x*s, min((x+1)*s, W)) × [y*s, min((y+1)*s, H))`
/// (edge blocks are partial), rounded half up in integers:
///
///     value = (sum + n / 2) / n      // n = pixels in the block, "/" truncating
///
/// The 8-bit sRGB code values are averaged directly, not linear light: it is cheap,
/// exactly reproducible by a second implementation, and what the consistency step inverts.
public enum Thumbnailer {
    public static let defaultScale = 8

    /// Thumbnail size for a W×H image at scale `s`.
    public static func thumbnailSize(width: Int, height: Int, scale: Int) -> (width: Int, height: Int) {
        ((width + scale - 1) / scale, (height + scale - 1) / scale)
    }

    public static func downsample(_ image: RGBImage, scale: Int = defaultScale) throws -> RGBImage {
        guard (1...255).contains(scale) else {
            throw ImageError.invalidArgument("thumbnail scale \(scale) is outside 1...255")
        }
        let sums = blockSums(image, scale: scale)
        var out = [UInt8](repeating: 0, count: sums.sums.count)
        for i in 0..<sums.sums.count {
            let n = sums.counts[i / 3]
            out[i] = UInt8((sums.sums[i] + n / 2) / n)
        }
        return RGBImage(width: sums.width, height: sums.height, pixels: out)
    }

    /// Per-block channel sums and pixel counts (shared with the consistency step).
    static func blockSums(_ image: RGBImage, scale s: Int) -> (width: Int, height: Int, sums: [Int], counts: [Int]) {
        let (tw, th) = thumbnailSize(width: image.width, height: image.height, scale: s)
        var sums = [Int](repeating: 0, count: tw * th * 3)
        var counts = [Int](repeating: 0, count: tw * th)
        let w = image.width
        image.pixels.withUnsafeBufferPointer { src in
            sums.withUnsafeMutableBufferPointer { sum in
                for y in 0..<image.height {
                    let by = y / s
                    for x in 0..<w {
                        let b = by * tw + x / s
                        let i = (y * w + x) * 3
                        sum[3 * b] += Int(src[i])
                        sum[3 * b + 1] += Int(src[i + 1])
                        sum[3 * b + 2] += Int(src[i + 2])
                    }
                }
            }
        }
        for by in 0..<th {
            let bh = min((by + 1) * s, image.height) - by * s
            for bx in 0..<tw {
                counts[by * tw + bx] = bh * (min((bx + 1) * s, w) - bx * s)
            }
        }
        return (tw, th, sums, counts)
    }
}
