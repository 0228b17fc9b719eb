import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet

@Suite struct OpenAIImageGeneratorTests {
    let key = APIKey(Fixtures.key)!

    func generator(_ server: FakeServer, model: String = "gpt-image-1", quality: String? = "high",
                   inputFidelity: String? = "high") -> OpenAIImageClient {
        OpenAIImageClient(baseURL: server.openAIBaseURL, apiKey: key, model: model, quality: quality,
                             inputFidelity: inputFidelity, client: HTTPClient(options: Fixtures.fastOptions()))
    }

    @Test func editSendsMultipartTheStrictServerAccepts() async throws {
        let server = try FakeServer("openai_server.py", arguments: ["--key", Fixtures.key])
        let size = OpenAIImageSizes.nearest(width: 768, height: 512, model: "gpt-image-1")
        let png = try await generator(server).edit(imagePNG: makePNG(width: 96, height: 64), prompt: Fixtures.captions[0], size: size)
        #expect(pngSize(png)! == (1536, 1024))
        let entry = try #require(server.log().first)
        #expect(entry["status"] as? Int == 200 && entry["auth"] as? String == "ok")
        #expect((entry["content_type"] as? String)?.hasPrefix("multipart/form-data; boundary=") == true)
        let fields = try #require(entry["fields"] as? [String: Any])
        #expect(fields["model"] as? String == "gpt-image-1")
        #expect(fields["prompt"] as? String == Fixtures.captions[0])
        #expect(fields["size"] as? String == "1536x1024")
        #expect(fields["quality"] as? String == "high")
        #expect(fields["input_fidelity"] as? String == "high")
        #expect(fields["n"] as? String == "1")
        let image = try #require(fields["image"] as? [String: Any])
        #expect(image["width"] as? Int == 96 && image["height"] as? Int == 64)
        #expect(image["content_type"] as? String == "image/png")
    }

    @Test func dallE2EditOmitsInputFidelityAndAsksForBase64() async throws {
        let server = try FakeServer("openai_server.py")
        let png = try await generator(server, model: "dall-e-2", quality: nil)
            .edit(imagePNG: makePNG(width: 32, height: 32), prompt: "a house", size: "512x512")
        #expect(pngSize(png)! == (512, 512))
        let fields = try #require(server.log().first?["fields"] as? [String: Any])
        #expect(fields["input_fidelity"] == nil)
        #expect(fields["response_format"] as? String == "b64_json")
    }

    @Test func generationsSendJSON() async throws {
        let server = try FakeServer("openai_server.py", arguments: ["--key", Fixtures.key])
        let png = try await generator(server).generate(prompt: Fixtures.captions[1], size: "1024x1536")
        #expect(pngSize(png)! == (1024, 1536))
        let dalle = try await generator(server, model: "dall-e-3", quality: "hd").generate(prompt: "x", size: "1792x1024")
        #expect(pngSize(dalle)! == (1792, 1024))
        let log = server.log()
        #expect(log.count == 2 && log.allSatisfy { $0["status"] as? Int == 200 })
        let fields = try #require(log.first?["fields"] as? [String: Any])
        #expect(fields["model"] as? String == "gpt-image-1")
        #expect(fields["n"] as? Int == 1)
        #expect(fields["response_format"] == nil)
    }

    @Test func disallowedSizeIsReportedNotRetried() async throws {
        let server = try FakeServer("openai_server.py")
        let error = try await #require(throws: BackendError.self) {
            try await generator(server).generate(prompt: "x", size: "1792x1024")
        }
        #expect(error.status == 400 && error.attempts == 1)
        #expect(error.serverMessage.contains("Supported values are"))
        #expect(error.description.contains("HTTP 400 from /v1/images/generations"))
        #expect(server.log().count == 1)
    }

    @Test func urlInsteadOfBase64IsAClearError() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["respond_url": true])
        let error = try await #require(throws: BackendError.self) {
            try await generator(server).generate(prompt: "x", size: "1024x1024")
        }
        #expect(error.kind == .invalidResponse)
        #expect(error.serverMessage.contains("image URL"))
    }
}

@Suite struct A1111GeneratorTests {
    @Test func img2imgAndTxt2img() async throws {
        let server = try FakeServer("a1111_server.py", arguments: ["--models", "sd_xl_base_1.0"])
        let a1111 = A1111Client(baseURL: server.baseURL, model: "sd_xl_base_1.0",
                                   client: HTTPClient(options: Fixtures.fastOptions()))
        var parameters = A1111Parameters(seed: 42, steps: 12, cfgScale: 6.5, denoisingStrength: 0.55,
                                         samplerName: "DPM++ 2M", width: 765, height: 510)
        let edited = try await a1111.img2img(initPNG: makePNG(width: 24, height: 16), prompt: Fixtures.captions[0], parameters: parameters)
        #expect(pngSize(edited)! == (768, 512))
        parameters.width = 512
        parameters.height = 768
        let drawn = try await a1111.txt2img(prompt: "a house", parameters: parameters)
        #expect(pngSize(drawn)! == (512, 768))

        let log = server.log()
        try #require(log.count == 2)
        #expect(log.map { $0["path"] as? String } == ["/sdapi/v1/img2img", "/sdapi/v1/txt2img"])
        #expect(log.allSatisfy { $0["auth"] as? String == "absent" })
        let fields = try #require(log[0]["fields"] as? [String: Any])
        #expect(fields["seed"] as? Int == 42 && fields["steps"] as? Int == 12)
        #expect(fields["cfg_scale"] as? Double == 6.5 && fields["denoising_strength"] as? Double == 0.55)
        #expect(fields["sampler_name"] as? String == "DPM++ 2M")
        #expect(fields["width"] as? Int == 768 && fields["height"] as? Int == 512)
        #expect((fields["override_settings"] as? [String: String]) == ["sd_model_checkpoint": "sd_xl_base_1.0"])
        let initImages = try #require(fields["init_images"] as? [[String: Any]])
        #expect(initImages.count == 1 && initImages[0]["width"] as? Int == 24)
        #expect((log[1]["fields"] as? [String: Any])?["denoising_strength"] == nil)
    }

    @Test func unknownCheckpointQuotesTheServer() async throws {
        let server = try FakeServer("a1111_server.py", arguments: ["--models", "sd_xl_base_1.0"])
        let a1111 = A1111Client(baseURL: server.baseURL, model: "missing.ckpt",
                                   client: HTTPClient(options: Fixtures.fastOptions(maxAttempts: 2)))
        let error = try await #require(throws: BackendError.self) {
            try await a1111.txt2img(prompt: "x", parameters: A1111Parameters())
        }
        #expect(error.status == 500 && error.attempts == 2)
        #expect(error.serverMessage.contains("model 'missing.ckpt' not found"))
        #expect(error.path == "/sdapi/v1/txt2img")
    }
}
