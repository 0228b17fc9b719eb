import Foundation
import GCXConcurrency
import Testing

/// Serialized: a signal goes to every listener, and a second one ends the process.
@Suite(.serialized) struct InterruptionTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func theFirstSignalCancelsTheTask(signal: Int32) async throws {
        let (value, received) = try await Interruption.cancelling { () async -> String in
            kill(getpid(), signal)
            do {
                try await Task.sleep(for: .seconds(60))
                return "slept"
            } catch {
                return "cancelled"
            }
        }
        #expect(value == "cancelled")
        #expect(received == Interruption.Signal(number: signal))
        #expect(received?.exitStatus == 128 + signal)
    }

    @Test func anErrorAfterTheSignalSaysItWasInterrupted() async {
        await #expect(throws: Interruption.Interrupted.self) {
            _ = try await Interruption.cancelling { () async throws -> Int in
                kill(getpid(), SIGINT)
                try await Task.sleep(for: .seconds(60))
                return 0
            }
        }
    }

    @Test func withoutASignalTheValueComesBack() async throws {
        let (value, received) = try await Interruption.cancelling { 42 }
        #expect(value == 42 && received == nil)
    }
}
