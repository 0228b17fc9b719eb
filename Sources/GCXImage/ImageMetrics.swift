#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objective quality measures between two RGB8 images of the same size.
public enum ImageMetrics {
    /// Mean squared error over all R, G, B samples.
    public static func mse(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        guard a.width == b.width, a.height == b.height else {
            throw ImageError.invalidArgument("cannot compare \(a.width)x\(a.height) with \(b.width)x\(b.height)")
        }
        guard !a.pixels.isEmpty else { return 0 }
        var total = 0
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let d = Int(pa[i]) - Int(pb[i])
                    total += d * d
                }
            }
        }
        return Double(total) / Double(a.pixels.count)
    }

    /// PSNR in dB over RGB with peak 255: `10 * log10(255^2 / MSE)`; `+infinity` when identical.
    public static func psnr(_ a: RGBImage, _ b: RGBImage) throws -> Double {
        let error = try mse(a, b)
        return error == 0 ? .infinity : 10 * log10(255 * 255 / error)
    }
}
