import ArgumentParser
import GCX
import GCXArchiver

// The closed choices of the command line, as types: the parser validates them, lists them in
// --help and offers them to shell completion.

/// `--mode`: how entries are coded.
enum ModeChoice: String, CaseIterable, ExpressibleByArgument {
    case text, multimodal

    var mode: CodingMode { self == .text ? .text : .multimodal }
}

/// `--thumbnail-scale`: the thumbnail is 1/N of the photo on each side.
enum ThumbnailScaleChoice: String, CaseIterable, ExpressibleByArgument {
    case eight = "8", sixteen = "16", thirtyTwo = "32", auto

    /// The fixed scale; nil for auto.
    var scale: Int? { Int(rawValue) }
}

/// `--format-version`: the container version of a new archive.
enum FormatVersionChoice: String, CaseIterable, ExpressibleByArgument {
    case v1 = "1", v2 = "2"

    var version: FormatVersion { self == .v1 ? .v1 : .v2 }
}

/// `--thumbnail-codec`.
enum ThumbnailCodecChoice: String, CaseIterable, ExpressibleByArgument {
    case jpeg, png, tiny, tiny4, tiny3

    var codec: ThumbnailCodec {
        switch self {
        case .jpeg: .jpeg
        case .png: .png
        case .tiny: .tiny
        case .tiny4: .tiny4
        case .tiny3: .tiny3
        }
    }
}

/// `--captioner`: who describes the photos.
enum CaptionerChoice: String, CaseIterable, ExpressibleByArgument {
    case builtin, openai, sidecar
}

/// `--generator`: who redraws the entries.
enum GeneratorArgument: String, CaseIterable, ExpressibleByArgument {
    case builtin, openai, a1111

    var kind: GeneratorKind {
        switch self {
        case .builtin: .builtin
        case .openai: .openAI
        case .a1111: .a1111
        }
    }
}

/// `--quality` of the OpenAI Images API.
enum ImageQualityChoice: String, CaseIterable, ExpressibleByArgument {
    case low, medium, high, auto
}

/// `--input-fidelity` of OpenAI image edits.
enum InputFidelityChoice: String, CaseIterable, ExpressibleByArgument {
    case low, high
}

/// `extract --what`.
enum ExtractChoice: String, CaseIterable, ExpressibleByArgument {
    case reconstruction, thumbnail, prompt, all

    var items: Set<Extractor.Item> {
        switch self {
        case .all: Set(Extractor.Item.allCases)
        case .reconstruction: [.reconstruction]
        case .thumbnail: [.thumbnail]
        case .prompt: [.prompt]
        }
    }
}

/// `extract --format`: the reconstructions' file format.
extension Extractor.ImageFileFormat: ExpressibleByArgument {}
