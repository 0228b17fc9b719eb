/// The raster-scan description schema, version 1, in one place: the instruction captioners are
/// given, the layout their answers must follow, the check of that layout, the reminder sent when
/// an answer breaks it, and the policy of asking once more. The built-in describer writes the same
/// layout with the same labels; entries record `version` in their "c" chunk.
///
///     let caption = try RasterScan.caption { followUp in try client.describe(..., followUp: followUp) }
///     if !caption.followsLayout { warn(...) }
public enum RasterScan {
    /// The instruction version written into entries ("c" chunk, spec/gcx.md §6.6).
    public static let version = 1

    /// The nine regions in raster order: the top third, then the middle, then the bottom; left to right.
    public static let regionLabels = [
        "Top-left", "Top-center", "Top-right",
        "Middle-left", "Middle-center", "Middle-right",
        "Bottom-left", "Bottom-center", "Bottom-right",
    ]

    /// Fields the first line holds after its leading `Type:`.
    public static let firstLineFields = ["Style:", "Lighting:", "Palette:"]

    /// The labels that start lines 2 to 11, in order.
    public static let lineLabels = regionLabels.map { $0 + ":" } + ["Composition:"]

    /// The instruction given to captioners, kept in the product because users do not have the
    /// development corpus.
    public static let instruction = """
        You are the analysis stage of a generative image codec. A decoder will redraw this picture from your words alone (sometimes helped by a tiny blurred thumbnail), so give it exactly what it needs to reproduce the layout, the objects, their colours and the light. Scan the picture in raster order: the top third first, then the middle third, then the bottom third; inside each third go left, centre, right.

        Answer in exactly this form, one field per line, plain text, no markdown:
        Type: <photograph, painting, illustration, render, screenshot, scan, ...>. Style: <...>. Lighting: <...>. Palette: <...>.
        Top-left: <...>
        Top-center: <...>
        Top-right: <...>
        Middle-left: <...>
        Middle-center: <...>
        Middle-right: <...>
        Bottom-left: <...>
        Bottom-center: <...>
        Bottom-right: <...>
        Composition: <viewpoint, framing, main subject and where it sits, depth of field, horizon position>.

        Rules: each region gets one phrase of at most 25 words naming what is there (identity, count, colour, material, texture, size, orientation, and any legible text verbatim in quotes) and how it continues into neighbouring regions; write "continues the <thing>" instead of describing a thing twice; describe only what is visible, no guesses and no opinions; the whole answer is at most 230 words.
        """

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

    /// True when `text` (ignoring surrounding whitespace and `\r`) has exactly the eleven lines —
    /// `Type: … Style: … Lighting: … Palette: …`, the nine regions in raster order, `Composition:` —
    /// each starting with its label and holding something after it.
    public static func follows(_ text: String) -> Bool {
        let lines = trimmed(Substring(text.replacing("\r\n", with: "\n")), whitespaceAndNewlines: true)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { trimmed($0, whitespaceAndNewlines: false) }
        guard lines.count == 1 + lineLabels.count else { return false }
        let first = lines[0]
        guard first.hasPrefix("Type:"), hasContent(first, after: "Type:") else { return false }
        for field in firstLineFields where !first.contains(field) { return false }
        for (line, label) in zip(lines.dropFirst(), lineLabels) {
            guard line.hasPrefix(label), hasContent(line, after: label) else { return false }
        }
        return true
    }

    /// What a captioner answered under the schema.
    public struct Caption: Sendable, Equatable {
        /// The answer exactly as the model wrote it.
        public var text: String
        /// Whether `text` follows the layout; false is a warning, not an error.
        public var followsLayout: Bool
        /// True when the first answer broke the layout and the reminder was sent.
        public var usedReminder: Bool

        public init(text: String, followsLayout: Bool, usedReminder: Bool) {
            self.text = text
            self.followsLayout = followsLayout
            self.usedReminder = usedReminder
        }
    }

    /// A second turn of the conversation: the first answer, and what to say about it.
    public struct FollowUp: Sendable, Equatable {
        public var previousAnswer: String
        public var message: String
    }

    /// The policy: ask; if the answer breaks the layout, ask once more in the same conversation
    /// with the reminder, and return the second answer, flagged if it still breaks it.
    public static func caption(_ ask: (FollowUp?) async throws -> String) async rethrows -> Caption {
        let first = try await ask(nil)
        if follows(first) { return Caption(text: first, followsLayout: true, usedReminder: false) }
        let second = try await ask(FollowUp(previousAnswer: first, message: reminder))
        return Caption(text: second, followsLayout: follows(second), usedReminder: true)
    }

    private static func hasContent(_ line: Substring, after label: String) -> Bool {
        !trimmed(line.dropFirst(label.count), whitespaceAndNewlines: false).isEmpty
    }

    private static func trimmed(_ text: Substring, whitespaceAndNewlines: Bool) -> Substring {
        let isSpace = { (c: Character) in c.isWhitespace && (whitespaceAndNewlines || !c.isNewline) }
        guard let start = text.firstIndex(where: { !isSpace($0) }), let end = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return text[start...end]
    }
}
