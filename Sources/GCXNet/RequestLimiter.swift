import Foundation

/// Counts requests in flight and spaces their starts; shared by all threads using one client.
///
/// The rate limit spaces attempt starts at least `60 / requestsPerMinute` seconds apart (no
/// burst), so any 60-second window holds at most `requestsPerMinute` starts.
final class RequestLimiter: @unchecked Sendable {
    private let condition = NSCondition()
    private let maxConcurrent: Int
    private let interval: Double?
    private var inFlight = 0
    /// Earliest monotonic time the next attempt may start.
    private var nextStart: Double = 0

    init(maxConcurrent: Int, requestsPerMinute: Int?) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.interval = requestsPerMinute.map { 60.0 / Double(max(1, $0)) }
    }

    /// Blocks until a slot is free and the rate allows a start. Returns false if that cannot
    /// happen before `deadline` (monotonic seconds); the slot is then not taken.
    func acquire(deadline: Double) -> Bool {
        condition.lock()
        while inFlight >= maxConcurrent {
            let remaining = deadline - Clock.now()
            if remaining <= 0 { condition.unlock(); return false }
            _ = condition.wait(until: Date(timeIntervalSinceNow: remaining))
        }
        inFlight += 1
        var startAt = Clock.now()
        if let interval {
            startAt = max(startAt, nextStart)
            if startAt > deadline {
                inFlight -= 1
                condition.signal()
                condition.unlock()
                return false
            }
            nextStart = startAt + interval
        }
        condition.unlock()
        // Sleep outside the lock: the slot is ours and the start time is reserved.
        let wait = startAt - Clock.now()
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
        return true
    }

    func release() {
        condition.lock()
        inFlight -= 1
        condition.signal()
        condition.unlock()
    }
}

/// Monotonic seconds (unaffected by wall-clock changes).
enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
