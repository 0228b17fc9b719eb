import GCX

/// Which entries a command works on, chosen as people name files: an entry name (`holiday/a.jpg`,
/// also `./holiday/a.jpg`), a folder (`holiday` or `holiday/`, everything under it), or a glob
/// (`'holiday/*.jpg'`, `'*/IMG_00??.*'`, `'[ab]*'`) — `*` and `?` match any characters including
/// `/`, as tar's patterns do, and a glob that matches a folder selects what is under it.
///
///     let chosen = try EntrySelection(["phone/*", "a.png"]).select(from: reader.rows)
public struct EntrySelection: Sendable {
    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { pattern in
            var trimmed = Substring(pattern)
            while trimmed.hasPrefix("./") { trimmed = trimmed.dropFirst(2) }
            return String(trimmed)
        }
    }

    /// The rows chosen, in archive order, each once; and the patterns that chose nothing.
    public func select(from rows: [IndexRow]) -> (rows: [IndexRow], unmatched: [String]) {
        guard !patterns.isEmpty else { return (rows, []) }
        var matched = Array(repeating: false, count: patterns.count)
        var chosen: [IndexRow] = []
        for row in rows {
            var taken = false
            for (index, pattern) in patterns.enumerated() where EntrySelection.matches(pattern, name: row.summary.name) {
                matched[index] = true
                taken = true
            }
            if taken { chosen.append(row) }
        }
        return (chosen, patterns.indices.filter { !matched[$0] }.map { patterns[$0] })
    }

    /// Whether `pattern` chooses the entry `name`: the name itself, or a folder holding it.
    public static func matches(_ pattern: String, name: String) -> Bool {
        let folder = pattern.hasSuffix("/") ? String(pattern.dropLast()) : pattern
        guard isGlob(folder) else {
            return name == folder || name.hasPrefix(folder + "/")
        }
        if glob(Array(folder.unicodeScalars), Array(name.unicodeScalars)) { return true }
        // A glob naming a folder: any "/" in the name ends a candidate folder.
        var prefix: [Unicode.Scalar] = []
        for scalar in name.unicodeScalars {
            if scalar == "/" && glob(Array(folder.unicodeScalars), prefix) { return true }
            prefix.append(scalar)
        }
        return false
    }

    static func isGlob(_ pattern: String) -> Bool { pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// `*` any run, `?` one character, `[abc]` `[a-z]` `[!x]` a class; iterative with one
    /// backtracking point per `*`, so the work is at most pattern length × name length.
    static func glob(_ pattern: [Unicode.Scalar], _ name: [Unicode.Scalar]) -> Bool {
        var p = 0, n = 0
        var starP = -1, starN = 0
        while n < name.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    starP = p
                    starN = n
                    p += 1
                    continue
                case "?":
                    p += 1
                    n += 1
                    continue
                case "[":
                    if let (matchesClass, end) = matchClass(pattern, at: p, name[n]) {
                        if matchesClass {
                            p = end
                            n += 1
                            continue
                        }
                    } else if name[n] == "[" {  // an unclosed "[" is itself
                        p += 1
                        n += 1
                        continue
                    }
                default:
                    if pattern[p] == name[n] {
                        p += 1
                        n += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starN += 1
            n = starN
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether `c` is in the class starting at `pattern[start]` ("["), and the index after its "]";
    /// nil when the class is not closed.
    static func matchClass(_ pattern: [Unicode.Scalar], at start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        let negated = i < pattern.count && (pattern[i] == "!" || pattern[i] == "^")
        if negated { i += 1 }
        var found = false
        var first = true
        while i < pattern.count && (pattern[i] != "]" || first) {
            first = false
            if i + 2 < pattern.count && pattern[i + 1] == "-" && pattern[i + 2] != "]" {
                if pattern[i].value <= c.value && c.value <= pattern[i + 2].value { found = true }
                i += 3
            } else {
                if pattern[i] == c { found = true }
                i += 1
            }
        }
        guard i < pattern.count else { return nil }
        return (found != negated, i + 1)
    }
}
