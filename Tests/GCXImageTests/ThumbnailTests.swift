import Testing
@testable import GCXImage

@Suite("Thumbnail, upsampling, consistency")
struct ThumbnailTests {
    /// Quantising a resampled image clamps to 0...255 and rounds half away from zero, exactly as
    /// Float.rounded() does, around every half and at the ends of the range.
    @Test func quantisingRoundsAsRoundedDoes() {
        var values: [Float] = [-1e9, -300, -0.5, -0.49999997, -0, 0, 0.49999997, 0.5, 0.50000006, 254.49998, 254.5, 255, 255.49998, 255.5, 256, 1e9]
        for k in 0..<256 {
            let half = Float(k) + 0.5
            values += [half, half.nextDown, half.nextUp, Float(k), Float(k).nextUp, Float(k).nextDown]
        }
        let quantised = FloatImage(width: values.count, height: 1, data: values.flatMap { [$0, $0, $0] }).quantized()
        for (i, v) in values.enumerated() {
            #expect(quantised.pixels[3 * i] == UInt8(min(max(v.rounded(), 0), 255)), "\(v)")
        }
    }

    @Test("block average with partial edge blocks and round-half-up")
    func knownAnswer() throws {
        // 3x3 grey image, scale 2: blocks 2x2, 1x2, 2x1, 1x1.
        let values: [UInt8] = [0, 1, 10,
                               2, 2, 20,
                               5, 6, 255]
        let image = RGBImage(width: 3, height: 3, pixels: values.flatMap { [$0, $0, $0] })
        let thumb = try Thumbnailer.downsample(image, scale: 2)
        #expect((thumb.width, thumb.height) == (2, 2))
        // (0+1+2+2 + 2)/4 = 1; (10+20 + 1)/2 = 15; (5+6 + 1)/2 = 6; 255.
        #expect(thumb.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [1, 15, 6, 255])
        // Exactly half rounds up: (1+2 + 1)/2 = 2.
        let half = RGBImage(width: 2, height: 1, pixels: [1, 1, 1, 2, 2, 2])
        #expect(try Thumbnailer.downsample(half, scale: 2).pixels == [2, 2, 2])
    }

    @Test("sizes are ceil(W/s) x ceil(H/s) for every scale", arguments: [1, 3, 8, 16, 32, 255])
    func sizes(scale: Int) throws {
        let image = RGBImage.gradient(width: 100, height: 37)
        let thumb = try Thumbnailer.downsample(image, scale: scale)
        #expect((thumb.width, thumb.height) == ((100 + scale - 1) / scale, (37 + scale - 1) / scale))
        if scale == 1 { #expect(thumb == image) }
    }

    @Test("bad scales are refused")
    func badScale() {
        let image = RGBImage(width: 4, height: 4)
        #expect(throws: ImageError.self) { try Thumbnailer.downsample(image, scale: 0) }
        #expect(throws: ImageError.self) { try Thumbnailer.downsample(image, scale: 256) }
        #expect(throws: ImageError.self) { try Resampler.upsample(image, width: 40, height: 40, scale: 8) }
        #expect(throws: ImageError.self) { try Consistency.enforce(RGBImage(width: 40, height: 40), thumbnail: image, scale: 8) }
    }

    @Test("upsampling keeps flat colours flat and is centre-aligned")
    func upsampleBasics() throws {
        let flat = RGBImage(width: 5, height: 4, fill: (10, 200, 77))
        #expect(try Resampler.upsample(flat, width: 37, height: 29, scale: 8) == RGBImage(width: 37, height: 29, fill: (10, 200, 77)))
        // A smooth ramp survives thumbnail + upsample nearly unchanged.
        let ramp = RGBImage.gradient(width: 64, height: 48)
        let up = try Resampler.upsample(try Thumbnailer.downsample(ramp, scale: 4), width: 64, height: 48, scale: 4)
        #expect(try ImageMetrics.psnr(up, ramp) > 30)
        // Generic resize (no scale) also works, up and down.
        #expect(try Resampler.upsample(ramp, width: 13, height: 7).width == 13)
    }

    @Test("consistency makes downsample(R') equal T exactly, even against clamping", arguments: [8, 16, 32, 5])
    func consistencyExact(scale: Int) throws {
        let w = 101, h = 67
        let (tw, th) = Thumbnailer.thumbnailSize(width: w, height: h, scale: scale)
        // A thumbnail unrelated to R, with saturated blocks to force clamping.
        var t = RGBImage.random(width: tw, height: th, seed: 3)
        t.pixels[0] = 255
        t.pixels[1] = 0
        t.pixels[t.pixels.count - 1] = 255
        let r = RGBImage.random(width: w, height: h, seed: 4)
        let rPrime = try Consistency.enforce(r, thumbnail: t, scale: scale)
        #expect(try Thumbnailer.downsample(rPrime, scale: scale) == t)
    }

    @Test("coarser thumbnails from finer block sums equal the operator applied to the photo", arguments: [(1, 8), (2, 4), (4, 8), (8, 2), (3, 5)])
    func mergedBlockSums(scale: Int, factor: Int) throws {
        let image = RGBImage.random(width: 101, height: 67, seed: 7)
        let merged = Thumbnailer.merged(Thumbnailer.blockSums(image, scale: scale), by: factor)
        #expect(Thumbnailer.thumbnail(of: merged) == (try Thumbnailer.downsample(image, scale: scale * factor)))
    }

    @Test("the variance within blocks is what the block means leave out")
    func varianceWithinBlocks() throws {
        let flat = RGBImage(width: 10, height: 6, fill: (40, 90, 200))
        #expect(Thumbnailer.varianceWithinBlocks(flat, sums: Thumbnailer.blockSums(flat, scale: 4)) == 0)
        // Columns alternate 0 and 10 in every channel: each 2×2 block has mean 5 and variance 25.
        var pixels: [UInt8] = []
        for _ in 0..<4 { for x in 0..<4 { pixels += Array(repeating: UInt8(x % 2 * 10), count: 3) } }
        let stripes = RGBImage(width: 4, height: 4, pixels: pixels)
        #expect(Thumbnailer.varianceWithinBlocks(stripes, sums: Thumbnailer.blockSums(stripes, scale: 2)) == 25)
        #expect(Thumbnailer.varianceWithinBlocks(stripes, sums: Thumbnailer.blockSums(stripes, scale: 1)) == 0)
    }

    @Test("the exact pass moves a block's centre more than its edges, so it leaves no step there")
    func exactPassIsTentShaped() throws {
        // A flat 16×16 reconstruction whose 8×8 blocks must each rise by 3 levels on average.
        let flat = RGBImage(width: 16, height: 16, fill: (100, 100, 100))
        let thumbnail = RGBImage(width: 2, height: 2, fill: (103, 103, 103))
        var image = flat
        Consistency.exactPass(&image, thumbnail: thumbnail, scale: 8)
        #expect(try Thumbnailer.downsample(image, scale: 8) == thumbnail)
        func rise(_ x: Int, _ y: Int) -> Int { Int(image.pixels[(y * 16 + x) * 3]) - 100 }
        #expect(rise(3, 3) > rise(0, 3) && rise(4, 4) > rise(7, 4), "centre \(rise(3, 3)), edges \(rise(0, 3)) \(rise(7, 4))")
        // Across the edge between the two blocks the image is continuous: no step.
        for y in 0..<16 { #expect(abs(rise(8, y) - rise(7, y)) <= 1) }
    }

    @Test("consistency keeps a reconstruction that already matches")
    func consistencyIdentity() throws {
        let image = RGBImage.gradient(width: 64, height: 40)
        let thumb = try Thumbnailer.downsample(image, scale: 8)
        let out = try Consistency.enforce(image, thumbnail: thumb, scale: 8)
        #expect(try ImageMetrics.psnr(out, image) > 45)
    }

    @Test("Kodak: JPEG thumbnail -> upsample -> consistency matches T (>= 45 dB)",
          arguments: ["kodim03.png", "kodim04.png", "kodim23.png"])
    func kodakPipeline(file: String) throws {
        let photo = try ImageDecoder.decode(try Datasets.bytes("kodak", file)).image
        let result = try ThumbnailPipeline.run(photo, scale: 8, quality: JPEGEncoder.defaultQuality)
        #expect(result.thumbnailPSNR >= 45, "\(file): \(result.thumbnailPSNR) dB")
        #expect(result.jpegBytes < 4000, "\(file): \(result.jpegBytes) bytes")
        #expect(result.photoPSNR > 20, "\(file): \(result.photoPSNR) dB against the photo")
    }

    @Test("psnr of identical and different images")
    func psnr() throws {
        let a = RGBImage(width: 2, height: 2, fill: (10, 10, 10))
        #expect(try ImageMetrics.psnr(a, a) == .infinity)
        let b = RGBImage(width: 2, height: 2, fill: (11, 11, 11))
        #expect(abs(try ImageMetrics.psnr(a, b) - 48.1308) < 0.001)
        #expect(throws: ImageError.self) { try ImageMetrics.psnr(a, RGBImage(width: 1, height: 2)) }
    }
}

/// The multimodal decoder's path with the built-in reconstructor, as measured for the report.
enum ThumbnailPipeline {
    struct Result {
        var jpegBytes: Int
        var thumbnailPSNR: Double  // downsample(R') vs decoded thumbnail T
        var photoPSNR: Double      // R' vs the original photo
        var upsampledPSNR: Double  // R (before consistency) vs the original photo
    }

    static func run(_ photo: RGBImage, scale: Int, quality: Int) throws -> Result {
        let thumbnail = try Thumbnailer.downsample(photo, scale: scale)
        let jpeg = try JPEGEncoder.encode(thumbnail, quality: quality)
        let t = try ImageDecoder.decode(jpeg).image
        let r = try Resampler.upsample(t, width: photo.width, height: photo.height, scale: scale)
        let rPrime = try Consistency.enforce(r, thumbnail: t, scale: scale)
        return Result(jpegBytes: jpeg.count,
                      thumbnailPSNR: try ImageMetrics.psnr(try Thumbnailer.downsample(rPrime, scale: scale), t),
                      photoPSNR: try ImageMetrics.psnr(rPrime, photo),
                      upsampledPSNR: try ImageMetrics.psnr(r, photo))
    }
}
