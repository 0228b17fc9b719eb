import Testing
@testable import GCX
import GCXPromptCoder
import GCXTestSupport

@Suite struct RoundTripTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func seededArchivesReadBackIdentically(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let count = seed == 5 ? 2_000 : [1, 7, 60].randomElement(using: &rng)!
        let entries = (0..<count).map { Samples.entry(&rng, number: $0) }
        // Version 1; version 2 with the first entry's generator and captioner as defaults, keeping
        // 8 or 32 bytes of each hash; version 2 without defaults.
        let format = switch seed % 3 {
        case 1: ArchiveFormat.v1
        case 2: ArchiveFormat(version: .v2, defaults: EntryDefaults(generator: entries[0].generator, captioner: entries[0].captioner))
        default: ArchiveFormat(version: .v2)
        }
        let fullHash = format.version == .v1 || seed == 5
        let bytes = try Samples.archive(entries, format: format, keepsFullHash: fullHash)
        let reader = try ArchiveReader(source: MemorySource(bytes))
        #expect(reader.recoveredFrom == nil)
        #expect(try reader.format == format)
        #expect(reader.rows.map(\.summary.name) == entries.map(\.name))
        for entry in entries {
            let read = try reader.entry(named: entry.name)
            var expected = entry
            if !fullHash { expected.source.contentHash = Array(entry.source.contentHash.prefix(8)) }
            expected.generator = entry.generator ?? format.defaults.generator
            expected.captioner = entry.captioner ?? format.defaults.captioner
            #expect(read == expected)
            #expect(try PromptDecoding.standard.text(of: read.prompt, at: 0).utf8.elementsEqual(entry.prompt.payload))
        }
        let report = try Validator(promptDecoding: .standard).validate(MemorySource(bytes))
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.entryCount == count)
    }

    @Test func emptyArchiveIsValid() throws {
        let bytes = try Samples.archive([])
        #expect(bytes.count == FileHeader.size + 7 + Trailer.size)
        #expect(try ArchiveReader(source: MemorySource(bytes)).rows.isEmpty)
        #expect(try Validator(promptDecoding: .standard).validate(MemorySource(bytes)).isValid)
    }

    @Test func encoderRefusesDuplicateAndUnsafeNames() throws {
        var rng = SeededGenerator(seed: 9)
        var encoder = ArchiveEncoder()
        let entry = Samples.entry(&rng, number: 0)
        _ = try encoder.encode(entry)
        #expect { try encoder.encode(entry) } throws: { ($0 as? FormatError)?.code == .nameDuplicate }
        var unsafe = entry
        unsafe.source.name = "../escape.png"
        #expect { try encoder.encode(unsafe) } throws: { ($0 as? FormatError)?.code == .nameTraversal }
    }

    @Test func containerOverheadPerEntryIsSmall() throws {
        let source = SourceMetadata(name: "a.png", width: 768, height: 512, originalSize: 600_000, contentHash: [UInt8](repeating: 7, count: 32))
        let entry = Entry(source: source, mode: .text, prompt: .stored(String(repeating: "x", count: 60)))
        // Version 1: framing (kind, length, CRC) plus 2 bytes of type and length per chunk.
        let v1 = RecordFraming.encode(kind: .entry, body: try entry.encodedBody(format: .v1))
        let v1Fields = source.encoded().count + 1 + entry.prompt.encoded().count
        #expect(v1.count - v1Fields == RecordFraming.overhead(bodyLength: v1.count - 7) + 3 * 2)
        // Version 2: framing plus one flags byte; the name (6), size (2 + 2), original size (3),
        // the hash's first 8 bytes, method (1), length (1) and text (60) are the entry's values.
        var encoder = ArchiveEncoder()
        let v2 = try encoder.encode(entry)
        let v2Values = 6 + 4 + 3 + 8 + 2 + 60
        #expect(v2.count - v2Values == RecordFraming.overhead(bodyLength: v2.count - 7) + 1)
        // With the whole hash kept, 24 bytes more.
        encoder = ArchiveEncoder()
        encoder.keepsFullHash = true
        #expect(try encoder.encode(entry).count == v2.count + 24)
    }
}

@Suite struct RandomAccessTests {
    @Test func listingReadsOnlyHeaderIndexAndTrailer() throws {
        var rng = SeededGenerator(seed: 11)
        let entries = (0..<40).map { Samples.entry(&rng, number: $0) }
        let bytes = try Samples.archive(entries)
        let source = MemorySource(bytes)
        let reader = try ArchiveReader(source: source)
        let indexRecord = bytes.count - Trailer.size - reader.rows.last!.end
        let expected = FileHeader.size + Trailer.size + indexRecord
        #expect(source.bytesRead == expected)

        // The first entry read also looks once at the record after the header, for defaults.
        _ = try reader.entry(at: reader.rows[3])
        let before = source.bytesRead
        let row = reader.rows[17]
        _ = try reader.entry(at: row)
        #expect(source.bytesRead - before == row.summary.recordLength)
    }
}

@Suite struct RecoveryTests {
    @Test func truncatedArchiveRecoversEveryCompleteEntry() throws {
        var rng = SeededGenerator(seed: 21)
        let entries = (0..<10).map { Samples.entry(&rng, number: $0) }
        let bytes = try Samples.archive(entries)
        let rows = try ArchiveReader(source: MemorySource(bytes)).rows
        for (number, row) in rows.enumerated() {
            // Cut inside entry `number`: the entries before it survive.
            let cut = Array(bytes.prefix(row.offset + row.summary.recordLength / 2))
            #expect(throws: FormatError.self) { try ArchiveReader(source: MemorySource(cut)) }
            let reader = try ArchiveReader(source: MemorySource(cut), recover: true)
            #expect(reader.recoveredFrom != nil)
            #expect(reader.rows.map(\.summary.name) == entries.prefix(number).map(\.name))
        }
    }

    @Test func damagedMiddleEntryDoesNotHideTheOthers() throws {
        var rng = SeededGenerator(seed: 22)
        let entries = (0..<6).map { Samples.entry(&rng, number: $0) }
        var bytes = try Samples.archive(entries)
        let rows = try ArchiveReader(source: MemorySource(bytes)).rows
        // Destroy entry 2's length field and the trailer: the scanner must resynchronise.
        bytes[rows[2].offset + 1] = 0xFF
        bytes[bytes.count - 1] ^= 0xFF
        let reader = try ArchiveReader(source: MemorySource(bytes), recover: true)
        var expected = entries.map(\.name)
        expected.remove(at: 2)
        #expect(reader.rows.map(\.summary.name) == expected)
        for row in reader.rows { _ = try reader.entry(at: row) }
    }
}

@Suite struct CorruptionSweepTests {
    /// A small archive with two text entries and one multimodal entry: version 2 with a defaults
    /// record, and version 1.
    static let archives: [[UInt8]] = [
        try! Samples.archive(sampleEntries, format: ArchiveFormat(defaults: EntryDefaults(generator: GeneratorMetadata(kind: .builtin),
                                                                                           captioner: CaptionerMetadata(kind: .sidecar, instructionVersion: 1)))),
        try! Samples.archive(sampleEntries, format: .v1, keepsFullHash: true),
    ]
    static let archive = archives[0]

    static let sampleEntries: [Entry] = {
        var rng = SeededGenerator(seed: 5)
        var entries: [Entry] = []
        for number in 0..<3 {
            var entry = Samples.entry(&rng, number: number)
            entry.prompt = .stored("Type: photograph. Top-left: sky \(number).")
            if number == 2, entry.thumbnail == nil {
                let size = Thumbnail.size(forSourceWidth: entry.source.width, height: entry.source.height, scale: 32)
                entry.mode = .multimodal
                entry.thumbnail = Thumbnail(codec: .png, scale: 32, width: size.width, height: size.height,
                                            payload: Samples.fakePNG(width: size.width, height: size.height, extra: 8))
            }
            if let thumbnail = entry.thumbnail {
                entry.thumbnail?.payload = Samples.fakePNG(width: thumbnail.width, height: thumbnail.height, extra: 8)
            }
            entry.generator?.parameters = [("steps", "30")]
            entries.append(entry)
        }
        return entries
    }()

    @Test(arguments: [0, 1])
    func everySingleByteChangeIsReportedInvalid(version: Int) throws {
        let original = CorruptionSweepTests.archives[version]
        #expect(original[8] == (version == 0 ? 2 : 1) && (version == 1 || original[16] == UInt8(ascii: "D")), "a version 2 file with its defaults record, and a version 1 file")
        #expect(try Validator(promptDecoding: .standard).validate(MemorySource(original)).isValid)
        var undetected: [String] = []
        for offset in 0..<original.count {
            for delta: UInt8 in [0x01, 0x80, 0xFF, UInt8(truncatingIfNeeded: offset &* 37 | 1)] {
                var bytes = original
                bytes[offset] ^= delta
                let report = try Validator(promptDecoding: .standard).validate(MemorySource(bytes))
                if report.isValid { undetected.append("offset \(offset) ^ \(delta)") }
                // The recovering reader must not trap either.
                if let reader = try? ArchiveReader(source: MemorySource(bytes), recover: true) {
                    for row in reader.rows { _ = try? reader.entry(at: row) }
                }
            }
        }
        #expect(undetected.isEmpty, "\(undetected.count) changes not detected: \(undetected.prefix(10))")
    }

    @Test(arguments: [0, 1])
    func everyTruncationIsReportedInvalid(version: Int) throws {
        let original = CorruptionSweepTests.archives[version]
        for length in 0..<original.count {
            let report = try Validator(promptDecoding: .standard).validate(MemorySource(Array(original.prefix(length))))
            #expect(!report.isValid, "truncation to \(length) bytes was not detected")
        }
    }
}

@Suite struct FuzzTests {
    /// Random damage of every kind (changed, inserted and deleted bytes, cuts) never traps or hangs,
    /// and is always reported.
    @Test func randomDamageIsAlwaysReportedAndNeverTraps() throws {
        let original = CorruptionSweepTests.archive
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                case 2: bytes.remove(at: at)
                default: bytes.replaceSubrange(at..<min(at + 9, bytes.count), with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
                }
                if bytes.isEmpty { bytes = [0] }
            }
            guard bytes != original else { continue }
            let report = try Validator(promptDecoding: .standard).validate(MemorySource(bytes))
            #expect(!report.isValid)
            if let reader = try? ArchiveReader(source: MemorySource(bytes), recover: true) {
                for row in reader.rows { _ = try? reader.entry(at: row) }
            }
        }
    }
}
