import GCXBytes
import Testing
@testable import GCXImage
import GCXTestSupport

@Suite("Decoding")
struct DecoderTests {
    @Test("every valid PngSuite file decodes", arguments: Datasets.pngsuiteValid)
    func pngsuiteValid(file: String) throws {
        let decoded = try ImageDecoder.decode(try Datasets.bytes("pngsuite", file))
        #expect(decoded.format == .png)
        #expect(decoded.image.width > 0 && decoded.image.height > 0)
        #expect(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
    }

    @Test("every x*.png PngSuite file fails with a clear error", arguments: Datasets.pngsuiteInvalid)
    func pngsuiteInvalid(file: String) throws {
        let bytes = try Datasets.bytes("pngsuite", file)
        do {
            _ = try ImageDecoder.decode(bytes)
            Issue.record("\(file) decoded but must fail")
        } catch let error as ImageError {
            #expect(error.description.count > 15, "\(file): \(error)")
        }
    }

    @Test("the suites are present")
    func suitesPresent() {
        #expect(Datasets.pngsuiteValid.count > 140)
        #expect(Datasets.pngsuiteInvalid.count == 14)
        #expect(Datasets.kodak.count == 24)
    }

    // Reference values computed with Pillow (alpha composited over white with the same
    // integer formula; 16-bit grey rounded as (v*255+32767)/65535). Pillow truncates other
    // 16-bit files to 8 bits, hence the tolerance there.
    static let knownPixels: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("basn0g01", 0, 0, 255, 255, 255, 0), ("basn0g01", 7, 13, 0, 0, 0, 0),
        ("basn0g02", 31, 31, 170, 170, 170, 0), ("basn0g04", 7, 13, 68, 68, 68, 0),
        ("basn0g08", 7, 13, 87, 87, 87, 0), ("basn0g08", 20, 5, 180, 180, 180, 0),
        ("basn2c08", 7, 13, 255, 88, 255, 0), ("basn2c08", 20, 5, 255, 255, 75, 0),
        ("basn3p01", 7, 13, 238, 255, 34, 0), ("basn3p04", 31, 31, 255, 0, 187, 0),
        ("basn3p04", 20, 5, 0, 255, 68, 0), ("basn3p08", 7, 13, 220, 107, 0, 0),
        ("basn3p08", 20, 5, 0, 85, 85, 0), ("basn4a08", 7, 13, 231, 231, 231, 0),
        ("basn4a08", 20, 5, 228, 228, 228, 0), ("basn6a08", 0, 0, 255, 255, 255, 0),
        ("basn6a08", 7, 13, 219, 255, 199, 0), ("basn6a08", 20, 5, 255, 193, 96, 0),
        ("basi6a08", 7, 13, 219, 255, 199, 0), ("basi6a08", 31, 31, 0, 32, 255, 0),
        ("basi3p02", 7, 13, 255, 255, 0, 0), ("tbrn2c08", 0, 0, 255, 255, 255, 0),
        ("tbrn2c08", 20, 5, 89, 0, 0, 0), ("tp1n3p08", 20, 5, 81, 7, 7, 0),
        ("basn0g16", 7, 13, 89, 89, 89, 0), ("basn0g16", 20, 5, 189, 189, 189, 0),
        ("basn2c16", 7, 13, 198, 148, 0, 1), ("basn2c16", 20, 5, 90, 214, 0, 1),
        ("basi4a16", 7, 13, 221, 221, 221, 2), ("basi4a16", 0, 0, 255, 255, 255, 2),
        ("basn6a16", 7, 13, 255, 214, 140, 2), ("basn6a16", 20, 5, 196, 255, 173, 2),
    ]

    @Test("PngSuite pixels match reference values")
    func knownPixelValues() throws {
        for (file, x, y, r, g, b, tolerance) in Self.knownPixels {
            let image = try ImageDecoder.decode(try Datasets.bytes("pngsuite", file + ".png")).image
            let (pr, pg, pb) = image[x, y]
            let error = max(abs(Int(pr) - r), abs(Int(pg) - g), abs(Int(pb) - b))
            #expect(error <= tolerance, "\(file) (\(x),\(y)) = \(pr),\(pg),\(pb), want \(r),\(g),\(b)")
        }
    }

    @Test("interlaced files decode to the same pixels as their non-interlaced twins")
    func interlacedMatchesSequential() throws {
        for name in ["0g01", "0g02", "0g04", "0g08", "0g16", "2c08", "2c16", "3p01", "3p02", "3p04",
                     "3p08", "4a08", "4a16", "6a08", "6a16"] {
            let i = try ImageDecoder.decode(try Datasets.bytes("pngsuite", "basi\(name).png")).image
            let n = try ImageDecoder.decode(try Datasets.bytes("pngsuite", "basn\(name).png")).image
            #expect(i == n, "basi\(name) differs from basn\(name)")
        }
    }

    @Test("JPEG samples decode; 12-bit is refused clearly")
    func jpegSamples() throws {
        for file in ["testorig.jpg", "testimgint.jpg", "testimgari.jpg"] {
            let decoded = try ImageDecoder.decode(try Datasets.bytes("jpeg-samples", file))
            #expect(decoded.format == .jpeg)
            #expect(decoded.image.width == 227 && decoded.image.height == 149, "\(file)")
        }
        // Arithmetic and Huffman coding of the same picture agree closely.
        let huffman = try ImageDecoder.decode(try Datasets.bytes("jpeg-samples", "testorig.jpg")).image
        let arithmetic = try ImageDecoder.decode(try Datasets.bytes("jpeg-samples", "testimgari.jpg")).image
        #expect(try ImageMetrics.psnr(huffman, arithmetic) > 40)
        #expect(throws: ImageError.self) {
            try ImageDecoder.decode(try Datasets.bytes("jpeg-samples", "testorig12.jpg"))
        }
        do {
            _ = try ImageDecoder.decode(try Datasets.bytes("jpeg-samples", "testorig12.jpg"))
        } catch let error as ImageError {
            #expect(error.description.contains("12"), "\(error)")
        }
    }

    @Test("progressive, greyscale and Adobe CMYK JPEG fixtures decode to the right colours")
    func jpegFixtures() throws {
        let progressive = try ImageDecoder.decode(try Fixtures.bytes("progressive.jpg")).image
        #expect(progressive.width == 16 && progressive.height == 8)
        try expectNear(progressive[0, 0], (200, 30, 31), 6)
        let grey = try ImageDecoder.decode(try Fixtures.bytes("greyscale.jpg")).image
        let g = grey[0, 0]
        #expect(g.0 == g.1 && g.1 == g.2)
        try expectNear(g, (81, 81, 81), 3)
        let cmyk = try ImageDecoder.decode(try Fixtures.bytes("cmyk-adobe.jpg")).image
        try expectNear(cmyk[0, 0], (201, 30, 29), 6)
        try expectNear(cmyk[15, 7], (240, 224, 15), 8)
    }

    func expectNear(_ a: (UInt8, UInt8, UInt8), _ b: (Int, Int, Int), _ tolerance: Int) throws {
        let error = max(abs(Int(a.0) - b.0), abs(Int(a.1) - b.1), abs(Int(a.2) - b.2))
        #expect(error <= tolerance, "\(a) vs \(b)")
    }

    @Test("all Kodak photos decode at 768x512 or 512x768")
    func kodak() throws {
        for file in Datasets.kodak {
            let image = try ImageDecoder.decode(try Datasets.bytes("kodak", file)).image
            #expect((image.width, image.height) == (768, 512) || (image.width, image.height) == (512, 768), "\(file)")
        }
    }

    @Test("the format comes from the magic bytes, not the name")
    func sniffing() throws {
        #expect(ImageFormat.sniff(try Datasets.bytes("pngsuite", "basn2c08.png")) == .png)
        #expect(ImageFormat.sniff(try Datasets.bytes("jpeg-samples", "testorig.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("BM".utf8) + [UInt8](repeating: 0, count: 20)) == nil, "BMP is named, not read")
        #expect(throws: ImageError.unrecognizedFormat(firstBytes: [])) { try ImageDecoder.decode([]) }
        #expect(throws: ImageError.self) { try ImageDecoder.decode(Array("hello world".utf8)) }
    }

    @Test("truncated files fail with a message, at every length")
    func truncated() throws {
        for (set, file) in [("pngsuite", "basn2c08.png"), ("jpeg-samples", "testorig.jpg")] {
            let bytes = try Datasets.bytes(set, file)
            for length in stride(from: 0, to: bytes.count - 2, by: max(1, bytes.count / 97)) {
                #expect(throws: ImageError.self, "\(file) cut at \(length)") {
                    try ImageDecoder.decode(Array(bytes.prefix(length)))
                }
            }
        }
    }

    @Test("oversized headers are refused before decoding")
    func tooLarge() throws {
        // PNG: 70000 x 1 (side limit), 60000 x 60000 and 10000 x 10000 (the photo pixel limit that
        // extract draws to as well); the IHDR CRC is made right, so the size is what is refused.
        for (w, h) in [(70_000, 1), (60_000, 60_000), (1, 65_536), (10_000, 10_000)] {
            var png = try Datasets.bytes("pngsuite", "basn2c08.png")
            png.replaceSubrange(16..<24, with: bigEndian32(w) + bigEndian32(h))
            png.replaceSubrange(29..<33, with: bigEndian32(Int(CRC32.checksum(png[12..<29]))))
            #expect(throws: ImageError.tooLarge(width: w, height: h)) { try ImageDecoder.decode(png) }
        }
        // JPEG: SOF0 says 65535 x 65535 (> 2^26 pixels).
        var jpeg = try Datasets.bytes("jpeg-samples", "testorig.jpg")
        let sof = try #require(findSOF(jpeg))
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ImageError.tooLarge(width: 65_535, height: 65_535)) { try ImageDecoder.decode(jpeg) }
    }

    @Test("damaged bytes never crash the decoders")
    func fuzzedBytes() throws {
        var generator = SeededGenerator(seed: 42)
        let sources = [try Datasets.bytes("pngsuite", "basi3p04.png"), try Datasets.bytes("pngsuite", "basn6a16.png"),
                       try Datasets.bytes("jpeg-samples", "testorig.jpg"), try Fixtures.bytes("progressive.jpg")]
        for source in sources {
            for _ in 0..<60 {
                var bytes = source
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let i = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[i] = UInt8.random(in: 0...255, using: &generator)
                }
                // Either outcome is fine; a crash is not.
                _ = try? ImageDecoder.decode(bytes)
                _ = try? ImageHeader.parse(bytes)
            }
        }
    }
}

func bigEndian32(_ v: Int) -> [UInt8] {
    [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

/// Offset of the first SOFn marker (the 0xFF byte).
func findSOF(_ bytes: [UInt8]) -> Int? {
    var i = 2
    while i + 4 <= bytes.count, bytes[i] == 0xFF {
        let marker = bytes[i + 1]
        if JPEGMarker.isStartOfFrame(marker) { return i }
        i += 2 + Int(bytes[i + 2]) << 8 + Int(bytes[i + 3])
    }
    return nil
}

extension DecoderTests {
    @Test("stray bytes between JPEG segments are left to libjpeg, which tolerates them")
    func strayBytes() throws {
        let jpeg = try Datasets.bytes("jpeg-samples", "testorig.jpg")
        // Insert two garbage bytes before the second marker segment.
        let first = 2 + 2 + Int(jpeg[4]) << 8 + Int(jpeg[5])
        let padded = Array(jpeg[..<first]) + [0x00, 0x13] + Array(jpeg[first...])
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse(padded) }
        #expect(try ImageDecoder.decode(padded).image == ImageDecoder.decode(jpeg).image)
    }
}
