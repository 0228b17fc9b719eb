import Foundation
import GCX
import GCXPromptCoder

/// Decodes the prompts of many entries, reading records in archive order and running the prompt
/// decoder on several cores; memory stays bounded by working through the rows in slices.
public enum PromptReading {
    /// Calls `body` with each row and its prompt (or the error that stopped it), in row order.
    public static func forEach(_ rows: [IndexRow], in reader: ArchiveReader, lanes: Int = ProcessInfo.processInfo.activeProcessorCount,
                               _ body: (IndexRow, Result<String, Error>) throws -> Void) rethrows {
        let slice = 256
        var start = 0
        while start < rows.count {
            let part = Array(rows[start..<min(start + slice, rows.count)])
            let entries = part.map { row in Result { try reader.entry(at: row) } }
            let texts = ResultSlots<String>(count: part.count)
            let used = max(1, min(lanes, part.count))
            DispatchQueue.concurrentPerform(iterations: used) { lane in
                for index in stride(from: lane, to: part.count, by: used) {
                    texts.set(index, entries[index].flatMap { entry in
                        Result { try PromptDecoding.standard.text(of: entry.prompt, at: part[index].offset) }
                    })
                }
            }
            for (index, row) in part.enumerated() { try body(row, texts.get(index)) }
            start += slice
        }
    }
}
