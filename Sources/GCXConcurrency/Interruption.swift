#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CGCXSystem
import Foundation
import Synchronization

/// Ctrl-C and `kill` as task cancellation: the first SIGINT or SIGTERM cancels the task doing a
/// long job, which stops starting work, abandons what waits (a request in flight is aborted) and
/// returns what it completed; a second signal ends the process at once, which is still safe
/// because every completed item is already on disk. Outside ``cancelling(_:)`` the signals keep
/// their default actions.
///
///     let (summary, signal) = try await Interruption.cancelling { try await packer.run(inputs) }
///     if let signal { exit(signal.exitStatus) }   // 130 for SIGINT, 143 for SIGTERM
public enum Interruption {
    /// A signal that interrupted a job.
    public struct Signal: Sendable, Equatable, CustomStringConvertible {
        /// The signal's number (`SIGINT`, `SIGTERM`).
        public let number: Int32

        /// The signal numbered `number`.
        public init(number: Int32) { self.number = number }

        /// "SIGINT", "SIGTERM" or "signal N".
        public var description: String {
            switch number {
            case SIGINT: "SIGINT"
            case SIGTERM: "SIGTERM"
            default: "signal \(number)"
            }
        }

        /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), the status shells report
        /// for a process the signal ended.
        public var exitStatus: Int32 { 128 + number }
    }

    /// The body threw after a signal cancelled it.
    public struct Interrupted: Error, CustomStringConvertible {
        /// The signal received.
        public let signal: Signal
        /// What the cancelled body threw.
        public let cause: any Error

        /// "stopped by SIGINT".
        public var description: String { "stopped by \(signal)" }
    }

    /// Runs `body` in a task that the first SIGINT or SIGTERM cancels, listening for them only
    /// while it runs. Cancelling the caller cancels the body too.
    /// - Returns: what `body` returned, and the signal if one cancelled it.
    /// - Throws: ``Interrupted`` if `body` threw after a signal, else what it threw.
    public static func cancelling<T: Sendable>(_ body: sending @escaping () async throws -> T) async throws -> (value: T, signal: Signal?) {
        // Listening starts before the body does, so no signal it causes can be missed.
        let listener = Listener()
        listener.start()
        defer { listener.stop() }
        let task = Task(operation: body)
        listener.onFirst { task.cancel() }
        do {
            let value = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            return (value, listener.received)
        } catch {
            if let signal = listener.received { throw Interrupted(signal: signal, cause: error) }
            throw error
        }
    }

    /// What one ``cancelling(_:)`` heard.
    private final class Listener: Sendable {
        private let state = Mutex<(received: Signal?, cancel: (@Sendable () -> Void)?)>((nil, nil))

        var received: Signal? { state.withLock { $0.received } }

        func start() { SignalPipe.shared.add(self) }
        func stop() { SignalPipe.shared.remove(self) }

        /// What the first signal does; run at once if one came already.
        func onFirst(_ cancel: @escaping @Sendable () -> Void) {
            let already = state.withLock { state in
                state.cancel = cancel
                return state.received != nil
            }
            if already { cancel() }
        }

        func receive(_ number: Int32) {
            let (first, cancel) = state.withLock { state in
                guard state.received == nil else { return (false, state.cancel) }
                state.received = Signal(number: number)
                return (true, state.cancel)
            }
            if first { cancel?() } else { _exit(128 + number) }
        }
    }

    /// The process's SIGINT and SIGTERM handler, installed while any listener is: the C handler
    /// writes each signal's number to a pipe (all it may safely do), and a thread reading the pipe
    /// tells the listeners. With none, the signals have their default actions again.
    private final class SignalPipe: Sendable {
        static let shared = SignalPipe()
        private let listeners = Mutex<[ObjectIdentifier: Listener]>([:])
        private let writeEnd: Int32

        private init() {
            var ends: [Int32] = [-1, -1]
            guard pipe(&ends) == 0 else {
                writeEnd = -1
                return
            }
            let readEnd = ends[0]
            writeEnd = ends[1]
            let reader = Thread { [self] in
                var byte: UInt8 = 0
                while true {
                    let count = read(readEnd, &byte, 1)
                    if count == 1 {
                        let heard = listeners.withLock { Array($0.values) }
                        for listener in heard { listener.receive(Int32(byte)) }
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
            reader.name = "gcx-signals"
            reader.start()
        }

        func add(_ listener: Listener) {
            listeners.withLock { listeners in
                if listeners.isEmpty && writeEnd >= 0 { _ = gcx_signal_pipe_install(writeEnd) }
                listeners[ObjectIdentifier(listener)] = listener
            }
        }

        func remove(_ listener: Listener) {
            listeners.withLock { listeners in
                listeners[ObjectIdentifier(listener)] = nil
                if listeners.isEmpty { gcx_signal_pipe_remove() }
            }
        }
    }
}
