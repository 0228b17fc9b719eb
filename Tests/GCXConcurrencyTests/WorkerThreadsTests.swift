import Foundation
import GCXConcurrency
import Testing

struct WorkerThreadsTests {
    @Test func blockingCallsRunOnAtMostCountThreads() async {
        let workers = WorkerThreads(count: 3, name: "test-worker")
        let occupancy = Occupancy()
        let threads = await withTaskGroup(of: UInt.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    await workers.run {
                        occupancy.enter()
                        defer { occupancy.leave() }
                        usleep(2000)  // blocks its thread, as a transfer does
                        return UInt(pthread_self())
                    }
                }
            }
            return await group.reduce(into: [UInt]()) { $0.append($1) }
        }
        #expect(threads.count == 30 && Set(threads).count <= 3, "all ran, on at most 3 threads")
        #expect(occupancy.peak <= 3 && occupancy.peak >= 2, "\(occupancy.peak)")
        #expect(workers.threadCount <= 3)
    }

    @Test func idleThreadsEnd() async throws {
        let workers = WorkerThreads(count: 2, name: "test-idle", idleTimeout: 0.01)
        #expect(await workers.run { 7 } == 7)
        // A thread idle for 10 ms ends; give it up to 10 s on a loaded machine.
        let deadline = ContinuousClock.now + .seconds(10)
        while workers.threadCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(workers.threadCount == 0)
        #expect(await workers.run { 8 } == 8, "work after the threads ended starts a new one")
    }
}
