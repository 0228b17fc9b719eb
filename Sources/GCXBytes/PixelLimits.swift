/// The one set of image size limits, checked against a header before any pixel buffer exists.
///
/// A photo that pack can read is one that extract can draw at its original size: both use
/// `maxPhotoPixels`. The side limit is the container's (spec/gcx.md §9: 16-bit sizes).
public enum PixelLimits {
    /// Largest width or height anywhere: in the container, a photo, a thumbnail.
    public static let maxSide = 65_535
    /// Largest photo, decoded or drawn: 2^26 pixels (8192 × 8192; 192 MiB as 8-bit RGB).
    public static let maxPhotoPixels = 1 << 26
    /// Largest thumbnail a reader decodes: 2^24 pixels.
    public static let maxThumbnailPixels = 1 << 24

    /// Whether a `width` × `height` image fits a side limit and `maxPixels`.
    public static func fits(width: Int, height: Int, maxPixels: Int = maxPhotoPixels) -> Bool {
        width >= 0 && height >= 0 && width <= maxSide && height <= maxSide && width * height <= maxPixels
    }
}
