import ArgumentParser
import GCX
import GCXPromptCoder
import GCXFileIO
import GCXArchiver
import SystemPackage

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check archives against every rule of the .gcx specification.",
        discussion: "Prints one line per file and one per violation (code, offset, entry). Exit 0 when every file is valid, 1 when any is invalid, 2 on usage or I/O errors."
    )

    @Argument(help: "Archives to check.")
    var files: [String]

    @Flag(help: "Print one JSON array with a report per file.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    func run() throws {
        var worst = ExitStatus.success
        var reports: [JSON] = []
        for file in files {
            do {
                let source = try ArchiveSource.open(FilePath(file))
                let report = try Validator(promptDecoding: PromptDecoding.standard).validate(source)
                if !report.isValid { worst = max(worst, ExitStatus.failure) }
                if json {
                    reports.append(.object([
                        ("file", .string(file)),
                        ("valid", .bool(report.isValid)),
                        ("entries", .int(report.entryCount)),
                        ("bytes", .int(report.fileSize)),
                        ("violations", .array(report.violations.map(\.json))),
                    ]))
                } else {
                    print(report, file: file)
                }
            } catch {
                worst = ExitStatus.usageOrIO
                if json {
                    reports.append(.object([("file", .string(file)), ("valid", .bool(false)), ("error", .string("\(error)"))]))
                } else {
                    Output.err("ERROR: \(error)")
                }
            }
        }
        if json { Output.out(JSON.array(reports).rendered()) }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }

    private func print(_ report: ValidationReport, file: String) {
        if report.isValid {
            if !quiet {
                let warnings = report.violations.isEmpty ? "" : ", \(report.violations.count) warning(s)"
                Output.out("OK: \(file) (\(report.entryCount) entries, \(report.fileSize) bytes\(warnings))")
            }
        } else {
            Output.out("INVALID: \(file) (\(report.errors.count) error(s))")
        }
        for violation in report.violations where !(quiet && violation.severity == .warning) {
            Output.out("  \(file): \(violation)")
        }
    }
}

extension Violation {
    var json: JSON {
        .object([
            ("code", .string(code.rawValue)),
            ("severity", .string(severity.rawValue)),
            ("offset", .int(offset)),
            ("entry", .optional(entry)),
            ("message", .string(message)),
        ])
    }
}
