import Foundation

/// Checks a captioner answer against the raster-scan layout of the instruction (v1): eleven
/// lines — `Type: … Style: … Lighting: … Palette: …`, the nine regions in raster order, then
/// `Composition:`.
public enum LayoutCheck {
    /// The labels of lines 2 to 11, in order.
    public static let lineLabels = [
        "Top-left:", "Top-center:", "Top-right:",
        "Middle-left:", "Middle-center:", "Middle-right:",
        "Bottom-left:", "Bottom-center:", "Bottom-right:",
        "Composition:",
    ]
    /// Fields the first line must hold after its leading `Type:`.
    public static let firstLineFields = ["Style:", "Lighting:", "Palette:"]

    /// True when `text` (ignoring surrounding whitespace and `\r`) has exactly the eleven lines,
    /// each starting with its label and holding something after it.
    public static func follows(_ text: String) -> Bool {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count == 1 + lineLabels.count else { return false }
        let first = lines[0]
        guard first.hasPrefix("Type:"), hasContent(first, after: "Type:") else { return false }
        for field in firstLineFields where !first.contains(field) { return false }
        for (line, label) in zip(lines.dropFirst(), lineLabels) {
            guard line.hasPrefix(label), hasContent(line, after: label) else { return false }
        }
        return true
    }

    private static func hasContent(_ line: String, after label: String) -> Bool {
        !line.dropFirst(label.count).trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// The follow-up sent when an answer broke the layout.
    public static let reminder = """
        Your answer did not follow the required format. Answer again for the same picture in exactly \
        this form: eleven lines, one field per line, plain text, no markdown, no extra lines:
        Type: <...>. Style: <...>. Lighting: <...>. Palette: <...>.
        Top-left: <...>
        Top-center: <...>
        Top-right: <...>
        Middle-left: <...>
        Middle-center: <...>
        Middle-right: <...>
        Bottom-left: <...>
        Bottom-center: <...>
        Bottom-right: <...>
        Composition: <...>.
        """
}
