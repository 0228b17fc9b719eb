#if canImport(Glibc)
import Glibc
#endif
import GCX
import GCXImage
import GCXPromptCoder
import GCXThumbnailCodec

// Coverage-guided fuzzing harnesses (libFuzzer). One binary, the harness chosen by GCX_FUZZ_TARGET:
//
//   archive    open an archive (with recovery) and read every entry and its prompt
//   validate   validate an archive
//   prompt     decode a prompt: 2 bytes (top bit: method 2, else method 1; then 15 bits of decoded length), then the payload
//   thumbnail  decode a thumbnail: a selector byte (mod 4: 0 tiny codec 3, 3 tiny codec 4, else any image format), width − 1, height − 1, payload
//   image      decode an input photo (every format gcx reads)
//   form       a text (UTF-8, damaged bytes replaced) coded as a built-in form, when it is one: it
//              must decode to the same text (prompt method 2's parser and encoder, spec D)
//
// Built with -D FUZZING and -sanitize=fuzzer,address by tools/fuzz.sh, libFuzzer supplies main.
// Built normally, gcx-fuzz replays files (`gcx-fuzz TARGET FILE...`, a crash's regression check)
// and writes seed corpora (`gcx-fuzz --seeds DIR`).

enum Harness: String, CaseIterable {
    case archive, validate, prompt, thumbnail, image, form

    func run(_ bytes: [UInt8]) {
        switch self {
        case .archive:
            guard let reader = try? ArchiveReader(source: MemorySource(bytes), recover: true) else { return }
            for row in reader.rows {
                if let entry = try? reader.entry(at: row) { _ = try? PromptDecoding.standard.text(of: entry.prompt, at: row.offset) }
            }
        case .validate:
            _ = try? Validator(promptDecoding: .standard).validate(MemorySource(bytes))
        case .prompt:
            guard bytes.count >= 2 else { return }
            let length = Int(bytes[0] & 0x7F) << 8 | Int(bytes[1])
            let method: PromptMethod = bytes[0] & 0x80 != 0 ? .builtinForm : .modelCoded
            let chunk = PromptChunk(method: method, decodedLength: length, payload: Array(bytes.dropFirst(2)))
            _ = try? PromptDecoding.standard.text(of: chunk, at: 0)
        case .thumbnail:
            guard bytes.count >= 3 else { return }
            let width = Int(bytes[1]) + 1, height = Int(bytes[2]) + 1
            let payload = Array(bytes.dropFirst(3))
            switch bytes[0] % 5 {
            case 0: _ = try? TinyImageCodec.decode(payload, width: width, height: height, variant: .codec3)
            case 3: _ = try? TinyImageCodec.decode(payload, width: width, height: height, variant: .codec4)
            case 4: _ = try? TinyImageCodec.decode(payload, width: width, height: height, variant: .codec5)
            default: _ = try? ImageDecoder.decode(payload)
            }
        case .image:
            _ = try? ImageDecoder.decode(bytes)
        case .form:
            let text = String(decoding: bytes, as: UTF8.self)
            guard let payload = BuiltinFormCoder.encode(text) else { return }
            guard (try? BuiltinFormCoder.decode(payload, decodedLength: text.utf8.count)) == text else {
                fatalError("a built-in form does not decode to its text")
            }
        }
    }
}

#if FUZZING
private let chosen: Harness = {
    let name = getenv("GCX_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let harness = Harness(rawValue: name) else {
        fatalError("set GCX_FUZZ_TARGET to one of: \(Harness.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return harness
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    chosen.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's entry point under this name; libFuzzer's driver does the rest.
@_cdecl("gcx_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct Replay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--seeds", arguments.count == 2 {
            try Seeds.write(to: arguments[1])
            return
        }
        guard let name = arguments.first, let harness = Harness(rawValue: name) else {
            print("usage: gcx-fuzz TARGET FILE...   (replays inputs; targets: \(Harness.allCases.map(\.rawValue).joined(separator: " ")))")
            print("       gcx-fuzz --seeds DIR      (writes seed corpora for prompt, thumbnail and form)")
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else { print("cannot read \(path)"); exit(2) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buffer, 1, buffer.count, file)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            fclose(file)
            harness.run(bytes)
            print("ok \(path)")
        }
    }
}
#endif

/// Seed inputs the harnesses cannot take from fixtures/ as they are.
enum Seeds {
    static func write(to directory: String) throws {
        func save(_ bytes: [UInt8], _ name: String) {
            let path = directory + "/" + name
            guard let file = fopen(path, "wb") else { return }
            _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
        mkdir(directory, 0o755)
        mkdir(directory + "/prompt", 0o755)
        mkdir(directory + "/thumbnail", 0o755)
        mkdir(directory + "/form", 0o755)
        for (i, text) in BuiltinFormCoder.primingTexts.enumerated() where i % 4 == 0 { save(Array(text.utf8), "form/builtin\(i)") }
        let texts = ["", "Top-left: pale grey sky.", "Type: photograph. Style: natural. Lighting: soft daylight. Palette: grey, green.\nTop-left: sky.\nTop-center: sky.",
                     "Ünïcödé and 日本語 text\u{1}"]
        // Model 2's payloads as seed0..., the later models' as model3-seed0...: one mutated byte
        // turns a model id into another.
        for modelID in 2...PromptCoder.currentModelID {
            for (i, text) in texts.enumerated() {
                let chunk = PromptChunk.modelCoded(text, modelID: modelID)
                let name = modelID == 2 ? "prompt/seed\(i)" : "prompt/model\(modelID)-seed\(i)"
                save([UInt8(chunk.decodedLength >> 8), UInt8(chunk.decodedLength & 255)] + chunk.payload, name)
            }
        }
        // Method 2: a text in the built-in describer's form (a training text, so it is in the form).
        if let text = BuiltinFormCoder.primingTexts.first, let chunk = PromptChunk.builtinForm(text) {
            save([UInt8(0x80 | chunk.decodedLength >> 8), UInt8(chunk.decodedLength & 255)] + chunk.payload, "prompt/form0")
        }
        for (i, (width, height, quantizer)) in [(12, 8, 20), (48, 32, 40), (1, 1, 0), (96, 64, 55)].enumerated() {
            var pixels: [UInt8] = []
            for y in 0..<height { for x in 0..<width { pixels += [UInt8(x * 5 & 255), UInt8(y * 7 & 255), UInt8((x + y) * 3 & 255)] } }
            let payload = TinyImageCodec.encode(pixels, width: width, height: height, quantizer: quantizer, variant: .codec3)
            save([0, UInt8(width - 1), UInt8(height - 1)] + payload, "thumbnail/tiny\(i)")
            let payload4 = TinyImageCodec.encode(pixels, width: width, height: height, quantizer: quantizer, variant: .codec4)
            save([3, UInt8(width - 1), UInt8(height - 1)] + payload4, "thumbnail/tiny4-\(i)")
            let payload5 = TinyImageCodec.encode(pixels, width: width, height: height, quantizer: quantizer, variant: .codec5)
            save([4, UInt8(width - 1), UInt8(height - 1)] + payload5, "thumbnail/tiny5-\(i)")
            let image = RGBImage(width: width, height: height, pixels: pixels)
            if let png = try? PNGEncoder.encode(image) { save([1, UInt8(width - 1), UInt8(height - 1)] + png, "thumbnail/png\(i)") }
            if let jpeg = try? JPEGEncoder.encode(image, quality: 50) { save([2, UInt8(width - 1), UInt8(height - 1)] + jpeg, "thumbnail/jpeg\(i)") }
        }
    }
}
