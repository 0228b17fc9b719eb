import ArgumentParser
import GCX
import GCXArchiver
import GCXFileIO
import GCXNet

struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack photos (files and folders, recursively) into an archive.",
        discussion: """
            Describes each photo (the built-in describer, or --prompts), makes its thumbnail in multimodal \
            mode, and writes one entry per photo. Entries are written as they are made: if the pack is \
            interrupted, rerunning it with --append keeps what was done and adds the rest. Photos that fail \
            are listed at the end (exit 1) while the others are packed.
            """
    )

    @Argument(help: "Photos and folders of photos (PNG, JPEG).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The archive to write, or - for standard output.")
    var output: String

    @Option(help: "text (description only) or multimodal (description and thumbnail).")
    var mode: ModeChoice = .multimodal

    @Option(help: "Thumbnail scale (the thumbnail is 1/N of the photo on each side).")
    var thumbnailScale: ThumbnailScaleChoice = .eight

    @Option(help: "Thumbnail codec: jpeg (baseline) or png (lossless).")
    var thumbnailCodec: ThumbnailCodecChoice = .jpeg

    @Option(help: "JPEG thumbnail quality, 1-100.")
    var thumbnailQuality: Int = PackOptions.defaultThumbnailQuality

    @Option(help: "A JSONL file of {\"image\": NAME, \"prompt\": TEXT} lines; NAME is the photo's file name or its path relative to the packed folder. Each prompt is stored exactly as given.")
    var prompts: String?

    @Option(help: "Who describes the photos: builtin, openai (an OpenAI-compatible chat completions server) or sidecar (--prompts). Default: sidecar with --prompts, else openai when an API key is set, else builtin.")
    var captioner: CaptionerChoice?

    @Option(help: "The captioner's model.")
    var captionerModel: String = OpenAICaptioner.defaultModel

    @Option(help: "The photo is sent to the captioner with its long side at most this many pixels.")
    var captionMaxSide: Int = 1024

    @OptionGroup(title: "Captioner server")
    var connection: ConnectionOptions

    @OptionGroup(title: "Generator recorded in each entry (used by extract unless it is given --generator)")
    var generatorOptions: GeneratorOptions

    @Flag(help: "Add to the archive if it exists (creating it otherwise), skipping names it already has, and resume an interrupted pack.")
    var append = false

    @Flag(help: "Replace an existing archive.")
    var force = false

    @Flag(help: "With --append: keep the intact entries of a damaged archive and leave the damaged ones out (they are listed).")
    var recover = false

    @Flag(help: "Like --append, and photos whose content changed since they were packed are packed again, replacing their entries.")
    var update = false

    @Option(help: "Requests in flight to the captioning server at once (1 to 64). Decoding and coding use every core whatever it is; entries are written in input order, so the archive does not depend on it.")
    var jobs: Int = 4

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Flag(help: "Name every file left out of the pack because it is not a photo.")
    var verbose = false

    @Flag(help: "Keep each folder given in its entries' names (d1/x.png, d2/x.png), as tar does.")
    var prefixFolders = false

    @Option(help: "Pack only part K of N of the photos (by a hash of each entry name), to share a collection among N machines; gcx merge joins the parts.")
    var shard: String?

    @Flag(help: "Keep each photo's GPS position (left out by default: a description and a place are sensitive together).")
    var keepLocation = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        guard (1...100).contains(thumbnailQuality) else { throw ValidationError("--thumbnail-quality must be 1 to 100") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64") }
        guard !(append && force) else { throw ValidationError("--append and --force cannot be combined") }
        guard !(update && force) else { throw ValidationError("--update and --force cannot be combined") }
        guard !recover || append || update else { throw ValidationError("--recover goes with --append or --update") }
        guard output != "-" || !(append || update) else { throw ValidationError("--append and --update need an archive file, not standard output") }
        if captioner == .sidecar && prompts == nil { throw ValidationError("--captioner sidecar needs --prompts FILE") }
        if prompts != nil && captioner != nil && captioner != .sidecar { throw ValidationError("--prompts goes with --captioner sidecar") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 <= K <= N, e.g. 2/8") }
        guard (64...8192).contains(captionMaxSide) else { throw ValidationError("--caption-max-side must be 64 to 8192") }
    }

    /// The captioner asked for, or the default: sidecar with --prompts, openai when a key is set,
    /// else the built-in describer.
    func makeCaptioner() throws -> any Captioner {
        let key = try connection.apiKey()
        let kind = captioner ?? (prompts != nil ? .sidecar : key != nil ? .openai : .builtin)
        switch kind {
        case .sidecar:
            guard let prompts else { throw ValidationError("--captioner sidecar needs --prompts FILE") }
            return SidecarCaptioner(sidecar: try PromptSidecar(path: prompts))
        case .openai:
            let baseURL = connection.baseURL ?? OpenAICaptioner.defaultBaseURL
            if key == nil && baseURL == OpenAICaptioner.defaultBaseURL {
                throw ValidationError("the openai captioner needs an API key: set OPENAI_API_KEY or pass --api-key-file")
            }
            let client = OpenAICaptioner(baseURL: baseURL, apiKey: key, model: captionerModel, client: connection.client(concurrency: jobs))
            return OpenAICaptionerBackend(client: client, maxSide: captionMaxSide)
        case .builtin: return BuiltinCaptioner()
        }
    }

    func run() async throws {
        var options = PackOptions()
        options.mode = mode.mode
        options.thumbnailScale = thumbnailScale.rawValue
        options.thumbnailCodec = thumbnailCodec.codec
        options.thumbnailQuality = thumbnailQuality
        options.jobs = jobs
        options.keepLocation = keepLocation
        var progress = Progress(quiet: quiet)
        do {
            options.captioner = try makeCaptioner()
        } catch {
            Output.err("gcx: \(Hints.describe(error, command: "pack"))")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        if let kind = generatorOptions.chosenKind, kind != .builtin {
            options.generator = generatorOptions.settings(kind: kind).metadata
        }
        progress.info("gcx: captioner: \(options.captioner.label)")

        var collected = InputCollector.collect(inputs, prefixFolders: prefixFolders)
        if let part = shard.flatMap(Shard.init) {
            collected.inputs = collected.inputs.filter { part.contains($0.name) }
            progress.info("gcx: shard \(part): \(collected.inputs.count) photo(s) of this part")
        }
        if !collected.others.isEmpty {
            let list = verbose ? ": " + collected.others.map { quotedIfNeeded($0) }.joined(separator: ", ") : " (--verbose names them)"
            progress.info("gcx: \(collected.others.count) file(s) left out: not photos, or hidden\(list)")
        }
        if shard != nil && collected.inputs.isEmpty && collected.failures.isEmpty && output != "-" {
            // A part with no photos is still a part: an empty archive, so that every shard exists to merge.
            do {
                try ArchiveFileWriter(path: output, mode: force ? .overwrite : append || update ? .append : .create).finish()
            } catch {
                Output.err("gcx: \(Hints.describe(error, command: "pack"))")
                throw ExitCode(ExitStatus.usageOrIO)
            }
            Output.out("\(output): no photo falls in shard \(shard ?? ""); an empty archive was written")
            return
        }
        if collected.inputs.isEmpty && collected.failures.isEmpty {
            Output.err("gcx: no photos (PNG or JPEG files) found in \(inputs.joined(separator: " "))")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        // To standard output: packed in a scratch file (the writer needs to seek), then streamed.
        let scratch = output == "-" ? try ScratchFile(suffix: ".gcx") : nil
        defer { scratch?.remove() }
        let archivePath = scratch?.path ?? output
        let packer = Packer(archive: archivePath, options: options,
                            mode: scratch != nil || force ? .overwrite : append || update ? .append : .create,
                            recoverDamaged: recover, update: update)
        let stop = StopRequest.onInterrupt()
        let summary: Packer.Summary
        do {
            summary = try await packer.run(collected.inputs, shouldStop: { stop.isRequested }) { event in
                switch event {
                case .opened(let report):
                    if report.resumedPartial {
                        progress.info("gcx: resuming an interrupted pack: \(report.existingEntries) entries kept from \(output).partial")
                    } else if report.existingEntries > 0 {
                        progress.info("gcx: appending to \(output), which has \(report.existingEntries) entries")
                    }
                    if let damage = report.recoveredTarget {
                        progress.note("gcx: warning: \(output) was damaged (\(damage)); its complete entries were recovered")
                    }
                    for dropped in report.droppedEntries {
                        progress.note("gcx: warning: left out a damaged entry: \(dropped)")
                    }
                case .packed(let input, let entry, let index, let total):
                    progress.item(index, total, "packed \(input.name) (\(entry.width)x\(entry.height), \(entry.recordLength) bytes, \(formatBPP(entry.bitsPerPixel)) bpp)")
                case .warning(let input, let message):
                    progress.note("gcx: warning: \(input.name): \(message)")
                case .skipped(let input, let index, let total):
                    progress.item(index, total, "skipped \(input.name): already in the archive")
                case .failed(let failure, let index, let total):
                    progress.item(index, total, "failed \(Hints.describe(failure, command: "pack"))")
                }
            }
        } catch {
            progress.note("gcx: \(Hints.describe(error, command: "pack"))")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        progress.endLine()
        if summary.interrupted, let status = stop.exitStatus {
            Output.err("gcx: stopped by \(stop.signalName ?? "a signal") after \(summary.added.count) new entries; "
                + "\(summary.entryCount) entries are kept in \(output).partial: rerun the same command with --append to finish")
            throw ExitCode(status)
        }
        let failures = collected.failures + summary.failures
        if let scratch, summary.wroteArchive {
            Output.outRaw(try FileSource.readAll(path: scratch.path))
        }
        let toStandardOutput = scratch == nil
        func report(_ text: String) { if toStandardOutput { Output.out(text) } else { Output.err(text) } }
        let bpp = summary.totalPixels > 0 ? Double(summary.archiveBytes * 8) / Double(summary.totalPixels) : 0
        if json {
            report(JSON.object([
                ("archive", .string(output)),
                ("entries", .int(summary.entryCount)),
                ("added", .array(summary.added.map { .object($0.json) })),
                ("skipped", .array(summary.skipped.map { .string($0.name) })),
                ("updated", .array(summary.updated.map { .string($0) })),
                ("failed", .array(failures.map { .object([("input", .string($0.input)), ("error", .string($0.reason))]) })),
                ("archive_bytes", .int(summary.archiveBytes)),
                ("bpp", .double(bpp)),
            ]).rendered())
        } else {
            if !summary.wroteArchive && summary.entryCount == 0 && summary.archiveBytes == 0 {
                report("\(output): not written: no photo could be packed (\(failures.count) failed)")
                Output.err("gcx: \(failures.count) photo(s) failed:")
                for failure in failures { Output.err("  \(Hints.describe(failure, command: "pack"))") }
                throw ExitCode(collected.missing.isEmpty ? ExitStatus.failure : ExitStatus.usageOrIO)
            }
            let what = summary.wroteArchive ? (summary.updated.isEmpty ? "" : ", \(summary.updated.count) updated") : " (unchanged: nothing to add)"
            report("\(output): \(summary.entryCount) entries (\(summary.added.count) added, \(summary.skipped.count) skipped, \(failures.count) failed), \(summary.archiveBytes) bytes, \(formatBPP(bpp)) bpp\(what)")
        }
        if !failures.isEmpty {
            Output.err("gcx: \(failures.count) photo(s) failed:")
            for failure in failures { Output.err("  \(Hints.describe(failure, command: "pack"))") }
            // An argument that does not exist is a mistake on the command line, like an unreadable file.
            throw ExitCode(collected.missing.isEmpty ? ExitStatus.failure : ExitStatus.usageOrIO)
        }
    }
}
