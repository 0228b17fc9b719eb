import ArgumentParser

@main
struct GCXCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcx",
        abstract: "Archive photographs as prompts: pack, list, inspect, validate and extract .gcx archives.",
        discussion: """
            Exit codes: 0 success; 1 an archive is invalid or some items failed; 2 usage or I/O error.
            """,
        version: "0.1.0",
        subcommands: [PackCommand.self, ListCommand.self, InfoCommand.self, ValidateCommand.self, ExtractCommand.self, CatCommand.self]
    )

    /// Parses and runs, mapping every usage mistake to exit code 2 (ArgumentParser would use 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            let status = exitCode(for: error)
            let message = fullMessage(for: error)
            if status == .success {
                if !message.isEmpty { Output.out(message) }
                exit()
            }
            Output.err(message.isEmpty ? "\(error)" : message)
            exit(withError: ExitCode(ExitStatus.usageOrIO))
        }
    }
}
