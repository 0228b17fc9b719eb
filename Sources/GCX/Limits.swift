import GCXBytes

/// The limits every reader enforces (spec/gcx.md §9). A value beyond one is an error, checked
/// before anything is allocated for it.
public enum Limits {
    /// Bytes of an entry record's body: 16 MiB.
    public static let entryRecordBody = 1 << 24
    /// Bytes of the index record's body: 256 MiB.
    public static let indexRecordBody = 1 << 28
    /// Bytes of the trailer's body: exactly 12.
    public static let trailerBody = 12
    /// Bytes of the defaults record's body (version 2): 1 MiB.
    public static let defaultsRecordBody = 1 << 20
    /// Bytes of an ancillary record's body: 16 MiB.
    public static let ancillaryRecordBody = 1 << 24
    /// Entries in one file.
    public static let entryCount = 1_000_000
    /// Bytes of an entry name (UTF-8).
    public static let nameBytes = 1024
    /// Bytes of one "/"-separated component of an entry name.
    public static let nameComponentBytes = 255
    /// Pixels of a width or height: source, thumbnail and generator output.
    public static let imageSide = PixelLimits.maxSide
    /// Bytes of the original photo's file (`original_size`).
    public static let originalFileSize: UInt64 = 1 << 48
    /// Bytes of a decoded prompt (UTF-8).
    public static let promptBytes = 1 << 20
    /// Bytes of a model, endpoint, camera make or model string.
    public static let stringBytes = 256
    /// Generator parameters in one "g" chunk.
    public static let parameterCount = 64
    /// Bytes of a generator parameter's key.
    public static let parameterKeyBytes = 64
    /// Bytes of a generator parameter's value.
    public static let parameterValueBytes = 1024
    /// Largest magnitude of a capture time's UTC offset, in minutes (a day).
    public static let utcOffsetMinutes: Int64 = 1440
}
