/// The audit part of a ``ChangeSet`` (docs/contract.md §12): records chained after a known head,
/// appended in the same commit as the rest of the change set.
///
/// The storage checks, inside its transaction, that its stored head still is ``after`` (else
/// ``StorageError/auditHeadMoved``, nothing written); then, once any insert has its identifier,
/// calls ``records`` once, synchronously, and stores what it returns — `seq` must run on from
/// `after.seq + 1` without a gap — and moves the head to the last one. The records are chained
/// (their MACs made) by the engine inside that closure, since a create's record names the
/// identifier the commit hands out; the audit key never reaches the storage.
///
/// An append made with ``init(after:chaining:)`` can also be chained after another head
/// (``chainingAfter``): a storage that many hosts write at once (PostgreSQL) uses it when its
/// compare-and-set finds the head moved — it locks the stored head, has the records chained
/// after that one and stores them, in the same transaction — instead of failing the commit with
/// ``StorageError/auditHeadMoved`` (docs/contract.md §14). Without it, hosts that all write would
/// keep losing the race to one another.
public struct AuditAppend: Sendable {
    /// The head the records are chained after.
    public var after: AuditHead
    /// Makes the records, given the identifier an ``EntryChange/insert(_:)`` of the same change
    /// set received (`nil` without one). If it throws, nothing is written and its error is rethrown.
    public var records: @Sendable (_ inserted: EntryID?) throws(StorageError) -> [AuditRecord]
    /// Makes the same records chained after any head (`seq` from `head.seq + 1`), or `nil` when
    /// they can be chained only after ``after``. A storage that calls it stores what its last
    /// call returned, after the head it passed, which it holds locked until its commit.
    public var chainingAfter:
        (@Sendable (_ head: AuditHead, _ inserted: EntryID?) throws(StorageError) -> [AuditRecord])?

    /// An append of the records `records` makes after `after`.
    public init(
        after: AuditHead, records: @escaping @Sendable (_ inserted: EntryID?) throws(StorageError) -> [AuditRecord]
    ) {
        self.after = after
        self.records = records
    }

    /// An append whose records `chain` makes after whichever head it is given: ``after`` first,
    /// or the head a storage found when another writer moved it (``chainingAfter``).
    public init(
        after: AuditHead,
        chaining chain:
            @escaping @Sendable (_ head: AuditHead, _ inserted: EntryID?) throws(StorageError) -> [AuditRecord]
    ) {
        self.after = after
        self.records = { (inserted) throws(StorageError) in try chain(after, inserted) }
        self.chainingAfter = chain
    }

    /// Records already chained (by a test or a tool) after `after`.
    public init(after: AuditHead, chained: [AuditRecord]) {
        self.init(after: after) { _ in chained }
    }

    /// Checks that `records` continue the trail after `after`; returns the new head.
    /// Adapters call it on what ``records`` returned before they store anything.
    /// - Throws: ``StorageError/failure(_:)`` for no record, or a `seq` out of sequence.
    public static func head(
        after: AuditHead, appending records: [AuditRecord]
    ) throws(StorageError) -> AuditHead {
        guard let last = records.last else { throw .failure("an audit append holds no record") }
        for (offset, record) in records.enumerated() where record.seq != after.seq &+ UInt64(offset) &+ 1 {
            throw .failure("audit record \(record.seq) does not follow seq \(after.seq)")
        }
        return AuditHead(seq: last.seq, mac: last.mac)
    }
}

/// Which audit records to read (``VaultStorage/auditRecords(_:)``); every criterion set must hold.
public struct AuditQuery: Sendable, Hashable {
    /// Records from this `seq` on (1: from the first).
    public var fromSeq: UInt64
    /// Only records about this entry.
    public var entry: EntryID?
    /// Only records by this actor.
    public var actor: AuditActorMatch?
    /// Only records of this action.
    public var action: AuditAction?
    /// Only records at or after this time.
    public var since: AuditTime?
    /// Only records before this time.
    public var before: AuditTime?
    /// At most this many records (the first ones by `seq`).
    public var limit: Int

    /// A query; without arguments, the whole trail.
    public init(
        fromSeq: UInt64 = 1, entry: EntryID? = nil, actor: AuditActorMatch? = nil, action: AuditAction? = nil,
        since: AuditTime? = nil, before: AuditTime? = nil, limit: Int = .max
    ) {
        self.fromSeq = fromSeq
        self.entry = entry
        self.actor = actor
        self.action = action
        self.since = since
        self.before = before
        self.limit = limit
    }

    /// Whether `record` meets every criterion but the limit.
    public func matches(_ record: AuditRecord) -> Bool {
        let event = record.event
        guard record.seq >= fromSeq else { return false }
        if let entry, event.entry != entry { return false }
        if let actor, !actor.matches(event.actor) { return false }
        if let action, event.action != action { return false }
        if let since, event.time < since { return false }
        if let before, !(event.time < before) { return false }
        return true
    }
}

/// An actor to filter audit records by: the vault's administrator, or a user by id (whatever
/// their username was at the time).
public enum AuditActorMatch: Sendable, Hashable {
    /// Calls made with the vault's credential.
    case vault
    /// Calls made as this user.
    case user(UserID)

    /// Whether `actor` is this one.
    public func matches(_ actor: AuditActor) -> Bool {
        switch (self, actor) {
        case (.vault, .vault): true
        case (.user(let id), .user(let other, _)): id == other
        default: false
        }
    }
}
