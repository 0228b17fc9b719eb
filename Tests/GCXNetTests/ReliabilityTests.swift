import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet

@Suite struct RetryTests {
    let key = APIKey(Fixtures.key)!

    func generate(_ server: FakeServer, _ options: HTTPClientOptions, prompt: String = "x") async throws -> [UInt8] {
        try await OpenAIImageClient(baseURL: server.openAIBaseURL, apiKey: key, client: HTTPClient(options: options))
            .generate(prompt: prompt, size: "1024x1024")
    }

    @Test func rateLimitWithRetryAfterIsHonoured() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "retry_after": "20",
             "message": "Rate limit reached for gpt-image-1"],
        ]])
        let clock = VirtualClock()
        var options = Fixtures.fastOptions()
        options.clock = clock
        options.backoffMax = 60
        let png = try await generate(server, options)
        #expect(pngSize(png) != nil)
        let log = server.log()
        try #require(log.count == 2)
        #expect(log.map { $0["status"] as? Int } == [429, 200])
        // Retry-After: 20 is waited out in full (on the clock, so the test takes no real time).
        #expect(clock.elapsed >= 20, "waited \(clock.elapsed) s")
    }

    @Test func backoffGrowsWithinItsCeilings() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3, 4, 5], "kind": "status", "status": 503, "message": "overloaded"],
        ]])
        let clock = VirtualClock()
        var options = HTTPClientOptions(timeout: 10, connectTimeout: 2, maxAttempts: 6, maxTotalTime: 900,
                                        backoffBase: 1, backoffMax: 8)
        options.clock = clock
        let png = try await generate(server, options)
        #expect(pngSize(png) != nil && server.log().count == 6)
        // Five waits, each a uniform draw under min(8, 1 * 2^(k-1)): at most 1, 2, 4, 8, 8 s.
        let ends = clock.sleeps.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        try #require(ends.count == 5)
        let waits = zip(ends, [0] + ends.dropLast()).map { $0 - $1 }
        for (wait, ceiling) in zip(waits, [1.0, 2, 4, 8, 8]) {
            #expect(wait >= 0 && wait <= ceiling + 1e-6, "waits \(waits)")
        }
    }

    @Test func persistentRateLimitIsReportedWithTheServersMessage() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3], "kind": "status", "status": 429, "retry_after": "0",
             "message": "Rate limit reached for gpt-image-1"],
        ]])
        let error = try await #require(throws: BackendError.self) { try await generate(server, Fixtures.fastOptions()) }
        #expect(error.status == 429 && error.attempts == 3)
        #expect(error.serverMessage.hasPrefix("Rate limit reached for gpt-image-1"))
        #expect(server.log().count == 3)
    }

    @Test func exhaustedQuotaIsNotRetried() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "code": "insufficient_quota",
             "message": "You exceeded your current quota, please check your plan and billing details."],
        ]])
        let error = try await #require(throws: BackendError.self) { try await generate(server, Fixtures.fastOptions()) }
        #expect(error.status == 429 && error.attempts == 1)
        #expect(error.serverMessage.hasPrefix("You exceeded your current quota"))
    }

    @Test func missingKeyIsReportedWithTheServersMessage() async throws {
        let server = try FakeServer("openai_server.py", arguments: ["--key", Fixtures.key])
        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: nil,
                                        client: HTTPClient(options: Fixtures.fastOptions()))
        let error = try await #require(throws: BackendError.self) {
            try await captioner.describe(imageBytes: makePNG(width: 4, height: 4), mimeType: "image/png", instruction: "x")
        }
        #expect(error.status == 401 && error.attempts == 1)
        #expect(error.serverMessage.hasPrefix("You didn't provide an API key"))
        #expect(server.log().first?["auth"] as? String == "missing")
    }

    @Test func attemptsNeverOutliveTheTotalBudget() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3, 4, 5], "kind": "slow", "seconds": 3],
        ]])
        // The budget in real time: the attempt's own timeout is what ends it.
        var options = Fixtures.fastOptions(timeout: 10, maxAttempts: 5, clock: ContinuousClock())
        options.maxTotalTime = 0.8
        let error = try await #require(throws: BackendError.self) { try await generate(server, options) }
        #expect(error.kind == .timedOut)
        // The budget ends the first 3-second attempt: no second one is started.
        #expect(error.attempts == 1)
        #expect(server.log().count <= 1)
    }

    @Test func retryAfterBeyondTheBudgetFailsAtOnce() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "status", "status": 429, "retry_after": "120"],
        ]])
        var options = Fixtures.fastOptions()
        options.maxTotalTime = 5
        let error = try await #require(throws: BackendError.self) { try await generate(server, options) }
        // Failing at once: one request, and no wait for the 120 s the server asked for.
        #expect(error.status == 429 && error.attempts == 1)
        #expect(server.log().count == 1)
    }

    @Test func serverErrorsAreRetriedWithinLimitsThenReported() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 2, 3, 4], "kind": "status", "status": 500, "message": "upstream boom"],
        ]])
        let error = try await #require(throws: BackendError.self) { try await generate(server, Fixtures.fastOptions(maxAttempts: 3)) }
        #expect(error.status == 500 && error.attempts == 3)
        #expect(error.serverMessage.hasPrefix("upstream boom"))
        #expect(error.description.contains("HTTP 500 from /v1/images/generations after 3 attempts: upstream boom"))
        #expect(server.log().count == 3)
        // The fourth request (a fresh call) fails once more, then the fifth succeeds.
        let png = try await generate(server, Fixtures.fastOptions(maxAttempts: 3))
        #expect(pngSize(png) != nil && server.log().count == 5)
    }

    @Test func everyRequestForOneInputFails() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["input_contains": "POISON", "kind": "status", "status": 503, "message": "engine overloaded"],
        ]])
        let error = try await #require(throws: BackendError.self) {
            try await generate(server, Fixtures.fastOptions(maxAttempts: 2), prompt: "a POISON prompt")
        }
        #expect(error.status == 503 && error.attempts == 2)
        #expect(pngSize(try await generate(server, Fixtures.fastOptions(), prompt: "a fine prompt")) != nil)
    }

    @Test func timeoutIsRetriedThenReported() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1, 3, 4], "kind": "slow", "seconds": 2],
        ]])
        let options = Fixtures.fastOptions(timeout: 0.4, maxAttempts: 2)
        // 1 slow, 2 fine: recovered.
        let png = try await generate(server, options)
        #expect(pngSize(png) != nil)
        // 3 and 4 slow: reported.
        let error = try await #require(throws: BackendError.self) { try await generate(server, options) }
        #expect(error.kind == .timedOut && error.attempts == 2 && error.status == nil)
        #expect(error.description.contains("timed out from /v1/images/generations after 2 attempts"))
    }

    @Test func droppedConnectionIsRetried() async throws {
        let server = try FakeServer("openai_server.py", behaviour: ["faults": [
            ["requests": [1], "kind": "drop"],
        ]])
        let png = try await generate(server, Fixtures.fastOptions())
        #expect(pngSize(png) != nil)
        #expect(server.log().map { $0["action"] as? String } == ["drop", "answer"])
    }

    @Test func refusedConnectionIsRetriedThenReported() async throws {
        // A port that is bound but not listening: connections are refused, and no other process can
        // take the port while the socket is held (a just-freed port could be reused at once).
        let reserved = try ReservedPort()
        defer { reserved.close() }
        let port = reserved.port
        let generator = OpenAIImageClient(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: key,
                                             client: HTTPClient(options: Fixtures.fastOptions(maxAttempts: 3)))
        let error = try await #require(throws: BackendError.self) { try await generator.generate(prompt: "x", size: "1024x1024") }
        #expect(error.kind == .connectFailed && error.attempts == 3)
    }
}

@Suite struct SecretTests {
    @Test func keyNeverAppearsInErrorsDescriptionsOrLogs() async throws {
        let wrong = APIKey(Fixtures.key + "-wrong")!
        let server = try FakeServer("openai_server.py", behaviour: ["echo_key_in_401": true],
                                    arguments: ["--key", Fixtures.key])
        let client = HTTPClient(options: Fixtures.fastOptions())
        var texts: [String] = [wrong.description, wrong.debugDescription, String(reflecting: wrong)]

        let captioner = OpenAICaptionClient(baseURL: server.openAIBaseURL, apiKey: wrong, client: client)
        let e1 = try await #require(throws: BackendError.self) {
            try await captioner.describe(imageBytes: makePNG(width: 4, height: 4), mimeType: "image/png", instruction: "x")
        }
        #expect(e1.status == 401 && e1.attempts == 1)
        #expect(e1.serverMessage.contains("Incorrect API key provided: [redacted]"))
        let generator = OpenAIImageClient(baseURL: server.openAIBaseURL, apiKey: wrong, client: client)
        let e2 = try await #require(throws: BackendError.self) {
            try await generator.edit(imagePNG: makePNG(width: 4, height: 4), prompt: "x", size: "1024x1024")
        }
        let e3 = try await #require(throws: BackendError.self) {
            try await OpenAIImageClient(baseURL: "http://127.0.0.1:1/v1", apiKey: wrong,
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
    @Test func concurrencyLimitHolds() async throws {
        let server = try FakeServer("a1111_server.py", behaviour: ["delay": 0.3])
        let client = HTTPClient(options: Fixtures.fastOptions(maxConcurrent: 2))
        let a1111 = A1111Client(baseURL: server.baseURL, client: client)
        let failures = await txt2img(a1111, times: 6)
        #expect(failures.isEmpty)
        let log = server.log()
        #expect(log.count == 6)
        #expect(server.mostInFlight() == 2)
    }

    /// Requests in flight are the client's limit, not the machine's cores (2 here): 12 requests
    /// the server holds 0.3 s each overlap 12 at a time.
    @Test func requestsInFlightAreNotBoundByCores() async throws {
        let server = try FakeServer("a1111_server.py", behaviour: ["delay": 0.3])
        let a1111 = A1111Client(baseURL: server.baseURL, client: HTTPClient(options: Fixtures.fastOptions(maxConcurrent: 12)))
        let failures = await txt2img(a1111, times: 12)
        #expect(failures.isEmpty)
        #expect(server.mostInFlight() == 12)
    }

    @Test func requestsPerMinuteLimitHolds() async throws {
        let server = try FakeServer("a1111_server.py")
        let clock = VirtualClock()
        var options = Fixtures.fastOptions(maxConcurrent: 4, requestsPerMinute: 60) // one a second
        options.clock = clock
        let a1111 = A1111Client(baseURL: server.baseURL, client: HTTPClient(options: options))
        let failures = await txt2img(a1111, times: 6)
        #expect(failures.isEmpty)
        #expect(server.log().count == 6)
        // The first starts at once; the other five wait for starts a second apart.
        let starts = clock.sleeps.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }.sorted()
        #expect(starts.count == 5)
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 1 - 1e-9 }, "gaps \(gaps)")
        #expect(clock.elapsed >= 5 - 1e-9)
    }

    /// Sends `times` txt2img requests at once; the errors of those that failed.
    func txt2img(_ a1111: A1111Client, times: Int) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for i in 0..<times {
                group.addTask {
                    do { _ = try await a1111.txt2img(prompt: "p\(i)", parameters: A1111Parameters(width: 64, height: 64)) }
                    catch { return "\(error)" }
                    return nil
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }
}
