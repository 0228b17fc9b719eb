import GCXBytes
import GCX
import GCXTestSupport

/// The package root (the checkout).
let packageRoot = SharedData.packageRoot

enum Samples {
    static let scalars: [Unicode.Scalar] = Array("abcxyzABC019 _-.()éüßøåçñ月光写真фотоΩπ🌙🙂👍🏽".unicodeScalars)

    /// A valid, NFC entry name of a few components.
    static func name(_ rng: inout SeededGenerator, number: Int) -> String {
        let depth = Int.random(in: 0...2, using: &rng)
        var components: [String] = []
        for _ in 0..<depth {
            let folder = word(&rng, length: Int.random(in: 1...12, using: &rng))
            components.append(folder == "." || folder == ".." ? "dot" : folder)
        }
        components.append(word(&rng, length: Int.random(in: 1...20, using: &rng)) + "-\(number).png")
        return String(decoding: EntryName.normalized(components.joined(separator: "/")), as: UTF8.self)
    }

    static func word(_ rng: inout SeededGenerator, length: Int) -> String {
        var text = ""
        for _ in 0..<length { text.unicodeScalars.append(scalars.randomElement(using: &rng)!) }
        return text
    }

    /// Any valid Unicode text, control characters included.
    static func text(_ rng: inout SeededGenerator, length: Int) -> String {
        var text = ""
        for _ in 0..<length {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: text.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...0x1F, using: &rng)))
            case 1: text.unicodeScalars.append(Unicode.Scalar(UInt32.random(in: 0x1F300...0x1F6FF, using: &rng))!)
            case 2: text.unicodeScalars.append(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FFF, using: &rng))!)
            default: text.unicodeScalars.append(scalars.randomElement(using: &rng)!)
            }
        }
        return text
    }

    static func entry(_ rng: inout SeededGenerator, number: Int) -> Entry {
        let width = Int.random(in: 1...4000, using: &rng)
        let height = Int.random(in: 1...4000, using: &rng)
        let promptLength = [0, 1, Int.random(in: 10...2000, using: &rng), Int.random(in: 20_000...60_000, using: &rng)]
            .randomElement(using: &rng)!
        var source = SourceMetadata(name: name(&rng, number: number), width: width, height: height,
                                    originalSize: UInt64.random(in: 0...(1 << 40), using: &rng),
                                    contentHash: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        if Bool.random(using: &rng) { source.captureTime = Int64.random(in: -2_000_000_000...4_000_000_000, using: &rng) }
        if source.captureTime != nil && Bool.random(using: &rng) { source.utcOffsetMinutes = Int16.random(in: -840...840, using: &rng) }
        if Bool.random(using: &rng) { source.orientation = UInt8.random(in: 1...8, using: &rng) }
        let multimodal = Bool.random(using: &rng)
        var entry = Entry(source: source, mode: multimodal ? .multimodal : .text, prompt: .stored(text(&rng, length: promptLength)))
        if multimodal {
            let scale = [8, 16, 32].randomElement(using: &rng)!
            let size = Thumbnail.size(forSourceWidth: width, height: height, scale: scale)
            entry.thumbnail = Thumbnail(codec: .png, scale: scale, width: size.width, height: size.height,
                                        payload: fakePNG(width: size.width, height: size.height, extra: Int.random(in: 0...600, using: &rng)))
        }
        if Bool.random(using: &rng) {
            entry.generator = GeneratorMetadata(kind: [.builtin, .openAI, .a1111].randomElement(using: &rng)!,
                                                model: word(&rng, length: 8), endpointStyle: "sdapi-v1",
                                                seed: Bool.random(using: &rng) ? UInt64.random(in: 0...UInt64.max, using: &rng) : nil,
                                                outputWidth: 1024, outputHeight: 768,
                                                parameters: [("steps", "30"), ("cfg_scale", "7.5"), ("prompt_suffix", text(&rng, length: 5))])
        }
        if Bool.random(using: &rng) {
            entry.captioner = CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1)
        }
        if Int.random(in: 0..<5, using: &rng) == 0 {
            entry.unknownChunks = [UnknownChunk(type: ChunkType(rawValue: UInt8(ascii: "z")), data: [1, 2, 3])]
        }
        return entry
    }

    /// Bytes that start like a PNG of the given size (the container checks only the IHDR).
    static func fakePNG(width: Int, height: Int, extra: Int) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        let body = Array("IHDR".utf8) + be32(width) + be32(height) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + body + be32(Int(CRC32.checksum(body)))
            + [UInt8](repeating: 0x42, count: extra)
    }

    static func archive(_ entries: [Entry], format: ArchiveFormat = ArchiveFormat(), keepsFullHash: Bool = false) throws -> [UInt8] {
        var encoder = ArchiveEncoder(format: format)
        encoder.keepsFullHash = keepsFullHash
        var bytes = encoder.header()
        for entry in entries { bytes += try encoder.encode(entry) }
        return bytes + encoder.finish()
    }
}
