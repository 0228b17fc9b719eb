import Foundation

/// Limits and retry policy of one ``HTTPClient``. All times in seconds.
public struct HTTPClientOptions: Sendable {
    /// Total time allowed for one attempt (connect + upload + server work + download).
    public var timeout: Double
    /// Time allowed to establish the connection.
    public var connectTimeout: Double
    /// Attempts per request, including the first one (>= 1).
    public var maxAttempts: Int
    /// Time budget for a request across all its attempts and waits; no new attempt starts after it.
    public var maxTotalTime: Double
    /// Requests in flight at once across all tasks using the client (>= 1); also its transfer threads.
    public var maxConcurrent: Int
    /// Attempts started per minute across the client, spaced evenly (nil = unlimited).
    public var requestsPerMinute: Int?
    /// First backoff ceiling; attempt k waits a uniform random time in [0, min(backoffMax, backoffBase * 2^(k-1))].
    public var backoffBase: Double
    /// Largest backoff ceiling. A server's `Retry-After` is waited out in full when it is longer,
    /// unless that would pass ``maxTotalTime``; then the request fails at once.
    public var backoffMax: Double
    /// A PEM file of certificate authorities to trust (a company's private CA), instead of the
    /// system's bundle. Default: `CURL_CA_BUNDLE`, else `SSL_CERT_FILE`, from the environment.
    public var caFile: String?
    /// A proxy for every request; nil follows the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, as libcurl reads them), "" means none.
    public var proxy: String?
    /// Hosts that bypass the proxy besides the loopback addresses; default `NO_PROXY`.
    public var noProxy: String?
    /// Equivalent servers (base URLs such as `http://10.0.0.5:8000/v1`) to spread requests over:
    /// a request whose URL starts with one of them goes to the next one in turn, and each retry goes
    /// to the one after, so a server that fails is retried elsewhere. Empty: every URL as given.
    public var servers: [String] = []
    /// The clock that backoff, `Retry-After`, the rate limit and the total budget are measured and
    /// waited on. Tests give a virtual clock so retries take no real time.
    public var clock: any Clock<Duration> = ContinuousClock()

    public init(timeout: Double = 300, connectTimeout: Double = 15, maxAttempts: Int = 5,
                maxTotalTime: Double = 900, maxConcurrent: Int = 4, requestsPerMinute: Int? = nil,
                backoffBase: Double = 1, backoffMax: Double = 60) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxAttempts = max(1, maxAttempts)
        self.maxTotalTime = maxTotalTime
        self.maxConcurrent = max(1, maxConcurrent)
        self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
        self.backoffBase = max(0, backoffBase)
        self.backoffMax = max(0, backoffMax)
        let environment = ProcessInfo.processInfo.environment
        self.caFile = HTTPClientOptions.caFile(from: environment)
        self.noProxy = environment["NO_PROXY"] ?? environment["no_proxy"]
    }

    /// The CA bundle the environment names, as curl and OpenSSL tools read it.
    public static func caFile(from environment: [String: String]) -> String? {
        for name in ["CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }
}
