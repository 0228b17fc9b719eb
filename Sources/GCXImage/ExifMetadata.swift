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

    static let tagOrientation: UInt16 = 0x0112
    static let tagExifIFD: UInt16 = 0x8769
    static let tagDateTimeOriginal: UInt16 = 0x9003
    static let tagOffsetTimeOriginal: UInt16 = 0x9011
    static let maxEntries = 1024

    /// Parses a TIFF header ("II*\0" or "MM\0*") and its IFDs.
    static func parse(tiff: [UInt8]) -> ExifMetadata {
        var result = ExifMetadata()
        guard let tiff = TIFFView(tiff) else { return result }
        let ifd0 = tiff.entries(atIFD: tiff.uint32(at: 4))
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
