import GCX
import GCXImage
import GCXNet
import GCXRasterScan

/// A captioner on an OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM, LM Studio):
/// the photo goes out downscaled, as JPEG, with the raster-scan instruction.
public struct OpenAICaptioner: Captioner {
    public let client: OpenAICaptionClient
    /// The photo is sent with its long side at most this many pixels, to bound cost.
    public let maxSide: Int

    public init(client: OpenAICaptionClient, maxSide: Int) {
        self.client = client
        self.maxSide = maxSide
    }

    public var metadata: CaptionerMetadata {
        CaptionerMetadata(kind: .openAI, model: client.model, instructionVersion: RasterScan.version)
    }

    public var label: String { "openai model \(client.model) at \(client.baseURL)" }

    public func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest {
        var sent = image
        let longSide = max(image.width, image.height)
        if longSide > maxSide {
            let width = max(1, (image.width * maxSide + longSide / 2) / longSide)
            let height = max(1, (image.height * maxSide + longSide / 2) / longSide)
            sent = try Resampler.upsample(image, width: width, height: height)
        }
        return CaptionRequest(input: input, image: try JPEGEncoder.encode(sent, quality: 90, subsampling: .yuv444),
                              mimeType: "image/jpeg")
    }

    public func caption(_ request: CaptionRequest) async throws -> Caption {
        let result = try await RasterScan.caption { followUp in
            try await client.describe(imageBytes: request.image, mimeType: request.mimeType, instruction: RasterScan.instruction,
                                      followUp: followUp.map { ($0.previousAnswer, $0.message) })
        }
        return Caption(answer: result)
    }
}

extension Caption {
    /// A model's answer, with a warning when it does not follow the instruction's layout.
    init(answer: RasterScan.Caption) {
        self.init(text: answer.text, warning: answer.followsLayout ? nil
            : "the description does not follow the instruction's layout even after a reminder; stored as written")
    }
}
