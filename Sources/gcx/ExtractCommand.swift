import ArgumentParser
import Foundation
import GCX
import GCXArchiver
import GCXConcurrency
import GCXFileIO
import SystemPackage
import Synchronization

struct ExtractCommand: AsyncParsableCommand {
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

    @Argument(help: "Entries to extract: names, folders (phone/) or globs ('phone/*'); default all.")
    var names: [String] = []

    @Option(name: .shortAndLong, help: "The output folder (created if missing).")
    var output: String

    @Option(help: "reconstruction, thumbnail, prompt or all.")
    var what: ExtractChoice = .reconstruction

    @Option(help: "The reconstructions' file format: png (lossless) or jpeg (quality 92, a.jpg beside a.txt).")
    var format: Extractor.ImageFileFormat = .png

    @Flag(help: "Overwrite existing files.")
    var force = false

    @Flag(help: "Keep files that exist and write only the missing ones (to finish an interrupted extraction, like unzip -n).")
    var skipExisting = false

    @OptionGroup(title: "Generator (default: the one each entry records; the built-in reconstructor where none is recorded)")
    var generatorOptions: GeneratorOptions

    @OptionGroup(title: "Generator server")
    var connection: ConnectionOptions

    @Option(help: "Where reconstructions by network generators are cached (default: $XDG_CACHE_HOME/gcx/reconstructions or ~/.cache/gcx/reconstructions).")
    var cacheDir: String?

    @Flag(help: "Neither read nor write the reconstruction cache.")
    var noCache = false

    @Option(help: "Requests in flight to the generating server at once (1 to 64). Drawing uses every core whatever it is; files are written in entry order.")
    var jobs: Int = 4

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64") }
        guard !(force && skipExisting) else { throw ValidationError("--force and --skip-existing cannot be combined") }
        guard !(noCache && cacheDir != nil) else { throw ValidationError("--cache-dir and --no-cache cannot be combined") }
    }

    func run() async throws {
        var progress = Progress(quiet: quiet)
        let reader = try ArchiveOpening.open(archive)
        let (rows, unmatched) = EntrySelection(names).select(from: reader.rows)
        var failures = unmatched.map { ItemFailure($0, stage: .selecting, cause: ItemProblem.noMatchingEntry(archive: archive)) }
        let (extractor, generators) = try plan(reader)
        if what.items.contains(.reconstruction), let kind = generatorOptions.chosenKind {
            let label = (try? generators.generator(for: kind, recorded: nil).label) ?? kind.description
            progress.info("gcx: generator: \(label)")
        }
        // Ctrl-C or SIGTERM cancels the extraction, which writes what it completed.
        let (result, signal) = try await Interruption.cancelling { [self, progress] in
            var progress = progress
            defer { progress.endLine() }
            return await extractor.run(rows) { render($0, progress: &progress) }
        }
        if what.items.contains(.reconstruction) && generatorOptions.chosenKind == nil {
            for label in generators.used { progress.info("gcx: generator: \(label)") }
        }
        failures += result.failures
        try renderSummary(result, failures: failures, signal: signal)
        if reader.recoveredFrom != nil { throw ExitCode(ExitStatus.failure) }
    }
}

extension ExtractCommand {
    /// The flags as an extractor: the confined output folder, the items, the cache, and the
    /// generator each entry gets.
    func plan(_ reader: ArchiveReader) throws -> (Extractor, GeneratorChoice) {
        do {
            let output = try ConfinedFolder(root: FilePath(output), existing: force ? .overwrite : skipExisting ? .skip : .refuse)
            let generators = GeneratorChoice(options: generatorOptions, connection: .init(baseURL: connection.baseURL, apiKey: try connection.apiKey(),
                                                                                      client: connection.client(concurrency: jobs)))
            let cache = noCache ? nil : ReconstructionCache(directory: cacheDir.map { FilePath($0) } ?? ReconstructionCache.defaultDirectory(environment: ProcessInfo.processInfo.environment))
            let chosen = generatorOptions.chosenKind
            let extractor = Extractor(reader: reader, output: output, items: what.items, cache: cache, requestsInFlight: jobs) { entry in
                try generators.generator(for: chosen ?? entry.generator?.kind ?? .builtin, recorded: entry.generator)
            }
            extractor.reconstructionFormat = format
            return (extractor, generators)
        } catch {
            throw CommandFailure(error, command: .extract)
        }
    }

    func render(_ event: Extractor.Event, progress: inout Progress) {
        switch event {
        case .wrote(let written, let index, let total): progress.item(index, total, "wrote \(written.path)")
        case .skipped(let entry, let item, let index, let total): progress.item(index, total, "kept the existing \(item.rawValue) of \(quotedIfNeeded(entry))")
        case .failed(let failure, let index, let total): progress.item(index, total, "failed \(Hints.describe(failure, command: .extract))")
        }
    }

    /// What was written, kept and refused (as JSON with --json), then how the command ends.
    func renderSummary(_ result: Extractor.Result, failures: [ItemFailure], signal: Interruption.Signal?) throws {
        if json {
            Output.out(JSON.object([
                ("written", .array(result.written.map { .object([("entry", .string($0.entry)), ("item", .string($0.item.rawValue)), ("path", .string($0.path))]) })),
                ("skipped", .int(result.skipped)),
                ("failed", .array(failures.map { .object([("entry", .string($0.subject)), ("error", .string($0.reason))]) })),
                ("interrupted", .bool(result.interrupted)),
            ]).rendered())
        } else {
            let kept = result.skipped > 0 ? ", \(result.skipped) existing kept" : ""
            Output.out("\(result.written.count) file(s) written under \(output)\(kept), \(failures.count) failure(s)")
        }
        if !failures.isEmpty {
            Output.err("gcx: \(failures.count) item(s) failed:")
            for failure in failures { Output.err("  \(Hints.describe(failure, command: .extract))") }
        }
        if result.interrupted, let signal {
            Output.err("gcx: stopped by \(signal); the entries not yet written were left out: rerun the same command with --skip-existing to finish")
            throw ExitCode(signal.exitStatus)
        }
        if let stop = result.stoppedBy {
            Output.err("gcx: stopped: \(stop); the entries after it were not extracted (rerun with --skip-existing once it is fixed)")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        if !failures.isEmpty {
            throw ExitCode(ExitStatus.failure)
        }
    }
}

/// Builds the generator for each entry: the command line's choice, or the entry's recorded one with
/// any parameters the command line gives put over its own. Remembers which it used, to say so.
final class GeneratorChoice: Sendable {
    let options: GeneratorOptions
    let connection: GeneratorSettings.Connection
    private let labels = Mutex<[String]>([])

    init(options: GeneratorOptions, connection: GeneratorSettings.Connection) {
        self.options = options
        self.connection = connection
    }

    var used: [String] { labels.withLock { $0 } }

    func generator(for kind: GeneratorKind, recorded: GeneratorMetadata?) throws -> any Generator {
        let commandLine = options.settings(kind: kind)
        let settings = options.chosenKind == nil ? recorded.map(GeneratorSettings.init(metadata:))?.overridden(by: commandLine) ?? commandLine : commandLine
        let generator = try settings.makeGenerator(connection: connection)
        labels.withLock { labels in
            if !labels.contains(generator.label) { labels.append(generator.label) }
        }
        return generator
    }
}
