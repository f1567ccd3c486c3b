/// Where a ``StateBackedStorage`` keeps its one `StoreState` value, and how it reaches it:
/// under a lock in memory, or from a file that other processes share.
protocol StoreBackend: Sendable {
    /// Runs `body` on the current state (for a file: re-read first if another process replaced it).
    func read<T: Sendable>(_ body: @escaping @Sendable (StoreState) throws(StorageError) -> T)
        async throws(StorageError) -> T

    /// Runs `body` as one commit: if it throws, the state (and the file) stay as they were.
    func write<T: Sendable>(_ body: @escaping @Sendable (inout StoreState) throws(StorageError) -> T)
        async throws(StorageError) -> T

    /// Learns how many records a listing examined (the in-memory adapter counts them).
    func recordListing(examined: Int)
}

/// The one implementation of ``VaultStorage`` over a `StoreState` value, which
/// ``InMemoryStorage`` and ``FileStorage`` share: each differs only in its backend (a lock,
/// or a file rewritten on every commit), not in forwarding code of its own.
///
/// It cannot be created or subclassed outside the library: use one of the two adapters.
public class StateBackedStorage: VaultStorage {
    let backend: any StoreBackend

    init(backend: any StoreBackend) { self.backend = backend }

    /// See ``VaultStorage/commit(_:)``.
    @discardableResult
    public func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult {
        try await backend.write { (s: inout StoreState) throws(StorageError) in try s.commit(change) }
    }

    /// See ``VaultStorage/readHeader()``.
    public func readHeader() async throws(StorageError) -> StoredHeader? {
        try await backend.read { s in s.header.map { StoredHeader(bytes: $0, generation: s.headerGeneration) } }
    }

    /// See ``VaultStorage/entity(_:)``.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        try await backend.read { $0.entities[id] }
    }

    /// See ``VaultStorage/entities(visibleTo:)``.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        let (found, examined) = try await backend.read { s in
            var examined = 0
            return (s.visible(to: query, examined: &examined), examined)
        }
        backend.recordListing(examined: examined)
        return found
    }

    /// See ``VaultStorage/entities(after:limit:)``.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        try await backend.read { $0.page(after: after, limit: limit) }
    }

    /// See ``VaultStorage/history(of:)``.
    public func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity] {
        try await backend.read { $0.history[id] ?? [] }
    }

    /// See ``VaultStorage/auditHead()``.
    public func auditHead() async throws(StorageError) -> AuditHead {
        try await backend.read { $0.auditHead }
    }

    /// See ``VaultStorage/auditRecords(_:)``.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        try await backend.read { $0.auditRecords(query) }
    }

    /// See ``VaultStorage/accessRequest(_:)``.
    public func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest? {
        try await backend.read { state in state.requests[id] }
    }

    /// See ``VaultStorage/accessRequests(_:)``.
    public func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest] {
        try await backend.read { state in state.accessRequests(query) }
    }

    /// See ``VaultStorage/user(named:)``.
    public func user(named username: String) async throws(StorageError) -> User? {
        try await backend.read { $0.user(named: username) }
    }

    /// See ``VaultStorage/user(id:)``.
    public func user(id: UserID) async throws(StorageError) -> User? {
        try await backend.read { $0.usersByID[id] }
    }

    /// See ``VaultStorage/users()``.
    public func users() async throws(StorageError) -> [User] {
        try await backend.read { $0.usersByID.values.sorted { $0.id < $1.id } }
    }

    /// See ``VaultStorage/group(named:)``.
    public func group(named name: String) async throws(StorageError) -> Group? {
        try await backend.read { $0.groups[name] }
    }

    /// See ``VaultStorage/groups()``.
    public func groups() async throws(StorageError) -> [Group] {
        try await backend.read { $0.groups.values.sorted { $0.name < $1.name } }
    }

    /// See ``VaultStorage/groups(containing:)``.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        try await backend.read { $0.groupsByMember[username] ?? [] }
    }
}

// Sendable by construction, unchecked only because the class is not final: its one stored
// property is a `let` of a `Sendable` type, and its two subclasses add only `let`s of
// `Sendable` types. No other module can subclass it (it is public, not open).
extension StateBackedStorage: @unchecked Sendable {}
