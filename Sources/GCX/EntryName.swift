/// Rules for entry names (spec/gcx.md §6.1): a relative path of `/`-separated components, NFC,
/// with nothing that could escape the folder an archive is extracted into.
public enum EntryName {
    /// Checks a stored name; throws the rule it breaks.
    public static func validate(_ name: String, at offset: Int = 0) throws {
        try validate(utf8: Array(name.utf8), name: name, at: offset)
    }

    /// Checks a name given as its UTF-8 bytes too (an index row has them at hand): the rules in
    /// the order of §6.1.1, without allocating for an ASCII name.
    static func validate(utf8: [UInt8], name: String, at offset: Int) throws {
        func fail(_ code: ErrorCode, _ why: String) -> FormatError {
            FormatError(code, at: offset, "entry name \(quoted(name)) \(why)", entry: nil)
        }
        let count = utf8.count
        guard count > 0 else { throw fail(.nameInvalid, "is empty") }
        guard count <= Limits.nameBytes else {
            throw fail(.limitExceeded, "is \(count) bytes long; the limit is \(Limits.nameBytes)")
        }
        // On the bytes, not on Characters (grapheme breaking is slow): C0 controls and DEL are single
        // bytes, the C1 controls U+0080...U+009F are C2 80...C2 9F.
        var ascii = true
        for index in 0..<count {
            let byte = utf8[index]
            if byte >= 0x80 { ascii = false }
            let control: UInt32? = byte < 0x20 || byte == 0x7F ? UInt32(byte)
                : byte == 0xC2 && index + 1 < count && (0x80..<0xA0).contains(utf8[index + 1]) ? UInt32(utf8[index + 1]) : nil
            if let control {
                throw fail(.nameInvalid, "contains the control character U+\(String(control, radix: 16, uppercase: true))")
            }
            if byte == 0x5C { throw fail(.nameInvalid, "contains a backslash; components are separated by \"/\" only") }
        }
        if utf8[0] == UInt8(ascii: "/") { throw fail(.nameAbsolute, "is absolute (starts with \"/\")") }
        if count >= 2, utf8[1] == UInt8(ascii: ":"), isASCIILetter(utf8[0]) {
            throw fail(.nameAbsolute, "starts with a drive letter")
        }
        // Components left to right, each against rules 5, 6 and 7 in turn.
        var start = 0
        while start <= count {
            var end = start
            while end < count && utf8[end] != UInt8(ascii: "/") { end += 1 }
            let length = end - start
            if length == 0 { throw fail(.nameInvalid, "has an empty path component (\"//\" or a trailing \"/\")") }
            if length == 1 && utf8[start] == 0x2E { throw fail(.nameInvalid, "has a \".\" component") }
            if length == 2 && utf8[start] == 0x2E && utf8[start + 1] == 0x2E { throw fail(.nameTraversal, "has a \"..\" component") }
            if length > Limits.nameComponentBytes {
                throw fail(.limitExceeded, "has a component of \(length) bytes; the limit is \(Limits.nameComponentBytes)")
            }
            start = end + 1
        }
        // ASCII text is already NFC; only other names need normalising to compare.
        guard ascii || normalized(name) == utf8 else {
            throw fail(.nameNotNormalized, "is not in Unicode normalisation form C")
        }
    }

    /// The NFC form of a name, as UTF-8 bytes.
    public static func normalized(_ name: String) -> [UInt8] { Array(name._nfcCodeUnits) }

    /// Turns a path as a user or a file system gives it into a stored name: NFC, `/` separators,
    /// no leading `./`. Throws if what remains breaks a rule (`..`, absolute, ...).
    public static func make(fromRelativePath path: String) throws -> String {
        var text = String(decoding: normalized(path), as: UTF8.self)
        while text.hasPrefix("./") { text.removeFirst(2) }
        try validate(text)
        return text
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

/// A name quoted for a message, with control characters escaped so a hostile name cannot
/// rewrite the terminal.
public func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x22: result += "\\\""
        case 0x5C: result += "\\\\"
        case 0..<0x20, 0x7F, 0x80..<0xA0: result += "\\u{\(String(scalar.value, radix: 16))}"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
