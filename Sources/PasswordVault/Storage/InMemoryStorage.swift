import Synchronization

/// A ``VaultStorage`` in memory: for tests, benchmarks and throw-away vaults.
///
/// Every operation is atomic under one lock; nothing survives the process.
/// Lists are served from three indexes (owner, user share, group share), and
/// ``statistics`` counts the records each query touched so tests can prove
/// that a list does not scan.
public final class InMemoryStorage: VaultStorage {
    private let state = Mutex(State())

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
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// How many entries are stored.
    public var count: Int { state.withLock { $0.entities.count } }

    /// See ``VaultStorage/readHeader()``.
    public func readHeader() async throws(StorageError) -> [UInt8]? {
        state.withLock { $0.header }
    }

    /// See ``VaultStorage/writeHeader(_:expected:)``.
    public func writeHeader(_ header: [UInt8], expected: [UInt8]?) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard s.header == expected else { throw .conflict }
            s.header = header
        }
    }

    /// See ``VaultStorage/allocateIdentifier()``.
    public func allocateIdentifier() async throws(StorageError) -> EntryID {
        state.withLock { s in
            s.lastIdentifier += 1
            return EntryID(rawValue: s.lastIdentifier)!
        }
    }

    /// See ``VaultStorage/insert(_:)``.
    public func insert(_ entity: PasswordEntity) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            let id = entity.identifier
            guard s.entities[id] == nil else { throw .duplicate("entry \(id)") }
            guard id.rawValue <= s.lastIdentifier else { throw .notFound("identifier \(id) was never allocated") }
            s.entities[id] = entity
            s.index(entity)
            s.orderedInsert(id)
        }
    }

    /// See ``VaultStorage/entity(_:)``.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        state.withLock { $0.entities[id] }
    }

    /// See ``VaultStorage/replace(_:expectedVersion:)``.
    public func replace(_ entity: PasswordEntity, expectedVersion: UInt64) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let old = s.entities[entity.identifier], old.version == expectedVersion else { throw .conflict }
            s.unindex(old)
            s.entities[entity.identifier] = entity
            s.index(entity)
        }
    }

    /// See ``VaultStorage/delete(_:expectedVersion:)``.
    public func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard let old = s.entities[id], old.version == expectedVersion else { throw .conflict }
            s.unindex(old)
            s.entities[id] = nil
            s.orderedRemove(id)
        }
    }

    /// See ``VaultStorage/entities(visibleTo:)``.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        state.withLock { s in
            var ids = s.byOwner[query.owner] ?? []
            ids.formUnion(s.byUser[query.username] ?? [])
            for group in query.groups { ids.formUnion(s.byGroup[group] ?? []) }
            s.statistics.listings += 1
            s.statistics.recordsExaminedByListing += ids.count
            return ids.sorted().compactMap { id in
                guard let entity = s.entities[id], query.includeDisabled || entity.isActive,
                    query.filter.matches(entity)
                else { return nil }
                return entity
            }
        }
    }

    /// See ``VaultStorage/entities(after:limit:)``.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        state.withLock { s in
            let start = after.map { s.firstIndex(above: $0) } ?? 0
            let end = start + Swift.min(s.ordered.count - start, Swift.max(limit, 0))  // no overflow near Int.max
            return s.ordered[start..<end].compactMap { s.entities[$0] }
        }
    }

    // MARK: Directory

    /// See ``VaultStorage/addUser(_:)``.
    public func addUser(_ user: User) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard s.usersByID[user.id] == nil else { throw .duplicate("user id \(user.id)") }
            guard s.userIDsByName[user.username] == nil else { throw .duplicate("username \(user.username)") }
            s.usersByID[user.id] = user
            s.userIDsByName[user.username] = user.id
        }
    }

    /// See ``VaultStorage/user(named:)``.
    public func user(named username: String) async throws(StorageError) -> User? {
        state.withLock { s in s.userIDsByName[username].flatMap { s.usersByID[$0] } }
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
        try state.withLock { (s: inout State) throws(StorageError) in
            guard s.groups[name] == nil else { throw .duplicate("group \(name)") }
            s.groups[name] = Group(name: name)
        }
    }

    /// See ``VaultStorage/setMembership(group:username:isMember:)``.
    public func setMembership(group: String, username: String, isMember: Bool) async throws(StorageError) {
        try state.withLock { (s: inout State) throws(StorageError) in
            guard s.groups[group] != nil else { throw .notFound("group \(group)") }
            if isMember {
                s.groups[group]!.members.insert(username)
                s.groupsByMember[username, default: []].insert(group)
            } else {
                s.groups[group]!.members.remove(username)
                s.groupsByMember[username]?.remove(group)
            }
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

extension InMemoryStorage {
    struct State: ~Copyable {
        var header: [UInt8]?
        var lastIdentifier: Int64 = 0
        var entities: [EntryID: PasswordEntity] = [:]
        /// Identifiers in ascending order, for paging.
        var ordered: [EntryID] = []
        var byOwner: [UserID: Set<EntryID>] = [:]
        var byUser: [String: Set<EntryID>] = [:]
        var byGroup: [String: Set<EntryID>] = [:]
        var usersByID: [UserID: User] = [:]
        var userIDsByName: [String: UserID] = [:]
        var groups: [String: Group] = [:]
        var groupsByMember: [String: Set<String>] = [:]
        var statistics = Statistics()

        mutating func index(_ entity: PasswordEntity) {
            let id = entity.identifier
            byOwner[entity.owner, default: []].insert(id)
            for share in entity.usersAllowed { byUser[share.username, default: []].insert(id) }
            for share in entity.groupsAllowed { byGroup[share.name, default: []].insert(id) }
        }

        mutating func unindex(_ entity: PasswordEntity) {
            let id = entity.identifier
            byOwner[entity.owner]?.remove(id)
            for share in entity.usersAllowed { byUser[share.username]?.remove(id) }
            for share in entity.groupsAllowed { byGroup[share.name]?.remove(id) }
        }

        /// The position of the first identifier greater than `id`.
        func firstIndex(above id: EntryID) -> Int {
            var low = 0
            var high = ordered.count
            while low < high {
                let mid = (low + high) / 2
                if ordered[mid] <= id { low = mid + 1 } else { high = mid }
            }
            return low
        }

        mutating func orderedInsert(_ id: EntryID) {
            if let last = ordered.last, last > id {
                ordered.insert(id, at: firstIndex(above: id))
            } else {
                ordered.append(id)
            }
        }

        mutating func orderedRemove(_ id: EntryID) {
            let position = firstIndex(above: id) - 1
            if position >= 0, ordered[position] == id { ordered.remove(at: position) }
        }
    }
}
