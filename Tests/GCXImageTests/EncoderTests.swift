import GCXBytes
import Testing
@testable import GCXImage

@Suite("Encoding and headers")
struct EncoderTests {
    @Test("PNG round trip is lossless")
    func pngRoundTrip() throws {
        for (w, h) in [(1, 1), (7, 3), (64, 33)] {
            let image = RGBImage.random(width: w, height: h, seed: UInt64(w * 100 + h))
            let png = try PNGEncoder.encode(image)
            #expect(try ImageHeader.parse(png) == ImageHeader(format: .png, width: w, height: h, isBaselineJPEG: false))
            #expect(try ImageDecoder.decode(png).image == image)
        }
    }

    @Test("JPEG output is baseline with no APPn markers and decodes close to the input")
    func jpegRoundTrip() throws {
        let image = RGBImage.gradient(width: 96, height: 64)
        let jpeg = try JPEGEncoder.encode(image, quality: 90)
        let info = try ImageHeader.parse(jpeg)
        #expect(info == ImageHeader(format: .jpeg, width: 96, height: 64, isBaselineJPEG: true))
        #expect(!markers(jpeg).contains { (0xE0...0xEF).contains($0) }, "no JFIF/EXIF/Adobe APPn")
        #expect(markers(jpeg).contains(0xC0))
        // 4:2:0 by default: luma sampling factors 2x2 in SOF0.
        let sof = try #require(findSOF(jpeg))
        #expect(jpeg[sof + 11] == 0x22)
        let s444 = try JPEGEncoder.encode(image, quality: 90, subsampling: .yuv444)
        #expect(s444[try #require(findSOF(s444)) + 11] == 0x11)
        #expect(try ImageMetrics.psnr(try ImageDecoder.decode(jpeg).image, image) > 30)
        // Lower quality, fewer bytes.
        #expect(try JPEGEncoder.encode(image, quality: 20).count < jpeg.count)
    }

    @Test("encoders reject impossible input with a message")
    func encoderArguments() throws {
        let image = RGBImage(width: 2, height: 2)
        #expect(throws: ImageError.self) { try JPEGEncoder.encode(image, quality: 0) }
        #expect(throws: ImageError.self) { try JPEGEncoder.encode(image, quality: 101) }
        #expect(throws: ImageError.self) { try JPEGEncoder.encode(RGBImage(width: 0, height: 0)) }
        #expect(throws: ImageError.self) { try PNGEncoder.encode(RGBImage(width: 0, height: 5)) }
    }

    @Test("header reader: PNG IHDR and JPEG SOF kinds")
    func headers() throws {
        #expect(try ImageHeader.parse(try Datasets.bytes("pngsuite", "basn2c08.png"))
                == ImageHeader(format: .png, width: 32, height: 32, isBaselineJPEG: false))
        #expect(try ImageHeader.parse(try Datasets.bytes("pngsuite", "s01i3p01.png")).width == 1)
        let samples: [(String, Bool)] = [("testorig.jpg", true), ("testimgint.jpg", true),
                                         ("testimgari.jpg", false), ("testorig12.jpg", false)]
        for (file, baseline) in samples {
            let info = try ImageHeader.parse(try Datasets.bytes("jpeg-samples", file))
            #expect(info == ImageHeader(format: .jpeg, width: 227, height: 149, isBaselineJPEG: baseline), "\(file)")
        }
        #expect(try ImageHeader.parse(try Fixtures.bytes("progressive.jpg")).isBaselineJPEG == false)
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse([0xFF, 0xD8, 0xFF]) }
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse([0xFF, 0xD8, 0xFF, 0xDA, 0, 2]) }
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse(Array(ImageFormat.pngSignature)) }
        var wrongFirst = try Datasets.bytes("pngsuite", "basn2c08.png")
        wrongFirst[12] = UInt8(ascii: "X")
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse(wrongFirst) }
    }

    /// Marker codes of a JPEG up to SOS.
    func markers(_ jpeg: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let marker = jpeg[i + 1]
            result.append(marker)
            if marker == 0xDA { break }
            i += 2 + Int(jpeg[i + 2]) << 8 + Int(jpeg[i + 3])
        }
        return result
    }
}
