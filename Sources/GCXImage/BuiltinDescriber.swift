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
        let analysis = Analysis(image: workingCopy(image))
        var lines = [globalLine(analysis)]
        for (i, name) in regionNames.enumerated() {
            lines.append("\(name): \(regionPhrase(analysis, i)).")
        }
        lines.append("Composition: \(composition(analysis, width: image.width, height: image.height)).")
        return lines.joined(separator: "\n")
    }

    static func workingCopy(_ image: RGBImage) -> RGBImage {
        guard image.width > 0, image.height > 0 else { return RGBImage(width: 1, height: 1) }
        let side = max(image.width, image.height)
        let scale = min(255, (side + workingSide - 1) / workingSide)
        return scale <= 1 ? image : (try? Thumbnailer.downsample(image, scale: scale)) ?? image
    }

    // MARK: Lines

    static func globalLine(_ a: Analysis) -> String {
        let whole = a.whole
        let colourfulness: String
        switch whole.meanChroma {
        case ..<4: colourfulness = "monochrome"
        case ..<12: colourfulness = "muted colours"
        case ..<30: colourfulness = "natural colours"
        default: colourfulness = "vivid saturated colours"
        }
        let contrast: String
        switch whole.lightnessDeviation {
        case ..<10: contrast = "low contrast"
        case ..<22: contrast = "moderate contrast"
        default: contrast = "high contrast"
        }
        var style = "\(colourfulness), \(contrast)"
        if whole.meanLightness < 35 { style += ", low-key" } else if whole.meanLightness > 72 { style += ", high-key" }
        // Large exactly-flat areas do not occur in camera images (Kodak: at most 10%).
        let type = a.flatFraction >= 0.3 ? "illustration" : "photograph"

        var lighting = "\(brightnessWord(whole.meanLightness)) overall"
        let vertical = a.band(rows: 0..<1).meanLightness - a.band(rows: 2..<3).meanLightness
        let horizontal = a.band(columns: 0..<1).meanLightness - a.band(columns: 2..<3).meanLightness
        var sides: [String] = []
        if abs(vertical) >= 8 { sides.append(vertical > 0 ? "top" : "bottom") }
        if abs(horizontal) >= 8 { sides.append(horizontal > 0 ? "left" : "right") }
        lighting += sides.isEmpty ? ", evenly lit" : ", brighter toward the \(sides.joined(separator: " "))"
        if whole.highlightFraction > 0.02 { lighting += ", bright highlights" }
        if whole.shadowFraction > 0.10 { lighting += ", deep shadows" }

        let palette = whole.colourShares.filter { $0.share >= 0.03 }.prefix(5).map { NamedColor.palette[$0.index].name }
        return "Type: \(type). Style: \(style). Lighting: \(lighting). Palette: \(palette.joined(separator: ", "))."
    }

    static func regionPhrase(_ a: Analysis, _ i: Int) -> String {
        let region = a.regions[i]
        let edges = edgeWords(region)
        let details = "\(textureWord(region.texture))\(edges.hasPrefix("with") ? " " : ", ")\(edges)"
        // Same dominant colour and brightness as the neighbour on the left (or above):
        // say "continues" rather than describing it twice, as the instruction asks.
        let column = i % 3, row = i / 3
        for neighbour in [column > 0 ? i - 1 : nil, row > 0 ? i - 3 : nil].compactMap({ $0 }) {
            let other = a.regions[neighbour]
            if let mine = region.colourShares.first, let theirs = other.colourShares.first,
               mine.index == theirs.index, mine.share >= 0.65, theirs.share >= 0.65,
               brightnessWord(region.meanLightness) == brightnessWord(other.meanLightness) {
                let side = neighbour == i - 1 ? "from the left" : "from above"
                return "continues the \(NamedColor.palette[mine.index].name) area \(side); \(details)"
            }
        }
        return "\(colourPhrase(region)); \(brightnessWord(region.meanLightness)), \(details)"
    }

    static func composition(_ a: Analysis, width: Int, height: Int) -> String {
        let shape = width > height ? "landscape" : (width < height ? "portrait" : "square")
        var parts = ["\(shape) frame, \(aspectText(width, height)) (\(width)x\(height))"]
        let byTexture = (0..<9).sorted { a.regions[$0].texture > a.regions[$1].texture }
        let byLight = (0..<9).sorted { a.regions[$0].meanLightness > a.regions[$1].meanLightness }
        let name = { (i: Int) in regionNames[i].lowercased() }
        if a.regions[byTexture[0]].texture - a.regions[byTexture[8]].texture > 1.5 {
            parts.append("most detail in the \(name(byTexture[0])), least in the \(name(byTexture[8]))")
        } else {
            parts.append("detail spread evenly")
        }
        if a.regions[byLight[0]].meanLightness - a.regions[byLight[8]].meanLightness > 8 {
            parts.append("brightest area \(name(byLight[0])), darkest \(name(byLight[8]))")
        }
        if let boundary = a.strongestHorizontalBoundary() {
            let third = boundary.position < 1.0 / 3 ? "upper third" : (boundary.position < 2.0 / 3 ? "middle third" : "lower third")
            let percent = Int((boundary.position * 100).rounded())
            parts.append("sharpest horizontal change in brightness at \(percent)% of the height (\(third)), "
                         + "\(boundary.brighterAbove ? "brighter above" : "brighter below")")
        }
        return parts.joined(separator: "; ")
    }

    // MARK: Words

    static func brightnessWord(_ l: Double) -> String {
        switch l {
        case ..<22: return "very dark"
        case ..<40: return "dark"
        case ..<60: return "mid-toned"
        case ..<78: return "bright"
        default: return "very bright"
        }
    }

    static func textureWord(_ t: Double) -> String {
        switch t {
        case ..<1.5: return "smooth"
        case ..<4: return "lightly textured"
        case ..<8: return "textured"
        default: return "highly detailed"
        }
    }

    static func edgeWords(_ r: Analysis.Stats) -> String {
        let sum = r.jxx + r.jyy
        let smooth = r.texture < 1.5
        // A lone sharp boundary in a smooth region is worth naming as well as texture is.
        guard !smooth || r.strongEdgeFraction >= 0.02, sum > 0 else { return "no strong edges" }
        let coherence = ((r.jxx - r.jyy) * (r.jxx - r.jyy) + 4 * r.jxy * r.jxy).squareRoot() / sum
        guard coherence >= 0.15 else { return smooth ? "a few sharp edges in mixed directions" : "edges in mixed directions" }
        // Angle of the dominant gradient (y grows downward); edges run perpendicular to it.
        let degrees = 0.5 * atan2(2 * r.jxy, r.jxx - r.jyy) * 180 / Double.pi
        let (direction, slope): (String, String)
        switch degrees {
        case -22.5...22.5: (direction, slope) = ("vertical", "")
        case 67.5...90, -90 ... -67.5: (direction, slope) = ("horizontal", "")
        case 22.5...67.5: (direction, slope) = ("diagonal", " rising to the right")
        default: (direction, slope) = ("diagonal", " falling to the right")
        }
        return smooth ? "with a sharp \(direction) boundary\(slope)" : "mostly \(direction) edges\(slope)"
    }

    static func colourPhrase(_ r: Analysis.Stats) -> String {
        let shares = r.colourShares.filter { $0.share >= 0.12 }.prefix(3)
        guard let first = shares.first else { return "mixed colours" }
        let name = { NamedColor.palette[$0].name }
        var text = (first.share >= 0.6 ? "mostly " : "") + name(first.index)
        if shares.count > 1 {
            let second = shares[shares.startIndex + 1]
            text += (second.share >= 0.25 ? " with " : " with some ") + name(second.index)
        }
        if shares.count > 2 { text += " and a little \(name(shares[shares.startIndex + 2].index))" }
        return text
    }

    static func aspectText(_ w: Int, _ h: Int) -> String {
        let long = Double(max(w, h)), short = Double(max(min(w, h), 1))
        let known: [(Double, String)] = [(1, "1:1"), (1.25, "5:4"), (4.0 / 3, "4:3"), (1.5, "3:2"),
                                         (16.0 / 9, "16:9"), (2, "2:1")]
        let ratio = long / short
        if let match = known.first(where: { abs($0.0 - ratio) / $0.0 < 0.02 }) {
            return w >= h ? match.1 : String(match.1.split(separator: ":").reversed().joined(separator: ":"))
        }
        let hundredths = Int((ratio * 100).rounded())
        let text = "\(hundredths / 100).\(String(hundredths % 100).leftPadded(to: 2))"
        return w >= h ? "\(text):1" : "1:\(text)"
    }
}
