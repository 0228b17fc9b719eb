import GCX
import GCXRangeCoder
import GCXRasterScan

/// Prompt method 2 (spec/gcx.md Appendix D): a text in the built-in describer's form stored as its
/// choices (`BuiltinForm`), each coded with adaptive bits (C.5) on the range coder (B.5), from a
/// state primed on the built-in descriptions of model 2's file. The words are rendered again on
/// decoding, so the text comes back byte for byte. Kodak's built-in descriptions take 25 bytes
/// here against 63 with method 1, and decoding needs no prompt model.
public enum BuiltinFormCoder {
    /// The payload of `text`, or nil when the text is not exactly in the form (or is a form the
    /// coding cannot hold, D.1).
    public static func encode(_ text: String) -> [UInt8]? {
        guard let form = BuiltinForm.parse(text) else { return nil }
        return encode(form)
    }

    /// The payload of `form`, or nil when a choice is out of range or the height is too far from
    /// what the width and aspect say (D.1: a text such as a sidecar's can say anything).
    public static func encode(_ form: BuiltinForm) -> [UInt8]? {
        guard form.isValid else { return nil }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
        defer { buffer.deallocate() }
        var io = Writer(coder: RangeEncoder(buffer: buffer), models: primed)
        var copy = form
        guard (try? traverse(&copy, &io)) != nil else { return nil }
        return io.coder.finish()
    }

    /// The form of a payload (D.3), checked to be the one encoding of its choices.
    public static func decodeForm(_ payload: [UInt8]) throws(FormCodingError) -> BuiltinForm {
        var io = Reader(coder: RangeDecoder(payload[...]), models: primed)
        var form = BuiltinForm(global: .init(), regions: [], composition: .init())
        do { try traverse(&form, &io) } catch let error as FormCodingError { throw error } catch { throw .invalid("\(error)") }
        guard io.coder.isCanonicalEnd else { throw .nonCanonicalCode }
        return form
    }

    public static func decode(_ payload: [UInt8], decodedLength: Int) throws(FormCodingError) -> String {
        let text = try decodeForm(payload).render()
        guard text.utf8.count == decodedLength else { throw .lengthMismatch(decoded: text.utf8.count, recorded: decodedLength) }
        return text
    }

    // MARK: Fields (spec D.2)

    /// Each field's models: `contexts` sets of a binary tree over `options` values.
    enum Field: Int, CaseIterable {
        case type, colourfulness, contrast, key, brightness, vertical, horizontal, highlights, shadows
        case paletteCount, paletteColour
        case continues, colourCount, mostly, strongSecond, colourSlot, otherColour
        case regionBrightness, texture, edges
        case numberLength, aspect, portrait, detail, light, boundary, regionName, third, brighterAbove

        var options: Int {
            switch self {
            case .type: 2
            case .colourfulness: 4
            case .contrast, .key, .vertical, .horizontal, .continues, .third: 3
            case .brightness, .regionBrightness, .paletteCount: 5
            case .highlights, .shadows, .mostly, .strongSecond, .portrait, .detail, .light, .boundary, .brighterAbove: 2
            case .paletteColour, .otherColour: BuiltinForm.colourNames.count
            case .colourCount, .texture: 4
            case .colourSlot: BuiltinForm.maxPalette + 1
            case .edges: BuiltinForm.edgeWords.count
            case .numberLength: 25
            case .aspect: BuiltinForm.namedAspects.count + 1
            case .regionName: 9
            }
        }

        var contexts: Int {
            switch self {
            case .continues: 4              // top-left, rest of the top row, rest of the left column, inside
            case .colourSlot: 4 * BuiltinForm.maxPalette   // (which colour of the region) × palette size
            case .otherColour: 4
            case .regionBrightness: BuiltinForm.brightnessWords.count + 1   // the previous region's, or none
            case .texture: BuiltinForm.textureWords.count + 1
            case .edges: BuiltinForm.textureWords.count
            case .numberLength: 4           // width, height, hundredths, percent
            case .regionName: 4             // most detail, least, brightest, darkest
            default: 1
            }
        }

        /// Bits of the tree: enough for `options - 1`.
        var depth: Int { Int.bitWidth - (options - 1).leadingZeroBitCount }
        var size: Int { contexts << depth }
        var base: Int { Field.bases[rawValue] }

        static let bases: [Int] = allCases.reduce(into: [0]) { $0.append($0.last! + $1.size) }
        static var modelCount: Int { bases.last! }
    }

    /// Codes one value of a field, or (reader) decodes it.
    protocol FieldIO {
        mutating func code(_ value: inout Int, _ field: Field, context: Int) throws
        /// `bits` bits with probability 1/2 each, most significant first.
        mutating func raw(_ value: inout Int, bits: Int)
    }

    struct Writer: FieldIO {
        var coder: RangeEncoder
        var models: [BitModel]

        mutating func code(_ value: inout Int, _ field: Field, context: Int) throws {
            guard value >= 0 && value < field.options else { throw FormCodingError.invalid("\(field) \(value)") }
            var node = 1
            for k in stride(from: field.depth - 1, through: 0, by: -1) {
                let bit = (value >> k) & 1
                let m = field.base + (context << field.depth) + node
                coder.encode(bit: bit, p1: models[m].p1)
                models[m].update(bit)
                node = 2 * node + bit
            }
        }

        mutating func raw(_ value: inout Int, bits: Int) {
            for k in stride(from: bits - 1, through: 0, by: -1) { coder.encode(bit: (value >> k) & 1, p1: 2048) }
        }
    }

    struct Reader: FieldIO {
        var coder: RangeDecoder
        var models: [BitModel]

        mutating func code(_ value: inout Int, _ field: Field, context: Int) throws {
            var node = 1
            for _ in 0..<field.depth {
                let m = field.base + (context << field.depth) + node
                let bit = coder.decode(p1: models[m].p1)
                models[m].update(bit)
                node = 2 * node + bit
            }
            value = node - (1 << field.depth)
            guard value < field.options else { throw FormCodingError.outOfRange(field: "\(field)", value: value) }
        }

        mutating func raw(_ value: inout Int, bits: Int) {
            value = 0
            for _ in 0..<bits { value = 2 * value + coder.decode(p1: 2048) }
        }
    }

    /// A number below 2^24 (D.2): the length of v + 1 in bits less one (`numberLength`), then the
    /// bits of v + 1 below its leading one.
    static func number<IO: FieldIO>(_ v: inout Int, _ which: Int, _ io: inout IO) throws {
        var length = Int.bitWidth - (v + 1).leadingZeroBitCount - 1
        try io.code(&length, .numberLength, context: which)
        var low = (v + 1) - (1 << length)
        io.raw(&low, bits: length)
        v = (1 << length) + low - 1
        guard v < BuiltinForm.numberLimit else { throw FormCodingError.outOfRange(field: "number", value: v) }
    }

    /// The height a `width` wide frame of the named aspect (or `hundredths`) has, rounded (D.3).
    static func predictedHeight(width w: Int, aspect: Int, hundredths: Int, portrait: Bool) -> Int {
        let (long, short) = aspect < BuiltinForm.namedAspects.count ? BuiltinForm.namedAspects[aspect] : (hundredths, 100)
        guard long > 0 else { return w }
        return portrait ? (w * long + short / 2) / short : (w * short + long / 2) / long
    }

    /// A flag, then, when it is set, two region names in contexts `first` and `first + 1`.
    static func regionPair<IO: FieldIO>(_ pair: BuiltinForm.RegionPair?, _ field: Field, first: Int,
                                        _ io: inout IO) throws -> BuiltinForm.RegionPair? {
        var present = pair != nil
        try flag(&present, field, &io)
        guard present else { return nil }
        var p = pair ?? BuiltinForm.RegionPair(0, 0)
        try io.code(&p.first, .regionName, context: first)
        try io.code(&p.second, .regionName, context: first + 1)
        return p
    }

    static func flag<IO: FieldIO>(_ b: inout Bool, _ field: Field, _ io: inout IO) throws {
        var v = b ? 1 : 0
        try io.code(&v, field, context: 0)
        b = v == 1
    }

    /// A region's colour (D.2): its first place in the palette, or `colourSlot` = palette size and
    /// then the colour, which must not be in the palette.
    static func colour<IO: FieldIO>(_ c: inout Int, slot: Int, palette: [Int], _ io: inout IO) throws {
        var place = palette.firstIndex(of: c) ?? palette.count
        try io.code(&place, .colourSlot, context: slot * BuiltinForm.maxPalette + palette.count - 1)
        if place < palette.count {
            c = palette[place]
        } else {
            if place > palette.count { throw FormCodingError.outOfRange(field: "colourSlot", value: place) }
            try io.code(&c, .otherColour, context: slot)
            if palette.contains(c) { throw FormCodingError.invalid("a palette colour coded outside the palette") }
        }
    }

    /// The one order of every choice (D.3), for the writer and the reader alike.
    static func traverse<IO: FieldIO>(_ form: inout BuiltinForm, _ io: inout IO) throws {
        var g = form.global
        try io.code(&g.type, .type, context: 0)
        try io.code(&g.colourfulness, .colourfulness, context: 0)
        try io.code(&g.contrast, .contrast, context: 0)
        try io.code(&g.key, .key, context: 0)
        try io.code(&g.brightness, .brightness, context: 0)
        try io.code(&g.vertical, .vertical, context: 0)
        try io.code(&g.horizontal, .horizontal, context: 0)
        try flag(&g.highlights, .highlights, &io)
        try flag(&g.shadows, .shadows, &io)
        var count = g.palette.count - 1
        try io.code(&count, .paletteCount, context: 0)
        var palette: [Int] = []
        for i in 0...count {
            var c = i < g.palette.count ? g.palette[i] : 0
            try io.code(&c, .paletteColour, context: 0)
            if palette.contains(c) { throw FormCodingError.invalid("palette colour \(c) twice") }
            palette.append(c)
        }
        g.palette = palette
        form.global = g

        var regions: [BuiltinForm.Region] = []
        var previousBrightness = BuiltinForm.brightnessWords.count, previousTexture = BuiltinForm.textureWords.count
        for i in 0..<9 {
            var r = i < form.regions.count ? form.regions[i] : BuiltinForm.Region()
            var continues = r.continues.map { $0 + 1 } ?? 0
            let place = i == 0 ? 0 : (i < 3 ? 1 : (i % 3 == 0 ? 2 : 3))
            try io.code(&continues, .continues, context: place)
            r.continues = continues == 0 ? nil : continues - 1
            if r.continues != nil {
                var c = r.colours.first ?? 0
                try colour(&c, slot: 3, palette: palette, &io)
                r.colours = [c]
                (r.mostly, r.strongSecond) = (false, false)
            } else {
                var n = r.colours.count
                try io.code(&n, .colourCount, context: 0)
                var colours: [Int] = []
                for k in 0..<n {
                    if k == 0 { try flag(&r.mostly, .mostly, &io) }
                    if k == 1 { try flag(&r.strongSecond, .strongSecond, &io) }
                    var c = k < r.colours.count ? r.colours[k] : 0
                    try colour(&c, slot: k, palette: palette, &io)
                    colours.append(c)
                }
                if n == 0 { r.mostly = false }
                if n < 2 { r.strongSecond = false }
                r.colours = colours
                try io.code(&r.brightness, .regionBrightness, context: previousBrightness)
                previousBrightness = r.brightness
            }
            try io.code(&r.texture, .texture, context: previousTexture)
            previousTexture = r.texture
            try io.code(&r.edges, .edges, context: r.texture)
            if r.continues != nil { r.brightness = 0 }
            regions.append(r)
        }
        form.regions = regions

        var c = form.composition
        try number(&c.width, 0, &io)
        try io.code(&c.aspect, .aspect, context: 0)
        var portrait = c.width < c.height
        try flag(&portrait, .portrait, &io)
        if c.aspect == BuiltinForm.namedAspects.count { try number(&c.hundredths, 2, &io) } else { c.hundredths = 0 }
        // The height as its difference from what the width and the aspect say, zigzagged.
        let predicted = predictedHeight(width: c.width, aspect: c.aspect, hundredths: c.hundredths, portrait: portrait)
        let d = c.height - predicted
        var zigzag = d >= 0 ? 2 * d : -2 * d - 1
        try number(&zigzag, 1, &io)
        c.height = predicted + (zigzag % 2 == 0 ? zigzag / 2 : -(zigzag + 1) / 2)
        guard c.height >= 0, c.height < BuiltinForm.numberLimit, portrait == (c.width < c.height) else {
            throw FormCodingError.invalid("height \(c.height) for width \(c.width), portrait \(portrait)")
        }
        c.detail = try regionPair(c.detail, .detail, first: 0, &io)
        c.light = try regionPair(c.light, .light, first: 2, &io)
        var present = c.boundary != nil
        try flag(&present, .boundary, &io)
        if present {
            var b = c.boundary ?? BuiltinForm.Boundary(percent: 0, third: 0, brighterAbove: true)
            try number(&b.percent, 3, &io)
            try io.code(&b.third, .third, context: 0)
            try flag(&b.brighterAbove, .brighterAbove, &io)
            c.boundary = b
        } else { c.boundary = nil }
        form.composition = c
    }

    // MARK: Priming (spec D.4)

    /// The models after coding the built-in descriptions that open model 2's file (the texts of
    /// spec/prompt-model/builtin-2.jsonl), each from where the one before left them.
    static let primed: [BitModel] = {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
        defer { buffer.deallocate() }
        var models = [BitModel](repeating: BitModel(), count: Field.modelCount)
        for text in primingTexts {
            guard var form = BuiltinForm.parse(text) else { preconditionFailure("a priming text is not in the built-in form") }
            var io = Writer(coder: RangeEncoder(buffer: buffer), models: models)
            do { try traverse(&form, &io) } catch { preconditionFailure("a priming text does not code: \(error)") }
            models = io.models
        }
        return models
    }()

    /// The priming texts: the training prompts of model 2 that come before the corpus prompts.
    public static var primingTexts: [String] {
        ModelTables.openingPrompts(id: 2, count: ModelTables.builtinPreludeCount).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Why a method 2 payload does not decode.
public enum FormCodingError: Error, Equatable, CustomStringConvertible {
    case outOfRange(field: String, value: Int)
    case invalid(String)
    case nonCanonicalCode
    case lengthMismatch(decoded: Int, recorded: Int)

    public var description: String {
        switch self {
        case let .outOfRange(field, value): "built-in form payload: \(field) value \(value) is out of range (spec D.3)"
        case let .invalid(what): "built-in form payload: \(what) (spec D.3)"
        case .nonCanonicalCode: "built-in form payload does not end as the encoder ends it (spec B.5)"
        case let .lengthMismatch(decoded, recorded): "built-in form renders \(decoded) bytes, not the recorded \(recorded)"
        }
    }
}

/// Method 2 registered with the core.
public struct BuiltinFormPromptDecoder: PromptDecoder {
    public init() {}
    public var method: PromptMethod { .builtinForm }
    public func decode(payload: [UInt8], decodedLength: Int) throws -> String {
        try BuiltinFormCoder.decode(payload, decodedLength: decodedLength)
    }
}
