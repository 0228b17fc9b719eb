import ArgumentParser
import GCX
import GCXArchiver
import GCXFileIO

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Write prompts, thumbnails or reconstructions of entries under a folder.",
        discussion: """
            For an entry a/b.jpg: a/b.txt (the prompt, exactly), a/b.thumb.png (the thumbnail) and a/b.png \
            (the reconstruction at the original size). Nothing is written outside the folder, and no file \
            is overwritten without --force. Entries that fail are listed at the end (exit 1).
            """
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "Entries to extract (default: all).")
    var names: [String] = []

    @Option(name: .shortAndLong, help: "The output folder (created if missing).")
    var output: String

    @Option(help: "reconstruction, thumbnail, prompt or all.")
    var what: String = "reconstruction"

    @Flag(help: "Overwrite existing files.")
    var force = false

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        guard ["reconstruction", "thumbnail", "prompt", "all"].contains(what) else {
            throw ValidationError("--what must be reconstruction, thumbnail, prompt or all")
        }
    }

    func run() throws {
        var progress = Progress(quiet: quiet)
        let reader = try ArchiveOpening.open(archive)
        let safeOutput: SafeOutput
        do {
            safeOutput = try SafeOutput(root: output, force: force)
        } catch {
            Output.err("gcx: \(error)")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        var failures: [PackFailure] = []
        var rows: [IndexRow] = []
        if names.isEmpty {
            rows = reader.rows
        } else {
            for name in names {
                if let row = reader.row(named: name) { rows.append(row) } else {
                    failures.append(PackFailure(input: name, reason: "no such entry in \(archive)"))
                }
            }
        }
        let items: Set<Extractor.Item> = what == "all" ? Set(Extractor.Item.allCases) : [Extractor.Item(rawValue: what)!]
        if items.contains(.reconstruction) {
            progress.note("gcx: generator: \(BuiltinGenerator().label)")
        }
        let result = Extractor(reader: reader, output: safeOutput, items: items).run(rows) { event in
            switch event {
            case .wrote(let written, let index, let total): progress.item(index, total, "wrote \(written.path)")
            case .failed(let failure, let index, let total): progress.item(index, total, "failed \(failure)")
            }
        }
        progress.endLine()
        failures += result.failures
        if json {
            Output.out(JSON.object([
                ("written", .array(result.written.map { .object([("entry", .string($0.entry)), ("item", .string($0.item.rawValue)), ("path", .string($0.path))]) })),
                ("failed", .array(failures.map { .object([("entry", .string($0.input)), ("error", .string($0.reason))]) })),
            ]).rendered())
        } else {
            Output.out("\(result.written.count) file(s) written under \(output), \(failures.count) failure(s)")
        }
        if !failures.isEmpty {
            Output.err("gcx: \(failures.count) item(s) failed:")
            for failure in failures { Output.err("  \(failure)") }
            throw ExitCode(ExitStatus.failure)
        }
        if reader.recoveredFrom != nil { throw ExitCode(ExitStatus.failure) }
    }
}
