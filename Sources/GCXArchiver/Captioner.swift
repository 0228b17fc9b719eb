import GCX
import GCXImage

/// Writes the description of a photo. The entry records `metadata`, so a reader knows who wrote it.
public protocol Captioner: Sendable {
    var metadata: CaptionerMetadata { get }
    /// A human-readable name for progress lines ("built-in describer", "openai gpt-4o at ...").
    var label: String { get }
    /// The description of `image` (the photo after EXIF orientation) read from `fileBytes` at `input`.
    func caption(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> Caption
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
    public func caption(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> Caption {
        Caption(text: BuiltinDescriber.describe(image))
    }
}

/// Descriptions supplied by the user, stored exactly as given.
public struct SidecarCaptioner: Captioner {
    public let sidecar: PromptSidecar
    public init(sidecar: PromptSidecar) { self.sidecar = sidecar }
    public var metadata: CaptionerMetadata { CaptionerMetadata(kind: .sidecar) }
    public var label: String { "sidecar prompts from \(sidecar.path)" }
    public func caption(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> Caption {
        guard let text = try sidecar.prompt(for: input) else {
            throw PackFailure(input: input.path, reason: "\(sidecar.path) has no prompt for \(quoted(input.name))")
        }
        return Caption(text: text)
    }
}
