import Foundation
import Testing
import GCX
import GCXArchiver
import GCXFileIO
import GCXImage
import GCXTestSupport
import SystemPackage

/// What a held pack or extraction tells the test, as it happens.
enum Happening: Sendable, Equatable { case packed(String), wrote(String), holding(String), answered(String) }

/// A captioner that answers the photos it is told to at once and holds the others until the task
/// is cancelled, saying what it does with each.
private struct HoldingCaptioner: Captioner {
    let answered: Set<String>
    let tell: @Sendable (Happening) -> Void
    var metadata: CaptionerMetadata { CaptionerMetadata(kind: .sidecar) }
    var label: String { "holding captioner" }

    func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest {
        CaptionRequest(input: input)
    }

    func caption(_ request: CaptionRequest) async throws -> Caption {
        guard answered.contains(request.input.name) else {
            tell(.holding(request.input.name))
            try await Task.sleep(for: .seconds(600))
            throw CancellationError()
        }
        tell(.answered(request.input.name))
        return Caption(text: "a photo called \(request.input.name)")
    }
}

@Suite struct PackerCancellationTests {
    static let photos = ["kodim03.jpg", "kodim05.jpg", "kodim19.jpg", "kodim23.jpg"]

    static func inputs() -> [PackInput] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/photos").path
        return photos.map { PackInput(path: FilePath(folder + "/" + $0), name: $0) }
    }

    /// kodim19 waits on its captioner when the pack is cancelled, kodim23 has its caption: the
    /// archive keeps 03, 05 and 23, and appending adds 19.
    @Test func aCancelledPackKeepsEveryCompletedPhotoAndAppendAddsTheAbandonedOne() async throws {
        let folder = NSTemporaryDirectory() + "cancel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let archive = folder + "/a.gcx"
        let (happenings, tell) = AsyncStream<Happening>.makeStream()
        var options = PackOptions()
        options.requestsInFlight = 4
        options.captioner = HoldingCaptioner(answered: ["kodim03.jpg", "kodim05.jpg", "kodim23.jpg"]) { tell.yield($0) }
        let packer = Packer(archive: FilePath(archive), options: options, mode: .create)
        let inputs = Self.inputs()
        let pack = Task {
            try await packer.run(inputs) { event in
                if case .packed(let input, _, _, _) = event { tell.yield(.packed(input.name)) }
            }
        }
        // Cancelled once the first two are written, kodim19 waits and kodim23 has its caption
        // (and may still wait for a core: it must be finished all the same).
        var packed: [String] = [], holding: Set<String> = [], answered: Set<String> = []
        for await happening in happenings {
            switch happening {
            case .packed(let name): packed.append(name)
            case .holding(let name): holding.insert(name)
            case .answered(let name): answered.insert(name)
            case .wrote: break
            }
            if packed.count == 2 && holding == ["kodim19.jpg"] && answered.contains("kodim23.jpg") { break }
        }
        pack.cancel()
        let summary = try await pack.value
        #expect(summary.interrupted)
        #expect(summary.failures.isEmpty, "an abandoned photo is not a failure: \(summary.failures)")
        #expect(summary.added.map(\.name) == ["kodim03.jpg", "kodim05.jpg", "kodim23.jpg"])
        #expect(!FileManager.default.fileExists(atPath: archive))
        let partial = try ArchiveReader(source: FileSource(FilePath(archive + ".partial")), recover: true)
        #expect(partial.rows.map(\.summary.name) == ["kodim03.jpg", "kodim05.jpg", "kodim23.jpg"])

        // Appending with a captioner that answers everything adds the abandoned photo.
        options.captioner = HoldingCaptioner(answered: Set(Self.photos)) { _ in }
        let resumed = try await Packer(archive: FilePath(archive), options: options, mode: .append).run(Self.inputs())
        #expect(!resumed.interrupted && resumed.added.map(\.name) == ["kodim19.jpg"])
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name)
            == ["kodim03.jpg", "kodim05.jpg", "kodim23.jpg", "kodim19.jpg"])
    }
}

/// A generator on a "server" that answers the photos it is told to at once and holds the others
/// until the task is cancelled.
private struct HoldingGenerator: Generator {
    let answered: Set<String>
    let tell: @Sendable (Happening) -> Void
    var metadata: GeneratorMetadata { GeneratorMetadata(kind: .a1111, model: "holding", endpointStyle: "sdapi-v1", seed: 1) }
    var label: String { "holding generator" }

    func draw(prompt: String, entry: Entry, thumbnail: RGBImage?) async throws -> RGBImage {
        guard answered.contains(entry.name) else {
            tell(.holding(entry.name))
            try await Task.sleep(for: .seconds(600))
            throw CancellationError()
        }
        tell(.answered(entry.name))
        return RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 90, count: 64 * 48 * 3))
    }
}

@Suite struct ExtractorCancellationTests {
    /// kodim19's reconstruction waits on its server when the extraction is cancelled, kodim23's
    /// has arrived: every completed file is written (kodim19's prompt too, and kodim23's image),
    /// nothing is a failure, and extracting again keeping what exists writes kodim19's image only.
    @Test func aCancelledExtractionWritesEveryCompletedFileAndSkipExistingFinishesIt() async throws {
        let folder = NSTemporaryDirectory() + "cancel-extract-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let archive = folder + "/a.gcx"
        let packed = try await Packer(archive: FilePath(archive), options: PackOptions(), mode: .create).run(PackerCancellationTests.inputs())
        try #require(packed.failures.isEmpty && packed.added.count == 4)
        let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
        let out = folder + "/out"

        let (happenings, tell) = AsyncStream<Happening>.makeStream()
        let generator = HoldingGenerator(answered: ["kodim03.jpg", "kodim05.jpg", "kodim23.jpg"]) { tell.yield($0) }
        let rows = reader.rows
        let extraction = Task {
            let extractor = Extractor(reader: try ArchiveReader(source: FileSource(FilePath(archive))),
                                      output: try ConfinedFolder(root: FilePath(out), existing: .refuse),
                                      items: [.prompt, .reconstruction], cache: nil, requestsInFlight: 4) { _ in generator }
            return await extractor.run(rows) { event in
                if case .wrote(let written, _, _) = event, written.item == .reconstruction { tell.yield(.wrote(written.entry)) }
            }
        }
        var wrote: Set<String> = [], holding: Set<String> = [], answered: Set<String> = []
        for await happening in happenings {
            switch happening {
            case .wrote(let name): wrote.insert(name)
            case .holding(let name): holding.insert(name)
            case .answered(let name): answered.insert(name)
            case .packed: break
            }
            if wrote == ["kodim03.jpg", "kodim05.jpg"] && holding == ["kodim19.jpg"] && answered.contains("kodim23.jpg") { break }
        }
        extraction.cancel()
        let result = try await extraction.value
        #expect(result.interrupted)
        #expect(result.failures.isEmpty, "an abandoned item is not a failure: \(result.failures)")
        let files = Set(result.written.map { "\($0.entry) \($0.item)" })
        #expect(files == ["kodim03.jpg prompt", "kodim03.jpg reconstruction", "kodim05.jpg prompt", "kodim05.jpg reconstruction",
                          "kodim19.jpg prompt", "kodim23.jpg prompt", "kodim23.jpg reconstruction"])
        #expect(!FileSystem.exists(FilePath(out + "/kodim19.png")))

        let finishing = HoldingGenerator(answered: Set(PackerCancellationTests.photos)) { _ in }
        let resumed = await Extractor(reader: reader, output: try ConfinedFolder(root: FilePath(out), existing: .skip),
                                      items: [.prompt, .reconstruction], generator: finishing).run(rows)
        #expect(!resumed.interrupted && resumed.failures.isEmpty)
        #expect(resumed.written.map { "\($0.entry) \($0.item)" } == ["kodim19.jpg reconstruction"])
        #expect(resumed.skipped == 7)
    }
}
