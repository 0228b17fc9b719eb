import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet
import GCXRasterScan

@Suite struct CaptionerTests {
    let key = APIKey(Fixtures.key)!

    @Test func captionsReturnedExactly() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["captions": Fixtures.captions],
                                    arguments: ["--key", Fixtures.key])
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key, model: "gpt-4o",
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let png = makePNG(width: 48, height: 32)
        for expected in Fixtures.captions {
            let result = try await RasterScan.caption { followUp in
                try await captioner.describe(imageBytes: png, mimeType: "image/png", instruction: Fixtures.instruction,
                                       followUp: followUp.map { ($0.previousAnswer, $0.message) })
            }
            #expect(result.text == expected)
            #expect(result.followsLayout && !result.usedReminder)
        }
        let log = server.log()
        #expect(log.count == 2)
        let first = try #require(log.first)
        #expect(first["path"] as? String == "/v1/chat/completions")
        #expect(first["auth"] as? String == "ok")
        let fields = try #require(first["fields"] as? [String: Any])
        #expect(fields["model"] as? String == "gpt-4o")
        let messages = try #require(fields["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        let parts = try #require(messages[0]["parts"] as? [[String: Any]])
        #expect(parts.count == 2)
        #expect(parts[0]["text"] as? String == Fixtures.instruction)
        #expect(parts[1]["mime"] as? String == "image/png")
        #expect(parts[1]["width"] as? Int == 48 && parts[1]["height"] as? Int == 32)
    }

    @Test func captionsFromTheSharedCorpusInRequestOrder() async throws {
        let corpus = try #require(Fixtures.sharedCorpus, Fixtures.missingCorpus)
        let expected = try String(contentsOf: corpus, encoding: .utf8).split(separator: "\n").prefix(3).map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["prompt"] as! String
        }
        let server = try FakeServer("openai_server.py", behaviour: ["captions_jsonl": corpus.path])
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        for text in expected {
            let answer = try await captioner.describe(imageBytes: makePNG(width: 4, height: 4),
                                                mimeType: "image/png", instruction: "describe")
            #expect(answer == text)
        }
    }

    @Test func layoutRetriedOnceWithReminder() async throws {
        let server = try FakeServer("openai_server.py",
                                    behaviour: ["captions": [Fixtures.badCaption, Fixtures.captions[1]]],
                                    arguments: ["--key", Fixtures.key])
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let png = makePNG(width: 8, height: 8)
        let result = try await RasterScan.caption { followUp in
            try await captioner.describe(imageBytes: png, mimeType: "image/png", instruction: Fixtures.instruction,
                                   followUp: followUp.map { ($0.previousAnswer, $0.message) })
        }
        #expect(result == RasterScan.Caption(text: Fixtures.captions[1], followsLayout: true, usedReminder: true))
        let log = server.log()
        #expect(log.count == 2)
        let second = try #require((log.last?["fields"] as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(second.map { $0["role"] as? String } == ["user", "assistant", "user"])
        #expect(second[1]["text"] as? String == Fixtures.badCaption)
        #expect(second[2]["text"] as? String == RasterScan.reminder)
    }

    @Test func secondBadAnswerIsReturnedWithWarning() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["caption_text": Fixtures.badCaption])
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let png = makePNG(width: 8, height: 8)
        let result = try await RasterScan.caption { followUp in
            try await captioner.describe(imageBytes: png, mimeType: "image/png", instruction: Fixtures.instruction,
                                   followUp: followUp.map { ($0.previousAnswer, $0.message) })
        }
        #expect(result == RasterScan.Caption(text: Fixtures.badCaption, followsLayout: false, usedReminder: true))
        #expect(server.log().count == 2)
    }

    @Test func mismatchedMimeTypeIsRejectedWithTheServersMessage() async throws {
        let server = try FakeServer("openai_server.py")
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: key,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let error = try await #require(throws: BackendError.self) {
            try await captioner.describe(imageBytes: makePNG(width: 8, height: 8), mimeType: "image/jpeg", instruction: "x")
        }
        #expect(error.status == 400 && error.attempts == 1)
        #expect(error.description.contains("/v1/chat/completions"))
        #expect(error.serverMessage.contains("image data is png"))
    }
}
