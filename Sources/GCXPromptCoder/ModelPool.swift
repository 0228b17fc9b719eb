import Synchronization

/// Primed models ready for use, one per concurrent caller and model. The first call of the process
/// for a model primes its shared read-only primed state (about 100 ms, 24.2 MiB). Each instance holds only its
/// working state on top of it (about 3.4 MiB: overlay index arrays, a small copy-on-write
/// overlay of touched buckets and APM rows, private mixer weights, match history and table); instances are made when no
/// idle one is left and reused after that. So memory grows by one instance per thread coding at
/// the same time.
final class ModelPool: Sendable {
    static let shared = ModelPool()

    private struct State {
        var idle: [ContextModel] = []
        var created = 0
        /// Models with at least one instance (so their primed state exists).
        var modelIDs: Set<Int> = []
    }
    private let state = Mutex<State>(State())

    /// Runs `body` with a primed model for `tables`, then rewinds it and returns it to the pool.
    func withModel<R, E: Error>(_ tables: ModelTables, _ body: (ContextModel) throws(E) -> R) throws(E) -> R {
        let model = state.withLock { s -> ContextModel? in
            guard let i = s.idle.lastIndex(where: { $0.tables.modelID == tables.modelID }) else { return nil }
            return s.idle.remove(at: i)
        } ?? {
            let m = ContextModel(tables: tables)
            state.withLock { $0.created += 1; $0.modelIDs.insert(tables.modelID) }
            return m
        }()
        defer {
            model.rewind()
            state.withLock { $0.idle.append(model) }
        }
        return try body(model)
    }

    /// Instances created so far, and the bytes allocated by those now idle (in-use instances are
    /// not inspected: they belong to another thread).
    func usage() -> (instances: Int, idle: Int, idleBytes: Int, modelIDs: [Int]) {
        state.withLock { s in (s.created, s.idle.count, s.idle.reduce(0) { $0 + $1.allocatedBytes }, s.modelIDs.sorted()) }
    }
}
