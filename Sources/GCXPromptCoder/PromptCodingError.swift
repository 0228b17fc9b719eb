import GCXBytes

/// Why a prompt payload could not be decoded. Every case says what was wrong and where.
public enum PromptCodingError: Error, Equatable, CustomStringConvertible {
    /// The header (model id varint in shortest form, below 2^28, and 2-byte check) is truncated
    /// or malformed; the message says where.
    case malformedHeader(String)
    /// The payload was coded with a model this build does not ship.
    case unknownModel(id: Int, supported: [Int])
    /// `decodedLength` is negative, above 64 KiB, or above 16 decoded bytes per payload byte (+256).
    case decodedLengthOutOfRange(Int, limit: Int)
    /// A decoded phrase token ran past `decodedLength` (the length or the payload is wrong).
    case lengthOverrun(at: Int, decodedLength: Int)
    /// The model decoded a phrase token that the model's vocabulary does not define.
    case undefinedToken(UInt8, at: Int)
    /// The low 16 bits of the CRC-32 of the decoded bytes differ from the payload's check: the
    /// payload (or the stated length) is corrupt.
    case checksumMismatch(expected: UInt32, computed: UInt32)
    /// The decoded bytes (with a matching checksum) are not valid UTF-8.
    case invalidUTF8(at: Int)
    /// The code bytes are not what the encoder writes for the decoded bits (spec B.5): a byte too
    /// many, or a different final byte.
    case nonCanonicalCode

    public var description: String {
        switch self {
        case let .malformedHeader(message):
            return "prompt payload header: \(message)"
        case let .unknownModel(id, supported):
            return "prompt payload uses model id \(id); this build supports \(supported)"
        case let .decodedLengthOutOfRange(length, limit):
            return "decoded length \(length) is outside 0...\(limit)"
        case let .lengthOverrun(at, decodedLength):
            return "decoded text overruns the stated length \(decodedLength) at byte \(at)"
        case let .undefinedToken(token, at):
            return "decoded token 0x\(String(token, radix: 16)) at byte \(at) is not in the model vocabulary"
        case let .checksumMismatch(expected, computed):
            return "prompt payload is corrupt: check (low 16 bits of CRC-32) of the decoded text is 0x\(hex(computed)), payload says 0x\(hex(expected))"
        case .nonCanonicalCode:
            return "the code does not end as the encoder ends it (a byte too many, or another final byte); spec B.5"
        case let .invalidUTF8(at):
            return "decoded text is not valid UTF-8 (first bad byte at offset \(at))"
        }
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

extension PromptCodingError: ByteCursorError {
    public init(_ failure: CursorFailure) {
        self = .malformedHeader("offset \(failure.offset): \(failure.message)")
    }
}
