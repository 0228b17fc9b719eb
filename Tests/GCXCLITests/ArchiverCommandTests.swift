import Foundation
import Testing
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXImage
import GCXTestSupport
import SystemPackage

/// End-to-end tests of pack, extract and cat through the built binary, offline, with the built-in
/// describer and reconstructor.
@Suite(.serialized) struct ArchiverCommandTests {
    @Test func kodakPacksUnderATenthOfABitPerPixelAndReconstructsConsistently() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/kodak.gcx"
        let pack = try CLI.run(["pack", CLI.datasets + "/kodak", "-o", archive, "--jobs", "2", "--json"])
        #expect(pack.status == 0, "\(pack.stderr)")
        #expect(pack.stderr.contains("built-in describer"))
        #expect(try CLI.run(["validate", archive]).status == 0)

        let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
        #expect(reader.rows.count == 24)
        var bppSum = 0.0
        for row in reader.rows {
            #expect(row.summary.bitsPerPixel < 0.1, "\(row.summary.name): \(row.summary.bitsPerPixel) bpp")
            #expect(row.summary.mode == .multimodal)
            bppSum += row.summary.bitsPerPixel
        }

        let out = directory + "/out"
        let extract = try CLI.run(["extract", archive, "-o", out, "--what", "all"])
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(extract.stderr.contains("built-in reconstructor"))
        var psnrToThumbnail: [Double] = []
        var psnrToOriginal: [Double] = []
        var promptBytes = (form: 0, model2: 0, model1: 0)
        for row in reader.rows {
            let entry = try reader.entry(at: row)
            let stem = out + "/" + row.summary.name.replacingOccurrences(of: ".png", with: "")
            let prompt = try #require(FileManager.default.contents(atPath: stem + ".txt"))
            let text = try PromptDecoding.standard.text(of: entry.prompt, at: 0)
            #expect(prompt == Data(text.utf8), "\(row.summary.name)")
            // The built-in describer's text is stored as its choices (method 2, spec Appendix D).
            #expect(entry.prompt.method == .builtinForm)
            promptBytes.form += entry.prompt.payload.count
            promptBytes.model2 += PromptCoder.encode(text, modelID: 2).count
            promptBytes.model1 += PromptCoder.encode(text, modelID: 1).count
            let thumbnail = try ImageDecoder.decode(try FileSource.readAll(FilePath(stem + ".thumb.png"))).image
            let stored = try decodedThumbnail(entry.thumbnail!)
            #expect(thumbnail == stored)
            let reconstruction = try ImageDecoder.decode(try FileSource.readAll(FilePath(stem + ".png"))).image
            #expect(reconstruction.width == entry.source.width && reconstruction.height == entry.source.height)
            let downsampled = try Thumbnailer.downsample(reconstruction, scale: entry.thumbnail!.scale)
            let toThumbnail = try ImageMetrics.psnr(downsampled, stored)
            #expect(toThumbnail >= 45, "\(row.summary.name): \(toThumbnail) dB against its thumbnail")
            psnrToThumbnail.append(min(toThumbnail, 99))
            let original = try ImageDecoder.decode(try FileSource.readAll(FilePath(CLI.datasets + "/kodak/" + row.summary.name))).image
            psnrToOriginal.append(try ImageMetrics.psnr(reconstruction, original))
        }
        // Model 2 was primed for the built-in form (on other photos); its choices take half of that again.
        #expect(promptBytes.model2 * 2 < promptBytes.model1, "model 2 \(promptBytes.model2) bytes, model 1 \(promptBytes.model1)")
        #expect(promptBytes.form * 2 < promptBytes.model2, "method 2 \(promptBytes.form) bytes, model 2 \(promptBytes.model2)")
        let count = Double(reader.rows.count)
        print("kodak: prompts \(promptBytes.form) bytes as built-in forms, \(promptBytes.model2) with model 2, \(promptBytes.model1) with model 1")
        print("kodak: mean entry bpp \(bppSum / count), archive \(try FileSource(FilePath(archive)).size) bytes, mean PSNR vs thumbnail \(psnrToThumbnail.reduce(0, +) / count) dB (capped at 99), vs original \(psnrToOriginal.reduce(0, +) / count) dB")
    }

    @Test func tinyThumbnailsFitTheirBudgetAndReconstructConsistently() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/tiny.gcx"
        let photos = ["kodim03.png", "kodim04.png", "kodim23.png"].map { CLI.datasets + "/kodak/" + $0 }
        let pack = try CLI.run(["pack"] + photos + ["-o", archive, "--thumbnail-codec", "tiny", "--thumbnail-bytes", "200"])
        #expect(pack.status == 0, "\(pack.stderr)")
        #expect(try CLI.run(["validate", archive]).status == 0)
        let reader = try ArchiveReader(source: FileSource(FilePath(archive)))
        let out = directory + "/out"
        #expect(try CLI.run(["extract", archive, "-o", out, "--what", "all"]).status == 0)
        for row in reader.rows {
            #expect(row.summary.thumbnailBytes <= 200 && row.summary.thumbnailBytes > 100, "\(row.summary.name): \(row.summary.thumbnailBytes) B")
            let thumbnail = try #require(try reader.entry(at: row).thumbnail)
            #expect(thumbnail.codec == .tiny)
            let stem = out + "/" + row.summary.name.replacingOccurrences(of: ".png", with: "")
            let decoded = try ImageDecoder.decode(try FileSource.readAll(FilePath(stem + ".thumb.png"))).image
            let reconstruction = try ImageDecoder.decode(try FileSource.readAll(FilePath(stem + ".png"))).image
            // The consistency step makes the reconstruction's thumbnail the decoded one.
            #expect(try ImageMetrics.psnr(try Thumbnailer.downsample(reconstruction, scale: thumbnail.scale), decoded) >= 45)
            let original = try ImageDecoder.decode(try FileSource.readAll(FilePath(CLI.datasets + "/kodak/" + row.summary.name))).image
            #expect(try ImageMetrics.psnr(reconstruction, original) > 17)
        }
        // auto: per photo, the scale whose reconstruction at the budget is best; at 40 bytes a
        // 1/8 thumbnail of a detailed photo loses to a coarser one.
        let auto = directory + "/auto.gcx"
        #expect(try CLI.run(["pack"] + photos + ["-o", auto, "--thumbnail-codec", "tiny", "--thumbnail-bytes", "40", "--thumbnail-scale", "auto"]).status == 0)
        let autoReader = try ArchiveReader(source: FileSource(FilePath(auto)))
        let scales = try autoReader.rows.map { try autoReader.entry(at: $0).thumbnail!.scale }
        #expect(scales.allSatisfy { [8, 12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 64].contains($0) } && scales.contains { $0 > 8 }, "\(scales)")
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/d.gcx", "--thumbnail-scale", "auto", "--thumbnail-quality", "40"]).status == 2, "auto needs a budget")
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/e.gcx", "--thumbnail-scale", "auto", "--thumbnail-codec", "jpeg"]).status == 2, "auto is for tiny thumbnails")
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/b.gcx", "--thumbnail-bytes", "200", "--thumbnail-codec", "png"]).status == 2, "a budget is for tiny thumbnails")
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/t.gcx", "--thumbnail-tradeoff", "2", "--thumbnail-scale", "8"]).status == 2, "a trade-off is for the auto scale")
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/t.gcx", "--thumbnail-tradeoff", "-1"]).status == 2)
        let traded = directory + "/traded.gcx"
        #expect(try CLI.run(["pack", photos[0], "-o", traded, "--thumbnail-bytes", "1000", "--thumbnail-tradeoff", "2.35"]).status == 0)
        #expect(try CLI.run(["validate", traded]).status == 0)
        // The defaults: tiny (codec 5), a 528-byte budget, the scale chosen per photo; a quality instead of a
        // budget codes at that quantiser and scale 8; JPEG at 1/8 by option.
        let defaults = directory + "/defaults.gcx", quality = directory + "/quality.gcx", jpeg = directory + "/jpeg.gcx"
        #expect(try CLI.run(["pack", photos[0], "-o", defaults]).status == 0)
        #expect(try CLI.run(["pack", photos[0], "-o", quality, "--thumbnail-quality", "40"]).status == 0)
        #expect(try CLI.run(["pack", photos[0], "-o", jpeg, "--thumbnail-codec", "jpeg"]).status == 0)
        let first = { (path: String) throws -> Thumbnail in
            let reader = try ArchiveReader(source: FileSource(FilePath(path)))
            return try #require(try reader.entry(at: reader.rows[0]).thumbnail)
        }
        let (d, q, j) = (try first(defaults), try first(quality), try first(jpeg))
        #expect(d.codec == .tiny && d.codec.rawValue == 5 && d.payload.count <= 528 && d.payload.count > 430, "\(d.payload.count) B")
        #expect(q.codec == .tiny && q.scale == 8)
        #expect(j.codec == .jpeg && j.scale == 8)
        #expect(try CLI.run(["pack", photos[0], "-o", directory + "/c.gcx", "--thumbnail-codec", "tiny", "--thumbnail-bytes", "8"]).status == 2)
        // Codecs 3 and 4 by option, for readers that know no later one: the same budget and auto
        // scale, and they reconstruct.
        for (choice, codec) in [("tiny3", ThumbnailCodec.tiny3), ("tiny4", .tiny4)] {
            let earlier = directory + "/\(choice).gcx"
            #expect(try CLI.run(["pack", photos[0], "-o", earlier, "--thumbnail-codec", choice]).status == 0)
            let t = try first(earlier)
            #expect(t.codec == codec && t.payload.count <= 528, "\(t.codec) \(t.payload.count) B")
            #expect(try CLI.run(["validate", earlier]).status == 0)
            #expect(try CLI.run(["extract", earlier, "-o", directory + "/" + choice]).status == 0)
        }
    }

    @Test func suppliedPromptsAreStoredAndExtractedByteForByte() throws {
        let directory = try CLI.temporaryDirectory()
        let photos = directory + "/photos"
        try FileManager.default.createDirectory(atPath: photos + "/cid22", withIntermediateDirectories: true)
        // Four photos and the corpus lines that describe them (names as the corpus writes them).
        let lines = try String(contentsOfFile: CLI.corpus + "/prompts-cid22-a.jsonl", encoding: .utf8)
            .split(separator: "\n").prefix(4).map(String.init)
        var expected: [String: String] = [:]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            let image = try #require(object["image"]), prompt = try #require(object["prompt"])
            try FileManager.default.copyItem(atPath: CLI.datasets + "/" + image, toPath: photos + "/" + image)
            expected[image] = prompt
        }
        let sidecar = directory + "/prompts.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: sidecar, atomically: true, encoding: .utf8)
        let archive = directory + "/a.gcx"
        let pack = try CLI.run(["pack", photos, "-o", archive, "--prompts", sidecar, "--mode", "text"])
        #expect(pack.status == 0, "\(pack.stderr)")
        let out = directory + "/out"
        #expect(try CLI.run(["extract", archive, "-o", out, "--what", "prompt"]).status == 0)
        for (image, prompt) in expected {
            let text = try #require(FileManager.default.contents(atPath: out + "/" + image.replacingOccurrences(of: ".png", with: ".txt")))
            #expect(text == Data(prompt.utf8))
            let cat = try CLI.run(["cat", archive, image])
            #expect(cat.stdout == prompt)
        }
        // A text entry has no thumbnail, and the built-in reconstructor cannot draw from text.
        let reconstruct = try CLI.run(["extract", archive, "-o", directory + "/recon"])
        #expect(reconstruct.status == 1)
        #expect(reconstruct.stderr.contains("needs an image generator"))
        let made = (try? FileManager.default.subpathsOfDirectory(atPath: directory + "/recon")) ?? []
        #expect(made.filter { $0.hasSuffix(".png") }.isEmpty)
    }

    @Test func killedPackIsCompletedByAppend() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/kodak.gcx"
        var generator = SeededGenerator(seed: 0x6763_7821)
        for round in 0..<4 {
            try? FileManager.default.removeItem(atPath: archive)
            try? FileManager.default.removeItem(atPath: archive + ".partial")
            // Kill the pack at a random moment, possibly several times, then let it finish.
            var finished = false
            for attempt in 0..<6 {
                let pack = try ReportingProcess(["pack", CLI.datasets + "/kodak", "-o", archive, "--append", "--jobs", "2"])
                let process = pack.process
                if attempt < 2 + round % 2 {
                    // Killed a seeded moment after a seeded number of entries were packed: inside an
                    // entry, between entries or in the header.
                    let entries = Int.random(in: 0...4, using: &generator)
                    let delay = Double(Int.random(in: 0...40, using: &generator)) / 1000
                    if pack.waitFor(entries, linesContaining: "packed") {
                        Thread.sleep(forTimeInterval: delay)
                        kill(process.processIdentifier, SIGKILL)
                    }
                }
                pack.finish()
                if process.terminationReason == .exit {
                    #expect(process.terminationStatus == 0)
                    finished = true
                    break
                }
            }
            #expect(finished)
            #expect(try CLI.run(["validate", archive]).status == 0, "round \(round)")
            let names = try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name)
            #expect(names.count == 24 && Set(names).count == 24, "round \(round): \(names.count) entries")
            #expect(!FileManager.default.fileExists(atPath: archive + ".partial"))
        }
    }

    @Test func extractionNeverWritesOutsideItsFolder() throws {
        let fixtures = CLI.packageRoot + "/fixtures/conformance/invalid"
        for fixture in ["x-name-traversal", "x-name-traversal-inner", "x-name-absolute", "x-name-drive-letter", "x-name-nul", "x-name-backslash"] {
            let parent = try CLI.temporaryDirectory("gcx-slip")
            #expect(try CLI.run(["validate", fixtures + "/\(fixture).gcx"]).status == 1)
            let result = try CLI.run(["extract", fixtures + "/\(fixture).gcx", "-o", parent + "/out", "--what", "prompt"])
            #expect(result.status == 1, "\(fixture)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["out"], "\(fixture)")
            #expect(try FileManager.default.subpathsOfDirectory(atPath: parent + "/out").isEmpty, "\(fixture)")
        }

        // A symbolic link planted inside the output folder is not followed.
        let directory = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/photos/evil", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.datasets + "/kodak/kodim03.png", toPath: directory + "/photos/evil/x.png")
        #expect(try CLI.run(["pack", directory + "/photos", "-o", directory + "/a.gcx", "--mode", "text"]).status == 0)
        try FileManager.default.createDirectory(atPath: directory + "/outside", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/out/evil", withDestinationPath: directory + "/outside")
        let result = try CLI.run(["extract", directory + "/a.gcx", "-o", directory + "/out", "--what", "prompt"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("symbolic links"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/outside").isEmpty)
    }

    @Test func nothingIsOverwrittenWithoutForce() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", CLI.datasets + "/kodak/kodim01.png", "-o", archive]).status == 0)
        let before = try FileSource.readAll(FilePath(archive))
        let again = try CLI.run(["pack", CLI.datasets + "/kodak/kodim02.png", "-o", archive])
        #expect(again.status == 2)
        #expect(again.stderr.contains("--append"))
        #expect(try FileSource.readAll(FilePath(archive)) == before)

        #expect(try CLI.run(["extract", archive, "-o", directory + "/out", "--what", "prompt"]).status == 0)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/out/kodim01.txt"))
        let blocked = try CLI.run(["extract", archive, "-o", directory + "/out", "--what", "prompt"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("--force"))
        #expect(try String(contentsOfFile: directory + "/out/kodim01.txt", encoding: .utf8) == "mine")
        #expect(try CLI.run(["extract", archive, "-o", directory + "/out", "--what", "prompt", "--force"]).status == 0)
        #expect(try String(contentsOfFile: directory + "/out/kodim01.txt", encoding: .utf8) != "mine")

        // --append adds and skips what is there; a rerun with nothing new leaves the file untouched.
        #expect(try CLI.run(["pack", CLI.datasets + "/kodak/kodim01.png", CLI.datasets + "/kodak/kodim02.png", "-o", archive, "--append"]).status == 0)
        let appended = try FileSource.readAll(FilePath(archive))
        #expect(Array(appended.prefix(FileHeader.size + 100)) == Array(before.prefix(FileHeader.size + 100)))
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name) == ["kodim01.png", "kodim02.png"])
        let rerun = try CLI.run(["pack", CLI.datasets + "/kodak/kodim02.png", "-o", archive, "--append"])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("unchanged"))
        #expect(try FileSource.readAll(FilePath(archive)) == appended)
    }

    @Test func brokenPhotosFailOneByOneWhileTheBatchCompletes() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/suite.gcx"
        let suite = CLI.datasets + "/pngsuite"
        let files = try FileManager.default.contentsOfDirectory(atPath: suite).filter { $0.hasSuffix(".png") }
        let broken = files.filter { $0.hasPrefix("x") }
        #expect(!broken.isEmpty)
        let result = try CLI.run(["pack", suite, "-o", archive, "--json", "-q"])
        #expect(result.status == 1)
        let summary = try #require(result.json as? [String: Any])
        let failed = try #require(summary["failed"] as? [[String: String]])
        #expect(Set(failed.compactMap { $0["input"].map { ($0 as NSString).lastPathComponent } }) == Set(broken))
        for failure in failed { #expect((failure["error"] ?? "").count > 10) }
        #expect(summary["entries"] as? Int == files.count - broken.count)
        #expect(try CLI.run(["validate", archive]).status == 0)
        for name in broken { #expect(result.stderr.contains(name)) }
    }

    /// The library says what does not fit; only the command line names the flags that would help.
    @Test func aBudgetNoThumbnailFitsNamesTheSizeAndTheFlagsToChange() throws {
        let directory = try CLI.temporaryDirectory()
        // Noise: not even the coarsest quantiser brings its 250x250 thumbnail down to 16 bytes.
        var state: UInt32 = 1
        let pixels = (0..<2000 * 2000 * 3).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let photo = directory + "/noise.png"
        try Data(try PNGEncoder.encode(RGBImage(width: 2000, height: 2000, pixels: pixels))).write(to: URL(fileURLWithPath: photo))
        let result = try CLI.run(["pack", photo, "-o", directory + "/a.gcx", "--thumbnail-scale", "8", "--thumbnail-bytes", "16"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot make its thumbnail: no 250x250 tiny thumbnail fits 16 bytes "
            + "(give --thumbnail-bytes more, or a larger --thumbnail-scale)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/a.gcx"))
    }

    @Test func jpegSamplesAndThumbnailOptions() throws {
        let directory = try CLI.temporaryDirectory()
        let archive = directory + "/j.gcx"
        let samples = CLI.datasets + "/jpeg-samples"
        let result = try CLI.run(["pack", samples + "/testorig.jpg", samples + "/testimgint.jpg", samples + "/testimgari.jpg",
                                  "-o", archive, "--thumbnail-scale", "16", "--thumbnail-codec", "png", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let info = try CLI.run(["info", "--json", archive, "testimgari.jpg"])
        let object = try #require(info.json as? [String: Any])
        let thumbnail = try #require(object["thumbnail"] as? [String: Any])
        #expect(thumbnail["codec"] as? String == "png")
        #expect(thumbnail["scale"] as? Int == 16)
        #expect(try CLI.run(["pack", samples, "-o", directory + "/bad.gcx", "--thumbnail-scale", "12"]).status == 2)
    }

    @Test func exifOrientationIsAppliedAndRecorded() throws {
        let directory = try CLI.temporaryDirectory()
        var jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: CLI.datasets + "/jpeg-samples/testorig.jpg")))
        // APP1 "Exif": a little-endian TIFF with one IFD0 entry, Orientation (0x0112) = 6 (rotate 90° clockwise).
        let tiff: [UInt8] = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00,
                             0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x00]
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        jpeg.insert(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload, at: 2)
        _ = FileManager.default.createFile(atPath: directory + "/rotated.jpg", contents: Data(jpeg))
        let plain = try ImageDecoder.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: CLI.datasets + "/jpeg-samples/testorig.jpg")))).image

        #expect(try CLI.run(["pack", directory + "/rotated.jpg", "-o", directory + "/a.gcx"]).status == 0)
        let info = try #require(try CLI.run(["info", "--json", directory + "/a.gcx", "rotated.jpg"]).json as? [String: Any])
        #expect(info["orientation"] as? Int == 6)
        #expect(info["width"] as? Int == plain.height && info["height"] as? Int == plain.width)
        #expect(info["original_bytes"] as? Int == jpeg.count)
    }
}
