import GCX
import GCXFileIO
import GCXNet
import SystemPackage

/// Packing through the OpenAI Batch API takes several runs of one command: the first sends the
/// photos the archive lacks and records the batch beside it (`ARCHIVE.batch`); a later one finds
/// the batch finished and packs its answers. This is one such run, up to the point where packing
/// starts (the `Packer` does the rest).
public struct BatchPack: Sendable {
    public let archive: FilePath
    public let captioning: BatchCaptioning
    /// Whether the archive there may be added to (a batch is collected only into one).
    public let appending: Bool

    /// Where the batch in progress is recorded.
    public var statePath: FilePath { CaptionBatch.path(for: archive) }

    public init(archive: FilePath, captioning: BatchCaptioning, appending: Bool) {
        self.archive = archive
        self.captioning = captioning
        self.appending = appending
    }

    /// What this run did.
    public enum Step: Sendable {
        /// No batch was recorded: `sent` photos went out (nil when the archive had them all) and
        /// `failures` could not be sent. Nothing is packed now.
        case sent(CaptionBatch?, failures: [ItemFailure])
        /// A batch is recorded and not finished yet.
        case pending([OpenAIBatchClient.Batch])
        /// The batch is finished: pack `inputs` with `captioner`; `failures` are the photos it did
        /// not answer. Once they are packed, `finish()` forgets the batch.
        case collected(inputs: [PackInput], captioner: BatchAnswersCaptioner, failures: [ItemFailure],
                       batches: [OpenAIBatchClient.Batch])
    }

    /// Why a batch run cannot go on; the CLI says which flag would help.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// A batch is recorded but the archive is not to be added to.
        case batchNotCollected(statePath: FilePath)
        /// The archive exists and is not to be added to.
        case archiveExists(FilePath)

        public var description: String {
            switch self {
            case .batchNotCollected(let path): "\(path) holds a batch not yet collected"
            case .archiveExists(let path): "\(path) exists"
            }
        }
    }

    /// What a run reports while it works.
    public enum Event: Sendable {
        /// This many photos are being read and uploaded.
        case preparing(Int)
        /// The batch is not finished; the next poll follows after the interval.
        case polled([OpenAIBatchClient.Batch])
    }

    /// Sends or collects. With `pollInterval`, an unfinished batch is polled until it finishes.
    public func step(_ inputs: [PackInput], pollInterval: Duration? = nil,
                     progress: (Event) -> Void = { _ in }) async throws -> Step {
        guard let state = try CaptionBatch.load(statePath) else { return try await send(inputs, progress: progress) }
        guard appending else { throw Refusal.batchNotCollected(statePath: statePath) }
        var collection = try await captioning.collect(state)
        while let pollInterval, !collection.isFinished {
            progress(.polled(collection.batches))
            try await Task.sleep(for: pollInterval)
            collection = try await captioning.collect(state)
        }
        guard collection.isFinished else { return .pending(collection.batches) }
        let given = Set(inputs.map(\.name))
        let sent = Set(state.requests.map(\.name))
        var failures = collection.failures.map {
            ItemFailure($0.name.isEmpty ? statePath.string : $0.name, stage: .batch, cause: ItemProblem.batchReported($0.reason))
        }
        for name in sent.subtracting(given).sorted() where collection.answers[name] != nil {
            failures.append(ItemFailure(name, stage: .batch, cause: ItemProblem.answeredButNotGiven))
        }
        return .collected(inputs: inputs.filter { collection.answers[$0.name] != nil },
                          captioner: BatchAnswersCaptioner(answers: collection.answers, state: state),
                          failures: failures, batches: collection.batches)
    }

    /// Forgets the collected batch: what failed is sent again by the next batch run, not collected twice.
    public func finish() { CaptionBatch.remove(statePath) }

    /// Sends the photos the archive does not hold yet.
    private func send(_ inputs: [PackInput], progress: (Event) -> Void) async throws -> Step {
        var present: Set<String> = []
        if FileSystem.exists(archive) {
            guard appending else { throw Refusal.archiveExists(archive) }
            let reader = try ArchiveReader(source: FileSource(archive), recover: true)
            present = Set(reader.rows.map(\.summary.name))
        }
        let missing = inputs.filter { !present.contains($0.name) }
        guard !missing.isEmpty else { return .sent(nil, failures: []) }
        progress(.preparing(missing.count))
        let (state, failures) = try await captioning.submit(missing, statePath: statePath)
        return .sent(state, failures: failures)
    }
}
