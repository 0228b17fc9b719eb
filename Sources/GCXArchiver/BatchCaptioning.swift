import Foundation
import GCX
import GCXConcurrency
import GCXFileIO
import GCXImage
import GCXNet
import GCXRasterScan
import SystemPackage

/// A pack's captions sent through the OpenAI Batch API and not yet collected: kept beside the
/// archive as `ARCHIVE.batch` (JSON, never the key), so a later `pack --append` can collect them.
public struct CaptionBatch: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    /// One photo sent: its request's custom id, entry name, and the file as it was sent, so a
    /// photo changed since is not given another's description.
    public struct Request: Codable, Sendable, Equatable {
        public var customID: String
        public var name: String
        public var size: UInt64
        public var sha256: String
    }

    public var version = CaptionBatch.currentVersion
    public var baseURL: String
    public var model: String
    /// The batches created, in order (more than one when the photos exceed one input file's limits).
    public var batchIDs: [String] = []
    public var requests: [Request] = []

    /// A record of no batches yet, for captions by `model` at `baseURL`.
    public init(baseURL: String, model: String) {
        self.baseURL = baseURL
        self.model = model
    }

    /// Where the batch of `archive` is kept.
    public static func path(for archive: FilePath) -> FilePath { FilePath(archive.string + ".batch") }

    /// The batch recorded at `path`, or nil when there is none.
    public static func load(_ path: FilePath) throws -> CaptionBatch? {
        guard FileSystem.exists(path) else { return nil }
        let bytes = try FileSource.readAll(path)
        let batch: CaptionBatch
        do {
            batch = try JSONDecoder().decode(CaptionBatch.self, from: Data(bytes))
        } catch {
            throw BatchError.unreadable(path.string, "\(error)")
        }
        guard batch.version == currentVersion else { throw BatchError.unreadable(path.string, "version \(batch.version); this gcx reads \(currentVersion)") }
        return batch
    }

    /// Forgets the batch recorded at `path` (once collected).
    public static func remove(_ path: FilePath) {
        try? FileSystem.remove(path)
    }

    /// Records the batch at `path`, readable by its owner only.
    public func save(_ path: FilePath) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(self)), to: path, permissions: 0o600)
    }
}

public enum BatchError: Error, CustomStringConvertible {
    /// The state file at the path is not a caption batch gcx wrote; the reason says why.
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path) is not a gcx caption batch: \(reason)"
        }
    }
}

/// Submits photos to the Batch API and collects the answers.
public struct BatchCaptioning: Sendable {
    public let backend: OpenAICaptioner
    public let batches: OpenAIBatchClient
    /// Largest input file uploaded; the API takes up to 200 MB and 50,000 requests per file.
    public var maxFileBytes = 190 * 1024 * 1024
    public var maxRequestsPerFile = OpenAIBatchClient.maxRequestsPerFile

    public init(backend: OpenAICaptioner, batches: OpenAIBatchClient) {
        self.backend = backend
        self.batches = batches
    }

    /// Sends `inputs` as one or more batches and records them at `statePath` after each one is
    /// created, so an interrupted submission never loses a batch that is already paid for.
    /// Photos that cannot be read or decoded are returned as failures and not sent.
    public func submit(_ inputs: [PackInput], statePath: FilePath) async throws -> (CaptionBatch, [ItemFailure]) {
        var state = CaptionBatch(baseURL: batches.baseURL, model: backend.client.model)
        var failures: [ItemFailure] = []
        var lines: [UInt8] = []
        var pending: [CaptionBatch.Request] = []
        func send() async throws {
            guard !pending.isEmpty else { return }
            let file = try await batches.upload(lines, filename: "gcx-captions-\(state.batchIDs.count + 1).jsonl")
            let batch = try await batches.create(inputFileID: file, metadata: ["created_by": "gcx pack"])
            state.batchIDs.append(batch.id)
            state.requests += pending
            try state.save(statePath)
            lines = []
            pending = []
        }
        let cpu = Slots.cpu
        let backend = backend
        _ = try await OrderedPipeline.run(
            count: inputs.count, window: 2 * cpu.count,
            start: { inputs[$0] },
            work: { input -> Swift.Result<(CaptionRequest, CaptionBatch.Request), ItemFailure> in
                do {
                    return .success(try await cpu.run {
                        let (bytes, decoded) = try EntryBuilder.read(input)
                        let request: CaptionRequest
                        do { request = try backend.prepare(decoded.image, fileBytes: bytes, input: input) } catch {
                            throw ItemFailure(input, stage: .describing, cause: error)
                        }
                        let hex = SHA256.hash(bytes).map { String(format: "%02x", $0) }.joined()
                        return (request, CaptionBatch.Request(customID: "", name: input.name, size: UInt64(bytes.count), sha256: hex))
                    })
                } catch {
                    return .failure(error as? ItemFailure ?? ItemFailure(input, stage: .packing, cause: error))
                }
            },
            deliver: { index, prepared in
                switch prepared {
                case .failure(let failure): failures.append(failure)
                case .success(let (request, sent)):
                    var record = sent
                    record.customID = "gcx-\(state.requests.count + pending.count + 1)"
                    let line = try backend.client.batchLine(customID: record.customID, imageBytes: request.image,
                                                            mimeType: request.mimeType, instruction: RasterScan.instruction) + [10]
                    if !pending.isEmpty && (lines.count + line.count > maxFileBytes || pending.count >= maxRequestsPerFile) {
                        try await send()
                    }
                    lines += line
                    pending.append(record)
                }
                return true
            })
        try await send()
        return (state, failures)
    }

    /// Where the batches stand, and once all are finished, their answers.
    public struct Collection: Sendable {
        /// Every batch as last retrieved.
        public var batches: [OpenAIBatchClient.Batch] = []
        /// Answers by entry name.
        public var answers: [String: String] = [:]
        /// Requests without an answer, by entry name, with the API's reason.
        public var failures: [(name: String, reason: String)] = []

        public var isFinished: Bool { batches.allSatisfy(\.isFinished) }
    }

    /// Polls every batch of `state`; when all are finished, downloads their output and error files.
    public func collect(_ state: CaptionBatch) async throws -> Collection {
        var collection = Collection()
        for id in state.batchIDs { collection.batches.append(try await batches.retrieve(id)) }
        guard collection.isFinished else { return collection }
        let names = Dictionary(state.requests.map { ($0.customID, $0.name) }, uniquingKeysWith: { first, _ in first })
        var unanswered = Set(state.requests.map(\.name))
        for batch in collection.batches {
            for message in batch.errorMessages where batch.status == "failed" {
                collection.failures.append((name: "", reason: "batch \(batch.id) failed: \(message)"))
            }
            for file in [batch.outputFileID, batch.errorFileID].compactMap({ $0 }) {
                for result in OpenAIBatchClient.results(in: try await batches.content(ofFile: file), file: file) {
                    guard let id = result.customID, let name = names[id] else {
                        if case .failure(let reason) = result.outcome { collection.failures.append((name: "", reason: reason)) }
                        continue
                    }
                    unanswered.remove(name)
                    switch result.outcome {
                    case .answer(let text): collection.answers[name] = text
                    case .failure(let reason): collection.failures.append((name: name, reason: reason))
                    }
                }
            }
        }
        for request in state.requests where unanswered.contains(request.name) {
            let status = collection.batches.map(\.status).joined(separator: ", ")
            collection.failures.append((name: request.name, reason: "no answer came back (batch \(status))"))
        }
        return collection
    }
}

/// Descriptions that came back from a batch, by entry name: packs exactly those photos, each
/// checked to be the file that was sent.
public struct BatchAnswersCaptioner: Captioner {
    public let answers: [String: String]
    public let requests: [String: CaptionBatch.Request]
    public let model: String

    public init(answers: [String: String], state: CaptionBatch) {
        self.answers = answers
        self.requests = Dictionary(state.requests.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.model = state.model
    }

    public var metadata: CaptionerMetadata { CaptionerMetadata(kind: .openAI, model: model, instructionVersion: RasterScan.version) }
    public var label: String { "openai model \(model), answers of a batch" }

    public func prepare(_ image: RGBImage, fileBytes: [UInt8], input: PackInput) throws -> CaptionRequest {
        guard let text = answers[input.name], let sent = requests[input.name] else {
            throw ItemFailure(input, stage: .describing, cause: ItemProblem.notInBatch)
        }
        let hex = SHA256.hash(fileBytes).map { String(format: "%02x", $0) }.joined()
        guard hex == sent.sha256 else {
            throw ItemFailure(input, stage: .describing, cause: ItemProblem.changedSinceBatchWasSent)
        }
        let warning = RasterScan.follows(text) ? nil
            : "the description does not follow the instruction's layout (batch answers are not asked again); stored as written"
        return CaptionRequest(input: input, ready: Caption(text: text, warning: warning))
    }

    public func caption(_ request: CaptionRequest) async throws -> Caption { try request.readyCaption() }
}
