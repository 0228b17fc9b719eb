import GCXBytes

/// The kind byte that starts every record after the header (spec/gcx.md §4).
///
/// Upper-case ASCII letters are critical (a reader that does not know one rejects the file);
/// lower-case letters are ancillary (a reader skips an unknown one). Other values are invalid.
public struct RecordKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The kind byte, an ASCII letter in a valid file.
    public let rawValue: UInt8
    /// Any kind byte, known or not.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// "E": one photo's entry (§5).
    public static let entry = RecordKind(rawValue: 0x45)
    /// "I": the index, one row per entry (§7).
    public static let index = RecordKind(rawValue: 0x49)
    /// "T": the last 18 bytes, where the index is (§8).
    public static let trailer = RecordKind(rawValue: 0x54)
    /// "D", version 2: chunks every entry of the file has unless it carries its own (§7.1).
    public static let defaults = RecordKind(rawValue: 0x44)

    /// An ASCII letter: the only bytes that start a record.
    public var isLetter: Bool { (0x41...0x5A).contains(rawValue) || (0x61...0x7A).contains(rawValue) }
    /// Lower case: a reader that does not know the kind skips the record.
    public var isAncillary: Bool { (0x61...0x7A).contains(rawValue) }
    /// The critical kinds a reader of `version` knows.
    public func isKnown(in version: FormatVersion) -> Bool {
        self == .entry || self == .index || self == .trailer || (self == .defaults && version >= .v2)
    }

    /// Largest body a reader accepts for this kind.
    public var bodyLimit: Int {
        switch self {
        case .entry: Limits.entryRecordBody
        case .index: Limits.indexRecordBody
        case .trailer: Limits.trailerBody
        case .defaults: Limits.defaultsRecordBody
        default: Limits.ancillaryRecordBody
        }
    }

    /// The letter in quotes, or the byte in hex when it is no letter.
    public var description: String {
        isLetter ? "\"\(Character(Unicode.Scalar(rawValue)))\"" : "0x" + String(rawValue, radix: 16)
    }
}

/// Framing shared by all records:
///
///     kind u8 | body_length varint | body | CRC-32 (u32 LE) of kind, body_length and body
public enum RecordFraming {
    /// Bytes of framing around a body of `bodyLength` bytes.
    public static func overhead(bodyLength: Int) -> Int {
        1 + Varint.size(of: UInt64(bodyLength)) + 4
    }

    /// The framed record: kind, body length, `body` and the CRC-32 of all three.
    public static func encode(kind: RecordKind, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeUInt8(kind.rawValue)
        writer.writeVarint(body.count)
        writer.writeBytes(body)
        writer.writeUInt32(CRC32.checksum(writer.bytes), .littleEndian)
        return writer.bytes
    }

    /// The start of a record: its kind, where its body lies, and its total size.
    public struct Head: Equatable, Sendable {
        /// The record's kind byte.
        public var kind: RecordKind
        /// Absolute offset of the record's first byte.
        public var offset: Int
        /// Absolute offset of the body's first byte (after the kind and the length varint).
        public var bodyOffset: Int
        /// Bytes of the body, as the length varint says.
        public var bodyLength: Int
        /// Bytes of the whole record: head, body and CRC.
        public var totalLength: Int { bodyOffset - offset + bodyLength + 4 }
        /// Absolute offset just past the record's CRC.
        public var end: Int { offset + totalLength }
    }

    /// Reads a record head from the first bytes at `offset` (at most 1 + 10 bytes are needed).
    public static func decodeHead(_ prefix: [UInt8], at offset: Int, fileSize: Int, version: FormatVersion) throws -> Head {
        var reader = ByteReader(prefix, base: offset)
        let kind = RecordKind(rawValue: try reader.readUInt8(field: "record kind"))
        guard kind.isLetter else {
            throw FormatError(.recordKindUnknown, at: offset, "byte \(kind) does not start a record (a record kind is an ASCII letter)")
        }
        guard kind.isKnown(in: version) || kind.isAncillary else {
            throw FormatError(.recordKindUnknown, at: offset, "critical record kind \(kind) is unknown to this reader")
        }
        let length: Int
        do {
            // A trailer's length is checked for its exact value below, with a clearer message.
            length = try reader.readLength(field: "\(kind) record body length", max: kind == .trailer ? Limits.entryRecordBody : kind.bodyLimit)
        } catch {
            guard error.code == .truncated else { throw error }
            throw FormatError(.recordTruncated, at: offset, "file ends inside the head of the \(kind) record")
        }
        if kind == .trailer && length != Limits.trailerBody {
            throw FormatError(.trailerInvalid, at: offset, "trailer body length is \(length), expected \(Limits.trailerBody)")
        }
        let head = Head(kind: kind, offset: offset, bodyOffset: reader.offset, bodyLength: length)
        guard head.end <= fileSize else {
            throw FormatError(.recordTruncated, at: offset,
                              "\(kind) record of \(head.totalLength) bytes runs past the end of the file (\(fileSize - offset) bytes left)")
        }
        return head
    }

    /// Checks the CRC of a whole record's bytes and returns its body.
    public static func verify(_ record: [UInt8], head: Head) throws -> [UInt8] {
        let crcStart = record.count - 4
        var reader = ByteReader(record, base: head.offset)
        try reader.skip(crcStart, field: "record")
        let stored = try reader.readUInt32(.littleEndian, field: "record CRC")
        let computed = CRC32.checksum(record[0..<crcStart])
        guard stored == computed else {
            throw FormatError(.recordChecksum, at: head.offset + crcStart,
                              "\(head.kind) record at offset \(head.offset): CRC-32 is \(hex32(stored)) but its bytes give \(hex32(computed))")
        }
        let bodyStart = head.bodyOffset - head.offset
        return Array(record[bodyStart..<(bodyStart + head.bodyLength)])
    }
}
