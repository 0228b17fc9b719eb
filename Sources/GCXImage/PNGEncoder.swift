import GCXBytes
import CGCXImageCodecs

/// Writes RGB8 images as 8-bit truecolour PNG (libpng, default compression, no ancillary chunks).
public enum PNGEncoder {
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        try EncoderInput.validate(image, maxSide: PixelLimits.maxSide)
        var buffer = gcx_buffer()
        var message = [CChar](repeating: 0, count: 512)
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                gcx_png_encode_rgb8(pixels.baseAddress, UInt32(image.width), UInt32(image.height),
                                    &buffer, text.baseAddress, text.count)
            }
        }
        defer { gcx_free(buffer.data) }
        try CodecStatus.check(status, format: .png, message: message, buffer: buffer)
        return Array(UnsafeBufferPointer(start: buffer.data, count: buffer.size))
    }
}

enum EncoderInput {
    static func validate(_ image: RGBImage, maxSide: Int) throws {
        guard image.width > 0, image.height > 0 else {
            throw ImageError.invalidArgument("cannot encode an empty \(image.width)x\(image.height) image")
        }
        guard image.width <= maxSide, image.height <= maxSide else {
            throw ImageError.invalidArgument(
                "cannot encode \(image.width)x\(image.height): the limit is \(maxSide) pixels per side")
        }
    }
}
