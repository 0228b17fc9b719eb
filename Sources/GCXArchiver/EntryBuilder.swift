import GCX
import GCXConcurrency
import GCXFileIO
import GCXImage
import GCXPromptCoder
import GCXThumbnailCodec
import SystemPackage

/// Makes the entry for one photo: reads and hashes the file, decodes it (EXIF orientation applied),
/// describes it, and makes its thumbnail.
public struct EntryBuilder: Sendable {
    public var options: PackOptions

    public init(options: PackOptions) { self.options = options }

    /// The entry for `input`. CPU work (reading, decoding, the thumbnail, coding the prompt) runs
    /// in one of `cpu`'s slots; the wait for a captioning server holds none, and by then the decoded
    /// photo is gone. Cancelling the task abandons the photo until its caption arrives, and not after.
    public func entry(for input: PackInput, cpu: Slots = .cpu) async throws -> (entry: Entry, warning: String?) {
        let (partial, request) = try await cpu.run { try prepare(input) }
        let caption: Caption
        do {
            caption = try await options.captioner.caption(request)
        } catch let failure as ItemFailure {
            throw failure
        } catch {
            throw ItemFailure(input, stage: .describing, cause: error)
        }
        // The caption is in hand (and may have been paid for): cancelling no longer abandons the photo.
        let entry = try await cpu.runToCompletion { try finish(partial, caption: caption, input: input) }
        return (entry, caption.warning)
    }

    /// The entry without its prompt, and what the captioner needs to write it.
    func prepare(_ input: PackInput) throws -> (Entry, CaptionRequest) {
        let (bytes, decoded) = try Self.read(input)
        let image = decoded.image
        var source = SourceMetadata(name: input.name, width: image.width, height: image.height,
                                    originalSize: UInt64(bytes.count), contentHash: SHA256.hash(bytes))
        if let time = decoded.captureTime {
            source.captureTime = time.wallClockSecondsSince1970
            source.utcOffsetMinutes = time.utcOffsetMinutes.map { Int16($0) }
        }
        if decoded.orientation != .up { source.orientation = UInt8(decoded.orientation.rawValue) }

        let request: CaptionRequest
        do {
            request = try options.captioner.prepare(image, fileBytes: bytes, input: input)
        } catch let failure as ItemFailure {
            throw failure
        } catch {
            throw ItemFailure(input, stage: .describing, cause: error)
        }

        var entry = Entry(source: source, mode: options.thumbnail.mode, prompt: PromptChunk.stored(""), captioner: options.captioner.metadata)
        entry.generator = options.generator
        entry.camera = decoded.camera.map { CameraMetadata(make: fitted($0.make), model: fitted($0.model)) }
        if options.keepLocation, let position = decoded.position {
            entry.location = LocationMetadata(latitudeMicrodegrees: position.latitudeMicrodegrees,
                                              longitudeMicrodegrees: position.longitudeMicrodegrees,
                                              altitudeDecimetres: position.altitudeDecimetres)
        }
        do {
            entry.thumbnail = try Self.thumbnail(of: image, policy: options.thumbnail)
        } catch {
            throw ItemFailure(input, stage: .thumbnail, cause: error)
        }
        return (entry, request)
    }

    /// The photo's bytes, and the photo they decode to.
    static func read(_ input: PackInput) throws(ItemFailure) -> ([UInt8], DecodedImage) {
        let bytes: [UInt8]
        do { bytes = try FileSource.readAll(input.path) } catch {
            throw ItemFailure(input, stage: .reading, cause: error)
        }
        do { return (bytes, try ImageDecoder.decode(bytes)) } catch {
            throw ItemFailure(input, stage: .decoding, cause: error)
        }
    }

    /// The photo's thumbnail as `policy` says; nil for none.
    public static func thumbnail(of image: RGBImage, policy: ThumbnailPolicy) throws -> Thumbnail? {
        guard let codec = policy.codec else { return nil }
        let scale: Int, small: RGBImage, payload: [UInt8]
        switch policy {
        case .none: return nil
        case .jpeg(let fixed, let quality):
            (scale, small) = (fixed, try Thumbnailer.downsample(image, scale: fixed))
            payload = try JPEGEncoder.encode(small, quality: quality)
        case .png(let fixed):
            (scale, small) = (fixed, try Thumbnailer.downsample(image, scale: fixed))
            payload = try PNGEncoder.encode(small)
        case .tiny(let variant, .autoScale(let budget, let tradeoff)):
            (scale, small, payload) = try TinyThumbnailScale.best(for: image, budget: budget, tradeoff: tradeoff, variant: variant)
        case .tiny(let variant, .fixedScale(let fixed, let budget)):
            (scale, small) = (fixed, try Thumbnailer.downsample(image, scale: fixed))
            guard let fitting = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, maxBytes: budget,
                                                      variant: variant) else {
                throw ThumbnailBudgetError(budget: budget, width: small.width, height: small.height)
            }
            payload = fitting
        case .tiny(let variant, .fixedQuantizer(let quantizer, let fixed)):
            (scale, small) = (fixed, try Thumbnailer.downsample(image, scale: fixed))
            payload = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, quantizer: quantizer, variant: variant)
        }
        return Thumbnail(codec: codec, scale: scale, width: small.width, height: small.height, payload: payload)
    }

    /// `partial` with the description as its prompt, coded the smallest way.
    func finish(_ partial: Entry, caption: Caption, input: PackInput) throws -> Entry {
        let text = caption.text
        guard text.utf8.count <= Limits.promptBytes else {
            throw ItemFailure(input, stage: .coding, cause: ItemProblem.promptTooLong(bytes: text.utf8.count, limit: Limits.promptBytes))
        }
        var entry = partial
        entry.prompt = PromptChunk.smallest(text)
        return entry
    }
}

/// `text` cut, at a character boundary, to the container's string limit.
private func fitted(_ text: String) -> String {
    var result = ""
    for character in text {
        guard result.utf8.count + character.utf8.count <= Limits.stringBytes else { break }
        result.append(character)
    }
    return result
}
