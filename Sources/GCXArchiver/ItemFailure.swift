import GCX
import GCXFileIO

/// One photo or entry that could not be packed or extracted, and why; the rest of the job goes on.
///
/// The cause is the typed error from below (a `FileIOError`, an `ImageError`, a client's error) or
/// the archiver's own `ItemProblem`, so a caller can react to its kind; `reason` words it for a
/// person, led by the stage.
public struct ItemFailure: Error, Sendable, CustomStringConvertible {
    /// Where in the job the item failed.
    public enum Stage: Sendable, Equatable {
        /// Finding the photos the arguments name.
        case collecting
        /// Making the entry name from the photo's path.
        case naming
        /// Reading a prompts file (`--prompts`).
        case prompts
        /// Reading the photo's bytes.
        case reading
        /// Decoding the photo.
        case decoding
        /// Describing the photo (a captioner, a batch's answers, a prompts file).
        case describing
        /// Making the thumbnail.
        case thumbnail
        /// Coding the prompt.
        case coding
        /// A caption batch's own report on the photo.
        case batch
        /// Adding the made entry to the archive.
        case adding
        /// Making an entry, or a batch request, where no narrower stage applies.
        case packing
        /// Choosing entries and their output files (extract).
        case selecting
        /// Reading an entry and its prompt from the archive (extract).
        case loading
        /// Making or writing one of an entry's output files (extract).
        case extracting(Extractor.Item)
    }

    /// What failed: a photo's path, an entry's name, a prompts file's `PATH:LINE`, a pattern.
    public var subject: String
    public var stage: Stage
    public var cause: any Error

    public init(_ subject: String, stage: Stage, cause: any Error) {
        self.subject = subject
        self.stage = stage
        self.cause = cause
    }

    /// The failure of the photo `input`, named by its path.
    public init(_ input: PackInput, stage: Stage, cause: any Error) {
        self.init(input.path.string, stage: stage, cause: cause)
    }

    /// What went wrong, without the subject. A problem the archiver words itself stands whole; an
    /// error from below is led by the stage, and a file error about the subject is not told the
    /// subject's path again.
    public var reason: String {
        if let problem = cause as? ItemProblem { return problem.description }
        let told = (cause as? FileIOError).map { $0.path == subject ? $0.problem : $0.description } ?? "\(cause)"
        return lead + told
    }

    private var lead: String {
        switch stage {
        case .naming: "cannot be named in an archive: "
        case .prompts: "cannot read the prompts file: "
        case .describing: "describing it failed: "
        case .thumbnail: "cannot make its thumbnail: "
        case .extracting(let item): "\(item.rawValue): "
        case .collecting, .reading, .batch, .decoding, .coding, .adding, .packing, .selecting, .loading: ""
        }
    }

    /// The subject as a terminal can show it (control characters escaped), then the reason.
    public var description: String {
        let printable = subject.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
        return "\(printable ? quoted(subject) : subject): \(reason)"
    }
}

/// What the archiver itself finds wrong with one item (no error from below caused it).
public enum ItemProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// An argument names nothing.
    case noSuchFile
    /// An argument is a symbolic link to nothing.
    case linkToNothing
    /// Two photos would have one entry name; the earlier one keeps it.
    case nameTaken(String, by: String)
    /// An image format gcx does not read (named as `FileKind` describes it).
    case unreadableFormat(String)
    /// A prompts file's line is not `{"image": ..., "prompt": ...}`.
    case malformedPromptLine
    /// A prompts file gives a second prompt for one image.
    case secondPrompt(image: String)
    /// Several lines of a prompts file match the photo.
    case ambiguousPrompt(sidecar: String, matches: [String])
    /// A prompts file has no line for the photo.
    case noPrompt(sidecar: String, name: String)
    /// The captioner was asked for a description it had not prepared.
    case noDescriptionPrepared
    /// A collected caption batch has no description of the photo.
    case notInBatch
    /// The photo's bytes differ from those the caption batch was sent.
    case changedSinceBatchWasSent
    /// A caption batch answered for a photo not given to this run.
    case answeredButNotGiven
    /// A caption batch's report on one request, as the service worded it.
    case batchReported(String)
    /// The description is longer than the container allows.
    case promptTooLong(bytes: Int, limit: Int)
    /// Two entries would write one output file.
    case outputTaken(item: Extractor.Item, path: String, by: String)
    /// A pattern given to extract matches no entry.
    case noMatchingEntry(archive: String)

    public var description: String {
        switch self {
        case .noSuchFile: "no such file or folder"
        case .linkToNothing: "a symbolic link to nothing"
        case .nameTaken(let name, let earlier): "its entry name \(quoted(name)) is already taken by \(earlier)"
        case .unreadableFormat(let kind):
            "\(kind), which gcx cannot read (it reads PNG, JPEG, WebP, TIFF, GIF, HEIF/HEIC and AVIF)"
        case .malformedPromptLine: "expected a JSON object with string fields \"image\" and \"prompt\""
        case .secondPrompt(let image): "a second prompt for \(quoted(image))"
        case .ambiguousPrompt(let sidecar, let matches):
            "several lines of \(sidecar) match it: \(matches.sorted().map(quoted).joined(separator: ", "))"
        case .noPrompt(let sidecar, let name): "\(sidecar) has no prompt for \(quoted(name))"
        case .noDescriptionPrepared: "no description was prepared"
        case .notInBatch: "the batch has no description of it"
        case .changedSinceBatchWasSent: "it changed since the batch was sent"
        case .answeredButNotGiven: "answered by the batch but not among the photos given now; pass it to pack it"
        case .batchReported(let reason): "batch: \(reason)"
        case .promptTooLong(let bytes, let limit): "its prompt is \(bytes) bytes; the limit is \(limit)"
        case .outputTaken(let item, let path, let other): "its \(item.rawValue) would be \(path), already written for \(quoted(other))"
        case .noMatchingEntry(let archive): "no entry in \(archive) matches it"
        }
    }
}

extension Error {
    /// The error is the task's cancellation, as such or as the cause of an item's failure: the
    /// item was abandoned, not failed.
    var isCancellation: Bool {
        if self is CancellationError { return true }
        if let failure = self as? ItemFailure { return failure.cause.isCancellation }
        return false
    }
}
