/// A ``VaultStorage`` in memory: for tests, benchmarks and throw-away vaults.
///
/// Every commit is atomic under one lock; nothing survives the process.
/// Lists are served from three indexes (owner, user share, group share), and
/// ``statistics`` counts the records each query touched so tests can prove
/// that a list does not scan. The rules live in `StoreState` and the
/// ``VaultStorage`` requirements in ``StateBackedStorage``, both shared with ``FileStorage``.
public final class InMemoryStorage: StateBackedStorage {
    private let memory: MemoryBackend

    /// An empty store.
    public init() {
        memory = MemoryBackend()
        super.init(backend: memory)
    }

    /// Counters a test can read to check how much work queries did.
    public struct Statistics: Sendable, Equatable {
        /// Records examined by ``VaultStorage/entities(visibleTo:)`` calls, in all.
        public var recordsExaminedByListing = 0
        /// Calls of ``VaultStorage/entities(visibleTo:)``.
        public var listings = 0
    }

    /// The counters so far.
    public var statistics: Statistics { memory.counters.withLock { $0 } }

    /// How many entries are stored.
    public var count: Int { memory.state.withLock { $0.entities.count } }
}

/// The state under a lock; a commit mutates it in place, which `StoreState.commit(_:)`
/// makes atomic by checking every part before changing anything.
final class MemoryBackend: StoreBackend {
    let state = Locked(StoreState())
    let counters = Locked(InMemoryStorage.Statistics())

    func read<T: Sendable>(_ body: @escaping @Sendable (StoreState) throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try body(s) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (inout StoreState) throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try body(&s) }
    }

    func recordListing(examined: Int) {
        counters.withLock {
            $0.listings += 1
            $0.recordsExaminedByListing += examined
        }
    }
}

// As for `StateBackedStorage`: every stored property is a `let` of a `Sendable` type.
extension InMemoryStorage: @unchecked Sendable {}
