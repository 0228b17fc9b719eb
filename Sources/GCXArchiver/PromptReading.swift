import GCX
import GCXConcurrency
import GCXPromptCoder

/// Decodes the prompts of many entries, reading records in archive order and running the prompt
/// decoder in the CPU slots; memory stays bounded by working through the rows in slices.
public enum PromptReading {
    /// Calls `body` with each row and its prompt (or the error that stopped it), in row order.
    /// - Throws: what `body` throws, or `CancellationError` when the task is cancelled.
    public static func forEach(_ rows: [IndexRow], in reader: ArchiveReader, cpu: Slots = .cpu,
                               _ body: (IndexRow, Result<String, any Error>) throws -> Void) async throws {
        let slice = 256
        var start = 0
        while start < rows.count {
            let part = Array(rows[start..<min(start + slice, rows.count)])
            let entries = part.map { row in (row, Result { try reader.entry(at: row) }) }
            let texts = try await cpu.map(entries) { row, entry in
                entry.flatMap { entry in Result { try PromptDecoding.standard.text(of: entry.prompt, at: row.offset) } }
            }
            for (row, text) in zip(part, texts) { try body(row, text) }
            start += slice
        }
    }
}
