import ArgumentParser
import GCX
import GCXArchiver

struct GrepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grep",
        abstract: "Search the stored descriptions with a regular expression.",
        discussion: """
            Prints NAME:LINE for each line of a description that matches (a description has a line \
            per raster-scan region). Exit 0 when something matched, 1 when nothing did, 2 on an \
            error, as grep does.
            """
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "A regular expression (Swift Regex syntax, like Perl's and ICU's).")
    var pattern: String

    @Argument(help: "Entries to search: names, folders (phone/) or globs; default all.")
    var names: [String] = []

    @Flag(name: .shortAndLong, help: "Ignore case.")
    var ignoreCase = false

    @Flag(name: [.customShort("l"), .long], help: "Print only the names of entries that match.")
    var filesWithMatches = false

    @Flag(name: .shortAndLong, help: "Print NAME:COUNT, the number of matching lines, for every entry searched.")
    var count = false

    @Flag(help: "Print one JSON array: {name, count, lines: [{line, text}]} for each entry that matches.")
    var json = false

    func run() async throws {
        var regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            Output.err("gcx: \(quoted(pattern)) is not a regular expression: \(error)")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        if ignoreCase { regex = regex.ignoresCase() }
        let reader = try ArchiveOpening.open(archive)
        let (rows, allMatched) = ArchiveOpening.select(names, in: reader, archive: archive)
        var anyMatch = false
        var failed = false
        var results: [JSON] = []
        try await PromptReading.forEach(rows, in: reader) { row, text in
            let prompt: String
            switch text {
            case .success(let value): prompt = value
            case .failure(let error):
                Output.err("gcx: \(archive): \(quotedIfNeeded(row.summary.name)): \(error)")
                failed = true
                return
            }
            let name = quotedIfNeeded(row.summary.name)
            var matching: [(Int, Substring)] = []
            for (number, line) in prompt.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(regex) {
                matching.append((number + 1, line))
            }
            anyMatch = anyMatch || !matching.isEmpty
            if json {
                guard !matching.isEmpty else { return }
                results.append(.object([
                    ("name", .string(row.summary.name)),
                    ("count", .int(matching.count)),
                    ("lines", .array(matching.map { .object([("line", .int($0.0)), ("text", .string(String($0.1)))]) })),
                ]))
            } else if count {
                Output.out("\(name):\(matching.count)")
            } else if filesWithMatches {
                if !matching.isEmpty { Output.out(name) }
            } else {
                for (_, line) in matching { Output.out("\(name):\(line)") }
            }
        }
        if json { Output.out(JSON.array(results).rendered()) }
        if failed || reader.recoveredFrom != nil || !allMatched { throw ExitCode(ExitStatus.usageOrIO) }
        if !anyMatch { throw ExitCode(ExitStatus.failure) }
    }
}
