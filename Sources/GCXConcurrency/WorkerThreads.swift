import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads for calls that block (a libcurl transfer): an async caller hands one
/// over and is resumed with its result, so no thread of Swift's small cooperative pool is held
/// while the call waits on the network.
///
/// At most `count` threads run; they are started as work arrives and end after `idleTimeout`
/// seconds without any. Work beyond `count` waits in order, so callers should bound what they
/// hand over (``Slots``) to what they want running.
public final class WorkerThreads: Sendable {
    /// The most threads that run at once.
    public let count: Int
    private let name: String
    private let stackSize: Int
    private let idleTimeout: Double
    private let ready = DispatchSemaphore(value: 0)
    private let state = Mutex(State())

    private struct State {
        var queue: [@Sendable () -> Void] = []
        var head = 0
        var threads = 0
        var idle = 0
    }

    /// - Parameters:
    ///   - count: the most threads (at least one).
    ///   - name: the threads' name, as debuggers and `top -H` show it.
    public init(count: Int, name: String, stackSize: Int = 1 << 20, idleTimeout: Double = 30) {
        self.count = max(1, count)
        self.name = name
        self.stackSize = stackSize
        self.idleTimeout = idleTimeout
    }

    /// Runs `body` on one of the threads and returns what it returns.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Threads running now (for tests).
    public var threadCount: Int { state.withLock { $0.threads } }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        let startsThread = state.withLock { state in
            state.queue.append(job)
            let waitingJobs = state.queue.count - state.head
            guard waitingJobs > state.idle, state.threads < count else { return false }
            state.threads += 1
            return true
        }
        if startsThread {
            let thread = Thread { [self] in work() }
            thread.name = name
            thread.stackSize = stackSize
            thread.start()
        }
        ready.signal()
    }

    private func work() {
        while true {
            state.withLock { $0.idle += 1 }
            let woken = ready.wait(timeout: .now() + idleTimeout) == .success
            let job = state.withLock { state -> (@Sendable () -> Void)? in
                state.idle -= 1
                guard state.head < state.queue.count else {
                    // Timed out with nothing queued: this thread ends.
                    if !woken { state.threads -= 1 }
                    return nil
                }
                let job = state.queue[state.head]
                state.head += 1
                if state.head > 64 && state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return job
            }
            if let job {
                job()
            } else if !woken {
                return
            }
        }
    }
}
