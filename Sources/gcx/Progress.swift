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
            let line = "[\(index + 1)/\(total)] \(text)"
            Output.errRaw("\r\u{1B}[K" + String(line.prefix(160)))
            showingLine = true
        } else {
            Output.err("[\(index + 1)/\(total)] \(text)")
        }
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
