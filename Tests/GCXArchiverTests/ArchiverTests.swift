import Foundation
import Synchronization
import Testing
import GCX
import GCXPromptCoder
import GCXArchiver
import GCXFileIO
import SystemPackage
import GCXImage
import GCXThumbnailCodec
import GCXTestSupport

@Suite struct ArchiverLibraryTests {
    static let datasets = SharedData.datasets

    @Test func entryRecordsTheOriginalFileAndItsThumbnail() async throws {
        let path = Self.datasets + "/kodak/kodim04.png"
        var options = PackOptions()
        options.thumbnail = .tiny(.codec5, .fixedScale(16, budget: ThumbnailPolicy.defaultBudget))
        let entry = try await EntryBuilder(options: options).entry(for: PackInput(path: FilePath(path), name: "kodim04.png")).entry
        let bytes = try FileSource.readAll(FilePath(path))
        #expect(entry.source.width == 512 && entry.source.height == 768)
        #expect(entry.source.originalSize == UInt64(bytes.count))
        #expect(entry.source.contentHash == SHA256.hash(bytes))
        #expect(entry.thumbnail?.width == 32 && entry.thumbnail?.height == 48)
        #expect(entry.captioner?.kind == .builtin)
        let text = try PromptDecoding.standard.text(of: entry.prompt, at: 0)
        #expect(text.split(separator: "\n").count == 11)
        #expect(entry.prompt.method == .builtinForm && entry.prompt.payload.count < text.utf8.count / 20)
    }

    @Test func sidecarMatchesNamesFileNamesAndPathSuffixes() async throws {
        let file = NSTemporaryDirectory() + "sidecar-\(UUID().uuidString).jsonl"
        try """
            {"image": "a/b.png", "prompt": "exact"}
            {"image": "c.png", "prompt": "by file name"}
            {"image": "clic/d.png", "prompt": "by suffix"}

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let sidecar = try PromptSidecar(path: FilePath(file))
        #expect(try sidecar.prompt(for: PackInput(path: "x", name: "a/b.png")) == "exact")
        #expect(try sidecar.prompt(for: PackInput(path: "x", name: "deep/c.png")) == "by file name")
        #expect(try sidecar.prompt(for: PackInput(path: "x", name: "d.png")) == "by suffix")
        #expect(try sidecar.prompt(for: PackInput(path: "x", name: "e.png")) == nil)

        try "{\"image\": 3}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect { try PromptSidecar(path: FilePath(file)) } throws: { "\($0)".contains(":1") }
    }

    @Test(arguments: [("a.jpg", "a.png"), ("dir/IMG.2.JPG", "dir/IMG.2.png"), ("noext", "noext.png"), ("d.x/.hidden", "d.x/.hidden.png")])
    func reconstructionPathReplacesTheExtension(name: String, expected: String) {
        #expect(Extractor.relativePath(for: name, item: .reconstruction) == expected)
    }

    /// README "A collection on several machines": part K holds the names whose SHA-256's first 8
    /// bytes, as a big-endian integer, are K - 1 modulo N (a.jpg: 0x509b0d4641a7c3ba).
    @Test func shardsFollowTheDocumentedRule() throws {
        let value: UInt64 = 0x509b_0d46_41a7_c3ba
        for count in [1, 2, 3, 8, 1000, 65_536] {
            let part = Int(value % UInt64(count)) + 1
            for index in 1...min(count, 8) {
                #expect(try #require(Shard("\(index)/\(count)")).contains("a.jpg") == (index == part), "\(index)/\(count)")
            }
            #expect(try #require(Shard("\(part)/\(count)")).contains("a.jpg"))
        }
        #expect(Shard("0/3") == nil && Shard("4/3") == nil && Shard("1/65537") == nil && Shard("1/") == nil)
    }

    @Test func inputsFromFoldersAreNamedRelativeToTheFolder() async throws {
        let root = NSTemporaryDirectory() + "inputs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/sub/.hidden", withIntermediateDirectories: true)
        for file in ["b.png", "sub/a.JPG", "sub/.hidden/c.png", "notes.txt", ".d.png"] {
            _ = FileManager.default.createFile(atPath: root + "/" + file, contents: Data([1]))
        }
        let collected = InputCollector.collect([root, root + "/notes.txt"])
        #expect(collected.inputs.map(\.name) == ["b.png", "sub/a.JPG", "notes.txt"])
        #expect(collected.failures.isEmpty)
        let missing = InputCollector.collect([root + "/nope"])
        #expect(missing.failures.count == 1)
    }

    /// A shard with no photos still writes its part; an ordinary pack of nothing writes nothing.
    @Test func anEmptyPartIsWrittenOnlyWhenAsked() async throws {
        let root = NSTemporaryDirectory() + "empty-part-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let nothing = try await Packer(archive: FilePath(root + "/none.gcx"), options: PackOptions(), mode: .create).run([])
        #expect(!nothing.wroteArchive && !FileSystem.exists(FilePath(root + "/none.gcx")))
        let part = try await Packer(archive: FilePath(root + "/part.gcx"), options: PackOptions(), mode: .create, writesEmptyArchive: true).run([])
        #expect(part.wroteArchive && part.entryCount == 0)
        let reader = try ArchiveReader(source: FileSource(FilePath(root + "/part.gcx")))
        #expect(reader.rows.isEmpty)
    }
}

/// A generator that paints a flat grey picture of its own size and counts its calls.
final class CountingGenerator: Generator {
    private let count = Mutex(0)
    var calls: Int { count.withLock { $0 } }
    var metadata: GeneratorMetadata { GeneratorMetadata(kind: .a1111, model: "test-model", endpointStyle: "sdapi-v1", seed: 7) }
    var label: String { "counting test generator" }
    func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage {
        count.withLock { $0 += 1 }
        return RGBImage(width: 100, height: 60, pixels: [UInt8](repeating: 128, count: 100 * 60 * 3))
    }
}

@Suite struct ReconstructionTests {
    @Test func everyGeneratorsOutputIsResizedMadeConsistentAndCached() async throws {
        let directory = NSTemporaryDirectory() + "recon-\(UUID().uuidString)"
        let archive = directory + "/a.gcx"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try ArchiveFileWriter(path: FilePath(archive), mode: .create)
        let input = PackInput(path: FilePath(ArchiverLibraryTests.datasets + "/kodak/kodim05.png"), name: "kodim05.png")
        let entry = try await EntryBuilder(options: PackOptions()).entry(for: input).entry
        try writer.add(entry)
        try writer.finish()

        let generator = CountingGenerator()
        let cache = ReconstructionCache(directory: FilePath(directory + "/cache"))
        let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
        for round in 0..<2 {
            let output = try ConfinedFolder(root: FilePath(directory + "/out\(round)"), existing: .refuse)
            let result = await Extractor(reader: reader, output: output, items: [.reconstruction], generator: generator, cache: cache).run(reader.rows)
            #expect(result.failures.isEmpty, "\(result.failures)")
            #expect(generator.calls == 1, "round \(round): the second extraction must come from the cache")
            let image = try ImageDecoder.decode(try FileSource.readAll(FilePath(directory + "/out\(round)/kodim05.png"))).image
            #expect(image.width == 768 && image.height == 512)
            let thumbnail = try Reconstruction.decodeThumbnail(entry.thumbnail!)
            #expect(try ImageMetrics.psnr(try Thumbnailer.downsample(image, scale: 8), thumbnail) >= 45)
        }
        let cached = try FileManager.default.subpathsOfDirectory(atPath: directory + "/cache").filter { $0.hasSuffix(".png") }
        #expect(cached.count == 1)
    }
}

@Suite struct SizeBombTests {
    /// A few hundred bytes claiming a 65,535 × 65,535 photo are refused before any pixel is allocated.
    @Test func hugeClaimedSizesAreRefused() async throws {
        let source = SourceMetadata(name: "bomb.png", width: 65_535, height: 65_535, originalSize: 1, contentHash: [UInt8](repeating: 0, count: 32))
        let size = Thumbnail.size(forSourceWidth: 65_535, height: 65_535, scale: 1)
        let thumbnail = Thumbnail(codec: .png, scale: 1, width: size.width, height: size.height, payload: [])
        let entry = Entry(source: source, mode: .multimodal, prompt: .stored("x"), thumbnail: thumbnail)
        await #expect { try await Reconstruction.reconstruct(entry, prompt: "x", generator: BuiltinGenerator()) } throws: { "\($0)".contains("at most") }
        #expect { try Reconstruction.decodeThumbnail(thumbnail) } throws: { "\($0)".contains("at most") }
    }
}

@Suite struct TinyCodecOnPhotosTests {
    /// Codec 5 differs from codec 4 only in its contexts (spec C.10): at the same quantiser both code
    /// the same values and decode to the same pixels, and on photos the codec was not trained on
    /// (Kodak) codec 5 needs fewer bytes for them.
    @Test func codec5CodesTheSameValuesInFewerBytes() throws {
        var bytes4 = 0, bytes5 = 0
        for name in ["kodim01", "kodim07", "kodim13", "kodim19", "kodim23"] {
            let path = ArchiverLibraryTests.datasets + "/kodak/\(name).png"
            let small = try Thumbnailer.downsample(try ImageDecoder.decode(try FileSource.readAll(FilePath(path))).image, scale: 8)
            for quantizer in [20, 30, 40] {
                let four = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, quantizer: quantizer, variant: .codec4)
                let five = TinyImageCodec.encode(small.pixels, width: small.width, height: small.height, quantizer: quantizer, variant: .codec5)
                #expect(try TinyImageCodec.decode(four, width: small.width, height: small.height, variant: .codec4)
                        == TinyImageCodec.decode(five, width: small.width, height: small.height, variant: .codec5), "\(name) q\(quantizer)")
                bytes4 += four.count
                bytes5 += five.count
            }
        }
        print("kodak at 1/8, q 20, 30, 40: codec 4 \(bytes4) B, codec 5 \(bytes5) B")
        #expect(bytes5 * 100 < bytes4 * 98, "codec 4 \(bytes4) B, codec 5 \(bytes5) B")
    }
}

@Suite struct ThumbnailPolicyTests {
    static let photo: RGBImage = {
        var pixels: [UInt8] = []
        for y in 0..<100 { for x in 0..<150 { pixels += [UInt8((x * 3 + y) & 255), UInt8((y * 2) & 255), UInt8((x ^ y) & 255)] } }
        return RGBImage(width: 150, height: 100, pixels: pixels)
    }()

    /// Each policy gives the thumbnail it names: its codec, its scale, its size rule.
    @Test func eachPolicyMakesTheThumbnailItNames() throws {
        #expect(try EntryBuilder.thumbnail(of: Self.photo, policy: .none) == nil)
        #expect(ThumbnailPolicy.none.mode == .text && ThumbnailPolicy.standard.mode == .multimodal)
        let jpeg = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .jpeg(scale: 16, quality: 50)))
        #expect(jpeg.codec == .jpeg && jpeg.scale == 16 && (jpeg.width, jpeg.height) == (10, 7))
        let png = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .png(scale: 8)))
        #expect(png.codec == .png && (png.width, png.height) == (19, 13))
        let fitted = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .tiny(.codec4, .fixedScale(8, budget: 60))))
        #expect(fitted.codec == .tiny4 && fitted.scale == 8 && fitted.payload.count <= 60)
        let coarse = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .tiny(.codec5, .fixedQuantizer(TinyImageCodec.maxQuantizer, scale: 8))))
        let fine = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .tiny(.codec5, .fixedQuantizer(0, scale: 8))))
        #expect(coarse.codec == .tiny && coarse.payload.count < fine.payload.count)
        let auto = try #require(try EntryBuilder.thumbnail(of: Self.photo, policy: .tiny(.codec3, .autoScale(budget: 100, tradeoff: nil))))
        #expect(auto.codec == .tiny3 && auto.payload.count <= 100)
        #expect(TinyThumbnailScale.candidates(width: 150, height: 100, budget: 100).contains(auto.scale))
    }

    /// --thumbnail-quality's 1-100 onto the quantiser: 100 the finest, 1 the coarsest.
    @Test func qualityMapsOntoTheQuantiserEnds() {
        #expect(ThumbnailPolicy.tinyQuantizer(quality: 100) == 0)
        #expect(ThumbnailPolicy.tinyQuantizer(quality: 1) == TinyImageCodec.maxQuantizer)
        #expect(ThumbnailPolicy.tinyQuantizer(quality: 0) == TinyImageCodec.maxQuantizer, "clamped")
    }
}
