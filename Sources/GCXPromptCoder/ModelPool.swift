import Synchronization

/// Primed models ready for use, one per concurrent caller. The first call of the process primes
/// the shared read-only primed state (about 50 ms, 25 MiB); each instance is a copy of it
/// (about 27 MiB with its bookkeeping), made when no idle instance is left, and reused after
/// that. So memory grows by one instance per thread coding at the same time.
final class ModelPool: Sendable {
    static let shared = ModelPool()

    private let idle = Mutex<[ContextModel]>([])

    /// Runs `body` with a primed model for `tables`, then rewinds it and returns it to the pool.
    func withModel<R, E: Error>(_ tables: ModelTables, _ body: (ContextModel) throws(E) -> R) throws(E) -> R {
        let model = idle.withLock { list -> ContextModel? in
            guard let i = list.lastIndex(where: { $0.tables.modelID == tables.modelID }) else { return nil }
            return list.remove(at: i)
        } ?? ContextModel(tables: tables)
        defer {
            model.rewind()
            idle.withLock { $0.append(model) }
        }
        return try body(model)
    }
}
