import GCXBytes

/// A stable code for each rule of spec/gcx.md that a file can break.
///
/// The raw values are a public interface (validator reports, fixtures/manifest.json): never
/// rename one; add new ones instead. A struct rather than an enum, like `ChunkType`, so that a
/// code added in a later version does not break callers' exhaustive switches.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The code as the spec and validator reports write it, e.g. `chunk.order`.
    public let rawValue: String
    /// Any code, known to this version or not (`allCases` lists the known ones).
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The raw value.
    public var description: String { rawValue }

    // File and header (spec §3)
    /// §3: the file does not start with the 8-byte signature.
    public static let signatureInvalid = ErrorCode(rawValue: "signature.invalid")
    /// §3: a version this reader does not know (it knows 1 and 2).
    public static let versionUnsupported = ErrorCode(rawValue: "header.version-unsupported")
    /// §3: a required flag this reader does not know is set.
    public static let headerFlagsUnknown = ErrorCode(rawValue: "header.required-flag-unknown")
    /// §3: the reserved header byte is not 0.
    public static let headerReserved = ErrorCode(rawValue: "header.reserved-nonzero")
    /// §3: the header's CRC-32 does not match its first 12 bytes.
    public static let headerChecksum = ErrorCode(rawValue: "header.checksum")
    // Encodings (spec §2)
    /// §3, §5: the file ends inside the header, or a chunk or field runs past its structure.
    public static let truncated = ErrorCode(rawValue: "file.truncated")
    /// §2.2: a varint longer than 10 bytes, over 64 bits, or not in its shortest form.
    public static let varintInvalid = ErrorCode(rawValue: "varint.invalid")
    /// §2.4, §7: a string that is not valid UTF-8.
    public static let utf8Invalid = ErrorCode(rawValue: "utf8.invalid")
    /// §9: a length, count or size beyond the reader's limits.
    public static let limitExceeded = ErrorCode(rawValue: "limit.exceeded")
    // Records (spec §4)
    /// §4.1: a byte that is no record kind, or a critical kind this reader does not know.
    public static let recordKindUnknown = ErrorCode(rawValue: "record.kind-unknown")
    /// §4: a record's CRC-32 does not match its bytes.
    public static let recordChecksum = ErrorCode(rawValue: "record.checksum")
    /// A warning, never an error: readers skip an unknown ancillary record.
    public static let recordAncillaryUnknown = ErrorCode(rawValue: "record.ancillary-unknown")
    /// §4.2: a record runs past the end of the file.
    public static let recordTruncated = ErrorCode(rawValue: "record.truncated")
    /// Version 2: a defaults record anywhere but first after the header.
    public static let recordMisplaced = ErrorCode(rawValue: "record.misplaced")
    // Trailer and index (spec §7, §8)
    /// §8: the last 18 bytes are not a trailer record.
    public static let trailerMissing = ErrorCode(rawValue: "trailer.missing")
    /// §8: a "T" record whose body is not 12 bytes, wherever it is.
    public static let trailerInvalid = ErrorCode(rawValue: "trailer.invalid")
    /// §7, §8: the trailer's index position, or a row's record, lies where it cannot.
    public static let indexRange = ErrorCode(rawValue: "index.range")
    /// §7: an index body that cannot hold its rows, a row's mode other than 0 or 1, or bytes after
    /// the last row.
    public static let indexInvalid = ErrorCode(rawValue: "index.invalid")
    /// §7: a row's offset does not start an intact entry record.
    public static let indexEntryMissing = ErrorCode(rawValue: "index.not-an-entry")
    /// §7: the record at a row's offset is longer than the row says: the row claims bytes of the next.
    public static let indexOverlap = ErrorCode(rawValue: "index.overlap")
    /// §7: the record at a row's offset is shorter than the row says.
    public static let indexLength = ErrorCode(rawValue: "index.length-mismatch")
    /// §7: a row's summary (name, size, mode, byte counts) differs from its entry's.
    public static let indexMismatch = ErrorCode(rawValue: "index.summary-mismatch")
    /// §7: an entry record that no index row lists.
    public static let entryUnindexed = ErrorCode(rawValue: "entry.unindexed")
    // Entries and chunks (spec §5, §6)
    /// §5.1: a chunk type that is not an ASCII letter.
    public static let chunkTypeInvalid = ErrorCode(rawValue: "chunk.type-invalid")
    /// §5.1: a critical chunk type this reader does not know.
    public static let chunkUnknownCritical = ErrorCode(rawValue: "chunk.unknown-critical")
    /// A warning, never an error: readers skip an unknown ancillary chunk.
    public static let chunkAncillaryUnknown = ErrorCode(rawValue: "chunk.ancillary-unknown")
    /// §5.2: critical chunks out of their order ("S", "M", "P", "T").
    public static let chunkOrder = ErrorCode(rawValue: "chunk.order")
    /// §5.2: a chunk the entry's mode requires is absent.
    public static let chunkMissing = ErrorCode(rawValue: "chunk.missing")
    /// §5.2: a known chunk type appears twice in one entry or defaults record.
    public static let chunkDuplicate = ErrorCode(rawValue: "chunk.duplicate")
    /// §5.2, §7.1: a chunk where the mode or the record forbids it (a thumbnail in a text entry).
    public static let chunkForbidden = ErrorCode(rawValue: "chunk.forbidden")
    /// §5.2: a chunk has bytes after its last field.
    public static let chunkTrailingBytes = ErrorCode(rawValue: "chunk.trailing-bytes")
    /// §6: a field outside its defined values.
    public static let fieldInvalid = ErrorCode(rawValue: "field.invalid")
    /// §6.1.1: an entry name that is empty, holds a control character or a backslash, or has an
    /// empty or "." component.
    public static let nameInvalid = ErrorCode(rawValue: "name.invalid")
    /// §6.1.1: an entry name that starts with "/" or with a drive ("C:").
    public static let nameAbsolute = ErrorCode(rawValue: "name.absolute")
    /// §6.1.1: an entry name with a ".." component.
    public static let nameTraversal = ErrorCode(rawValue: "name.traversal")
    /// §6.1.1: an entry name not in Unicode Normalization Form C.
    public static let nameNotNormalized = ErrorCode(rawValue: "name.not-nfc")
    /// §6.1.1, §7, §11.2: two entries with one name.
    public static let nameDuplicate = ErrorCode(rawValue: "name.duplicate")
    /// §6.2: a coding mode other than text (0) or multimodal (1).
    public static let modeInvalid = ErrorCode(rawValue: "mode.invalid")
    /// §6.3: a prompt method this reader cannot decode.
    public static let promptMethodUnknown = ErrorCode(rawValue: "prompt.method-unknown")
    /// §6.3, Appendices B and D: a prompt payload that does not decode to its decoded length of UTF-8.
    public static let promptInvalid = ErrorCode(rawValue: "prompt.invalid")
    /// §6.4: a thumbnail codec this reader does not know.
    public static let thumbnailCodecUnknown = ErrorCode(rawValue: "thumbnail.codec-unknown")
    /// §6.4: a thumbnail whose size does not follow from the source size and scale, or whose
    /// datastream header says another size.
    public static let thumbnailMismatch = ErrorCode(rawValue: "thumbnail.mismatch")
    /// §6.4, Appendix C.1: a tiny-codec payload that breaks a rule.
    public static let thumbnailInvalid = ErrorCode(rawValue: "thumbnail.invalid")
    /// §6.5: generator parameters that hold a credential.
    public static let generatorSecret = ErrorCode(rawValue: "generator.secret")

    /// Every code this version defines.
    public static let allCases: [ErrorCode] = [
        .signatureInvalid,
        .versionUnsupported,
        .headerFlagsUnknown,
        .headerReserved,
        .headerChecksum,
        .truncated,
        .varintInvalid,
        .utf8Invalid,
        .limitExceeded,
        .recordKindUnknown,
        .recordChecksum,
        .recordAncillaryUnknown,
        .recordTruncated,
        .recordMisplaced,
        .trailerMissing,
        .trailerInvalid,
        .indexRange,
        .indexInvalid,
        .indexEntryMissing,
        .indexOverlap,
        .indexLength,
        .indexMismatch,
        .entryUnindexed,
        .chunkTypeInvalid,
        .chunkUnknownCritical,
        .chunkAncillaryUnknown,
        .chunkOrder,
        .chunkMissing,
        .chunkDuplicate,
        .chunkForbidden,
        .chunkTrailingBytes,
        .fieldInvalid,
        .nameInvalid,
        .nameAbsolute,
        .nameTraversal,
        .nameNotNormalized,
        .nameDuplicate,
        .modeInvalid,
        .promptMethodUnknown,
        .promptInvalid,
        .thumbnailCodecUnknown,
        .thumbnailMismatch,
        .thumbnailInvalid,
        .generatorSecret,
    ]
}

/// A decoding failure located in the file: what rule, where, and what was expected.
public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule broken.
    public var code: ErrorCode
    /// Absolute byte offset in the file where the problem was found.
    public var offset: Int
    /// The entry name, when the problem is inside an entry whose name is known.
    public var entry: String?
    /// What was found and what was expected, for a person.
    public var message: String

    /// A failure of rule `code` at absolute `offset`, inside `entry` when known.
    public init(_ code: ErrorCode, at offset: Int, _ message: String, entry: String? = nil) {
        self.code = code
        self.offset = offset
        self.message = message
        self.entry = entry
    }

    /// Where (offset, and entry when known), what, and the code in brackets.
    public var description: String {
        let place = entry.map { "offset \(offset), entry \"\($0)\"" } ?? "offset \(offset)"
        return "\(place): \(message) [\(code.rawValue)]"
    }

    /// This error placed in entry `name`, unless it already names one.
    public func inEntry(_ name: String?) -> FormatError {
        var copy = self
        if copy.entry == nil { copy.entry = name }
        return copy
    }
}

extension FormatError: ByteCursorError {
    /// A cursor failure as the rule it breaks (spec/gcx.md §2).
    public init(_ failure: CursorFailure) {
        let code: ErrorCode = switch failure.kind {
        case .truncated: .truncated
        case .varintInvalid: .varintInvalid
        case .limitExceeded: .limitExceeded
        case .utf8Invalid: .utf8Invalid
        case .invalid: .fieldInvalid
        }
        self.init(code, at: failure.offset, failure.message)
    }
}

/// The core's cursor: every failure is a `FormatError` with its stable code and absolute offset.
public typealias ByteReader = ByteCursor<FormatError>
