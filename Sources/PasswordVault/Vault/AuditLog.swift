/// The engine's writer of the audit trail (docs/contract.md §12): every commit that carries
/// records goes through it, so that the records of one vault are chained one after another,
/// and commits that only append records share one storage commit (group commit).
///
/// One caller at a time is the *committer*. A caller that finds no commit under way becomes it
/// at once and commits its own change set on its own task: no task is spawned and no actor is
/// entered, so a lone reveal pays only the storage's own hop. Callers that arrive while a commit
/// is under way queue their change sets and wait. When the committer's commit is durable it
/// resumes the callers whose records it held and, if others are waiting, hands the committer's
/// role to the first of them, which commits its change set together with the run of record-only
/// change sets queued behind it. So while one commit is on its way to the disk the callers that
/// arrive meanwhile are served by the next one, and no caller waits for more than the commit in
/// flight and its own. A change set that writes something besides records (an entry, the
/// directory, the header) is committed alone with its records. Every caller learns the outcome
/// of the commit that held its records: a record is acknowledged only once it is durable.
///
/// The head is cached between commits: in one process a commit needs no extra read. When
/// another writer (another process or host) appended meanwhile, the storage refuses the commit
/// with ``StorageError/auditHeadMoved``; the log reads the head and chains the batch again.
final class AuditLog: Sendable {
    private let storage: any VaultStorage
    private let state = Locked(State())
    /// The storage's own executor, when it offers one (``StorageExecutorProviding``): recorded
    /// calls run on it (``Vault/audited(_:entry:by:justification:_:)``).
    let executor: (any TaskExecutor)?
    /// The subscribers to the records as they are committed (docs/contract.md §12, "Observing
    /// the vault"): the committer publishes each successful commit's records before it hands its
    /// role on, so they arrive in `seq` order.
    let feed = AuditFeed()

    /// How many times a batch is chained again after another writer moved the head.
    static let headRetries = 64

    private struct State {
        /// The head after this log's last commit; `nil` when it must be read.
        var cachedHead: AuditHead?
        /// The callers waiting, in arrival order.
        var queue: [Pending] = []
        /// Whether a caller holds the committer's role.
        var committing = false
    }

    /// One caller's change set.
    private struct Part: Sendable {
        var change: ChangeSet
        var events: [AuditEvent]
        /// Whether the events name the entry the change set's insert creates.
        var namesInserted: Bool
        var key: AuditKey
    }

    /// What a waiting caller is woken with.
    private enum Wake: Sendable {
        /// The commit that held its records ended so.
        case done(Result<CommitResult, StorageError>)
        /// It is the committer now: it commits its own change set (and those queued behind it).
        case commit
    }

    /// One caller waiting.
    private struct Pending {
        var part: Part
        var wake: CheckedContinuation<Wake, Never>
    }

    init(storage: any VaultStorage) {
        self.storage = storage
        executor = (storage as? any StorageExecutorProviding)?.preferredExecutor
    }

    /// Commits `change` with `events` chained into the trail, in one atomic write.
    /// - Parameters:
    ///   - namesInserted: the events are about the entry `change` inserts: each gets its identifier.
    ///   - key: the audit key that chains them.
    /// - Throws: what the storage's commit throws; nothing of `change` nor of its records is
    ///   written then.
    func commit(
        _ change: ChangeSet, recording events: [AuditEvent], namesInserted: Bool = false, key: AuditKey
    ) async throws(StorageError) -> CommitResult {
        let part = Part(change: change, events: events, namesInserted: namesInserted, key: key)
        // The common case, no commit under way, without a continuation.
        let idle = state.withLock { state in
            guard !state.committing else { return false }
            state.committing = true
            return true
        }
        if !idle {
            let wake = await withCheckedContinuation { (wake: CheckedContinuation<Wake, Never>) in
                let committer = state.withLock { state in
                    guard state.committing else {
                        state.committing = true
                        return true
                    }
                    state.queue.append(Pending(part: part, wake: wake))
                    return false
                }
                if committer { wake.resume(returning: .commit) }
            }
            if case .done(let result) = wake { return try result.get() }
        }
        return try await commitAsCommitter(part).get()
    }

    /// Commits `own` with the record-only change sets queued behind it (when it is record-only
    /// too), wakes their callers with the outcome, then hands the role on or gives it up.
    private func commitAsCommitter(_ own: Part) async -> Result<CommitResult, StorageError> {
        let (others, head) = state.withLock { state -> ([Pending], AuditHead?) in
            guard own.change.isAuditOnly else { return ([], state.cachedHead) }
            let count = state.queue.prefix { $0.part.change.isAuditOnly }.count
            defer { state.queue.removeFirst(count) }
            return (Array(state.queue.prefix(count)), state.cachedHead)
        }
        let (result, newHead, committed) = await run([own] + others.map(\.part), cachedHead: head)
        // Before any caller learns the outcome, and while this caller still holds the role.
        feed.publish(committed)
        let next = state.withLock { state -> Pending? in
            state.cachedHead = newHead
            guard !state.queue.isEmpty else {
                state.committing = false
                return nil
            }
            return state.queue.removeFirst()
        }
        for pending in others { pending.wake.resume(returning: .done(result)) }
        next?.wake.resume(returning: .commit)
        return result
    }

    /// Commits `parts` as one change set (a single part's own, or the records of record-only
    /// parts); returns the outcome, the head to cache (`nil`: read it before the next commit) and,
    /// when the feed has subscribers, the records the successful commit stored.
    private func run(
        _ parts: [Part], cachedHead: AuditHead?
    ) async -> (Result<CommitResult, StorageError>, AuditHead?, [AuditRecord]) {
        var change = parts.count == 1 ? parts[0].change : ChangeSet()
        var cachedHead = cachedHead
        for _ in 0..<Self.headRetries {
            let head: AuditHead
            if let cachedHead {
                head = cachedHead
            } else {
                do { head = try await storage.auditHead() } catch { return (.failure(error), nil, []) }
            }
            // The records of the storage's last call of the closure are the ones it stored.
            // Nobody listening: no copy of the records is kept.
            let made = feed.hasSubscribers ? Locked<[AuditRecord]>([]) : nil
            // Chained after `head`, or after the head a storage finds another host moved it to.
            change.audit = AuditAppend(
                after: head,
                chaining: { (head, inserted) throws(StorageError) in
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
                    made?.withLock { $0 = records }
                    return records
                })
            do {
                let result = try await storage.commit(change)
                return (.success(result), result.auditHead, made?.withLock { $0 } ?? [])
            } catch .auditHeadMoved {
                cachedHead = nil
            } catch {
                // Whatever failed, read the head again before the next commit.
                return (.failure(error), nil, [])
            }
        }
        return (.failure(.busy("other writers kept appending to the audit trail")), nil, [])
    }
}
