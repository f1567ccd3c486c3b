import Foundation

/// A password vault: the rules of docs/contract.md over a storage, a directory and a key.
///
/// Every call takes the acting ``User``; roles are computed from the entry and
/// the directory at that moment. Secrets are sealed before they reach the
/// storage and opened only for a caller who may see them. Many tasks may use
/// one vault at once; sealing and opening run outside any lock.
///
/// ```swift
/// let directory = InMemoryDirectory()
/// let alice = directory.addUser("alice", id: 1)
/// let vault = try await Vault.inMemory(directory: directory)
/// let created = try await vault.create(
///     PasswordRequest(name: "mail", username: "alice@example.com", password: "s3cret!"), as: alice)
/// let password = try await vault.revealPassword(created.entity.identifier, as: alice)
/// ```
public final class Vault: Sendable {
    /// Where entries and the header live (not public: callers go through the vault's use cases).
    let storage: any VaultStorage
    /// Who exists, and who belongs to which group (changed through ``addUser(named:id:)`` and the
    /// other directory use cases, which apply the library's rules).
    let directory: any Directory
    /// Where the time comes from.
    public let clock: any VaultClock
    /// The unlocked keys and the header generations they belong to (changed by passphrase
    /// change, rotation, and reloading a header another writer stored).
    let keys: Locked<KeyState>
    /// The writer of the audit trail: chains records and shares commits (docs/contract.md §12).
    let auditLog: AuditLog

    /// How many times a write retries after meeting a header newer than its keys'
    /// (``StorageError/staleHeader``) before it gives up: each retry first adopts that header,
    /// so more than a few means another writer re-keys without pause.
    static let staleHeaderRetries = 8

    struct KeyState: Sendable {
        var ring: KeyRing
        /// The generation of the header that `ring`'s KEK opens: header writes expect it.
        var headerGeneration: HeaderGeneration
        /// The newest generation whose current data key is `ring`'s: writes that seal name it.
        /// Ahead of ``headerGeneration`` once another process changed the passphrase but kept
        /// the keys (`KeyRing.reopening(_:)`).
        var sealingGeneration: HeaderGeneration

        init(ring: KeyRing, generation: HeaderGeneration) {
            self.ring = ring
            headerGeneration = generation
            sealingGeneration = generation
        }
    }

    private init(
        storage: any VaultStorage, directory: any Directory, clock: any VaultClock, ring: KeyRing,
        generation: HeaderGeneration
    ) {
        self.storage = storage
        self.directory = directory
        self.clock = clock
        self.keys = Locked(KeyState(ring: ring, generation: generation))
        self.auditLog = AuditLog(storage: storage)
    }

    /// Creates a new vault in an empty storage: a fresh data key, wrapped under `credential`.
    ///
    /// - Parameters:
    ///   - storage: an empty store (no header yet).
    ///   - directory: the users and groups; defaults to the one kept in `storage`.
    ///   - credential: a passphrase (stretched with Argon2id at `cost`) or a raw 32-byte key.
    ///   - cost: Argon2id's cost; ignored for a raw key.
    ///   - historyDepth: old versions kept per entry, 0 to 100 (docs/contract.md §11); a setting
    ///     of the vault, changed later with ``setHistoryDepth(_:)``.
    ///   - clock: the time source.
    /// - Throws: ``VaultKeyError/vaultExists`` if the store already holds a vault;
    ///   ``VaultKeyError/invalidSetting(_:)`` for a depth outside 0 to 100;
    ///   ``VaultKeyError/invalidKeyLength(expected:actual:)``, ``VaultKeyError/keyDerivationFailed``,
    ///   ``VaultKeyError/storage(_:)``.
    public static func create(
        storage: any VaultStorage, directory: (any Directory)? = nil, credential: VaultCredential,
        cost: KeyDerivationCost = .moderate, historyDepth: Int = Vault.defaultHistoryDepth,
        clock: any VaultClock = .system
    ) async throws(VaultKeyError) -> Vault {
        guard historyDepthRange.contains(historyDepth) else {
            throw .invalidSetting("a history depth of \(historyDepth) is outside 0 to 100")
        }
        let ring: KeyRing
        let header: [UInt8]
        do { (ring, header) = try KeyRing.create(credential: credential, cost: cost, historyDepth: historyDepth) } catch
        {
            throw VaultKeyError(error)
        }
        let generation: HeaderGeneration
        do {
            generation = try await storage.writeHeader(header, expectedGeneration: .noHeader)
        } catch .staleHeader {
            throw .vaultExists
        } catch {
            throw VaultKeyError(error)
        }
        return Vault(
            storage: storage, directory: directory ?? StorageDirectory(storage), clock: clock, ring: ring,
            generation: generation)
    }

    /// Opens an existing vault.
    ///
    /// - Parameters:
    ///   - storage: the store that holds it.
    ///   - directory: the users and groups; defaults to the one kept in `storage`.
    ///   - credential: the passphrase or raw 32-byte key it was made (or last changed) with.
    ///   - maximumCost: the most Argon2id work a header may ask for (default libsodium's
    ///     `sensitive` preset, 4 passes over 1 GiB); a header above it in either limit is refused
    ///     before any derivation runs, so an edited header cannot make opening fill the memory
    ///     or never finish. Raise it for vaults made with a higher cost.
    ///   - clock: the time source.
    /// - Throws: ``VaultKeyError/wrongPassphraseOrKey`` for a wrong credential (nothing is changed),
    ///   ``VaultKeyError/headerCorrupted(reason:)``, ``VaultKeyError/unsupportedHeaderVersion(_:)``,
    ///   ``VaultKeyError/costTooHigh(stated:maximum:)``, ``VaultKeyError/noVault`` when the store holds
    ///   no vault, ``VaultKeyError/storage(_:)``.
    public static func open(
        storage: any VaultStorage, directory: (any Directory)? = nil, credential: VaultCredential,
        maximumCost: KeyDerivationCost = .sensitive, clock: any VaultClock = .system
    ) async throws(VaultKeyError) -> Vault {
        let stored: StoredHeader?
        do { stored = try await storage.readHeader() } catch { throw VaultKeyError(error) }
        guard let stored else { throw .noVault }
        let ring: KeyRing
        do { ring = try KeyRing.unlock(header: stored.bytes, credential: credential, maximumCost: maximumCost) } catch {
            throw VaultKeyError(error)
        }
        return Vault(
            storage: storage, directory: directory ?? StorageDirectory(storage), clock: clock, ring: ring,
            generation: stored.generation)
    }

    /// A ready vault in memory, under a random raw key: one line for a consumer's unit tests.
    public static func inMemory(
        directory: (any Directory)? = nil, clock: any VaultClock = .system
    ) async throws -> Vault {
        let storage = InMemoryStorage()
        return try await Vault.create(
            storage: storage, directory: directory, credential: .rawKey(try SecretBytes.random(count: 32)),
            clock: clock)
    }

    /// The current keys, copied out of the lock so that crypto runs outside it.
    var ring: KeyRing { keys.withLock { $0.ring } }

    /// Runs a storage call, turning its failure into the catalogue's (1008 for a lost race).
    func storing<T>(_ body: () async throws(StorageError) -> T) async throws(VaultError) -> T {
        do {
            return try await body()
        } catch {
            throw VaultError(error)
        }
    }
}

// MARK: - Access

extension Vault {
    /// Loads an entry and checks that `user` may do `operation` on it:
    /// 1005 when it does not exist or `user` has no access, 1006 when their rights are too low
    /// (the role, or the reveal right for an operation that shows secrets, docs/contract.md §13).
    func load(
        _ id: EntryID, as user: User, for operation: EntryOperation
    ) async throws(VaultError) -> (PasswordEntity, EntryRights) {
        let found: PasswordEntity?
        found = try await storing { () async throws(StorageError) in try await storage.entity(id) }
        guard let entity = found, let rights = try await rights(of: user, on: entity) else { throw .notFound }
        guard rights.permits(operation) else { throw .accessDenied }
        return (entity, rights)
    }

    /// `user`'s rights on `entity`, reading group membership only when it can matter.
    func rights(of user: User, on entity: PasswordEntity) async throws(VaultError) -> EntryRights? {
        if entity.owner == user.id { return .owner }
        if entity.groupsAllowed.isEmpty { return entity.rights(of: user, memberOf: []) }
        return entity.rights(of: user, memberOf: try await groups(of: user))
    }

    /// The groups `user` belongs to, from the directory, now.
    func groups(of user: User) async throws(VaultError) -> Set<String> {
        do {
            return try await directory.groups(containing: user.username)
        } catch {
            throw .unexpected(cause: error)
        }
    }

    /// The role `user` holds on entry `id`, or `nil` when the entry does not exist or they have no access.
    public func effectiveRole(of id: EntryID, for user: User) async throws(VaultError) -> Role? {
        try await effectiveRights(of: id, for: user)?.role
    }

    /// The rights `user` holds on entry `id` (role and reveal, docs/contract.md §13), or `nil`
    /// when the entry does not exist or they have no access.
    public func effectiveRights(of id: EntryID, for user: User) async throws(VaultError) -> EntryRights? {
        do {
            return try await load(id, as: user, for: .read).1
        } catch .notFound {
            return nil
        }
    }
}
