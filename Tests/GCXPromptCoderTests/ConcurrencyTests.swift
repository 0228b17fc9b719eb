import Dispatch
import Synchronization
import Testing
@testable import GCXPromptCoder

@Suite struct ConcurrencyTests {
    /// Many threads encode and decode at once (as the archiver does when it packs photos in
    /// parallel): every payload must equal the one coded alone, and every decode must round-trip.
    /// Also covers instances whose overlay grew for a long text being reused for short ones.
    @Test func concurrentCodingMatchesSequential() throws {
        var texts = try Fixtures.corpus("prompts-cid22-b.jsonl")
        if texts.isEmpty { texts = ["Type: photograph. Style: test.\nTop-left: blue sky"] }
        // A long text that grows the overlays without repeating itself (a repeated one codes tighter
        // than decoders may accept, spec B.1): the held-out prompts joined, and other scripts; so
        // coded with a model that has not seen them.
        texts.append(texts.joined(separator: "\n日本語 😀 "))
        texts.append("")
        let inputs = texts
        let model = Fixtures.heldOutModel
        let expected = texts.map { PromptCoder.encode($0, modelID: model) }
        let jobs = texts.count * 6
        let results = ResultBox(count: jobs)
        DispatchQueue.concurrentPerform(iterations: jobs) { j in
            let i = (j * 7) % inputs.count
            let p = PromptCoder.encode(inputs[i], modelID: model)
            let d = try? PromptCoder.decode(expected[i], decodedLength: inputs[i].utf8.count)
            results.set(j, p == expected[i] && d == inputs[i])
        }
        #expect(results.allTrue)
        let usage = PromptCoder.memoryUsage()
        #expect(usage.instances >= 1)
        // A model's shared primed state plus one thread's working state within the 32 MiB budget
        // (other suites in this process may have primed the other model too).
        #expect(!usage.modelIDs.isEmpty)
        #expect(usage.sharedBytes / max(1, usage.modelIDs.count) + usage.instanceBytes / max(1, usage.instances) <= 32 << 20)
    }

    @Test(arguments: [1, 2, 3]) func memoryForOneThreadIsWithinBudget(modelID: Int) throws {
        let tables = try #require(ModelTables.of(id: modelID))
        _ = PromptCoder.encode("Top-left: sky", modelID: modelID)
        let model = ContextModel(tables: tables)
        let shared = ContextModel.PrimedState.of(tables).allocatedBytes
        #expect(shared + model.allocatedBytes <= 32 << 20)
    }
}

/// Results written from several threads, one slot each.
final class ResultBox: Sendable {
    private let flags: Mutex<[Bool]>
    init(count: Int) { flags = Mutex([Bool](repeating: false, count: count)) }
    func set(_ i: Int, _ v: Bool) { flags.withLock { $0[i] = v } }
    var allTrue: Bool { flags.withLock { $0.allSatisfy { $0 } } }
}
