import Foundation
import Testing
@testable import GCXThumbnailCodec

@Suite struct TinyImageCodecTests {
    /// A smooth test image with an edge, `width`×`height`, RGB.
    static func image(width: Int, height: Int, seed: Int = 0) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let edge = x * 3 > width * 2 ? 90 : 0
                pixels += [UInt8((x * 7 + y * 3 + seed * 11 + edge) & 255), UInt8((y * 9 + seed * 5) & 255), UInt8((200 - x * 2 - y + seed) & 255)]
            }
        }
        return pixels
    }

    static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var sum = 0.0
        for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); sum += d * d }
        return sum == 0 ? 99 : 10 * log10(255 * 255 * Double(a.count) / sum)
    }

    @Test(arguments: [(1, 1), (1, 7), (7, 1), (2, 2), (3, 5), (17, 9), (96, 64), (64, 96), (97, 65), (33, 200)])
    func finestQuantiserIsNearlyLossless(width: Int, height: Int) throws {
        let pixels = Self.image(width: width, height: height)
        let payload = TinyImageCodec.encode(pixels, width: width, height: height, quantizer: 0)
        let decoded = try TinyImageCodec.decode(payload, width: width, height: height)
        #expect(decoded.count == pixels.count)
        #expect(Self.psnr(decoded, pixels) > 45, "\(width)x\(height)")
    }

    @Test func theWaveletIsExactlyReversible() {
        for (width, height) in [(1, 1), (2, 3), (5, 2), (96, 64), (31, 17)] {
            let layout = Layout(width: width, height: height)
            let plane = (0..<(width * height)).map { ($0 * 37 % 511) - 255 }
            var transformed = plane
            layout.forward(&transformed)
            layout.inverse(&transformed)
            #expect(transformed == plane, "\(width)x\(height)")
        }
        let pixels = Self.image(width: 9, height: 4)
        #expect(TinyImageCodec.inverseColour(TinyImageCodec.forwardColour(pixels, count: 36), count: 36) == pixels)
    }

    @Test func budgetsAreMetAndQualityGrowsWithThem() throws {
        let pixels = Self.image(width: 96, height: 64, seed: 3)
        var last = 0.0
        for budget in [24, 80, 150, 300, 600, 1200] {
            let payload = try #require(TinyImageCodec.encode(pixels, width: 96, height: 64, maxBytes: budget))
            #expect(payload.count <= budget)
            let quality = Self.psnr(try TinyImageCodec.decode(payload, width: 96, height: 64), pixels)
            #expect(quality >= last - 0.01, "\(budget) B")
            last = quality
        }
        #expect(TinyImageCodec.encode(pixels, width: 96, height: 64, maxBytes: 0) == nil)
    }

    /// The refined payload (finer steps with wider dead zones, the budget's slack spent) fits the
    /// same budget and never decodes worse than the finest quantiser at the default rounding;
    /// over a few images and budgets it is better somewhere. `refined` on the plain payload gives
    /// the same bytes as encoding with refinement.
    @Test func refiningFitsAndNeverLoses() throws {
        var gained = false
        for seed in 0..<4 {
            let pixels = Self.image(width: 48, height: 32, seed: seed)
            for budget in [24, 60, 150, 400] {
                let plain = try #require(TinyImageCodec.encode(pixels, width: 48, height: 32, maxBytes: budget, refine: false))
                let refined = try #require(TinyImageCodec.encode(pixels, width: 48, height: 32, maxBytes: budget))
                #expect(refined.count <= budget)
                #expect(TinyImageCodec.refined(plain, pixels: pixels, width: 48, height: 32, maxBytes: budget) == refined)
                let before = Self.psnr(try TinyImageCodec.decode(plain, width: 48, height: 32), pixels)
                let after = Self.psnr(try TinyImageCodec.decode(refined, width: 48, height: 32), pixels)
                #expect(after >= before, "seed \(seed), \(budget) B: \(after) dB < \(before) dB")
                if after > before + 0.05 { gained = true }
            }
        }
        #expect(gained)
    }

    /// A quantiser guess only changes how the search runs: from any guess, the same payload (or
    /// the same nil when nothing fits); and the payload says its quantiser.
    @Test func aQuantiserGuessFindsTheSameQuantiser() throws {
        let pixels = Self.image(width: 40, height: 24, seed: 5)
        for budget in [8, 24, 100, 400, 5000] {
            let plain = TinyImageCodec.encode(pixels, width: 40, height: 24, maxBytes: budget, refine: false)
            for guess in [0, 1, 17, 30, 45, 62, 63, -5, 99] {
                #expect(TinyImageCodec.encode(pixels, width: 40, height: 24, maxBytes: budget, refine: false,
                                              quantizerGuess: guess) == plain, "\(budget) B, guess \(guess)")
            }
            if let plain {
                #expect(TinyImageCodec.quantizer(of: plain) == TinyImageCodec.quantizer(pixels, width: 40, height: 24, maxBytes: budget))
            }
        }
    }

    @Test func aPayloadEndingInZeroIsRefused() {
        let payload = TinyImageCodec.encode(Self.image(width: 8, height: 8), width: 8, height: 8, quantizer: 20)
        #expect(throws: TinyImageCodec.DecodingError.self) { try TinyImageCodec.decode(payload + [0], width: 8, height: 8) }
    }

    @Test func anyPayloadDecodesOrIsRefusedWithoutCrashing() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var refused = 0
        for _ in 0..<300 {
            let count = Int(next() % 64)
            let payload = (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
            do {
                #expect(try TinyImageCodec.decode(payload, width: 12, height: 8).count == 12 * 8 * 3)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0, "random bytes break a rule now and then (a length past 15 bits, a final zero)")
    }

    @Test func theCoderIsDeterministic() {
        let pixels = Self.image(width: 48, height: 32, seed: 9)
        #expect(TinyImageCodec.encode(pixels, width: 48, height: 32, quantizer: 30) == TinyImageCodec.encode(pixels, width: 48, height: 32, quantizer: 30))
    }
}
