extension BuiltinDescriber {
    /// Per-pixel CIELAB, colour names and gradients, summarised per region of the 3×3 grid.
    struct Analysis {
        struct Stats {
            var colourShares: [(index: Int, share: Double)] = []
            var meanLightness = 0.0
            var lightnessDeviation = 0.0
            var meanChroma = 0.0
            var texture = 0.0  // mean |∇L*| per working pixel
            var jxx = 0.0, jyy = 0.0, jxy = 0.0
            var highlightFraction = 0.0
            var shadowFraction = 0.0
            var strongEdgeFraction = 0.0  // pixels with |∇L*| >= 6
        }

        let width: Int
        let height: Int
        var lightness: [Double]
        var chroma: [Double]
        var colour: [Int]
        var gx: [Double]
        var gy: [Double]
        var regions: [Stats] = []
        var whole = Stats()
        var flatFraction = 0.0

        init(image: RGBImage) {
            width = image.width
            height = image.height
            let count = width * height
            lightness = [Double](repeating: 0, count: count)
            chroma = [Double](repeating: 0, count: count)
            colour = [Int](repeating: 0, count: count)
            for i in 0..<count {
                let lab = NamedColor.lab(image.pixels[3 * i], image.pixels[3 * i + 1], image.pixels[3 * i + 2])
                lightness[i] = lab.l
                chroma[i] = lab.chroma
                colour[i] = NamedColor.nearest(lab)
            }
            gx = [Double](repeating: 0, count: count)
            gy = [Double](repeating: 0, count: count)
            var flat = 0
            for y in 0..<height {
                for x in 0..<width {
                    let left = lightness[y * width + max(x - 1, 0)], right = lightness[y * width + min(x + 1, width - 1)]
                    let up = lightness[max(y - 1, 0) * width + x], down = lightness[min(y + 1, height - 1) * width + x]
                    gx[y * width + x] = (right - left) / 2
                    gy[y * width + x] = (down - up) / 2
                    if right == left && up == down { flat += 1 }
                }
            }
            flatFraction = Double(flat) / Double(max(count, 1))
            for i in 0..<9 {
                regions.append(stats(columns: bounds(i % 3, width), rows: bounds(i / 3, height)))
            }
            whole = stats(columns: 0..<width, rows: 0..<height)
        }

        /// Third `k` of `n` pixels, never empty (tiny images share pixels between regions).
        func bounds(_ k: Int, _ n: Int) -> Range<Int> {
            let start = min(k * n / 3, n - 1)
            return start..<max(start + 1, (k + 1) * n / 3)
        }

        func band(rows thirds: Range<Int>) -> Stats {
            stats(columns: 0..<width, rows: bounds(thirds.lowerBound, height).lowerBound..<bounds(thirds.upperBound - 1, height).upperBound)
        }

        func band(columns thirds: Range<Int>) -> Stats {
            stats(columns: bounds(thirds.lowerBound, width).lowerBound..<bounds(thirds.upperBound - 1, width).upperBound, rows: 0..<height)
        }

        func stats(columns: Range<Int>, rows: Range<Int>) -> Stats {
            var s = Stats()
            var counts = [Int](repeating: 0, count: NamedColor.palette.count)
            var sumL = 0.0, sumL2 = 0.0, sumC = 0.0, sumG = 0.0
            var highlights = 0, shadows = 0, strong = 0
            for y in rows {
                for x in columns {
                    let i = y * width + x
                    let l = lightness[i]
                    counts[colour[i]] += 1
                    sumL += l
                    sumL2 += l * l
                    sumC += chroma[i]
                    let magnitude = (gx[i] * gx[i] + gy[i] * gy[i]).squareRoot()
                    sumG += magnitude
                    if magnitude >= 6 { strong += 1 }
                    s.jxx += gx[i] * gx[i]
                    s.jyy += gy[i] * gy[i]
                    s.jxy += gx[i] * gy[i]
                    if l > 95 { highlights += 1 }
                    if l < 10 { shadows += 1 }
                }
            }
            let n = Double(max(columns.count * rows.count, 1))
            s.meanLightness = sumL / n
            s.lightnessDeviation = max(0, sumL2 / n - s.meanLightness * s.meanLightness).squareRoot()
            s.meanChroma = sumC / n
            s.texture = sumG / n
            s.highlightFraction = Double(highlights) / n
            s.shadowFraction = Double(shadows) / n
            s.strongEdgeFraction = Double(strong) / n
            // Ties broken by palette order, so the text is deterministic.
            s.colourShares = counts.enumerated().filter { $0.element > 0 }
                .map { (index: $0.offset, share: Double($0.element) / n) }
                .sorted { $0.share != $1.share ? $0.share > $1.share : $0.index < $1.index }
            return s
        }

        /// The row where mean L* changes most between the bands just above and below,
        /// if that change is large (at least 12 L* units).
        func strongestHorizontalBoundary() -> (position: Double, brighterAbove: Bool)? {
            guard height >= 6 else { return nil }
            let rowMeans = (0..<height).map { y in
                (0..<width).reduce(0.0) { $0 + lightness[y * width + $1] } / Double(width)
            }
            let k = max(2, height / 20)
            var best: (y: Int, difference: Double)?
            for y in k...(height - k) {
                let above = rowMeans[(y - k)..<y].reduce(0, +) / Double(k)
                let below = rowMeans[y..<(y + k)].reduce(0, +) / Double(k)
                let difference = above - below
                if abs(difference) > abs(best?.difference ?? 0) { best = (y, difference) }
            }
            guard let best, abs(best.difference) >= 12 else { return nil }
            return (Double(best.y) / Double(height), best.difference > 0)
        }
    }
}
