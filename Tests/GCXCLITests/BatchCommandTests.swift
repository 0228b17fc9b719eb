import Foundation
import Testing
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXImage
import GCXTestSupport
import SystemPackage

/// `pack --batch` against the fake OpenAI server's Batch API (files, batches, file content),
/// which validates every input line as the live endpoint validates a request.
@Suite struct BatchCommandTests {
    static let key = BackendCommandTests.key

    struct Setup {
        let directory: String
        let photos: String
        let archive: String
        let server: FakeServer

        func pack(_ extra: [String] = [], server other: FakeServer? = nil) throws -> CLI.Result {
            try CLI.run(["pack", photos, "-o", archive, "--captioner", "openai", "--base-url", (other ?? server).openAIBaseURL, "--json"] + extra,
                        environment: ["OPENAI_API_KEY": BatchCommandTests.key])
        }

        var stateFile: String { archive + ".batch" }
        func names() throws -> [String] { try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name) }
        func paths() -> [String] { server.log().compactMap { ($0["method"] as? String ?? "") + " " + ($0["path"] as? String ?? "") } }
    }

    static func setup(photos count: Int, batch: [String: Any]) throws -> Setup {
        let directory = try CLI.temporaryDirectory()
        let photos = try BackendCommandTests.smallPhotos(count, in: directory + "/photos")
        let server = try FakeServer("openai_server.py", behaviour: ["batch": batch], arguments: ["--key", key])
        return Setup(directory: directory, photos: photos, archive: directory + "/a.gcx", server: server)
    }

    @Test func submitPollCompleteThenTheFailuresByALaterAppend() throws {
        let s = try Self.setup(photos: 6, batch: ["polls": 1, "fail_lines": [1, 4]])
        // Submit: one upload, one batch, recorded beside the archive (never the key); no archive yet.
        let sent = try s.pack(["--batch"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("sent 6 photo(s) in batch batch_fake1"))
        #expect(s.paths() == ["POST /v1/files", "POST /v1/batches"])
        let upload = try #require(s.server.log().first?["fields"] as? [String: Any])
        #expect(upload["purpose"] as? String == "batch")
        let created = try #require(s.server.log().last?["fields"] as? [String: Any])
        #expect(created["endpoint"] as? String == "/v1/chat/completions" && created["completion_window"] as? String == "24h")
        let state = try String(contentsOfFile: s.stateFile, encoding: .utf8)
        #expect(state.contains("batch_fake1") && !state.contains(Self.key))
        #expect(!FileManager.default.fileExists(atPath: s.archive))
        // A second --batch without --append does not send the photos twice.
        #expect(try s.pack(["--batch"]).status == 2)

        // Poll while in progress: nothing packed, the batch still recorded.
        let polled = try s.pack(["--batch", "--append"])
        #expect(polled.status == 0, "\(polled.stderr)")
        #expect(polled.stdout.contains("in_progress"))
        #expect(FileManager.default.fileExists(atPath: s.stateFile) && !FileManager.default.fileExists(atPath: s.archive))

        // Complete: the answers packed, the two failed requests reported with the server's message.
        let collected = try s.pack(["--batch", "--append"])
        #expect(collected.status == 1, "\(collected.stderr)")
        let report = try #require(collected.json as? [String: Any])
        let failed = try #require(report["failed"] as? [[String: Any]])
        #expect(Set(failed.compactMap { $0["input"] as? String }) == ["p01.png", "p04.png"])
        #expect(failed.allSatisfy { ($0["error"] as? String ?? "").contains("The server had an error while processing your request") })
        #expect(collected.stderr.contains("--append --batch to send the failed photos in a new batch"))
        #expect(try s.names() == ["p00.png", "p02.png", "p03.png", "p05.png"])
        #expect(!FileManager.default.fileExists(atPath: s.stateFile))
        let contents = s.paths().filter { $0.hasSuffix("/content") }
        #expect(contents.count == 2, "the output and the error file: \(contents)")
        let entry = try ArchiveReader(source: FileSource(FilePath(s.archive))).entry(named: "p00.png")
        #expect(entry.captioner == CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1))
        #expect(try PromptDecoding.standard.text(of: entry.prompt, at: 0).hasPrefix("Type: photograph."))

        // The failures completed later: live, by --append without --batch.
        let live = try s.pack(["--append"])
        #expect(live.status == 0, "\(live.stderr)")
        #expect(try s.names() == ["p00.png", "p02.png", "p03.png", "p05.png", "p01.png", "p04.png"])
        #expect(s.server.log().filter { $0["path"] as? String == "/v1/chat/completions" }.count == 2)
        #expect(try CLI.run(["validate", s.archive]).status == 0)
    }

    @Test func anExpiredBatchIsReportedAndItsRestSentAgain() throws {
        let s = try Self.setup(photos: 4, batch: ["polls": 0, "outcome": "expired", "done_lines": 1])
        #expect(try s.pack(["--batch"]).status == 0)
        let collected = try s.pack(["--batch", "--append"])
        #expect(collected.status == 1)
        #expect(collected.stderr.contains("batch batch_fake1 expired"))
        let failed = try #require((collected.json as? [String: Any])?["failed"] as? [[String: Any]])
        #expect(failed.count == 3)
        #expect(failed.allSatisfy { ($0["error"] as? String ?? "").contains("could not be executed before the completion window expired") })
        #expect(try s.names() == ["p00.png"])

        // Sent again (to a server whose batches complete): only the three still missing.
        let again = try FakeServer("openai_server.py", behaviour: ["batch": ["polls": 0]], arguments: ["--key", Self.key])
        let resent = try s.pack(["--batch", "--append"], server: again)
        #expect(resent.status == 0, "\(resent.stderr)")
        #expect(resent.stdout.contains("sent 3 photo(s)"))
        #expect(try s.pack(["--batch", "--append"], server: again).status == 0)
        #expect(try s.names() == ["p00.png", "p01.png", "p02.png", "p03.png"])
    }

    @Test(arguments: [("failed", "The batch input file is invalid."), ("cancelled", "the batch was cancelled")])
    func failedAndCancelledBatchesAreReported(outcome: String, message: String) throws {
        let s = try Self.setup(photos: 3, batch: ["polls": 0, "outcome": outcome, "done_lines": 1])
        #expect(try s.pack(["--batch"]).status == 0)
        let collected = try s.pack(["--batch", "--append"])
        #expect(collected.status == 1)
        #expect(collected.stderr.contains("batch batch_fake1 \(outcome)"))
        #expect(collected.stderr.contains(message), "\(collected.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.stateFile))
        // Whatever ran before the end is packed; nothing else.
        let packed = FileManager.default.fileExists(atPath: s.archive) ? try s.names() : []
        #expect(packed == (outcome == "cancelled" ? ["p00.png"] : []))
    }

    @Test func waitPollsUntilTheBatchIsDone() throws {
        let s = try Self.setup(photos: 2, batch: ["polls": 2])
        #expect(try s.pack(["--batch"]).status == 0)
        let waited = try s.pack(["--batch", "--append", "--wait", "--poll-interval", "1"])
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stderr.components(separatedBy: "polling again in 1 s").count == 3, "two polls in progress, then done")
        #expect(try s.names() == ["p00.png", "p01.png"])
    }

    @Test func aPhotoChangedSinceItWasSentIsNotGivenTheAnswer() throws {
        let s = try Self.setup(photos: 2, batch: ["polls": 0])
        #expect(try s.pack(["--batch"]).status == 0)
        _ = try BackendCommandTests.smallPhotos(1, in: s.directory + "/other")
        try FileManager.default.removeItem(atPath: s.photos + "/p01.png")
        try FileManager.default.copyItem(atPath: s.directory + "/other/p00.png", toPath: s.photos + "/p01.png")
        let collected = try s.pack(["--batch", "--append"])
        #expect(collected.status == 1)
        #expect(collected.stderr.contains("changed since the batch was sent"))
        #expect(try s.names() == ["p00.png"])
    }
}
