import GCX
import GCXImage

/// Redraws entries. The built-in reconstructor needs no network: it upsamples the thumbnail to the
/// original size and applies the consistency step that every generator's output goes through in
/// multimodal mode. It cannot draw from text alone.
public enum BuiltinReconstructor {
    public static func reconstruct(_ entry: Entry) throws -> RGBImage {
        guard let thumbnail = entry.thumbnail, entry.mode == .multimodal else {
            throw ReconstructionError.needsGenerator(entry.name)
        }
        let small = try decodeThumbnail(thumbnail)
        let upsampled = try Resampler.upsample(small, width: entry.source.width, height: entry.source.height, scale: thumbnail.scale)
        return try Consistency.enforce(upsampled, thumbnail: small, scale: thumbnail.scale)
    }

    /// The thumbnail's pixels, checked against the size the chunk records.
    public static func decodeThumbnail(_ thumbnail: Thumbnail) throws -> RGBImage {
        let image = try ImageDecoder.decode(thumbnail.payload).image
        guard image.width == thumbnail.width, image.height == thumbnail.height else {
            throw ReconstructionError.thumbnailSize(image.width, image.height, thumbnail.width, thumbnail.height)
        }
        return image
    }
}

public enum ReconstructionError: Error, CustomStringConvertible {
    case needsGenerator(String)
    case thumbnailSize(Int, Int, Int, Int)

    public var description: String {
        switch self {
        case .needsGenerator(let name):
            "\(quoted(name)) is a text-mode entry: redrawing it needs an image generator, and none is configured (the built-in reconstructor works from thumbnails only); no image was written"
        case .thumbnailSize(let w, let h, let ew, let eh):
            "the thumbnail decodes to \(w)x\(h) pixels but the entry says \(ew)x\(eh)"
        }
    }
}
