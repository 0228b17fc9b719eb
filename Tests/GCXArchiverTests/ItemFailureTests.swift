import Foundation
import Testing
import GCX
import GCXArchiver
import GCXFileIO
import GCXImage
import SystemPackage

/// An item's failure keeps its stage and its typed cause, and words them once.
@Suite struct ItemFailureTests {
    @Test func aProblemTheArchiverNamesStandsWhole() {
        let failure = ItemFailure("a.png", stage: .describing, cause: ItemProblem.noDescriptionPrepared)
        #expect(failure.reason == "no description was prepared")
        #expect(failure.description == "a.png: no description was prepared")
    }

    @Test func anErrorFromBelowIsLedByItsStage() {
        let refused = ImageError.tooLarge(width: 1, height: 2)
        #expect(ItemFailure("a.png", stage: .thumbnail, cause: refused).reason == "cannot make its thumbnail: \(refused)")
        #expect(ItemFailure("a.png", stage: .decoding, cause: refused).reason == "\(refused)")
        #expect(ItemFailure("a/b.png", stage: .extracting(.reconstruction), cause: refused).reason == "reconstruction: \(refused)")
    }

    @Test func aFileErrorAboutTheSubjectDoesNotNameItTwice() {
        let own = FileIOError(.system, path: "a.png", operation: "open", reason: "Permission denied")
        #expect(ItemFailure("a.png", stage: .reading, cause: own).description == "a.png: cannot open: Permission denied")
        let other = FileIOError(.system, path: "out/a.png", operation: "write", reason: "No space left on device")
        #expect(ItemFailure("a.png", stage: .extracting(.thumbnail), cause: other).reason
                == "thumbnail: out/a.png: cannot write: No space left on device")
    }

    @Test func aSubjectWithControlCharactersIsQuoted() {
        let failure = ItemFailure("a\nb.png", stage: .collecting, cause: ItemProblem.noSuchFile)
        #expect(failure.description == "\(quoted("a\nb.png")): no such file or folder")
    }

    /// Through the archiver: a photo that is not one, a missing argument and a sidecar line that
    /// is not an object each fail with their stage and a cause a caller can switch on.
    @Test func packFailuresCarryStageAndTypedCause() async throws {
        let root = NSTemporaryDirectory() + "item-failure-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: root + "/fake.png"))

        let summary = try await Packer(archive: FilePath(root + "/out.gcx"), options: PackOptions(), mode: .create)
            .run([PackInput(path: FilePath(root + "/fake.png"), name: "fake.png")])
        let failure = try #require(summary.failures.first)
        #expect(summary.failures.count == 1 && failure.subject == root + "/fake.png" && failure.stage == .decoding)
        #expect(failure.cause is ImageError)

        let missing = InputCollector.collect([root + "/nope.png"])
        #expect(missing.failures.first?.stage == .collecting)
        #expect(missing.failures.first?.cause as? ItemProblem == .noSuchFile)

        try Data("[1]\n".utf8).write(to: URL(fileURLWithPath: root + "/prompts.jsonl"))
        #expect {
            try PromptSidecar(path: FilePath(root + "/prompts.jsonl"))
        } throws: { error in
            guard let failure = error as? ItemFailure else { return false }
            return failure.subject == root + "/prompts.jsonl:1" && failure.stage == .prompts
                && failure.cause as? ItemProblem == .malformedPromptLine
        }
    }
}
