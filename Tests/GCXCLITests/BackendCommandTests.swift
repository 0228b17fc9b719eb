import Foundation
import Testing
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXImage
import GCXTestSupport
import SystemPackage

/// pack and extract against servers on 127.0.0.1 that speak the OpenAI and AUTOMATIC1111 protocols
/// as their public documentation describes (tools/fake-servers).
@Suite(.serialized) struct BackendCommandTests {
    static let key = "sk-test-gcx-SECRET-0123456789abcdefghijkl"

    /// The corpus descriptions, which the fake captioner answers in request order.
    static func captions() throws -> [String] {
        try String(contentsOfFile: CLI.corpus + "/prompts-clic.jsonl", encoding: .utf8)
            .split(separator: "\n").compactMap { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])?["prompt"]
            }
    }

    /// A folder with `count` Kodak photos.
    static func photos(_ count: Int, in directory: String) throws -> String {
        let folder = directory + "/photos"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for number in 1...count {
            let name = String(format: "kodim%02d.png", number)
            try FileManager.default.copyItem(atPath: CLI.datasets + "/kodak/" + name, toPath: folder + "/" + name)
        }
        return folder
    }

    /// Every file under `directory`, as one string, to grep for the key.
    static func everything(under directory: String) -> String {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return files.compactMap { FileManager.default.contents(atPath: directory + "/" + $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }

    @Test func openAICaptionerStoresTheServersDescriptionsAndAppendCompletesAFailure() throws {
        let directory = try CLI.temporaryDirectory()
        let captions = try Self.captions()
        // kodim03, cut to 700x500 so the server can tell it, fails twice (both attempts): it is
        // reported, the others packed. Photos are described concurrently, in no fixed order.
        let server = try FakeServer("openai_server.py", behaviour: [
            "captions": captions,
            "faults": [["image_size": [700, 500], "times": 2, "kind": "status", "status": 500,
                        "message": "The server had an error while processing your request."]],
        ], arguments: ["--key", Self.key])
        let photos = try Self.photos(24, in: directory)
        let third = photos + "/kodim03.png"
        let whole = try ImageDecoder.decode(Array(try Data(contentsOf: URL(fileURLWithPath: third)))).image
        var cut: [UInt8] = []
        for y in 0..<500 { cut += whole.pixels[(y * whole.width * 3)..<(y * whole.width * 3 + 700 * 3)] }
        try Data(try PNGEncoder.encode(RGBImage(width: 700, height: 500, pixels: cut))).write(to: URL(fileURLWithPath: third))
        let archive = directory + "/kodak.gcx"
        let arguments = ["pack", photos, "-o", archive, "--captioner", "openai", "--base-url", server.openAIBaseURL,
                         "--attempts", "2", "--timeout", "20", "--mode", "text", "--json"]
        let first = try CLI.run(arguments, environment: ["OPENAI_API_KEY": Self.key])
        #expect(first.status == 1, "\(first.stderr)")
        let report = try #require(first.json as? [String: Any])
        let failed = try #require(report["failed"] as? [[String: Any]])
        try #require(failed.count == 1, "\(first.stderr)")
        let failedName = ((failed[0]["input"] as? String ?? "") as NSString).lastPathComponent
        #expect(failedName == "kodim03.png")
        #expect((failed[0]["error"] as? String ?? "").contains("The server had an error while processing your request."))
        #expect(first.stderr.contains(failedName))
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.count == 23)

        let second = try CLI.run(arguments + ["--append"], environment: ["OPENAI_API_KEY": Self.key])
        #expect(second.status == 0, "\(second.stderr)")
        let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
        #expect(reader.rows.count == 24)
        // Every stored description is one of the server's answers, as sent; kodim03 got the 24th
        // answer (failed requests get none), in the second run.
        for number in 1...24 {
            let name = String(format: "kodim%02d.png", number)
            let entry = try reader.entry(named: name)
            let text = try PromptDecoding.standard.text(of: entry.prompt, at: 0)
            #expect(captions.contains(text), "\(name)")
            if name == failedName { #expect(text == captions[23 % captions.count]) }
            #expect(entry.captioner == CaptionerMetadata(kind: .openAI, model: "gpt-4o", instructionVersion: 1))
        }
        // Every chat request carried the instruction and a JPEG no larger than --caption-max-side.
        let chats = server.log().filter { ($0["path"] as? String) == "/v1/chat/completions" }
        #expect(chats.count == 26)
        #expect(chats.allSatisfy { ($0["auth"] as? String) == "ok" })
        #expect(server.logText().contains("raster order"))
        // The key is nowhere but in the Authorization header.
        #expect(!Self.everything(under: directory).contains(Self.key))
        #expect(!(first.stdout + first.stderr + second.stdout + second.stderr).contains(Self.key))
        #expect(!server.logText().contains(Self.key))
    }

    @Test func openAIGeneratorRedrawsAtTheOriginalSizeConsistentlyAndFromTheCacheTheSecondTime() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.photos(2, in: directory)
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", photos, "-o", archive, "--generator", "openai", "--model", "gpt-image-1", "--quality", "low"]).status == 0)
        let recorded = try #require(try CLI.run(["info", "--json", archive, "kodim01.png"]).json as? [String: Any])
        #expect((recorded["generator"] as? [String: Any])?["kind"] as? String == "openai")

        let server = try FakeServer("openai_server.py", arguments: ["--key", Self.key])
        let cache = directory + "/cache"
        for round in 0..<2 {
            let out = directory + "/out\(round)"
            // No --generator: the one recorded in each entry is used, reached at --base-url.
            let result = try CLI.run(["extract", archive, "-o", out, "--base-url", server.openAIBaseURL, "--cache-dir", cache],
                                     environment: ["OPENAI_API_KEY": Self.key])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("openai images, model gpt-image-1"))
            let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
            for row in reader.rows {
                let entry = try reader.entry(at: row)
                let image = try ImageDecoder.decode(try FileSource.readAll(FilePath(out + "/" + row.summary.name))).image
                #expect(image.width == entry.source.width && image.height == entry.source.height)
                let thumbnail = try decodedThumbnail(entry.thumbnail!)
                #expect(try ImageMetrics.psnr(try Thumbnailer.downsample(image, scale: entry.thumbnail!.scale), thumbnail) >= 45)
            }
            let edits = server.log().filter { ($0["path"] as? String) == "/v1/images/edits" }
            #expect(edits.count == 2, "round \(round): the second extraction must be served from the cache")
            for edit in edits {
                let fields = edit["fields"] as? [String: Any]
                #expect(fields?["size"] as? String == "1536x1024")
                #expect(fields?["quality"] as? String == "low")
            }
            #expect(!(result.stdout + result.stderr).contains(Self.key))
        }
        #expect(!Self.everything(under: cache).contains(Self.key))
        #expect(!Self.everything(under: directory).contains(Self.key))
    }

    @Test func a1111GeneratorDrawsTextAndMultimodalEntries() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.photos(1, in: directory)
        let server = try FakeServer("a1111_server.py")
        for mode in ["text", "multimodal"] {
            let archive = directory + "/\(mode).gcx"
            #expect(try CLI.run(["pack", photos, "-o", archive, "--mode", mode]).status == 0)
            let out = directory + "/out-\(mode)"
            let result = try CLI.run(["extract", archive, "-o", out, "--generator", "a1111", "--base-url", server.baseURL,
                                      "--seed", "42", "--steps", "12", "--denoising-strength", "0.5", "--no-cache"])
            #expect(result.status == 0, "\(result.stderr)")
            let image = try ImageDecoder.decode(try FileSource.readAll(FilePath(out + "/kodim01.png"))).image
            #expect(image.width == 768 && image.height == 512)
        }
        let paths = server.log().compactMap { $0["path"] as? String }
        #expect(paths == ["/sdapi/v1/txt2img", "/sdapi/v1/img2img"])
        let fields = server.log().last?["fields"] as? [String: Any]
        #expect(fields?["seed"] as? Int == 42)
        #expect(fields?["steps"] as? Int == 12)
        #expect(fields?["width"] as? Int == 1024 && fields?["height"] as? Int == 680)
    }

    /// `count` distinct small photos, `p00.png`...
    static func smallPhotos(_ count: Int, in folder: String) throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for number in 0..<count {
            var pixels: [UInt8] = []
            for y in 0..<48 { for x in 0..<64 { pixels += [UInt8((x * 4 + number * 9) & 255), UInt8((y * 5 + number * 3) & 255), UInt8(number * 13 & 255)] } }
            let png = try PNGEncoder.encode(RGBImage(width: 64, height: 48, pixels: pixels))
            try Data(png).write(to: URL(fileURLWithPath: folder + String(format: "/p%02d.png", number)))
        }
        return folder
    }

    /// --jobs is the number of requests in flight, not the machine's cores (2 on CI), for pack and
    /// extract alike; and an archive's bytes do not depend on it.
    @Test func jobsAreRequestsInFlightAndTheArchiveDoesNotDependOnThem() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.smallPhotos(16, in: directory + "/photos")
        let slow = try FakeServer("openai_server.py", behaviour: ["delay": 1.0], arguments: ["--key", Self.key])
        let wide = directory + "/wide.gcx"
        let packed = try CLI.run(["pack", photos, "-o", wide, "--captioner", "openai", "--base-url", slow.openAIBaseURL, "--jobs", "8"],
                                 environment: ["OPENAI_API_KEY": Self.key])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(slow.log().count == 16)
        #expect(slow.mostInFlight() == 8)

        let quick = try FakeServer("openai_server.py", behaviour: ["delay": 0.05], arguments: ["--key", Self.key])
        let narrow = directory + "/narrow.gcx"
        let again = try CLI.run(["pack", photos, "-o", narrow, "--captioner", "openai", "--base-url", quick.openAIBaseURL, "--jobs", "3"],
                                environment: ["OPENAI_API_KEY": Self.key])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(quick.mostInFlight() <= 3)
        #expect(try FileSource.readAll(FilePath(wide)) == FileSource.readAll(FilePath(narrow)))

        let a1111 = try FakeServer("a1111_server.py", behaviour: ["delay": 1.0])
        let out = directory + "/out"
        let extracted = try CLI.run(["extract", wide, "-o", out, "--generator", "a1111", "--base-url", a1111.baseURL,
                                     "--no-cache", "--jobs", "8", "--size", "64x48", "--json"])
        #expect(extracted.status == 0, "\(extracted.stderr)")
        #expect(a1111.log().count == 16)
        #expect(a1111.mostInFlight() == 8)
        #expect(((extracted.json as? [String: Any])?["written"] as? [Any])?.count == 16)
    }

    @Test func serverErrorsAreRetriedThenReportedWithTheServersMessageAndNoPartialFiles() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.photos(1, in: directory)
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", photos, "-o", archive, "--mode", "text"]).status == 0)
        let server = try FakeServer("openai_server.py", behaviour: [
            "faults": [
                ["requests": [1], "kind": "status", "status": 429, "retry_after": "1", "message": "Rate limit reached for gpt-image-1"],
                ["requests": [2, 3, 4], "kind": "status", "status": 503, "message": "The engine is currently overloaded, please try again later"],
            ],
        ], arguments: ["--key", Self.key])
        let out = directory + "/out"
        let result = try CLI.run(["extract", archive, "-o", out, "--generator", "openai", "--base-url", server.openAIBaseURL,
                                  "--attempts", "4", "--no-cache"], environment: ["OPENAI_API_KEY": Self.key])
        #expect(result.status == 1)
        #expect(result.stderr.contains("The engine is currently overloaded, please try again later"))
        #expect(result.stderr.contains("503"))
        #expect(server.log().count == 4)
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: out)) ?? []
        #expect(written.isEmpty, "\(written)")

        // A slow answer past the timeout is retried, and the retry succeeds.
        let slow = try FakeServer("openai_server.py", behaviour: ["faults": [["requests": [1], "kind": "slow", "seconds": 4]]],
                                  arguments: ["--key", Self.key])
        let retried = try CLI.run(["extract", archive, "-o", out, "--generator", "openai", "--base-url", slow.openAIBaseURL,
                                   "--timeout", "1", "--no-cache"], environment: ["OPENAI_API_KEY": Self.key])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(slow.log().count >= 1)
        #expect(FileManager.default.fileExists(atPath: out + "/kodim01.png"))
    }

    @Test func aWrongKeyIsReportedWithoutShowingIt() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.photos(1, in: directory)
        let server = try FakeServer("openai_server.py", behaviour: ["echo_key_in_401": true], arguments: ["--key", "sk-the-right-one"])
        let keyFile = directory + "/key.txt"
        try (Self.key + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
        let result = try CLI.run(["pack", photos, "-o", directory + "/a.gcx", "--captioner", "openai", "--base-url", server.openAIBaseURL,
                                  "--api-key-file", keyFile])
        #expect(result.status == 1)
        #expect(result.stderr.contains("401"))
        #expect(!(result.stdout + result.stderr).contains(Self.key))
        #expect(!Self.everything(under: directory + "/photos").contains(Self.key))
    }

    @Test func defaultCaptionerIsOpenAIWhenAKeyIsSetAndSaysSo() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = try Self.photos(1, in: directory)
        let server = try FakeServer("openai_server.py", behaviour: ["caption_text": try Self.captions()[0]], arguments: ["--key", Self.key])
        let withKey = try CLI.run(["pack", photos, "-o", directory + "/a.gcx", "--base-url", server.openAIBaseURL, "--mode", "text",
                                   "--caption-max-side", "256"], environment: ["OPENAI_API_KEY": Self.key])
        #expect(withKey.status == 0, "\(withKey.stderr)")
        #expect(withKey.stderr.contains("captioner: openai model gpt-4o"))
        // The 768×512 photo went out as a 256×171 JPEG.
        let messages = (server.log().first?["fields"] as? [String: Any])?["messages"] as? [[String: Any]]
        let image = (messages?.first?["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "image_url" }
        #expect(image?["mime"] as? String == "image/jpeg")
        #expect(image?["width"] as? Int == 256 && image?["height"] as? Int == 171)
        let without = try CLI.run(["pack", photos, "-o", directory + "/b.gcx", "--mode", "text"])
        #expect(without.stderr.contains("captioner: built-in describer"))
    }
}

@Suite struct CompanyNetworkTests {
    // Issue 11, item 5: a captioner behind TLS with a private CA, reached through a proxy, with the
    // usual environment (SSL_CERT_FILE, HTTPS_PROXY) and with --ca-cert.
    @Test func packThroughAProxyToAPrivateCAServer() throws {
        let directory = try CLI.temporaryDirectory("gcx-company")
        let cert = directory + "/cert.pem", key = directory + "/key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=captioner.internal",
                             "-addext", "subjectAltName=DNS:captioner.internal", "-keyout", key, "-out", cert]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0)
        let server = try FakeServer("openai_server.py", arguments: ["--tls-cert", cert, "--tls-key", key])
        let proxy = try FakeServer("proxy.py")
        let photo = CLI.packageRoot + "/fixtures/photos/kodim03.jpg"
        let base = ["pack", photo, "--captioner", "openai", "--base-url", "https://captioner.internal:\(server.port)/v1", "-q", "--attempts", "1"]
        // This machine's environment may name the system bundle already; "" unsets it for gcx.
        let proxied = ["HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)", "OPENAI_API_KEY": "sk-test-company-network-0000",
                       "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": ""]
        let untrusted = try CLI.run(base + ["-o", directory + "/a.gcx"], environment: proxied)
        #expect(untrusted.status == 1 && untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")
        let viaEnvironment = try CLI.run(base + ["-o", directory + "/b.gcx"], environment: proxied.merging(["SSL_CERT_FILE": cert]) { $1 })
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
        let viaOption = try CLI.run(base + ["-o", directory + "/c.gcx", "--ca-cert", cert], environment: proxied)
        #expect(viaOption.status == 0, "\(viaOption.stderr)")
        #expect(proxy.log().filter { $0["method"] as? String == "CONNECT" }.count >= 3)
    }
}
