import ArgumentParser
import GCX
import GCXArchiver
import GCXConcurrency
import GCXFileIO
import SystemPackage
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

    @Option(help: "Thumbnail scale: the thumbnail is 1/N of the photo on each side (8, 16, 32), or auto (tiny thumbnails with a byte budget: per photo, the scale of 8, 16, 24, 32 and 64, and up to 64 bytes some between them, whose reconstruction is best at the budget). Default: auto for tiny with a budget, else 8.")
    var thumbnailScale: ThumbnailScaleChoice?

    @Option(help: "Thumbnail codec: tiny (gcx's codec for a few hundred bytes, spec Appendix C: codec 5), tiny4 and tiny3 (its earlier forms, codecs 4 and 3, for readers that know no later one), jpeg (baseline) or png (lossless).")
    var thumbnailCodec: ThumbnailCodecChoice = .tiny

    @Option(help: "Thumbnail quality, 1-100: JPEG's quality (default 50); for tiny, the quantiser, instead of a byte budget.")
    var thumbnailQuality: Int?

    @Option(help: "tiny: the best thumbnail that fits this many bytes (16 to 65536). Default \(ThumbnailPolicy.defaultBudget) unless --thumbnail-quality is given.")
    var thumbnailBytes: Int?

    @Option(help: "tiny with --thumbnail-scale auto: leave a photo's last bytes out where they would buy less than this many dB of reconstruction PSNR per 1000 bytes (estimated), so that a collection's bytes go where they buy most; --thumbnail-bytes becomes a ceiling. Try --thumbnail-bytes 1000 --thumbnail-tradeoff 2.35. Default 0: every photo gets its budget.")
    var thumbnailTradeoff: Double?

    /// The tiny thumbnail's byte budget: the one given, else the default unless a quality is given.
    var budget: Int? {
        guard thumbnailCodec.codec.isTiny else { return nil }
        return thumbnailBytes ?? (thumbnailQuality == nil ? ThumbnailPolicy.defaultBudget : nil)
    }

    /// The thumbnail flags as one policy (validate() has refused the combinations that mean nothing).
    var thumbnailPolicy: ThumbnailPolicy {
        guard mode == .multimodal else { return .none }
        let scale = thumbnailScale?.scale
        let fixed = scale ?? ThumbnailPolicy.defaultScale
        let quality = thumbnailQuality ?? ThumbnailPolicy.defaultJPEGQuality
        switch thumbnailCodec {
        case .jpeg: return .jpeg(scale: fixed, quality: quality)
        case .png: return .png(scale: fixed)
        case .tiny, .tiny4, .tiny3:
            let variant = thumbnailCodec.codec.tinyVariant!
            guard let budget else { return .tiny(variant, .fixedQuantizer(ThumbnailPolicy.tinyQuantizer(quality: quality), scale: fixed)) }
            return .tiny(variant, scale.map { .fixedScale($0, budget: budget) } ?? .autoScale(budget: budget, tradeoff: tradeoff))
        }
    }

    /// The trade-off in dB per byte, nil for none.
    var tradeoff: Double? { thumbnailTradeoff.flatMap { $0 > 0 ? $0 / 1000 : nil } }

    @Option(help: "A JSONL file of {\"image\": NAME, \"prompt\": TEXT} lines; NAME is the photo's file name or its path relative to the packed folder. Each prompt is stored exactly as given.")
    var prompts: String?

    @Option(help: "Who describes the photos: builtin, openai (an OpenAI-compatible chat completions server) or sidecar (--prompts). Default: sidecar with --prompts, else openai when an API key is set, else builtin.")
    var captioner: CaptionerChoice?

    @Option(help: "The captioner's model.")
    var captionerModel: String = OpenAICaptionClient.defaultModel

    @Option(help: "The photo is sent to the captioner with its long side at most this many pixels.")
    var captionMaxSide: Int = 1024

    @OptionGroup(title: "Captioner server")
    var connection: ConnectionOptions

    @OptionGroup(title: "Generator recorded in each entry (used by extract unless it is given --generator)")
    var generatorOptions: GeneratorOptions

    @Flag var writeMode: WriteMode = .create

    @Flag(help: "With --append: keep the intact entries of a damaged archive and leave the damaged ones out (they are listed).")
    var recover = false

    /// --append or --update: the archive there is added to.
    var append: Bool { writeMode == .append || writeMode == .update }
    var update: Bool { writeMode == .update }
    var force: Bool { writeMode == .force }

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

    @Flag(help: "Keep all 32 bytes of each photo's SHA-256 (default: the first 8, which `gcx verify` checks as well).")
    var fullHash = false

    @Option(help: "Container version of a new archive: 2 (the default), or 1 for readers that predate version 2. Not with --append or --update: an archive keeps its version.")
    var formatVersion: FormatVersionChoice?

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    @OptionGroup(title: "OpenAI Batch API")
    var batching: BatchOptions

    var batch: Bool { batching.batch }

    func validate() throws {
        guard (1...100).contains(thumbnailQuality ?? 50) else { throw ValidationError("--thumbnail-quality must be 1 to 100") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be 1 to 64") }
        if let thumbnailBytes {
            guard thumbnailCodec.codec.isTiny else { throw ValidationError("--thumbnail-bytes goes with --thumbnail-codec tiny (or tiny4, tiny3)") }
            guard (16...65536).contains(thumbnailBytes) else { throw ValidationError("--thumbnail-bytes must be 16 to 65536") }
        }
        if let thumbnailTradeoff {
            guard thumbnailTradeoff >= 0 && thumbnailTradeoff <= 100 else { throw ValidationError("--thumbnail-tradeoff must be 0 to 100 (dB per 1000 bytes)") }
            guard budget != nil && thumbnailScale?.scale == nil else {
                throw ValidationError("--thumbnail-tradeoff goes with tiny thumbnails, a byte budget and --thumbnail-scale auto")
            }
        }
        guard thumbnailScale != .auto || budget != nil else {
            throw ValidationError("--thumbnail-scale auto goes with --thumbnail-codec tiny and a byte budget (not --thumbnail-quality)")
        }
        guard formatVersion == nil || !append else {
            throw ValidationError("--format-version is for a new archive; an archive appended to or updated keeps its version")
        }
        guard !recover || append else { throw ValidationError("--recover goes with --append or --update") }
        guard output != "-" || !append else { throw ValidationError("--append and --update need an archive file, not standard output") }
        if captioner == .sidecar && prompts == nil { throw ValidationError("--captioner sidecar needs --prompts FILE") }
        if prompts != nil && captioner != nil && captioner != .sidecar { throw ValidationError("--prompts goes with --captioner sidecar") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 <= K <= N, e.g. 2/8") }
        guard (64...8192).contains(captionMaxSide) else { throw ValidationError("--caption-max-side must be 64 to 8192") }
        guard !batch || output != "-" else { throw ValidationError("--batch needs an archive file, not standard output") }
    }

    /// The captioner asked for, or the default: sidecar with --prompts, openai when a key is set,
    /// else the built-in describer.
    func makeCaptioner() throws -> any Captioner {
        let key = try connection.apiKey()
        let kind = captioner ?? (prompts != nil ? .sidecar : key != nil ? .openai : .builtin)
        switch kind {
        case .sidecar:
            guard let prompts else { throw ValidationError("--captioner sidecar needs --prompts FILE") }
            return SidecarCaptioner(sidecar: try PromptSidecar(path: FilePath(prompts)))
        case .openai:
            let baseURL = connection.baseURL ?? OpenAICaptionClient.defaultBaseURL
            if key == nil && baseURL == OpenAICaptionClient.defaultBaseURL {
                throw ValidationError("the openai captioner needs an API key: set OPENAI_API_KEY or pass --api-key-file")
            }
            let client = OpenAICaptionClient(baseURL: baseURL, apiKey: key, model: captionerModel, client: connection.client(concurrency: jobs))
            return OpenAICaptioner(client: client, maxSide: captionMaxSide)
        case .builtin: return BuiltinCaptioner()
        }
    }

    func run() async throws {
        var options: PackOptions
        do { options = try plan() } catch {
            throw CommandFailure(error, command: .pack)
        }
        var progress = Progress(quiet: quiet)
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
        // A shard with no photos still writes its part, so that every part exists to merge.
        let emptyShard = shard != nil && collected.inputs.isEmpty && collected.failures.isEmpty && output != "-"
        if collected.inputs.isEmpty && collected.failures.isEmpty && !emptyShard {
            Output.err("gcx: no photos (PNG or JPEG files) found in \(inputs.joined(separator: " "))")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        var batchFailures: [ItemFailure] = []
        var collectedBatch: BatchPack?
        if batch && !emptyShard {
            guard let step = try await batchStep(&options, &collected, progress: &progress) else { return }
            (batchFailures, collectedBatch) = step
        }
        // To standard output: packed in a scratch file (the writer needs to seek), then streamed.
        let scratch = output == "-" ? try ScratchFile(suffix: ".gcx") : nil
        defer { scratch?.remove() }
        let archivePath = scratch?.path ?? FilePath(output)
        let packer = Packer(archive: archivePath, options: options,
                            mode: scratch != nil || force ? .overwrite : append || collectedBatch != nil ? .append : .create,
                            recoverDamaged: recover, update: update, writesEmptyArchive: emptyShard)
        // Ctrl-C or SIGTERM cancels the pack, which keeps what it completed.
        let (summary, signal): (Packer.Summary, Interruption.Signal?)
        do {
            (summary, signal) = try await Interruption.cancelling { [self, inputs = collected.inputs, progress] in
                var progress = progress
                defer { progress.endLine() }
                return try await packer.run(inputs) { render($0, progress: &progress) }
            }
        } catch let interrupted as Interruption.Interrupted {
            Output.err("gcx: \(interrupted) while packing: \(Hints.describe(interrupted.cause, command: .pack))")
            throw ExitCode(interrupted.signal.exitStatus)
        } catch {
            throw CommandFailure(error, command: .pack)
        }
        if emptyShard {
            Output.out("\(output): no photo falls in shard \(shard ?? ""); an empty archive was written")
            return
        }
        if summary.interrupted, let signal {
            Output.err("gcx: stopped by \(signal) after \(summary.added.count) new entries; "
                + "\(summary.entryCount) entries are kept in \(output).partial: rerun the same command with --append to finish")
            throw ExitCode(signal.exitStatus)
        }
        let failures = collected.failures + batchFailures + summary.failures
        collectedBatch?.finish()
        if let scratch, summary.wroteArchive {
            Output.outRaw(try FileSource.readAll(scratch.path))
        }
        try renderSummary(summary, failures: failures, toStandardOutput: scratch == nil, missing: !collected.missing.isEmpty,
                          batchFailed: collectedBatch != nil && !batchFailures.isEmpty)
    }
}

extension PackCommand {
    /// The flags as what the archiver needs: thumbnail policy, captioner, recorded generator.
    func plan() throws -> PackOptions {
        var options = PackOptions()
        options.thumbnail = thumbnailPolicy
        options.requestsInFlight = jobs
        options.keepLocation = keepLocation
        options.keepsFullHash = fullHash
        options.formatVersion = formatVersion?.version ?? .current
        options.captioner = try makeCaptioner()
        if let kind = generatorOptions.chosenKind, kind != .builtin {
            options.generator = generatorOptions.settings(kind: kind).metadata
        }
        return options
    }

    /// One line (or none) for what the packer reports.
    func render(_ event: Packer.Event, progress: inout Progress) {
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
            progress.item(index, total, "failed \(Hints.describe(failure, command: .pack))")
        }
    }

    /// The closing report: a line or a JSON object, then the failures; the exit status follows
    /// from them (1, or 2 when an argument did not exist).
    func renderSummary(_ summary: Packer.Summary, failures: [ItemFailure], toStandardOutput: Bool, missing: Bool,
                       batchFailed: Bool) throws {
        func report(_ text: String) { if toStandardOutput { Output.out(text) } else { Output.err(text) } }
        let bpp = summary.totalPixels > 0 ? Double(summary.archiveBytes * 8) / Double(summary.totalPixels) : 0
        if json {
            report(JSON.object([
                ("archive", .string(output)),
                ("entries", .int(summary.entryCount)),
                ("added", .array(summary.added.map { .object($0.json) })),
                ("skipped", .array(summary.skipped.map { .string($0.name) })),
                ("updated", .array(summary.updated.map { .string($0) })),
                ("failed", .array(failures.map { .object([("input", .string($0.subject)), ("error", .string($0.reason))]) })),
                ("archive_bytes", .int(summary.archiveBytes)),
                ("bpp", .double(bpp)),
            ]).rendered())
        } else {
            if !summary.wroteArchive && summary.entryCount == 0 && summary.archiveBytes == 0 {
                report("\(output): not written: no photo could be packed (\(failures.count) failed)")
                Output.err("gcx: \(failures.count) photo(s) failed:")
                for failure in failures { Output.err("  \(Hints.describe(failure, command: .pack))") }
                throw ExitCode(missing ? ExitStatus.usageOrIO : ExitStatus.failure)
            }
            let what = summary.wroteArchive ? (summary.updated.isEmpty ? "" : ", \(summary.updated.count) updated") : " (unchanged: nothing to add)"
            report("\(output): \(summary.entryCount) entries (\(summary.added.count) added, \(summary.skipped.count) skipped, \(failures.count) failed), \(summary.archiveBytes) bytes, \(formatBPP(bpp)) bpp\(what)")
        }
        if !failures.isEmpty {
            Output.err("gcx: \(failures.count) photo(s) failed:")
            for failure in failures { Output.err("  \(Hints.describe(failure, command: .pack))") }
            if batchFailed {
                Output.err("gcx: rerun with --append --batch to send the failed photos in a new batch, or with --append alone to caption them live")
            }
            // An argument that does not exist is a mistake on the command line, like an unreadable file.
            throw ExitCode(missing ? ExitStatus.usageOrIO : ExitStatus.failure)
        }
    }

    /// The --batch part of a pack. Sending, or finding the batch unfinished, ends the command
    /// (nil); a finished batch narrows the pack to the photos it answered, with their answers, and
    /// gives what failed and the run to finish once they are packed.
    func batchStep(_ options: inout PackOptions, _ collected: inout InputCollector.Collected,
                   progress: inout Progress) async throws -> ([ItemFailure], BatchPack)? {
        guard let backend = options.captioner as? OpenAICaptioner else {
            Output.err("gcx: --batch needs the openai captioner (--captioner openai, or an API key in OPENAI_API_KEY)")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        let batches = OpenAIBatchClient(baseURL: backend.client.baseURL, apiKey: try connection.apiKey(), client: connection.client(concurrency: jobs))
        let run = BatchPack(archive: FilePath(output), captioning: BatchCaptioning(backend: backend, batches: batches), appending: append)
        let step: BatchPack.Step
        do {
            step = try await run.step(collected.inputs, pollInterval: batching.wait ? .seconds(batching.pollInterval) : nil) { event in
                switch event {
                case .preparing(let count): progress.info("gcx: preparing \(count) photo(s) for the Batch API")
                case .polled(let batches): progress.info("gcx: \(Self.describe(batches)); polling again in \(Int(batching.pollInterval)) s")
                }
            }
        } catch let refusal as BatchPack.Refusal {
            switch refusal {
            case .batchNotCollected(let path): Output.err("gcx: \(path) holds a batch not yet collected: rerun with --append to collect it")
            case .archiveExists(let path): Output.err("gcx: \(path) exists: add --append to send the photos it does not have yet")
            }
            throw ExitCode(ExitStatus.usageOrIO)
        } catch {
            throw CommandFailure(error, command: .pack)
        }
        switch step {
        case .sent(.none, _):
            Output.out("\(output): every photo is in the archive already; no batch sent")
            return nil
        case .sent(.some(let state), let failures):
            Output.out("\(output): sent \(state.requests.count) photo(s) in batch \(state.batchIDs.joined(separator: ", ")), recorded in \(run.statePath); "
                + "rerun the same command with --append to collect the descriptions (within 24 hours)")
            let all = collected.failures + failures
            if !all.isEmpty {
                Output.err("gcx: \(all.count) photo(s) not sent:")
                for failure in all { Output.err("  \(Hints.describe(failure, command: .pack))") }
                throw ExitCode(ExitStatus.failure)
            }
            return nil
        case .pending(let batches):
            Output.out("\(output): \(Self.describe(batches)); rerun the same command to collect it once it is done")
            return nil
        case .collected(let inputs, let captioner, let failures, let batches):
            progress.info("gcx: \(Self.describe(batches)): \(captioner.answers.count) description(s) to pack")
            options.captioner = captioner
            collected.inputs = inputs
            return (failures, run)
        }
    }

    /// "batch batch_abc in_progress (3 of 10 done, 0 failed)", for each batch.
    static func describe(_ batches: [OpenAIBatchClient.Batch]) -> String {
        batches.map { batch in
            let counts = batch.requestCounts.map { " (\($0.completed) of \($0.total) done, \($0.failed) failed)" } ?? ""
            return "batch \(batch.id) \(batch.status)\(counts)"
        }.joined(separator: "; ")
    }
}

/// Captions through the OpenAI Batch API instead of live requests.
struct BatchOptions: ParsableArguments {
    @Flag(help: "openai: caption through the Batch API (half price, answers within 24 hours). The photos are sent, the batch is recorded in ARCHIVE.batch (never the key) and gcx exits; rerun with --append to collect it. Once collected, --append --batch sends what failed again, --append alone captions it live.")
    var batch = false

    @Flag(help: "With --batch: wait for the batch to finish, polling every --poll-interval seconds, and pack its answers.")
    var wait = false

    @Option(help: "With --batch --wait: seconds between polls.")
    var pollInterval: Double = 60

    func validate() throws {
        guard !wait || batch else { throw ValidationError("--wait goes with --batch") }
        guard pollInterval >= 1 else { throw ValidationError("--poll-interval must be at least 1 second") }
    }
}

/// What pack does with an archive already at --output: one flag of four, so that no two can be given.
enum WriteMode: String, EnumerableFlag {
    case create, append, update, force

    static func help(for value: WriteMode) -> ArgumentHelp? {
        switch value {
        case .create: "Make a new archive; one already there is an error."
        case .append: "Add to the archive if it exists (creating it otherwise), skipping names it already has, and resume an interrupted pack."
        case .update: "Like --append, and photos whose content changed since they were packed are packed again, replacing their entries."
        case .force: "Replace an existing archive."
        }
    }
}
