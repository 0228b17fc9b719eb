/// A bounds-checked cursor over untrusted bytes: `read*` advances, `peek*` does not,
/// every integer call names its byte order, and running off the end throws.
struct ByteReader {
    let bytes: [UInt8]
    let format: ImageFormat
    private(set) var offset: Int

    init(_ bytes: [UInt8], format: ImageFormat, offset: Int = 0) {
        self.bytes = bytes
        self.format = format
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    func require(_ count: Int) throws(ImageError) {
        if count < 0 || count > remaining {
            throw .truncated(format: format, offset: offset, needed: count - max(remaining, 0))
        }
    }

    mutating func skip(_ count: Int) throws(ImageError) {
        try require(count)
        offset += count
    }

    mutating func readUInt8() throws(ImageError) -> UInt8 {
        try require(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    func peekUInt8() throws(ImageError) -> UInt8 {
        try require(1)
        return bytes[offset]
    }

    mutating func readUInt16BigEndian() throws(ImageError) -> UInt16 {
        try require(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32BigEndian() throws(ImageError) -> UInt32 {
        try require(4)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func readBytes(_ count: Int) throws(ImageError) -> ArraySlice<UInt8> {
        try require(count)
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}
