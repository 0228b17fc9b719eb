import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet

/// Cancelling the task that sends a request stops it, wherever it is: in the transfer (libcurl's
/// progress callback aborts it), waiting for a slot, or not started yet.
@Suite struct CancellationTests {
    func txt2img(_ client: HTTPClient, _ server: FakeServer) -> Task<[UInt8], any Error> {
        let a1111 = A1111Client(baseURL: server.baseURL, client: client)
        return Task { try await a1111.txt2img(prompt: "p", parameters: A1111Parameters(width: 64, height: 64)) }
    }

    @Test func aTransferInProgressIsAborted() async throws {
        // The server holds each answer 30 s; the request is cancelled after 0.5 s of it.
        let server = try FakeServer("a1111_server.py", behaviour: ["delay": 30])
        let client = HTTPClient(options: Fixtures.fastOptions(timeout: 60, clock: ContinuousClock()))
        let request = txt2img(client, server)
        try await Task.sleep(for: .milliseconds(500))
        request.cancel()
        await #expect(throws: CancellationError.self) { _ = try await request.value }
    }

    @Test func aRequestWaitingForASlotStopsWaitingAndIsNeverSent() async throws {
        let server = try FakeServer("a1111_server.py", behaviour: ["delay": 1])
        let client = HTTPClient(options: Fixtures.fastOptions(maxConcurrent: 1, clock: ContinuousClock()))
        let first = txt2img(client, server)
        try await Task.sleep(for: .milliseconds(200))
        let second = txt2img(client, server)
        try await Task.sleep(for: .milliseconds(200))
        second.cancel()
        await #expect(throws: CancellationError.self) { _ = try await second.value }
        #expect(try await first.value.count > 0, "the request in flight is not disturbed")
        #expect(server.log().count == 1, "the cancelled request never reached the server")
    }

    @Test func aRequestCancelledBeforeItStartsIsNeverSent() async throws {
        let server = try FakeServer("a1111_server.py")
        let client = HTTPClient(options: Fixtures.fastOptions())
        let a1111 = A1111Client(baseURL: server.baseURL, client: client)
        let request = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await a1111.txt2img(prompt: "p", parameters: A1111Parameters(width: 64, height: 64))
        }
        await #expect(throws: CancellationError.self) { _ = try await request.value }
        #expect(server.log().isEmpty)
    }
}
