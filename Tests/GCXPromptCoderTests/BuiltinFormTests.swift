import Foundation
import Testing
import GCX
import GCXRasterScan
import GCXTestSupport
@testable import GCXPromptCoder

/// Prompt method 2 (spec Appendix D): the built-in describer's form stored as its choices.
@Suite struct BuiltinFormTests {
    /// Built-in descriptions of photos, as gcx writes them (the model 2 file's opening texts are
    /// the 20 of spec/prompt-model/builtin-2.jsonl).
    static var primingTexts: [String] { BuiltinFormCoder.primingTexts }

    @Test func primingTextsAreTheCommittedBuiltinDescriptions() throws {
        let bytes = try #require(Fixtures.readFile(Fixtures.packageRoot + "/spec/prompt-model/builtin-2.jsonl"))
        let committed = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .compactMap { Fixtures.jsonStringField("prompt", in: String($0)) }
        #expect(committed.count == ModelTables.builtinPreludeCount)
        #expect(committed == Self.primingTexts)
        // Read from the front of the model file alone, they are the model's own opening prompts.
        #expect(ModelTables.model2.trainingPrompts.prefix(ModelTables.builtinPreludeCount).map { String(decoding: $0, as: UTF8.self) } == Self.primingTexts)
    }

    @Test func everyBuiltinDescriptionParsesAndRendersBack() throws {
        for text in Self.primingTexts {
            let form = try #require(BuiltinForm.parse(text), "does not parse:\n\(text)")
            #expect(form.render() == text)
        }
    }

    @Test func roundTripThroughThePayload() throws {
        var total = 0
        for text in Self.primingTexts {
            let payload = try #require(BuiltinFormCoder.encode(text))
            #expect(try BuiltinFormCoder.decode(payload, decodedLength: text.utf8.count) == text)
            total += payload.count
        }
        // Each text was seen in priming, so it codes in well under its method-1 size.
        #expect(total < 20 * 40)
    }

    @Test func textsNotExactlyInTheFormAreNotTaken() throws {
        let text = Self.primingTexts[0]
        let variants = [
            text + "\n", " " + text, text.replacing("Top-left: ", with: "Top-left:  "),
            text.replacing("mid-toned", with: "midtoned"), text.replacing(".\nTop-center", with: "\nTop-center"),
            text.replacing("Palette: ", with: "Palette: grey, "), // a palette colour twice (or one too many)
            String(text.dropLast()), text.replacing("(", with: "( "),
            text.replacing("x", with: "x0"),
        ].filter { $0 != text }
        for variant in variants {
            if let form = BuiltinForm.parse(variant) {
                // Only a text that renders back exactly may parse.
                #expect(form.render() == variant)
            }
        }
        #expect(BuiltinForm.parse("Type: photograph.") == nil)
        #expect(PromptChunk.smallest("A red car.").method != .builtinForm)
        // A training text codes smaller with the model that was primed on it; an unseen one does not.
        var unseen = try #require(BuiltinForm.parse(text))
        unseen.regions.reverse()
        unseen.regions = unseen.regions.map { var r = $0; r.continues = nil; return r }
        let chunk = PromptChunk.smallest(unseen.render())
        #expect(chunk.method == .builtinForm)
        #expect(chunk.payload.count < PromptChunk.modelCoded(unseen.render()).payload.count)
    }

    /// Texts that render from choices the coding cannot hold are not taken (a sidecar prompt can say
    /// anything): a palette colour twice, a height far from the width's aspect.
    @Test func formsTheCodingCannotHoldFallBack() throws {
        var form = try #require(BuiltinForm.parse(Self.primingTexts[5]))
        var twice = form
        twice.global.palette = [2, 2]
        #expect(!twice.isValid)
        #expect(BuiltinForm.parse(twice.render()) == nil)
        (form.composition.width, form.composition.height, form.composition.aspect) = (16_000_000, 1, 0)
        let far = form.render()
        #expect(BuiltinForm.parse(far) != nil)
        #expect(BuiltinFormCoder.encode(far) == nil)
        let chunk = PromptChunk.smallest(far)
        #expect(chunk.method != .builtinForm)
        #expect(try PromptDecoding.standard.text(of: chunk, at: 0) == far)
    }

    /// Random choices, in range and out, extreme numbers among them: whatever text they render,
    /// the encoder either declines it or codes it so that it decodes to the same text.
    @Test func randomFormsCodeOrAreDeclined() throws {
        var rng = SeededGenerator(seed: 0xF0E)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        func number() -> Int { [0, 1, 99, 100, 768, 65_535, (1 << 23) + 1, (1 << 24) - 1][pick(8)] }
        var coded = 0
        for _ in 0..<400 {
            var g = BuiltinForm.Global()
            (g.type, g.colourfulness, g.contrast, g.key, g.brightness) = (pick(2), pick(4), pick(3), pick(3), pick(5))
            (g.vertical, g.horizontal, g.highlights, g.shadows) = (pick(3), pick(3), pick(2) == 1, pick(2) == 1)
            g.palette = (0..<(1 + pick(5))).map { _ in pick(27) }
            let regions = (0..<9).map { _ -> BuiltinForm.Region in
                var r = BuiltinForm.Region()
                r.colours = (0..<pick(4)).map { _ in pick(27) }
                if pick(4) == 0 { r.continues = pick(2); r.colours = [pick(27)] }
                (r.mostly, r.strongSecond, r.brightness, r.texture, r.edges) = (pick(2) == 1, pick(2) == 1, pick(5), pick(4), pick(11))
                return r
            }
            var c = BuiltinForm.Composition()
            (c.width, c.height, c.aspect, c.hundredths) = (number(), number(), pick(7), number())
            if pick(2) == 0 { c.detail = BuiltinForm.RegionPair(pick(9), pick(9)) }
            if pick(2) == 0 { c.light = BuiltinForm.RegionPair(pick(9), pick(9)) }
            if pick(2) == 0 { c.boundary = BuiltinForm.Boundary(percent: number(), third: pick(3), brighterAbove: pick(2) == 0) }
            let text = BuiltinForm(global: g, regions: regions, composition: c).render()
            guard let payload = BuiltinFormCoder.encode(text) else { continue }
            #expect(try BuiltinFormCoder.decode(payload, decodedLength: text.utf8.count) == text)
            coded += 1
        }
        #expect(coded > 100)
    }

    @Test func decodedLengthMustMatch() throws {
        let text = Self.primingTexts[1]
        let payload = try #require(BuiltinFormCoder.encode(text))
        #expect(throws: FormCodingError.lengthMismatch(decoded: text.utf8.count, recorded: text.utf8.count + 1)) {
            try BuiltinFormCoder.decode(payload, decodedLength: text.utf8.count + 1)
        }
    }

    @Test func payloadsAreCanonical() throws {
        let text = Self.primingTexts[2]
        let payload = try #require(BuiltinFormCoder.encode(text))
        #expect(throws: FormCodingError.nonCanonicalCode) { try BuiltinFormCoder.decode(payload + [0x41], decodedLength: text.utf8.count) }
        #expect(throws: FormCodingError.nonCanonicalCode) { try BuiltinFormCoder.decode(payload + [0], decodedLength: text.utf8.count) }
    }

    /// Every byte changed and every truncation: an error or another valid text, never a crash, and
    /// a payload that decodes is the one encoding of what it decodes to.
    @Test func damagedPayloadsFailCleanly() throws {
        let text = Self.primingTexts[3]
        let payload = try #require(BuiltinFormCoder.encode(text))
        var damaged: [[UInt8]] = (0..<payload.count).map { Array(payload[..<$0]) }
        for i in payload.indices { for flip: UInt8 in [1, 0x80, 0xFF] { var p = payload; p[i] ^= flip; damaged.append(p) } }
        for p in damaged {
            guard let form = try? BuiltinFormCoder.decodeForm(p) else { continue }
            #expect(BuiltinForm.parse(form.render()) == form)
            #expect(form.isValid)
            #expect(BuiltinFormCoder.encode(form) == p)
        }
    }

    @Test func outOfRangeChoicesAreRejected() throws {
        // All ones: the first tree (type, 2 options) is fine, but a 3-option field meets value 3.
        #expect(throws: FormCodingError.self) { try BuiltinFormCoder.decodeForm([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: FormCodingError.self) { try BuiltinFormCoder.decodeForm([]) }
    }

    @Test func registeredWithTheCore() throws {
        let text = Self.primingTexts[4]
        let chunk = try #require(PromptChunk.builtinForm(text))
        #expect(try PromptDecoding.standard.text(of: chunk, at: 0) == text)
    }

    /// tools/reference/formref.py, written from Appendix D alone, decodes every payload to the same
    /// text and rejects the same damaged ones.
    @Test func secondDecoderAgrees() throws {
        var cases: [(payload: [UInt8], length: Int)] = []
        for text in Self.primingTexts.prefix(6) {
            var form = try #require(BuiltinForm.parse(text))
            let payload = try #require(BuiltinFormCoder.encode(form))
            cases.append((payload, text.utf8.count))
            // An unseen variant, and damaged copies (bytes changed, truncations).
            form.regions.reverse()
            form.composition.width += 7
            let changed = form.render()
            if let p = BuiltinFormCoder.encode(changed) { cases.append((p, changed.utf8.count)) }
            for i in stride(from: 0, to: payload.count, by: 3) {
                var damaged = payload
                damaged[i] ^= UInt8(truncatingIfNeeded: 0x5B &* (i + 1))
                cases.append((damaged, text.utf8.count))
                cases.append((Array(payload[..<i]), text.utf8.count))
            }
        }
        let hex = { (b: [UInt8]) in b.map { String(format: "%02x", $0) }.joined() }
        let results = try ReferenceTool.run("formref.py", cases: cases.map { ["payload": hex($0.payload), "length": $0.length] })
        var decoded = 0
        for (c, result) in zip(cases, results) {
            let ours = try? BuiltinFormCoder.decode(c.payload, decodedLength: c.length)
            #expect(ours == result["text"], "payload \(hex(c.payload)): gcx \(ours == nil ? "rejects" : "decodes"), formref \(result)")
            if ours != nil { decoded += 1 }
        }
        #expect(decoded >= 12)
    }
}
