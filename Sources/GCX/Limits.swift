import GCXBytes

/// The limits every reader enforces (spec/gcx.md §9). A value beyond one is an error, checked
/// before anything is allocated for it.
public enum Limits {
    public static let entryRecordBody = 1 << 24          // 16 MiB
    public static let indexRecordBody = 1 << 28          // 256 MiB
    public static let trailerBody = 12
    public static let defaultsRecordBody = 1 << 20       // 1 MiB
    public static let ancillaryRecordBody = 1 << 24
    public static let entryCount = 1_000_000
    public static let nameBytes = 1024
    public static let nameComponentBytes = 255
    public static let imageSide = PixelLimits.maxSide
    public static let originalFileSize: UInt64 = 1 << 48
    public static let promptBytes = 1 << 20             // decoded UTF-8 bytes
    public static let stringBytes = 256                  // model names, endpoints
    public static let parameterCount = 64
    public static let parameterKeyBytes = 64
    public static let parameterValueBytes = 1024
    public static let utcOffsetMinutes: Int64 = 1440
}
