import GCXBytes

/// The few EXIF fields gcx uses, read from a TIFF-structured EXIF block.
///
/// The parser treats the block as hostile: every offset and count is checked
/// against the block before use, only IFD0 and the Exif sub-IFD are visited (no
/// chains, so no loops), and anything malformed simply leaves a field nil —
/// broken metadata must never stop a photo from decoding.
struct ExifMetadata: Equatable {
    var orientation: Int?
    var captureTime: CaptureTime?
    var camera: Camera?
    var position: GPSPosition?

    static let tagOrientation: UInt16 = 0x0112
    static let tagExifIFD: UInt16 = 0x8769
    static let tagDateTimeOriginal: UInt16 = 0x9003
    static let tagOffsetTimeOriginal: UInt16 = 0x9011
    static let maxEntries = 1024

    static let tagMake: UInt16 = 0x010F
    static let tagModel: UInt16 = 0x0110
    static let tagGPSIFD: UInt16 = 0x8825

    /// Parses a TIFF header ("II*\0" or "MM\0*") and its IFDs.
    static func parse(tiff: [UInt8]) -> ExifMetadata {
        var result = ExifMetadata()
        guard let tiff = TIFFView(tiff) else { return result }
        let ifd0 = tiff.entries(atIFD: tiff.uint32(at: 4))
        func text(_ tag: UInt16) -> String {
            guard let entry = ifd0.first(where: { $0.tag == tag }), let bytes = tiff.asciiValue(entry) else { return "" }
            // EXIF ASCII fields are often padded with spaces; trim them on the bytes.
            let kept = bytes.drop(while: { $0 == 0x20 }).reversed().drop(while: { $0 == 0x20 }).reversed()
            return String(decoding: Array(kept), as: UTF8.self)
        }
        let (make, model) = (text(tagMake), text(tagModel))
        if !make.isEmpty || !model.isEmpty { result.camera = Camera(make: make, model: model) }
        if let pointer = ifd0.first(where: { $0.tag == tagGPSIFD }), pointer.type == 4 || pointer.type == 13, pointer.count == 1 {
            result.position = GPSPosition(tiff: tiff, entries: tiff.entries(atIFD: pointer.valueField))
        }
        if let entry = ifd0.first(where: { $0.tag == tagOrientation }),
           let value = tiff.shortValue(entry), (1...8).contains(value) {
            result.orientation = value
        }
        if let pointer = ifd0.first(where: { $0.tag == tagExifIFD }),
           pointer.type == 4 || pointer.type == 13, pointer.count == 1 {
            let exif = tiff.entries(atIFD: pointer.valueField)
            var seconds: Int64?
            var offset: Int?
            if let entry = exif.first(where: { $0.tag == tagDateTimeOriginal }),
               let text = tiff.asciiValue(entry) {
                seconds = CaptureTime.parseDateTime(text)
            }
            if let entry = exif.first(where: { $0.tag == tagOffsetTimeOriginal }),
               let text = tiff.asciiValue(entry) {
                offset = CaptureTime.parseOffset(text)
            }
            if let seconds {
                result.captureTime = CaptureTime(wallClockSecondsSince1970: seconds, utcOffsetMinutes: offset)
            }
        }
        return result
    }

    /// Finds the first APP1 "Exif\0\0" segment before the scan data of a JPEG.
    static func findInJPEG(_ bytes: [UInt8]) -> [UInt8]? {
        var reader = ByteCursor<ImageHeaderError>(bytes, range: min(2, bytes.count)..<bytes.count)
        do {
            while true {
                let marker = try JPEGMarker.next(&reader)
                if marker == JPEGMarker.startOfScan || marker == JPEGMarker.endOfImage { return nil }
                if JPEGMarker.isStandalone(marker) { continue }
                var segment = try JPEGMarker.segment(&reader)
                let payload = try segment.readSlice(count: segment.remaining, field: "APP1 payload")
                if marker == JPEGMarker.app1, payload.starts(with: [0x45, 0x78, 0x69, 0x66, 0, 0]) {
                    return Array(payload.dropFirst(6))
                }
            }
        } catch {
            return nil
        }
    }
}

/// A TIFF block with its byte order; every accessor is bounds-checked.
private struct TIFFView {
    struct Entry {
        let tag: UInt16
        let type: UInt16
        let count: UInt32
        let valueField: UInt32  // offset or inline value, as read in this byte order
        let fieldOffset: Int    // where the 4-byte value field sits
    }

    let bytes: [UInt8]
    let littleEndian: Bool

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        if bytes[0] == 0x49 && bytes[1] == 0x49 && bytes[2] == 0x2A && bytes[3] == 0 {
            littleEndian = true
        } else if bytes[0] == 0x4D && bytes[1] == 0x4D && bytes[2] == 0 && bytes[3] == 0x2A {
            littleEndian = false
        } else {
            return nil
        }
        self.bytes = bytes
    }

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return littleEndian ? a | b << 8 : a << 8 | b
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= bytes.count - 4 else { return nil }
        let b = (0..<4).map { UInt32(bytes[offset + $0]) }
        return littleEndian ? b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24
            : b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
    }

    func entries(atIFD offset: UInt32?) -> [Entry] {
        guard let offset, let start = Int(exactly: offset), let count = uint16(at: start),
              Int(count) <= ExifMetadata.maxEntries,
              start + 2 + Int(count) * 12 <= bytes.count
        else { return [] }
        return (0..<Int(count)).compactMap { i in
            let e = start + 2 + i * 12
            guard let tag = uint16(at: e), let type = uint16(at: e + 2),
                  let count = uint32(at: e + 4), let value = uint32(at: e + 8) else { return nil }
            return Entry(tag: tag, type: type, count: count, valueField: value, fieldOffset: e + 8)
        }
    }

    /// A SHORT (type 3) or LONG (type 4) single value.
    func shortValue(_ entry: Entry) -> Int? {
        guard entry.count >= 1 else { return nil }
        switch entry.type {
        case 3: return uint16(at: entry.fieldOffset).map(Int.init)
        case 4: return Int(entry.valueField)
        default: return nil
        }
    }

    /// `count` RATIONAL (type 5) values, always stored at the offset (8 bytes each).
    func rationals(_ entry: Entry, count: Int) -> [Double]? {
        guard entry.type == 5, entry.count == UInt32(count), let start = Int(exactly: entry.valueField) else { return nil }
        var values: [Double] = []
        for k in 0..<count {
            guard let numerator = uint32(at: start + 8 * k), let denominator = uint32(at: start + 8 * k + 4), denominator != 0 else { return nil }
            values.append(Double(numerator) / Double(denominator))
        }
        return values
    }

    /// An ASCII (type 2) value; at most 4 bytes sit inline, longer ones at the offset.
    func asciiValue(_ entry: Entry) -> [UInt8]? {
        guard entry.type == 2, entry.count >= 1, entry.count <= 256 else { return nil }
        let count = Int(entry.count)
        let start = count <= 4 ? entry.fieldOffset : Int(entry.valueField)
        guard start >= 0, start <= bytes.count - count else { return nil }
        var text = Array(bytes[start..<(start + count)])
        if let nul = text.firstIndex(of: 0) { text.removeSubrange(nul...) }
        return text
    }
}

/// The camera an EXIF block names (Make, Model; either may be empty).
public struct Camera: Sendable, Equatable {
    public var make: String
    public var model: String
}

/// A position from an EXIF GPS IFD, in the units the container stores.
public struct GPSPosition: Sendable, Equatable {
    public var latitudeMicrodegrees: Int64
    public var longitudeMicrodegrees: Int64
    public var altitudeDecimetres: Int64?

    /// Latitude and longitude are required (refs N/S, E/W, three rationals each); altitude is kept
    /// when present. Anything malformed or out of range gives no position.
    fileprivate init?(tiff: TIFFView, entries: [TIFFView.Entry]) {
        func ref(_ tag: UInt16) -> UInt8? {
            entries.first(where: { $0.tag == tag }).flatMap { tiff.asciiValue($0)?.first }
        }
        func degrees(_ tag: UInt16) -> Double? {
            guard let entry = entries.first(where: { $0.tag == tag }), let dms = tiff.rationals(entry, count: 3) else { return nil }
            return dms[0] + dms[1] / 60 + dms[2] / 3600
        }
        guard let latitudeRef = ref(1), let latitude = degrees(2), let longitudeRef = ref(3), let longitude = degrees(4),
              [0x4E, 0x53].contains(latitudeRef), [0x45, 0x57].contains(longitudeRef) else { return nil }
        let lat = Int64((latitude * 1_000_000).rounded()) * (latitudeRef == 0x53 ? -1 : 1)
        let lon = Int64((longitude * 1_000_000).rounded()) * (longitudeRef == 0x57 ? -1 : 1)
        guard (-90_000_000...90_000_000).contains(lat), (-180_000_000...180_000_000).contains(lon) else { return nil }
        latitudeMicrodegrees = lat
        longitudeMicrodegrees = lon
        if let entry = entries.first(where: { $0.tag == 6 }), let metres = tiff.rationals(entry, count: 1)?.first, metres.isFinite {
            let below = entries.first(where: { $0.tag == 5 }).map { $0.valueField & 0xFF == 1 || $0.valueField >> 24 == 1 } ?? false
            let decimetres = Int64((metres * 10).rounded()) * (below ? -1 : 1)
            altitudeDecimetres = (-100_000...1_000_000).contains(decimetres) ? decimetres : nil
        } else {
            altitudeDecimetres = nil
        }
    }
}
