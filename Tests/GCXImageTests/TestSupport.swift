import Foundation
import GCXTestSupport
@testable import GCXImage

/// The shared datasets (tests may read ../shared; the library never does).
enum Datasets {
    static func files(_ name: String, suffix: String = ".png") -> [String] {
        SharedData.datasetFiles(name, suffix: suffix)
    }

    static func bytes(_ name: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try SharedData.dataset(name + "/" + file))))
    }

    static let pngsuiteValid = files("pngsuite").filter { !$0.hasPrefix("x") }
    static let pngsuiteInvalid = files("pngsuite").filter { $0.hasPrefix("x") }
    static let kodak = files("kodak")
}

/// Small fixtures that live beside the tests.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
    }
}


extension RGBImage {
    /// A deterministic noisy test image.
    static func random(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var generator = SeededGenerator(seed: seed)
        let pixels = (0..<(width * height * 3)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// A smooth gradient with a few edges, closer to a photo than noise.
    static func gradient(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let edge = x > width / 2 ? 60 : 0
                pixels.append(UInt8((x * 255) / max(width - 1, 1)))
                pixels.append(UInt8(min(255, (y * 200) / max(height - 1, 1) + edge)))
                pixels.append(UInt8(255 - (x + y) * 255 / max(width + height - 2, 1)))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
