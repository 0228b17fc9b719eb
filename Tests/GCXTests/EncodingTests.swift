import GCXBytes
import Testing
@testable import GCX

@Suite struct EncodingTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 16_383, 16_384, 1 << 32, UInt64.max])
    func varintRoundTrip(value: UInt64) throws {
        var writer = ByteWriter()
        writer.writeVarint(value)
        #expect(writer.bytes.count == Varint.size(of: value))
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readVarint(field: "v") == value)
        #expect(reader.isAtEnd)
    }

    @Test func varintRejectsOverlongAndOversizedForms() {
        for bytes: [UInt8] in [[0x80, 0x00], [0xE0, 0x00], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02],
                               [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]] {
            var reader = ByteReader(bytes)
            #expect(throws: FormatError.self) { try reader.readVarint(field: "v") }
        }
        var truncated = ByteReader([0x80])
        #expect { try truncated.readVarint(field: "v") } throws: { ($0 as? FormatError)?.code == .truncated }
    }

    @Test(arguments: [Int64(0), 1, -1, 63, -64, Int64.max, Int64.min])
    func zigzagRoundTrip(value: Int64) {
        #expect(Varint.unzigzag(Varint.zigzag(value)) == value)
    }

    @Test func crc32CheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func sha256KnownAnswers() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(Int($0) + 0x100, radix: 16).dropFirst() }.joined() }
        #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.hash(message)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var streamed = SHA256()
        for byte in message { streamed.update([byte]) }
        #expect(streamed.finalize() == SHA256.hash(message))
    }

    @Test func headerRoundTripAndDiagnoses() throws {
        let bytes = FileHeader().encoded()
        #expect(bytes.count == FileHeader.size)
        #expect(try FileHeader.decode(bytes) == FileHeader())
        var sevenBit = bytes
        sevenBit[0] = 0x09
        #expect { try FileHeader.decode(sevenBit) } throws: { "\($0)".contains("7-bit") }
    }
}

@Suite struct EntryNameTests {
    @Test(arguments: ["a.png", "2024/summer/IMG_0042.JPG", "фото/月光 🌙.png", "..a/b..", ".hidden", "ab:c.png"])
    func acceptsRelativeNFCNames(name: String) throws {
        try EntryName.validate(name)
    }

    @Test(arguments: [
        ("", ErrorCode.nameInvalid), ("../x", .nameTraversal), ("a/../../x", .nameTraversal), ("a/..", .nameTraversal),
        ("/etc/x", .nameAbsolute), ("C:/x", .nameAbsolute), ("c:x", .nameAbsolute), ("a\u{0}b", .nameInvalid),
        ("a\\b", .nameInvalid), ("a//b", .nameInvalid), ("a/", .nameInvalid), ("./a", .nameInvalid), ("a\u{7F}", .nameInvalid),
        ("e\u{301}.png", .nameNotNormalized), (String(repeating: "x", count: 256), .limitExceeded),
        // Several rules broken: the first in the order of spec §6.1.1.
        ("a/../", .nameTraversal), ("a//..", .nameInvalid), ("/../x", .nameAbsolute), ("a\\../b", .nameInvalid),
    ])
    func rejectsUnsafeNames(name: String, code: ErrorCode) {
        #expect { try EntryName.validate(name) } throws: { ($0 as? FormatError)?.code == code }
    }

    @Test func makeNormalisesUserPaths() throws {
        #expect(try EntryName.make(fromRelativePath: "./e\u{301}.png") == "\u{E9}.png")
        #expect(throws: FormatError.self) { try EntryName.make(fromRelativePath: "../up.png") }
    }
}
