import Foundation
import GCXImage
import GCXThumbnailCodec

// The tiny thumbnail codec (5, or 4 or 3 with --codec 4 or 3) at byte budgets: mean PSNR of the decoded thumbnail against the
// area-downsampled photo, and of the built-in reconstruction (upsampled, consistency step)
// against the photo; encoding time per thumbnail.
//
//     gcx-thumb-bench DIR [--scale 8] [--budgets 150,300,600] [--limit N] [--auto [--tradeoff D]] [--codec 3|4|5]
//     gcx-thumb-bench --train FOLDER,FOLDER [--codec 5] unused    # PRIOR (codecs 3 and 4), or PRIOR5 with --codec 5
//
// --auto: `--thumbnail-scale auto` as pack runs it, timed from the decoded photo (scale choice,
// downsampling, coding) with the scales it chose. Times are the thread's CPU time: on a shared
// machine, wall time mostly measures the neighbours. --tradeoff D: as `pack --thumbnail-tradeoff D`
// (dB per 1000 bytes), each budget being a ceiling.
var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
let scales = (option("--scale") ?? "8").split(separator: ",").compactMap { Int($0) }
let budgets = (option("--budgets") ?? "150,300,600").split(separator: ",").compactMap { Int($0) }
let limit = Int(option("--limit") ?? "") ?? Int.max
let codecOption = option("--codec")
let variant: TinyImageCodec.Variant = ["3": .codec3, "4": .codec4][codecOption ?? "5"] ?? .codec5
let tradeoff = Double(option("--tradeoff") ?? "").map { $0 / 1000 }
let auto = arguments.contains("--auto")
arguments.removeAll { $0 == "--auto" }
// Training (spec Appendix C.5's PRIOR table): code every photo of the given folders at several scales
// and budgets, count the bits under each context, and write the table as Swift and as spec text.
if let folders = option("--train") {
    // Codec 5 has a table of its own, trained under its own contexts (--codec 5); codecs 3 and 4
    // share codec 3's (the default here, as the table was first made).
    let five = codecOption == "5"
    let trained: TinyImageCodec.Variant = five ? .codec5 : .codec3
    let contexts = TinyImageCodec.contextCount(trained)
    let swiftOut = option("--swift-out") ?? (five ? "Sources/GCXThumbnailCodec/TinyImagePriors+Codec5.swift" : "Sources/GCXThumbnailCodec/TinyImagePriors.swift")
    let specOut = option("--spec-out") ?? (five ? "spec/tiny-model/priors-2.txt" : "spec/tiny-model/priors-1.txt")
    let confidence = min(20, max(0, Int(option("--confidence") ?? "8") ?? 8))   // C.5: n runs 0...20
    var counts = [Int](repeating: 0, count: 2 * contexts)
    var coded = 0
    for folder in folders.split(separator: ",").map(String.init) {
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasSuffix(".png") }).sorted() {
            let image = try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))).image
            for scale in [8, 16, 32] {
                let small = try Thumbnailer.downsample(image, scale: scale)
                for budget in [24, 50, 100, 150, 300, 600, 1200] {
                    guard let q = TinyImageCodec.untrainedQuantizer(small.pixels, width: small.width, height: small.height, maxBytes: budget,
                                                                    variant: trained) else { continue }
                    let made = TinyImageCodec.contextCounts(small.pixels, width: small.width, height: small.height, quantizer: q, variant: trained)
                    for i in 0..<counts.count { counts[i] += made[i] }
                    coded += 1
                }
            }
        }
    }
    // P(1) with half a count of doubt each way, kept off the extremes.
    let priors = (0..<contexts).map { i -> Int in
        let zeros = Double(counts[2 * i]), ones = Double(counts[2 * i + 1])
        return min(65280, max(256, Int((65536 * (ones + 0.5) / (zeros + ones + 1)).rounded())))
    }
    var table = ""
    for row in stride(from: 0, to: contexts, by: 15) {
        table += priors[row..<min(row + 15, contexts)].map { String($0) }.joined(separator: " ") + "\n"
    }
    let which = five ? "Codec 5 (spec Appendix C.10)" : "Codecs 3 and 4 (spec Appendix C.5, C.9)"
    let order = five ? "ZERO5, SIGN5, LENGTH, MANTISSA" : "ZERO, SIGN, LENGTH, MANTISSA"
    let header = "# \(which): PRIOR, the initial P(1) * 65536 of each of the \(contexts) contexts in the\n"
        + "# order \(order) (each row-major), 15 per line; every context starts with n = \(confidence).\n"
        + "# Trained by: gcx-thumb-bench --train \(folders)\(five ? " --codec 5" : "") (\(coded) thumbnails: scales 8, 16, 32; budgets 24 to 1200 B).\n"
    try FileManager.default.createDirectory(atPath: (specOut as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try (header + table).write(toFile: specOut, atomically: true, encoding: .utf8)
    var swift = "// Generated by `gcx-thumb-bench --train \(folders)\(five ? " --codec 5" : "")` from \(coded) thumbnails; the same table is \(specOut).\n\n"
    if five {
        swift += "extension TinyImagePriors {\n"
        swift += "    /// P(1) · 65536 for each of codec 5's \(contexts) contexts (spec Appendix C.10), in `Models` order; every\n"
        swift += "    /// context starts with `confidence`.\n    static let initial5: [Int] = [\n"
    } else {
        swift += "/// The initial state of the contexts of codecs 3 and 4 (spec Appendix C.5): estimates trained on thumbnails of\n"
        swift += "/// photos, so a payload of a few hundred bytes need not learn them from nothing.\n"
        swift += "enum TinyImagePriors {\n    /// Every context starts as if it had seen this many bits.\n    static let confidence = \(confidence)\n"
        swift += "    /// P(1) · 65536 for each of the 840 contexts, in `Models` order.\n    static let initial: [Int] = [\n"
    }
    for row in stride(from: 0, to: contexts, by: 15) {
        swift += "        " + priors[row..<min(row + 15, contexts)].map { String($0) }.joined(separator: ", ") + ",\n"
    }
    swift += "    ]\n}\n"
    try swift.write(toFile: swiftOut, atomically: true, encoding: .utf8)
    print("trained on \(coded) thumbnails: wrote \(specOut) and \(swiftOut)")
    exit(0)
}
guard let folder = arguments.first else {
    FileHandle.standardError.write("usage: gcx-thumb-bench DIR [--scale 8[,16]] [--budgets 150,300,600] [--limit N]\n".data(using: .utf8)!)
    exit(2)
}
let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted().prefix(limit)

/// CPU time of this thread, in seconds.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    var sum = 0.0
    for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); sum += d * d }
    let mse = sum / Double(a.count)
    return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
}

if auto {
    let shown = (TinyThumbnailScale.candidates + TinyThumbnailScale.smallBudgetScales).sorted()
    print("| budget | photos | scales chosen (\(shown.map(String.init).joined(separator: "/"))) | mean bytes | reconstruction PSNR | ms per photo (mean, max) |")
    print("|---:|---:|---|---:|---:|---:|")
    var photos: [RGBImage] = []
    for name in names { photos.append(try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))).image) }
    for budget in budgets {
        var chosen: [Int: Int] = [:], bytes = 0, reconPSNR = 0.0, total = 0.0, slowest = 0.0
        for image in photos {
            let start = cpuSeconds()
            let best = try TinyThumbnailScale.best(for: image, budget: budget, tradeoff: tradeoff, variant: variant)
            let seconds = cpuSeconds() - start
            total += seconds
            slowest = max(slowest, seconds)
            chosen[best.scale, default: 0] += 1
            bytes += best.payload.count
            let decoded = RGBImage(width: best.thumbnail.width, height: best.thumbnail.height,
                                   pixels: try TinyImageCodec.decode(best.payload, width: best.thumbnail.width, height: best.thumbnail.height, variant: variant))
            var drawn = try Resampler.upsample(decoded, width: image.width, height: image.height, scale: best.scale)
            drawn = try Consistency.enforce(drawn, thumbnail: decoded, scale: best.scale)
            reconPSNR += psnr(drawn.pixels, image.pixels)
        }
        let n = Double(photos.count)
        let scales = shown.map { "\(chosen[$0, default: 0])" }.joined(separator: "/")
        print(String(format: "| %d | %d | %@ | %.0f | %.2f dB | %.1f, %.1f |", budget, photos.count, scales,
                     Double(bytes) / n, reconPSNR / n, 1000 * total / n, 1000 * slowest))
    }
    exit(0)
}

print("| scale | budget | photos fitted | mean bytes | thumbnail PSNR | reconstruction PSNR | encode ms |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for scale in scales {
    var photos: [(RGBImage, RGBImage)] = []
    for name in names {
        let image = try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))).image
        photos.append((image, try Thumbnailer.downsample(image, scale: scale)))
    }
    for budget in budgets {
        var fitted = 0, bytes = 0, thumbPSNR = 0.0, reconPSNR = 0.0, seconds = 0.0
        for (image, small) in photos {
            let start = cpuSeconds()
            guard let payload = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, maxBytes: budget, variant: variant) else { continue }
            seconds += cpuSeconds() - start
            let decoded = RGBImage(width: small.width, height: small.height,
                                   pixels: try TinyImageCodec.decode(payload, width: small.width, height: small.height, variant: variant))
            var drawn = try Resampler.upsample(decoded, width: image.width, height: image.height, scale: scale)
            drawn = try Consistency.enforce(drawn, thumbnail: decoded, scale: scale)
            fitted += 1
            bytes += payload.count
            thumbPSNR += psnr(decoded.pixels, small.pixels)
            reconPSNR += psnr(drawn.pixels, image.pixels)
        }
        let n = Double(max(1, fitted))
        print(String(format: "| 1/%d | %d | %d of %d | %.0f | %.2f dB | %.2f dB | %.1f |", scale, budget, fitted, photos.count,
                     Double(bytes) / n, thumbPSNR / n, reconPSNR / n, 1000 * seconds / n))
    }
}
