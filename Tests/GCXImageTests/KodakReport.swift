import Foundation
import Testing
@testable import GCXImage

/// Prints thumbnail sizes and PSNR for all 24 Kodak photos. Slow in debug, so it runs
/// only when asked:
///
///     GCX_KODAK_REPORT=1 swift test -c release -Xswiftc -enable-testing --filter kodakReport
@Test("Kodak thumbnail report", .enabled(if: ProcessInfo.processInfo.environment["GCX_KODAK_REPORT"] != nil))
func kodakReport() throws {
    let photos = try Datasets.kodak.map { try ImageDecoder.decode(try Datasets.bytes("kodak", $0)).image }
    let qualities = (ProcessInfo.processInfo.environment["GCX_KODAK_QUALITIES"] ?? "20,30,40,50,60,75,90")
        .split(separator: ",").compactMap { Int($0) }
    let scales = (ProcessInfo.processInfo.environment["GCX_KODAK_SCALES"] ?? "8,16,32")
        .split(separator: ",").compactMap { Int($0) }
    print("scale quality meanBytes maxBytes meanBpp minPSNR(down(R'),T) meanPSNR(R,photo) meanPSNR(R',photo)")
    for scale in scales {
        for quality in qualities {
            var bytes: [Int] = [], thumb: [Double] = [], up: [Double] = [], final: [Double] = []
            for photo in photos {
                let r = try ThumbnailPipeline.run(photo, scale: scale, quality: quality)
                bytes.append(r.jpegBytes)
                thumb.append(r.thumbnailPSNR)
                up.append(r.upsampledPSNR)
                final.append(r.photoPSNR)
            }
            let mean = Double(bytes.reduce(0, +)) / Double(bytes.count)
            let bpp = mean * 8 / Double(768 * 512)
            print(String(format: "1/%-3d q%-3d %7.0f %6d  %.4f  %@  %.2f  %.2f", scale, quality, mean,
                         bytes.max() ?? 0, bpp, thumb.min() == .infinity ? "exact" : String(format: "%.1f", thumb.min()!),
                         up.reduce(0, +) / Double(up.count), final.reduce(0, +) / Double(final.count)))
        }
    }
}
