import Foundation
import Testing
import GCXPromptCoder

/// spec/prompt-model/vectors-N.json (spec B.8): the test vectors a reimplementation checks itself
/// against, bit by bit, are what this coder does. (check_ref.sh checks the Python reference too.)
@Suite struct VectorTests {
    struct Vectors: Decodable {
        var text: String
        var decoded_length: Int
        var payload: String
        var primed: [String: String]
        var steps: [[UInt64]]
    }

    @Test(arguments: [1, 2, 3]) func theSpecsTestVectorsAreThisCoders(modelID: Int) throws {
        let path = Fixtures.packageRoot + "/spec/prompt-model/vectors-\(modelID).json"
        let vectors = try JSONDecoder().decode(Vectors.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
        let digests = PromptCoder.primedStateDigests(modelID: modelID)
        #expect(digests.map(\.part) == ["T0", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "A", "W0", "W1", "W2", "WF", "MT", "SM", "hist"])
        for (part, sha256) in digests { #expect(vectors.primed[part] == sha256, "primed state part \(part)") }
        let payload = PromptCoder.encode(vectors.text, modelID: modelID)
        #expect(payload.map { String(format: "%02x", $0) }.joined() == vectors.payload)
        #expect(try PromptCoder.decode(payload, decodedLength: vectors.decoded_length) == vectors.text)
        let steps = try PromptCoder.trace(payload, decodedLength: vectors.decoded_length, bits: vectors.steps.count)
        try #require(steps.count == vectors.steps.count)
        for (k, (ours, theirs)) in zip(steps, vectors.steps).enumerated() {
            #expect([UInt64(ours.p1), UInt64(ours.bit), UInt64(ours.low), UInt64(ours.high)] == theirs, "bit \(k)")
        }
    }
}
