/// Where a vault keeps its header, its directory and its entries — already sealed.
///
/// The engine never hands a storage a plaintext secret: entries carry their
/// secrets as ``SealedValue``s, and the header holds the data keys wrapped.
/// Every requirement is `async` so that a networked backend can be added
/// without blocking threads.
///
/// Writes of entries compare and set on ``PasswordEntity/version``; a lost race
/// throws ``StorageError/conflict`` and writes nothing. Identifiers come from
/// ``allocateIdentifier()``: unique, increasing, never reused (even after a
/// delete or a failed insert). ``entities(visibleTo:)`` must be served from
/// indexes (by owner, by user share, by group share), not by scanning every record.
///
/// Adapters: ``InMemoryStorage`` here, a single-file one, and SQLite in the
/// `PasswordVaultSQLite` product. The `StorageConformance` suite checks them all.
public protocol VaultStorage: Sendable {
    // MARK: Header

    /// The vault header's bytes, or `nil` for a new, empty store.
    func readHeader() async throws(StorageError) -> [UInt8]?

    /// Replaces the header if it still is `expected` (`nil`: only if there is none yet).
    /// - Throws: ``StorageError/conflict`` when the stored header differs from `expected`.
    func writeHeader(_ header: [UInt8], expected: [UInt8]?) async throws(StorageError)

    // MARK: Entries

    /// A fresh identifier, never handed out before.
    func allocateIdentifier() async throws(StorageError) -> EntryID

    /// Stores a new entry under an identifier from ``allocateIdentifier()``.
    /// - Throws: ``StorageError/duplicate(_:)`` if an entry with that identifier exists.
    func insert(_ entity: PasswordEntity) async throws(StorageError)

    /// The entry with that identifier, if any.
    func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity?

    /// Replaces an entry if its stored version is still `expectedVersion`.
    /// - Throws: ``StorageError/conflict`` when the version differs or the entry is gone.
    func replace(_ entity: PasswordEntity, expectedVersion: UInt64) async throws(StorageError)

    /// Deletes an entry if its stored version is still `expectedVersion`.
    /// - Throws: ``StorageError/conflict`` when the version differs or the entry is gone.
    func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError)

    /// The entries a principal may see: owned by `query.owner`, shared with
    /// `query.username`, or shared with any of `query.groups`; ascending by
    /// identifier. Disabled entries only with `query.includeDisabled`. An adapter
    /// may also narrow by `query.filter`; the engine applies it again.
    func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity]

    /// Up to `limit` entries with identifiers above `after` (all when `nil`), ascending:
    /// the way to walk every entry (key rotation) without loading them all at once.
    func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity]

    // MARK: Directory

    /// Adds a user.
    /// - Throws: ``StorageError/duplicate(_:)`` when the id or the username is taken.
    func addUser(_ user: User) async throws(StorageError)

    /// The user with that username.
    func user(named username: String) async throws(StorageError) -> User?

    /// The user with that id.
    func user(id: UserID) async throws(StorageError) -> User?

    /// Every user, ascending by id.
    func users() async throws(StorageError) -> [User]

    /// Adds an empty group.
    /// - Throws: ``StorageError/duplicate(_:)`` when the name is taken.
    func addGroup(named name: String) async throws(StorageError)

    /// Adds or removes a member.
    /// - Throws: ``StorageError/notFound(_:)`` when the group does not exist.
    func setMembership(group: String, username: String, isMember: Bool) async throws(StorageError)

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
