import ArgumentParser
import GCX
import GCXArchiver
import SystemPackage

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove entries (names, folders or globs) without re-encoding the others.",
        discussion: "The new archive is written aside and renamed into place; nothing changes when a selection matches nothing."
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "Entries to remove: names, folders (phone/) or globs ('phone/*').")
    var names: [String]

    @Flag(name: .shortAndLong, help: "Do not list the removed entries.")
    var quiet = false

    func run() throws {
        do {
            let removed = try ArchiveEditor(path: FilePath(archive)).remove(EntrySelection(names))
            if !quiet { for name in removed { Output.err("removed \(quotedIfNeeded(name))") } }
            Output.out("\(archive): \(removed.count) entries removed")
        } catch {
            throw EditFailure.exitCode(for: error, archive: archive)
        }
    }
}

struct MoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv",
        abstract: "Rename an entry, or a folder of entries, without re-encoding anything.",
        discussion: "The new archive is written aside and renamed into place; the prompt and thumbnail bytes stay as they are."
    )

    @Argument(help: "The archive.")
    var archive: String

    @Argument(help: "The entry or folder to rename.")
    var old: String

    @Argument(help: "Its new name.")
    var new: String

    func run() throws {
        do {
            let renamed = try ArchiveEditor(path: FilePath(archive)).rename(old, to: new)
            for (from, to) in renamed { Output.err("\(quotedIfNeeded(from)) -> \(quotedIfNeeded(to))") }
            Output.out("\(archive): \(renamed.count) entries renamed")
        } catch {
            throw EditFailure.exitCode(for: error, archive: archive)
        }
    }
}

/// Exit codes for editing: a selection or name problem is 1, a damaged archive 1, I/O 2.
enum EditFailure {
    static func exitCode(for error: any Error, archive: String) -> ExitCode {
        switch error {
        case let edit as ArchiveEditor.EditError:
            Output.err("gcx: \(archive): \(edit)")
            return ExitCode(ExitStatus.failure)
        case let format as FormatError:
            Output.err("gcx: \(archive): \(format) (the archive is left as it was; gcx validate says more)")
            return ExitCode(ExitStatus.failure)
        default:
            Output.err("gcx: \(Hints.describe(error, command: .edit))")
            return ExitCode(ExitStatus.usageOrIO)
        }
    }
}
