import GCXBytes

/// The 16 bytes at the start of every .gcx file (spec/gcx.md §3).
///
///     offset size  field
///     0      8     signature 89 47 43 58 0D 0A 1A 0A
///     8      1     version (1 or 2: the layout of entries and index rows, §3.1)
///     9      1     required flags: a reader rejects any bit it does not know (none in v1)
///     10     1     optional flags: a reader ignores bits it does not know (none in v1)
///     11     1     reserved, 0
///     12     4     CRC-32 of bytes 0..<12, little-endian
public struct FileHeader: Equatable, Sendable {
    /// Like PNG's: a high-bit byte catches 7-bit transfer, CR LF catches line-ending conversion,
    /// 1A stops a DOS `type`, the final LF catches LF to CR LF.
    public static let signature: [UInt8] = [0x89, 0x47, 0x43, 0x58, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Bytes of the header.
    public static let size = 16
    /// The required flags this reader knows: none.
    public static let knownRequiredFlags: UInt8 = 0

    /// The container version (byte 8).
    public var version: FormatVersion
    /// Byte 9: bits a reader must know; any other set bit rejects the file.
    public var requiredFlags: UInt8 = 0
    /// Byte 10: bits a reader may ignore.
    public var optionalFlags: UInt8 = 0

    /// The header of a new file of `version`, no flags set.
    public init(version: FormatVersion = .current) { self.version = version }

    /// The 16 header bytes, CRC included.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(FileHeader.signature)
        writer.writeUInt8(version.rawValue)
        writer.writeUInt8(requiredFlags)
        writer.writeUInt8(optionalFlags)
        writer.writeUInt8(0)
        writer.writeUInt32(CRC32.checksum(writer.bytes), .littleEndian)
        return writer.bytes
    }

    /// Parses and checks the header from the first bytes of a file.
    public static func decode(_ bytes: [UInt8]) throws -> FileHeader {
        guard bytes.count >= signature.count else {
            if bytes.elementsEqual(signature.prefix(bytes.count)) {
                throw FormatError(.truncated, at: bytes.count, "file ends inside the 8-byte signature")
            }
            throw FormatError(.signatureInvalid, at: 0, "not a .gcx file: the signature 89 47 43 58 0D 0A 1A 0A is missing")
        }
        if let mismatch = (0..<signature.count).first(where: { bytes[$0] != signature[$0] }) {
            throw FormatError(.signatureInvalid, at: mismatch, signatureDiagnosis(bytes))
        }
        guard bytes.count >= size else {
            throw FormatError(.truncated, at: bytes.count, "file ends inside the \(size)-byte header")
        }
        var reader = ByteReader(Array(bytes.prefix(size)))
        try reader.skip(signature.count, field: "signature")
        let version = try reader.readUInt8(field: "version")
        let requiredFlags = try reader.readUInt8(field: "required flags")
        let optionalFlags = try reader.readUInt8(field: "optional flags")
        let reserved = try reader.readUInt8(field: "reserved")
        let stored = try reader.readUInt32(.littleEndian, field: "header CRC")
        let computed = CRC32.checksum(bytes.prefix(12))
        guard stored == computed else {
            throw FormatError(.headerChecksum, at: 12,
                              "header CRC-32 is \(hex32(stored)) but bytes 0..<12 give \(hex32(computed))")
        }
        guard let known = FormatVersion(rawValue: version) else {
            throw FormatError(.versionUnsupported, at: 8,
                              "container version \(version) is not supported (this reader reads versions 1 and 2)")
        }
        var header = FileHeader(version: known)
        header.requiredFlags = requiredFlags
        header.optionalFlags = optionalFlags
        let unknown = header.requiredFlags & ~knownRequiredFlags
        guard unknown == 0 else {
            throw FormatError(.headerFlagsUnknown, at: 9,
                              "required flag bits 0x\(String(unknown, radix: 16)) are unknown to this reader")
        }
        guard reserved == 0 else {
            throw FormatError(.headerReserved, at: 11, "reserved header byte is \(reserved), expected 0")
        }
        return header
    }

    /// Names the transfer damage a broken signature most likely shows.
    static func signatureDiagnosis(_ bytes: [UInt8]) -> String {
        let base = "not a .gcx file: the signature 89 47 43 58 0D 0A 1A 0A is missing"
        if bytes.count >= 4, bytes[0] == 0x09, Array(bytes[1..<4]) == [0x47, 0x43, 0x58] {
            return base + " (the high bit of byte 0 was cleared: the file went through a 7-bit channel)"
        }
        if bytes.count >= 8, Array(bytes[0..<4]) == Array(signature[0..<4]) {
            if Array(bytes[4..<6]) == [0x0A, 0x1A] { return base + " (CR LF became LF: the file was transferred in text mode)" }
            if Array(bytes[4..<7]) == [0x0D, 0x0D, 0x0A] || Array(bytes[6..<8]) == [0x1A, 0x0D] {
                return base + " (LF became CR LF: the file was transferred in text mode)"
            }
        }
        return base
    }
}

/// The container's versions (spec/gcx.md §3.1). Version 2 codes entries and index rows compactly
/// and may hold file-wide defaults; version 1 files are still read, validated and appended to as
/// version 1.
public enum FormatVersion: UInt8, Sendable, Comparable, CustomStringConvertible {
    /// The first layout, kept for readers that predate version 2: each entry a sequence of chunks (§5).
    case v1 = 1
    /// Compact entries and rows, truncated content hashes and an optional defaults record.
    case v2 = 2

    /// What a new archive is written as.
    public static let current = FormatVersion.v2

    /// Versions in order: version 1 before version 2.
    public static func < (a: FormatVersion, b: FormatVersion) -> Bool { a.rawValue < b.rawValue }
    /// "version N".
    public var description: String { "version \(rawValue)" }
}

func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
