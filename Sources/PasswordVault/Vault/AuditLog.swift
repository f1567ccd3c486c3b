/// The engine's writer of the audit trail (docs/contract.md §12): every commit that carries
/// records goes through it, so that the records of one vault are chained one after another,
/// and commits that only append records share one storage commit (group commit).
///
/// Callers queue their change set with its events and wait; one drain task takes the queue in
/// order. A change set that writes something besides records (an entry, the directory, the
/// header) is committed alone with its records; a run of record-only change sets (reveals,
/// refusals) is committed as one change set, so while one commit is on its way to the disk the
/// callers that arrive meanwhile are served by the next one. Every caller learns the outcome of
/// the commit that held its records: a record is acknowledged only once it is durable.
///
/// The head is cached between commits: in one process a commit needs no extra read. When
/// another writer (another process or host) appended meanwhile, the storage refuses the commit
/// with ``StorageError/auditHeadMoved``; the log reads the head and chains the batch again.
actor AuditLog {
    private let storage: any VaultStorage
    /// The head after this log's last commit; `nil` when it must be read.
    private var cachedHead: AuditHead?
    private var queue: [Pending] = []
    private var draining = false

    /// How many times a batch is chained again after another writer moved the head.
    static let headRetries = 64

    /// One caller's change set waiting for its commit.
    private struct Pending {
        var change: ChangeSet
        var events: [AuditEvent]
        /// Whether the events name the entry the change set's insert creates.
        var namesInserted: Bool
        var key: AuditKey
        var resume: CheckedContinuation<Result<CommitResult, StorageError>, Never>
    }

    init(storage: any VaultStorage) { self.storage = storage }

    /// Commits `change` with `events` chained into the trail, in one atomic write.
    /// - Parameters:
    ///   - namesInserted: the events are about the entry `change` inserts: each gets its identifier.
    ///   - key: the audit key that chains them.
    /// - Throws: what the storage's commit throws; nothing of `change` nor of its records is
    ///   written then.
    func commit(
        _ change: ChangeSet, recording events: [AuditEvent], namesInserted: Bool = false, key: AuditKey
    ) async throws(StorageError) -> CommitResult {
        let result = await withCheckedContinuation {
            (resume: CheckedContinuation<Result<CommitResult, StorageError>, Never>) in
            queue.append(
                Pending(change: change, events: events, namesInserted: namesInserted, key: key, resume: resume))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = takeBatch()
            let result = await run(batch)
            for pending in batch { pending.resume.resume(returning: result) }
        }
        draining = false
    }

    /// The next change set to commit alone, or the run of record-only ones at the front.
    private func takeBatch() -> [Pending] {
        guard queue[0].change.isAuditOnly else { return [queue.removeFirst()] }
        let count = queue.prefix { $0.change.isAuditOnly }.count
        defer { queue.removeFirst(count) }
        return Array(queue.prefix(count))
    }

    private func run(_ batch: [Pending]) async -> Result<CommitResult, StorageError> {
        var change = batch.count == 1 ? batch[0].change : ChangeSet()
        let parts = batch.map { (events: $0.events, namesInserted: $0.namesInserted, key: $0.key) }
        for _ in 0..<Self.headRetries {
            let head: AuditHead
            if let cachedHead {
                head = cachedHead
            } else {
                do { head = try await storage.auditHead() } catch { return .failure(error) }
            }
            change.audit = AuditAppend(after: head) { (inserted) throws(StorageError) in
                var records: [AuditRecord] = []
                var last = head
                for part in parts {
                    let events = part.events.map { (event) -> AuditEvent in
                        var event = event
                        if part.namesInserted { event.entry = inserted }
                        return event
                    }
                    do {
                        let chained = try AuditChain.append(contentsOf: events, after: last, key: part.key)
                        records += chained.records
                        last = chained.head
                    } catch {
                        throw .failure("\(error)")
                    }
                }
                return records
            }
            do {
                let result = try await storage.commit(change)
                cachedHead = result.auditHead
                return .success(result)
            } catch .auditHeadMoved {
                cachedHead = nil
            } catch {
                // Whatever failed, read the head again before the next commit.
                cachedHead = nil
                return .failure(error)
            }
        }
        return .failure(.busy("other writers kept appending to the audit trail"))
    }
}
