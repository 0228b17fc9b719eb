import CGCXCurl
import Foundation
import GCXConcurrency
import Synchronization

/// An HTTP client over libcurl with retries and shared limits, for any number of concurrent tasks.
///
/// Retries 429, 5xx (and 408), connection failures, timeouts and dropped connections with
/// exponential backoff and full jitter, honouring `Retry-After`; bounded by
/// ``HTTPClientOptions/maxAttempts`` and ``HTTPClientOptions/maxTotalTime``. All requests of one
/// client share its concurrency and requests-per-minute limits. Attempts run on the client's own
/// threads, one per request it allows in flight (libcurl blocks), so requests in flight are bounded
/// by ``HTTPClientOptions/maxConcurrent`` and never by the number of cores; every wait is on the
/// options' clock. Cancelling the task stops the request: a wait ends at once, a transfer within
/// about a second (libcurl's progress callback aborts it).
///
/// ```swift
/// let client = HTTPClient(options: HTTPClientOptions(maxConcurrent: 2, requestsPerMinute: 60))
/// let response = try await client.send(HTTPRequest(url: "http://127.0.0.1:7860/sdapi/v1/txt2img", body: json))
/// ```
public final class HTTPClient: Sendable {
    public let options: HTTPClientOptions
    private let limiter: RequestLimiter
    private let servers: ServerPool
    private let timeline: Timeline
    private let transfers: WorkerThreads

    public init(options: HTTPClientOptions = HTTPClientOptions()) {
        self.options = options
        self.transfers = WorkerThreads(count: options.maxConcurrent, name: "gcx-http")
        self.servers = ServerPool(options.servers)
        self.timeline = Timeline(options.clock)
        self.limiter = RequestLimiter(maxConcurrent: options.maxConcurrent,
                                      requestsPerMinute: options.requestsPerMinute, timeline: timeline)
    }

    static func isRetryableStatus(_ status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }

    /// Sends the request, retrying transient failures. Returns the first 2xx response. The total
    /// budget starts when the request first gets a slot: waiting behind other requests of the
    /// client does not use it up.
    /// - Throws: ``BackendError`` for a non-2xx final status or a transport failure;
    ///   `CancellationError` when the task is cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.path
        let secret = request.apiKey?.secret
        var deadline: Double?
        var attempt = 0
        let turn = servers.next()
        while true {
            try Task.checkCancellation()
            attempt += 1
            var request = request
            request.url = servers.url(request.url, turn: turn + attempt - 1)
            try await limiter.acquire()
            let budgetEnd = deadline ?? timeline.now() + options.maxTotalTime
            deadline = budgetEnd
            guard let startAt = limiter.reserveStart(notAfter: budgetEnd) else {
                limiter.release()
                throw BackendError(kind: .timedOut, status: nil,
                                   serverMessage: "the rate limit allows no start within the \(options.maxTotalTime) s budget",
                                   path: path, attempts: attempt - 1)
            }
            await timeline.sleep(startAt - timeline.now())
            // No attempt may outlive the request's budget.
            let attemptTimeout = min(options.timeout, max(0.001, budgetEnd - timeline.now()))
            let outcome = Task.isCancelled ? .cancelled : await perform(request, timeout: attemptTimeout)
            limiter.release()

            let failure: BackendError
            var retryAfter: Double?
            switch outcome {
            case .response(let response):
                if (200...299).contains(response.status) {
                    var done = response
                    done.attempts = attempt
                    return done
                }
                failure = BackendError(kind: .http, status: response.status,
                                       serverMessage: Self.scrub(ServerMessage.extract(from: response.body), secret: secret),
                                       path: path, attempts: attempt)
                retryAfter = RetryAfter.seconds(response.headers["retry-after"])
            case .transport(let kind, let message):
                failure = BackendError(kind: kind, status: nil,
                                       serverMessage: Self.scrub(message, secret: secret),
                                       path: path, attempts: attempt)
            case .cancelled:
                throw CancellationError()
            }

            // A 429 for an exhausted quota will not go away by waiting.
            let permanent = outcome.errorCode == "insufficient_quota"
            guard failure.isTransient, !permanent, attempt < options.maxAttempts else { throw failure }
            let ceiling = min(options.backoffMax, options.backoffBase * pow(2, Double(attempt - 1)))
            var wait = Double.random(in: 0...max(0, ceiling))
            if let retryAfter { wait = max(wait, retryAfter) }
            if timeline.now() + wait >= budgetEnd { throw failure }
            await timeline.sleep(wait)
        }
    }

    enum Outcome {
        case response(HTTPResponse)
        case transport(BackendError.Kind, String)
        /// The task was cancelled, and the transfer with it.
        case cancelled

        /// OpenAI's `error.code` of a failed response, if any.
        var errorCode: String? {
            guard case .response(let response) = self else { return nil }
            return ServerMessage.code(from: response.body)
        }
    }

    /// One attempt, on one of the client's transfer threads: libcurl blocks, and a blocked task
    /// would hold one of the few threads Swift concurrency runs every task on. Cancelling the task
    /// sets the transfer's flag, which its progress callback sees.
    private func perform(_ request: HTTPRequest, timeout: Double) async -> Outcome {
        let cancel = TransferCancel()
        return await withTaskCancellationHandler {
            await transfers.run { self.performBlocking(request, timeout: timeout, cancel: cancel) }
        } onCancel: {
            cancel.request()
        }
    }

    /// One attempt through the C shim.
    private func performBlocking(_ request: HTTPRequest, timeout: Double, cancel: TransferCancel) -> Outcome {
        var lines = request.headers.map { "\($0.0): \($0.1)" }
        if let key = request.apiKey { lines.append(key.authorizationHeader) }
        var raw = gcx_curl_response()
        let connectMS = max(1, Int(options.connectTimeout * 1000))
        let totalMS = max(1, Int(timeout * 1000))

        withCStrings(lines) { headerPointers in
            request.body.withUnsafeBufferPointer { body in
                withOptionalCString(options.caFile) { caFile in
                    withOptionalCString(options.proxy) { proxy in
                        withOptionalCString(options.noProxy) { noProxy in
                            var network = gcx_curl_network(ca_file: caFile, proxy: proxy, no_proxy: noProxy)
                            gcx_curl_perform(request.method, request.url, headerPointers, lines.count,
                                             body.baseAddress, body.count, connectMS, totalMS, &network, cancel.flag, &raw)
                        }
                    }
                }
            }
        }
        defer { gcx_curl_response_free(&raw) }

        let message = withUnsafeBytes(of: raw.error) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        switch raw.outcome {
        case GCX_CURL_OK:
            let body = raw.body.map { Array(UnsafeBufferPointer(start: $0, count: raw.body_len)) } ?? []
            let headerText = raw.headers.map { String(cString: $0) } ?? ""
            return .response(HTTPResponse(status: Int(raw.status), headers: HTTPResponse.parseHeaders(headerText), body: body))
        case GCX_CURL_CONNECT_FAILED:
            return .transport(.connectFailed, message)
        case GCX_CURL_TIMED_OUT:
            return .transport(.timedOut, message)
        case GCX_CURL_CONNECTION_LOST:
            return .transport(.connectionLost, message)
        case GCX_CURL_CANCELLED:
            return .cancelled
        default:
            return .transport(.local, message)
        }
    }

    /// Removes the key from any text (some servers echo a wrong key in their 401 message).
    static func scrub(_ text: String, secret: String?) -> String {
        guard let secret, !secret.isEmpty else { return text }
        return text.replacingOccurrences(of: secret, with: "[redacted]")
    }
}

/// The C flag that stops one transfer: set from the cancelling task, read by libcurl's progress
/// callback on the transfer's thread (an atomic in C).
private final class TransferCancel: @unchecked Sendable {
    let flag = gcx_curl_cancel_new()

    func request() { if let flag { gcx_curl_cancel_request(flag) } }

    deinit { if let flag { gcx_curl_cancel_free(flag) } }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let constant = copies.map { UnsafePointer($0) }
    return constant.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Calls `body` with a C string for `text`, or NULL for nil.
private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

/// The servers of ``HTTPClientOptions/servers``: a request takes the next turn, and its attempts
/// walk on from there, one server each.
final class ServerPool: Sendable {
    private let bases: [String]
    private let counter = Mutex(0)

    init(_ bases: [String]) { self.bases = bases.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } }

    /// The turn of a new request (0 when there is no pool).
    func next() -> Int {
        guard bases.count > 1 else { return 0 }
        return counter.withLock { counter in
            counter += 1
            return counter - 1
        }
    }

    /// `url` moved to server `turn` (modulo the pool), when it starts with one of the pool's bases.
    func url(_ url: String, turn: Int) -> String {
        guard bases.count > 1, let base = bases.first(where: { url == $0 || url.hasPrefix($0 + "/") }) else { return url }
        return bases[turn % bases.count] + url.dropFirst(base.count)
    }
}
