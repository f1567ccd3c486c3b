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
    /// The unlocked keys and the header bytes they came from (changed by passphrase change and rotation).
    let keys: Locked<KeyState>

    struct KeyState: Sendable {
        var ring: KeyRing
        var header: [UInt8]
        /// Writes in progress that seal with a ring they took (``beginSealing()``), counted by
        /// that ring's current key id: a rotation waits for those of older keys before it drops them.
        var sealingWrites: [UInt32: Int] = [:]

        /// Adopts a new ring and header, keeping the count of writes in progress.
        mutating func adopt(_ ring: KeyRing, header: [UInt8]) {
            self.ring = ring
            self.header = header
        }
    }

    private init(
        storage: any VaultStorage, directory: any Directory, clock: any VaultClock, ring: KeyRing, header: [UInt8]
    ) {
        self.storage = storage
        self.directory = directory
        self.clock = clock
        self.keys = Locked(KeyState(ring: ring, header: header))
    }

    /// Creates a new vault in an empty storage: a fresh data key, wrapped under `credential`.
    ///
    /// - Parameters:
    ///   - storage: an empty store (no header yet).
    ///   - directory: the users and groups; defaults to the one kept in `storage`.
    ///   - credential: a passphrase (stretched with Argon2id at `cost`) or a raw 32-byte key.
    ///   - cost: Argon2id's cost; ignored for a raw key.
    ///   - clock: the time source.
    /// - Throws: ``CryptoError`` or ``StorageError`` (``StorageError/conflict`` if the store already holds a vault).
    public static func create(
        storage: any VaultStorage, directory: (any Directory)? = nil, credential: VaultCredential,
        cost: KeyDerivationCost = .moderate, clock: any VaultClock = .system
    ) async throws -> Vault {
        let (ring, header) = try KeyRing.create(credential: credential, cost: cost)
        try await storage.writeHeader(header, expected: nil)
        return Vault(
            storage: storage, directory: directory ?? StorageDirectory(storage), clock: clock, ring: ring,
            header: header)
    }

    /// Opens an existing vault.
    ///
    /// - Throws: ``CryptoError/wrongPassphraseOrKey`` for a wrong credential (nothing is changed),
    ///   ``CryptoError/headerCorrupted(reason:)`` for a damaged header, ``StorageError`` for the store,
    ///   ``StorageError/notFound(_:)`` when the store holds no vault.
    public static func open(
        storage: any VaultStorage, directory: (any Directory)? = nil, credential: VaultCredential,
        clock: any VaultClock = .system
    ) async throws -> Vault {
        guard let header = try await storage.readHeader() else { throw StorageError.notFound("vault header") }
        let ring = try KeyRing.unlock(header: header, credential: credential)
        return Vault(
            storage: storage, directory: directory ?? StorageDirectory(storage), clock: clock, ring: ring,
            header: header)
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

    /// The current keys for a write that seals with them; pair with ``endSealing(with:)``.
    ///
    /// Taking the ring and counting the write happen under one lock, so a rotation that has
    /// not seen the write yet cannot have made a newer key current before the ring was taken.
    func beginSealing() -> KeyRing {
        keys.withLock { state in
            state.sealingWrites[state.ring.currentKeyID, default: 0] += 1
            return state.ring
        }
    }

    /// Ends a write begun with ``beginSealing()`` (stored, refused or failed).
    func endSealing(with ring: KeyRing) {
        keys.withLock { state in
            let remaining = state.sealingWrites[ring.currentKeyID, default: 1] - 1
            state.sealingWrites[ring.currentKeyID] = remaining > 0 ? remaining : nil
        }
    }

    /// Whether a write that seals under a key other than `current` is still in progress.
    func hasSealingWrites(otherThan current: UInt32) -> Bool {
        keys.withLock { $0.sealingWrites.keys.contains { $0 != current } }
    }

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
    /// 1005 when it does not exist or `user` has no access, 1006 when the role is too low.
    func load(
        _ id: EntryID, as user: User, for operation: Operation
    ) async throws(VaultError) -> (PasswordEntity, Role) {
        let found: PasswordEntity?
        found = try await storing { () async throws(StorageError) in try await storage.entity(id) }
        guard let entity = found, let role = try await role(of: user, on: entity) else { throw .notFound }
        guard role.permits(operation) else { throw .accessDenied }
        return (entity, role)
    }

    /// `user`'s role on `entity`, reading group membership only when it can matter.
    func role(of user: User, on entity: PasswordEntity) async throws(VaultError) -> Role? {
        if entity.owner == user.id { return .owner }
        if entity.groupsAllowed.isEmpty { return entity.role(of: user, memberOf: []) }
        if entity.usersAllowed.contains(where: { $0.username == user.username && $0.canEdit }) { return .editor }
        return entity.role(of: user, memberOf: try await groups(of: user))
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
        do {
            return try await load(id, as: user, for: .read).1
        } catch .notFound {
            return nil
        }
    }
}
