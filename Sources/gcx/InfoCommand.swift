import ArgumentParser
import GCX
import GCXFileIO
import GCXArchiver
import GCXImage

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show everything an archive records about one entry, prompt included (reads only that entry)."
    )

    @Argument(help: "The archive.")
    var file: String

    @Argument(help: "Entries: names as gcx list prints them, folders (phone/) or globs ('phone/*.jpg').")
    var names: [String]

    @Flag(help: "Print one JSON object (an array of them when several entries are chosen).")
    var json = false

    func run() throws {
        let reader = try ArchiveOpening.open(file)
        let (rows, allMatched) = ArchiveOpening.select(names, in: reader, archive: file)
        var details: [EntryDetails] = []
        for row in rows {
            let (_, entry, text) = try ArchiveOpening.entry(at: row, in: reader, archive: file)
            details.append(EntryDetails(entry: entry, summary: row.summary, offset: row.offset, prompt: text))
        }
        if json {
            let objects = details.map { JSON.object($0.json) }
            if names.count == 1 && objects.count == 1 { Output.out(objects[0].rendered()) } else if !objects.isEmpty {
                Output.out(JSON.array(objects).rendered())
            }
        } else {
            Output.out(details.map(\.text).joined(separator: "\n\n"))
        }
        if reader.recoveredFrom != nil || !allMatched { throw ExitCode(ExitStatus.failure) }
    }
}

/// Everything about one entry, in the JSON and text forms `gcx info` prints.
struct EntryDetails {
    var entry: Entry
    var summary: EntrySummary
    var offset: Int
    var prompt: String

    var json: [(String, JSON)] {
        let source = entry.source
        var fields = summary.json
        fields += [
            ("offset", .int(offset)),
            ("original_bytes", .int(Int(source.originalSize))),
            ("sha256", .string(hexString(source.contentHash))),
            ("capture_time", .optional(source.captureTime.map { formatTimestamp($0, offsetMinutes: source.utcOffsetMinutes) })),
            ("orientation", .optional(source.orientation.map(Int.init))),
            ("prompt_method", .string(entry.prompt.method.description)),
            ("prompt_decoded_bytes", .int(entry.prompt.decodedLength)),
            ("prompt", .string(prompt)),
        ]
        if let thumbnail = entry.thumbnail {
            fields.append(("thumbnail", .object([
                ("codec", .string(thumbnail.codec.description)),
                ("scale", .int(thumbnail.scale)),
                ("width", .int(thumbnail.width)),
                ("height", .int(thumbnail.height)),
            ])))
        } else {
            fields.append(("thumbnail", .null))
        }
        if let generator = entry.generator {
            fields.append(("generator", .object([
                ("kind", .string(generator.kind.description)),
                ("model", .string(generator.model)),
                ("endpoint_style", .string(generator.endpointStyle)),
                ("seed", generator.seed.map { .string(String($0)) } ?? .null),
                ("output_width", .int(generator.outputWidth)),
                ("output_height", .int(generator.outputHeight)),
                ("parameters", .object(generator.parameters.map { ($0.key, .string($0.value)) })),
            ])))
        } else {
            fields.append(("generator", .null))
        }
        if let captioner = entry.captioner {
            fields.append(("captioner", .object([
                ("kind", .string(captioner.kind.description)),
                ("model", .string(captioner.model)),
                ("instruction_version", .int(captioner.instructionVersion)),
            ])))
        } else {
            fields.append(("captioner", .null))
        }
        fields.append(("camera", entry.camera.map { .object([("make", .string($0.make)), ("model", .string($0.model))]) } ?? .null))
        fields.append(("location", entry.location.map { location in
            .object([("latitude", .double(Double(location.latitudeMicrodegrees) / 1e6)),
                     ("longitude", .double(Double(location.longitudeMicrodegrees) / 1e6)),
                     ("altitude_m", location.altitudeDecimetres.map { .double(Double($0) / 10) } ?? .null)])
        } ?? .null))
        fields.append(("unknown_chunks", .array(entry.unknownChunks.map { chunk in
            .object([("type", .string(chunk.type.description)), ("bytes", .int(chunk.data.count))])
        })))
        return fields
    }

    var text: String {
        let source = entry.source
        var lines = [
            "name:        \(quotedIfNeeded(summary.name))",
            "size:        \(summary.width)x\(summary.height)",
            "mode:        \(summary.mode.name)",
            "entry:       \(summary.recordLength) bytes at offset \(offset), \(formatBPP(summary.bitsPerPixel)) bpp",
            "original:    \(source.originalSize) bytes, sha256 \(hexString(source.contentHash))\(source.contentHash.count < 32 ? " (its first \(source.contentHash.count) bytes)" : "")",
        ]
        if let time = source.captureTime { lines.append("captured:    \(formatTimestamp(time, offsetMinutes: source.utcOffsetMinutes))") }
        if let orientation = source.orientation { lines.append("orientation: \(orientation)") }
        lines.append("prompt:      \(summary.promptBytes) bytes coded (\(entry.prompt.method)), \(entry.prompt.decodedLength) bytes of text")
        if let thumbnail = entry.thumbnail {
            lines.append("thumbnail:   \(thumbnail.codec) \(thumbnail.width)x\(thumbnail.height), scale 1/\(thumbnail.scale), \(thumbnail.payload.count) bytes")
        }
        if let generator = entry.generator {
            var text = "generator:   \(generator.kind)"
            if !generator.model.isEmpty { text += " model \(generator.model)" }
            if !generator.endpointStyle.isEmpty { text += " endpoint \(generator.endpointStyle)" }
            if let seed = generator.seed { text += " seed \(seed)" }
            if generator.outputWidth > 0 { text += " output \(generator.outputWidth)x\(generator.outputHeight)" }
            for (key, value) in generator.parameters { text += " \(key)=\(value)" }
            lines.append(text)
        }
        if let captioner = entry.captioner {
            lines.append("captioner:   \(captioner.kind)\(captioner.model.isEmpty ? "" : " model \(captioner.model)"), instruction v\(captioner.instructionVersion)")
        }
        if let camera = entry.camera { lines.append("camera:      \([camera.make, camera.model].filter { !$0.isEmpty }.joined(separator: " "))") }
        if let location = entry.location {
            let altitude = location.altitudeDecimetres.map { ", \(Double($0) / 10) m" } ?? ""
            lines.append("location:    \(Double(location.latitudeMicrodegrees) / 1e6), \(Double(location.longitudeMicrodegrees) / 1e6)\(altitude)")
        }
        for chunk in entry.unknownChunks { lines.append("unknown ancillary chunk \(chunk.type): \(chunk.data.count) bytes") }
        lines.append("")
        lines.append(prompt)
        return lines.joined(separator: "\n")
    }
}

/// ISO 8601 from seconds since 1970 (proleptic Gregorian), with the offset when known.
func formatTimestamp(_ seconds: Int64, offsetMinutes: Int16?) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    let (year, month, day) = CaptureTime.civil(fromDays: days)
    func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    if let offsetMinutes {
        let sign = offsetMinutes < 0 ? "-" : "+"
        let magnitude = Int64(abs(Int(offsetMinutes)))
        text += "\(sign)\(two(magnitude / 60)):\(two(magnitude % 60))"
    }
    return text
}
