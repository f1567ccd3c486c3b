import CoreMetrics
import PasswordVault

/// A storage that times every call of the one it wraps into a swift-metrics timer
/// (docs/contract.md §12, "Observing the vault"): `pwvault_storage_duration`, dimension
/// `operation` (`commit`, `entity`, `audit_head` …), failures included. Nothing else changes:
/// the wrapped storage still runs every call, and offers its executor when it has one.
///
/// ```swift
/// let vault = try await Vault.open(storage: TimedStorage(sqlite), credential: credential)
/// ```
public struct TimedStorage<Inner: VaultStorage>: VaultStorage {
    /// The timer's label.
    public static var label: String { "pwvault_storage_duration" }

    /// The storage that does the work.
    public let inner: Inner
    private let timers: [Operation: Timer]

    /// The timed calls, by their `operation` dimension.
    enum Operation: String, CaseIterable {
        case commit
        case readHeader = "read_header"
        case entity
        case entitiesVisible = "entities_visible"
        case entitiesPage = "entities_page"
        case history
        case auditHead = "audit_head"
        case auditRecords = "audit_records"
        case accessRequest = "access_request"
        case accessRequests = "access_requests"
        case user
        case users
        case group
        case groups
        case groupsContaining = "groups_containing"
    }

    /// Wraps `inner`; the timers go to `factory`, by default the one the host bootstrapped.
    public init(_ inner: Inner, factory: any MetricsFactory = MetricsSystem.factory) {
        self.inner = inner
        var timers: [Operation: Timer] = [:]
        for operation in Operation.allCases {
            timers[operation] = Timer(
                label: Self.label, dimensions: [("operation", operation.rawValue)], factory: factory)
        }
        self.timers = timers
    }

    private func timed<T>(
        _ operation: Operation, _ body: () async throws(StorageError) -> T
    ) async throws(StorageError) -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = (ContinuousClock.now - start).components
            timers[operation]?.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        return try await body()
    }

    /// The wrapped storage's call, timed.
    public func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult {
        try await timed(.commit) { () async throws(StorageError) in try await inner.commit(change) }
    }
    /// The wrapped storage's call, timed.
    public func readHeader() async throws(StorageError) -> StoredHeader? {
        try await timed(.readHeader) { () async throws(StorageError) in try await inner.readHeader() }
    }
    /// The wrapped storage's call, timed.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        try await timed(.entity) { () async throws(StorageError) in try await inner.entity(id) }
    }
    /// The wrapped storage's call, timed.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        try await timed(.entitiesVisible) { () async throws(StorageError) in try await inner.entities(visibleTo: query)
        }
    }
    /// The wrapped storage's call, timed.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        try await timed(.entitiesPage) { () async throws(StorageError) in
            try await inner.entities(after: after, limit: limit)
        }
    }
    /// The wrapped storage's call, timed.
    public func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity] {
        try await timed(.history) { () async throws(StorageError) in try await inner.history(of: id) }
    }
    /// The wrapped storage's call, timed.
    public func auditHead() async throws(StorageError) -> AuditHead {
        try await timed(.auditHead) { () async throws(StorageError) in try await inner.auditHead() }
    }
    /// The wrapped storage's call, timed.
    public func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        try await timed(.auditRecords) { () async throws(StorageError) in try await inner.auditRecords(query) }
    }
    /// The wrapped storage's call, timed.
    public func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest? {
        try await timed(.accessRequest) { () async throws(StorageError) in try await inner.accessRequest(id) }
    }
    /// The wrapped storage's call, timed.
    public func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest] {
        try await timed(.accessRequests) { () async throws(StorageError) in try await inner.accessRequests(query) }
    }
    /// The wrapped storage's call, timed.
    public func user(named username: String) async throws(StorageError) -> User? {
        try await timed(.user) { () async throws(StorageError) in try await inner.user(named: username) }
    }
    /// The wrapped storage's call, timed.
    public func user(id: UserID) async throws(StorageError) -> User? {
        try await timed(.user) { () async throws(StorageError) in try await inner.user(id: id) }
    }
    /// The wrapped storage's call, timed.
    public func users() async throws(StorageError) -> [User] {
        try await timed(.users) { () async throws(StorageError) in try await inner.users() }
    }
    /// The wrapped storage's call, timed.
    public func group(named name: String) async throws(StorageError) -> Group? {
        try await timed(.group) { () async throws(StorageError) in try await inner.group(named: name) }
    }
    /// The wrapped storage's call, timed.
    public func groups() async throws(StorageError) -> [Group] {
        try await timed(.groups) { () async throws(StorageError) in try await inner.groups() }
    }
    /// The wrapped storage's call, timed.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        try await timed(.groupsContaining) { () async throws(StorageError) in
            try await inner.groups(containing: username)
        }
    }
}

/// The wrapped storage's executor, so that the vault's calls still run on its threads.
extension TimedStorage: StorageExecutorProviding where Inner: StorageExecutorProviding {
    /// The wrapped storage's executor.
    public var preferredExecutor: any TaskExecutor { inner.preferredExecutor }
}
