import GCXBytes

/// A stable code for each rule of spec/gcx.md that a file can break.
///
/// The raw values are a public interface (validator reports, fixtures/manifest.json): never
/// rename one; add new ones instead. A struct rather than an enum, like `ChunkType`, so that a
/// code added in a later version does not break callers' exhaustive switches.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // File and header (spec §3)
    public static let signatureInvalid = ErrorCode(rawValue: "signature.invalid")
    public static let versionUnsupported = ErrorCode(rawValue: "header.version-unsupported")
    public static let headerFlagsUnknown = ErrorCode(rawValue: "header.required-flag-unknown")
    public static let headerReserved = ErrorCode(rawValue: "header.reserved-nonzero")
    public static let headerChecksum = ErrorCode(rawValue: "header.checksum")
    // Encodings (spec §2)
    public static let truncated = ErrorCode(rawValue: "file.truncated")
    public static let varintInvalid = ErrorCode(rawValue: "varint.invalid")
    public static let utf8Invalid = ErrorCode(rawValue: "utf8.invalid")
    public static let limitExceeded = ErrorCode(rawValue: "limit.exceeded")
    // Records (spec §4)
    public static let recordKindUnknown = ErrorCode(rawValue: "record.kind-unknown")
    public static let recordChecksum = ErrorCode(rawValue: "record.checksum")
    /// A warning, never an error: readers skip an unknown ancillary record.
    public static let recordAncillaryUnknown = ErrorCode(rawValue: "record.ancillary-unknown")
    public static let recordTruncated = ErrorCode(rawValue: "record.truncated")
    /// Version 2: a defaults record anywhere but first after the header.
    public static let recordMisplaced = ErrorCode(rawValue: "record.misplaced")
    // Trailer and index (spec §7, §8)
    public static let trailerMissing = ErrorCode(rawValue: "trailer.missing")
    public static let trailerInvalid = ErrorCode(rawValue: "trailer.invalid")
    public static let indexRange = ErrorCode(rawValue: "index.range")
    public static let indexInvalid = ErrorCode(rawValue: "index.invalid")
    public static let indexEntryMissing = ErrorCode(rawValue: "index.not-an-entry")
    public static let indexOverlap = ErrorCode(rawValue: "index.overlap")
    public static let indexLength = ErrorCode(rawValue: "index.length-mismatch")
    public static let indexMismatch = ErrorCode(rawValue: "index.summary-mismatch")
    public static let entryUnindexed = ErrorCode(rawValue: "entry.unindexed")
    // Entries and chunks (spec §5, §6)
    public static let chunkTypeInvalid = ErrorCode(rawValue: "chunk.type-invalid")
    public static let chunkUnknownCritical = ErrorCode(rawValue: "chunk.unknown-critical")
    /// A warning, never an error: readers skip an unknown ancillary chunk.
    public static let chunkAncillaryUnknown = ErrorCode(rawValue: "chunk.ancillary-unknown")
    public static let chunkOrder = ErrorCode(rawValue: "chunk.order")
    public static let chunkMissing = ErrorCode(rawValue: "chunk.missing")
    public static let chunkDuplicate = ErrorCode(rawValue: "chunk.duplicate")
    public static let chunkForbidden = ErrorCode(rawValue: "chunk.forbidden")
    public static let chunkTrailingBytes = ErrorCode(rawValue: "chunk.trailing-bytes")
    public static let fieldInvalid = ErrorCode(rawValue: "field.invalid")
    public static let nameInvalid = ErrorCode(rawValue: "name.invalid")
    public static let nameAbsolute = ErrorCode(rawValue: "name.absolute")
    public static let nameTraversal = ErrorCode(rawValue: "name.traversal")
    public static let nameNotNormalized = ErrorCode(rawValue: "name.not-nfc")
    public static let nameDuplicate = ErrorCode(rawValue: "name.duplicate")
    public static let modeInvalid = ErrorCode(rawValue: "mode.invalid")
    public static let promptMethodUnknown = ErrorCode(rawValue: "prompt.method-unknown")
    public static let promptInvalid = ErrorCode(rawValue: "prompt.invalid")
    public static let thumbnailCodecUnknown = ErrorCode(rawValue: "thumbnail.codec-unknown")
    public static let thumbnailMismatch = ErrorCode(rawValue: "thumbnail.mismatch")
    public static let thumbnailInvalid = ErrorCode(rawValue: "thumbnail.invalid")
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
    public var code: ErrorCode
    /// Absolute byte offset in the file where the problem was found.
    public var offset: Int
    /// The entry name, when the problem is inside an entry whose name is known.
    public var entry: String?
    public var message: String

    public init(_ code: ErrorCode, at offset: Int, _ message: String, entry: String? = nil) {
        self.code = code
        self.offset = offset
        self.message = message
        self.entry = entry
    }

    public var description: String {
        let place = entry.map { "offset \(offset), entry \"\($0)\"" } ?? "offset \(offset)"
        return "\(place): \(message) [\(code.rawValue)]"
    }

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
