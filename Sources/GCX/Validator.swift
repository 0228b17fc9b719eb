/// One broken rule (or, as a warning, something a reader may skip) found by the validator.
public struct Violation: Equatable, Sendable, Codable, CustomStringConvertible {
    /// An error breaks a rule; a warning is something a reader skips (an unknown ancillary record or chunk).
    public enum Severity: String, Sendable, Codable { case error, warning }

    /// The rule broken (spec/gcx.md lists the codes); encodes as its string.
    public var code: ErrorCode
    /// An error or a warning.
    public var severity: Severity
    /// Absolute byte offset in the file.
    public var offset: Int
    /// The entry the problem is in, when its name is known.
    public var entry: String?
    /// What was found and what was expected.
    public var message: String

    /// The violation `error` reports.
    public init(_ error: FormatError, severity: Severity = .error) {
        code = error.code
        self.severity = severity
        offset = error.offset
        entry = error.entry
        message = error.message
    }

    /// Severity, code, place and message, on one line.
    public var description: String {
        let place = entry.map { "offset \(offset), entry \(quoted($0))" } ?? "offset \(offset)"
        return "\(severity.rawValue) \(code) at \(place): \(message)"
    }
}

/// What the validator found in one file.
public struct ValidationReport: Sendable, Codable {
    /// Every violation, in the order of spec §12.1's steps, each step by offset: the first error is the file's primary code.
    public var violations: [Violation]
    /// The entry records found.
    public var entryCount: Int
    /// Bytes in the file.
    public var fileSize: Int

    /// The violations that are errors.
    public var errors: [Violation] { violations.filter { $0.severity == .error } }
    /// No errors (warnings allowed).
    public var isValid: Bool { errors.isEmpty }
}

/// Checks a file against every rule of spec/gcx.md, reporting each violation with its code, offset
/// and entry. It reads every byte, never trusts a length before checking it, and never stops at
/// the first problem when it can go on.
public struct Validator {
    /// The prompt methods the validator decodes to check each prompt.
    public var promptDecoding: PromptDecoding

    /// A validator that decodes prompts with `promptDecoding`.
    public init(promptDecoding: PromptDecoding) {
        self.promptDecoding = promptDecoding
    }

    /// The steps of spec §12.1, in the order their violations are reported.
    enum Step: Int {
        case header, records, entries, index, rows
    }

    /// Checks every byte of `source`; throws only when the source itself cannot be read.
    public func validate(_ source: any ByteSource) throws -> ValidationReport {
        var report = ValidationReport(violations: [], entryCount: 0, fileSize: source.size)
        // Violations are reported in the order of spec §12.1's steps, each step by offset: the
        // first error is the file's primary code.
        var step = Step.header
        var found: [(step: Step, violation: Violation)] = []
        func add(_ error: FormatError, _ severity: Violation.Severity = .error) {
            found.append((step, Violation(error, severity: severity)))
        }
        func addInEntry(_ error: FormatError, _ severity: Violation.Severity) {
            found.append((.entries, Violation(error, severity: severity)))
        }
        func finished() -> ValidationReport {
            var done = report
            done.violations = found.sorted { ($0.step.rawValue, $0.violation.offset, $0.violation.code.rawValue) < ($1.step.rawValue, $1.violation.offset, $1.violation.code.rawValue) }
                .map(\.violation)
            return done
        }
        let header: FileHeader
        do {
            header = try FileHeader.decode(try source.read(at: 0, count: min(FileHeader.size, source.size)))
        } catch let error as FormatError {
            add(error)
            return finished()
        }

        step = .records
        let scan = try RecordScanner(source: source, version: header.version).scan()
        scan.problems.forEach { add($0) }
        var recordAt: [Int: RecordScanner.Record] = [:]
        var format = ArchiveFormat(version: header.version)
        for record in scan.records {
            recordAt[record.head.offset] = record
            if record.head.kind.isAncillary {
                add(FormatError(.recordAncillaryUnknown, at: record.head.offset, "ancillary record \(record.head.kind) is unknown; readers skip it"), .warning)
            }
            guard record.head.kind == .defaults else { continue }
            guard record.head.offset == FileHeader.size else {
                add(FormatError(.recordMisplaced, at: record.head.offset, "a defaults record must be the first record after the header (offset \(FileHeader.size))"))
                continue
            }
            do {
                let (defaults, unknown) = try EntryDefaults.decode(body: record.body, at: record.head.bodyOffset)
                format.defaults = defaults
                for chunk in unknown {
                    add(FormatError(.chunkAncillaryUnknown, at: record.head.bodyOffset, "ancillary chunk \(chunk.type) of the defaults record is unknown; readers skip it"), .warning)
                }
            } catch let error as FormatError {
                add(error)
            }
        }

        // The trailer and the index it names.
        step = .index
        var rows: [IndexRow] = []
        var indexIsReadable = false
        do {
            rows = try ArchiveReader.readIndex(source, version: header.version)
            indexIsReadable = true
        } catch let error as FormatError {
            if !scan.problems.contains(where: { $0.offset == error.offset && $0.code == error.code }) { add(error) }
        }

        // Every index row must point at exactly one well-formed entry that it describes.
        step = .rows
        var indexed: Set<Int> = []
        var firstOffsetOfName: [String: Int] = [:]
        func noteName(_ name: String, at offset: Int) {
            if let first = firstOffsetOfName[name] {
                add(FormatError(.nameDuplicate, at: offset, "another entry named \(quoted(name)) is at offset \(first)", entry: name))
            } else {
                firstOffsetOfName[name] = offset
            }
        }
        for row in rows {
            indexed.insert(row.offset)
            guard let record = recordAt[row.offset], record.head.kind == .entry else {
                add(FormatError(.indexEntryMissing, at: row.offset,
                                "index row for \(quoted(row.summary.name)) points at offset \(row.offset), where no entry record starts",
                                entry: row.summary.name))
                continue
            }
            if row.summary.recordLength > record.head.totalLength {
                add(FormatError(.indexOverlap, at: row.offset,
                                "index row for \(quoted(row.summary.name)) spans \(row.summary.recordLength) bytes, past the end of its \(record.head.totalLength)-byte record into the next one",
                                entry: row.summary.name))
            } else if row.summary.recordLength < record.head.totalLength {
                add(FormatError(.indexLength, at: row.offset,
                                "index row for \(quoted(row.summary.name)) says \(row.summary.recordLength) bytes; the record has \(record.head.totalLength)",
                                entry: row.summary.name))
            }
            if let entry = check(record, format: format, add: addInEntry) {
                let actual = entry.summary(recordLength: record.head.totalLength)
                var expected = row.summary
                expected.recordLength = actual.recordLength
                if actual != expected {
                    add(FormatError(.indexMismatch, at: row.offset, ArchiveReader.differences(row.summary, actual), entry: entry.name))
                }
                noteName(entry.name, at: row.offset)
            }
        }
        report.entryCount = rows.count

        // Entry records the index does not list: lost to a reader that trusts the index.
        for record in scan.records where record.head.kind == .entry && !indexed.contains(record.head.offset) {
            let entry = check(record, format: format, add: addInEntry)
            if indexIsReadable {
                add(FormatError(.entryUnindexed, at: record.head.offset, "entry record is not listed in the index", entry: entry?.name))
            }
            if let entry { noteName(entry.name, at: record.head.offset) }
        }
        return finished()
    }

    /// Decodes one entry record and its prompt; reports what is wrong and returns the entry if it is whole.
    private func check(_ record: RecordScanner.Record, format: ArchiveFormat, add: (FormatError, Violation.Severity) -> Void) -> Entry? {
        do {
            let (entry, promptOffset) = try Entry.decodeLocated(body: record.body, at: record.head.bodyOffset, format: format)
            for unknown in entry.unknownChunks {
                add(FormatError(.chunkAncillaryUnknown, at: record.head.bodyOffset,
                                "ancillary chunk \(unknown.type) is unknown; readers skip it", entry: entry.name), .warning)
            }
            do {
                _ = try promptDecoding.text(of: entry.prompt, at: promptOffset)
            } catch let error as FormatError {
                add(error.inEntry(entry.name), .error)
            } catch {
                add(FormatError(.promptInvalid, at: promptOffset, "\(error)", entry: entry.name), .error)
            }
            return entry
        } catch let error as FormatError {
            add(error, .error)
        } catch {
            add(FormatError(.fieldInvalid, at: record.head.offset, "\(error)"), .error)
        }
        return nil
    }
}
