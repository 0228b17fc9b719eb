import Foundation

/// The read-only data beside the checkout (`../shared`): photo datasets and the description corpus.
/// Tests may read it; the package never does. `GCX_DATASETS` and `GCX_CORPUS` point either folder
/// elsewhere. A test that needs a file that is not there fails with `Missing`, naming the path and
/// how to provide it: never a crash, never a silent pass.
public enum SharedData {
    /// The checkout: the folder holding Package.swift.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The datasets folder (kodak, clic, cid22, pngsuite, jpeg-samples).
    public static let datasets = folder(environment: "GCX_DATASETS", beside: "datasets")
    /// The corpus folder (the raster-scan instruction and prompts-*.jsonl).
    public static let corpus = folder(environment: "GCX_CORPUS", beside: "corpus")

    public struct Missing: Error, CustomStringConvertible {
        public var path: String, variable: String
        public init(path: String, variable: String) { (self.path, self.variable) = (path, variable) }
        public var description: String {
            "\(path) is missing: these tests read ../shared beside the checkout (or set \(variable))"
        }
    }

    /// The path of `relative` under the datasets folder; throws `Missing` if nothing is there.
    public static func dataset(_ relative: String) throws(Missing) -> String {
        try existing(datasets + "/" + relative, variable: "GCX_DATASETS")
    }

    /// The path of `name` in the corpus folder; throws `Missing` if nothing is there.
    public static func corpusFile(_ name: String) throws(Missing) -> String {
        try existing(corpus + "/" + name, variable: "GCX_CORPUS")
    }

    /// The names in dataset `folder` ending in `suffix`, sorted; empty if the folder is missing (so a
    /// test's parameter list can be built from it; the tests that count them then fail).
    public static func datasetFiles(_ folder: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: datasets + "/" + folder)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    private static func existing(_ path: String, variable: String) throws(Missing) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path, variable: variable) }
        return path
    }

    private static func folder(environment variable: String, beside name: String) -> String {
        if let override = ProcessInfo.processInfo.environment[variable], !override.isEmpty { return override }
        return URL(fileURLWithPath: packageRoot).deletingLastPathComponent().appendingPathComponent("shared/" + name).path
    }
}
