import ArgumentParser
import GCX
import GCXPromptCoder
import GCXArchiver
import GCXFileIO

/// How every subcommand opens an archive for reading and reports what goes wrong: through its index,
/// or recovered by scanning with a warning (the caller then exits 1); a format error exits 1, an I/O
/// error 2.
enum ArchiveOpening {
    static func open(_ path: String) throws -> ArchiveReader {
        do {
            let reader = try ArchiveReader(source: try FileSource(path: path), recover: true)
            if let damage = reader.recoveredFrom {
                Output.err("gcx: warning: \(path): the index is unusable (\(damage)); \(reader.rows.count) entries recovered by scanning. Run gcx validate.")
            }
            return reader
        } catch {
            throw exitCode(for: error, archive: path)
        }
    }

    /// One entry with its decoded prompt; a missing name exits 1.
    static func entry(named name: String, in reader: ArchiveReader, archive path: String) throws -> (row: IndexRow, entry: Entry, prompt: String) {
        guard let row = reader.row(named: name) else {
            Output.err("gcx: \(path): no entry named \(quoted(name)) (gcx list shows the names)")
            throw ExitCode(ExitStatus.failure)
        }
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
