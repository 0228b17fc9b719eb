import GCXConcurrency
import Synchronization

/// Counts requests in flight and spaces their starts; shared by every task using one client.
///
/// A request waits for a slot (first come, first served), then for its start time: starts are at
/// least `60 / requestsPerMinute` seconds apart (no burst), so any 60-second window holds at most
/// `requestsPerMinute` starts. All waiting is on the client's clock, so tests run in virtual time.
final class RequestLimiter: Sendable {
    private let slots: Slots
    private let interval: Double?
    private let timeline: Timeline
    /// Earliest time (on the timeline) the next attempt may start.
    private let nextStart = Mutex(-Double.infinity)

    init(maxConcurrent: Int, requestsPerMinute: Int?, timeline: Timeline) {
        self.slots = Slots(maxConcurrent)
        self.interval = requestsPerMinute.map { 60.0 / Double(max(1, $0)) }
        self.timeline = timeline
    }

    /// Takes a slot, waiting for one when all are in use.
    /// - Throws: `CancellationError` if the task is cancelled while it waits.
    func acquire() async throws { try await slots.acquire() }

    func release() { slots.release() }

    /// Reserves the next start time the rate allows, if it is not after `deadline`; the caller
    /// (holding a slot) sleeps until it. Nil: the rate allows no start in time, nothing reserved.
    func reserveStart(notAfter deadline: Double) -> Double? {
        let now = timeline.now()
        guard let interval else { return now }
        return nextStart.withLock { nextStart in
            let start = max(now, nextStart)
            guard start <= deadline else { return nil }
            nextStart = start + interval
            return start
        }
    }
}

/// A client's view of its clock: seconds since the client was made, and sleeping, on any
/// `Clock` with `Duration` (`ContinuousClock` in use, a virtual clock in tests).
struct Timeline: Sendable {
    let now: @Sendable () -> Double
    let sleep: @Sendable (Double) async -> Void

    init(_ clock: some Clock<Duration>) {
        let origin = clock.now
        now = { origin.duration(to: clock.now).seconds }
        sleep = { seconds in
            guard seconds > 0 else { return }
            try? await clock.sleep(until: clock.now.advanced(by: .nanoseconds(Int64(seconds * 1e9))), tolerance: nil)
        }
    }
}

extension Duration {
    /// The duration in seconds, with nanosecond precision.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
