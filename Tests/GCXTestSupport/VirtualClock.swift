import Synchronization

/// A clock whose time moves only when someone sleeps on it: a sleep returns at once, with the
/// clock moved on to its deadline. Retries, backoff and rate limits run on it in no real time,
/// and the sleeps it records say exactly when each wait would have ended.
public final class VirtualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let state = Mutex((current: Instant(offset: .zero), deadlines: [Duration]()))

    public init() {}

    public var now: Instant { state.withLock { $0.current } }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        state.withLock { state in
            state.deadlines.append(deadline.offset)
            if state.current < deadline { state.current = deadline }
        }
        await Task.yield()
    }

    /// The deadlines of every sleep so far, in the order they were asked for.
    public var sleeps: [Duration] { state.withLock { $0.deadlines } }

    /// Seconds from the clock's start to now.
    public var elapsed: Double {
        let (seconds, attoseconds) = now.offset.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
