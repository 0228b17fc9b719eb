import Foundation
import Testing
@testable import GCXNet
import GCXRasterScan

@Suite struct RasterScanLayoutTests {
    @Test(arguments: Fixtures.captions)
    func realisticAnswersFollow(_ text: String) {
        #expect(RasterScan.follows(text))
        #expect(RasterScan.follows(text.replacingOccurrences(of: "\n", with: "\r\n") + "\n"))
    }

    @Test func sharedCorpusFollows() throws {
        let url = try #require(Fixtures.sharedCorpus, Fixtures.missingCorpus)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let prompt = try #require(object["prompt"] as? String)
            #expect(RasterScan.follows(prompt), "\(object["image"] ?? "")")
        }
    }

    @Test(arguments: [
        Fixtures.badCaption,
        "",
        // missing Palette on the first line
        Fixtures.captions[0].replacingOccurrences(of: "Palette:", with: "Colours:"),
        // two regions swapped
        Fixtures.captions[0].replacingOccurrences(of: "Top-left:", with: "TMP:")
            .replacingOccurrences(of: "Top-center:", with: "Top-left:").replacingOccurrences(of: "TMP:", with: "Top-center:"),
        // an extra line
        Fixtures.captions[1] + "\nNote: nothing else.",
        // markdown bold labels
        Fixtures.captions[1].replacingOccurrences(of: "Top-right:", with: "**Top-right:**"),
        // empty region
        Fixtures.captions[1].replacingOccurrences(of: "Bottom-left: moss-green meadow with yellow flowers.", with: "Bottom-left:"),
    ])
    func brokenAnswersDoNotFollow(_ text: String) {
        #expect(!RasterScan.follows(text))
    }
}

@Suite struct ImageSizeTests {
    @Test(arguments: [
        (768, 512, "gpt-image-1", "1536x1024"),
        (512, 768, "gpt-image-1", "1024x1536"),
        (1000, 1000, "gpt-image-1", "1024x1024"),
        (1100, 1000, "gpt-image-1", "1024x1024"),
        (1920, 1080, "dall-e-3", "1792x1024"),
        (1080, 1920, "dall-e-3", "1024x1792"),
        (768, 512, "dall-e-2", "1024x1024"),
        (768, 512, "gpt-image-1-mini", "1536x1024"),
        (512, 768, "some-future-model", "1024x1536"),
    ])
    func nearest(_ width: Int, _ height: Int, _ model: String, _ expected: String) {
        #expect(OpenAIImageSizes.nearest(width: width, height: height, model: model) == expected)
    }

    @Test func tables() {
        #expect(OpenAIImageSizes.sizes(for: "dall-e-2") == ["256x256", "512x512", "1024x1024"])
        #expect(OpenAIImageSizes.sizes(for: "unknown") == OpenAIImageSizes.fallback)
    }
}

@Suite struct RetryAfterTests {
    @Test func seconds() {
        #expect(RetryAfter.seconds("3") == 3)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        #expect(RetryAfter.seconds(nil) == nil)
        #expect(RetryAfter.seconds("soon") == nil)
    }

    @Test func httpDate() throws {
        let now = Date(timeIntervalSince1970: 1_445_412_480) // Wed, 21 Oct 2015 07:28:00 GMT
        let wait = try #require(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:05 GMT", now: now))
        #expect(abs(wait - 5) < 0.001)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
    }
}

@Suite struct APIKeyTests {
    @Test func fileIsTrimmedAndRedacted() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gcx-key-\(UUID().uuidString)")
        try "  \(Fixtures.key)\n\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let key = try APIKey.fromFile(url.path)
        #expect(key.secret == Fixtures.key)
        var dumped = ""
        dump(key, to: &dumped)
        for text in [key.description, key.debugDescription, String(describing: key), String(reflecting: key),
                     "\(key)", dumped, String(describing: [key]), String(describing: Optional(key))] {
            #expect(!text.contains(Fixtures.key), "\(text)")
        }
    }

    @Test func emptyAndMissingFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gcx-key-\(UUID().uuidString)")
        try " \n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: APIKeyError.self) { try APIKey.fromFile(url.path) }
        #expect(throws: APIKeyError.self) { try APIKey.fromFile(url.path + ".missing") }
        #expect(APIKey.fromEnvironment("GCX_SURELY_UNSET_VARIABLE") == nil)
    }
}

@Suite struct ServerMessageTests {
    @Test func shapes() {
        let openAI = #"{"error": {"message": "Rate limit reached", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}"#
        #expect(ServerMessage.extract(from: Array(openAI.utf8)) == "Rate limit reached [type requests, code rate_limit_exceeded]")
        let fastAPI = #"{"detail": [{"loc": ["body", "steps"], "msg": "value is not a valid integer", "type": "type_error.integer"}]}"#
        #expect(ServerMessage.extract(from: Array(fastAPI.utf8)) == "body.steps: value is not a valid integer")
        let a1111 = #"{"error": "RuntimeError", "detail": "", "body": "", "errors": "CUDA out of memory"}"#
        #expect(ServerMessage.extract(from: Array(a1111.utf8)) == "CUDA out of memory: RuntimeError")
        #expect(ServerMessage.extract(from: Array("<html>Bad Gateway</html>".utf8)) == "<html>Bad Gateway</html>")
    }
}
