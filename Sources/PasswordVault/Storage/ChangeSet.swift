/// One atomic write to a ``VaultStorage``: a precondition on the header generation, then
/// at most one entry change, one directory change and one new header, applied together or
/// not at all (``VaultStorage/commit(_:)``).
///
/// The precondition is what keeps a secret from ever being stored under a data key that a
/// rotation has dropped (docs/contract.md §14): a write that seals names the generation of
/// the header whose key ring it sealed with, and the storage refuses it with
/// ``StorageError/staleHeader`` when another header has been written since — checked inside
/// the same transaction (or under the same lock) as the write itself.
///
/// An entry's history (docs/contract.md §11) moves with its entry: a replace archives the
/// previous state and purges beyond the depth in the same commit (``HistoryUpdate``), and a
/// delete takes the history with it. The audit records of the call that made the change
/// (docs/contract.md §12) come with it (``AuditAppend``), with a compare-and-set on the trail's
/// head: no change without its record, no record of a change that did not happen.
///
/// ```swift
/// // A create: the storage hands out the identifier inside the transaction, the engine seals with it.
/// let result = try await storage.commit(ChangeSet(
///     headerGeneration: generation, entry: .insert { id throws(StorageError) in makeEntity(id) }))
/// ```
public struct ChangeSet: Sendable {
    /// The header generation this change was prepared under; `nil` when it seals nothing and
    /// may commit whatever header is current. ``HeaderGeneration/noHeader`` (0) means "no header yet".
    public var headerGeneration: HeaderGeneration?
    /// The entry written, if any.
    public var entry: EntryChange?
    /// The directory change, if any.
    public var directory: DirectoryChange?
    /// New header bytes, if any; requires ``headerGeneration`` and makes the stored
    /// generation `headerGeneration + 1`.
    public var header: [UInt8]?
    /// Audit records appended in the same commit, if any.
    public var audit: AuditAppend?
    /// Access requests stored or changed (docs/contract.md §13): at most one insert, any number
    /// of replaces, each a compare-and-set on ``AccessRequest/version``.
    public var requests: [AccessRequestChange]
    /// Entries to mark as needing rotation (docs/contract.md §13), applied after ``entry``: each
    /// one that exists and is not marked yet gets ``PasswordEntity/needsRotation`` set and its
    /// ``PasswordEntity/version`` increased by one (not its revision: no history version is made);
    /// a missing or already marked entry is left as it is.
    public var rotationMarks: Set<EntryID>

    /// A change set.
    public init(
        headerGeneration: HeaderGeneration? = nil, entry: EntryChange? = nil, directory: DirectoryChange? = nil,
        header: [UInt8]? = nil, audit: AuditAppend? = nil, requests: [AccessRequestChange] = [],
        rotationMarks: Set<EntryID> = []
    ) {
        self.headerGeneration = headerGeneration
        self.entry = entry
        self.directory = directory
        self.header = header
        self.audit = audit
        self.requests = requests
        self.rotationMarks = rotationMarks
    }

    /// Whether the change set does nothing but append audit records: such change sets can share
    /// one commit (group commit), since none of them can fail on its own.
    public var isAuditOnly: Bool {
        headerGeneration == nil && entry == nil && directory == nil && header == nil && requests.isEmpty
            && rotationMarks.isEmpty
    }
}

/// A header generation: 0 for a store without a header, then increased by one by every
/// header write. It is stored beside the header bytes (not inside them), so that a storage
/// can check it without knowing the header's format.
public struct HeaderGeneration: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The counter.
    public var rawValue: UInt64
    /// A generation.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// The generation of a store that holds no header yet.
    public static let noHeader = HeaderGeneration(rawValue: 0)
    /// The generation after this one.
    public var next: HeaderGeneration { HeaderGeneration(rawValue: rawValue &+ 1) }
    /// Orders by the counter.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The counter in decimal.
    public var description: String { String(rawValue) }
}

/// The vault header as stored: its bytes and its generation.
public struct StoredHeader: Sendable, Equatable {
    /// The header's bytes (opaque to the storage).
    public var bytes: [UInt8]
    /// How many header writes made it (1 for the first header).
    public var generation: HeaderGeneration

    /// A stored header.
    public init(bytes: [UInt8], generation: HeaderGeneration) {
        self.bytes = bytes
        self.generation = generation
    }
}

/// The entry part of a ``ChangeSet``.
public enum EntryChange: Sendable {
    /// A new entry under a fresh identifier handed out by the storage inside the commit.
    ///
    /// The storage calls `make` once, synchronously, inside its transaction, with the new
    /// identifier; `make` returns the entry (whose ``PasswordEntity/identifier`` must be that
    /// identifier) with its secrets sealed for it. Identifiers are positive, increasing and
    /// never used for two entries; one that a refused commit did not use may be handed out again
    /// (nothing was stored under it). If `make` throws, nothing is written and its error is
    /// rethrown.
    case insert(@Sendable (EntryID) throws(StorageError) -> PasswordEntity)
    /// A new entry with earlier versions, all under one fresh identifier (an import that brings
    /// another manager's history, docs/contract.md §15): as ``insert(_:)``, but `make` returns the
    /// versions oldest first — the last is the entry, the others its history. Every version must
    /// carry the identifier, and their ``PasswordEntity/revision``s must increase strictly
    /// (else ``StorageError/failure(_:)`` and nothing is written). The storage keeps them all: the
    /// engine has already cut them to the vault's history depth.
    case insertWithHistory(@Sendable (EntryID) throws(StorageError) -> [PasswordEntity])
    /// Replaces an entry if its stored version still is `expectedVersion`
    /// (else ``StorageError/conflict``, also when the entry is gone), and changes its history
    /// as `history` says, in the same commit.
    case replace(PasswordEntity, expectedVersion: UInt64, history: HistoryUpdate = .unchanged)
    /// Deletes an entry, its whole history and its access requests if its stored version still
    /// is `expectedVersion` (else ``StorageError/conflict``, also when the entry is gone).
    case delete(EntryID, expectedVersion: UInt64)
}

/// What a replace does to the entry's history (docs/contract.md §11). The history holds the
/// entry's earlier states as whole ``PasswordEntity`` values, secrets still sealed, one per
/// ``PasswordEntity/revision``.
public enum HistoryUpdate: Sendable, Equatable {
    /// The history stays as it is.
    case unchanged
    /// Keeps `previous` (the state being replaced, with its own revision) as an old version, then
    /// purges the oldest versions so that at most `depth` remain (0 keeps none).
    case archive(PasswordEntity, depth: Int)
    /// Replaces the sealed values of old versions by these copies, matched by revision (key
    /// rotation); every one must be in the history (else ``StorageError/conflict``).
    case reseal([PasswordEntity])
}

/// The directory part of a ``ChangeSet``.
public enum DirectoryChange: Sendable, Hashable {
    /// Adds a user (``StorageError/duplicate(_:)`` when the id or the username is taken).
    case addUser(User)
    /// Adds an empty group (``StorageError/duplicate(_:)`` when the name is taken).
    case addGroup(String)
    /// Adds or removes a member (``StorageError/notFound(_:)`` when the group does not exist).
    case setMembership(group: String, username: String, isMember: Bool)
}

/// One access-request part of a ``ChangeSet`` (docs/contract.md §13).
public enum AccessRequestChange: Sendable {
    /// A new request under a fresh identifier handed out by the storage inside the commit
    /// (positive, increasing, never used for two requests). The storage calls `make` once,
    /// inside its transaction; the request it returns must carry that identifier and name an
    /// entry that exists (else ``StorageError/conflict``: the entry went away meanwhile).
    case insert(@Sendable (AccessRequestID) throws(StorageError) -> AccessRequest)
    /// Replaces a request if its stored version still is `expectedVersion` (else
    /// ``StorageError/conflict``, also when it is gone). The new value carries its own
    /// ``AccessRequest/version`` (the engine sets `expectedVersion + 1`).
    case replace(AccessRequest, expectedVersion: UInt64)
}

/// Which access requests to read (``VaultStorage/accessRequests(_:)``); every criterion given
/// must hold.
public struct AccessRequestQuery: Sendable, Hashable {
    /// Only requests for one of these entries.
    public var entries: Set<EntryID>?
    /// Only requests made by this user.
    public var requester: UserID?
    /// Only requests whose stored state (``AccessRequest/storedState``) is one of these.
    public var storedStates: Set<AccessRequestState>?

    /// A query; without arguments, every request.
    public init(
        entries: Set<EntryID>? = nil, requester: UserID? = nil, storedStates: Set<AccessRequestState>? = nil
    ) {
        self.entries = entries
        self.requester = requester
        self.storedStates = storedStates
    }

    /// Whether `request` meets every criterion.
    public func matches(_ request: AccessRequest) -> Bool {
        if let entries, !entries.contains(request.entry) { return false }
        if let requester, request.requester != requester { return false }
        if let storedStates, !storedStates.contains(request.storedState) { return false }
        return true
    }
}

/// What a committed ``ChangeSet`` did.
public struct CommitResult: Sendable, Equatable {
    /// The header generation after the commit (increased when the change wrote a header).
    public var headerGeneration: HeaderGeneration
    /// The entry an ``EntryChange/insert(_:)`` stored.
    public var inserted: PasswordEntity?
    /// The audit trail's head after the commit, when it appended records.
    public var auditHead: AuditHead?
    /// The request an ``AccessRequestChange/insert(_:)`` stored.
    public var insertedRequest: AccessRequest?

    /// A result.
    public init(
        headerGeneration: HeaderGeneration, inserted: PasswordEntity? = nil, auditHead: AuditHead? = nil,
        insertedRequest: AccessRequest? = nil
    ) {
        self.headerGeneration = headerGeneration
        self.inserted = inserted
        self.auditHead = auditHead
        self.insertedRequest = insertedRequest
    }
}

extension EntryChange {
    /// Checks the versions an ``insertWithHistory(_:)`` built for identifier `id`: at least one,
    /// each carrying `id`, revisions strictly increasing. Returns the entry (the last) and its
    /// history (the others, oldest first). Adapters call it inside their transaction.
    public static func checkedVersions(
        _ versions: [PasswordEntity], for id: EntryID
    ) throws(StorageError) -> (entry: PasswordEntity, history: [PasswordEntity]) {
        guard let entry = versions.last else { throw .failure("an insert with history built no version") }
        var previous: UInt64?
        for version in versions {
            guard version.identifier == id else {
                throw .failure("an insert built entry \(version.identifier) for identifier \(id)")
            }
            if let previous, version.revision <= previous {
                throw .failure("an insert with history built revision \(version.revision) after \(previous)")
            }
            previous = version.revision
        }
        return (entry, Array(versions.dropLast()))
    }
}
