#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GCX

/// Writes to stdout and stderr without buffering surprises between the two.
enum Output {
    static func out(_ text: String) {
        print(text)
    }

    static func err(_ text: String) { errRaw(text + "\n") }

    /// Exactly these bytes to stdout, nothing added.
    static func outRaw(_ bytes: [UInt8]) {
        fflush(nil)
        writeAll(1, bytes)
    }

    static func errRaw(_ text: String) {
        fflush(nil)
        writeAll(2, Array(text.utf8))
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            guard wrote > 0 else { return }
            done += wrote
        }
    }
}

/// The exit codes every subcommand uses (README "Exit codes").
enum ExitStatus {
    static let success: Int32 = 0
    /// A file is invalid, or some items failed while the rest completed.
    static let failure: Int32 = 1
    /// A usage mistake or an I/O error: nothing could be checked or done.
    static let usageOrIO: Int32 = 2
}

extension EntrySummary {
    /// The public JSON shape of an entry (README "JSON"): other tools read these names.
    var json: [(String, JSON)] {
        [
            ("name", .string(name)),
            ("width", .int(width)),
            ("height", .int(height)),
            ("mode", .string(mode.name)),
            ("prompt_bytes", .int(promptBytes)),
            ("thumbnail_bytes", .int(thumbnailBytes)),
            ("entry_bytes", .int(recordLength)),
            ("bpp", .double(bitsPerPixel)),
        ]
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var text = ""
    for byte in bytes { text.append(digits[Int(byte >> 4)]); text.append(digits[Int(byte & 15)]) }
    return text
}

func formatBPP(_ value: Double) -> String {
    let scaled = Int((value * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}
