import Testing
import GCXBytes
import GCX
@testable import GCXPromptCoder
import GCXTestSupport

@Suite struct RoundTripTests {
    static let corpusFiles = ["prompts-cid22-a.jsonl", "prompts-cid22-b.jsonl", "prompts-clic.jsonl"]

    @Test(arguments: corpusFiles)
    func corpusPromptsRoundTrip(file: String) throws {
        let prompts = try Fixtures.corpus(file)
        #expect(!prompts.isEmpty, "corpus \(file) not found next to the package")
        for p in prompts {
            let payload = PromptCoder.encode(p)
            #expect(try PromptCoder.decode(payload, decodedLength: p.utf8.count) == p)
        }
    }

    @Test(arguments: ["", "a", "\0", "\n", "Top-left: ", "\u{C0}\u{C1}\u{FF}", "😀👩‍👩‍👧", "日本語のテキスト",
                      "\u{1}\u{2}\u{7F}\r\n\t", "Type: photograph. Style: .\nTop-left: \nTop-left: \n"])
    func knownStringsRoundTrip(text: String) throws {
        let payload = PromptCoder.encode(text)
        #expect(try PromptCoder.decode(payload, decodedLength: text.utf8.count) == text)
    }

    @Test func seededRandomStringsRoundTrip() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        let ranges: [ClosedRange<UInt32>] = [0x00...0x1F, 0x20...0x7E, 0x80...0x7FF, 0x4E00...0x9FFF,
                                             0x1F300...0x1FAFF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        let pieces = ["Top-left: ", "\nMiddle-center: ", ". Style: ", "\n", "continues the ", "Bottom-"]
        for i in 0..<120 {
            var s = ""
            let n = Int.random(in: 0..<400, using: &rng)
            for _ in 0..<n {
                switch i % 3 {
                case 0:
                    let r = ranges.randomElement(using: &rng)!
                    if let u = Unicode.Scalar(UInt32.random(in: r, using: &rng)) { s.unicodeScalars.append(u) }
                case 1: s.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...255, using: &rng)))
                default: s += Bool.random(using: &rng) ? pieces.randomElement(using: &rng)! : "x"
                }
            }
            let payload = PromptCoder.encode(s)
            #expect(try PromptCoder.decode(payload, decodedLength: s.utf8.count) == s)
        }
    }

    @Test func longTextRoundTrip() throws {
        var rng = SeededGenerator(seed: 7)
        let base = try Fixtures.corpus("prompts-cid22-b.jsonl").joined(separator: "\n")
        var s = ""
        let piece = base.isEmpty ? "filler text " : base
        repeat {  // as long as fits the 64 KiB a model-coded prompt may hold
            s += piece
            s.unicodeScalars.append(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FFF, using: &rng))!)
        } while s.utf8.count + piece.utf8.count + 4 <= PromptCoder.maxDecodedLength
        let payload = PromptCoder.encode(s, modelID: Fixtures.heldOutModel)
        #expect(try PromptCoder.decode(payload, decodedLength: s.utf8.count) == s)
        // The model must come back to the primed state after a long text: same bytes again.
        let p = try Fixtures.corpus("prompts-clic.jsonl").first ?? "Top-left: sky"
        let first = PromptCoder.encode(p)
        #expect(PromptCoder.encode(p) == first)
    }

    @Test func encodingIsDeterministicAcrossCalls() {
        let p = "Type: photograph. Style: test.\nTop-left: blue sky"
        let a = PromptCoder.encode(p)
        _ = PromptCoder.encode("something else entirely 😀")
        #expect(PromptCoder.encode(p) == a)
    }
}

@Suite struct PayloadTests {
    @Test func emptyTextPayloadIsHeaderOnly() {
        #expect(PromptCoder.encode("") == [3, 0, 0])
        #expect(PromptCoder.encode("", modelID: 1) == [1, 0, 0])
        #expect(PromptCoder.encode("", modelID: 2) == [2, 0, 0])
    }

    @Test(arguments: [1, 2, 3]) func eachModelDecodesItsOwnPayloads(modelID: Int) throws {
        let text = "Type: photograph. Top-left: olive with some grey; mid-toned, lightly textured."
        let payload = PromptCoder.encode(text, modelID: modelID)
        #expect(payload[0] == UInt8(modelID))
        #expect(try PromptCoder.decode(payload, decodedLength: text.utf8.count) == text)
    }

    @Test func payloadStartsWithModelIDAndCheck() {
        let text = "Top-left: pale sky"
        let p = PromptCoder.encode(text)
        #expect(p[0] == 3 && PromptCoder.currentModelID == 3)
        let check = UInt32(p[1]) | UInt32(p[2]) << 8
        #expect(check == CRC32.checksum(Array(text.utf8)) & 0xFFFF)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func codedFormIsSmallOnCorpus() throws {
        let prompts = try Fixtures.corpus("prompts-cid22-b.jsonl")
        let coded = prompts.map { PromptCoder.encode($0, modelID: Fixtures.heldOutModel).count }.reduce(0, +)
        let chars = prompts.map(\.count).reduce(0, +)
        // Held-out prompts: about 1.54 bits per character (brotli -q 11: 3.22).
        #expect(chars == 0 || Double(coded * 8) / Double(chars) < 1.6)
    }
}

@Suite struct HostilePayloadTests {
    static let sample = "Type: photograph. Style: realistic.\nTop-left: pale blue sky with thin clouds."

    @Test func unknownModelIsRejected() {
        #expect(throws: PromptCodingError.unknownModel(id: 4, supported: [1, 2, 3])) {
            try PromptCoder.decode([4, 0, 0], decodedLength: 0)
        }
    }

    @Test func shortPayloadsAreRejected() {
        for n in 0..<3 {
            #expect(throws: PromptCodingError.self) { try PromptCoder.decode(Array(repeating: 1, count: n), decodedLength: 3) }
        }
        func isMalformedHeader(_ error: any Error) -> Bool {
            if case .malformedHeader = error as? PromptCodingError { true } else { false }
        }
        // Longer than 4 bytes, and model id 1 not in its shortest form (spec/gcx.md §B.1).
        #expect { try PromptCoder.decode([0x80, 0x80, 0x80, 0x80, 0x01, 0, 0], decodedLength: 0) } throws: { isMalformedHeader($0) }
        #expect { try PromptCoder.decode([0x81, 0x00, 0, 0], decodedLength: 0) } throws: { isMalformedHeader($0) }
    }

    @Test func lengthLimitIsEnforced() {
        #expect(throws: PromptCodingError.decodedLengthOutOfRange(-1, limit: 1 << 16)) {
            try PromptCoder.decode([1, 0, 0], decodedLength: -1)
        }
        #expect(throws: PromptCodingError.decodedLengthOutOfRange((1 << 16) + 1, limit: 1 << 16)) {
            try PromptCoder.decode([1, 0, 0], decodedLength: (1 << 16) + 1)
        }
        // A 3-byte payload may stand for at most 32 × 3 + 2,048 = 2,144 bytes.
        #expect(throws: PromptCodingError.decodedLengthOutOfRange(2_145, limit: 2_144)) {
            try PromptCoder.decode([1, 0, 0], decodedLength: 2_145)
        }
    }

    /// The CPU-time bomb of a tiny payload standing for a long repeated text: refused before any
    /// work, and the text is stored rather than coded.
    @Test func aPayloadCannotDemandUnboundedDecoding() throws {
        let sentence = "Top-left: pale blue sky with thin clouds. "
        let text = String(repeating: sentence, count: 1_500)  // 63,000 bytes of one sentence
        let payload = PromptCoder.encode(text)
        #expect(payload.count * PromptCoder.maxRatio + PromptCoder.ratioAllowance < text.utf8.count, "it codes very tightly")
        #expect(throws: PromptCodingError.self) { try PromptCoder.decode(payload, decodedLength: text.utf8.count) }
        let chunk = PromptChunk.smallest(text)
        #expect(chunk.method == .stored)
        // Every payload the coder writes for real descriptions stays far inside the bound.
        for prompt in try Fixtures.corpus("prompts-cid22-b.jsonl") {
            let coded = PromptCoder.encode(prompt, modelID: Fixtures.heldOutModel)
            #expect(prompt.utf8.count <= 10 * coded.count, "\(prompt.utf8.count) bytes from \(coded.count)")
        }
    }

    /// A damaged payload must never decode to different text: it throws, or (when only the low
    /// bits of the final byte change and the value still lies in the coder's last interval) it
    /// decodes to exactly the original. Header damage and most code damage must throw.
    @Test func singleByteCorruptionNeverYieldsOtherText() {
        let good = PromptCoder.encode(Self.sample)
        let n = Self.sample.utf8.count
        var thrown = 0, total = 0
        for i in 1..<good.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bad = good
                bad[i] ^= flip
                total += 1
                do {
                    let text = try PromptCoder.decode(bad, decodedLength: n)
                    #expect(text == Self.sample, "byte \(i) ^ \(flip) decoded to other text")
                    #expect(i == good.count - 1, "byte \(i) ^ \(flip) was not detected")
                } catch {
                    thrown += 1
                }
            }
        }
        #expect(thrown >= total - 3)
    }

    @Test func wrongLengthThrowsOrDiffers() {
        let good = PromptCoder.encode(Self.sample)
        for delta in [-5, -1, 1, 7, 1000] {
            #expect(throws: PromptCodingError.self) {
                try PromptCoder.decode(good, decodedLength: Self.sample.utf8.count + delta)
            }
        }
    }

    @Test func randomPayloadsNeverTrap() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<200 {
            var p: [UInt8] = [UInt8.random(in: 1...2, using: &rng)]
            for _ in 0..<Int.random(in: 0..<64, using: &rng) { p.append(UInt8.random(in: 0...255, using: &rng)) }
            _ = try? PromptCoder.decode(p, decodedLength: Int.random(in: 0..<2000, using: &rng))
        }
    }
}

@Suite struct ModelTableTests {
    @Test(arguments: [1, 2, 3]) func embeddedTablesEqualSpecFile(modelID: Int) throws {
        let file = Fixtures.readFile(Fixtures.packageRoot + "/spec/prompt-model/model-\(modelID).bin")
        #expect(file != nil)
        #expect(ModelTables.embeddedBytes(id: modelID) == file)
        #expect(ModelTables.of(id: modelID)?.modelID == modelID)
    }

    @Test(arguments: [1, 2, 3]) func specRecordsTheTableChecksum(modelID: Int) throws {
        let spec = Fixtures.readFile(Fixtures.packageRoot + "/spec/gcx.md").map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(spec.contains(Self.sha256Hex(ModelTables.embeddedBytes(id: modelID))))
    }

    /// Model 2 is model 1 primed with 20 built-in descriptions first: same phrases, same
    /// dictionary, a longer priming list (spec B.3).
    @Test func modelTwoAddsTrainingPromptsOnly() {
        let one = ModelTables.model1, two = ModelTables.model2
        #expect(two.phrases == one.phrases)
        #expect(two.dictionary == one.dictionary && two.dictionaryWeights == one.dictionaryWeights)
        #expect(Array(two.trainingPrompts.dropFirst(20)) == one.trainingPrompts)
    }

    /// Model 3 is model 2 primed on the held-out half of the corpus too (spec B.3).
    @Test func modelThreeAddsTheHeldOutPrompts() throws {
        let two = ModelTables.model2, three = ModelTables.model3
        #expect(three.phrases == two.phrases)
        #expect(three.dictionary == two.dictionary && three.dictionaryWeights == two.dictionaryWeights)
        let heldOut = try Fixtures.corpus("prompts-cid22-b.jsonl").map { Array($0.utf8) }
        #expect(three.trainingPrompts == two.trainingPrompts + heldOut)
    }

    /// What model 3 is for: descriptions it has not seen. Each of the first held-out prompts,
    /// coded by model 3's file less that prompt, is smaller in total than under model 2 (which
    /// never saw any of them); tools/promptcoder/learning_curve.py does this for every prompt.
    @Test func modelThreeCodesUnseenDescriptionsSmaller() throws {
        let prompts = Array(try Fixtures.corpus("prompts-cid22-b.jsonl").prefix(4))
        let file = ModelTables.embeddedBytes(id: 3)
        var leftOut = 0
        for prompt in prompts {
            let candidate = try Self.modelFile(file, without: Array(prompt.utf8))
            leftOut += try PromptCoder.experimentalSizes(of: [prompt], modelFile: candidate)[0]
        }
        let two = prompts.map { PromptCoder.encode($0, modelID: 2).count }.reduce(0, +)
        #expect(leftOut * 100 < two * 98, "model 3 less each prompt \(leftOut) bytes, model 2 \(two)")
    }

    /// A model file (spec B.3) with the training prompt `prompt` taken out.
    static func modelFile(_ blob: [UInt8], without prompt: [UInt8]) throws -> [UInt8] {
        var at = 5  // "GCXM", model id
        func varint() -> Int {
            var value = 0, shift = 0
            while true {
                let b = Int(blob[at]); at += 1
                value |= (b & 0x7F) << shift; shift += 7
                if b < 0x80 { return value }
            }
        }
        func encoded(_ n: Int) -> [UInt8] {
            var out: [UInt8] = [], n = n
            while n >= 0x80 { out.append(UInt8(n & 0x7F | 0x80)); n >>= 7 }
            return out + [UInt8(n)]
        }
        for _ in 0..<varint() { at += varint() }  // phrases
        let phrasesEnd = at
        var prompts: [[UInt8]] = []
        for _ in 0..<varint() {
            let length = varint()
            prompts.append(Array(blob[at..<at + length])); at += length
        }
        let index = try #require(prompts.firstIndex(of: prompt))
        prompts.remove(at: index)
        return Array(blob[..<phrasesEnd]) + encoded(prompts.count) + prompts.flatMap { encoded($0.count) + $0 } + blob[at...]
    }

    @Test func tokenizerUsesLabelsAndPassesOtherBytes() {
        let t = PromptTokenizer(phrases: ModelTables.model1.phrases)
        #expect(ModelTables.model1.phrases.count == 13)
        let sym = t.symbols(for: Array("Top-left: x\nTop-left: y".utf8))
        #expect(sym.filter(PromptTokenizer.isToken).count == 1)
        #expect(sym.count == "Top-left: x".utf8.count + 2)
    }

    static func sha256Hex(_ message: [UInt8]) -> String {
        SHA256.hash(message).map { String(Int($0) + 0x100, radix: 16).dropFirst() }.joined()
    }
}

/// The research hook behind `gcx-prompt-bench --model-file` (tools/promptcoder/learning_curve.py):
/// it must measure the file it is given, exactly as a registered model would code.
@Suite struct ExperimentalModelTests {
    @Test func aRegisteredModelsFileCodesAsThatModel() throws {
        let texts = Array(try Fixtures.corpus("prompts-cid22-b.jsonl").prefix(3)) + ["", "Top-left: pale grey sky."]
        let sizes = try PromptCoder.experimentalSizes(of: texts, modelFile: ModelTables.embeddedBytes(id: 1))
        #expect(sizes == texts.map { PromptCoder.encode($0, modelID: 1).count })
    }

    @Test func theGivenFileIsWhatIsMeasured() throws {
        // "GCXM", model id 1, no phrases, no training prompts, no dictionary: an unprimed model.
        let empty: [UInt8] = Array("GCXM".utf8) + [1, 0, 0, 0]
        let texts = Array(try Fixtures.corpus("prompts-cid22-b.jsonl").prefix(3))
        let unprimed = try PromptCoder.experimentalSizes(of: texts, modelFile: empty)
        let primed = texts.map { PromptCoder.encode($0, modelID: 1).count }
        for (u, p) in zip(unprimed, primed) { #expect(u > p + p / 2) }
        #expect(throws: PromptCodingError.self) {
            try PromptCoder.experimentalSizes(of: texts, modelFile: Array(empty.dropLast()))
        }
    }
}
