/// The normative thumbnail operator of the gcx format: a block average in sRGB values.
///
/// For a W×H image and scale `s` (1...255; gcx uses 8 to 64) the thumbnail is
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
        return thumbnail(of: blockSums(image, scale: scale))
    }

    /// Per-block channel sums and pixel counts of an image at one scale.
    public typealias BlockSums = (width: Int, height: Int, sums: [Int], counts: [Int])

    /// The thumbnail whose block sums these are: each mean rounded half up.
    public static func thumbnail(of sums: BlockSums) -> RGBImage {
        var out = [UInt8](repeating: 0, count: sums.sums.count)
        for i in 0..<sums.sums.count {
            let n = sums.counts[i / 3]
            out[i] = UInt8((sums.sums[i] + n / 2) / n)
        }
        return RGBImage(width: sums.width, height: sums.height, pixels: out)
    }

    /// The mean squared difference (over samples) between `image` and its block means, the blocks
    /// being those of `sums` (made from `image`): what a thumbnail at that scale cannot hold.
    public static func varianceWithinBlocks(_ image: RGBImage, sums: BlockSums) -> Double {
        guard !image.pixels.isEmpty else { return 0 }
        var squares = 0
        image.pixels.withUnsafeBufferPointer { p in
            for v in p { squares &+= Int(v) * Int(v) }
        }
        // Σ (x − mean)² over a block is Σ x² − (Σ x)² / n.
        var explained = 0.0
        for i in 0..<sums.sums.count {
            let s = Double(sums.sums[i])
            explained += s * s / Double(sums.counts[i / 3])
        }
        return max(0, (Double(squares) - explained) / Double(image.pixels.count))
    }

    /// The block sums at `factor` times the scale of `sums`, exactly: a block at scale s·f is the
    /// union of f×f blocks at scale s (fewer at the right and bottom edges), since
    /// ceil(W / (s·f)) = ceil(ceil(W / s) / f). One pass over a photo gives every coarser thumbnail.
    public static func merged(_ sums: BlockSums, by factor: Int) -> BlockSums {
        let tw = (sums.width + factor - 1) / factor, th = (sums.height + factor - 1) / factor
        var merged = [Int](repeating: 0, count: tw * th * 3)
        var counts = [Int](repeating: 0, count: tw * th)
        for y in 0..<sums.height {
            let row = (y / factor) * tw
            var from = y * sums.width
            for tx in 0..<tw {
                for _ in 0..<(min((tx + 1) * factor, sums.width) - tx * factor) {
                    counts[row + tx] &+= sums.counts[from]
                    merged[3 * (row + tx)] &+= sums.sums[3 * from]
                    merged[3 * (row + tx) + 1] &+= sums.sums[3 * from + 1]
                    merged[3 * (row + tx) + 2] &+= sums.sums[3 * from + 2]
                    from &+= 1
                }
            }
        }
        return (tw, th, merged, counts)
    }

    /// Per-block channel sums and pixel counts (shared with the consistency step).
    public static func blockSums(_ image: RGBImage, scale s: Int) -> BlockSums {
        let (tw, th) = thumbnailSize(width: image.width, height: image.height, scale: s)
        var sums = [Int](repeating: 0, count: tw * th * 3)
        var counts = [Int](repeating: 0, count: tw * th)
        let w = image.width
        image.pixels.withUnsafeBufferPointer { src in
            sums.withUnsafeMutableBufferPointer { sum in
                // Block by block along each row: no division per pixel.
                for y in 0..<image.height {
                    let row = (y / s) * tw * 3
                    var i = y * w * 3
                    for bx in 0..<tw {
                        var r = 0, g = 0, b = 0
                        for _ in 0..<(min((bx + 1) * s, w) - bx * s) {
                            r &+= Int(src[i]); g &+= Int(src[i + 1]); b &+= Int(src[i + 2])
                            i &+= 3
                        }
                        sum[row + 3 * bx] &+= r
                        sum[row + 3 * bx + 1] &+= g
                        sum[row + 3 * bx + 2] &+= b
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
