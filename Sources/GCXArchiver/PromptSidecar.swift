import Foundation
import GCX
import GCXFileIO
import SystemPackage

/// Descriptions supplied by the user: a JSONL file of `{"image": NAME, "prompt": TEXT}` lines, the
/// format of the development corpus. A supplied prompt is stored exactly as given.
public struct PromptSidecar: Sendable {
    public let path: FilePath
    private var byImage: [String: String] = [:]

    /// Reads and checks the whole file; a line that is not such an object is an error naming the line.
    public init(path: FilePath) throws {
        self.path = path
        let data: [UInt8]
        do { data = try FileSource.readAll(path) } catch {
            throw ItemFailure(path.string, stage: .prompts, cause: error)
        }
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let image = object["image"] as? String, let prompt = object["prompt"] as? String else {
                throw ItemFailure("\(path):\(lineNumber)", stage: .prompts, cause: ItemProblem.malformedPromptLine)
            }
            guard byImage[image] == nil else {
                throw ItemFailure("\(path):\(lineNumber)", stage: .prompts, cause: ItemProblem.secondPrompt(image: image))
            }
            byImage[image] = prompt
        }
    }

    public var count: Int { byImage.count }

    /// The prompt for an entry: its line's `image` is the entry name (the path relative to the packed
    /// folder), the file's own name, or a path ending in "/" + the entry name.
    public func prompt(for input: PackInput) throws -> String? {
        if let exact = byImage[input.name] { return exact }
        let fileName = input.name.split(separator: "/").last.map(String.init) ?? input.name
        if let byFileName = byImage[fileName] { return byFileName }
        let matches = byImage.keys.filter { $0.hasSuffix("/" + input.name) }
        if matches.count > 1 {
            throw ItemFailure(input, stage: .describing, cause: ItemProblem.ambiguousPrompt(sidecar: path.string, matches: matches))
        }
        return matches.first.flatMap { byImage[$0] }
    }
}
