import GCXBytes

/// The capture time of a photo as an EXIF block, and the PNG (`eXIf`) and JPEG (APP1) that carry
/// it, so a reconstruction sorts with the original in any photo library.
public enum ExifWriter {
    /// A little-endian TIFF block: IFD0 pointing to an Exif IFD holding DateTimeOriginal
    /// ("YYYY:MM:DD HH:MM:SS", the camera's wall clock) and, when known, OffsetTimeOriginal ("+HH:MM").
    public static func captureTime(wallClockSeconds seconds: Int64, utcOffsetMinutes: Int?) -> [UInt8] {
        let date = Array(formatDateTime(seconds).utf8) + [0]                     // 20 bytes
        let offset = utcOffsetMinutes.map { Array(formatOffset($0).utf8) + [0] }  // 7 bytes
        let exifEntries = offset == nil ? 1 : 2
        let ifd0At = 8, exifAt = ifd0At + 2 + 12 + 4
        let valuesAt = exifAt + 2 + 12 * exifEntries + 4
        var w = ByteWriter()
        w.writeBytes([0x49, 0x49, 0x2A, 0x00])
        w.writeUInt32(UInt32(ifd0At), .littleEndian)
        // IFD0: the Exif IFD pointer.
        w.writeUInt16(1, .littleEndian)
        entry(&w, tag: 0x8769, type: 4, count: 1, value: UInt32(exifAt))
        w.writeUInt32(0, .littleEndian)
        // Exif IFD.
        w.writeUInt16(UInt16(exifEntries), .littleEndian)
        entry(&w, tag: 0x9003, type: 2, count: UInt32(date.count), value: UInt32(valuesAt))
        if let offset {
            // Seven bytes do not fit the 4-byte value field either: stored after the date.
            entry(&w, tag: 0x9011, type: 2, count: UInt32(offset.count), value: UInt32(valuesAt + date.count))
        }
        w.writeUInt32(0, .littleEndian)
        w.writeBytes(date)
        if let offset { w.writeBytes(offset) }
        return w.bytes
    }

    /// `png` with an `eXIf` chunk holding `exif`, placed right after IHDR.
    public static func png(_ png: [UInt8], exif: [UInt8]) -> [UInt8] {
        var chunk = ByteWriter()
        chunk.writeBytes("eXIf".utf8)
        chunk.writeBytes(exif)
        var out = ByteWriter()
        out.writeBytes(png[0..<33])  // signature and IHDR, which a PNGEncoder output starts with
        out.writeUInt32(UInt32(exif.count), .bigEndian)
        out.writeBytes(chunk.bytes)
        out.writeUInt32(CRC32.checksum(chunk.bytes), .bigEndian)
        out.writeBytes(png[33...])
        return out.bytes
    }

    /// `jpeg` with an APP1 "Exif" segment holding `exif`, right after SOI.
    public static func jpeg(_ jpeg: [UInt8], exif: [UInt8]) -> [UInt8] {
        var out = ByteWriter()
        out.writeBytes(jpeg[0..<2])
        out.writeBytes([0xFF, 0xE1])
        out.writeUInt16(UInt16(2 + 6 + exif.count), .bigEndian)
        out.writeBytes(Array("Exif".utf8) + [0, 0])
        out.writeBytes(exif)
        out.writeBytes(jpeg[2...])
        return out.bytes
    }

    private static func entry(_ w: inout ByteWriter, tag: UInt16, type: UInt16, count: UInt32, value: UInt32) {
        w.writeUInt16(tag, .littleEndian)
        w.writeUInt16(type, .littleEndian)
        w.writeUInt32(count, .littleEndian)
        w.writeUInt32(value, .littleEndian)
    }

    static func formatDateTime(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CaptureTime.civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText):\(two(month)):\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }

    static func formatOffset(_ minutes: Int) -> String {
        let magnitude = abs(minutes)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return (minutes < 0 ? "-" : "+") + two(magnitude / 60) + ":" + two(magnitude % 60)
    }
}
