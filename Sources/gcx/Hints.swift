import GCXArchiver
import GCXImage
import GCXFileIO

/// What to type next, for the errors a command-line user can act on. The libraries name no flags;
/// only the command line knows its own.
enum Hints {
    /// The command whose flags a hint may name: the same refusal is mended differently by each.
    enum Command {
        case pack, extract, edit, merge
    }

    static func hint(for error: (any Error)?, command: Command) -> String? {
        switch error {
        case let error as FileIOError:
            switch error.kind {
            case .exists where command == .pack: "use --force to replace it or --append to add to it"
            case .exists: "use --force to overwrite"
            case .interruptedWrite: "rerun with --append to resume it, or delete it"
            default: nil
            }
        case let error as ItemFailure: hint(for: error.cause, command: command)
        case let problem as ItemProblem where problem == .changedSinceBatchWasSent: "rerun with --batch to send it again"
        case is ThumbnailBudgetError: "give --thumbnail-bytes more, or a larger --thumbnail-scale"
        case let error as DamagedArchiveError where error.isArchive:
            "rerun with --append --recover to keep its \(error.intactEntries) intact entries and leave the rest out"
        case let error as GeneratorSettingsError:
            switch error {
            case .missingAPIKey: "set OPENAI_API_KEY or pass --api-key-file"
            case .unknownKind: "pass --generator to choose one"
            case .invalidSize: "--size takes WIDTHxHEIGHT, e.g. 1536x1024"
            }
        default: nil
        }
    }

    /// `error` as printed, with its hint in parentheses when there is one.
    static func describe(_ error: any Error, command: Command) -> String {
        guard let hint = hint(for: error, command: command) else { return "\(error)" }
        return "\(error) (\(hint))"
    }
}
