// Regenerates fixtures/conformance deterministically: valid files, must-fail files whose names say
// what is wrong, and manifest.json with the validator code each must-fail file must produce.
//
//     swift run gcx-make-fixtures [fixtures/conformance]
import GCXBytes
import GCX
import GCXThumbnailCodec
import GCXPromptCoder
import GCXRasterScan

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Building blocks

/// A tiny baseline JPEG (12×8), made once with libjpeg and kept here so the fixtures need no codec.
let jpeg12x8: [UInt8] = [
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x10, 0x0B, 0x0C, 0x0E, 0x0C, 0x0A, 0x10, 
    0x0E, 0x0D, 0x0E, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1A, 0x18, 0x16, 0x16, 0x18, 0x31, 0x23, 
    0x25, 0x1D, 0x28, 0x3A, 0x33, 0x3D, 0x3C, 0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5C, 0x4E, 0x40, 
    0x44, 0x57, 0x45, 0x37, 0x38, 0x50, 0x6D, 0x51, 0x57, 0x5F, 0x62, 0x67, 0x68, 0x67, 0x3E, 0x4D, 
    0x71, 0x79, 0x70, 0x64, 0x78, 0x5C, 0x65, 0x67, 0x63, 0xFF, 0xDB, 0x00, 0x43, 0x01, 0x11, 0x12, 
    0x12, 0x18, 0x15, 0x18, 0x2F, 0x1A, 0x1A, 0x2F, 0x63, 0x42, 0x38, 0x42, 0x63, 0x63, 0x63, 0x63, 
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 
    0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0x63, 0xFF, 0xC0, 
    0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x0C, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 
    0x01, 0xFF, 0xC4, 0x00, 0x16, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x05, 0xFF, 0xC4, 0x00, 0x1A, 0x10, 0x00, 0x02, 
    0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 
    0x01, 0x05, 0x03, 0x04, 0x31, 0xFF, 0xC4, 0x00, 0x15, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xFF, 0xC4, 0x00, 0x1A, 
    0x11, 0x00, 0x02, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 
    0x00, 0x00, 0x03, 0x04, 0x31, 0x05, 0x11, 0x12, 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 
    0x11, 0x03, 0x11, 0x00, 0x3F, 0x00, 0x83, 0x56, 0x93, 0x8A, 0x6A, 0x63, 0xA4, 0x48, 0x40, 0x09, 
    0xBA, 0x43, 0x37, 0x61, 0xC7, 0x4A, 0x6F, 0x36, 0x7F, 0xFF, 0xD9
]

/// A PNG of `width`×`height` RGB pixels using stored (uncompressed) deflate blocks, so the
/// fixture maker needs no zlib.
func makePNG(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
    func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(Int(CRC32.checksum(body)))
    }
    var raw: [UInt8] = []
    for y in 0..<height {
        raw.append(0)
        for x in 0..<width { let (r, g, b) = pixel(x, y); raw += [r, g, b] }
    }
    var zlib: [UInt8] = [0x78, 0x01]
    var rest = raw[...]
    repeat {
        let block = rest.prefix(65_535)
        rest = rest.dropFirst(block.count)
        zlib.append(rest.isEmpty ? 1 : 0)
        zlib += [UInt8(block.count & 0xFF), UInt8(block.count >> 8), UInt8(~block.count & 0xFF), UInt8((~block.count >> 8) & 0xFF)]
        zlib += block
    } while !rest.isEmpty
    var a = 1, b = 0
    for byte in raw { a = (a + Int(byte)) % 65_521; b = (b + a) % 65_521 }
    zlib += be32(b << 16 | a)
    let ihdr = be32(width) + be32(height) + [8, 2, 0, 0, 0]
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
}

let samplePrompt = """
    Type: photograph. Style: documentary. Lighting: soft overcast daylight. Palette: grey, green, white.
    Top-left: pale grey overcast sky.
    Top-center: continues the sky.
    Top-right: continues the sky.
    Middle-left: dark green hedge.
    Middle-center: white wooden gate, closed.
    Middle-right: continues the hedge.
    Bottom-left: gravel path, light grey.
    Bottom-center: continues the path toward the gate.
    Bottom-right: short green grass.
    Composition: eye-level view, gate centred, horizon in the upper third.
    """
/// A description in the form gcx's built-in describer writes (what model 2 is primed for).
let builtinPrompt = """
    Type: photograph. Style: natural colours, moderate contrast. Lighting: mid-toned overall, brighter toward the left. Palette: olive, charcoal grey, grey, dark red, green.
    Top-left: olive with some charcoal grey and a little green; mid-toned, lightly textured, mostly diagonal edges rising to the right.
    Top-center: grey with brown; mid-toned, lightly textured, mostly diagonal edges rising to the right.
    Top-right: charcoal grey with some grey and a little dark brown; mid-toned, lightly textured, mostly vertical edges.
    Middle-left: olive with some charcoal grey and a little green; mid-toned, textured, mostly diagonal edges falling to the right.
    Middle-center: olive with some green and a little beige; mid-toned, textured, mostly vertical edges.
    Middle-right: dark red with some red and a little charcoal grey; dark, lightly textured, mostly diagonal edges falling to the right.
    Bottom-left: yellow with dark green and a little charcoal grey; mid-toned, lightly textured, mostly vertical edges.
    Bottom-center: olive with some teal and a little green; mid-toned, lightly textured, mostly vertical edges.
    Bottom-right: dark red with some dark green; dark, lightly textured, mostly vertical edges.
    Composition: landscape frame, 3:2 (768x512); most detail in the middle-left, least in the top-center; brightest area middle-center, darkest bottom-right.
    """

func source(_ name: String, width: Int = 96, height: Int = 64) -> SourceMetadata {
    SourceMetadata(name: name, width: width, height: height, originalSize: UInt64(width * height * 3),
                   contentHash: SHA256.hash(Array(name.utf8)))
}

func textEntry(_ name: String, prompt: String = samplePrompt) -> Entry {
    Entry(source: source(name), mode: .text, prompt: .stored(prompt),
          generator: GeneratorMetadata(kind: .builtin), captioner: CaptionerMetadata(kind: .sidecar, instructionVersion: 1))
}

func pngEntry(_ name: String) -> Entry {
    let png = makePNG(width: 12, height: 8) { x, y in (UInt8(x * 20), UInt8(y * 30), 128) }
    return Entry(source: source(name), mode: .multimodal, prompt: .stored(samplePrompt),
                 thumbnail: Thumbnail(codec: .png, scale: 8, width: 12, height: 8, payload: png),
                 generator: GeneratorMetadata(kind: .builtin), captioner: CaptionerMetadata(kind: .builtin, instructionVersion: 1))
}

func tinyEntry(_ name: String, quantizer: Int = 20, codec: ThumbnailCodec = .tiny3) -> Entry {
    var pixels: [UInt8] = []
    for y in 0..<8 { for x in 0..<12 { pixels += [UInt8(x * 20), UInt8(y * 30), UInt8(128 + x * y)] } }
    let coded = TinyImageCodec.encode(pixels, width: 12, height: 8, quantizer: quantizer, variant: codec.tinyVariant!)
    return Entry(source: source(name), mode: .multimodal, prompt: .stored(samplePrompt),
                 thumbnail: Thumbnail(codec: codec, scale: 8, width: 12, height: 8, payload: coded))
}

/// A codec 5 entry whose 32×24 thumbnail (of a 256×192 photo) has edges in every direction and
/// colours that change where the brightness does, so that its values reach every kind of context of
/// Appendix C.10 (along, across, both signs).
func orientedTinyEntry(_ name: String, quantizer: Int) -> Entry {
    var pixels: [UInt8] = []
    for y in 0..<24 {
        for x in 0..<32 {
            let stripes = (x / 3) % 2 == 0 ? 60 : 0, bars = (y / 4) % 2 == 0 ? 50 : 0
            let diagonal = (x + y) % 7 < 3 ? 40 : 0, disc = (x - 20) * (x - 20) + (y - 12) * (y - 12) < 40 ? 90 : 0
            pixels += [UInt8(30 + stripes + diagonal + disc), UInt8(40 + bars + diagonal), UInt8(200 - stripes - disc)]
        }
    }
    let coded = TinyImageCodec.encode(pixels, width: 32, height: 24, quantizer: quantizer, variant: .codec5)
    return Entry(source: source(name, width: 256, height: 192), mode: .multimodal, prompt: .stored(samplePrompt),
                 thumbnail: Thumbnail(codec: .tiny, scale: 8, width: 32, height: 24, payload: coded))
}

/// A payload of `width`×`height` that breaks Appendix C.6 (found by a seeded search: the
/// decoder meets a magnitude longer than 15 bits).
func overlongTinyPayload(width: Int, height: Int, variant: TinyImageCodec.Variant) -> [UInt8] {
    var state: UInt64 = 0x5DEE_CE66_D1CE_4E5B
    while true {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        var bytes: [UInt8] = []
        for i in 0..<24 {
            let shift = UInt64((i % 8) * 8)
            bytes.append(UInt8(truncatingIfNeeded: state >> shift) ^ UInt8(truncatingIfNeeded: i * 37))
        }
        if bytes.last == 0 { bytes[bytes.count - 1] = 1 }
        do {
            _ = try TinyImageCodec.decode(bytes, width: width, height: height, variant: variant)
        } catch let error as TinyImageCodec.DecodingError where error.reason.contains("15 bits") {
            return bytes
        } catch {}
    }
}

func jpegEntry(_ name: String) -> Entry {
    Entry(source: source(name), mode: .multimodal, prompt: .stored(samplePrompt),
          thumbnail: Thumbnail(codec: .jpeg, scale: 8, width: 12, height: 8, payload: jpeg12x8))
}

/// A whole valid archive of `entries`.
func archive(_ entries: [Entry]) -> [UInt8] {
    var encoder = ArchiveEncoder(format: .v1)
    var bytes = encoder.header()
    for entry in entries { bytes += try! encoder.encode(entry) }
    return bytes + encoder.finish()
}

func chunk(_ type: UInt8, _ data: [UInt8]) -> [UInt8] {
    var writer = ByteWriter()
    writer.writeUInt8(type)
    writer.writeVarint(data.count)
    writer.writeBytes(data)
    return writer.bytes
}

/// An archive whose single entry has the chunks given, with an index that describes it as `summary`.
func archive(entryBody: [UInt8], summary: EntrySummary) -> [UInt8] {
    archive(records: [(RecordKind.entry, entryBody, summary)])
}

/// An archive of raw records; entry records are indexed with their summaries.
func archive(records: [(RecordKind, [UInt8], EntrySummary?)], header: [UInt8] = FileHeader(version: .v1).encoded(),
             index: ([IndexRow]) -> [UInt8] = { ArchiveIndex(rows: $0).encodedBody(version: .v1) }) -> [UInt8] {
    var bytes = header
    var rows: [IndexRow] = []
    for (kind, body, summary) in records {
        let record = RecordFraming.encode(kind: kind, body: body)
        if var summary {
            summary.recordLength = record.count
            rows.append(IndexRow(offset: bytes.count, summary: summary))
        }
        bytes += record
    }
    let indexRecord = RecordFraming.encode(kind: .index, body: index(rows))
    let indexOffset = bytes.count
    bytes += indexRecord
    return bytes + Trailer(indexOffset: indexOffset, indexLength: indexRecord.count).encoded()
}

func summary(_ name: String, mode: CodingMode = .text, prompt: Int = samplePrompt.utf8.count, thumbnail: Int = 0) -> EntrySummary {
    EntrySummary(name: name, width: 96, height: 64, mode: mode, promptBytes: prompt, thumbnailBytes: thumbnail, recordLength: 0)
}

/// The S, M and P chunks of a text entry, built field by field so that fields can be broken.
func sourceChunk(name: [UInt8], width: [UInt8] = [96], height: [UInt8] = [64], extra: [UInt8] = []) -> [UInt8] {
    var data: [UInt8] = []
    var writer = ByteWriter()
    writer.writeVarint(name.count)
    data = writer.bytes + name + width + height + [0x80, 0x90, 0x01] + [1] + SHA256.hash(name) + [0] + extra
    return chunk(ChunkType.source.rawValue, data)
}

let promptChunk = chunk(ChunkType.prompt.rawValue, PromptChunk.stored(samplePrompt).encoded())
let modeText = chunk(ChunkType.mode.rawValue, [0])

func textBody(name: String) -> [UInt8] { sourceChunk(name: Array(name.utf8)) + modeText + promptChunk }

/// Recomputes the CRC of the record starting at `offset` in `bytes` (after a field was changed).
func fixCRC(_ bytes: inout [UInt8], recordAt offset: Int) {
    var reader = ByteReader(Array(bytes[offset...]), base: offset)
    _ = try! reader.readUInt8(field: "kind")
    let length = Int(try! reader.readVarint(field: "length"))
    let end = reader.offset + length
    let crc = CRC32.checksum(bytes[offset..<end])
    for k in 0..<4 { bytes[end + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
}

func fixHeaderCRC(_ bytes: inout [UInt8]) {
    let crc = CRC32.checksum(bytes[0..<12])
    for k in 0..<4 { bytes[12 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
}

func offsets(_ bytes: [UInt8]) -> (entries: [Int], index: Int, trailer: Int) {
    let reader = try! ArchiveReader(source: MemorySource(bytes))
    let trailer = bytes.count - Trailer.size
    let index = reader.rows.last.map { $0.end } ?? FileHeader.size
    return (reader.rows.map(\.offset), index, trailer)
}

// MARK: - The suite

struct Fixture {
    var name: String
    var bytes: [UInt8]
    /// nil for a valid file.
    var code: ErrorCode?
    var about: String
}

var fixtures: [Fixture] = []
@MainActor func valid(_ name: String, _ about: String, _ bytes: [UInt8]) { fixtures.append(Fixture(name: name, bytes: bytes, code: nil, about: about)) }
@MainActor func invalid(_ name: String, _ code: ErrorCode, _ about: String, _ bytes: [UInt8]) {
    fixtures.append(Fixture(name: name, bytes: bytes, code: code, about: about))
}

let one = archive([textEntry("gate.jpg")])
let many = archive((0..<12).map { number in
    number % 3 == 0 ? pngEntry("2024/summer/IMG_\(1000 + number).jpg") : textEntry("2024/summer/IMG_\(1000 + number).jpg")
})

valid("one-entry", "one text-mode entry with a stored prompt", one)
valid("many-entries", "twelve entries, text and multimodal, names sharing prefixes", many)
valid("no-entries", "an archive with no entries: header, empty index, trailer", archive([]))
valid("thumbnail-png", "a multimodal entry with a PNG thumbnail", archive([pngEntry("garden.png")]))
valid("thumbnail-jpeg", "a multimodal entry with a baseline JPEG thumbnail", archive([jpegEntry("garden.jpg")]))
valid("thumbnail-tiny", "tiny (codec 3) thumbnails: a 12×8 gradient at quantisers 20 and 63",
      archive([tinyEntry("garden.png"), tinyEntry("night.png", quantizer: 63)]))
valid("thumbnail-tiny-4", "tiny (codec 4: the 9/7 wavelet) thumbnails: a 12×8 gradient at quantisers 0, 20 and 63",
      archive([tinyEntry("fine.png", quantizer: 0, codec: .tiny4), tinyEntry("garden.png", codec: .tiny4),
               tinyEntry("night.png", quantizer: 63, codec: .tiny4)]))
valid("thumbnail-tiny-5", "tiny (codec 5: codec 4 with oriented contexts) thumbnails: the 12×8 gradient at quantisers 0, 20 and 63, and a 32×24 image of stripes, bars, diagonals and a disc at 6, 18 and 30",
      archive([tinyEntry("fine.png", quantizer: 0, codec: .tiny), tinyEntry("garden.png", codec: .tiny),
               tinyEntry("night.png", quantizer: 63, codec: .tiny),
               orientedTinyEntry("stripes-6.png", quantizer: 6), orientedTinyEntry("stripes-18.png", quantizer: 18),
               orientedTinyEntry("stripes-30.png", quantizer: 30)]))
valid("empty-prompt", "an entry whose prompt is the empty string", archive([textEntry("blank.png", prompt: "")]))
do {
    var coded = textEntry("coded.png")
    coded.prompt = .modelCoded(samplePrompt, modelID: 1)
    var codedUnicode = textEntry("coded-unicode.png")
    codedUnicode.prompt = .modelCoded("Type: photograph. 月光 🌙, лунный свет.\n\u{1}\t", modelID: 1)
    var codedEmpty = textEntry("coded-empty.png")
    codedEmpty.prompt = .modelCoded("", modelID: 1)
    valid("prompt-model-coded", "prompts coded with method 1 (model 1): a raster-scan description, other scripts and control characters, the empty text",
          archive([coded, codedUnicode, codedEmpty]))
}
for modelID in [2, 3] {
    var coded = textEntry("coded.png")
    coded.prompt = .modelCoded(samplePrompt, modelID: modelID)
    var builtin = textEntry("builtin.png")
    builtin.prompt = .modelCoded(builtinPrompt, modelID: modelID)
    var codedEmpty = textEntry("coded-empty.png")
    codedEmpty.prompt = .modelCoded("", modelID: modelID)
    valid("prompt-model-\(modelID)", "prompts coded with method 1 (model \(modelID)): a raster-scan description, one in the built-in describer's form, the empty text",
          archive([coded, builtin, codedEmpty]))
}
// A form with every optional part the describer can write, and the parts kodim23's text lacks.
let everyPartPrompt: String = {
    var g = BuiltinForm.Global()
    (g.type, g.colourfulness, g.contrast, g.key, g.brightness) = (1, 3, 2, 2, 4)
    (g.vertical, g.horizontal, g.highlights, g.shadows) = (2, 2, true, true)
    g.palette = [4, 20, 21, 15, 26]
    var regions = (0..<9).map { i -> BuiltinForm.Region in
        var r = BuiltinForm.Region()
        r.colours = [[4], [20, 4], [20, 21, 3]][i % 3]
        (r.mostly, r.strongSecond, r.brightness, r.texture, r.edges) = (i % 2 == 0, i % 4 == 1, i % 5, i % 4, i % 11)
        return r
    }
    regions[4].continues = 0
    regions[4].colours = [20]
    regions[7].continues = 1
    regions[7].colours = [3]        // not in the palette
    regions[8].colours = []         // "mixed colours"
    var c = BuiltinForm.Composition()
    (c.width, c.height, c.aspect, c.hundredths) = (700, 959, BuiltinForm.namedAspects.count, 137)
    c.light = BuiltinForm.RegionPair(0, 8)
    c.boundary = BuiltinForm.Boundary(percent: 0, third: 0, brighterAbove: false)
    return BuiltinForm(global: g, regions: regions, composition: c).render()
}()
do {
    let entries = [("builtin.png", builtinPrompt), ("every-part.png", everyPartPrompt)].map { name, text in
        var entry = textEntry(name)
        entry.prompt = PromptChunk.builtinForm(text)!
        return entry
    }
    valid("prompt-builtin-form", "prompts coded with method 2 (the built-in form, Appendix D): a built-in description, and a form with every optional part",
          archive(entries))
}
valid("unicode", "NFC names and a prompt in several scripts", archive([
    textEntry("фото/月光 🌙.png", prompt: "Type: photograph. 月光, лунный свет, 🌙.\n"), textEntry("Ünïcödé/é.jpg"),
]))
do {
    var full = pngEntry("holiday/beach.jpg")
    full.source.captureTime = 1_719_835_200
    full.source.utcOffsetMinutes = 120
    full.source.orientation = 6
    full.generator = GeneratorMetadata(kind: .a1111, model: "sd-xl-base-1.0", endpointStyle: "sdapi-v1", seed: 42,
                                       outputWidth: 1024, outputHeight: 688,
                                       parameters: [("steps", "30"), ("cfg_scale", "7"), ("sampler_name", "DPM++ 2M")])
    full.captioner = CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1)
    valid("all-optional-fields", "capture time, UTC offset, orientation, generator with seed and parameters, captioner", archive([full]))

    var unknown = textEntry("future.png")
    unknown.unknownChunks = [UnknownChunk(type: ChunkType(rawValue: UInt8(ascii: "x")), data: Array("ignore me".utf8))]
    valid("unknown-ancillary-chunk", "an entry with an ancillary chunk \"x\" a v1 reader skips", archive([unknown]))

    var placed = jpegEntry("trip/harbour.jpg")
    placed.camera = CameraMetadata(make: "FUJIFILM", model: "X-T5")
    placed.location = LocationMetadata(latitudeMicrodegrees: 43_296_482, longitudeMicrodegrees: 5_369_780, altitudeDecimetres: -25)
    var cameraOnly = textEntry("trip/menu.png")
    cameraOnly.camera = CameraMetadata(make: "", model: "Pixel 8")
    valid("camera-and-location", "camera make and model (\"k\") and a GPS position with altitude (\"l\"); a camera with only a model", archive([placed, cameraOnly]))
}
do {
    let first = archive([textEntry("a.png"), textEntry("b.png")])
    var encoder = ArchiveEncoder(format: .v1, continuing: try! ArchiveReader(source: MemorySource(first)).rows, at: first.count)
    let appended = first + (try! encoder.encode(textEntry("c.png"))) + encoder.finish()
    valid("appended-in-place", "entries appended after an earlier index and trailer, which stay as superseded records", appended)
}
do {
    let bytes = archive(records: [
        (.entry, textBody(name: "a.png"), summary("a.png")),
        (RecordKind(rawValue: UInt8(ascii: "x")), Array("an ancillary record".utf8), nil),
        (.entry, textBody(name: "b.png"), summary("b.png")),
    ])
    valid("unknown-ancillary-record", "an ancillary record \"x\" between entries, which readers skip", bytes)
}
do {
    let component = String(repeating: "n", count: 255)
    let longest = [component, component, component, String(repeating: "n", count: 250), "x.png"].joined(separator: "/")
    precondition(longest.utf8.count == Limits.nameBytes)
    valid("longest-name", "a name of exactly 1024 bytes with 255-byte components", archive([textEntry(longest)]))
    invalid("name-over-limit", .limitExceeded, "a name of 1025 bytes",
            archive(entryBody: textBody(name: "n" + longest), summary: summary("n" + longest)))
}
do {
    var bytes = one
    bytes[10] = 0x80
    fixHeaderCRC(&bytes)
    valid("optional-header-flag", "an optional header flag a v1 reader ignores", bytes)
}

// Signature and header
do {
    var bytes = one; bytes[1] = UInt8(ascii: "Z")
    invalid("signature-bad", .signatureInvalid, "the signature's second byte is wrong", bytes)
    bytes = one; bytes[0] &= 0x7F
    invalid("signature-7bit", .signatureInvalid, "byte 0 lost its high bit in a 7-bit channel", bytes)
    var crlf: [UInt8] = []
    for byte in one { if byte == 0x0A { crlf.append(0x0D) }; crlf.append(byte) }
    invalid("signature-crlf", .signatureInvalid, "every LF became CR LF in a text-mode transfer", crlf)
    bytes = one; bytes[8] = 3; fixHeaderCRC(&bytes)
    invalid("version-3", .versionUnsupported, "container version 3", bytes)
    bytes = one; bytes[9] = 0x01; fixHeaderCRC(&bytes)
    invalid("required-flag", .headerFlagsUnknown, "a required header flag a v1 reader does not know", bytes)
    bytes = one; bytes[11] = 0x01; fixHeaderCRC(&bytes)
    invalid("header-reserved", .headerReserved, "the reserved header byte is not 0", bytes)
    bytes = one; bytes[10] = 0x01
    invalid("header-checksum", .headerChecksum, "a header byte changed without its CRC", bytes)
    invalid("empty-file", .truncated, "a file of zero bytes", [])
    invalid("truncated-in-signature", .truncated, "cut after 5 bytes", Array(one.prefix(5)))
    invalid("truncated-in-header", .truncated, "cut after 12 bytes", Array(one.prefix(12)))
}

// Truncation at each structural boundary
do {
    let layout = offsets(many)
    invalid("truncated-after-header", .trailerMissing, "cut right after the header", Array(many.prefix(FileHeader.size)))
    invalid("truncated-in-entry", .recordTruncated, "cut in the middle of the fifth entry", Array(many.prefix(layout.entries[4] + 40)))
    invalid("truncated-after-entry", .trailerMissing, "cut after the last entry: index and trailer never written", Array(many.prefix(layout.index)))
    invalid("truncated-in-index", .recordTruncated, "cut in the middle of the index", Array(many.prefix(layout.index + 10)))
    invalid("truncated-in-trailer", .recordTruncated, "cut one byte before the end", Array(many.dropLast()))
    invalid("trailing-garbage", .recordTruncated, "bytes after the trailer: the record scan meets a record running past the end first, then the file does not end with a trailer", many + Array("garbage".utf8))
}

// Checksums
do {
    let layout = offsets(many)
    var bytes = many; bytes[layout.entries[2] + 30] ^= 0x20
    invalid("entry-checksum", .recordChecksum, "a byte inside an entry changed", bytes)
    bytes = many; bytes[layout.index + 5] ^= 0x01
    invalid("index-checksum", .recordChecksum, "a byte inside the index changed", bytes)
    bytes = many; bytes[layout.trailer + 4] ^= 0x01
    invalid("trailer-checksum", .recordChecksum, "a byte inside the trailer changed", bytes)
}

// Records, index and limits
do {
    invalid("unknown-critical-record", .recordKindUnknown, "a critical record \"X\" between entries", archive(records: [
        (.entry, textBody(name: "a.png"), summary("a.png")),
        (RecordKind(rawValue: UInt8(ascii: "X")), Array("must understand".utf8), nil),
    ]))
    var writer = ByteWriter()
    writer.writeUInt8(RecordKind.entry.rawValue)
    writer.writeVarint(Limits.entryRecordBody + 1)
    invalid("entry-over-limit", .limitExceeded, "an entry record claiming 16 MiB + 1 bytes", FileHeader(version: .v1).encoded() + writer.bytes + [UInt8](repeating: 0, count: 64))

    var bytes = one
    let trailer = bytes.count - Trailer.size
    bytes[trailer + 2] = 0xF0; bytes[trailer + 3] = 0xFF
    fixCRC(&bytes, recordAt: trailer)
    invalid("index-outside-file", .indexRange, "the trailer's index offset points past the end of the file", bytes)

    // An index row whose gap puts the entry past the index.
    let rows = [IndexRow(offset: 5_000, summary: summary("a.png"))]
    var withRow = FileHeader(version: .v1).encoded()
    let entry = RecordFraming.encode(kind: .entry, body: textBody(name: "a.png"))
    withRow += entry
    var broken = rows
    broken[0].summary.recordLength = entry.count
    let index = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: broken).encodedBody(version: .v1))
    let indexOffset = withRow.count
    withRow += index + Trailer(indexOffset: indexOffset, indexLength: index.count).encoded()
    invalid("index-row-outside", .indexRange, "an index row points past the entries region", withRow)

    // A row claiming more bytes than its record: the first row spans a.png and the next record.
    // Gaps keep rows ascending, so the second row points at a second copy of b.png after them.
    let a = RecordFraming.encode(kind: .entry, body: textBody(name: "a.png"))
    let b = RecordFraming.encode(kind: .entry, body: textBody(name: "b.png"))
    var overlap = FileHeader(version: .v1).encoded() + a + b + b
    let overlapRows = [
        IndexRow(offset: 16, summary: { var s = summary("a.png"); s.recordLength = a.count + b.count; return s }()),
        IndexRow(offset: 16 + a.count + b.count, summary: { var s = summary("b.png"); s.recordLength = b.count; return s }()),
    ]
    let overlapIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: overlapRows).encodedBody(version: .v1))
    let overlapIndexOffset = overlap.count
    overlap += overlapIndex + Trailer(indexOffset: overlapIndexOffset, indexLength: overlapIndex.count).encoded()
    invalid("overlapping-entries", .indexOverlap, "an index row spans its entry and the next one", overlap)

    var dupRows = FileHeader(version: .v1).encoded()
    let dupIndexRows = [IndexRow(offset: 16, summary: { var s = summary("a.png"); s.recordLength = a.count; return s }()),
                        IndexRow(offset: 16 + a.count, summary: { var s = summary("a.png"); s.recordLength = a.count; return s }())]
    dupRows += a + a
    let dupIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: dupIndexRows).encodedBody(version: .v1))
    let dupIndexOffset = dupRows.count
    dupRows += dupIndex + Trailer(indexOffset: dupIndexOffset, indexLength: dupIndex.count).encoded()
    invalid("duplicate-names", .nameDuplicate, "two entries named a.png", dupRows)

    let countOnly: [UInt8] = { var w = ByteWriter(); w.writeVarint(Limits.entryCount + 1); return w.bytes }()
    invalid("index-count-over-limit", .limitExceeded, "an index claiming 1,000,001 entries",
            { var f = FileHeader(version: .v1).encoded(); let i = RecordFraming.encode(kind: .index, body: countOnly); let o = f.count; f += i; return f + Trailer(indexOffset: o, indexLength: i.count).encoded() }())

    // An index whose one row says its name suffix is 200 bytes, in a body that ends sooner.
    var cutRow = FileHeader(version: .v1).encoded() + a
    var rowBody = ByteWriter()
    rowBody.writeVarint(1)                  // entry_count
    rowBody.writeVarint(0)                  // gap
    rowBody.writeVarint(a.count)            // record_length
    rowBody.writeVarint(0)                  // name_prefix
    rowBody.writeVarint(200)                // name_suffix_length, past the body's end
    rowBody.writeBytes(Array("a.png".utf8) + [96, 64, 0, 10, 0])
    let cutIndex = RecordFraming.encode(kind: .index, body: rowBody.bytes)
    let cutIndexOffset = cutRow.count
    cutRow += cutIndex + Trailer(indexOffset: cutIndexOffset, indexLength: cutIndex.count).encoded()
    invalid("index-row-truncated", .truncated, "an index row whose name suffix runs past the end of the index body",
            cutRow)

    var mismatch = one
    let layout = offsets(one)
    // Row layout: count(1) gap(1) length(2) prefix(1) suffixLength(1) name(8) width(1)...
    let widthAt = layout.index + 2 + 1 + 1 + 2 + 1 + 1 + "gate.jpg".utf8.count
    precondition(mismatch[widthAt] == 96)
    mismatch[widthAt] = 95
    fixCRC(&mismatch, recordAt: layout.index)
    invalid("index-summary-mismatch", .indexMismatch, "the index row says width 95; the entry says 96", mismatch)
    invalid("index-name-mismatch", .indexMismatch, "the index row names b.png; the entry is a.png",
            archive(entryBody: textBody(name: "a.png"), summary: summary("b.png")))
    invalid("index-prompt-bytes-over-record", .limitExceeded, "an index row whose prompt_bytes (100,000) exceeds its record_length",
            archive(entryBody: textBody(name: "a.png"), summary: summary("a.png", prompt: 100_000)))
    let countFive: [UInt8] = { var w = ByteWriter(); w.writeVarint(5); return w.bytes }()
    invalid("index-count-over-rows", .indexInvalid, "an index claiming 5 entries with no row bytes after the count (at most 0 / 9)",
            { var f = FileHeader(version: .v1).encoded(); let i = RecordFraming.encode(kind: .index, body: countFive); let o = f.count; f += i; return f + Trailer(indexOffset: o, indexLength: i.count).encoded() }())

    var short = one
    let shortLayout = offsets(one)
    // Row layout: count(1) gap(1) length(2): make the length one byte less.
    short[shortLayout.index + 2 + 1 + 1] -= 1
    fixCRC(&short, recordAt: shortLayout.index)
    invalid("index-row-short", .indexLength, "an index row one byte shorter than its entry record", short)

    // The row for b.png points at a superseded index record instead of b.png's entry.
    let aRecord = RecordFraming.encode(kind: .entry, body: textBody(name: "a.png"))
    let staleIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: []).encodedBody(version: .v1))
    var pointsAtIndex = FileHeader(version: .v1).encoded() + aRecord + staleIndex + aRecord
    let wrongRows = [
        IndexRow(offset: 16, summary: { var s = summary("a.png"); s.recordLength = aRecord.count; return s }()),
        IndexRow(offset: 16 + aRecord.count, summary: { var s = summary("b.png"); s.recordLength = staleIndex.count + aRecord.count; return s }()),
    ]
    let wrongIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: wrongRows).encodedBody(version: .v1))
    let wrongIndexOffset = pointsAtIndex.count
    pointsAtIndex += wrongIndex + Trailer(indexOffset: wrongIndexOffset, indexLength: wrongIndex.count).encoded()
    invalid("index-row-not-an-entry", .indexEntryMissing, "an index row pointing at a record that is not an entry", pointsAtIndex)

    var trailingIndex = FileHeader(version: .v1).encoded()
    let paddedIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: []).encodedBody(version: .v1) + [0])
    trailingIndex += paddedIndex + Trailer(indexOffset: 16, indexLength: paddedIndex.count).encoded()
    invalid("index-trailing-bytes", .indexInvalid, "an index with a byte after its last row", trailingIndex)

    var longTrailer = FileHeader(version: .v1).encoded()
    let emptyIndex = RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: []).encodedBody(version: .v1))
    longTrailer += emptyIndex + RecordFraming.encode(kind: .trailer, body: [UInt8](repeating: 0, count: 13))
    invalid("trailer-wrong-length", .trailerInvalid, "a trailer record whose body is 13 bytes, not 12", longTrailer)

    let extra = archive(records: [(.entry, textBody(name: "a.png"), summary("a.png")), (.entry, textBody(name: "b.png"), nil)])
    invalid("unindexed-entry", .entryUnindexed, "an entry record the index does not list", extra)
}

// Names
for (file, name, code, about) in [
    ("name-traversal", "../x.png", ErrorCode.nameTraversal, "the name ../x.png"),
    ("name-traversal-inner", "a/../../x.png", .nameTraversal, "the name a/../../x.png"),
    ("name-absolute", "/etc/x.png", .nameAbsolute, "the absolute name /etc/x.png"),
    ("name-drive-letter", "C:/x.png", .nameAbsolute, "the name C:/x.png"),
    ("name-nul", "a\u{0}b.png", .nameInvalid, "a name with a NUL byte"),
    ("name-backslash", "a\\..\\x.png", .nameInvalid, "a name with backslashes"),
    ("name-empty-component", "a//x.png", .nameInvalid, "a name with an empty component"),
    ("name-not-nfc", "e\u{301}.png", .nameNotNormalized, "a decomposed (NFD) name"),
] as [(String, String, ErrorCode, String)] {
    // Names are built byte by byte: the encoder refuses them, the fixtures must not.
    invalid(file, code, about, archive(entryBody: sourceChunk(name: Array(name.utf8)) + modeText + promptChunk, summary: summary("ok.png")))
}

invalid("name-not-utf8", .utf8Invalid, "a name whose bytes are not UTF-8",
        archive(entryBody: sourceChunk(name: [0x61, 0xFF, 0x2E, 0x70]) + modeText + promptChunk, summary: summary("ok.png")))

// Chunks
do {
    let s = sourceChunk(name: Array("a.png".utf8))
    let thumb = chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .jpeg, scale: 8, width: 12, height: 8, payload: jpeg12x8).encoded())
    let modeMulti = chunk(ChunkType.mode.rawValue, [1])
    let sum = summary("a.png")
    invalid("chunk-order", .chunkOrder, "the prompt chunk before the mode chunk", archive(entryBody: s + promptChunk + modeText, summary: sum))
    invalid("chunk-source-not-first", .chunkOrder, "the mode chunk before the source chunk", archive(entryBody: modeText + s + promptChunk, summary: sum))
    invalid("missing-prompt", .chunkMissing, "an entry without a prompt chunk", archive(entryBody: s + modeText, summary: sum))
    invalid("missing-thumbnail", .chunkMissing, "a multimodal entry without a thumbnail", archive(entryBody: s + modeMulti + promptChunk, summary: sum))
    invalid("text-with-thumbnail", .chunkForbidden, "a text-mode entry with a thumbnail", archive(entryBody: s + modeText + promptChunk + thumb, summary: sum))
    invalid("duplicate-chunk", .chunkDuplicate, "two prompt chunks", archive(entryBody: s + modeText + promptChunk + promptChunk, summary: sum))
    invalid("unknown-critical-chunk", .chunkUnknownCritical, "a critical chunk \"X\" a v1 reader does not know",
            archive(entryBody: s + modeText + promptChunk + chunk(UInt8(ascii: "X"), [1, 2, 3]), summary: sum))
    invalid("chunk-type-invalid", .chunkTypeInvalid, "a chunk whose type byte is not a letter",
            archive(entryBody: s + modeText + promptChunk + chunk(0x01, [1]), summary: sum))
    invalid("chunk-trailing-bytes", .chunkTrailingBytes, "a source chunk with a byte after its last field",
            archive(entryBody: sourceChunk(name: Array("a.png".utf8), extra: [0]) + modeText + promptChunk, summary: sum))
    invalid("chunk-overruns-entry", .truncated, "a chunk whose length runs past its entry",
            archive(entryBody: s + modeText + [ChunkType.prompt.rawValue, 0x7F, 0, 0], summary: sum))
    let captionerOver: [UInt8] = { var w = ByteWriter(); w.writeVarint(2); w.writeString("gpt-4o"); w.writeVarint(65_536); return w.bytes }()
    invalid("captioner-instruction-version", .limitExceeded, "a captioner chunk whose instruction_version is 65,536",
            archive(entryBody: s + modeText + promptChunk + chunk(ChunkType.captioner.rawValue, captionerOver), summary: sum))
    let camera = chunk(ChunkType.camera.rawValue, CameraMetadata(make: "Canon", model: "EOS R5").encoded())
    invalid("camera-duplicate", .chunkDuplicate, "two camera chunks", archive(entryBody: s + modeText + promptChunk + camera + camera, summary: sum))
    invalid("camera-empty", .fieldInvalid, "a camera chunk with neither make nor model",
            archive(entryBody: s + modeText + promptChunk + chunk(ChunkType.camera.rawValue, [0, 0]), summary: sum))
    invalid("location-out-of-range", .fieldInvalid, "a latitude of 90.000001 degrees",
            archive(entryBody: s + modeText + promptChunk + chunk(ChunkType.location.rawValue, LocationMetadata(latitudeMicrodegrees: 90_000_001, longitudeMicrodegrees: 0).encoded()), summary: sum))
    invalid("location-flags", .fieldInvalid, "a location with an undefined flag bit",
            archive(entryBody: s + modeText + promptChunk + chunk(ChunkType.location.rawValue, [0, 0, 2]), summary: sum))
    invalid("mode-invalid", .modeInvalid, "coding mode 7", archive(entryBody: s + chunk(ChunkType.mode.rawValue, [7]) + promptChunk, summary: sum))
    invalid("width-zero", .fieldInvalid, "a width of 0", archive(entryBody: sourceChunk(name: Array("a.png".utf8), width: [0]) + modeText + promptChunk, summary: sum))
    invalid("width-over-limit", .limitExceeded, "a width of 65,536", archive(entryBody: sourceChunk(name: Array("a.png".utf8), width: [0x80, 0x80, 0x04]) + modeText + promptChunk, summary: sum))
    invalid("varint-overlong", .varintInvalid, "the width 96 coded in two bytes (E0 00) instead of one",
            archive(entryBody: sourceChunk(name: Array("a.png".utf8), width: [0xE0, 0x00]) + modeText + promptChunk, summary: sum))
    invalid("prompt-method-unknown", .promptMethodUnknown, "prompt coding method 9",
            archive(entryBody: s + modeText + chunk(ChunkType.prompt.rawValue, [9, 3, 1, 2, 3]), summary: summary("a.png", prompt: 3)))
    let codedPayload = PromptChunk.modelCoded(samplePrompt, modelID: 1).payload
    let codedLength = samplePrompt.utf8.count
    func codedChunk(_ payload: [UInt8], length: Int = codedLength) -> [UInt8] {
        chunk(ChunkType.prompt.rawValue, PromptChunk(method: .modelCoded, decodedLength: length, payload: payload).encoded())
    }
    var damaged = codedPayload
    damaged[damaged.count / 2] ^= 0x10
    invalid("prompt-coded-damaged", .promptInvalid, "a model-coded prompt with one payload byte changed (its entry CRC recomputed)",
            archive(entryBody: s + modeText + codedChunk(damaged), summary: summary("a.png", prompt: damaged.count)))
    invalid("prompt-coded-wrong-length", .promptInvalid, "a model-coded prompt whose decoded length is one byte short",
            archive(entryBody: s + modeText + codedChunk(codedPayload, length: codedLength - 1), summary: summary("a.png", prompt: codedPayload.count)))
    invalid("prompt-coded-unknown-model", .promptInvalid, "a model-coded prompt naming model 9",
            archive(entryBody: s + modeText + codedChunk([9] + codedPayload.dropFirst()), summary: summary("a.png", prompt: codedPayload.count)))
    let bomb = String(repeating: "Top-left: pale blue sky with thin clouds. ", count: 1_500)
    let bombPayload = PromptCoder.encode(bomb, modelID: 1)
    invalid("prompt-coded-ratio", .promptInvalid, "63,000 bytes of one repeated sentence model-coded in \(bombPayload.count) bytes: more than 32 decoded bytes per payload byte plus 2,048",
            archive(entryBody: s + modeText + chunk(ChunkType.prompt.rawValue, PromptChunk(method: .modelCoded, decodedLength: bomb.utf8.count, payload: bombPayload).encoded()),
                    summary: summary("a.png", prompt: bombPayload.count)))
    invalid("prompt-coded-model-id-padded", .promptInvalid, "a model-coded prompt whose model id 1 is coded in two bytes (81 00)",
            archive(entryBody: s + modeText + codedChunk([0x81, 0x00] + codedPayload.dropFirst()), summary: summary("a.png", prompt: codedPayload.count + 1)))
    invalid("prompt-coded-extra-byte", .promptInvalid, "a model-coded prompt with a byte (01) after the end its encoder writes: the same text, another payload (B.5 canonical end)",
            archive(entryBody: s + modeText + codedChunk(codedPayload + [0x01]), summary: summary("a.png", prompt: codedPayload.count + 1)))
    let formPayload = PromptChunk.builtinForm(builtinPrompt)!.payload
    func formChunk(_ payload: [UInt8], length: Int = builtinPrompt.utf8.count) -> [UInt8] {
        chunk(ChunkType.prompt.rawValue, PromptChunk(method: .builtinForm, decodedLength: length, payload: payload).encoded())
    }
    invalid("prompt-builtin-form-extra-byte", .promptInvalid, "a built-in form prompt with a byte (01) after the end its encoder writes (B.5 canonical end)",
            archive(entryBody: s + modeText + formChunk(formPayload + [0x01]), summary: summary("a.png", prompt: formPayload.count + 1)))
    invalid("prompt-builtin-form-wrong-length", .promptInvalid, "a built-in form prompt whose decoded length is one byte more than its rendering",
            archive(entryBody: s + modeText + formChunk(formPayload, length: builtinPrompt.utf8.count + 1), summary: summary("a.png", prompt: formPayload.count)))
    invalid("prompt-builtin-form-out-of-range", .promptInvalid, "a built-in form payload of six FF bytes: a region colour decodes to COLOUR_SLOT 5, past its palette of fewer than 5 colours",
            archive(entryBody: s + modeText + formChunk([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), summary: summary("a.png", prompt: 6)))
    invalid("prompt-not-utf8", .promptInvalid, "a stored prompt that is not UTF-8",
            archive(entryBody: s + modeText + chunk(ChunkType.prompt.rawValue, [0, 3, 0xC3, 0x28, 0x41]), summary: summary("a.png", prompt: 3)))
    invalid("prompt-length-mismatch", .promptInvalid, "a stored prompt of 3 bytes whose decoded length says 4",
            archive(entryBody: s + modeText + chunk(ChunkType.prompt.rawValue, [0, 4, 0x41, 0x42, 0x43]), summary: summary("a.png", prompt: 3)))
    let thumbSummary = summary("a.png", mode: .multimodal, thumbnail: jpeg12x8.count)
    invalid("thumbnail-size", .thumbnailMismatch, "a thumbnail of 11×8 where scale 1/8 of 96×64 gives 12×8",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .jpeg, scale: 8, width: 11, height: 8, payload: jpeg12x8).encoded()), summary: thumbSummary))
    invalid("thumbnail-codec-unknown", .thumbnailCodecUnknown, "thumbnail codec 9",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, [9, 8, 12, 8] + jpeg12x8), summary: thumbSummary))
    var progressive = jpeg12x8
    if let sof = (0..<progressive.count - 1).first(where: { progressive[$0] == 0xFF && progressive[$0 + 1] == 0xC0 }) { progressive[sof + 1] = 0xC2 }
    invalid("thumbnail-not-baseline", .thumbnailMismatch, "a progressive (SOF2) JPEG thumbnail",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .jpeg, scale: 8, width: 12, height: 8, payload: progressive).encoded()), summary: thumbSummary))
    invalid("thumbnail-not-png", .thumbnailMismatch, "a thumbnail said to be PNG holding JPEG bytes",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .png, scale: 8, width: 12, height: 8, payload: jpeg12x8).encoded()), summary: thumbSummary))
    let tiny = tinyEntry("a.png").thumbnail!.payload
    let tinySummary = summary("a.png", mode: .multimodal, thumbnail: tiny.count + 1)
    invalid("thumbnail-tiny-final-zero", .thumbnailInvalid, "a tiny thumbnail whose payload ends with 0x00",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .tiny3, scale: 8, width: 12, height: 8, payload: tiny + [0]).encoded()), summary: tinySummary))
    invalid("thumbnail-tiny-extra-byte", .thumbnailInvalid, "a tiny thumbnail with a byte (01) after the end its encoder writes (B.5 canonical end)",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .tiny3, scale: 8, width: 12, height: 8, payload: tiny + [1]).encoded()), summary: tinySummary))
    let overlong = overlongTinyPayload(width: 12, height: 8, variant: .codec3)
    invalid("thumbnail-tiny-overlong", .thumbnailInvalid, "a tiny thumbnail whose stream codes a magnitude longer than 15 bits",
            archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .tiny3, scale: 8, width: 12, height: 8, payload: overlong).encoded()),
                    summary: summary("a.png", mode: .multimodal, thumbnail: overlong.count)))
    let big = sourceChunk(name: Array("a.png".utf8), width: [0x81, 0x08], height: [0x80, 0x08])
    invalid("thumbnail-tiny-too-large", .limitExceeded, "a tiny thumbnail of 1025×1024 pixels at scale 1 (codec 3 takes at most 2^20)",
            archive(entryBody: big + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .tiny3, scale: 1, width: 1025, height: 1024, payload: [0x40]).encoded()),
                    summary: EntrySummary(name: "a.png", width: 1025, height: 1024, mode: .multimodal, promptBytes: samplePrompt.utf8.count, thumbnailBytes: 1, recordLength: 0)))
    // Codecs 4 and 5 keep codec 3's stream rules (Appendix C.9, C.10).
    for codec in [ThumbnailCodec.tiny4, .tiny] {
        let number = codec.rawValue
        let payload = tinyEntry("a.png", codec: codec).thumbnail!.payload
        invalid("thumbnail-tiny-\(number)-final-zero", .thumbnailInvalid, "a codec \(number) thumbnail whose payload ends with 0x00",
                archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: codec, scale: 8, width: 12, height: 8, payload: payload + [0]).encoded()),
                        summary: summary("a.png", mode: .multimodal, thumbnail: payload.count + 1)))
        let overlong = overlongTinyPayload(width: 12, height: 8, variant: codec.tinyVariant!)
        invalid("thumbnail-tiny-\(number)-overlong", .thumbnailInvalid, "a codec \(number) thumbnail whose stream codes a magnitude longer than 15 bits",
                archive(entryBody: s + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: codec, scale: 8, width: 12, height: 8, payload: overlong).encoded()),
                        summary: summary("a.png", mode: .multimodal, thumbnail: overlong.count)))
        invalid("thumbnail-tiny-\(number)-too-large", .limitExceeded, "a codec \(number) thumbnail of 1025×1024 pixels at scale 1 (at most 2^20)",
                archive(entryBody: big + modeMulti + promptChunk + chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: codec, scale: 1, width: 1025, height: 1024, payload: [0x40]).encoded()),
                        summary: EntrySummary(name: "a.png", width: 1025, height: 1024, mode: .multimodal, promptBytes: samplePrompt.utf8.count, thumbnailBytes: 1, recordLength: 0)))
    }
    var secret = GeneratorMetadata(kind: .openAI, model: "gpt-image-1")
    secret.parameters = [("api_key", "not-a-real-key")]
    invalid("generator-secret", .generatorSecret, "a generator parameter named api_key",
            archive(entryBody: s + modeText + promptChunk + chunk(ChunkType.generator.rawValue, secret.encoded()), summary: sum))
}

// MARK: - Version 2 (spec §3.1): compact entry heads, index rows and a defaults record

let v2Defaults = EntryDefaults(generator: GeneratorMetadata(kind: .builtin), captioner: CaptionerMetadata(kind: .sidecar, instructionVersion: 1))

/// A whole valid version 2 archive of `entries`.
func archiveV2(_ entries: [Entry], defaults: EntryDefaults = v2Defaults, fullHash: Bool = false) -> [UInt8] {
    var encoder = ArchiveEncoder(format: ArchiveFormat(version: .v2, defaults: defaults))
    encoder.keepsFullHash = fullHash
    var bytes = encoder.header()
    for entry in entries { bytes += try! encoder.encode(entry) }
    return bytes + encoder.finish()
}

/// A version 2 archive of raw records (a defaults record among them if wanted), entries indexed
/// with their summaries by the version 2 index unless `index` writes the index body itself.
func archiveV2(records: [(RecordKind, [UInt8], EntrySummary?)], index: (([IndexRow]) -> [UInt8])? = nil) -> [UInt8] {
    archive(records: records, header: FileHeader(version: .v2).encoded(), index: index ?? { ArchiveIndex(rows: $0).encodedBody(version: .v2) })
}

/// A version 2 text entry's body built field by field: name, flags, 96×64, size, 8 hash bytes,
/// stored method, the sample prompt's length, then `chunks` (flagged when given) and the prompt.
func v2TextBody(name: String, flags: UInt8 = 0, chunks: [UInt8]? = nil, chunksLength: Int? = nil) -> [UInt8] {
    var writer = ByteWriter()
    writer.writeString(name)
    writer.writeUInt8(flags | (chunks == nil ? 0 : 0x20))
    writer.writeVarint(96)
    writer.writeVarint(64)
    writer.writeVarint(18_432)
    writer.writeBytes(Array(SHA256.hash(Array(name.utf8)).prefix(8)))
    writer.writeVarint(0)
    writer.writeVarint(samplePrompt.utf8.count)
    if let chunks {
        writer.writeVarint(chunksLength ?? chunks.count)
        writer.writeBytes(chunks)
    }
    writer.writeBytes(Array(samplePrompt.utf8))
    return writer.bytes
}

let v2Record = RecordFraming.encode(kind: .defaults, body: v2Defaults.encodedBody())

do {
    var night = tinyEntry("trip/day2/night.png", quantizer: 40)
    night.captioner = CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1)
    var dated = textEntry("trip/day2/IMG_0102.jpg")
    dated.source.captureTime = 1_717_236_000
    dated.source.utcOffsetMinutes = 120
    dated.source.orientation = 6
    dated.camera = CameraMetadata(make: "FUJIFILM", model: "X-T5")
    var tall = textEntry("trip/day2/IMG_0103.jpg")
    tall.source.width = 64
    tall.source.height = 96
    let entries = [textEntry("trip/day1/IMG_0100.jpg"), textEntry("trip/day1/IMG_0101.jpg"), dated, tall,
                   tinyEntry("trip/day2/IMG_0104.jpg"), night, pngEntry("trip/day3/garden.png"), textEntry("trip/day3/garden-2.png")]
    valid("v2-entries", "version 2: a defaults record (g, c); text and multimodal entries inheriting it or overriding c; names front- and back-coded; sizes repeated and changed; capture time, offset, orientation, camera",
          archiveV2(entries))
    valid("v2-full-hash", "version 2 entries keeping the whole SHA-256 (entry flag 4)", archiveV2([textEntry("a.png"), pngEntry("b.png")], fullHash: true))
    valid("v2-no-defaults", "version 2 without a defaults record: every entry carries its own chunks", archiveV2([textEntry("a.png"), tinyEntry("b.png")], defaults: EntryDefaults()))
    valid("v2-no-entries", "an empty version 2 archive with a defaults record", archiveV2([]))
    let first = archiveV2([textEntry("a.png"), textEntry("b.png")])
    let reader = try! ArchiveReader(source: MemorySource(first))
    var encoder = ArchiveEncoder(format: try! reader.format, continuing: reader.rows, at: first.count)
    let appended = first + (try! encoder.encode(textEntry("c.png"))) + encoder.finish()
    valid("v2-appended-in-place", "version 2 entries appended after a superseded index and trailer: the new row flags its gap", appended)
}
do {
    let a = v2TextBody(name: "a.png"), b = v2TextBody(name: "b.png")
    invalid("v2-defaults-misplaced", .recordMisplaced, "a defaults record after an entry",
            archiveV2(records: [(.entry, a, summary("a.png")), (.defaults, v2Defaults.encodedBody(), nil), (.entry, b, summary("b.png"))]))
    invalid("v2-defaults-twice", .recordMisplaced, "a second defaults record right after the first",
            archiveV2(records: [(.defaults, v2Defaults.encodedBody(), nil), (.defaults, v2Defaults.encodedBody(), nil), (.entry, a, summary("a.png"))]))
    invalid("v2-defaults-camera", .chunkForbidden, "a defaults record holding a camera chunk",
            archiveV2(records: [(.defaults, chunk(ChunkType.camera.rawValue, CameraMetadata(make: "X", model: "").encoded()), nil), (.entry, a, summary("a.png"))]))
    invalid("v2-defaults-duplicate", .chunkDuplicate, "a defaults record with two captioner chunks",
            archiveV2(records: [(.defaults, v2Defaults.encodedBody() + chunk(ChunkType.captioner.rawValue, CaptionerMetadata(kind: .builtin).encoded()), nil), (.entry, a, summary("a.png"))]))
    var v1WithDefaults = FileHeader(version: .v1).encoded() + v2Record
    v1WithDefaults += RecordFraming.encode(kind: .index, body: ArchiveIndex(rows: []).encodedBody(version: .v1))
    v1WithDefaults += Trailer(indexOffset: FileHeader.size + v2Record.count, indexLength: v1WithDefaults.count - FileHeader.size - v2Record.count).encoded()
    invalid("v1-defaults-record", .recordKindUnknown, "a defaults record (\"D\") in a version 1 file, where it is an unknown critical record", v1WithDefaults)
    invalid("v2-entry-flags", .fieldInvalid, "entry flag bit 6, which version 2 does not define",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", flags: 0x40), summary("a.png"))]))
    invalid("v2-utc-without-time", .fieldInvalid, "entry flags giving a UTC offset without a capture time",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", flags: 0x04), summary("a.png"))]))
    invalid("v2-chunks-empty", .fieldInvalid, "chunks flagged with a chunks length of 0",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", chunks: []), summary("a.png"))]))
    invalid("v2-chunks-overrun", .limitExceeded, "a chunks length longer than the rest of the body",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", chunks: [], chunksLength: 5000), summary("a.png"))]))
    invalid("v2-source-chunk", .chunkUnknownCritical, "an \"S\" chunk in a version 2 entry's chunks",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", chunks: sourceChunk(name: Array("a.png".utf8))), summary("a.png"))]))
    let thumbnail = chunk(ChunkType.thumbnail.rawValue, Thumbnail(codec: .jpeg, scale: 8, width: 12, height: 8, payload: jpeg12x8).encoded())
    invalid("v2-thumbnail-in-text", .chunkForbidden, "a version 2 text entry with a thumbnail chunk",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", chunks: thumbnail), summary("a.png", thumbnail: jpeg12x8.count))]))
    invalid("v2-missing-thumbnail", .chunkMissing, "a version 2 entry flagged multimodal without a thumbnail chunk",
            archiveV2(records: [(.entry, v2TextBody(name: "a.png", flags: 0x01), summary("a.png", mode: .multimodal))]))
    invalid("v2-hash-cut", .truncated, "a version 2 entry that ends inside its 8 hash bytes",
            archiveV2(records: [(.entry, Array(v2TextBody(name: "a.png").prefix(14)), summary("a.png", prompt: 0))]))

    // Index rows, written by hand: flags (with the kept length), [gap], record length change,
    // prefix, [kept escaped], middle, [size], [thumbnail bytes], other bytes.
    let records: [(RecordKind, [UInt8], EntrySummary?)] = [(.entry, a, summary("a.png")), (.entry, b, summary("b.png"))]
    func rows(_ second: @escaping (IndexRow, IndexRow) -> [UInt8]) -> ([IndexRow]) -> [UInt8] {
        { rows in
            var writer = ByteWriter()
            writer.writeVarint(2)
            writer.writeUInt8(0x02)
            writer.writeSignedVarint(Int64(rows[0].summary.recordLength))
            writer.writeVarint(0); writer.writeString("a.png")
            writer.writeVarint(96); writer.writeVarint(64)
            writer.writeVarint(rows[0].summary.recordLength - rows[0].summary.promptBytes)
            return writer.bytes + second(rows[0], rows[1])
        }
    }
    func row(_ flags: UInt8, _ row: IndexRow, after previous: IndexRow, gap: Int? = nil, prefix: Int = 0, kept: Int = 4, middle: String = "b",
             size: Bool = false, thumbnail: Int? = nil, escapedKept: Int? = nil) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeUInt8(flags | UInt8(escapedKept == nil ? kept : 31) << 3)
        if let gap { writer.writeVarint(gap) }
        writer.writeSignedVarint(Int64(row.summary.recordLength - previous.summary.recordLength))
        writer.writeVarint(prefix)
        if let escapedKept { writer.writeVarint(escapedKept) }
        writer.writeString(middle)
        if size { writer.writeVarint(96); writer.writeVarint(64) }
        if let thumbnail { writer.writeVarint(thumbnail) }
        writer.writeVarint(row.summary.recordLength - row.summary.promptBytes - (thumbnail ?? 0))
        return writer.bytes
    }
    valid("v2-index-by-hand", "the version 2 index rows of two entries, written field by field (the second row keeps \".png\" from the first)",
          archiveV2(records: records, index: rows { first, second in row(0, second, after: first) }))
    invalid("v2-row-size-repeated", .indexInvalid, "an index row giving the same size as the row before instead of leaving it out",
            archiveV2(records: records, index: rows { first, second in row(0x02, second, after: first, size: true) }))
    invalid("v2-row-gap-zero", .indexInvalid, "an index row flagging a gap of 0",
            archiveV2(records: records, index: rows { first, second in row(0x04, second, after: first, gap: 0) }))
    invalid("v2-row-kept-too-long", .limitExceeded, "an index row keeping more of the previous name than its prefix leaves",
            archiveV2(records: records, index: rows { first, second in row(0, second, after: first, prefix: 2, kept: 4, middle: "") }))
    invalid("v2-row-kept-escaped", .indexInvalid, "an index row escaping a kept length of 4, which fits its flags",
            archiveV2(records: records, index: rows { first, second in row(0, second, after: first, escapedKept: 4) }))
    invalid("v2-row-mode-mismatch", .indexMismatch, "an index row flagged multimodal for a text entry (its thumbnail size 0)",
            archiveV2(records: records, index: rows { first, second in row(0x01, second, after: first, thumbnail: 0) }))
    invalid("v2-row-length-negative", .indexRange, "an index row whose record length change makes it shorter than any entry",
            archiveV2(records: records, index: rows { first, second in
                var writer = ByteWriter()
                writer.writeUInt8(0)
                writer.writeSignedVarint(-Int64(first.summary.recordLength))
                return writer.bytes + Array(row(0, second, after: first).dropFirst(2))
            }))
    invalid("v2-row-other-too-large", .limitExceeded, "an index row whose other bytes exceed its record length",
            archiveV2(records: records, index: rows { first, second in Array(row(0, second, after: first).dropLast()) + [0xFF, 0x7F] }))
    var firstWithout = ByteWriter()
    firstWithout.writeVarint(1)
    firstWithout.writeUInt8(0)
    firstWithout.writeSignedVarint(Int64(RecordFraming.encode(kind: .entry, body: a).count))
    firstWithout.writeVarint(0); firstWithout.writeString("a.png")
    firstWithout.writeVarint(RecordFraming.encode(kind: .entry, body: a).count - samplePrompt.utf8.count)
    invalid("v2-row-first-without-size", .indexInvalid, "a first index row that leaves out its size",
            archiveV2(records: [(.entry, a, summary("a.png"))], index: { _ in firstWithout.bytes }))
}

// MARK: - Writing

let directory = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "fixtures/conformance"
func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, file) }
    fclose(file)
}
for sub in ["", "/valid", "/invalid"] { mkdir(directory + sub, 0o755) }
func jsonString(_ text: String) -> String {
    var result = "\""
    for character in text {
        if character == "\"" || character == "\\" { result.append("\\") }
        result.append(character)
    }
    return result + "\""
}
var manifest = "[\n"
for (number, fixture) in fixtures.enumerated() {
    let folder = fixture.code == nil ? "valid" : "invalid"
    let file = "\(folder)/\(fixture.code == nil ? "" : "x-")\(fixture.name).gcx"
    write(fixture.bytes, to: "\(directory)/\(file)")
    let code = fixture.code.map { "\"\($0.rawValue)\"" } ?? "null"
    manifest += "  {\"file\": \"\(file)\", \"valid\": \(fixture.code == nil), \"code\": \(code), \"about\": \(jsonString(fixture.about))}"
    manifest += number == fixtures.count - 1 ? "\n" : ",\n"
}
manifest += "]\n"
write(Array(manifest.utf8), to: "\(directory)/manifest.json")
print("wrote \(fixtures.count) fixtures to \(directory)")
