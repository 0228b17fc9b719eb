import ArgumentParser
import GCX
import GCXPromptCoder
import GCXArchiver
import GCXFileIO
import SystemPackage

/// How every subcommand opens an archive for reading and reports what goes wrong: through its index,
/// or recovered by scanning with a warning (the caller then exits 1); a format error exits 1, an I/O
/// error 2.
enum ArchiveOpening {
    static func open(_ path: String) throws -> ArchiveReader {
        do {
            let reader = try ArchiveReader(source: try ArchiveSource.open(FilePath(path)), recover: true)
            if let damage = reader.recoveredFrom {
                Output.err("gcx: warning: \(path): the index is unusable (\(damage)); \(reader.rows.count) entries recovered by scanning. Run gcx validate.")
            }
            return reader
        } catch {
            throw exitCode(for: error, archive: path)
        }
    }

    /// The rows `patterns` choose (names, folders, globs: ``EntrySelection``), all rows when there
    /// are none; each pattern that chooses nothing is reported, and `allMatched` is false.
    static func select(_ patterns: [String], in reader: ArchiveReader, archive path: String) -> (rows: [IndexRow], allMatched: Bool) {
        let (rows, unmatched) = EntrySelection(patterns).select(from: reader.rows)
        for pattern in unmatched {
            Output.err("gcx: \(path): no entry matches \(quoted(pattern)) (gcx list shows the names)")
        }
        return (rows, unmatched.isEmpty)
    }

    /// The one entry `pattern` chooses, with its decoded prompt; none or several exit 1.
    static func entry(named pattern: String, in reader: ArchiveReader, archive path: String) throws -> (row: IndexRow, entry: Entry, prompt: String) {
        let (rows, _) = select([pattern], in: reader, archive: path)
        guard let row = rows.first else { throw ExitCode(ExitStatus.failure) }
        guard rows.count == 1 else {
            Output.err("gcx: \(path): \(quoted(pattern)) matches \(rows.count) entries; name one")
            throw ExitCode(ExitStatus.failure)
        }
        return try entry(at: row, in: reader, archive: path)
    }

    /// The entry at `row` with its decoded prompt.
    static func entry(at row: IndexRow, in reader: ArchiveReader, archive path: String) throws -> (row: IndexRow, entry: Entry, prompt: String) {
        do {
            let entry = try reader.entry(at: row)
            return (row, entry, try PromptDecoding.standard.text(of: entry.prompt, at: row.offset))
        } catch {
            throw exitCode(for: error, archive: path)
        }
    }

    /// Prints `error` and gives the exit code it means.
    static func exitCode(for error: Error, archive path: String) -> ExitCode {
        switch error {
        case let code as ExitCode: return code
        case let format as FormatError:
            Output.err("gcx: \(path): \(format)")
            return ExitCode(ExitStatus.failure)
        default:
            Output.err("gcx: \(error)")
            return ExitCode(ExitStatus.usageOrIO)
        }
    }
}
