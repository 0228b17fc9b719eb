import GCX
import GCXImage

/// Writes the description of a photo. The entry records `metadata`, so a reader knows who wrote it.
public protocol Captioner: Sendable {
    var metadata: CaptionerMetadata { get }
    /// A human-readable name for progress lines ("built-in describer", "openai gpt-4o at ...").
    var label: String { get }
    /// The CPU part: all the description needs from `image` (the photo after EXIF orientation, read
    /// from `fileBytes` at `input`), so the decoded photo can be freed before waiting on a server.
    func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest
    /// The description; may wait on a server.
    func caption(_ request: CaptionRequest) async throws -> Caption
}

/// What a captioner needs to describe one photo, once the photo itself is gone.
public struct CaptionRequest: Sendable {
    public var input: PackInput
    /// The photo as a server is sent it; empty when the captioner needs no server.
    public var image: [UInt8]
    public var mimeType: String
    /// The description, when it was made at once (built-in describer, sidecar).
    public var ready: Caption?

    public init(input: PackInput, image: [UInt8] = [], mimeType: String = "", ready: Caption? = nil) {
        self.input = input
        self.image = image
        self.mimeType = mimeType
        self.ready = ready
    }

    /// The ready description; a captioner that made one in `prepare` returns it from `caption`.
    func readyCaption() throws -> Caption {
        guard let ready else { throw ItemFailure(input, stage: .describing, cause: ItemProblem.noDescriptionPrepared) }
        return ready
    }
}

public struct Caption: Sendable {
    public var text: String
    /// Set when the text was stored despite a problem the user should hear of.
    public var warning: String?

    public init(text: String, warning: String? = nil) {
        self.text = text
        self.warning = warning
    }
}

/// The built-in structural describer: colours, brightness, texture and edges per region.
public struct BuiltinCaptioner: Captioner {
    public init() {}
    public var metadata: CaptionerMetadata { CaptionerMetadata(kind: .builtin, instructionVersion: BuiltinDescriber.instructionVersion) }
    public var label: String { "built-in describer (no captioner configured)" }
    public func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest {
        CaptionRequest(input: input, ready: Caption(text: BuiltinDescriber.describe(image)))
    }
    public func caption(_ request: CaptionRequest) async throws -> Caption { try request.readyCaption() }
}

/// Descriptions supplied by the user, stored exactly as given.
public struct SidecarCaptioner: Captioner {
    public let sidecar: PromptSidecar
    public init(sidecar: PromptSidecar) { self.sidecar = sidecar }
    public var metadata: CaptionerMetadata { CaptionerMetadata(kind: .sidecar) }
    public var label: String { "sidecar prompts from \(sidecar.path)" }
    public func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest {
        guard let text = try sidecar.prompt(for: input) else {
            throw ItemFailure(input, stage: .describing, cause: ItemProblem.noPrompt(sidecar: sidecar.path.string, name: input.name))
        }
        return CaptionRequest(input: input, ready: Caption(text: text))
    }
    public func caption(_ request: CaptionRequest) async throws -> Caption { try request.readyCaption() }
}
