import GCXRasterScan

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Describes a photo from its pixels alone, in the layout of gcx instruction v1, for
/// when no captioner is configured.
///
/// The text is plain but true, and deterministic (the same pixels give the same text):
/// - a first line with type, style (colourfulness, contrast, key), lighting (overall
///   level, which side is brighter) and the dominant palette;
/// - nine raster-order region lines (3×3 grid), each naming the dominant colours (nearest
///   of a fixed CIELAB palette), brightness (mean L*), texture (mean L* gradient) and
///   dominant edge direction (structure tensor of the L* gradient);
/// - a Composition line: frame shape, where detail and light sit, and the strongest
///   horizontal tonal boundary.
///
/// Measurements are taken on a copy block-averaged to at most 192 pixels on the long
/// side, so the words do not depend on the photo's resolution.
///
///     let text = BuiltinDescriber.describe(decoded.image)   // 11 lines
public enum BuiltinDescriber {
    /// The raster-scan schema version whose layout this describer writes.
    public static let instructionVersion = RasterScan.version

    static let workingSide = 192
    static let regionNames = RasterScan.regionLabels

    public static func describe(_ image: RGBImage) -> String {
        form(image).render()
    }

    /// The choices the describer makes for `image`; their rendering is its text.
    public static func form(_ image: RGBImage) -> BuiltinForm {
        let analysis = Analysis(image: workingCopy(image))
        return BuiltinForm(global: global(analysis), regions: (0..<regionNames.count).map { region(analysis, $0) },
                           composition: composition(analysis, width: image.width, height: image.height))
    }

    static func workingCopy(_ image: RGBImage) -> RGBImage {
        guard image.width > 0, image.height > 0 else { return RGBImage(width: 1, height: 1) }
        let side = max(image.width, image.height)
        let scale = min(255, (side + workingSide - 1) / workingSide)
        return scale <= 1 ? image : (try? Thumbnailer.downsample(image, scale: scale)) ?? image
    }

    // MARK: Lines

    static func global(_ a: Analysis) -> BuiltinForm.Global {
        let whole = a.whole
        var g = BuiltinForm.Global()
        switch whole.meanChroma {
        case ..<4: g.colourfulness = 0        // monochrome
        case ..<12: g.colourfulness = 1       // muted colours
        case ..<30: g.colourfulness = 2       // natural colours
        default: g.colourfulness = 3          // vivid saturated colours
        }
        switch whole.lightnessDeviation {
        case ..<10: g.contrast = 0            // low contrast
        case ..<22: g.contrast = 1            // moderate contrast
        default: g.contrast = 2               // high contrast
        }
        if whole.meanLightness < 35 { g.key = 1 } else if whole.meanLightness > 72 { g.key = 2 }
        // Large exactly-flat areas do not occur in camera images (Kodak: at most 10%).
        g.type = a.flatFraction >= 0.3 ? 1 : 0
        g.brightness = brightness(whole.meanLightness)
        let vertical = a.band(rows: 0..<1).meanLightness - a.band(rows: 2..<3).meanLightness
        let horizontal = a.band(columns: 0..<1).meanLightness - a.band(columns: 2..<3).meanLightness
        if abs(vertical) >= 8 { g.vertical = vertical > 0 ? 1 : 2 }
        if abs(horizontal) >= 8 { g.horizontal = horizontal > 0 ? 1 : 2 }
        g.highlights = whole.highlightFraction > 0.02
        g.shadows = whole.shadowFraction > 0.10
        g.palette = whole.colourShares.filter { $0.share >= 0.03 }.prefix(BuiltinForm.maxPalette).map(\.index)
        return g
    }

    static func region(_ a: Analysis, _ i: Int) -> BuiltinForm.Region {
        let stats = a.regions[i]
        var r = BuiltinForm.Region()
        r.texture = texture(stats.texture)
        r.edges = edges(stats)
        // Same dominant colour and brightness as the neighbour on the left (or above):
        // say "continues" rather than describing it twice, as the instruction asks.
        let column = i % 3, row = i / 3
        for neighbour in [column > 0 ? i - 1 : nil, row > 0 ? i - 3 : nil].compactMap({ $0 }) {
            let other = a.regions[neighbour]
            if let mine = stats.colourShares.first, let theirs = other.colourShares.first,
               mine.index == theirs.index, mine.share >= 0.65, theirs.share >= 0.65,
               brightness(stats.meanLightness) == brightness(other.meanLightness) {
                r.continues = neighbour == i - 1 ? 0 : 1
                r.colours = [mine.index]
                return r
            }
        }
        let shares = stats.colourShares.filter { $0.share >= 0.12 }.prefix(BuiltinForm.maxRegionColours)
        r.colours = shares.map(\.index)
        r.mostly = (shares.first?.share ?? 0) >= 0.6
        r.strongSecond = shares.count > 1 && shares[shares.startIndex + 1].share >= 0.25
        r.brightness = brightness(stats.meanLightness)
        return r
    }

    static func composition(_ a: Analysis, width: Int, height: Int) -> BuiltinForm.Composition {
        var c = BuiltinForm.Composition()
        (c.width, c.height) = (width, height)
        (c.aspect, c.hundredths) = aspect(width, height)
        let byTexture = (0..<9).sorted { a.regions[$0].texture > a.regions[$1].texture }
        let byLight = (0..<9).sorted { a.regions[$0].meanLightness > a.regions[$1].meanLightness }
        if a.regions[byTexture[0]].texture - a.regions[byTexture[8]].texture > 1.5 {
            c.detail = BuiltinForm.RegionPair(byTexture[0], byTexture[8])
        }
        if a.regions[byLight[0]].meanLightness - a.regions[byLight[8]].meanLightness > 8 {
            c.light = BuiltinForm.RegionPair(byLight[0], byLight[8])
        }
        if let boundary = a.strongestHorizontalBoundary() {
            let third = boundary.position < 1.0 / 3 ? 0 : (boundary.position < 2.0 / 3 ? 1 : 2)
            c.boundary = BuiltinForm.Boundary(percent: Int((boundary.position * 100).rounded()), third: third,
                                              brighterAbove: boundary.brighterAbove)
        }
        return c
    }

    // MARK: Words (indices into BuiltinForm's vocabulary)

    static func brightness(_ l: Double) -> Int {
        switch l {
        case ..<22: return 0    // very dark
        case ..<40: return 1    // dark
        case ..<60: return 2    // mid-toned
        case ..<78: return 3    // bright
        default: return 4       // very bright
        }
    }

    static func texture(_ t: Double) -> Int {
        switch t {
        case ..<1.5: return 0   // smooth
        case ..<4: return 1     // lightly textured
        case ..<8: return 2     // textured
        default: return 3       // highly detailed
        }
    }

    /// An index into `BuiltinForm.edgeWords`.
    static func edges(_ r: Analysis.Stats) -> Int {
        let sum = r.jxx + r.jyy
        let smooth = r.texture < 1.5
        // A lone sharp boundary in a smooth region is worth naming as well as texture is.
        guard !smooth || r.strongEdgeFraction >= 0.02, sum > 0 else { return 0 }
        let coherence = ((r.jxx - r.jyy) * (r.jxx - r.jyy) + 4 * r.jxy * r.jxy).squareRoot() / sum
        guard coherence >= 0.15 else { return smooth ? 1 : 2 }
        // Angle of the dominant gradient (y grows downward); edges run perpendicular to it.
        let degrees = 0.5 * atan2(2 * r.jxy, r.jxx - r.jyy) * 180 / Double.pi
        let direction: Int      // vertical, horizontal, rising, falling
        switch degrees {
        case -22.5...22.5: direction = 0
        case 67.5...90, -90 ... -67.5: direction = 1
        case 22.5...67.5: direction = 2
        default: direction = 3
        }
        return (smooth ? 3 : 7) + direction
    }

    /// A named aspect's index, or `BuiltinForm.namedAspects.count` with the ratio in hundredths.
    static func aspect(_ w: Int, _ h: Int) -> (Int, Int) {
        let long = Double(max(w, h)), short = Double(max(min(w, h), 1))
        let known: [Double] = [1, 1.25, 4.0 / 3, 1.5, 16.0 / 9, 2]
        let ratio = long / short
        if let match = known.firstIndex(where: { abs($0 - ratio) / $0 < 0.02 }) { return (match, 0) }
        return (known.count, Int((ratio * 100).rounded()))
    }
}
