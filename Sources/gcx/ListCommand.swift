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
        let header = ["size", "mode", "prompt", "thumb", "entry", "bpp", "name"]
        var lines = [header]
        for entry in entries {
            lines.append(["\(entry.width)x\(entry.height)", entry.mode.name, "\(entry.promptBytes)", "\(entry.thumbnailBytes)",
                          "\(entry.recordLength)", formatBPP(entry.bitsPerPixel), quotedIfNeeded(entry.name)])
        }
        let widths = (0..<header.count - 1).map { column in lines.map { $0[column].count }.max() ?? 0 }
        for line in lines {
            var text = ""
            for column in 0..<header.count - 1 {
                let cell = line[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                text += (column == 1 ? cell + padding : padding + cell) + "  "
            }
            Output.out(text + line[header.count - 1])
        }
        let total = entries.reduce(0) { $0 + $1.recordLength }
        let pixels = entries.reduce(0) { $0 + $1.width * $1.height }
        let bpp = pixels > 0 ? Double(total * 8) / Double(pixels) : 0
        Output.out("\(entries.count) entries, \(total) entry bytes, \(formatBPP(bpp)) bpp")
    }
}

/// A name as is, or quoted with escapes when it holds anything a terminal could misread.
func quotedIfNeeded(_ name: String) -> String {
    name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == " " || $0 == "\"" } ? quoted(name) : name
}
