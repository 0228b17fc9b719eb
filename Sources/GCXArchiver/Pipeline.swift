import Foundation
import Synchronization

/// Runs jobs concurrently and hands their results over in order, with a bounded number started.
///
/// Pack and extract are built on it: slow items (a caption that takes 15 s) do not hold up the
/// others, yet results reach the archive in input order, so its bytes never depend on timing, and
/// at most `window` items are in progress or waiting to be delivered, so memory does not grow with
/// the collection.
enum OrderedPipeline {
    /// Starts jobs 0..<count, `window` at most ahead of delivery. `start` makes job i's input on the
    /// caller's task (so it may use what is not shared across threads), `work` runs concurrently,
    /// and `deliver` gets the outputs in index order on the caller's task. No job is started once
    /// the task is cancelled (the jobs in progress are cancelled with it) or `deliver` returns
    /// false; those already started are still delivered, so `deliver` sees what a cancelled job
    /// made of its cancellation. If `deliver` throws, the rest are cancelled and the error is
    /// rethrown.
    /// - Returns: the number of jobs delivered (less than `count` when stopped or cancelled).
    static func run<Job: Sendable, Output: Sendable>(
        count: Int, window: Int,
        start: (Int) -> Job,
        work: @escaping @Sendable (Job) async -> Output,
        deliver: (Int, Output) async throws -> Bool
    ) async throws -> Int {
        let window = max(1, window)
        var started = 0, delivered = 0
        var stopped = false
        var failure: Error?
        var ready: [Int: Output] = [:]
        await withTaskGroup(of: (Int, Output).self) { group in
            func startMore() {
                while !stopped && started < count && started - delivered < window {
                    if Task.isCancelled {
                        stopped = true
                        return
                    }
                    let job = start(started)
                    let index = started
                    group.addTask { (index, await work(job)) }
                    started += 1
                }
            }
            startMore()
            while let (index, output) = await group.next() {
                ready[index] = output
                while failure == nil, let next = ready.removeValue(forKey: delivered) {
                    do {
                        if try await !deliver(delivered, next) { stopped = true }
                        delivered += 1
                    } catch {
                        failure = error
                        stopped = true
                        group.cancelAll()
                    }
                }
                startMore()
            }
        }
        if let failure { throw failure }
        return delivered
    }
}
