import Testing
import GCXImage
import GCXThumbnailCodec

@Suite struct AutoScaleTests {
    /// Up to 64 bytes the scales between the five are tried too, those of at most 100 thumbnail
    /// pixels per byte; above, the five alone.
    @Test func smallBudgetsTryMoreScales() {
        #expect(TinyThumbnailScale.candidates(width: 768, height: 512, budget: 24) == [8, 14, 16, 18, 20, 24, 28, 32, 40, 48, 64])
        #expect(TinyThumbnailScale.candidates(width: 768, height: 512, budget: 64) == [8, 12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 64])
        #expect(TinyThumbnailScale.candidates(width: 768, height: 512, budget: 65) == TinyThumbnailScale.candidates)
        #expect(TinyThumbnailScale.candidates(width: 4000, height: 3000, budget: 24) == [8, 16, 24, 32, 64])
    }

    /// Whatever scale wins, the payload fits and decodes to the thumbnail of that scale's size.
    @Test func theChosenThumbnailFitsAndDecodes() throws {
        var pixels: [UInt8] = []
        for y in 0..<200 { for x in 0..<300 { pixels += [UInt8((x * 3 + y) & 255), UInt8((y * 2) & 255), UInt8((x ^ y) & 255)] } }
        let image = RGBImage(width: 300, height: 200, pixels: pixels)
        for budget in [24, 64, 300] {
            let best = try TinyThumbnailScale.best(for: image, budget: budget)
            #expect(TinyThumbnailScale.candidates(width: 300, height: 200, budget: budget).contains(best.scale))
            #expect(best.payload.count <= budget)
            #expect(Thumbnailer.thumbnailSize(width: 300, height: 200, scale: best.scale) == (best.thumbnail.width, best.thumbnail.height))
            _ = try TinyImageCodec.decode(best.payload, width: best.thumbnail.width, height: best.thumbnail.height, variant: .codec5)
        }
    }

    /// With a trade-off the budget is a ceiling: the payload never grows as the trade-off rises,
    /// a prohibitive one keeps the coarsest size tried, and every payload decodes.
    @Test func aTradeoffSpendsFewerBytesTheDearerTheyAre() throws {
        let image = try ImageDecoder.decode(try Datasets.bytes("kodak", "kodim05.png")).image
        var sizes: [Int] = []
        for tradeoff in [nil, 0.0005, 0.002, 0.004, 1.0] as [Double?] {
            let best = try TinyThumbnailScale.best(for: image, budget: 900, tradeoff: tradeoff)
            #expect(best.payload.count <= 900)
            _ = try TinyImageCodec.decode(best.payload, width: best.thumbnail.width, height: best.thumbnail.height, variant: .codec5)
            sizes.append(best.payload.count)
        }
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 >= $1 }, "\(sizes)")
        #expect(sizes.last! < sizes.first! / 2, "\(sizes)")
    }
}
