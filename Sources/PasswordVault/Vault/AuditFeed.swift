/// The records a vault commits, handed to its subscribers as they are committed
/// (docs/contract.md §12, "Observing the vault").
///
/// ``AuditLog`` publishes the records of a commit once the storage has acknowledged it, while it
/// still holds the committer's role: commits of one vault are published one after another, so a
/// subscriber sees them in `seq` order. Publishing never waits: each subscriber has a bounded
/// buffer, and when it is full the oldest record waiting is dropped and counted.
final class AuditFeed: Sendable {
    private struct Subscriber: Sendable {
        var continuation: AsyncStream<AuditRecord>.Continuation
        var drops: AuditRecordStream.Drops
    }

    private struct State: Sendable {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Locked(State())

    deinit {
        // The vault is gone: every subscriber's loop ends after the records it holds.
        for subscriber in state.withLock({ $0.subscribers.values }) { subscriber.continuation.finish() }
    }

    /// Whether anyone listens: when nobody does, a commit keeps no copy of its records.
    var hasSubscribers: Bool { state.withLock { !$0.subscribers.isEmpty } }

    /// A new subscriber's stream, buffering at most `limit` records (at least one: a smaller
    /// limit is taken as 1, never a trap).
    func subscribe(bufferingNewest limit: Int) -> AuditRecordStream {
        let (stream, continuation) = AsyncStream.makeStream(
            of: AuditRecord.self, bufferingPolicy: .bufferingNewest(max(limit, 1)))
        let drops = AuditRecordStream.Drops()
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = Subscriber(continuation: continuation, drops: drops)
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return AuditRecordStream(stream: stream, drops: drops)
    }

    /// Hands `records`, just committed, to every subscriber; never waits.
    func publish(_ records: [AuditRecord]) {
        guard !records.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            for record in records {
                switch subscriber.continuation.yield(record) {
                case .dropped: subscriber.drops.add(1)
                case .enqueued, .terminated: break
                @unknown default: break
                }
            }
        }
    }
}

/// The audit records one vault commits from the moment it was asked for, in `seq` order: what a
/// host forwards to its logs or a SIEM (docs/contract.md §12, "Observing the vault").
///
/// Made by ``Vault/committedAuditRecords(bufferingNewest:)``. Only records whose commit succeeded arrive,
/// each once its commit is durable — before the call that made it returns. Records hold no secret
/// value (``AuditRecord``). The stream never slows the vault: when the subscriber falls behind by
/// more than its buffer, the oldest records waiting are dropped and counted in ``droppedCount``;
/// the full trail stays in the store (``Vault/auditRecords(_:)``). The stream ends when its
/// iterating task is cancelled or the vault is released.
public struct AuditRecordStream: AsyncSequence, Sendable {
    /// One committed record.
    public typealias Element = AuditRecord
    /// The stream never fails; it ends.
    public typealias Failure = Never

    /// A count of dropped records, shared by the stream and the feed.
    final class Drops: Sendable {
        private let count = Locked(0)
        func add(_ n: Int) { count.withLock { $0 += n } }
        var value: Int { count.withLock { $0 } }
    }

    let stream: AsyncStream<AuditRecord>
    let drops: Drops

    /// How many records this subscriber lost because its buffer was full when they were committed.
    public var droppedCount: Int { drops.value }

    /// Iterates the records as they are committed.
    public func makeAsyncIterator() -> AsyncStream<AuditRecord>.Iterator { stream.makeAsyncIterator() }
}

extension Vault {
    /// The default buffer of an ``AuditRecordStream``: records a subscriber may fall behind by
    /// before the oldest are dropped.
    public static let defaultAuditStreamBuffer = 4096

    /// The audit records this vault commits from now on, as they are committed
    /// (docs/contract.md §12, "Observing the vault"): to forward to swift-log, a SIEM or metrics.
    ///
    /// Each call makes a new subscriber with its own buffer of at most `limit` records. A commit
    /// never waits for a subscriber: when one is `limit` records behind, the oldest it has not
    /// read is dropped and counted (``AuditRecordStream/droppedCount``). Records another process
    /// appends to the same store are not seen here; the trail in the store has them all.
    ///
    /// ```swift
    /// let records = vault.committedAuditRecords()
    /// Task {
    ///     for await record in records { print(record.seq, record.event.action, record.event.outcome.text) }
    /// }
    /// ```
    /// - Parameter limit: the records it may fall behind by; a limit below 1 is taken as 1.
    public func committedAuditRecords(bufferingNewest limit: Int = Vault.defaultAuditStreamBuffer) -> AuditRecordStream
    {
        auditLog.feed.subscribe(bufferingNewest: limit)
    }
}
