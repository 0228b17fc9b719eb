import Foundation
import Testing
import GCXRasterScan
@testable import GCXImage

@Suite("Built-in describer")
struct DescriberTests {
    static let prefixes = ["Type: ", "Top-left: ", "Top-center: ", "Top-right: ", "Middle-left: ",
                           "Middle-center: ", "Middle-right: ", "Bottom-left: ", "Bottom-center: ",
                           "Bottom-right: ", "Composition: "]

    static func checkLayout(_ text: String, _ label: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 11, "\(label): \(lines.count) lines")
        for (line, prefix) in zip(lines, prefixes) {
            #expect(line.hasPrefix(prefix), "\(label): \(line)")
            #expect(line.hasSuffix("."), "\(label): \(line)")
        }
        let first = lines.first ?? ""
        for field in ["Style: ", "Lighting: ", "Palette: "] { #expect(first.contains(field), "\(label)") }
        for line in lines.dropFirst().dropLast() {
            let words = line.split(separator: " ").count - 1
            #expect(words <= 25, "\(label): \(words) words in \(line)")
        }
        let total = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count
        #expect(total <= 230, "\(label): \(total) words")
    }

    @Test("Kodak descriptions follow the instruction-v1 layout and are deterministic",
          arguments: ["kodim01.png", "kodim03.png", "kodim04.png", "kodim23.png"])
    func kodakLayout(file: String) throws {
        let image = try ImageDecoder.decode(try Datasets.bytes("kodak", file)).image
        let text = BuiltinDescriber.describe(image)
        Self.checkLayout(text, file)
        #expect(BuiltinDescriber.describe(image) == text)
        if ProcessInfo.processInfo.environment["GCX_PRINT_DESCRIPTIONS"] != nil { print("\(file)\n\(text)\n") }
    }

    @Test("facts: a sky-over-grass picture reads as blue above, green below")
    func syntheticFacts() {
        var image = RGBImage(width: 90, height: 60, fill: (135, 180, 230))
        for y in 30..<60 { for x in 0..<90 { image.pixels.replaceSubrange((y * 90 + x) * 3..<((y * 90 + x) * 3 + 3), with: [60, 145, 55]) } }
        let text = BuiltinDescriber.describe(image)
        Self.checkLayout(text, "synthetic")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1].contains("sky blue"))
        #expect(lines[8].contains("green"))
        #expect(lines[0].contains("brighter toward the top"))
        #expect(lines[5].contains("sharp horizontal boundary"), "\(lines[5])")
        #expect(lines[10].contains("50% of the height"), "\(lines[10])")
        // Vertical stripes give vertical edges.
        var stripes = RGBImage(width: 60, height: 60, fill: (255, 255, 255))
        for y in 0..<60 { for x in 0..<60 where (x / 4) % 2 == 0 { stripes.pixels.replaceSubrange((y * 60 + x) * 3..<((y * 60 + x) * 3 + 3), with: [0, 0, 0]) } }
        #expect(BuiltinDescriber.describe(stripes).split(separator: "\n")[5].contains("vertical"))
        // Dark lower-right triangle: its boundary runs from bottom-left to top-right.
        var rising = RGBImage(width: 60, height: 60, fill: (240, 240, 240))
        for y in 0..<60 { for x in 0..<60 where x + y > 60 { rising.pixels.replaceSubrange((y * 60 + x) * 3..<((y * 60 + x) * 3 + 3), with: [20, 20, 20]) } }
        #expect(BuiltinDescriber.describe(rising).split(separator: "\n")[5].contains("rising to the right"))
        var falling = RGBImage(width: 60, height: 60, fill: (240, 240, 240))
        for y in 0..<60 { for x in 0..<60 where x > y { falling.pixels.replaceSubrange((y * 60 + x) * 3..<((y * 60 + x) * 3 + 3), with: [20, 20, 20]) } }
        #expect(BuiltinDescriber.describe(falling).split(separator: "\n")[5].contains("falling to the right"))
    }

    /// The describer's text is its choices rendered (BuiltinForm), so prompt method 2 can store
    /// every text it writes as those choices.
    @Test("every description parses back to the choices it was rendered from")
    func descriptionsAreForms() throws {
        var images = [1, 2, 3, 5, 33, 200, 640].flatMap { w in [1, 4, 77, 480].map { h in RGBImage.random(width: w, height: h, seed: UInt64(w * h)) } }
        images.append(RGBImage(width: 90, height: 60, fill: (20, 20, 20)))
        for (set, file) in [("kodak", "kodim01.png"), ("kodak", "kodim23.png"), ("cid22", "AgilityCourseElements.png")] {
            images.append(try ImageDecoder.decode(try Datasets.bytes(set, file)).image)
        }
        for image in images {
            let form = BuiltinDescriber.form(image)
            #expect(BuiltinForm.parse(form.render()) == form, "\(image.width)x\(image.height)")
            #expect(form.isValid)
        }
    }

    @Test("tiny and flat images still give 11 lines", arguments: [(1, 1), (2, 1), (1, 5), (3, 3), (640, 1)])
    func tiny(size: (Int, Int)) {
        let image = RGBImage.random(width: size.0, height: size.1, seed: 9)
        Self.checkLayout(BuiltinDescriber.describe(image), "\(size)")
        Self.checkLayout(BuiltinDescriber.describe(RGBImage(width: size.0, height: size.1, fill: (20, 20, 20))), "flat \(size)")
        #expect(BuiltinDescriber.instructionVersion == 1)
    }

    @Test("flat-coloured graphics are called illustrations, photos photographs")
    func type() throws {
        #expect(BuiltinDescriber.describe(try ImageDecoder.decode(try Datasets.bytes("cid22", "AgilityCourseElements.png")).image)
            .hasPrefix("Type: illustration."))
        #expect(BuiltinDescriber.describe(try ImageDecoder.decode(try Datasets.bytes("kodak", "kodim20.png")).image)
            .hasPrefix("Type: photograph."))
    }
}
