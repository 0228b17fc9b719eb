import Foundation
import Testing
import GCX
@testable import GCXThumbnailCodec
import GCXTestSupport

/// tools/reference/tinyref.py, a second decoder written from spec Appendix C alone, decodes every
/// payload of codecs 3, 4 and 5 to the same pixels as gcx, and refuses the same ones.
@Suite struct ReferenceDecoderTests {
    struct Case {
        var width: Int, height: Int, payload: [UInt8]
        var variant: TinyImageCodec.Variant
        var codec: Int { [.codec3: 3, .codec4: 4, .codec5: 5][variant]! }
    }

    static func cases() -> [Case] {
        var cases: [Case] = []
        for variant in TinyImageCodecTests.variants {
            for (width, height) in [(1, 1), (2, 1), (3, 7), (16, 16), (23, 11), (48, 32), (96, 64), (40, 97)] {
                for (seed, quantizer) in [(0, 0), (1, 12), (2, 30), (3, 45), (4, 63)] {
                    let pixels = TinyImageCodecTests.image(width: width, height: height, seed: seed)
                    cases.append(Case(width: width, height: height, payload: TinyImageCodec.encode(pixels, width: width, height: height,
                                                                                                   quantizer: quantizer, variant: variant),
                                      variant: variant))
                }
            }
            // Budgets: payloads whose values were chosen for their cost in bits.
            let pixels = TinyImageCodecTests.image(width: 60, height: 40, seed: 7)
            for budget in [24, 200, 900] {
                if let payload = TinyImageCodec.encode(pixels, width: 60, height: 40, maxBytes: budget, variant: variant) {
                    cases.append(Case(width: 60, height: 40, payload: payload, variant: variant))
                }
            }
            // 15-bit magnitudes at the coarsest quantiser: codec 4's clamps at work.
            for (width, height) in [(1, 1), (5, 3), (64, 64)] {
                let layout = Layout(width: width, height: height, variant: variant)
                let planes = TinyImageCodecTests.extremePlanes(layout)
                cases.append(Case(width: width, height: height, payload: TinyImageCodec.code(planes, layout: layout, quantizer: 63)!.payload,
                                  variant: variant))
            }
        }
        // Arbitrary bytes: most decode to something, some break a rule; both decoders must agree.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for _ in 0..<60 {
            let payload = (0..<Int(next() % 40)).map { _ in UInt8(truncatingIfNeeded: next()) }
            cases.append(Case(width: Int(next() % 20) + 1, height: Int(next() % 20) + 1, payload: payload,
                              variant: TinyImageCodecTests.variants[cases.count % TinyImageCodecTests.variants.count]))
        }
        return cases
    }

    @Test func pythonDecoderAgreesWithGCX() throws {
        let cases = Self.cases()
        let results = try ReferenceTool.run("tinyref.py", cases: cases.map {
            ["width": $0.width, "height": $0.height, "codec": $0.codec,
             "payload": $0.payload.map { String(format: "%02x", $0) }.joined()] as [String: Any]
        })
        var refused = 0
        for (index, (theirs, test)) in zip(results, cases).enumerated() {
            do {
                let pixels = try TinyImageCodec.decode(test.payload, width: test.width, height: test.height, variant: test.variant)
                let digest = SHA256.hash(pixels).map { String(format: "%02x", $0) }.joined()
                #expect(theirs["sha256"] == digest, "case \(index): codec \(test.codec), \(test.width)x\(test.height), \(theirs)")
            } catch {
                refused += 1
                #expect(theirs["invalid"] != nil, "case \(index): gcx refuses (\(error)), the reference decodes it")
            }
        }
        #expect(refused > 0, "some arbitrary payloads break a rule")
    }
}
