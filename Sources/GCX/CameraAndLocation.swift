import GCXBytes

/// The "k" chunk: the camera that took the photo, as its EXIF Make and Model say (spec/gcx.md §6.7).
public struct CameraMetadata: Equatable, Sendable {
    /// EXIF Make, up to 256 bytes; may be empty when the model is not.
    public var make: String
    /// EXIF Model, up to 256 bytes; may be empty when the make is not.
    public var model: String

    /// A camera of `make` and `model`.
    public init(make: String, model: String) {
        self.make = make
        self.model = model
    }

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeString(make)
        writer.writeString(model)
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> CameraMetadata {
        let start = reader.offset
        let make = try reader.readString(field: "camera make", maxBytes: Limits.stringBytes)
        let model = try reader.readString(field: "camera model", maxBytes: Limits.stringBytes)
        guard !make.isEmpty || !model.isEmpty else {
            throw FormatError(.fieldInvalid, at: start, "camera chunk with neither make nor model")
        }
        return CameraMetadata(make: make, model: model)
    }
}

/// The "l" chunk: where the photo was taken (spec/gcx.md §6.8). Written only when the user asks:
/// a description of a private photo and its place together are sensitive.
public struct LocationMetadata: Equatable, Sendable {
    /// Degrees × 10^6, north positive: −90,000,000 to 90,000,000.
    public var latitudeMicrodegrees: Int64
    /// Degrees × 10^6, east positive: −180,000,000 to 180,000,000.
    public var longitudeMicrodegrees: Int64
    /// Metres × 10 above sea level (negative below), −100,000 to 1,000,000, when known.
    public var altitudeDecimetres: Int64?

    /// A place; the ranges below are checked when the chunk is read.
    public init(latitudeMicrodegrees: Int64, longitudeMicrodegrees: Int64, altitudeDecimetres: Int64? = nil) {
        self.latitudeMicrodegrees = latitudeMicrodegrees
        self.longitudeMicrodegrees = longitudeMicrodegrees
        self.altitudeDecimetres = altitudeDecimetres
    }

    /// The latitudes a valid chunk holds.
    public static let latitudeRange: ClosedRange<Int64> = -90_000_000...90_000_000
    /// The longitudes a valid chunk holds.
    public static let longitudeRange: ClosedRange<Int64> = -180_000_000...180_000_000
    /// The altitudes a valid chunk holds.
    public static let altitudeRange: ClosedRange<Int64> = -100_000...1_000_000

    /// The chunk's data.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeSignedVarint(latitudeMicrodegrees)
        writer.writeSignedVarint(longitudeMicrodegrees)
        writer.writeUInt8(altitudeDecimetres == nil ? 0 : 1)
        if let altitudeDecimetres { writer.writeSignedVarint(altitudeDecimetres) }
        return writer.bytes
    }

    static func decode(_ reader: inout ByteReader) throws -> LocationMetadata {
        func value(_ field: String, _ range: ClosedRange<Int64>) throws -> Int64 {
            let at = reader.offset
            let value = try reader.readSignedVarint(field: field)
            guard range.contains(value) else {
                throw FormatError(.fieldInvalid, at: at, "\(field) is \(value), outside \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
        let latitude = try value("latitude", latitudeRange)
        let longitude = try value("longitude", longitudeRange)
        let flagsOffset = reader.offset
        let flags = try reader.readUInt8(field: "location flags")
        guard flags & ~1 == 0 else {
            throw FormatError(.fieldInvalid, at: flagsOffset, "location flags \(flags) set undefined bits")
        }
        let altitude = flags & 1 == 1 ? try value("altitude", altitudeRange) : nil
        return LocationMetadata(latitudeMicrodegrees: latitude, longitudeMicrodegrees: longitude, altitudeDecimetres: altitude)
    }
}
