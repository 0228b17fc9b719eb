import Foundation
import GCXImage
import GCXThumbnailCodec

// Thumbnail codec 3 at byte budgets: mean PSNR of the decoded thumbnail against the
// area-downsampled photo, and of the built-in reconstruction (upsampled, consistency step)
// against the photo; encoding time per thumbnail.
//
//     gcx-thumb-bench DIR [--scale 8] [--budgets 150,300,600] [--limit N]
var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
let scales = (option("--scale") ?? "8").split(separator: ",").compactMap { Int($0) }
let budgets = (option("--budgets") ?? "150,300,600").split(separator: ",").compactMap { Int($0) }
let limit = Int(option("--limit") ?? "") ?? Int.max
guard let folder = arguments.first else {
    FileHandle.standardError.write("usage: gcx-thumb-bench DIR [--scale 8[,16]] [--budgets 150,300,600] [--limit N]\n".data(using: .utf8)!)
    exit(2)
}
let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted().prefix(limit)

func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    var sum = 0.0
    for i in 0..<a.count { let d = Double(a[i]) - Double(b[i]); sum += d * d }
    let mse = sum / Double(a.count)
    return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
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
            let start = Date()
            guard let payload = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, maxBytes: budget) else { continue }
            seconds += Date().timeIntervalSince(start)
            let decoded = RGBImage(width: small.width, height: small.height,
                                   pixels: try TinyImageCodec.decode(payload, width: small.width, height: small.height))
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
