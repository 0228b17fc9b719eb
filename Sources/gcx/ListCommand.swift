import ArgumentParser
import GCX
import GCXFileIO

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the entries of an archive (reads only its header, index and trailer).",
        discussion: "When the index is missing or damaged, the entries are recovered by scanning, a warning is printed and the exit status is 1."
    )

    @Argument(help: "The archive.")
    var file: String

    @Argument(help: "Entries to list: names, folders (phone/) or globs ('phone/*.jpg'); default all.")
    var names: [String] = []

    @Flag(help: "Print one JSON array of entry objects.")
    var json = false

    func run() throws {
        let reader = try ArchiveOpening.open(file)
        let (rows, allMatched) = ArchiveOpening.select(names, in: reader, archive: file)
        if json {
            Output.out(JSON.array(rows.map { .object($0.summary.json) }).rendered())
        } else {
            printTable(rows.map(\.summary))
        }
        if reader.recoveredFrom != nil || !allMatched { throw ExitCode(ExitStatus.failure) }
    }

    private func printTable(_ entries: [EntrySummary]) {
        // Cells are ASCII but for the name (the last column, not padded), so widths are byte counts;
        // the table is built in one string and written once.
        let header = ["size", "mode", "prompt", "thumb", "entry", "bpp", "name"]
        var rows: [[String]] = [header]
        rows.reserveCapacity(entries.count + 1)
        for entry in entries {
            rows.append(["\(entry.width)x\(entry.height)", entry.mode.name, String(entry.promptBytes), String(entry.thumbnailBytes),
                         String(entry.recordLength), formatBPP(entry.bitsPerPixel), quotedIfNeeded(entry.name)])
        }
        var widths = [Int](repeating: 0, count: header.count - 1)
        for row in rows { for column in 0..<widths.count { widths[column] = max(widths[column], row[column].utf8.count) } }
        var table: [UInt8] = []
        table.reserveCapacity(rows.count * 80)
        for row in rows {
            for column in 0..<widths.count {
                let cell = row[column].utf8
                let padding = repeatElement(UInt8(ascii: " "), count: widths[column] - cell.count)
                if column == 1 {
                    table += cell
                    table += padding
                } else {
                    table += padding
                    table += cell
                }
                table += [0x20, 0x20]
            }
            table += row[header.count - 1].utf8
            table.append(0x0A)
        }
        let total = entries.reduce(0) { $0 + $1.recordLength }
        let pixels = entries.reduce(0) { $0 + $1.width * $1.height }
        let bpp = pixels > 0 ? Double(total * 8) / Double(pixels) : 0
        table += "\(entries.count) entries, \(total) entry bytes, \(formatBPP(bpp)) bpp\n".utf8
        Output.outRaw(table)
    }
}

/// A name as is, or quoted with escapes when it holds anything a terminal could misread.
func quotedIfNeeded(_ name: String) -> String {
    name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == " " || $0 == "\"" } ? quoted(name) : name
}
