import GCXBytes

/// A bounds-checked walk over PNG chunks (length, type, data, CRC), used to find
/// eXIf and to name structural problems more plainly than libpng does.
enum PNGChunks {
    /// Calls `body(type, data, offset)` for each chunk until IEND, the end of the
    /// data, or `body` returns false. Throws on a chunk that runs past the end.
    static func walk(_ bytes: [UInt8],
                     _ body: ([UInt8], ArraySlice<UInt8>, Int) throws -> Bool) throws {
        var reader = ByteCursor<ImageHeaderError>(bytes, range: min(8, bytes.count)..<bytes.count)
        do {
            while reader.remaining > 0 {
                let start = reader.offset
                let length = Int(try reader.readUInt32(.bigEndian, field: "chunk length"))
                guard length <= 0x7FFF_FFFF else {
                    throw ImageHeaderError(format: .png, at: start, "chunk length \(length) exceeds 2^31-1")
                }
                let type = Array(try reader.readSlice(count: 4, field: "chunk type"))
                let data = try reader.readSlice(count: length, field: "chunk data")
                try reader.skip(4, field: "chunk CRC")  // libpng verifies every chunk it reads
                if try !body(type, data, start) || type == Array("IEND".utf8) { return }
            }
        } catch let error as ImageHeaderError {
            throw ImageError(error, format: .png)
        }
    }

    /// Throws when IEND is reached with no IDAT chunk before it.
    static func requireImageData(_ bytes: [UInt8]) throws {
        var sawData = false
        var endOffset: Int?
        do {
            try walk(bytes) { type, _, offset in
                if type == Array("IDAT".utf8) { sawData = true; return false }
                if type == Array("IEND".utf8) { endOffset = offset }
                return true
            }
        } catch {
            return  // truncation and friends are reported by libpng with its own words
        }
        if !sawData, let endOffset {
            throw ImageError.invalidHeader(format: .png, offset: endOffset,
                                           reason: "IEND reached without any IDAT chunk: the file holds no image data")
        }
    }

    /// The payload of the eXIf chunk, if any (a TIFF block, as in JPEG's APP1).
    static func exif(_ bytes: [UInt8]) -> [UInt8]? {
        var found: [UInt8]?
        try? walk(bytes) { type, data, _ in
            if type == Array("eXIf".utf8) { found = Array(data); return false }
            return true
        }
        return found
    }
}
