import Foundation
import Synchronization

/// A fixed number of slots that tasks take in turn, first come first served: the one bound on
/// concurrent work in gcx, for CPU lanes and for requests in flight alike.
///
/// A task cancelled while it waits for a slot stops waiting and throws `CancellationError`; one
/// that holds a slot keeps it until it is done.
///
///     let cpu = Slots(4)
///     let thumbnail = try await cpu.run { try Thumbnailer.make(image) }
public final class Slots: Sendable {
    /// How many tasks may hold a slot at once.
    public let count: Int
    private let state: Mutex<State>

    private struct State {
        var free: Int
        var nextWaiter = 0
        var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    /// `count` slots (at least one).
    public init(_ count: Int) {
        self.count = max(1, count)
        self.state = Mutex(State(free: self.count))
    }

    /// Takes a slot, waiting for one when all are in use.
    /// - Throws: `CancellationError` if the task is cancelled before it gets one.
    public func acquire() async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Now { case granted, cancelled, queued }
                let now = state.withLock { state -> Now in
                    // The cancellation handler may have run before the continuation was queued.
                    if Task.isCancelled { return .cancelled }
                    if state.free > 0 {
                        state.free -= 1
                        return .granted
                    }
                    state.waiting.append((id, continuation))
                    return .queued
                }
                switch now {
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiting.firstIndex { $0.id == id }.map { state.waiting.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back; the first task waiting gets it.
    public func release() {
        let next = state.withLock { state in
            if state.waiting.isEmpty {
                state.free += 1
                return nil as CheckedContinuation<Void, any Error>?
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }

    /// Runs `body` holding a slot.
    /// - Throws: `CancellationError` if cancelled while waiting, or what `body` throws.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    /// Runs `body` holding a slot, waiting for one however the task is cancelled meanwhile: for
    /// the work that turns something paid for (a caption, a generated image) into what is kept,
    /// which abandoning would throw away.
    /// - Throws: what `body` throws.
    public func runToCompletion<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        // An unstructured task does not inherit the caller's cancellation.
        try await Task { try await run(body) }.value
    }

    /// Tasks waiting for a slot now (for tests and progress).
    public var waiting: Int { state.withLock { $0.waiting.count } }
}

extension Slots {
    /// One slot per core, shared by everything in the process that computes (decoding, thumbnails,
    /// prompt coding, hashing), so CPU work never exceeds the cores, and no more decoded photos are
    /// in memory at once than there are cores, however many requests are in flight.
    public static let cpu = Slots(ProcessInfo.processInfo.activeProcessorCount)

    /// `transform` of every element, each run holding a slot, the results in the elements' order.
    /// At most `count` are in progress at once, so a long list costs no more tasks than that.
    /// - Throws: `CancellationError` if the task is cancelled; the results made so far are dropped.
    public func map<Element: Sendable, Value: Sendable>(_ elements: [Element],
                                                        _ transform: @escaping @Sendable (Element) -> Value) async throws -> [Value] {
        var results = [Value?](repeating: nil, count: elements.count)
        try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            var next = 0
            func startNext() {
                guard next < elements.count else { return }
                let index = next, element = elements[index]
                group.addTask { (index, try await self.run { transform(element) }) }
                next += 1
            }
            for _ in 0..<count { startNext() }
            while let (index, value) = try await group.next() {
                results[index] = value
                startNext()
            }
        }
        return results.map { $0! }
    }
}
