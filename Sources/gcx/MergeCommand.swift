import ArgumentParser
import GCX
import GCXArchiver
import GCXFileIO
import SystemPackage

extension ArchiveMerger.Duplicates: ExpressibleByArgument {}
extension ArchiveMerger.Order: ExpressibleByArgument {}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join archives into one, copying every entry byte for byte (no re-encoding).",
        discussion: """
            Shards packed with pack --shard K/N on several machines merge into the archive one \
            machine would have made: gcx merge shard-*.gcx -o all.gcx --order names.
            """
    )

    @Argument(help: "The archives to join, in order.")
    var archives: [String]

    @Option(name: .shortAndLong, help: "The archive to write.")
    var output: String

    @Option(help: "When a name is in several archives: refuse (default), first or last keeps that archive's entry.")
    var onDuplicate: ArchiveMerger.Duplicates = .refuse

    @Option(help: "archives (each archive's entries in turn) or names (sorted by name, as a pack of one folder).")
    var order: ArchiveMerger.Order = .archives

    @Flag(help: "Replace an existing output archive.")
    var force = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        guard !archives.isEmpty else { throw ValidationError("give at least one archive to merge") }
    }

    func run() throws {
        let report: ArchiveMerger.Report
        do {
            report = try ArchiveMerger(duplicates: onDuplicate, order: order).merge(archives.map { FilePath($0) }, into: FilePath(output), mode: force ? .overwrite : .create)
        } catch let error as ArchiveMerger.DuplicateNames {
            Output.err("gcx: \(error) (choose with --on-duplicate first|last)")
            throw ExitCode(ExitStatus.failure)
        } catch let error as FormatError {
            Output.err("gcx: \(error) (nothing was written)")
            throw ExitCode(ExitStatus.failure)
        } catch {
            throw CommandFailure(error, command: .merge)
        }
        for (name, kept) in report.duplicates { Output.err("gcx: \(quotedIfNeeded(name)) is in several archives; kept the one from \(kept)") }
        for names in report.sameContent {
            Output.err("gcx: note: one photo under \(names.count) names: \(names.map(quotedIfNeeded).joined(separator: ", "))")
        }
        if json {
            Output.out(JSON.object([
                ("archive", .string(output)), ("entries", .int(report.entries)),
                ("duplicates", .array(report.duplicates.map { .object([("name", .string($0.name)), ("kept_from", .string($0.kept))]) })),
                ("same_content", .array(report.sameContent.map { .array($0.map(JSON.string)) })),
            ]).rendered())
        } else {
            Output.out("\(output): \(report.entries) entries from \(archives.count) archive(s)")
        }
    }
}
