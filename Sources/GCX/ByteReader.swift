/// A cursor over bytes that were read from a known absolute position of a file.
///
/// Every `read*` advances; every failure throws a `FormatError` carrying the absolute offset, so a
/// validator can say where a problem is. Multi-byte fixed-width integers are little-endian, as
/// spec/gcx.md §2 says; the byte order is in each method's name.
public struct ByteReader {
    public let bytes: [UInt8]
    /// Absolute file offset of `bytes[0]`.
    public let base: Int
    /// Index into `bytes` of the next byte to read.
    public private(set) var index: Int
    /// One past the last byte this reader may read (a sub-range of `bytes`).
    public let end: Int

    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.index = 0
        self.end = bytes.count
    }

    init(_ bytes: [UInt8], base: Int, range: Range<Int>) {
        self.bytes = bytes
        self.base = base
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    /// Absolute offset of the next byte.
    public var offset: Int { base + index }
    public var remaining: Int { end - index }
    public var isAtEnd: Bool { index >= end }

    /// A reader over the next `count` bytes; this reader skips past them.
    public mutating func readSubReader(count: Int, field: String) throws -> ByteReader {
        try require(count, field: field)
        let sub = ByteReader(bytes, base: base, range: index..<(index + count))
        index += count
        return sub
    }

    public mutating func readU8(field: String) throws -> UInt8 {
        try require(1, field: field)
        defer { index += 1 }
        return bytes[index]
    }

    public mutating func readU32LE(field: String) throws -> UInt32 {
        try require(4, field: field)
        var value: UInt32 = 0
        for k in 0..<4 { value |= UInt32(bytes[index + k]) << (8 * k) }
        index += 4
        return value
    }

    public mutating func readU64LE(field: String) throws -> UInt64 {
        try require(8, field: field)
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[index + k]) << (8 * k) }
        index += 8
        return value
    }

    /// An unsigned LEB128 varint in canonical (shortest) form, at most `max`.
    public mutating func readVarint(field: String, max: UInt64 = .max) throws -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for position in 0..<Varint.maxBytes {
            let byte = try readU8(field: field)
            let payload = UInt64(byte & 0x7F)
            if position == Varint.maxBytes - 1 && byte > 0x01 {
                throw FormatError(.varintInvalid, at: start, "\(field): varint exceeds 64 bits")
            }
            value |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && position > 0 {
                    throw FormatError(.varintInvalid, at: start, "\(field): varint is not in its shortest form")
                }
                guard value <= max else {
                    throw FormatError(.limitExceeded, at: start, "\(field) is \(value), above the limit of \(max)")
                }
                return value
            }
            shift += 7
        }
        throw FormatError(.varintInvalid, at: start, "\(field): varint longer than \(Varint.maxBytes) bytes")
    }

    /// A varint that must fit the `Int` range `0...max`.
    public mutating func readLength(field: String, max: Int) throws -> Int {
        Int(try readVarint(field: field, max: UInt64(max)))
    }

    /// A zigzag-coded signed varint.
    public mutating func readSignedVarint(field: String) throws -> Int64 {
        Varint.unzigzag(try readVarint(field: field))
    }

    public mutating func readBytes(count: Int, field: String) throws -> [UInt8] {
        try require(count, field: field)
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    /// A length-prefixed UTF-8 string of at most `maxBytes` bytes.
    public mutating func readString(field: String, maxBytes: Int) throws -> String {
        let start = offset
        let count = try readLength(field: "\(field) length", max: maxBytes)
        let raw = try readBytes(count: count, field: field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw FormatError(.utf8Invalid, at: start, "\(field) is not valid UTF-8")
        }
        return text
    }

    public mutating func skip(_ count: Int, field: String) throws {
        try require(count, field: field)
        index += count
    }

    private func require(_ count: Int, field: String) throws {
        guard count >= 0, count <= end - index else {
            throw FormatError(.truncated, at: offset,
                              "\(field) needs \(count) bytes but only \(end - index) remain")
        }
    }
}
