import Foundation
import Testing
import GCX
import GCXFileIO
import GCXImage
import SystemPackage

/// The findings of the archivist review (nothing lost, nothing skipped in silence, exit codes that
/// mean what the README says), each through the built binary.
@Suite struct ArchivistSafetyTests {
    static let photos = CLI.packageRoot + "/fixtures/photos"

    /// A folder holding copies of the sample photos named in `names`.
    static func folder(_ names: [String] = ["kodim03.jpg", "kodim05.jpg"]) throws -> String {
        let directory = try CLI.temporaryDirectory("gcx-archivist")
        try FileManager.default.createDirectory(atPath: directory + "/in", withIntermediateDirectories: true)
        for name in names { try FileManager.default.copyItem(atPath: photos + "/" + name, toPath: directory + "/in/" + name) }
        return directory
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    // Finding 1: the archive written over one of the photos.
    @Test func packingOntoOneOfThePhotosIsRefusedEvenWithForce() throws {
        let directory = try Self.folder()
        let photo = directory + "/in/kodim03.jpg"
        let before = Self.bytes(photo)
        let direct = try CLI.run(["pack", photo, "-o", photo, "--force"])
        #expect(direct.status == 2)
        #expect(direct.stderr.contains("is one of the photos"), "\(direct.stderr)")
        let viaFolder = try CLI.run(["pack", directory + "/in", "-o", directory + "/in/kodim05.jpg", "--force"])
        #expect(viaFolder.status == 2)
        try FileManager.default.createSymbolicLink(atPath: directory + "/alias.gcx", withDestinationPath: photo)
        #expect(try CLI.run(["pack", directory + "/in", "-o", directory + "/alias.gcx", "--force"]).status == 2)
        #expect(Self.bytes(photo) == before)
        #expect(Self.bytes(directory + "/in/kodim05.jpg") == Self.bytes(Self.photos + "/kodim05.jpg"))
    }

    // Findings 2 and 12: files judged by content, a PNG with another extension, a file without one,
    // an image gcx does not read, a damaged one, a name with a newline.
    @Test func filesAreJudgedByContentAndNothingIsSkippedInSilence() throws {
        let directory = try Self.folder(["kodim03.jpg"])
        let input = directory + "/in"
        let png = try PNGEncoder.encode(RGBImage(width: 16, height: 12, pixels: [UInt8](repeating: 200, count: 16 * 12 * 3)))
        _ = FileManager.default.createFile(atPath: input + "/really-a-png.webp", contents: Data(png))
        _ = FileManager.default.createFile(atPath: input + "/no-extension", contents: Self.bytes(Self.photos + "/kodim05.jpg"))
        _ = FileManager.default.createFile(atPath: input + "/broken.heic", contents: Data([0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8)))
        _ = FileManager.default.createFile(atPath: input + "/old.bmp", contents: Data(Array("BM".utf8) + [UInt8](repeating: 0, count: 40)))
        _ = FileManager.default.createFile(atPath: input + "/notes.txt", contents: Data("not a photo".utf8))
        _ = FileManager.default.createFile(atPath: input + "/bad\nname.bmp", contents: Data(Array("BM".utf8) + [UInt8](repeating: 0, count: 40)))
        let result = try CLI.run(["pack", input, "-o", directory + "/a.gcx", "--verbose"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("broken.heic: invalid HEIF") || result.stderr.contains("broken.heic: HEIF"), "\(result.stderr)")
        #expect(result.stderr.contains("old.bmp: a BMP image, which gcx cannot read"))
        #expect(result.stderr.contains("\"" + input + "/bad\\u{a}name.bmp\": a BMP image"), "\(result.stderr)")
        #expect(result.stderr.contains("1 file(s) left out") && result.stderr.contains("notes.txt"))
        let names = try ArchiveReader(source: FileSource(FilePath(directory + "/a.gcx"))).rows.map(\.summary.name).sorted()
        #expect(names == ["kodim03.jpg", "no-extension", "really-a-png.webp"])
    }

    // Finding 3: broken and looping links and names that are not UTF-8 are failures with names.
    @Test func brokenLinksLoopsAndUndecodableNamesAreNamedFailures() throws {
        let directory = try Self.folder(["kodim03.jpg"])
        let input = directory + "/in"
        try FileManager.default.createSymbolicLink(atPath: input + "/gone.jpg", withDestinationPath: input + "/nowhere.jpg")
        try FileManager.default.createSymbolicLink(atPath: input + "/loop-a.jpg", withDestinationPath: input + "/loop-b.jpg")
        try FileManager.default.createSymbolicLink(atPath: input + "/loop-b.jpg", withDestinationPath: input + "/loop-a.jpg")
        var rawName = Array((input + "/").utf8) + [0x66, 0xFF, 0x2E, 0x6A, 0x70, 0x67, 0]  // "f\xFF.jpg"
        let descriptor = rawName.withUnsafeMutableBytes { open($0.baseAddress!.assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        #expect(descriptor >= 0)
        close(descriptor)
        rawName.removeAll()
        let result = try CLI.run(["pack", input, "-o", directory + "/a.gcx"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("gone.jpg: a symbolic link to nothing"), "\(result.stderr)")
        #expect(result.stderr.contains("loop-a.jpg: a symbolic link that loops"))
        #expect(result.stderr.contains("not UTF-8"))
        #expect(try ArchiveReader(source: FileSource(FilePath(directory + "/a.gcx"))).rows.map(\.summary.name) == ["kodim03.jpg"])
        // Given directly, a broken link says so, naming the path once.
        let direct = try CLI.run(["pack", input + "/gone.jpg", "-o", directory + "/b.gcx"])
        #expect(direct.stderr.contains(input + "/gone.jpg: a symbolic link to nothing"))
        #expect(direct.stderr.components(separatedBy: "gone.jpg").count == 2, "\(direct.stderr)")
    }

    // Finding 4: a symbolic link to the archive is written through; mode survives an append.
    @Test func aLinkedArchiveIsUpdatedThroughTheLinkAndKeepsItsMode() throws {
        let directory = try Self.folder(["kodim03.jpg"])
        let real = directory + "/real.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", real]).status == 0)
        #expect(chmod(real, 0o640) == 0)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.gcx", withDestinationPath: "real.gcx")
        let more = try CLI.run(["pack", Self.photos + "/kodim19.jpg", "-o", directory + "/link.gcx", "--append"])
        #expect(more.status == 0, "\(more.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/link.gcx") == "real.gcx")
        #expect(try ArchiveReader(source: FileSource(FilePath(real))).rows.count == 2)
        var info = stat()
        #expect(stat(real, &info) == 0 && info.st_mode & 0o777 == 0o640)
    }

    // Finding 5: appending to a damaged archive is refused unless recovery is asked for.
    @Test func appendingToADamagedArchiveIsRefusedUnlessRecovering() throws {
        let directory = try Self.folder()
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive]).status == 0)
        var bytes = try #require(Self.bytes(archive))
        let row = try #require(try ArchiveReader(source: FileSource(FilePath(archive))).rows.first)
        bytes[row.offset + row.summary.recordLength / 2] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: archive))
        let refused = try CLI.run(["pack", Self.photos + "/kodim19.jpg", "-o", archive, "--append"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("is damaged") && refused.stderr.contains("--recover"), "\(refused.stderr)")
        #expect(Self.bytes(archive) == bytes, "the damaged archive is left as it was")
        let recovered = try CLI.run(["pack", Self.photos + "/kodim19.jpg", "-o", archive, "--append", "--recover"])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        #expect(recovered.stderr.contains("left out a damaged entry"))
        #expect(try CLI.run(["validate", archive]).status == 0)
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.count == 2)
        // Not an archive at all: said so, with the file's name.
        let photo = directory + "/in/kodim03.jpg"
        let notArchive = try CLI.run(["pack", Self.photos + "/kodim19.jpg", "-o", photo, "--append"])
        #expect(notArchive.status == 2)
        #expect(notArchive.stderr.contains(photo + ": not a .gcx archive"), "\(notArchive.stderr)")
    }

    // Finding 6: a file whose name starts with a dash.
    @Test func aFileNamedLikeAnOptionIsRefusedWithTheWayOut() throws {
        let directory = try Self.folder(["kodim03.jpg"])
        try FileManager.default.copyItem(atPath: directory + "/in/kodim03.jpg", toPath: directory + "/-leading-dash.jpg")
        let refused = try CLI.run(["pack", "-leading-dash.jpg", "-o", "x.gcx"], in: directory)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("./-leading-dash.jpg"), "\(refused.stderr)")
        #expect(try CLI.run(["pack", "./-leading-dash.jpg", "-o", "x.gcx"], in: directory).status == 0)
        #expect(try CLI.run(["pack", "-o", "y.gcx", "--", "-leading-dash.jpg"], in: directory).status == 0)
    }

    // Finding 8: nothing packed, no archive; --force with nothing to add keeps and reports the old one.
    @Test func aPackThatAddsNothingWritesNoArchiveAndKeepsAnOldOne() throws {
        let directory = try Self.folder()
        _ = FileManager.default.createFile(atPath: directory + "/broken.png", contents: Data("not a png".utf8))
        let failed = try CLI.run(["pack", directory + "/broken.png", "-o", directory + "/a.gcx"])
        #expect(failed.status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory + "/a.gcx"))
        #expect(failed.stdout.contains("not written"))
        #expect(try CLI.run(["pack", directory + "/in", "-o", directory + "/a.gcx"]).status == 0, "no leftover blocks the next pack")
        let before = Self.bytes(directory + "/a.gcx")
        let forced = try CLI.run(["pack", directory + "/broken.png", "-o", directory + "/a.gcx", "--force"])
        #expect(forced.status == 1)
        #expect(forced.stdout.contains("2 entries"), "\(forced.stdout)")
        #expect(Self.bytes(directory + "/a.gcx") == before)
    }

    // Finding 11: SIGINT and SIGTERM stop the pack, keep what it completed, say how to resume, exit 130 / 143.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func anInterruptedPackSaysHowToResume(signal: Int32, status: Int32) throws {
        let directory = try CLI.temporaryDirectory("gcx-signal")
        let archive = directory + "/kodak.gcx"
        let pack = try ReportingProcess(["pack", CLI.datasets + "/kodak", "-o", archive])
        // Signalled once the first entry is packed.
        try #require(pack.waitFor(1, linesContaining: "packed"), "\(pack.finish())")
        kill(pack.process.processIdentifier, signal)
        let message = pack.finish()
        let process = pack.process
        #expect(process.terminationStatus == status, "\(message)")
        #expect(message.contains("rerun the same command with --append"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: archive + ".partial"))
        #expect(!FileManager.default.fileExists(atPath: archive))
        let resumed = try CLI.run(["pack", CLI.datasets + "/kodak", "-o", archive, "--append", "-q"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.count == 24)
    }

    // SIGINT stops an extraction too: what it wrote is complete, --skip-existing writes the rest.
    @Test func anInterruptedExtractionSaysHowToFinish() throws {
        let directory = try CLI.temporaryDirectory("gcx-signal-extract")
        let archive = directory + "/kodak.gcx"
        #expect(try CLI.run(["pack", CLI.datasets + "/kodak", "-o", archive, "-q"]).status == 0)
        let out = directory + "/out"
        let extract = try ReportingProcess(["extract", archive, "-o", out])
        try #require(extract.waitFor(1, linesContaining: "wrote"), "\(extract.finish())")
        kill(extract.process.processIdentifier, SIGINT)
        let message = extract.finish()
        #expect(extract.process.terminationStatus == 130, "\(message)")
        #expect(message.contains("rerun the same command with --skip-existing"), "\(message)")
        #expect(!message.contains("failed"), "an abandoned entry is not a failure: \(message)")
        let written = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".png") }
        #expect(!written.isEmpty && written.count < 24, "\(written.count) written before the signal")
        let resumed = try CLI.run(["extract", archive, "-o", out, "--skip-existing", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try #require(resumed.json as? [String: Any])
        #expect(summary["skipped"] as? Int == written.count)
        #expect((summary["written"] as? [Any])?.count == 24 - written.count)
        #expect(summary["interrupted"] as? Bool == false)
    }

    // Finding 13: exit codes as the README says.
    @Test func exitCodesMatchTheReadme() throws {
        let directory = try Self.folder()
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive]).status == 0)
        var bytes = try #require(Self.bytes(archive))
        bytes.removeLast(5)  // the trailer is cut: the index must be recovered by scanning
        try bytes.write(to: URL(fileURLWithPath: archive))
        #expect(try CLI.run(["list", archive]).status == 1)
        let cat = try CLI.run(["cat", archive, "kodim03.jpg"])
        #expect(cat.status == 1)
        #expect(cat.stdout.hasPrefix("Type:"))
        // A missing input is a command-line mistake (2); the photos that exist are packed.
        let missing = try CLI.run(["pack", directory + "/in", directory + "/no-such-folder", "-o", directory + "/b.gcx"])
        #expect(missing.status == 2)
        #expect(try ArchiveReader(source: FileSource(FilePath(directory + "/b.gcx"))).rows.count == 2)
        // The same photo twice, by two paths, is packed once and is no failure.
        let twice = try CLI.run(["pack", directory + "/in/kodim03.jpg", directory + "/in/../in/kodim03.jpg", "-o", directory + "/c.gcx"])
        #expect(twice.status == 0, "\(twice.stderr)")
        #expect(try ArchiveReader(source: FileSource(FilePath(directory + "/c.gcx"))).rows.count == 1)
    }

    // Finding 12: -q hides the captioner and generator notices; warnings stay.
    @Test func quietHidesNotices() throws {
        let directory = try Self.folder(["kodim03.jpg"])
        let quiet = try CLI.run(["pack", directory + "/in", "-o", directory + "/a.gcx", "-q"])
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let extract = try CLI.run(["extract", directory + "/a.gcx", "-o", directory + "/out", "-q"])
        #expect(extract.status == 0)
        #expect(extract.stderr.isEmpty, "\(extract.stderr)")
    }
}

@Suite struct SearchAndSelectionTests {
    /// An archive of the sample photos under phone/ and camera/, with known descriptions.
    static func archive() throws -> String {
        let directory = try CLI.temporaryDirectory("gcx-select")
        for (folder, names) in [("phone", ["kodim03.jpg", "kodim05.jpg"]), ("camera", ["kodim19.jpg"])] {
            try FileManager.default.createDirectory(atPath: directory + "/in/" + folder, withIntermediateDirectories: true)
            for name in names {
                try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/" + name, toPath: directory + "/in/\(folder)/\(name)")
            }
        }
        let prompts = directory + "/prompts.jsonl"
        let lines = [("phone/kodim03.jpg", "Type: photograph.\\nTop-left: a red barn.\\nBottom: a Dog on the beach."),
                     ("phone/kodim05.jpg", "Type: photograph.\\nTop-left: blue sky.\\nBottom: motorbikes."),
                     ("camera/kodim19.jpg", "Type: photograph.\\nTop-left: a lighthouse.\\nBottom: a dog asleep.")]
        _ = FileManager.default.createFile(atPath: prompts, contents: Data(lines.map { "{\"image\": \"\($0.0)\", \"prompt\": \"\($0.1)\"}" }.joined(separator: "\n").utf8))
        let pack = try CLI.run(["pack", directory + "/in", "-o", directory + "/a.gcx", "--prompts", prompts])
        #expect(pack.status == 0, "\(pack.stderr)")
        return directory
    }

    @Test func grepFindsEntriesByTheWordsOfTheirDescriptions() throws {
        let directory = try Self.archive()
        let archive = directory + "/a.gcx"
        let dog = try CLI.run(["grep", archive, "dog"])
        #expect(dog.status == 0)
        #expect(dog.stdout == "camera/kodim19.jpg:Bottom: a dog asleep.\n")
        let ignoringCase = try CLI.run(["grep", "-i", archive, "dog.*(beach|asleep)"])
        #expect(ignoringCase.stdout.split(separator: "\n").map { String($0.prefix(while: { $0 != ":" })) } == ["camera/kodim19.jpg", "phone/kodim03.jpg"], "archive order")
        #expect(try CLI.run(["grep", "-l", "-i", archive, "dog"]).stdout == "camera/kodim19.jpg\nphone/kodim03.jpg\n")
        #expect(try CLI.run(["grep", "-c", archive, "Top-left", "phone/"]).stdout == "phone/kodim03.jpg:1\nphone/kodim05.jpg:1\n")
        let json = try #require(try CLI.run(["grep", "--json", archive, "barn|bikes"]).json as? [[String: Any]])
        #expect(json.map { $0["name"] as? String } == ["phone/kodim03.jpg", "phone/kodim05.jpg"])
        #expect((json[0]["lines"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        #expect(try CLI.run(["grep", archive, "zebra"]).status == 1, "nothing matched: 1, as grep")
        #expect(try CLI.run(["grep", archive, "(unclosed"]).status == 2)
    }

    @Test func extractListInfoAndCatTakeGlobsAndFolders() throws {
        let directory = try Self.archive()
        let archive = directory + "/a.gcx"
        let extract = try CLI.run(["extract", archive, "phone/*", "-o", directory + "/out", "--what", "prompt"])
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(try FileManager.default.subpathsOfDirectory(atPath: directory + "/out").sorted() == ["phone", "phone/kodim03.txt", "phone/kodim05.txt"])
        let listed = try #require(try CLI.run(["list", archive, "camera/", "--json"]).json as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["camera/kodim19.jpg"])
        #expect(try CLI.run(["cat", archive, "./camera/kodim19.jpg"]).stdout.hasSuffix("a dog asleep."))
        #expect(try CLI.run(["cat", archive, "phone/*"]).status == 1, "cat needs exactly one entry")
        let infos = try #require(try CLI.run(["info", archive, "phone/", "--json"]).json as? [[String: Any]])
        #expect(infos.count == 2)
        let unmatched = try CLI.run(["list", archive, "tablet/*"])
        #expect(unmatched.status == 1 && unmatched.stderr.contains("no entry matches \"tablet/*\""))
    }
}

@Suite struct PhoneFormatTests {
    static let fixtures = CLI.packageRoot + "/Tests/GCXImageTests/Fixtures"

    @Test func aFolderOfPhoneAndCameraFormatsPacksAtTheirTrueSizes() throws {
        let directory = try CLI.temporaryDirectory("gcx-formats")
        try FileManager.default.createDirectory(atPath: directory + "/phone", withIntermediateDirectories: true)
        let files = ["formats.heic": "IMG_0001.HEIC", "formats.avif": "IMG_0002.avif", "formats-alpha.webp": "shared.webp",
                     "formats-orientation6.tiff": "scan.tif", "formats-palette.gif": "anim.gif", "formats-irot1.avif": "IMG_0003.avif"]
        for (fixture, name) in files { try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: directory + "/phone/" + name) }
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim19.jpg", toPath: directory + "/phone/IMG_0004.JPG")
        let pack = try CLI.run(["pack", directory + "/phone", "-o", directory + "/phone.gcx", "--json"])
        #expect(pack.status == 0, "\(pack.stderr)")
        let sizes = Dictionary(uniqueKeysWithValues: try ArchiveReader(source: FileSource(FilePath(directory + "/phone.gcx"))).rows.map {
            ($0.summary.name, "\($0.summary.width)x\($0.summary.height)")
        })
        #expect(sizes == ["IMG_0001.HEIC": "96x64", "IMG_0002.avif": "96x64", "IMG_0003.avif": "64x96", "IMG_0004.JPG": "512x768",
                          "shared.webp": "96x64", "scan.tif": "96x64", "anim.gif": "96x64"])
        let info = try #require(try CLI.run(["info", directory + "/phone.gcx", "scan.tif", "--json"]).json as? [String: Any])
        #expect(info["orientation"] as? Int == 6)
        #expect(try CLI.run(["validate", directory + "/phone.gcx"]).status == 0)
        let extract = try CLI.run(["extract", directory + "/phone.gcx", "-o", directory + "/out"])
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/out/IMG_0001.png"))
    }
}

@Suite(.serialized) struct ExtractResumeTests {
    // Finding 10: an interrupted extraction finishes with --skip-existing; a full disk stops it with 2.
    @Test func skipExistingFinishesAnInterruptedExtraction() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg"])
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive, "-q"]).status == 0)
        let out = directory + "/out"
        #expect(try CLI.run(["extract", archive, "kodim03.jpg", "-o", out, "--what", "all", "-q"]).status == 0)
        let first = FileManager.default.contents(atPath: out + "/kodim03.png")
        let resumed = try CLI.run(["extract", archive, "-o", out, "--what", "all", "--skip-existing", "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try #require(resumed.json as? [String: Any])
        #expect(summary["skipped"] as? Int == 3)
        #expect((summary["written"] as? [Any])?.count == 3)
        #expect(FileManager.default.contents(atPath: out + "/kodim03.png") == first)
        #expect(FileManager.default.fileExists(atPath: out + "/kodim05.png"))
        let again = try CLI.run(["extract", archive, "-o", out, "--what", "all"])
        #expect(again.status == 1, "without --skip-existing each existing file is a failure")
        #expect(again.stderr.contains("use --force to overwrite"))
    }

    @Test func aFullDiskStopsTheExtractionWithStatusTwo() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg"])
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive, "-q"]).status == 0)
        let small = directory + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=40k", "tmpfs", small]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "this test mounts a 40 KB tmpfs (it runs as root, as CI does)")
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [small]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        let result = try CLI.run(["extract", archive, "-o", small, "--what", "all"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("No space left on device") && result.stderr.contains("stopped"), "\(result.stderr)")
        #expect(!result.stderr.contains("kodim05"), "nothing after the first refused write is attempted")
    }
}

@Suite struct VerifyTests {
    @Test func verifyComparesTheFilesWithTheStoredHashes() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg", "kodim19.jpg"])
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive, "-q"]).status == 0)
        let clean = try CLI.run(["verify", archive, directory + "/in"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout == "kodim03.jpg: OK\nkodim05.jpg: OK\nkodim19.jpg: OK\n")
        // Same size, one byte changed; one removed; one added.
        var bytes = try #require(FileManager.default.contents(atPath: directory + "/in/kodim05.jpg"))
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: URL(fileURLWithPath: directory + "/in/kodim05.jpg"))
        try FileManager.default.removeItem(atPath: directory + "/in/kodim19.jpg")
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim23.jpg", toPath: directory + "/in/new.jpg")
        let dirty = try CLI.run(["verify", archive, directory + "/in", "--quiet"])
        #expect(dirty.status == 1)
        #expect(dirty.stdout == "kodim05.jpg: CHANGED\nkodim19.jpg: MISSING\nnew.jpg: NOT IN ARCHIVE\n", "\(dirty.stdout)")
        let json = try #require(try CLI.run(["verify", archive, directory + "/in", "--json"]).json as? [[String: Any]])
        #expect(json.map { $0["status"] as? String } == ["ok", "changed", "missing", "not-in-archive"])
        #expect(try CLI.run(["verify", archive, directory + "/in", "kodim03.jpg"]).status == 0, "a selection checks only itself")
        #expect(try CLI.run(["verify", archive, directory + "/nowhere"]).status == 2)
    }
}

@Suite struct EditingAndStreamTests {
    // Build item 7: rm and mv copy the other entries byte for byte.
    @Test func rmAndMvEditWithoutReEncoding() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg", "kodim19.jpg"])
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive, "-q"]).status == 0)
        let before = try ArchiveReader(source: FileSource(FilePath(archive)))
        let prompt05 = try before.entry(named: "kodim05.jpg").prompt
        #expect(try CLI.run(["rm", archive, "kodim19.*"]).status == 0)
        #expect(try CLI.run(["mv", archive, "kodim05.jpg", "holiday/kodim05.jpg"]).status == 0)
        #expect(try CLI.run(["validate", archive]).status == 0)
        let after = try ArchiveReader(source: FileSource(FilePath(archive)))
        #expect(after.rows.map(\.summary.name) == ["kodim03.jpg", "holiday/kodim05.jpg"])
        #expect(try after.entry(named: "holiday/kodim05.jpg").prompt == prompt05, "the coded prompt bytes are kept")
        #expect(try CLI.run(["mv", archive, "holiday", "trip"]).status == 0)
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name) == ["kodim03.jpg", "trip/kodim05.jpg"])
        let clash = try CLI.run(["mv", archive, "kodim03.jpg", "trip/kodim05.jpg"])
        #expect(clash.status == 1 && clash.stderr.contains("already has an entry named"))
        let none = try CLI.run(["rm", archive, "nothing*"])
        #expect(none.status == 1)
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.count == 2)
    }

    // Finding 7: - is standard input for archives and standard output for pack.
    @Test func dashIsStandardInputAndOutput() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg"])
        let archive = directory + "/a.gcx"
        _ = FileManager.default.createFile(atPath: archive, contents: nil)
        let packed = try CLI.run(["pack", directory + "/in", "-o", "-", "-q"], standardOutput: archive)
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(packed.stderr.contains("-: 1 entries"), "the summary goes to stderr when the archive goes to stdout")
        #expect(try CLI.run(["validate", archive]).status == 0)
        for command in [["list", "-"], ["validate", "-"], ["cat", "-", "kodim03.jpg"], ["validate", "/dev/stdin"]] {
            let result = try CLI.run(command, standardInput: archive)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        #expect(try CLI.run(["list", "-"], standardInput: archive).stdout.contains("kodim03.jpg"))
    }

    // Finding 9: two folders holding the same file names.
    @Test func prefixFoldersKeepsTheFolderGiven() throws {
        let directory = try CLI.temporaryDirectory("gcx-prefix")
        for folder in ["d1", "d2"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim03.jpg", toPath: directory + "/\(folder)/x.jpg")
        }
        let clash = try CLI.run(["pack", directory + "/d1", directory + "/d2", "-o", directory + "/a.gcx"])
        #expect(clash.status == 1 && clash.stderr.contains("already taken"))
        let kept = try CLI.run(["pack", directory + "/d1", directory + "/d2/", "-o", directory + "/b.gcx", "--prefix-folders"])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(try ArchiveReader(source: FileSource(FilePath(directory + "/b.gcx"))).rows.map(\.summary.name) == ["d1/x.jpg", "d2/x.jpg"])
    }
}

@Suite struct ReconstructionMetadataTests {
    // Build item 8: the capture time travels into reconstructions; extract --format jpeg.
    @Test func reconstructionsCarryTheCaptureTime() throws {
        let directory = try CLI.temporaryDirectory("gcx-time")
        try FileManager.default.createDirectory(atPath: directory + "/in", withIntermediateDirectories: true)
        let seconds: Int64 = 1_625_406_330, offset = 120
        let original = try #require(FileManager.default.contents(atPath: ArchivistSafetyTests.photos + "/kodim03.jpg"))
        let withTime = ExifWriter.jpeg(Array(original), exif: ExifWriter.captureTime(wallClockSeconds: seconds, utcOffsetMinutes: offset))
        try Data(withTime).write(to: URL(fileURLWithPath: directory + "/in/shot.jpg"))
        #expect(try CLI.run(["pack", directory + "/in", "-o", directory + "/a.gcx", "-q"]).status == 0)
        let extract = try CLI.run(["extract", directory + "/a.gcx", "-o", directory + "/out", "--what", "all", "--format", "jpeg", "-q"])
        #expect(extract.status == 0, "\(extract.stderr)")
        let expected = CaptureTime(wallClockSecondsSince1970: seconds, utcOffsetMinutes: offset)
        for file in ["shot.jpg", "shot.thumb.png"] {
            let path = directory + "/out/" + file
            let decoded = try ImageDecoder.decode(Array(try #require(FileManager.default.contents(atPath: path))))
            #expect(decoded.captureTime == expected, "\(file)")
            let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
            #expect(Int64(modified.timeIntervalSince1970) == seconds - Int64(offset) * 60, "\(file): the UTC instant of the capture")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/out/shot.png"))
    }
}

@Suite struct UpdateTests {
    @Test func updateRepacksOnlyWhatChanged() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg"])
        let archive = directory + "/a.gcx"
        #expect(try CLI.run(["pack", directory + "/in", "-o", archive, "-q"]).status == 0)
        let unchanged = try CLI.run(["pack", directory + "/in", "-o", archive, "--update", "--json"])
        #expect(unchanged.status == 0)
        #expect((unchanged.json as? [String: Any])?["updated"] as? [String] == [])
        // kodim05.jpg is now another photo; a new one appears.
        try FileManager.default.removeItem(atPath: directory + "/in/kodim05.jpg")
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim23.jpg", toPath: directory + "/in/kodim05.jpg")
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim19.jpg", toPath: directory + "/in/new.jpg")
        let result = try CLI.run(["pack", directory + "/in", "-o", archive, "--update", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try #require(result.json as? [String: Any])
        #expect(summary["updated"] as? [String] == ["kodim05.jpg"])
        #expect((summary["skipped"] as? [String]) == ["kodim03.jpg"])
        #expect(try CLI.run(["verify", archive, directory + "/in"]).status == 0, "the archive now matches the folder")
        #expect(try ArchiveReader(source: FileSource(FilePath(archive))).rows.map(\.summary.name) == ["kodim03.jpg", "kodim05.jpg", "new.jpg"])
    }
}

@Suite struct CameraAndLocationTests {
    /// A little-endian EXIF block: Make and Model (space-padded), and a GPS IFD (43°17'47.3"N 5°22'11.2"E, 2.5 m below sea level).
    static func exif() -> [UInt8] {
        var out: [UInt8] = [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0]
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let make = Array("FUJIFILM  \0".utf8), model = Array(" X-T5\0".utf8)  // padded, as cameras write them
        // IFD0 at 8: 3 entries (12 bytes each) + next pointer; then data.
        let ifd0Data = 8 + 2 + 3 * 12 + 4
        let gpsAt = ifd0Data + make.count + model.count
        out += u16(3)
        out += u16(0x010F) + u16(2) + u32(make.count) + u32(ifd0Data)
        out += u16(0x0110) + u16(2) + u32(model.count) + u32(ifd0Data + make.count)
        out += u16(0x8825) + u16(4) + u32(1) + u32(gpsAt)
        out += u32(0) + make + model
        // GPS IFD: refs inline, rationals after.
        let gpsData = gpsAt + 2 + 6 * 12 + 4
        out += u16(6)
        out += u16(1) + u16(2) + u32(2) + Array("N\0\0\0".utf8)
        out += u16(2) + u16(5) + u32(3) + u32(gpsData)
        out += u16(3) + u16(2) + u32(2) + Array("E\0\0\0".utf8)
        out += u16(4) + u16(5) + u32(3) + u32(gpsData + 24)
        out += u16(5) + u16(1) + u32(1) + [1, 0, 0, 0]
        out += u16(6) + u16(5) + u32(1) + u32(gpsData + 48)
        out += u32(0)
        for (n, d) in [(43, 1), (17, 1), (473, 10), (5, 1), (22, 1), (112, 10), (25, 10)] { out += u32(n) + u32(d) }
        return out
    }

    @Test func cameraIsKeptAndLocationOnlyWhenAsked() throws {
        let directory = try CLI.temporaryDirectory("gcx-camera")
        try FileManager.default.createDirectory(atPath: directory + "/in", withIntermediateDirectories: true)
        let original = try #require(FileManager.default.contents(atPath: ArchivistSafetyTests.photos + "/kodim03.jpg"))
        try Data(ExifWriter.jpeg(Array(original), exif: Self.exif())).write(to: URL(fileURLWithPath: directory + "/in/shot.jpg"))
        for (archive, keep) in [("plain.gcx", false), ("placed.gcx", true)] {
            let pack = try CLI.run(["pack", directory + "/in", "-o", directory + "/" + archive, "-q"] + (keep ? ["--keep-location"] : []))
            #expect(pack.status == 0, "\(pack.stderr)")
            #expect(try CLI.run(["validate", directory + "/" + archive]).status == 0)
            let info = try #require(try CLI.run(["info", directory + "/" + archive, "shot.jpg", "--json"]).json as? [String: Any])
            let camera = try #require(info["camera"] as? [String: Any])
            #expect(camera["make"] as? String == "FUJIFILM" && camera["model"] as? String == "X-T5")
            if keep {
                let location = try #require(info["location"] as? [String: Any])
                #expect(location["latitude"] as? Double == 43.296472)
                #expect(location["longitude"] as? Double == 5.369778)
                #expect(location["altitude_m"] as? Double == -2.5)
            } else {
                #expect(info["location"] is NSNull, "no position without --keep-location")
            }
        }
    }
}

@Suite struct MessageTests {
    // Finding 12: the progress line fits a narrow terminal (run in a pseudo-terminal 40 columns wide).
    @Test func theProgressLineIsCutToTheTerminalWidth() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg", "kodim05.jpg"])
        let log = directory + "/typescript"
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qec", "stty cols 40; '\(CLI.binary)' pack '\(directory)/in' -o '\(directory)/a.gcx'", log]
        script.environment = CLI.environment([:])
        script.standardOutput = FileHandle.nullDevice
        script.standardInput = FileHandle.nullDevice
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0)
        let text = String(decoding: try #require(FileManager.default.contents(atPath: log)), as: UTF8.self)
        let progress = text.components(separatedBy: CharacterSet(charactersIn: "\r\n"))
            .map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
            .filter { $0.hasPrefix("[") }
        #expect(progress.count == 2, "\(progress)")
        #expect(progress.allSatisfy { $0.count <= 39 }, "\(progress)")
    }

    // Findings 9 and 12: two entries that would write one file; a folder given as the archive.
    @Test func clashesAndFoldersAreSaidPlainly() throws {
        let directory = try CLI.temporaryDirectory("gcx-messages")
        try FileManager.default.createDirectory(atPath: directory + "/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim03.jpg", toPath: directory + "/in/a.jpg")
        let png = try PNGEncoder.encode(RGBImage(width: 16, height: 16, pixels: [UInt8](repeating: 90, count: 16 * 16 * 3)))
        try Data(png).write(to: URL(fileURLWithPath: directory + "/in/a.png"))
        #expect(try CLI.run(["pack", directory + "/in", "-o", directory + "/a.gcx", "-q"]).status == 0)
        let extract = try CLI.run(["extract", directory + "/a.gcx", "-o", directory + "/out", "--what", "prompt"])
        #expect(extract.status == 1)
        #expect(extract.stderr.contains("a.png: its prompt would be a.txt, already written for \"a.jpg\""), "\(extract.stderr)")
        let folder = try CLI.run(["pack", directory + "/in", "-o", directory + "/in"])
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("it is a folder, not an archive file"), "\(folder.stderr)")
        #expect(!folder.stderr.contains(".partial"), "no temporary name in the message")
    }
}

@Suite struct UnreadableInputTests {
    // Finding 3: an unreadable folder and an unreadable file are named failures. Root reads
    // everything, so gcx runs here as the unprivileged user "nobody" (setpriv, util-linux).
    @Test func unreadableFoldersAndFilesAreNamedFailures() throws {
        let directory = try ArchivistSafetyTests.folder(["kodim03.jpg"])
        try FileManager.default.createDirectory(atPath: directory + "/in/locked", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim05.jpg", toPath: directory + "/in/locked/kodim05.jpg")
        try FileManager.default.copyItem(atPath: ArchivistSafetyTests.photos + "/kodim19.jpg", toPath: directory + "/in/secret.jpg")
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        #expect(chmod(directory + "/in/locked", 0o000) == 0 && chmod(directory + "/in/secret.jpg", 0o000) == 0)
        #expect(chmod(directory + "/out", 0o777) == 0)
        // A copy of gcx that "nobody" can run wherever the checkout lives.
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: directory + "/out/gcx")
        let result = try CLI.run(["--reuid=65534", "--regid=65534", "--clear-groups", directory + "/out/gcx",
                                  "pack", directory + "/in", "-o", directory + "/out/a.gcx"], executable: "/usr/bin/setpriv")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(directory + "/in/locked: cannot read the folder: Permission denied"), "\(result.stderr)")
        #expect(result.stderr.contains(directory + "/in/secret.jpg: cannot open: Permission denied"))
        #expect(try ArchiveReader(source: FileSource(FilePath(directory + "/out/a.gcx"))).rows.map(\.summary.name) == ["kodim03.jpg"])
        _ = chmod(directory + "/in/locked", 0o755)
    }
}

@Suite struct ShardAndMergeTests {
    // Issue 11, item 2: shards packed apart merge into the one-machine archive, byte for byte.
    @Test func shardsMergeIntoTheOnePassArchive() throws {
        let directory = try CLI.temporaryDirectory("gcx-shards")
        let photos = ArchivistSafetyTests.photos
        #expect(try CLI.run(["pack", photos, "-o", directory + "/all.gcx", "-q"]).status == 0)
        var shards: [String] = []
        var counts: [Int] = []
        for k in 1...3 {
            let shard = directory + "/part-\(k).gcx"
            let result = try CLI.run(["pack", photos, "-o", shard, "-q", "--shard", "\(k)/3"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try CLI.run(["validate", shard]).status == 0)
            counts.append(try ArchiveReader(source: FileSource(FilePath(shard))).rows.count)
            shards.append(shard)
        }
        #expect(counts.reduce(0, +) == 4, "every photo in exactly one shard: \(counts)")
        let merge = try CLI.run(["merge"] + shards.reversed() + ["-o", directory + "/merged.gcx", "--order", "names"])
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(FileManager.default.contents(atPath: directory + "/merged.gcx") == FileManager.default.contents(atPath: directory + "/all.gcx"))
        #expect(try CLI.run(["pack", photos, "-o", directory + "/x.gcx", "--shard", "4/3"]).status == 2)
    }

    /// Of one photo's two parts, the part it does not fall in is still written: an empty archive.
    @Test func aPartWithNoPhotosIsAnEmptyArchive() throws {
        let directory = try CLI.temporaryDirectory("gcx-empty-shard")
        let photo = try #require(try FileManager.default.contentsOfDirectory(atPath: ArchivistSafetyTests.photos).sorted().first { $0.hasSuffix(".jpg") })
        var empty: [String] = []
        for k in 1...2 {
            let part = directory + "/part-\(k).gcx"
            let result = try CLI.run(["pack", ArchivistSafetyTests.photos + "/" + photo, "-o", part, "--shard", "\(k)/2"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try CLI.run(["validate", part]).status == 0)
            if result.stdout.contains("no photo falls in shard \(k)/2; an empty archive was written") {
                #expect(try ArchiveReader(source: FileSource(FilePath(part))).rows.isEmpty)
                empty.append(part)
            }
        }
        #expect(empty.count == 1)
    }

    @Test func mergeRefusesDuplicateNamesUnlessToldAndKeepsUnknownChunks() throws {
        let directory = try CLI.temporaryDirectory("gcx-merge")
        let fixture = CLI.packageRoot + "/fixtures/conformance/valid/unknown-ancillary-chunk.gcx"
        let refused = try CLI.run(["merge", fixture, fixture, "-o", directory + "/a.gcx"])
        #expect(refused.status == 1 && refused.stderr.contains("--on-duplicate"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/a.gcx"))
        let kept = try CLI.run(["merge", fixture, fixture, "-o", directory + "/a.gcx", "--on-duplicate", "last"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let original = try ArchiveReader(source: FileSource(FilePath(fixture)))
        let merged = try ArchiveReader(source: FileSource(FilePath(directory + "/a.gcx")))
        #expect(try merged.entry(at: merged.rows[0]) == (try original.entry(at: original.rows[0])), "the unknown ancillary chunk survives")
        // The same photo under two names is reported.
        let photos = try ArchivistSafetyTests.folder(["kodim03.jpg"])
        try FileManager.default.copyItem(atPath: photos + "/in/kodim03.jpg", toPath: photos + "/in/copy.jpg")
        #expect(try CLI.run(["pack", photos + "/in/kodim03.jpg", "-o", photos + "/a.gcx", "-q"]).status == 0)
        #expect(try CLI.run(["pack", photos + "/in/copy.jpg", "-o", photos + "/b.gcx", "-q"]).status == 0)
        let same = try CLI.run(["merge", photos + "/a.gcx", photos + "/b.gcx", "-o", photos + "/c.gcx"])
        #expect(same.status == 0)
        #expect(same.stderr.contains("one photo under 2 names: kodim03.jpg, copy.jpg"), "\(same.stderr)")
    }
}
