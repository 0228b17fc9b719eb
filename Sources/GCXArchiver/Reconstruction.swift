import GCX
import GCXBytes
import GCXConcurrency
import GCXImage
import GCXThumbnailCodec

/// The reconstruction pipeline every generator goes through.
public enum Reconstruction {
    /// Largest reconstruction made: the photo limit pack applies too, so a few hundred bytes of
    /// archive cannot demand gigabytes of memory and every packed photo can be drawn.
    public static let maxPixels = PixelLimits.maxPhotoPixels
    /// Largest thumbnail decoded; real thumbnails are a few thousand pixels.
    public static let maxThumbnailPixels = PixelLimits.maxThumbnailPixels

    /// The reconstruction of `entry`. CPU work runs in one of `cpu`'s slots; a generator on a
    /// server is waited for outside them, and once it has answered, cancelling the task no longer
    /// abandons its image.
    public static func reconstruct(_ entry: Entry, prompt: String, generator: any Generator,
                                   cpu: Slots = .cpu) async throws -> RGBImage {
        let width = entry.source.width, height = entry.source.height
        guard width * height <= maxPixels else {
            throw ReconstructionError.tooLarge("the photo", width, height, maxPixels)
        }
        var thumbnail: RGBImage?
        if entry.mode == .multimodal, let stored = entry.thumbnail { thumbnail = try decodeThumbnail(stored) }
        let draw = { [thumbnail] in try await generator.draw(prompt: prompt, entry: entry, thumbnail: thumbnail) }
        let drawnHere = generator.metadata.kind == .builtin
        let drawn = drawnHere ? try await cpu.run(draw) : try await draw()
        let fit = { @Sendable [thumbnail] () throws -> RGBImage in
            var image = drawn
            if image.width != width || image.height != height {
                image = try Resampler.upsample(image, width: width, height: height)
            }
            if let thumbnail, let scale = entry.thumbnail?.scale {
                image = try Consistency.enforce(image, thumbnail: thumbnail, scale: scale)
            }
            return image
        }
        return drawnHere ? try await cpu.run(fit) : try await cpu.runToCompletion(fit)
    }

    /// A generator's answer decoded, after its header shows it is not larger than `maxPixels`.
    public static func decodeGenerated(_ bytes: [UInt8]) throws -> RGBImage {
        let header = try ImageHeader.parse(bytes)
        guard header.width * header.height <= maxPixels else {
            throw ReconstructionError.tooLarge("the generator's image", header.width, header.height, maxPixels)
        }
        return try ImageDecoder.decode(bytes).image
    }

    /// The thumbnail's pixels, checked against the size the chunk records.
    public static func decodeThumbnail(_ thumbnail: Thumbnail) throws -> RGBImage {
        guard thumbnail.width * thumbnail.height <= maxThumbnailPixels else {
            throw ReconstructionError.tooLarge("the thumbnail", thumbnail.width, thumbnail.height, maxThumbnailPixels)
        }
        let image: RGBImage
        if let variant = thumbnail.codec.tinyVariant {
            image = RGBImage(width: thumbnail.width, height: thumbnail.height,
                             pixels: try TinyImageCodec.decode(thumbnail.payload, width: thumbnail.width, height: thumbnail.height,
                                                               variant: variant))
        } else {
            image = try ImageDecoder.decode(thumbnail.payload).image
        }
        guard image.width == thumbnail.width, image.height == thumbnail.height else {
            throw ReconstructionError.thumbnailSize(image.width, image.height, thumbnail.width, thumbnail.height)
        }
        return image
    }
}

public enum ReconstructionError: Error, CustomStringConvertible {
    case needsGenerator(String)
    case thumbnailSize(Int, Int, Int, Int)
    case tooLarge(String, Int, Int, Int)

    public var description: String {
        switch self {
        case .needsGenerator(let name):
            "\(quoted(name)) is a text-mode entry: redrawing it needs an image generator, and none is configured (the built-in reconstructor works from thumbnails only); no image was written"
        case .thumbnailSize(let w, let h, let ew, let eh):
            "the thumbnail decodes to \(w)x\(h) pixels but the entry says \(ew)x\(eh)"
        case .tooLarge(let what, let w, let h, let limit):
            "\(what) is \(w)x\(h) = \(w * h) pixels; gcx draws at most \(limit) pixels"
        }
    }
}
