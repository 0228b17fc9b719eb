import ArgumentParser
import GCXFileIO
import SystemPackage

@main
struct GCXCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcx",
        abstract: "Archive photographs as prompts: pack, list, inspect, validate and extract .gcx archives.",
        discussion: """
            Exit codes: 0 success; 1 an archive is invalid or some items failed; 2 usage or I/O error.
            """,
        version: "0.1.0",
        subcommands: [PackCommand.self, ListCommand.self, InfoCommand.self, ValidateCommand.self, ExtractCommand.self, CatCommand.self, GrepCommand.self, VerifyCommand.self, RemoveCommand.self, MoveCommand.self, MergeCommand.self]
    )

    /// Parses and runs, mapping every usage mistake to exit code 2 (ArgumentParser would use 64).
    static func main() async {
        refuseFileNamesThatLookLikeOptions()
        do {
            var command = try parseAsRoot()
            if var concurrent = command as? AsyncParsableCommand {
                try await concurrent.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(withError: code)
        } catch let failure as CommandFailure {
            Output.err("gcx: \(Hints.describe(failure.error, command: failure.command))")
            exit(withError: ExitCode(failure.status))
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

extension GCXCommand {
    /// `gcx pack -photo.png` would read the name as a cluster of short options (one of them -h);
    /// an existing file whose name starts with "-" is refused with the two ways to name it.
    static func refuseFileNamesThatLookLikeOptions() {
        let arguments = CommandLine.arguments.dropFirst()
        for argument in arguments.prefix(while: { $0 != "--" })
        where argument.hasPrefix("-") && !argument.hasPrefix("--") && argument.count > 2 && FileSystem.exists(FilePath(argument)) {
            Output.err("gcx: \(quotedIfNeeded(argument)) is a file whose name starts with '-': write ./\(argument), or put it after --")
            exit(withError: ExitCode(ExitStatus.usageOrIO))
        }
    }
}

/// An error that ends a command: printed once, by `main`, with the hint for that command's flags.
struct CommandFailure: Error {
    var error: any Error
    var command: Hints.Command
    var status: Int32

    init(_ error: any Error, command: Hints.Command, status: Int32 = ExitStatus.usageOrIO) {
        self.error = error
        self.command = command
        self.status = status
    }
}
