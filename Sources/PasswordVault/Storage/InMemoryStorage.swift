/// A ``VaultStorage`` in memory: for tests, benchmarks and throw-away vaults.
///
/// Every operation is atomic under one lock; nothing survives the process.
/// Lists are served from three indexes (owner, user share, group share), and
/// ``statistics`` counts the records each query touched so tests can prove
/// that a list does not scan. The rules themselves live in `StoreState`, which
/// ``FileStorage`` shares.
public final class InMemoryStorage: VaultStorage {
    private let state = Locked(StoreState())
    private let counters = Locked(Statistics())

    /// An empty store.
    public init() {}

    /// Counters a test can read to check how much work queries did.
    public struct Statistics: Sendable, Equatable {
        /// Records examined by ``entities(visibleTo:)`` calls, in all.
        public var recordsExaminedByListing = 0
        /// Calls of ``entities(visibleTo:)``.
        public var listings = 0
    }

    /// The counters so far.
    public var statistics: Statistics { counters.withLock { $0 } }

    /// How many entries are stored.
    public var count: Int { state.withLock { $0.entities.count } }

    /// See ``VaultStorage/readHeader()``.
    public func readHeader() async throws(StorageError) -> [UInt8]? {
        state.withLock { $0.header }
    }

    /// See ``VaultStorage/writeHeader(_:expected:)``.
    public func writeHeader(_ header: [UInt8], expected: [UInt8]?) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try s.writeHeader(header, expected: expected)
        }
    }

    /// See ``VaultStorage/allocateIdentifier()``.
    public func allocateIdentifier() async throws(StorageError) -> EntryID {
        try state.withLock { (s: inout StoreState) throws(StorageError) in EntryID(rawValue: try s.allocate(1))! }
    }

    /// See ``VaultStorage/insert(_:)``.
    public func insert(_ entity: PasswordEntity) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try s.insert(entity) }
    }

    /// See ``VaultStorage/entity(_:)``.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        state.withLock { $0.entities[id] }
    }

    /// See ``VaultStorage/replace(_:expectedVersion:)``.
    public func replace(_ entity: PasswordEntity, expectedVersion: UInt64) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in
            try s.replace(entity, expectedVersion: expectedVersion)
        }
    }

    /// See ``VaultStorage/delete(_:expectedVersion:)``.
    public func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in
            try s.delete(id, expectedVersion: expectedVersion)
        }
    }

    /// See ``VaultStorage/entities(visibleTo:)``.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        var examined = 0
        let found = state.withLock { $0.visible(to: query, examined: &examined) }
        counters.withLock {
            $0.listings += 1
            $0.recordsExaminedByListing += examined
        }
        return found
    }

    /// See ``VaultStorage/entities(after:limit:)``.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        state.withLock { $0.page(after: after, limit: limit) }
    }

    // MARK: Directory

    /// See ``VaultStorage/addUser(_:)``.
    public func addUser(_ user: User) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try s.addUser(user) }
    }

    /// See ``VaultStorage/user(named:)``.
    public func user(named username: String) async throws(StorageError) -> User? {
        state.withLock { $0.user(named: username) }
    }

    /// See ``VaultStorage/user(id:)``.
    public func user(id: UserID) async throws(StorageError) -> User? {
        state.withLock { $0.usersByID[id] }
    }

    /// See ``VaultStorage/users()``.
    public func users() async throws(StorageError) -> [User] {
        state.withLock { $0.usersByID.values.sorted { $0.id < $1.id } }
    }

    /// See ``VaultStorage/addGroup(named:)``.
    public func addGroup(named name: String) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in try s.addGroup(named: name) }
    }

    /// See ``VaultStorage/setMembership(group:username:isMember:)``.
    public func setMembership(group: String, username: String, isMember: Bool) async throws(StorageError) {
        try state.withLock { (s: inout StoreState) throws(StorageError) in
            try s.setMembership(group: group, username: username, isMember: isMember)
        }
    }

    /// See ``VaultStorage/group(named:)``.
    public func group(named name: String) async throws(StorageError) -> Group? {
        state.withLock { $0.groups[name] }
    }

    /// See ``VaultStorage/groups()``.
    public func groups() async throws(StorageError) -> [Group] {
        state.withLock { $0.groups.values.sorted { $0.name < $1.name } }
    }

    /// See ``VaultStorage/groups(containing:)``.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        state.withLock { $0.groupsByMember[username] ?? [] }
    }
}
