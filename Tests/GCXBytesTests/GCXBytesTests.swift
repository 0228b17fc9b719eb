import Testing
import GCXBytes

/// A failure type for the tests: the cursor's own description, unchanged.
struct Failure: ByteCursorError, Equatable {
    let failure: CursorFailure
    init(_ failure: CursorFailure) { self.failure = failure }
}

@Suite struct ByteCursorTests {
    @Test func readsEachByteOrderAndReportsAbsoluteOffsets() throws {
        var cursor = ByteCursor<Failure>([1, 2, 3, 4, 5, 6, 7, 8, 9], base: 100)
        #expect(try cursor.readUInt16(.littleEndian, field: "a") == 0x0201)
        #expect(try cursor.readUInt16(.bigEndian, field: "b") == 0x0304)
        #expect(try cursor.peekUInt8(field: "c") == 5)
        #expect(try cursor.readUInt32(.bigEndian, field: "c") == 0x0506_0708)
        #expect(cursor.offset == 108)
        #expect(try cursor.getInteger(byteCount: 1, .littleEndian, at: 108, field: "d") == 9)
        #expect(throws: Failure(CursorFailure(.truncated, at: 108, "e needs 2 bytes but only 1 remain"))) {
            try cursor.readUInt16(.bigEndian, field: "e")
        }
        #expect(cursor.offset == 108, "a failed read does not move")
    }

    @Test func subCursorsAreBoundedAndTheParentSkipsPastThem() throws {
        var cursor = ByteCursor<Failure>([1, 2, 3, 4])
        var sub = try cursor.readSubCursor(count: 2, field: "sub")
        #expect(try sub.readUInt16(.bigEndian, field: "x") == 0x0102)
        #expect(throws: Failure.self) { try sub.readUInt8(field: "past the end") }
        #expect(try cursor.readUInt8(field: "next") == 3)
    }

    @Test func varintsRoundTripInShortestFormOnly() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 1 << 35, .max] {
            var writer = ByteWriter()
            writer.writeVarint(value)
            #expect(writer.bytes.count == Varint.size(of: value))
            var cursor = ByteCursor<Failure>(writer.bytes)
            #expect(try cursor.readVarint(field: "v") == value)
            #expect(cursor.isAtEnd)
        }
        var padded = ByteCursor<Failure>([0x81, 0x00])
        #expect { try padded.readVarint(field: "v") } throws: { ($0 as? Failure)?.failure.kind == .varintInvalid }
        var tooLong = ByteCursor<Failure>([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect { try tooLong.readVarint(field: "v") } throws: { ($0 as? Failure)?.failure.kind == .varintInvalid }
        var overLimit = ByteCursor<Failure>([0x80, 0x01])
        #expect { try overLimit.readVarint(field: "v", max: 127) } throws: { ($0 as? Failure)?.failure.kind == .limitExceeded }
        for value: Int64 in [0, -1, 1, .min, .max] { #expect(Varint.unzigzag(Varint.zigzag(value)) == value) }
    }

    @Test func writerNamesItsByteOrder() {
        var writer = ByteWriter()
        writer.writeUInt32(0x0102_0304, .littleEndian)
        writer.writeUInt16(0x0506, .bigEndian)
        #expect(writer.bytes == [4, 3, 2, 1, 5, 6])
    }

    @Test func crc32HasItsCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct ImageHeaderTests {
    static func png(width: UInt32, height: UInt32) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(ImageFormat.pngSignature)
        writer.writeUInt32(13, .bigEndian)
        var chunk = ByteWriter()
        chunk.writeBytes("IHDR".utf8)
        chunk.writeUInt32(width, .bigEndian)
        chunk.writeUInt32(height, .bigEndian)
        chunk.writeBytes([8, 2, 0, 0, 0])
        writer.writeBytes(chunk.bytes)
        writer.writeUInt32(CRC32.checksum(chunk.bytes), .bigEndian)
        return writer.bytes
    }

    @Test func readsPNGAndChecksTheIHDRCRC() throws {
        var bytes = Self.png(width: 96, height: 64)
        #expect(try ImageHeader.parse(bytes) == ImageHeader(format: .png, width: 96, height: 64, isBaselineJPEG: false))
        bytes[20] ^= 1
        #expect { try ImageHeader.parse(bytes) } throws: { ($0 as? ImageHeaderError)?.reason == "IHDR CRC is wrong" }
    }

    @Test func skipsStandaloneMarkersAndFillBytesBeforeTheFrame() throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD0, 0xFF, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB,
                             0xFF, 0xC2, 0x00, 0x0B, 8, 0x00, 0x30, 0x00, 0x40, 1, 1, 0x11, 0]
        #expect(try ImageHeader.parse(jpeg) == ImageHeader(format: .jpeg, width: 64, height: 48, isBaselineJPEG: false))
    }

    @Test func refusesASegmentThatRunsPastTheEnd() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x30, 0x00, 0x40]
        #expect { try ImageHeader.parse(jpeg) } throws: { ($0 as? ImageHeaderError)?.format == .jpeg }
    }

    @Test func asAFormatRefusesAnotherSignature() {
        #expect(throws: ImageHeaderError.self) { try ImageHeader.parse(Self.png(width: 1, height: 1), as: .jpeg) }
    }

    @Test func pixelLimitsAreOneSet() {
        #expect(PixelLimits.fits(width: 8192, height: 8192))
        #expect(!PixelLimits.fits(width: 8193, height: 8192))
        #expect(!PixelLimits.fits(width: 65_536, height: 1))
    }
}
