import Foundation
import Testing
import GCX
import GCXArchiver
import GCXImage
import GCXNet
import GCXTestSupport
import SystemPackage

@Suite struct BatchCaptioningTests {
    /// Photos beyond one input file's limits go out in several batches, each recorded as it is
    /// created, and every answer comes back under its own photo's name.
    @Test func photosBeyondOneFilesLimitGoInSeveralBatches() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gcx-batch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var inputs: [PackInput] = []
        for number in 0..<5 {
            let png = try PNGEncoder.encode(RGBImage(width: 16, height: 12, fill: (UInt8(number * 40), 90, 200)))
            let path = folder + "/p\(number).png"
            try Data(png).write(to: URL(fileURLWithPath: path))
            inputs.append(PackInput(path: FilePath(path), name: "p\(number).png"))
        }
        let server = try FakeServer("openai_server.py", behaviour: ["batch": ["polls": 0], "captions": ["zero", "one", "two", "three", "four"]],
                                    arguments: ["--key", "sk-batch-test"])
        let key = APIKey("sk-batch-test")
        let client = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key)
        var captioning = BatchCaptioning(backend: OpenAICaptioner(client: client, maxSide: 64),
                                         batches: OpenAIBatchClient(baseURL: server.openAIBaseURL, apiKey: key))
        captioning.maxRequestsPerFile = 2
        let statePath = FilePath(folder + "/a.gcx.batch")
        let (state, failures) = try await captioning.submit(inputs, statePath: statePath)
        #expect(failures.isEmpty)
        #expect(state.batchIDs == ["batch_fake1", "batch_fake2", "batch_fake3"])
        #expect(try CaptionBatch.load(statePath) == state)
        #expect(state.requests.map(\.name) == inputs.map(\.name))
        #expect(Set(state.requests.map(\.customID)).count == 5)

        let collection = try await captioning.collect(state)
        #expect(collection.isFinished && collection.failures.isEmpty)
        // The fake server answers its k-th chat request with captions[k]; batches run in order.
        #expect(collection.answers == ["p0.png": "zero", "p1.png": "one", "p2.png": "two", "p3.png": "three", "p4.png": "four"])
    }

    @Test func resultLinesOfEveryKindAreRead() {
        let jsonl = """
            {"id":"r1","custom_id":"a","response":{"status_code":200,"request_id":"q","body":{"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}},"error":null}
            {"id":"r2","custom_id":"b","response":{"status_code":429,"request_id":"q","body":{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}},"error":null}
            {"id":"r3","custom_id":"c","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}
            not json

            """
        let results = OpenAIBatchClient.results(in: Array(jsonl.utf8), file: "file-x")
        #expect(results.count == 4)
        #expect(results[0] == .init(customID: "a", outcome: .answer("hello")))
        #expect(results[1].customID == "b" && results[1].outcome == .failure("HTTP 429: slow down [type requests, code rate_limit_exceeded]"))
        #expect(results[2].outcome == .failure("This request could not be executed before the completion window expired. [code batch_expired]"))
        #expect(results[3] == .init(customID: nil, outcome: .failure("line 4 of file-x is not a batch result")))
    }
}

@Suite struct BatchPackTests {
    static func run(archive: FilePath, appending: Bool) -> BatchPack {
        // Nothing listens here: the refusals below must come before any request.
        let base = "http://127.0.0.1:9/v1", key = APIKey("sk-unused")
        let captioning = BatchCaptioning(backend: OpenAICaptioner(client: OpenAICaptionClient(baseURL: base, apiKey: key), maxSide: 64),
                                         batches: OpenAIBatchClient(baseURL: base, apiKey: key))
        return BatchPack(archive: archive, captioning: captioning, appending: appending)
    }

    /// A run that would lose or ignore something refuses before it sends anything: an archive is
    /// there and not to be added to, or a batch is recorded and not to be collected.
    @Test func refusesWhatItMayNotTouch() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gcx-batchpack-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let archive = FilePath(folder + "/a.gcx")
        try Data().write(to: URL(fileURLWithPath: archive.string))
        await #expect(throws: BatchPack.Refusal.archiveExists(archive)) {
            try await Self.run(archive: archive, appending: false).step([PackInput(path: "/x.png", name: "x.png")])
        }
        try CaptionBatch(baseURL: "http://127.0.0.1:9/v1", model: "m").save(CaptionBatch.path(for: archive))
        await #expect(throws: BatchPack.Refusal.batchNotCollected(statePath: FilePath(archive.string + ".batch"))) {
            try await Self.run(archive: archive, appending: false).step([])
        }
        #expect(Self.run(archive: archive, appending: true).statePath == CaptionBatch.path(for: archive))
    }
}

