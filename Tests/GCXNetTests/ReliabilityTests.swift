import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet

@Suite struct RetryTests {
    let key = APIKey(Fixtures.key)!

    func generate(_ server: FakeServer, _ options: HTTPClientOptions, prompt: String = "x") throws -> [UInt8] {
        try OpenAIImageGenerator(baseURL: server.openAIBaseURL, apiKey: key, client: HTTPClient(options: options))
            .generate(prompt: prompt, size: "1024x1024")
    }

    @Test func rateLimitWithRetryAfterIsHonoured() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "retry_after": "1",
             "message": "Rate limit reached for gpt-image-1"],
        ]])
        let png = try generate(server, Fixtures.fastOptions())
        #expect(pngSize(png) != nil)
        let log = server.log()
        try #require(log.count == 2)
        #expect(log.map { $0["status"] as? Int } == [429, 200])
        let gap = (log[1]["t_start"] as! Double) - (log[0]["t_end"] as! Double)
        #expect(gap >= 0.95, "Retry-After: 1 must be waited out, waited \(gap)")
    }

    @Test func persistentRateLimitIsReportedWithTheServersMessage() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3], "kind": "status", "status": 429, "retry_after": "0",
             "message": "Rate limit reached for gpt-image-1"],
        ]])
        let error = try #require(throws: BackendError.self) { try generate(server, Fixtures.fastOptions()) }
        #expect(error.status == 429 && error.attempts == 3)
        #expect(error.serverMessage.hasPrefix("Rate limit reached for gpt-image-1"))
        #expect(server.log().count == 3)
    }

    @Test func exhaustedQuotaIsNotRetried() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "code": "insufficient_quota",
             "message": "You exceeded your current quota, please check your plan and billing details."],
        ]])
        let error = try #require(throws: BackendError.self) { try generate(server, Fixtures.fastOptions()) }
        #expect(error.status == 429 && error.attempts == 1)
        #expect(error.serverMessage.hasPrefix("You exceeded your current quota"))
    }

    @Test func missingKeyIsReportedWithTheServersMessage() throws {
        let server = try FakeServer("openai_server.py", arguments: ["--key", Fixtures.key])
        let captioner = OpenAICaptioner(baseURL: server.openAIBaseURL, apiKey: nil,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let error = try #require(throws: BackendError.self) {
            try captioner.describe(imageBytes: makePNG(width: 4, height: 4), mimeType: "image/png", instruction: "x")
        }
        #expect(error.status == 401 && error.attempts == 1)
        #expect(error.serverMessage.hasPrefix("You didn't provide an API key"))
        #expect(server.log().first?["auth"] as? String == "missing")
    }

    @Test func attemptsNeverOutliveTheTotalBudget() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3, 4, 5], "kind": "slow", "seconds": 3],
        ]])
        var options = Fixtures.fastOptions(timeout: 10, maxAttempts: 5)
        options.maxTotalTime = 0.8
        let error = try #require(throws: BackendError.self) { try generate(server, options) }
        #expect(error.kind == .timedOut)
        // The budget ends the first 3-second attempt: no second one is started.
        #expect(error.attempts == 1)
        #expect(server.log().count <= 1)
    }

    @Test func retryAfterBeyondTheBudgetFailsAtOnce() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "retry_after": "120"],
        ]])
        var options = Fixtures.fastOptions()
        options.maxTotalTime = 5
        let error = try #require(throws: BackendError.self) { try generate(server, options) }
        // Failing at once: one request, and no wait for the 120 s the server asked for.
        #expect(error.status == 429 && error.attempts == 1)
        #expect(server.log().count == 1)
    }

    @Test func serverErrorsAreRetriedWithinLimitsThenReported() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3, 4], "kind": "status", "status": 500, "message": "upstream boom"],
        ]])
        let error = try #require(throws: BackendError.self) { try generate(server, Fixtures.fastOptions(maxAttempts: 3)) }
        #expect(error.status == 500 && error.attempts == 3)
        #expect(error.serverMessage.hasPrefix("upstream boom"))
        #expect(error.description.contains("HTTP 500 from /v1/images/generations after 3 attempts: upstream boom"))
        #expect(server.log().count == 3)
        // The fourth request (a fresh call) fails once more, then the fifth succeeds.
        let png = try generate(server, Fixtures.fastOptions(maxAttempts: 3))
        #expect(pngSize(png) != nil && server.log().count == 5)
    }

    @Test func everyRequestForOneInputFails() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["input_contains": "POISON", "kind": "status", "status": 503, "message": "engine overloaded"],
        ]])
        let error = try #require(throws: BackendError.self) {
            try generate(server, Fixtures.fastOptions(maxAttempts: 2), prompt: "a POISON prompt")
        }
        #expect(error.status == 503 && error.attempts == 2)
        #expect(pngSize(try generate(server, Fixtures.fastOptions(), prompt: "a fine prompt")) != nil)
    }

    @Test func timeoutIsRetriedThenReported() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 3, 4], "kind": "slow", "seconds": 2],
        ]])
        let options = Fixtures.fastOptions(timeout: 0.4, maxAttempts: 2)
        // 1 slow, 2 fine: recovered.
        let png = try generate(server, options)
        #expect(pngSize(png) != nil)
        // 3 and 4 slow: reported.
        let error = try #require(throws: BackendError.self) { try generate(server, options) }
        #expect(error.kind == .timedOut && error.attempts == 2 && error.status == nil)
        #expect(error.description.contains("timed out from /v1/images/generations after 2 attempts"))
    }

    @Test func droppedConnectionIsRetried() throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "drop"],
        ]])
        let png = try generate(server, Fixtures.fastOptions())
        #expect(pngSize(png) != nil)
        #expect(server.log().map { $0["action"] as? String } == ["drop", "answer"])
    }

    @Test func refusedConnectionIsRetriedThenReported() throws {
        // A port that is bound but not listening: connections are refused, and no other process can
        // take the port while the socket is held (a just-freed port could be reused at once).
        let reserved = try ReservedPort()
        defer { reserved.close() }
        let port = reserved.port
        let generator = OpenAIImageGenerator(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: key,
                                             client: HTTPClient(options: Fixtures.fastOptions(maxAttempts: 3)))
        let error = try #require(throws: BackendError.self) { try generator.generate(prompt: "x", size: "1024x1024") }
        #expect(error.kind == .connectFailed && error.attempts == 3)
    }
}

@Suite struct SecretTests {
    @Test func keyNeverAppearsInErrorsDescriptionsOrLogs() throws {
        let wrong = APIKey(Fixtures.key + "-wrong")!
        let server = try FakeServer("openai_server.py", behaviour: ["echo_key_in_401": true],
                                    arguments: ["--key", Fixtures.key])
        let client = HTTPClient(options: Fixtures.fastOptions())
        var texts: [String] = [wrong.description, wrong.debugDescription, String(reflecting: wrong)]

        let captioner = OpenAICaptioner(baseURL: server.openAIBaseURL, apiKey: wrong, client: client)
        let e1 = try #require(throws: BackendError.self) {
            try captioner.describe(imageBytes: makePNG(width: 4, height: 4), mimeType: "image/png", instruction: "x")
        }
        #expect(e1.status == 401 && e1.attempts == 1)
        #expect(e1.serverMessage.contains("Incorrect API key provided: [redacted]"))
        let generator = OpenAIImageGenerator(baseURL: server.openAIBaseURL, apiKey: wrong, client: client)
        let e2 = try #require(throws: BackendError.self) {
            try generator.edit(imagePNG: makePNG(width: 4, height: 4), prompt: "x", size: "1024x1024")
        }
        let e3 = try #require(throws: BackendError.self) {
            try OpenAIImageGenerator(baseURL: "http://127.0.0.1:1/v1", apiKey: wrong,
                                     client: HTTPClient(options: Fixtures.fastOptions(maxAttempts: 1)))
                .generate(prompt: "x", size: "1024x1024")
        }
        for error in [e1, e2, e3] {
            texts += [error.description, String(reflecting: error), error.localizedDescription, "\(error)"]
        }
        var dumped = ""
        dump(generator, to: &dumped)
        dump(captioner, to: &dumped)
        texts.append(dumped)
        texts.append(server.logText())
        #expect(server.log().allSatisfy { $0["auth"] as? String == "wrong" })
        for text in texts {
            #expect(!text.contains(Fixtures.key), "key leaked in: \(text)")
        }
    }
}

/// Timing-sensitive: run one at a time.
@Suite(.serialized) struct LimitTests {
    /// Largest number of requests the server was working on at once, from its log.
    func maxOverlap(_ log: [[String: Any]]) -> Int {
        var events: [(Double, Int)] = []
        for entry in log {
            events.append((entry["t_start"] as! Double, 1))
            events.append((entry["t_end"] as! Double, -1))
        }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0, best = 0
        for (_, delta) in events { current += delta; best = max(best, current) }
        return best
    }

    @Test func concurrencyLimitHolds() throws {
        let server = try FakeServer("a1111_server.py", behaviour: ["delay": 0.3])
        let client = HTTPClient(options: Fixtures.fastOptions(maxConcurrent: 2))
        let a1111 = A1111Generator(baseURL: server.baseURL, client: client)
        let failures = Collector<String>()
        runOnThreads(6) { i in
            do { _ = try a1111.txt2img(prompt: "p\(i)", parameters: A1111Parameters(width: 64, height: 64)) }
            catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty)
        let log = server.log()
        #expect(log.count == 6)
        #expect(maxOverlap(log) == 2)
    }

    @Test func requestsPerMinuteLimitHolds() throws {
        let server = try FakeServer("a1111_server.py")
        let client = HTTPClient(options: Fixtures.fastOptions(maxConcurrent: 4, requestsPerMinute: 300)) // one per 0.2 s
        let a1111 = A1111Generator(baseURL: server.baseURL, client: client)
        let failures = Collector<String>()
        runOnThreads(6) { i in
            do { _ = try a1111.txt2img(prompt: "p\(i)", parameters: A1111Parameters(width: 64, height: 64)) }
            catch { failures.add("\(error)") }
        }
        #expect(failures.all.isEmpty)
        let starts = server.log().map { $0["t_start"] as! Double }.sorted()
        #expect(starts.count == 6)
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.17 }, "gaps \(gaps)")
        #expect(starts.last! - starts.first! >= 0.95)
    }
}
