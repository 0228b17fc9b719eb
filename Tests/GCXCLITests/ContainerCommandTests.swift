import Foundation
import Testing
import GCX
import GCXFileIO
import GCXImage
import SystemPackage

/// End-to-end tests of validate, list and info through the built binary.
@Suite struct ContainerCommandTests {
    static let fixtures = CLI.packageRoot + "/fixtures/conformance"

    struct Case: Decodable, CustomTestStringConvertible {
        var file: String
        var valid: Bool
        var code: String?
        var testDescription: String { file }
    }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: fixtures + "/manifest.json"))
        return try! JSONDecoder().decode([Case].self, from: data)
    }()

    @Test(arguments: cases)
    func validateGivesTheManifestResult(fixture: Case) throws {
        let result = try CLI.run(["validate", "--json", Self.fixtures + "/" + fixture.file])
        #expect(result.status == (fixture.valid ? 0 : 1), "\(result.stdout)\(result.stderr)")
        let reports = try #require(result.json as? [[String: Any]])
        #expect(reports.count == 1)
        #expect(reports[0]["valid"] as? Bool == fixture.valid)
        let codes = (reports[0]["violations"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "error" }.compactMap { $0["code"] as? String }
        // The primary code (spec §12.1): the first error reported.
        if let code = fixture.code { #expect(codes.first == code, "\(codes)") } else { #expect(codes.isEmpty) }
        for violation in reports[0]["violations"] as? [[String: Any]] ?? [] {
            #expect(violation["offset"] is Int)
            #expect((violation["message"] as? String)?.isEmpty == false)
        }
    }

    @Test func validateManyFilesExitsOneWhenAnyIsInvalid() throws {
        let good = Self.fixtures + "/valid/one-entry.gcx"
        let bad = Self.fixtures + "/invalid/x-entry-checksum.gcx"
        let result = try CLI.run(["validate", good, bad])
        #expect(result.status == 1)
        #expect(result.stdout.contains("OK: \(good)"))
        #expect(result.stdout.contains("INVALID: \(bad)"))
        #expect(result.stdout.contains("record.checksum"))
    }

    @Test func usageAndIOErrorsExitTwo() throws {
        #expect(try CLI.run(["validate"]).status == 2)
        #expect(try CLI.run(["validate", "--no-such-flag", "x.gcx"]).status == 2)
        let missing = try CLI.run(["validate", "/nonexistent/archive.gcx"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/archive.gcx"))
        #expect(try CLI.run(["--help"]).status == 0)
    }

    @Test func closedChoicesAreCheckedByTheParser() throws {
        let bad = try CLI.run(["pack", "x.png", "-o", "x.gcx", "--thumbnail-scale", "12"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("8, 16") || bad.stderr.contains("'8'"), "\(bad.stderr)")
        #expect(try CLI.run(["extract", "x.gcx", "-o", "out", "--what", "everything"]).status == 2)
        #expect(try CLI.run(["extract", "x.gcx", "-o", "out", "--generator", "dalle"]).status == 2)
        let help = try CLI.run(["pack", "--help"])
        #expect(help.stdout.contains("values: text, multimodal"), "\(help.stdout)")
    }

    @Test func aFailedWriteToStandardOutputIsReported() throws {
        try #require(FileManager.default.fileExists(atPath: "/dev/full"), "this test needs /dev/full")
        let result = try CLI.run(["list", Self.fixtures + "/valid/many-entries.gcx"], standardOutput: "/dev/full")
        #expect(result.status == 2)
        #expect(result.stderr.contains("standard output"), "\(result.stderr)")
    }

    @Test func listJSONHasThePublicFields() throws {
        let result = try CLI.run(["list", "--json", Self.fixtures + "/valid/many-entries.gcx"])
        #expect(result.status == 0)
        let entries = try #require(result.json as? [[String: Any]])
        #expect(entries.count == 12)
        for entry in entries {
            for key in ["name", "width", "height", "mode", "prompt_bytes", "thumbnail_bytes", "entry_bytes", "bpp"] {
                #expect(entry[key] != nil, "missing \(key)")
            }
            let width = try #require(entry["width"] as? Int), height = try #require(entry["height"] as? Int)
            let bytes = try #require(entry["entry_bytes"] as? Int)
            let bpp = try #require(entry["bpp"] as? Double)
            #expect(abs(bpp - Double(bytes * 8) / Double(width * height)) < 1e-5)
            let mode = entry["mode"] as? String
            #expect(mode == "text" || mode == "multimodal")
            #expect((entry["thumbnail_bytes"] as? Int == 0) == (mode == "text"))
        }
        #expect(entries.first?["name"] as? String == "2024/summer/IMG_1000.jpg")
    }

    @Test func listRecoversAnInterruptedArchiveButSaysSo() throws {
        let result = try CLI.run(["list", "--json", Self.fixtures + "/invalid/x-truncated-after-entry.gcx"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("recovered by scanning"))
        #expect((result.json as? [Any])?.count == 12)
    }

    @Test func infoShowsOneEntryWithItsPrompt() throws {
        let result = try CLI.run(["info", "--json", Self.fixtures + "/valid/all-optional-fields.gcx", "holiday/beach.jpg"])
        #expect(result.status == 0, "\(result.stderr)")
        let info = try #require(result.json as? [String: Any])
        #expect(info["name"] as? String == "holiday/beach.jpg")
        #expect(info["orientation"] as? Int == 6)
        #expect(info["capture_time"] as? String == "2024-07-01T12:00:00+02:00")
        #expect((info["prompt"] as? String)?.hasPrefix("Type: photograph.") == true)
        #expect((info["generator"] as? [String: Any])?["seed"] as? String == "42")
        let text = try CLI.run(["info", Self.fixtures + "/valid/all-optional-fields.gcx", "holiday/beach.jpg"])
        #expect(text.stdout.contains("thumbnail:   png 12x8, scale 1/8"))
        let missing = try CLI.run(["info", Self.fixtures + "/valid/all-optional-fields.gcx", "nope.png"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no entry matches \"nope.png\""))
    }
}

@Suite struct FixtureRegenerationTests {
    @Test func fixtureMakerReproducesTheCommittedFixturesByteForByte() throws {
        let maker = CLI.product("gcx-make-fixtures")
        let output = NSTemporaryDirectory() + "gcx-fixtures-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: maker)
        process.arguments = [output]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let committed = CLI.packageRoot + "/fixtures/conformance"
        let made = try FileManager.default.subpathsOfDirectory(atPath: output).filter { !$0.hasSuffix("valid") }.sorted()
        let kept = try FileManager.default.subpathsOfDirectory(atPath: committed).filter { !$0.hasSuffix("valid") && $0 != "README.md" }.sorted()
        #expect(made == kept)
        for file in made where file.contains(".") {
            let a = FileManager.default.contents(atPath: output + "/" + file)
            let b = FileManager.default.contents(atPath: committed + "/" + file)
            #expect(a == b, "\(file) differs from what tools/make-fixtures makes")
        }
        try? FileManager.default.removeItem(atPath: output)
    }
}

@Suite struct ValidateSweepTests {
    /// `gcx validate` itself reports every single-byte change and every truncation of a small valid
    /// multi-entry file as invalid, and never crashes: the damaged copies are checked in batches.
    @Test func everyDamagedCopyIsInvalid() throws {
        let original = try #require(FileManager.default.contents(atPath: ContainerCommandTests.fixtures + "/valid/many-entries.gcx"))
        let bytes = [UInt8](original.prefix(2_000))
        let directory = try CLI.temporaryDirectory("gcx-sweep")
        // Take the first 2,000 bytes' worth of damage: header, several entries; plus the whole tail.
        var paths: [String] = []
        let full = [UInt8](original)
        let offsets = Array(0..<bytes.count) + Array(max(0, full.count - 400)..<full.count)
        for offset in offsets {
            var copy = full
            copy[offset] ^= 0x5A
            let path = directory + "/flip-\(offset).gcx"
            _ = FileManager.default.createFile(atPath: path, contents: Data(copy))
            paths.append(path)
        }
        for length in stride(from: 0, to: full.count, by: 7) {
            let path = directory + "/cut-\(length).gcx"
            _ = FileManager.default.createFile(atPath: path, contents: Data(full.prefix(length)))
            paths.append(path)
        }
        for start in stride(from: 0, to: paths.count, by: 500) {
            let batch = Array(paths[start..<min(start + 500, paths.count)])
            let result = try CLI.run(["validate", "--json"] + batch)
            #expect(result.status == 1)
            let reports = try #require(result.json as? [[String: Any]])
            #expect(reports.count == batch.count)
            let accepted = reports.filter { $0["valid"] as? Bool != false }.compactMap { $0["file"] as? String }
            #expect(accepted.isEmpty, "accepted: \(accepted.prefix(5))")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// tools/reference/gcxref.py, a second reader written from the spec alone, reads every valid
/// fixture exactly as gcx does.
@Suite struct ReferenceReaderTests {
    @Test(arguments: ContainerCommandTests.cases.filter(\.valid))
    func pythonReaderAgreesWithGCX(fixture: ContainerCommandTests.Case) throws {
        let path = ContainerCommandTests.fixtures + "/" + fixture.file
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.packageRoot + "/tools/reference/gcxref.py", path]
        let output = NSTemporaryDirectory() + "gcxref-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [[String: Any]])
        let listed = try #require(try CLI.run(["list", "--json", path]).json as? [[String: Any]])
        #expect(reference.count == listed.count)
        for (theirs, ours) in zip(reference, listed) {
            for key in ["name", "width", "height", "mode", "prompt_bytes", "thumbnail_bytes", "entry_bytes"] {
                #expect("\(theirs[key] ?? "nil")" == "\(ours[key] ?? "nil")", "\(key)")
            }
            let name = try #require(ours["name"] as? String)
            #expect(theirs["prompt"] as? String == (try CLI.run(["cat", path, name])).stdout)
            // Tiny thumbnails: the same pixels from both decoders of Appendix C.
            if let digest = theirs["thumbnail_sha256"] as? String {
                let out = NSTemporaryDirectory() + "gcxref-thumb-\(UUID().uuidString)"
                defer { try? FileManager.default.removeItem(atPath: out) }
                #expect(try CLI.run(["extract", path, name, "-o", out, "--what", "thumbnail"]).status == 0)
                let stem = name.split(separator: ".").dropLast().joined(separator: ".")
                let png = try FileSource.readAll(FilePath(out + "/" + stem + ".thumb.png"))
                let pixels = try ImageDecoder.decode(png).image.pixels
                #expect(SHA256.hash(pixels).map { String(format: "%02x", $0) }.joined() == digest, "\(name)")
            }
            // The ancillary metadata both readers know (§6.7, §6.8).
            let info = try #require(try CLI.run(["info", path, name, "--json"]).json as? [String: Any])
            for key in ["camera", "location"] {
                let a = theirs[key].flatMap { $0 is NSNull ? nil : $0 as? [String: Any] }
                let b = info[key].flatMap { $0 is NSNull ? nil : $0 as? [String: Any] }
                #expect((a == nil) == (b == nil), "\(key)")
                if let a, let b {
                    for (field, value) in a { #expect("\(value)" == "\(b[field] ?? "nil")", "\(key).\(field)") }
                }
            }
        }
    }
}
