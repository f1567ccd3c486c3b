import Synchronization

@testable import PasswordVault

/// A storage that delegates to an in-memory one and fails on command:
/// entry writes after a budget fail (a crash or a full disk), replaces can be
/// made to lose every race, and reads can fail.
final class FaultInjectingStorage: VaultStorage {
    let inner = InMemoryStorage()
    private let plan = Mutex(Plan())

    struct Plan {
        /// Entry writes (insert, replace, delete) allowed before every later one fails.
        var writesLeft: Int?
        /// Every replace loses its compare-and-set.
        var conflictOnReplace = false
        /// Every read of an entry fails.
        var failReads = false
        /// Inserts wait (polling) until this is false again: a slow write, to order a race.
        var holdInserts = false
        /// How many inserts have reached the hold.
        var heldInserts = 0
        /// Every commit that appends audit records fails (a full disk for the trail).
        var failAuditAppends = false
    }

    func update(_ change: (inout Plan) -> Void) { plan.withLock { change(&$0) } }

    /// How many inserts have reached the hold so far.
    var heldInserts: Int { plan.withLock { $0.heldInserts } }

    private func spendWrite() throws(StorageError) {
        try plan.withLock { (p: inout Plan) throws(StorageError) in
            guard let left = p.writesLeft else { return }
            guard left > 0 else { throw .failure("injected write failure") }
            p.writesLeft = left - 1
        }
    }

    func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult {
        if change.audit != nil, plan.withLock({ $0.failAuditAppends }) { throw .failure("injected audit failure") }
        switch change.entry {
        case nil: break
        case .insert, .insertWithHistory:
            if plan.withLock({ $0.holdInserts }) {
                plan.withLock { $0.heldInserts += 1 }
                while plan.withLock({ $0.holdInserts }) { try? await Task.sleep(nanoseconds: 1_000_000) }
            }
            try spendWrite()
        case .replace:
            if plan.withLock({ $0.conflictOnReplace }) { throw .conflict }
            try spendWrite()
        case .delete:
            try spendWrite()
        }
        return try await inner.commit(change)
    }
    func readHeader() async throws(StorageError) -> StoredHeader? { try await inner.readHeader() }
    func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        if plan.withLock({ $0.failReads }) { throw .failure("injected read failure") }
        return try await inner.entity(id)
    }
    func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        try await inner.entities(visibleTo: query)
    }
    func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        try await inner.entities(after: after, limit: limit)
    }
    func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity] {
        if plan.withLock({ $0.failReads }) { throw .failure("injected read failure") }
        return try await inner.history(of: id)
    }
    func auditHead() async throws(StorageError) -> AuditHead { try await inner.auditHead() }
    func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord] {
        try await inner.auditRecords(query)
    }
    func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest? {
        try await inner.accessRequest(id)
    }
    func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest] {
        try await inner.accessRequests(query)
    }
    func user(named username: String) async throws(StorageError) -> User? { try await inner.user(named: username) }
    func user(id: UserID) async throws(StorageError) -> User? { try await inner.user(id: id) }
    func users() async throws(StorageError) -> [User] { try await inner.users() }
    func group(named name: String) async throws(StorageError) -> Group? { try await inner.group(named: name) }
    func groups() async throws(StorageError) -> [Group] { try await inner.groups() }
    func groups(containing username: String) async throws(StorageError) -> Set<String> {
        try await inner.groups(containing: username)
    }
}
