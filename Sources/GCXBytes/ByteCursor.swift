/// The byte order of a fixed-width integer: every multi-byte read and write names one.
public enum ByteOrder: Sendable {
    case littleEndian
    case bigEndian
}

/// Why a cursor refused a read, with the absolute offset and a message naming the field.
public struct CursorFailure: Sendable, Equatable {
    /// What kind of refusal: the format core maps each onto its own error codes.
    public enum Kind: Sendable, Equatable {
        /// The field needs more bytes than remain.
        case truncated
        /// A varint is longer than 64 bits or not in its shortest form.
        case varintInvalid
        /// A value is above the limit the caller gave.
        case limitExceeded
        /// A string is not valid UTF-8.
        case utf8Invalid
        /// The bytes break the grammar being read (a marker, a magic number).
        case invalid
    }

    /// What kind of refusal this is.
    public var kind: Kind
    /// Absolute offset of the field that could not be read.
    public var offset: Int
    /// What was expected, naming the field ("record CRC-32 needs 4 bytes, 2 remain").
    public var message: String

    /// A failure of `kind` at absolute `offset`.
    public init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }
}

/// An error type a `ByteCursor` can throw: each layer keeps its own located errors (the format
/// core its stable codes, the image layer its formats) while sharing one cursor.
public protocol ByteCursorError: Error {
    init(_ failure: CursorFailure)
}

/// A bounds-checked cursor over untrusted bytes that were read from a known absolute position.
///
/// `read*` advances, `peek*` does not, `get*` reads at an absolute offset without moving. Every
/// read is labelled with the field it reads, so a failure says what and where; every multi-byte
/// integer names its byte order.
///
///     var cursor = ByteCursor<FormatError>(bytes, base: recordOffset)
///     let crc = try cursor.readUInt32(.littleEndian, field: "record CRC-32")
public struct ByteCursor<Failure: ByteCursorError> {
    /// All the bytes the cursor was made over (it may read only a sub-range of them).
    public let bytes: [UInt8]
    /// Absolute offset of `bytes[0]`.
    public let base: Int
    /// Index into `bytes` of the next byte to read.
    @usableFromInline var position: Int
    /// Index into `bytes` of the next byte to read.
    public var index: Int { position }
    /// One past the last index this cursor may read (a sub-range of `bytes`).
    public let end: Int

    /// A cursor over all of `bytes`, whose first byte lies at absolute offset `base`.
    @inlinable
    public init(_ bytes: [UInt8], base: Int = 0) {
        self.bytes = bytes
        self.base = base
        self.position = 0
        self.end = bytes.count
    }

    /// A cursor over `bytes[range]`, starting at `range.lowerBound`.
    @inlinable
    public init(_ bytes: [UInt8], base: Int = 0, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the bytes")
        self.bytes = bytes
        self.base = base
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// Absolute offset of the next byte.
    @inlinable public var offset: Int { base + position }
    /// Bytes left before `end`.
    @inlinable public var remaining: Int { end - position }
    /// Whether every byte in range has been read.
    @inlinable public var isAtEnd: Bool { position >= end }

    /// A failure located at `offset` (the next byte, unless given).
    @inlinable
    public func failure(_ kind: CursorFailure.Kind, at offset: Int? = nil, _ message: String) -> Failure {
        Failure(CursorFailure(kind, at: offset ?? self.offset, message))
    }

    /// A cursor over the next `count` bytes; this cursor skips past them.
    @inlinable
    public mutating func readSubCursor(count: Int, field: @autoclosure () -> String) throws(Failure) -> ByteCursor {
        try require(count, field: field())
        let sub = ByteCursor(bytes, base: base, range: position..<(position + count))
        position += count
        return sub
    }

    /// The next byte; throws `truncated` at the end.
    @inlinable
    public mutating func readUInt8(field: @autoclosure () -> String) throws(Failure) -> UInt8 {
        try require(1, field: field())
        defer { position += 1 }
        return bytes[position]
    }

    /// The next byte, without moving.
    @inlinable
    public func peekUInt8(field: @autoclosure () -> String) throws(Failure) -> UInt8 {
        try require(1, field: field())
        return bytes[position]
    }

    /// The next two bytes as an integer in `order`.
    @inlinable
    public mutating func readUInt16(_ order: ByteOrder, field: @autoclosure () -> String) throws(Failure) -> UInt16 {
        UInt16(truncatingIfNeeded: try readInteger(byteCount: 2, order, field: field()))
    }

    /// The next four bytes as an integer in `order`.
    @inlinable
    public mutating func readUInt32(_ order: ByteOrder, field: @autoclosure () -> String) throws(Failure) -> UInt32 {
        UInt32(truncatingIfNeeded: try readInteger(byteCount: 4, order, field: field()))
    }

    /// The next eight bytes as an integer in `order`.
    @inlinable
    public mutating func readUInt64(_ order: ByteOrder, field: @autoclosure () -> String) throws(Failure) -> UInt64 {
        try readInteger(byteCount: 8, order, field: field())
    }

    /// The `byteCount`-byte integer at absolute offset `offset`, without moving.
    @inlinable
    public func getInteger(byteCount: Int, _ order: ByteOrder, at offset: Int, field: @autoclosure () -> String) throws(Failure) -> UInt64 {
        var copy = self
        let skip = offset - self.offset
        guard skip >= 0 else { throw failure(.truncated, at: offset, "\(field()) lies before the cursor's range") }
        try copy.skip(skip, field: field())
        return try copy.readInteger(byteCount: byteCount, order, field: field())
    }

    @inlinable
    mutating func readInteger(byteCount: Int, _ order: ByteOrder, field: @autoclosure () -> String) throws(Failure) -> UInt64 {
        try require(byteCount, field: field())
        var value: UInt64 = 0
        switch order {
        case .littleEndian:
            for k in 0..<byteCount { value |= UInt64(bytes[position + k]) << (8 * k) }
        case .bigEndian:
            for k in 0..<byteCount { value = value << 8 | UInt64(bytes[position + k]) }
        }
        position += byteCount
        return value
    }

    /// An unsigned LEB128 varint in its shortest form, at most `max`.
    @inlinable
    public mutating func readVarint(field: @autoclosure () -> String, max: UInt64 = .max) throws(Failure) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for group in 0..<Varint.maxBytes {
            let byte = try readUInt8(field: field())
            if group == Varint.maxBytes - 1 && byte > 0x01 {
                throw failure(.varintInvalid, at: start, "\(field()): varint exceeds 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && group > 0 {
                    throw failure(.varintInvalid, at: start, "\(field()): varint is not in its shortest form")
                }
                guard value <= max else {
                    throw failure(.limitExceeded, at: start, "\(field()) is \(value), above the limit of \(max)")
                }
                return value
            }
            shift += 7
        }
        throw failure(.varintInvalid, at: start, "\(field()): varint longer than \(Varint.maxBytes) bytes")
    }

    /// A varint that must fit `0...max`.
    @inlinable
    public mutating func readLength(field: @autoclosure () -> String, max: Int) throws(Failure) -> Int {
        Int(try readVarint(field: field(), max: UInt64(max)))
    }

    /// A zigzag-coded signed varint.
    @inlinable
    public mutating func readSignedVarint(field: @autoclosure () -> String) throws(Failure) -> Int64 {
        Varint.unzigzag(try readVarint(field: field()))
    }

    /// A copy of the next `count` bytes.
    @inlinable
    public mutating func readBytes(count: Int, field: @autoclosure () -> String) throws(Failure) -> [UInt8] {
        Array(try readSlice(count: count, field: field()))
    }

    /// The next `count` bytes without copying them.
    @inlinable
    public mutating func readSlice(count: Int, field: @autoclosure () -> String) throws(Failure) -> ArraySlice<UInt8> {
        try require(count, field: field())
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    /// A varint byte count, then that many bytes of UTF-8, at most `maxBytes`.
    @inlinable
    public mutating func readString(field: @autoclosure () -> String, maxBytes: Int) throws(Failure) -> String {
        let start = offset
        let count = try readLength(field: "\(field()) length", max: maxBytes)
        let raw = try readSlice(count: count, field: field())
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw failure(.utf8Invalid, at: start, "\(field()) is not valid UTF-8")
        }
        return text
    }

    /// Moves past `count` bytes; throws `truncated` if fewer remain.
    @inlinable
    public mutating func skip(_ count: Int, field: @autoclosure () -> String) throws(Failure) {
        try require(count, field: field())
        position += count
    }

    @inlinable
    func require(_ count: Int, field: @autoclosure () -> String) throws(Failure) {
        guard count >= 0, count <= end - position else { throw truncation(count, field: field()) }
    }

    @usableFromInline
    func truncation(_ count: Int, field: @autoclosure () -> String) -> Failure {
        failure(.truncated, "\(field()) needs \(count) bytes but only \(end - position) remain")
    }
}
