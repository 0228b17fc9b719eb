/// The built-in describer's form (spec/gcx.md Appendix D.1): its eleven lines are fixed words around
/// a few dozen choices (colour names, tone, texture, edges, region names, numbers). `render` writes
/// the text of a set of choices; `parse` recovers the choices of a text that is exactly such a
/// rendering, and nil for any other text. The describer (GCXImage) renders through this type, and
/// prompt method 2 stores the choices instead of the words, so the two cannot drift apart.
///
///     let form = BuiltinForm.parse(text)   // non-nil only if form.render() == text
public struct BuiltinForm: Equatable, Sendable {
    public var global: Global
    /// The nine regions in raster order.
    public var regions: [Region]
    public var composition: Composition

    public init(global: Global, regions: [Region], composition: Composition) {
        self.global = global
        self.regions = regions
        self.composition = composition
    }

    // MARK: Vocabulary (spec D.1, table D-1). Indices are what method 2 codes.

    /// The colour names of the describer's palette.
    public static let colourNames = [
        "black", "charcoal grey", "grey", "light grey", "white", "red", "dark red", "pink", "orange",
        "brown", "dark brown", "tan", "beige", "yellow", "olive", "green", "dark green", "yellow-green",
        "teal", "cyan", "sky blue", "blue", "navy blue", "grey-blue", "purple", "lavender", "magenta",
    ]
    public static let typeWords = ["photograph", "illustration"]
    public static let colourfulnessWords = ["monochrome", "muted colours", "natural colours", "vivid saturated colours"]
    public static let contrastWords = ["low contrast", "moderate contrast", "high contrast"]
    public static let keyWords = ["", ", low-key", ", high-key"]
    public static let brightnessWords = ["very dark", "dark", "mid-toned", "bright", "very bright"]
    public static let textureWords = ["smooth", "lightly textured", "textured", "highly detailed"]
    /// Edge phrases; those starting with "with" follow the texture word after a space, the others after ", ".
    public static let edgeWords = [
        "no strong edges", "a few sharp edges in mixed directions", "edges in mixed directions",
        "with a sharp vertical boundary", "with a sharp horizontal boundary",
        "with a sharp diagonal boundary rising to the right", "with a sharp diagonal boundary falling to the right",
        "mostly vertical edges", "mostly horizontal edges",
        "mostly diagonal edges rising to the right", "mostly diagonal edges falling to the right",
    ]
    /// Aspect ratios written by name, landscape way round (a portrait frame reverses them).
    public static let namedAspects = [(1, 1), (5, 4), (4, 3), (3, 2), (16, 9), (2, 1)]
    public static let thirdWords = ["upper third", "middle third", "lower third"]
    public static let regionWords = RasterScan.regionLabels.map { $0.lowercased() }
    public static let maxPalette = 5
    public static let maxRegionColours = 3
    /// Bound on every number of the form (sizes, percentages, hundredths): below 2^24.
    public static let numberLimit = 1 << 24

    public struct Global: Equatable, Sendable {
        public var type = 0, colourfulness = 0, contrast = 0, key = 0, brightness = 0
        /// Brighter side: 0 none, 1 top, 2 bottom; 0 none, 1 left, 2 right.
        public var vertical = 0, horizontal = 0
        public var highlights = false, shadows = false
        /// 1...5 colour indices.
        public var palette: [Int] = [0]
        public init() {}
    }

    public struct Region: Equatable, Sendable {
        /// Non-nil: "continues the <colour> area from the left" (0) or "from above" (1); then
        /// `colours` holds that one colour and `brightness` is not written.
        public var continues: Int?
        /// 0...3 colours; none is "mixed colours".
        public var colours: [Int] = []
        /// "mostly " before the first colour.
        public var mostly = false
        /// " with " (true) or " with some " (false) before the second colour.
        public var strongSecond = false
        public var brightness = 0, texture = 0, edges = 0
        public init() {}
    }

    public struct Composition: Equatable, Sendable {
        public var width = 1, height = 1
        /// 0..<namedAspects.count, or namedAspects.count for `hundredths`.
        public var aspect = 0
        /// The long side over the short in hundredths, when `aspect` is not named.
        public var hundredths = 0
        /// The regions with the most and the least detail, or nil for "detail spread evenly".
        public var detail: RegionPair?
        /// The brightest and the darkest regions, or nil when not written.
        public var light: RegionPair?
        public var boundary: Boundary?
        public init() {}
    }

    /// Two region indices: the one named first in the text, and the one named second.
    public struct RegionPair: Equatable, Sendable {
        public var first: Int, second: Int
        public init(_ first: Int, _ second: Int) {
            self.first = first
            self.second = second
        }
    }

    public struct Boundary: Equatable, Sendable {
        public var percent = 0, third = 0
        public var brighterAbove = true
        public init(percent: Int, third: Int, brighterAbove: Bool) {
            self.percent = percent
            self.third = third
            self.brighterAbove = brighterAbove
        }
    }

    // MARK: Rendering (spec D.1)

    /// The text of these choices. Every index must be in range (`isValid`).
    public func render() -> String {
        var lines = [Self.render(global)]
        for (i, region) in regions.enumerated() {
            lines.append("\(RasterScan.regionLabels[i]): \(Self.render(region)).")
        }
        lines.append("Composition: \(Self.render(composition)).")
        return lines.joined(separator: "\n")
    }

    static func render(_ g: Global) -> String {
        var sides: [String] = []
        if g.vertical != 0 { sides.append(g.vertical == 1 ? "top" : "bottom") }
        if g.horizontal != 0 { sides.append(g.horizontal == 1 ? "left" : "right") }
        let lighting = brightnessWords[g.brightness] + " overall"
            + (sides.isEmpty ? ", evenly lit" : ", brighter toward the " + sides.joined(separator: " "))
            + (g.highlights ? ", bright highlights" : "") + (g.shadows ? ", deep shadows" : "")
        return "Type: \(typeWords[g.type]). Style: \(colourfulnessWords[g.colourfulness]), \(contrastWords[g.contrast])"
            + "\(keyWords[g.key]). Lighting: \(lighting). Palette: \(g.palette.map { colourNames[$0] }.joined(separator: ", "))."
    }

    static func render(_ r: Region) -> String {
        let edges = edgeWords[r.edges]
        let details = textureWords[r.texture] + (edges.hasPrefix("with") ? " " : ", ") + edges
        if let side = r.continues {
            return "continues the \(colourNames[r.colours[0]]) area \(side == 0 ? "from the left" : "from above"); \(details)"
        }
        var colours = "mixed colours"
        if let first = r.colours.first {
            colours = (r.mostly ? "mostly " : "") + colourNames[first]
            if r.colours.count > 1 { colours += (r.strongSecond ? " with " : " with some ") + colourNames[r.colours[1]] }
            if r.colours.count > 2 { colours += " and a little " + colourNames[r.colours[2]] }
        }
        return "\(colours); \(brightnessWords[r.brightness]), \(details)"
    }

    static func render(_ c: Composition) -> String {
        let shape = c.width > c.height ? "landscape" : (c.width < c.height ? "portrait" : "square")
        var aspect: String
        if c.aspect < namedAspects.count {
            let (long, short) = namedAspects[c.aspect]
            aspect = c.width >= c.height ? "\(long):\(short)" : "\(short):\(long)"
        } else {
            let fraction = String(c.hundredths % 100)
            let number = "\(c.hundredths / 100)." + (fraction.count < 2 ? "0" + fraction : fraction)
            aspect = c.width >= c.height ? number + ":1" : "1:" + number
        }
        var parts = ["\(shape) frame, \(aspect) (\(c.width)x\(c.height))"]
        if let d = c.detail {
            parts.append("most detail in the \(regionWords[d.first]), least in the \(regionWords[d.second])")
        } else {
            parts.append("detail spread evenly")
        }
        if let l = c.light { parts.append("brightest area \(regionWords[l.first]), darkest \(regionWords[l.second])") }
        if let b = c.boundary {
            parts.append("sharpest horizontal change in brightness at \(b.percent)% of the height (\(thirdWords[b.third])), "
                         + (b.brighterAbove ? "brighter above" : "brighter below"))
        }
        return parts.joined(separator: "; ")
    }

    /// Whether every index and count is in range, so that `render` is defined.
    public var isValid: Bool {
        let g = global, c = composition
        func colour(_ i: Int) -> Bool { i >= 0 && i < Self.colourNames.count }
        func region(_ i: Int) -> Bool { i >= 0 && i < 9 }
        func number(_ n: Int) -> Bool { n >= 0 && n < Self.numberLimit }
        guard (0..<Self.typeWords.count).contains(g.type), (0..<Self.colourfulnessWords.count).contains(g.colourfulness),
              (0..<Self.contrastWords.count).contains(g.contrast), (0..<Self.keyWords.count).contains(g.key),
              (0..<Self.brightnessWords.count).contains(g.brightness), (0...2).contains(g.vertical),
              (0...2).contains(g.horizontal), (1...Self.maxPalette).contains(g.palette.count), g.palette.allSatisfy(colour),
              Set(g.palette).count == g.palette.count
        else { return false }
        guard regions.count == 9 else { return false }
        for r in regions {
            guard r.colours.count <= Self.maxRegionColours, r.colours.allSatisfy(colour),
                  (0..<Self.brightnessWords.count).contains(r.brightness), (0..<Self.textureWords.count).contains(r.texture),
                  (0..<Self.edgeWords.count).contains(r.edges) else { return false }
            if let side = r.continues, !((0...1).contains(side) && r.colours.count == 1) { return false }
        }
        guard number(c.width), number(c.height), (0...Self.namedAspects.count).contains(c.aspect), number(c.hundredths)
        else { return false }
        for pair in [c.detail, c.light].compactMap({ $0 }) where !(region(pair.first) && region(pair.second)) { return false }
        if let b = c.boundary, !(number(b.percent) && (0..<Self.thirdWords.count).contains(b.third)) { return false }
        return true
    }

    // MARK: Parsing

    /// The choices whose rendering is exactly `text`, or nil when `text` is not in the form.
    public static func parse(_ text: String) -> BuiltinForm? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 11 else { return nil }
        var scanner = Scanner(lines[0])
        guard let global = scanner.global(), scanner.atEnd else { return nil }
        var regions: [Region] = []
        for i in 0..<9 {
            var s = Scanner(lines[1 + i])
            guard s.take(RasterScan.regionLabels[i] + ": "), let region = s.region(), s.take("."), s.atEnd else { return nil }
            regions.append(region)
        }
        var s = Scanner(lines[10])
        guard s.take("Composition: "), let composition = s.composition(), s.take("."), s.atEnd else { return nil }
        let form = BuiltinForm(global: global, regions: regions, composition: composition)
        // The scanner reads greedily; what it read must render back to the very same bytes.
        guard form.isValid, form.render() == text else { return nil }
        return form
    }

    /// Reads the form's words off the front of a line.
    struct Scanner {
        var rest: Substring.UTF8View

        init(_ line: Substring) { rest = line.utf8 }

        var atEnd: Bool { rest.isEmpty }

        mutating func take(_ literal: String) -> Bool {
            guard rest.starts(with: literal.utf8) else { return false }
            rest = rest.dropFirst(literal.utf8.count)
            return true
        }

        /// The index of the longest of `words` the line continues with.
        mutating func one(of words: [String]) -> Int? {
            var best: Int?
            for (i, w) in words.enumerated() where !w.isEmpty && rest.starts(with: w.utf8) {
                if best == nil || w.utf8.count > words[best!].utf8.count { best = i }
            }
            if let best { rest = rest.dropFirst(words[best].utf8.count) }
            return best
        }

        /// A decimal number without leading zeros, below the form's limit.
        mutating func number() -> Int? {
            var value = 0, digits = 0
            while let d = rest.first, d >= 0x30, d <= 0x39 {
                if digits == 1 && value == 0 { return nil }
                value = value * 10 + Int(d - 0x30)
                digits += 1
                guard value < BuiltinForm.numberLimit else { return nil }
                rest = rest.dropFirst()
            }
            return digits > 0 ? value : nil
        }

        mutating func colours(separator: String) -> [Int]? {
            var list: [Int] = []
            repeat {
                guard let c = one(of: BuiltinForm.colourNames) else { return nil }
                list.append(c)
            } while take(separator)
            return list
        }

        mutating func global() -> Global? {
            var g = Global()
            guard take("Type: "), let type = one(of: BuiltinForm.typeWords), take(". Style: "),
                  let colourfulness = one(of: BuiltinForm.colourfulnessWords), take(", "),
                  let contrast = one(of: BuiltinForm.contrastWords) else { return nil }
            (g.type, g.colourfulness, g.contrast) = (type, colourfulness, contrast)
            g.key = one(of: BuiltinForm.keyWords) ?? 0
            guard take(". Lighting: "), let brightness = one(of: BuiltinForm.brightnessWords), take(" overall")
            else { return nil }
            g.brightness = brightness
            if !take(", evenly lit") {
                guard take(", brighter toward the ") else { return nil }
                if take("top") { g.vertical = 1 } else if take("bottom") { g.vertical = 2 }
                if g.vertical == 0 || take(" ") {
                    if take("left") { g.horizontal = 1 } else if take("right") { g.horizontal = 2 } else { return nil }
                }
            }
            g.highlights = take(", bright highlights")
            g.shadows = take(", deep shadows")
            guard take(". Palette: "), let palette = colours(separator: ", "), take(".") else { return nil }
            g.palette = palette
            return g
        }

        mutating func region() -> Region? {
            var r = Region()
            if take("continues the ") {
                guard let c = one(of: BuiltinForm.colourNames), take(" area from ") else { return nil }
                r.colours = [c]
                if take("the left") { r.continues = 0 } else if take("above") { r.continues = 1 } else { return nil }
                guard take("; ") else { return nil }
            } else {
                if !take("mixed colours") {
                    r.mostly = take("mostly ")
                    guard let first = one(of: BuiltinForm.colourNames) else { return nil }
                    r.colours = [first]
                    if take(" with ") {
                        r.strongSecond = !take("some ")
                        guard let second = one(of: BuiltinForm.colourNames) else { return nil }
                        r.colours.append(second)
                        if take(" and a little ") {
                            guard let third = one(of: BuiltinForm.colourNames) else { return nil }
                            r.colours.append(third)
                        }
                    }
                }
                guard take("; "), let brightness = one(of: BuiltinForm.brightnessWords), take(", ") else { return nil }
                r.brightness = brightness
            }
            guard let texture = one(of: BuiltinForm.textureWords) else { return nil }
            r.texture = texture
            _ = take(", ") || take(" ")
            guard let edges = one(of: BuiltinForm.edgeWords) else { return nil }
            r.edges = edges
            return r
        }

        mutating func composition() -> Composition? {
            var c = Composition()
            guard one(of: ["landscape", "portrait", "square"]) != nil, take(" frame, ") else { return nil }
            // The aspect is read as written and checked against the size by rendering it again.
            // "1:1" also starts "1:1.25": a name counts only where the size follows it.
            let named = BuiltinForm.namedAspects.flatMap { ["\($0.0):\($0.1)", "\($0.1):\($0.0)"] }
            let before = rest
            if let k = one(of: named), rest.starts(with: " (".utf8) {
                c.aspect = k / 2
            } else {
                rest = before
                c.aspect = BuiltinForm.namedAspects.count
                let portrait = take("1:")
                guard let whole = number(), take("."), let d1 = rest.first, let d2 = rest.dropFirst().first,
                      (0x30...0x39).contains(d1), (0x30...0x39).contains(d2) else { return nil }
                rest = rest.dropFirst(2)
                c.hundredths = whole * 100 + Int(d1 - 0x30) * 10 + Int(d2 - 0x30)
                if !portrait { guard take(":1") else { return nil } }
            }
            guard take(" ("), let width = number(), take("x"), let height = number(), take(")") else { return nil }
            (c.width, c.height) = (width, height)
            guard take("; ") else { return nil }
            if !take("detail spread evenly") {
                guard take("most detail in the "), let most = one(of: BuiltinForm.regionWords), take(", least in the "),
                      let least = one(of: BuiltinForm.regionWords) else { return nil }
                c.detail = RegionPair(most, least)
            }
            if take("; brightest area ") {
                guard let brightest = one(of: BuiltinForm.regionWords), take(", darkest "),
                      let darkest = one(of: BuiltinForm.regionWords) else { return nil }
                c.light = RegionPair(brightest, darkest)
            }
            if take("; sharpest horizontal change in brightness at ") {
                guard let percent = number(), take("% of the height ("), let third = one(of: BuiltinForm.thirdWords),
                      take("), brighter ") else { return nil }
                let above: Bool
                if take("above") { above = true } else if take("below") { above = false } else { return nil }
                c.boundary = Boundary(percent: percent, third: third, brighterAbove: above)
            }
            return c
        }
    }
}
