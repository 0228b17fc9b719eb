import GCXBytes
/// A decoded photo, already turned upright, with the metadata gcx keeps.
public struct DecodedImage: Sendable, Equatable {
    /// Upright RGB8 pixels (EXIF orientation applied).
    public let image: RGBImage
    /// Format found by sniffing the magic bytes.
    public let format: ImageFormat
    /// The EXIF orientation the file declared (1 when absent or invalid); already applied to `image`.
    public let orientation: ExifOrientation
    /// EXIF DateTimeOriginal (+ OffsetTimeOriginal), when present and well formed.
    public let captureTime: CaptureTime?

    public init(image: RGBImage, format: ImageFormat, orientation: ExifOrientation, captureTime: CaptureTime?) {
        self.image = image
        self.format = format
        self.orientation = orientation
        self.captureTime = captureTime
    }
}
