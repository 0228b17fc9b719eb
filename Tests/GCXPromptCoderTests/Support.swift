import GCXTestSupport

/// Paths of the shared corpus and the package's own spec folder, found relative to this file.
enum Fixtures {
    /// The newest model not primed on prompts-cid22-b.jsonl: tests that need descriptions the
    /// model has never seen code them with it (model 3 was primed on every corpus prompt, and
    /// codes a text it has seen, or a repetition of it, far tighter than a new one).
    static let heldOutModel = 2

    static let packageRoot = SharedData.packageRoot

    static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    /// Prompts of one corpus file (the "prompt" field of each JSON line); throws if it is missing.
    static func corpus(_ name: String) throws -> [String] {
        let path = try SharedData.corpusFile(name)
        guard let bytes = readFile(path) else { throw SharedData.Missing(path: path, variable: "GCX_CORPUS") }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            jsonStringField("prompt", in: String(line))
        }
    }

    /// Extracts a string field from one flat JSON object (enough for the corpus lines).
    static func jsonStringField(_ key: String, in line: String) -> String? {
        guard let r = line.firstRange(of: "\"\(key)\": \"") else { return nil }
        var out = ""
        var it = line[r.upperBound...].unicodeScalars.makeIterator()
        while let c = it.next() {
            switch c {
            case "\"": return out
            case "\\":
                guard let e = it.next() else { return nil }
                switch e {
                case "n": out += "\n"
                case "t": out += "\t"
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let h = it.next() { hex.unicodeScalars.append(h) } }
                    if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) { out.unicodeScalars.append(s) }
                default: out.unicodeScalars.append(e)
                }
            default: out.unicodeScalars.append(c)
            }
        }
        return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
