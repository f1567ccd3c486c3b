/// Where a vault keeps its header, its directory and its entries — already sealed.
///
/// The engine never hands a storage a plaintext secret: entries carry their
/// secrets as ``SealedValue``s, and the header holds the data keys wrapped.
/// Every requirement is `async` so that a networked backend can be added
/// without blocking threads.
///
/// **Reads** are the requirements below; **every write is one ``commit(_:)``** of a
/// ``ChangeSet``, atomic: all of it or none of it. A change set carries
///
/// - a precondition on the header generation (``ChangeSet/headerGeneration``): a write
///   that seals names the generation of the header it sealed under, and the storage
///   refuses it with ``StorageError/staleHeader`` if another header was written since,
///   checked in the same transaction as the write (docs/contract.md §14: no secret is ever
///   stored under a data key that a rotation dropped, whichever process rotates);
/// - an entry change: an insert, whose identifier the storage hands out inside the commit
///   (positive, increasing, never used for two entries), or a replace or delete
///   compare-and-set on ``PasswordEntity/version`` (a lost race is ``StorageError/conflict``);
/// - a directory change; a new header, which increases the generation by one;
/// - access requests (``AccessRequestChange``: an insert with an identifier handed out inside the
///   commit, replaces compare-and-set on ``AccessRequest/version``) and rotation marks
///   (docs/contract.md §13);
/// - audit records (``AuditAppend``), with a compare-and-set on the trail's head
///   (``StorageError/auditHeadMoved``); the head moves to the last record in the same commit.
///
/// Checks run in that order, and the first that fails throws with nothing written.
/// ``entities(visibleTo:)`` must be served from indexes (by owner, by user share, by group
/// share), not by scanning every record.
///
/// The extension methods (``insert(headerGeneration:_:)``, ``replace(_:expectedVersion:headerGeneration:history:)``,
/// ``writeHeader(_:expectedGeneration:)``, ``addUser(_:)``…) build the common change sets.
///
/// Adapters: ``InMemoryStorage`` and ``FileStorage`` here, SQLite in the
/// `PasswordVaultSQLite` product. The `StorageConformance` suite checks them all.
public protocol VaultStorage: Sendable {
    // MARK: Writes

    /// Applies `change` atomically: its header-generation precondition, then its entry,
    /// directory and header parts; all of them or none.
    /// - Throws: ``StorageError/staleHeader`` when the stored header generation is not
    ///   `change.headerGeneration`; ``StorageError/conflict`` for a replace or delete of a
    ///   changed or missing entry; ``StorageError/duplicate(_:)`` / ``StorageError/notFound(_:)``
    ///   for a directory change; whatever an insert's closure throws; a failure of the store.
    ///   Nothing is written when it throws.
    @discardableResult
    func commit(_ change: ChangeSet) async throws(StorageError) -> CommitResult

    // MARK: Header

    /// The vault header with its generation, or `nil` for a new, empty store.
    func readHeader() async throws(StorageError) -> StoredHeader?

    // MARK: Entries

    /// The entry with that identifier, if any.
    func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity?

    /// The entries a principal may see: owned by `query.owner`, shared with
    /// `query.username`, or shared with any of `query.groups`; ascending by
    /// identifier. Disabled entries only with `query.includeDisabled`. An adapter
    /// may also narrow by `query.filter`; the engine applies it again.
    func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity]

    /// Up to `limit` entries with identifiers above `after` (all when `nil`), ascending:
    /// the way to walk every entry (key rotation) without loading them all at once.
    func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity]

    /// The entry's old versions (docs/contract.md §11), ascending by
    /// ``PasswordEntity/revision``, without the current one; `[]` for an entry without
    /// history or an unknown entry.
    func history(of id: EntryID) async throws(StorageError) -> [PasswordEntity]

    // MARK: Audit trail

    /// The trail's head: the last record's `seq` and MAC (``AuditHead/empty`` without records).
    func auditHead() async throws(StorageError) -> AuditHead

    /// The records that match `query`, ascending by `seq`, at most `query.limit` of them. Every
    /// criterion of the query is applied by the storage (an entry's records from an index).
    func auditRecords(_ query: AuditQuery) async throws(StorageError) -> [AuditRecord]

    // MARK: Access requests

    /// The access request with that identifier (docs/contract.md §13), if any.
    func accessRequest(_ id: AccessRequestID) async throws(StorageError) -> AccessRequest?

    /// The requests that match `query`, ascending by identifier; served from indexes (by entry,
    /// by requester), not by scanning every request.
    func accessRequests(_ query: AccessRequestQuery) async throws(StorageError) -> [AccessRequest]

    // MARK: Directory

    /// The user with that username.
    func user(named username: String) async throws(StorageError) -> User?

    /// The user with that id.
    func user(id: UserID) async throws(StorageError) -> User?

    /// Every user, ascending by id.
    func users() async throws(StorageError) -> [User]

    /// The group with that name.
    func group(named name: String) async throws(StorageError) -> Group?

    /// Every group, ascending by name.
    func groups() async throws(StorageError) -> [Group]

    /// The names of the groups `username` belongs to.
    func groups(containing username: String) async throws(StorageError) -> Set<String>
}

/// Who is asking to list entries, and how.
public struct VisibilityQuery: Sendable, Hashable {
    /// Entries this user owns.
    public var owner: UserID
    /// Entries shared with this username.
    public var username: String
    /// Entries shared with any of these groups.
    public var groups: Set<String>
    /// Whether disabled entries are included.
    public var includeDisabled: Bool
    /// Optional narrowing by tag, name, username and URL.
    public var filter: ListFilter

    /// A query.
    public init(
        owner: UserID, username: String, groups: Set<String>, includeDisabled: Bool = false,
        filter: ListFilter = ListFilter()
    ) {
        self.owner = owner
        self.username = username
        self.groups = groups
        self.includeDisabled = includeDisabled
        self.filter = filter
    }
}
