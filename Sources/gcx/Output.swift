import ArgumentParser
import GCX
import GCXFileIO

/// Writes to stdout and stderr, unbuffered so the two interleave as written. A failed write to
/// standard output (a full disk, a closed pipe) ends the command with exit status 2 rather than
/// dropping output in silence.
enum Output {
    static func out(_ text: String) { outRaw(Array((text + "\n").utf8)) }

    static func err(_ text: String) { errRaw(text + "\n") }

    /// Exactly these bytes to stdout, nothing added.
    static func outRaw(_ bytes: [UInt8]) {
        do {
            try StandardStream.output.write(bytes)
        } catch {
            errRaw("gcx: \(error)\n")
            GCXCommand.exit(withError: ExitCode(ExitStatus.usageOrIO))
        }
    }

    /// Standard error is where failures are reported: if it fails too, there is nobody to tell.
    static func errRaw(_ text: String) {
        try? StandardStream.error.write(text)
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
