import Testing
@testable import GCXImage
import GCXTestSupport

/// Builds TIFF-structured EXIF blocks in either byte order.
struct TIFFBuilder {
    var littleEndian: Bool
    var orientation: UInt16? = nil
    var dateTimeOriginal: String? = nil
    var offsetTimeOriginal: String? = nil

    func u16(_ v: UInt16) -> [UInt8] {
        littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)]
    }

    func u32(_ v: Int) -> [UInt8] {
        let b = [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
        return littleEndian ? b : b.reversed()
    }

    func entry(_ tag: UInt16, _ type: UInt16, _ count: Int, _ value: [UInt8]) -> [UInt8] {
        u16(tag) + u16(type) + u32(count) + value + [UInt8](repeating: 0, count: 4 - value.count)
    }

    func build() -> [UInt8] {
        var out: [UInt8] = littleEndian ? [0x49, 0x49, 0x2A, 0] : [0x4D, 0x4D, 0, 0x2A]
        out += u32(8)
        let hasExif = dateTimeOriginal != nil || offsetTimeOriginal != nil
        let ifd0Count = (orientation != nil ? 1 : 0) + (hasExif ? 1 : 0)
        let exifIFD = 8 + 2 + ifd0Count * 12 + 4
        out += u16(UInt16(ifd0Count))
        if let orientation { out += entry(0x0112, 3, 1, u16(orientation)) }
        if hasExif { out += entry(0x8769, 4, 1, u32(exifIFD)) }
        out += u32(0)
        guard hasExif else { return out }
        let strings = [(UInt16(0x9003), dateTimeOriginal), (UInt16(0x9011), offsetTimeOriginal)]
            .compactMap { tag, text in text.map { (tag, Array($0.utf8) + [0]) } }
        var dataOffset = exifIFD + 2 + strings.count * 12 + 4
        var data: [UInt8] = []
        out += u16(UInt16(strings.count))
        for (tag, bytes) in strings {
            out += entry(tag, 2, bytes.count, u32(dataOffset))
            data += bytes
            dataOffset += bytes.count
        }
        out += u32(0) + data
        return out
    }
}

/// Inserts an APP1 Exif segment right after SOI.
func jpegWithExif(_ jpeg: [UInt8], tiff: [UInt8]) -> [UInt8] {
    let payload = Array("Exif".utf8) + [0, 0] + tiff
    let length = payload.count + 2
    return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + jpeg.dropFirst(2)
}

@Suite("EXIF")
struct ExifTests {
    /// A 4x2 image with four distinct, JPEG-robust colour bars in the top row.
    static let card: RGBImage = {
        var image = RGBImage(width: 4, height: 2, fill: (128, 128, 128))
        let colours: [(UInt8, UInt8, UInt8)] = [(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 250)]
        for (x, c) in colours.enumerated() { image.pixels.replaceSubrange((3 * x)..<(3 * x + 3), with: [c.0, c.1, c.2]) }
        return image
    }()

    @Test("orientation is read in both byte orders and applied to pixels", arguments: [true, false])
    func orientation(littleEndian: Bool) throws {
        for value in 1...8 {
            let tiff = TIFFBuilder(littleEndian: littleEndian, orientation: UInt16(value)).build()
            #expect(ExifMetadata.parse(tiff: tiff).orientation == value)
            let expected = ExifOrientation(rawValue: value)!.apply(to: Self.card)
            // Applied to the decoded pixels (4:4:4 at quality 100 keeps the colour bars distinct).
            let jpeg = jpegWithExif(try JPEGEncoder.encode(Self.card, quality: 100, subsampling: .yuv444), tiff: tiff)
            let decoded = try ImageDecoder.decode(jpeg)
            #expect(decoded.orientation.rawValue == value)
            #expect((decoded.image.width, decoded.image.height) == (expected.width, expected.height))
            #expect(try ImageMetrics.psnr(decoded.image, expected) > 30, "orientation \(value)")
        }
    }

    @Test("the eight orientations move pixels as EXIF defines")
    func orientationGeometry() {
        // 2x1 source: A B. Orientation 6 (rotate 90° clockwise) gives a 1x2 column A over B.
        let source = RGBImage(width: 2, height: 1, pixels: [1, 1, 1, 2, 2, 2])
        #expect(ExifOrientation.right.apply(to: source).pixels == [1, 1, 1, 2, 2, 2])
        #expect(ExifOrientation.left.apply(to: source).pixels == [2, 2, 2, 1, 1, 1])
        #expect(ExifOrientation.upMirrored.apply(to: source).pixels == [2, 2, 2, 1, 1, 1])
        let square = RGBImage(width: 2, height: 2, pixels: [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
        // 1 2 / 3 4 turned clockwise is 3 1 / 4 2.
        #expect(ExifOrientation.right.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [3, 1, 4, 2])
        #expect(ExifOrientation.left.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [2, 4, 1, 3])
        #expect(ExifOrientation.down.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [4, 3, 2, 1])
        #expect(ExifOrientation.leftMirrored.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [1, 3, 2, 4])
        #expect(ExifOrientation.rightMirrored.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [4, 2, 3, 1])
        #expect(ExifOrientation.downMirrored.apply(to: square).pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [3, 4, 1, 2])
    }

    @Test("DateTimeOriginal and OffsetTimeOriginal become a capture time", arguments: [true, false])
    func captureTime(littleEndian: Bool) throws {
        let tiff = TIFFBuilder(littleEndian: littleEndian, orientation: 1,
                               dateTimeOriginal: "2021:07:04 13:45:30", offsetTimeOriginal: "-05:30").build()
        let metadata = ExifMetadata.parse(tiff: tiff)
        // 2021-07-04T13:45:30 as UTC = 1625406330.
        #expect(metadata.captureTime == CaptureTime(wallClockSecondsSince1970: 1_625_406_330, utcOffsetMinutes: -330))
        let jpeg = jpegWithExif(try JPEGEncoder.encode(Self.card), tiff: tiff)
        #expect(try ImageDecoder.decode(jpeg).captureTime?.wallClockSecondsSince1970 == 1_625_406_330)
        let noOffset = TIFFBuilder(littleEndian: littleEndian, dateTimeOriginal: "1970:01:01 00:00:00").build()
        #expect(ExifMetadata.parse(tiff: noOffset).captureTime == CaptureTime(wallClockSecondsSince1970: 0, utcOffsetMinutes: nil))
    }

    @Test("placeholder and impossible dates are dropped")
    func badDates() {
        for text in ["0000:00:00 00:00:00", "    :  :     :  :  ", "2021:02:29 10:00:00", "2021:13:01 10:00:00",
                     "2021:01:01 24:00:00", "2021:01:01", ""] {
            #expect(CaptureTime.parseDateTime(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(CaptureTime.parseDateTime(Array("2000:02:29 23:59:59".utf8)) == 951_868_799)
        #expect(CaptureTime.parseOffset(Array("+09:00".utf8)) == 540)
        #expect(CaptureTime.parseOffset(Array("+99:00".utf8)) == nil)
    }

    @Test("PngSuite's eXIf chunk is found; orientation 1")
    func pngExif() throws {
        let decoded = try ImageDecoder.decode(try Datasets.bytes("pngsuite", "exif2c08.png"))
        #expect(decoded.orientation == .up)
        #expect(PNGChunks.exif(try Datasets.bytes("pngsuite", "exif2c08.png")) != nil)
    }

    @Test("hostile EXIF blocks never crash and never stop decoding")
    func hostileExif() throws {
        let good = TIFFBuilder(littleEndian: false, orientation: 6,
                               dateTimeOriginal: "2021:07:04 13:45:30", offsetTimeOriginal: "+01:00").build()
        var generator = SeededGenerator(seed: 7)
        let jpeg = try JPEGEncoder.encode(Self.card)
        var cases: [[UInt8]] = [[], [0x4D, 0x4D], Array(good.prefix(12)), Array(good.prefix(30))]
        // IFD offset pointing at itself, past the end, and a huge entry count.
        var loop = good
        loop.replaceSubrange(4..<8, with: [0, 0, 0, 4])
        var far = good
        far.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0xF0])
        var huge = good
        huge.replaceSubrange(8..<10, with: [0xFF, 0xFF])
        cases += [loop, far, huge]
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            cases.append(bytes)
        }
        for tiff in cases {
            let metadata = ExifMetadata.parse(tiff: tiff)
            if let o = metadata.orientation { #expect((1...8).contains(o)) }
        }
        for tiff in cases.prefix(40) {
            _ = try ImageDecoder.decode(jpegWithExif(jpeg, tiff: tiff))
        }
        // An APP1 segment whose length runs past the end of the file.
        var broken = jpegWithExif(jpeg, tiff: good)
        broken[4] = 0xFF
        #expect(throws: ImageError.self) { try ImageDecoder.decode(broken) }
    }
}

@Suite struct ExifWriterTests {
    @Test(arguments: [Optional(-330), Optional(60), nil])
    func captureTimeRoundTripsThroughPNGAndJPEG(offset: Int?) throws {
        let seconds: Int64 = 1_625_406_330  // 2021-07-04 13:45:30 on the camera's clock
        let exif = ExifWriter.captureTime(wallClockSeconds: seconds, utcOffsetMinutes: offset)
        let expected = CaptureTime(wallClockSecondsSince1970: seconds, utcOffsetMinutes: offset)
        #expect(ExifMetadata.parse(tiff: exif).captureTime == expected)
        let image = RGBImage.gradient(width: 24, height: 16)
        let png = ExifWriter.png(try PNGEncoder.encode(image), exif: exif)
        let decodedPNG = try ImageDecoder.decode(png)
        #expect(decodedPNG.captureTime == expected && decodedPNG.image == image)
        let jpeg = ExifWriter.jpeg(try JPEGEncoder.encode(image, quality: 90), exif: exif)
        #expect(try ImageDecoder.decode(jpeg).captureTime == expected)
        #expect(ExifWriter.formatDateTime(seconds) == "2021:07:04 13:45:30")
    }
}
