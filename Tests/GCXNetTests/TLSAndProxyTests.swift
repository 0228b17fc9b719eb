import Foundation
import Testing
import GCXTestSupport
@testable import GCXNet

/// Servers as companies run them: behind TLS with a private certificate authority, and behind a proxy.
@Suite struct TLSAndProxyTests {
    static let proxiedHost = "gcx-proxied.test"

    /// A self-signed certificate for 127.0.0.1 and the proxied host name (openssl, Debian's own).
    static func certificate() throws -> (cert: String, key: String) {
        let directory = NSTemporaryDirectory() + "gcx-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:\(proxiedHost)",
                             "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a test certificate")
        return (directory + "/cert.pem", directory + "/key.pem")
    }

    func generate(_ baseURL: String, _ options: HTTPClientOptions) async throws -> [UInt8] {
        try await OpenAIImageClient(baseURL: baseURL, apiKey: APIKey(Fixtures.key), client: HTTPClient(options: options))
            .generate(prompt: "a harbour at dusk", size: "1024x1024")
    }

    @Test func aPrivateCertificateAuthorityIsTrustedOnlyWhenGiven() async throws {
        let (cert, key) = try Self.certificate()
        let server = try FakeServer("openai_server.py", arguments: ["--tls-cert", cert, "--tls-key", key])
        let url = "https://127.0.0.1:\(server.port)/v1"
        var options = Fixtures.fastOptions(maxAttempts: 1)
        options.caFile = nil
        let error = try await #require(throws: BackendError.self) { try await generate(url, options) }
        #expect("\(error)".contains("certificate"), "\(error)")
        options.caFile = cert
        #expect(pngSize(try await generate(url, options)) != nil)
    }

    @Test func theEnvironmentNamesTheBundle() async {
        #expect(HTTPClientOptions.caFile(from: ["SSL_CERT_FILE": "/a.pem"]) == "/a.pem")
        #expect(HTTPClientOptions.caFile(from: ["SSL_CERT_FILE": "/a.pem", "CURL_CA_BUNDLE": "/b.pem"]) == "/b.pem")
        #expect(HTTPClientOptions.caFile(from: [:]) == nil)
    }

    @Test func requestsGoThroughAProxyForHTTPAndHTTPS() async throws {
        let (cert, key) = try Self.certificate()
        let plain = try FakeServer("openai_server.py")
        let secure = try FakeServer("openai_server.py", arguments: ["--tls-cert", cert, "--tls-key", key])
        let proxy = try FakeServer("proxy.py")
        var options = Fixtures.fastOptions(maxAttempts: 1)
        options.proxy = "http://127.0.0.1:\(proxy.port)"
        options.caFile = cert
        #expect(pngSize(try await generate("http://\(Self.proxiedHost):\(plain.port)/v1", options)) != nil)
        #expect(pngSize(try await generate("https://\(Self.proxiedHost):\(secure.port)/v1", options)) != nil)
        let log = proxy.log()
        #expect(log.map { $0["method"] as? String } == ["POST", "CONNECT"], "\(log)")
        #expect((log.first?["target"] as? String)?.hasPrefix("http://\(Self.proxiedHost):\(plain.port)/v1/images/generations") == true)
        #expect(log.last?["target"] as? String == "\(Self.proxiedHost):\(secure.port)")
        // Loopback addresses never use the proxy; NO_PROXY adds hosts to that.
        options.noProxy = Self.proxiedHost
        await #expect(throws: BackendError.self) { try await generate("http://\(Self.proxiedHost):\(plain.port)/v1", options) }
        #expect(pngSize(try await generate("http://127.0.0.1:\(plain.port)/v1", options)) != nil)
        #expect(proxy.log().count == 2)
    }
}

/// Issue 11, item 4: a pool of equivalent servers.
@Suite struct ServerPoolTests {
    func generate(_ baseURL: String, _ options: HTTPClientOptions) async throws -> [UInt8] {
        try await OpenAIImageClient(baseURL: baseURL, apiKey: APIKey(Fixtures.key), client: HTTPClient(options: options))
            .generate(prompt: "a lighthouse", size: "1024x1024")
    }

    @Test func requestsAreSpreadOverThePool() async throws {
        let a = try FakeServer("openai_server.py"), b = try FakeServer("openai_server.py")
        var options = Fixtures.fastOptions(maxAttempts: 1)
        options.servers = [a.openAIBaseURL, b.openAIBaseURL]
        let client = HTTPClient(options: options)
        let generator = OpenAIImageClient(baseURL: a.openAIBaseURL, apiKey: APIKey(Fixtures.key), client: client)
        for _ in 0..<6 { _ = try await generator.generate(prompt: "x", size: "1024x1024") }
        #expect(a.log().count == 3 && b.log().count == 3)
    }

    @Test func aFailingServerIsRetriedElsewhere() async throws {
        let reserved = try ReservedPort()
        defer { reserved.close() }
        let good = try FakeServer("openai_server.py")
        let down = "http://127.0.0.1:\(reserved.port)/v1"
        var options = Fixtures.fastOptions(maxAttempts: 2)
        options.servers = [down, good.openAIBaseURL]
        let client = HTTPClient(options: options)
        let generator = OpenAIImageClient(baseURL: down, apiKey: APIKey(Fixtures.key), client: client)
        for _ in 0..<4 { #expect(pngSize(try await generator.generate(prompt: "x", size: "1024x1024")) != nil) }
        #expect(good.log().count == 4, "every request ends on the server that answers")
    }

    @Test func urlsOutsideThePoolAreLeftAlone() async {
        let pool = ServerPool(["http://a:1/v1", "http://b:2/v1/"])
        #expect(pool.url("http://a:1/v1/images/edits", turn: 1) == "http://b:2/v1/images/edits")
        #expect(pool.url("http://b:2/v1/x", turn: 2) == "http://a:1/v1/x")
        #expect(pool.url("http://c:3/v1/x", turn: 1) == "http://c:3/v1/x")
        #expect(pool.url("http://a:10/v1/x", turn: 1) == "http://a:10/v1/x", "a base is matched up to a path boundary")
    }
}
