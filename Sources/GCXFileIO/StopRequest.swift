#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Ctrl-C and `kill` asking a long job to stop: the first SIGINT or SIGTERM is recorded so the job
/// can finish the item in hand and keep everything completed; a second one ends the process at once
/// (what is already on disk is still safe: every archive entry is complete before the next starts).
///
///     let stop = StopRequest.onInterrupt()
///     for item in items { if stop.isRequested { break }; ... }
///     if let status = stop.exitStatus { exit(status) }   // 130 for SIGINT, 143 for SIGTERM
public final class StopRequest: @unchecked Sendable {
    private let received = Atomic<Int32>(0)
    /// Kept alive as long as the request; set once, before anyone else sees the request.
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Starts listening for SIGINT and SIGTERM.
    public static func onInterrupt() -> StopRequest {
        let request = StopRequest()
        var made: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [request] in request.receive(number) }
            source.resume()
            made.append(source)
        }
        request.sources = made
        return request
    }

    /// Records a signal; the second one ends the process with the shell's status for it.
    public func receive(_ number: Int32) {
        let (exchanged, _) = received.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent)
        if !exchanged { _exit(128 + number) }
    }

    public var isRequested: Bool { received.load(ordering: .sequentiallyConsistent) != 0 }

    /// The signal's name, once one was received.
    public var signalName: String? {
        switch received.load(ordering: .sequentiallyConsistent) {
        case 0: nil
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case let other: "signal \(other)"
        }
    }

    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells report a process it
    /// ended; nil if none was received.
    public var exitStatus: Int32? {
        let number = received.load(ordering: .sequentiallyConsistent)
        return number == 0 ? nil : 128 + number
    }
}
