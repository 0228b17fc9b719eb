import GCXFileIO

/// Progress on stderr: a line that redraws itself on a terminal, a plain line per item otherwise
/// (logs stay readable), nothing with --quiet.
struct Progress {
    let quiet: Bool
    let isTerminal = StandardStream.error.isTerminal
    private var showingLine = false

    init(quiet: Bool) { self.quiet = quiet }

    mutating func item(_ index: Int, _ total: Int, _ text: String) {
        guard !quiet else { return }
        if isTerminal {
            // One line that never wraps: cut to the terminal's width, so redrawing it stays in place.
            let line = "[\(index + 1)/\(total)] \(text)"
            let width = max(20, (StandardStream.error.columns ?? 80) - 1)
            Output.errRaw("\r\u{1B}[K" + (line.count > width ? String(line.prefix(width - 1)) + "…" : line))
            showingLine = true
        } else {
            Output.err("[\(index + 1)/\(total)] \(text)")
        }
    }

    /// Information (which captioner, what was resumed): hidden by --quiet.
    mutating func info(_ text: String) {
        guard !quiet else { return }
        note(text)
    }

    /// A message that must stay visible (a failure, a warning).
    mutating func note(_ text: String) {
        endLine()
        Output.err(text)
    }

    mutating func endLine() {
        if showingLine { Output.errRaw("\r\u{1B}[K"); showingLine = false }
    }
}
