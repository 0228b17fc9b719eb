import ArgumentParser

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print an entry's prompt to stdout, exactly as stored (no newline added)."
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "The entry: its name, or a glob that chooses exactly one.")
    var name: String

    func run() throws {
        let reader = try ArchiveOpening.open(archive)
        let prompt = try ArchiveOpening.entry(named: name, in: reader, archive: archive).prompt
        Output.outRaw(Array(prompt.utf8))
        // As list and info do: a prompt read from a recovered archive is printed, and exit 1 says
        // the archive needs attention.
        if reader.recoveredFrom != nil { throw ExitCode(ExitStatus.failure) }
    }
}
