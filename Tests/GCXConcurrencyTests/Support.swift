import Foundation
import GCXConcurrency
import Synchronization

/// Counts holders at once and the most there ever were.
final class Occupancy: Sendable {
    private let state = Mutex((now: 0, peak: 0))
    func enter() { state.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}

/// What tasks did, in the order they did it.
final class Log: Sendable {
    private let state = Mutex<[Int]>([])
    func append(_ number: Int) { state.withLock { $0.append(number) } }
    var numbers: [Int] { state.withLock { $0 } }
}

