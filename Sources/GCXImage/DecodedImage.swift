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
    /// EXIF Make and Model, when present.
    public var camera: Camera?
    /// The EXIF GPS position, when present and well formed.
    public var position: GPSPosition?

    public init(image: RGBImage, format: ImageFormat, orientation: ExifOrientation, captureTime: CaptureTime?,
                camera: Camera? = nil, position: GPSPosition? = nil) {
        self.image = image
        self.format = format
        self.orientation = orientation
        self.captureTime = captureTime
        self.camera = camera
        self.position = position
    }
}
