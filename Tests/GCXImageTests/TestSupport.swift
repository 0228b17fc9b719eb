import Foundation
@testable import GCXImage

/// Paths to the shared datasets (tests may read ../shared; the library never does).
enum Datasets {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/datasets")

    static func directory(_ name: String) -> URL {
        if let override = ProcessInfo.processInfo.environment["GCX_DATASETS"] {
            return URL(fileURLWithPath: override).appendingPathComponent(name)
        }
        let relative = root.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: relative.path) else {
            fatalError("\(relative.path) is missing: these tests read ../shared/datasets beside the checkout (or set GCX_DATASETS)")
        }
        return relative
    }

    static func files(_ name: String, suffix: String = ".png") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory(name).path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func bytes(_ name: String, _ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory(name).appendingPathComponent(file)))
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

/// SplitMix64: a seeded generator so "random" tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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
