import ArgumentParser
import GCX
import GCXArchiver
import GCXFileIO
import SystemPackage

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the photos under a folder against the content hashes the archive keeps (like sha256sum -c).",
        discussion: """
            Prints NAME: OK, NAME: CHANGED, NAME: MISSING for each entry (the file at FOLDER/NAME), \
            and PATH: NOT IN ARCHIVE for each photo under the folder the archive does not hold. \
            Exit 0 when every entry's file is intact and nothing is extra, 1 otherwise.
            """
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "The folder the photos were packed from.")
    var folder: String

    @Argument(help: "Entries to check: names, folders or globs; default all.")
    var names: [String] = []

    @Flag(name: .shortAndLong, help: "Print only the problems.")
    var quiet = false

    @Flag(help: "Print one JSON array of {name, status, detail}.")
    var json = false

    func run() async throws {
        guard FileSystem.isFolder(FilePath(folder)) else {
            Output.err("gcx: \(folder): no such folder")
            throw ExitCode(ExitStatus.usageOrIO)
        }
        let reader = try ArchiveOpening.open(archive)
        let (rows, allMatched) = ArchiveOpening.select(names, in: reader, archive: archive)
        var entries: [(row: IndexRow, source: SourceMetadata)] = []
        for row in rows {
            do {
                entries.append((row, try reader.entry(at: row).source))
            } catch {
                throw ArchiveOpening.exitCode(for: error, archive: archive)
            }
        }
        var items = try await Verifier(root: FilePath(folder)).verify(entries)
        if !names.isEmpty { items.removeAll { $0.status == .notInArchive } }  // a selection checks only itself
        if json {
            Output.out(JSON.array(items.map { item in
                .object([("name", .string(item.name)), ("status", .string(item.status.rawValue)), ("detail", .optional(item.detail))])
            }).rendered())
        } else {
            for item in items where !(quiet && item.status == .ok) {
                let label = switch item.status {
                case .ok: "OK"
                case .changed: "CHANGED"
                case .missing: "MISSING"
                case .unreadable: "UNREADABLE"
                case .notInArchive: "NOT IN ARCHIVE"
                }
                Output.out("\(quotedIfNeeded(item.name)): \(label)\(item.detail.map { " (\($0))" } ?? "")")
            }
            let count = { (status: Verifier.Status) in items.filter { $0.status == status }.count }
            Output.err("gcx: \(count(.ok)) intact, \(count(.changed)) changed, \(count(.missing)) missing, "
                + "\(count(.unreadable)) unreadable, \(count(.notInArchive)) not in the archive")
        }
        let clean = items.allSatisfy { $0.status == .ok }
        if !clean || !allMatched || reader.recoveredFrom != nil { throw ExitCode(ExitStatus.failure) }
    }
}
