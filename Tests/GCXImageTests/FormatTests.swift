import GCXBytes
import Testing
@testable import GCXImage

/// The formats phones and cameras write, each decoded at its true size and upright.
@Suite("Phone and camera formats") struct FormatTests {
    static let reference = try! ImageDecoder.decode(try! Fixtures.bytes("formats-reference.png")).image

    func decode(_ file: String) throws -> DecodedImage { try ImageDecoder.decode(try Fixtures.bytes(file)) }

    @Test(arguments: [("formats.heic", ImageFormat.heif, 28.0), ("formats.avif", .avif, 28.0),
                      ("formats-palette.gif", .gif, 25.0)])
    func lossyFormatsDecodeAtTheirSize(file: String, format: ImageFormat, minimumPSNR: Double) throws {
        let decoded = try decode(file)
        #expect(decoded.format == format)
        #expect(decoded.image.width == 96 && decoded.image.height == 64)
        #expect(try ImageMetrics.psnr(decoded.image, Self.reference) > minimumPSNR)
    }

    @Test func losslessWebPAndOrientedTIFFEqualTheReference() throws {
        #expect(try decode("formats-lossless.webp").image == Self.reference)
        let tiff = try decode("formats-orientation6.tiff")
        #expect(tiff.format == .tiff && tiff.orientation == .right)
        #expect(tiff.image == Self.reference, "stored turned, displayed upright through its Orientation tag")
    }

    @Test func webpAlphaIsCompositedOverWhite() throws {
        let decoded = try decode("formats-alpha.webp")
        #expect(decoded.image.width == 96)
        for y in stride(from: 0, to: 64, by: 9) {
            let at = (y * 96 + 3) * 3
            #expect(decoded.image.pixels[at..<(at + 3)].allSatisfy { $0 >= 250 }, "row \(y)")
        }
    }

    @Test func heifRotationIsAppliedOnce() throws {
        let decoded = try decode("formats-irot1.avif")
        #expect(decoded.image.width == 64 && decoded.image.height == 96)
        #expect(decoded.orientation == .up)
        // irot 1 turns the image 90° anticlockwise: ExifOrientation.left undoes it.
        let upright = ExifOrientation.right.apply(to: decoded.image)
        #expect(try ImageMetrics.psnr(upright, Self.reference) > 28)
    }

    @Test func sniffingNamesEachFormat() throws {
        for (file, kind) in [("formats.heic", FileKind.heif), ("formats.avif", .avif), ("formats-alpha.webp", .webp),
                             ("formats-orientation6.tiff", .tiff), ("formats-palette.gif", .gif)] {
            #expect(FileKind.sniff(try Fixtures.bytes(file)) == kind, "\(file)")
        }
    }

    @Test func truncatedFilesFailWithAMessageNeverATrap() throws {
        for file in ["formats.heic", "formats.avif", "formats-alpha.webp", "formats-orientation6.tiff", "formats-palette.gif"] {
            let bytes = try Fixtures.bytes(file)
            for length in stride(from: 0, to: bytes.count - 1, by: max(1, bytes.count / 23)) {
                #expect(throws: ImageError.self, "\(file) cut at \(length)") { try ImageDecoder.decode(Array(bytes.prefix(length))) }
            }
        }
    }

    /// Found by tools/fuzz.sh (image): an AVIF whose AV1 item has no data. libheif 1.15's dav1d
    /// plugin leaks 40 bytes on it (suppressed in tools/fuzz/lsan.supp); gcx must refuse it plainly.
    @Test func anAVIFWithoutAV1DataIsRefusedPlainly() throws {
        let bytes = try Fixtures.bytes("fuzz-avif-empty-av1-data.avif")
        #expect(FileKind.sniff(bytes) == .avif)
        #expect { try ImageDecoder.decode(bytes) } throws: { "\($0)".contains("AVIF") }
    }

    /// Found by tools/fuzz.sh (image, in CI): a GIF whose first frame starts past the logical screen.
    /// The bounds check subtracted in 32 bits and wrapped, so the frame was drawn far outside the
    /// pixel buffer (an out-of-bounds write under AddressSanitizer). Now it is refused.
    @Test func aGIFFrameOutsideTheScreenIsRefused() throws {
        let bytes = try Fixtures.bytes("fuzz-gif-frame-past-screen.gif")
        #expect(FileKind.sniff(bytes) == .gif)
        #expect(throws: ImageError.self) { try ImageDecoder.decode(bytes) }
    }
}
