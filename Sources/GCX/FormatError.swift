import GCXBytes

/// A stable code for each rule of spec/gcx.md that a file can break.
///
/// The raw values are a public interface (validator reports, fixtures/manifest.json): never
/// rename one; add new ones instead.
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    // File and header (spec §3)
    case signatureInvalid = "signature.invalid"
    case versionUnsupported = "header.version-unsupported"
    case headerFlagsUnknown = "header.required-flag-unknown"
    case headerReserved = "header.reserved-nonzero"
    case headerChecksum = "header.checksum"
    // Encodings (spec §2)
    case truncated = "file.truncated"
    case varintInvalid = "varint.invalid"
    case utf8Invalid = "utf8.invalid"
    case limitExceeded = "limit.exceeded"
    // Records (spec §4)
    case recordKindUnknown = "record.kind-unknown"
    case recordChecksum = "record.checksum"
    /// A warning, never an error: readers skip an unknown ancillary record.
    case recordAncillaryUnknown = "record.ancillary-unknown"
    case recordTruncated = "record.truncated"
    // Trailer and index (spec §7, §8)
    case trailerMissing = "trailer.missing"
    case trailerInvalid = "trailer.invalid"
    case indexRange = "index.range"
    case indexInvalid = "index.invalid"
    case indexEntryMissing = "index.not-an-entry"
    case indexOverlap = "index.overlap"
    case indexLength = "index.length-mismatch"
    case indexMismatch = "index.summary-mismatch"
    case entryUnindexed = "entry.unindexed"
    // Entries and chunks (spec §5, §6)
    case chunkTypeInvalid = "chunk.type-invalid"
    case chunkUnknownCritical = "chunk.unknown-critical"
    /// A warning, never an error: readers skip an unknown ancillary chunk.
    case chunkAncillaryUnknown = "chunk.ancillary-unknown"
    case chunkOrder = "chunk.order"
    case chunkMissing = "chunk.missing"
    case chunkDuplicate = "chunk.duplicate"
    case chunkForbidden = "chunk.forbidden"
    case chunkTrailingBytes = "chunk.trailing-bytes"
    case fieldInvalid = "field.invalid"
    case nameInvalid = "name.invalid"
    case nameAbsolute = "name.absolute"
    case nameTraversal = "name.traversal"
    case nameNotNormalized = "name.not-nfc"
    case nameDuplicate = "name.duplicate"
    case modeInvalid = "mode.invalid"
    case promptMethodUnknown = "prompt.method-unknown"
    case promptInvalid = "prompt.invalid"
    case thumbnailCodecUnknown = "thumbnail.codec-unknown"
    case thumbnailMismatch = "thumbnail.mismatch"
    case generatorSecret = "generator.secret"
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

    func inEntry(_ name: String?) -> FormatError {
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
