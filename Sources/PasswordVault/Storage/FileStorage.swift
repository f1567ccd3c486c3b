import Foundation

/// A ``VaultStorage`` in one file, for small vaults: crash-safe, shareable between processes.
///
/// The whole store — header, directory, entries — is one file in a documented
/// binary format (magic, format version, generation, CRC-32 checksums; see
/// `FileStorage+Format.swift`). Every commit writes the complete new store to
/// `<path>.tmp-<random>` (created with `O_EXCL | O_NOFOLLOW`, mode 0600), fsyncs it, renames it over `<path>` and fsyncs the
/// folder, so a crash at any instant leaves either the old or the new state; a
/// torn or damaged file is refused with ``StorageError/corrupted(_:)``, never
/// half-read.
///
/// Processes sharing the file serialise their writes with `flock(LOCK_EX)` on
/// `<path>.lock`; before every operation the adapter checks whether the file was
/// replaced since it read it and, if so, reads it again, so each process sees
/// the others' writes. Reads take no lock: renames are atomic.
///
/// Cost: the store lives in memory, with indexes by owner, user share and group
/// share that serve ``entities(visibleTo:)``. **Every write rewrites the whole
/// file — O(store size) — and a write by another process makes the next
/// operation here re-read it**, so this adapter suits vaults of up to some
/// thousands of entries. ``insert(contentsOf:)`` loads many entries in one
/// commit. For more, use the SQLite adapter.
///
/// File work runs on a private serial dispatch queue, never on the cooperative
/// thread pool.
///
/// ```swift
/// let storage = try FileStorage.create(at: "/var/lib/app/vault.pwvault")
/// // later, and from other processes:
/// let same = try FileStorage.open(at: "/var/lib/app/vault.pwvault")
/// ```
public final class FileStorage: VaultStorage {
    typealias Store = StoreState

    /// The vault file's path.
    public let path: String
    private let queue: DispatchQueue
    private let state: Locked<State>
    /// How long a writer waits for another process's lock before ``StorageError/busy(_:)``.
    static let lockTimeout: Duration = .seconds(30)

    struct State: ~Copyable {
        var store: Store
        var file: PinnedFile
        let lock: LockFile
        var sweptTemporaries: Bool

        /// Reads the file again if another process (or another instance) replaced it.
        mutating func refresh(_ path: String) throws(StorageError) {
            guard try !file.isCurrent(at: path) else { return }
            let loaded = try VaultFile.load(at: path)
            store = loaded.store
            file = loaded.file
        }
    }

    private init(path: String, state: consuming State) {
        self.path = path
        self.queue = DispatchQueue(label: "PasswordVault.FileStorage")
        self.state = Locked(state)
    }

    /// Creates a new, empty vault file.
    ///
    /// - Parameter path: Where the file goes. Nothing may be there yet, except an empty file.
    /// - Throws: ``StorageError/duplicate(_:)`` when a non-empty file exists at `path`;
    ///   ``StorageError/failure(_:)`` when the file cannot be written.
    public static func create(at path: String) throws(StorageError) -> FileStorage {
        try refuseExisting(path)
        let lock = try LockFile(path: path + ".lock")
        try lock.acquire(timeout: lockTimeout)
        let store = Store(generation: 1)
        let file: PinnedFile
        do throws(StorageError) {
            try refuseExisting(path)
            VaultFile.removeTemporaries(of: path)
            file = try VaultFile.save(store, at: path, sizeHint: FileFormat.headerSize + 64)
        } catch {
            lock.release()
            throw error
        }
        lock.release()
        return FileStorage(path: path, state: State(store: store, file: file, lock: lock, sweptTemporaries: true))
    }

    /// Opens an existing vault file, checking it completely first.
    ///
    /// Nothing is written to a file that is refused.
    /// - Throws: ``StorageError/notFound(_:)`` when there is no file;
    ///   ``StorageError/corrupted(_:)`` naming the problem when the file is empty,
    ///   truncated, damaged or not a vault file.
    public static func open(at path: String) throws(StorageError) -> FileStorage {
        let loaded = try VaultFile.load(at: path)
        let lock = try LockFile(path: path + ".lock")
        return FileStorage(
            path: path, state: State(store: loaded.store, file: loaded.file, lock: lock, sweptTemporaries: false))
    }

    private static func refuseExisting(_ path: String) throws(StorageError) {
        if let size = try VaultFile.size(at: path), size > 0 {
            throw .duplicate("a file already exists at \(path)")
        }
    }

    // MARK: Running operations

    /// Runs `body` on the private queue, off the cooperative thread pool.
    private func perform<T: Sendable>(_ body: @escaping @Sendable () throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<T, StorageError>, Never>) in
            queue.async { continuation.resume(returning: Result(catching: body)) }
        }
        return try result.get()
    }

    /// Reads from the current state, re-reading the file first if it was replaced.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Store) throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        try await perform { () throws(StorageError) -> T in
            try self.state.withLock { (s: inout State) throws(StorageError) -> T in
                try s.refresh(self.path)
                return try body(s.store)
            }
        }
    }

    /// One commit: under the cross-process lock, brings the state up to date,
    /// applies `body` to a copy, writes the copy out, then adopts it. If `body`
    /// throws, nothing is written.
    private func write<T: Sendable>(_ body: @escaping @Sendable (inout Store) throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        try await perform { () throws(StorageError) -> T in
            try self.state.withLock { (s: inout State) throws(StorageError) -> T in
                try s.lock.acquire(timeout: Self.lockTimeout)
                defer { s.lock.release() }
                if !s.sweptTemporaries {
                    VaultFile.removeTemporaries(of: self.path)
                    s.sweptTemporaries = true
                }
                try s.refresh(self.path)
                var next = s.store
                let result = try body(&next)
                next.generation &+= 1
                s.file = try VaultFile.save(next, at: self.path, sizeHint: s.file.size + 4096)
                s.store = next
                return result
            }
        }
    }
}

// MARK: VaultStorage

extension FileStorage {
    /// See ``VaultStorage/readHeader()``.
    public func readHeader() async throws(StorageError) -> [UInt8]? {
        try await read { $0.header }
    }

    /// See ``VaultStorage/writeHeader(_:expected:)``.
    public func writeHeader(_ header: [UInt8], expected: [UInt8]?) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in try s.writeHeader(header, expected: expected) }
    }

    /// See ``VaultStorage/allocateIdentifier()``.
    public func allocateIdentifier() async throws(StorageError) -> EntryID {
        try await write { (s: inout Store) throws(StorageError) in EntryID(rawValue: try s.allocate(1))! }
    }

    /// See ``VaultStorage/insert(_:)``.
    public func insert(_ entity: PasswordEntity) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in try s.insert(entity) }
    }

    /// See ``VaultStorage/entity(_:)``.
    public func entity(_ id: EntryID) async throws(StorageError) -> PasswordEntity? {
        try await read { $0.entities[id] }
    }

    /// See ``VaultStorage/replace(_:expectedVersion:)``.
    public func replace(_ entity: PasswordEntity, expectedVersion: UInt64) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in
            try s.replace(entity, expectedVersion: expectedVersion)
        }
    }

    /// See ``VaultStorage/delete(_:expectedVersion:)``.
    public func delete(_ id: EntryID, expectedVersion: UInt64) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in try s.delete(id, expectedVersion: expectedVersion) }
    }

    /// See ``VaultStorage/entities(visibleTo:)``.
    public func entities(visibleTo query: VisibilityQuery) async throws(StorageError) -> [PasswordEntity] {
        try await read { $0.visible(to: query) }
    }

    /// See ``VaultStorage/entities(after:limit:)``.
    public func entities(after: EntryID?, limit: Int) async throws(StorageError) -> [PasswordEntity] {
        try await read { $0.page(after: after, limit: limit) }
    }

    /// See ``VaultStorage/addUser(_:)``.
    public func addUser(_ user: User) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in try s.addUser(user) }
    }

    /// See ``VaultStorage/user(named:)``.
    public func user(named username: String) async throws(StorageError) -> User? {
        try await read { $0.user(named: username) }
    }

    /// See ``VaultStorage/user(id:)``.
    public func user(id: UserID) async throws(StorageError) -> User? {
        try await read { $0.usersByID[id] }
    }

    /// See ``VaultStorage/users()``.
    public func users() async throws(StorageError) -> [User] {
        try await read { $0.usersByID.values.sorted { $0.id < $1.id } }
    }

    /// See ``VaultStorage/addGroup(named:)``.
    public func addGroup(named name: String) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in try s.addGroup(named: name) }
    }

    /// See ``VaultStorage/setMembership(group:username:isMember:)``.
    public func setMembership(group: String, username: String, isMember: Bool) async throws(StorageError) {
        try await write { (s: inout Store) throws(StorageError) in
            try s.setMembership(group: group, username: username, isMember: isMember)
        }
    }

    /// See ``VaultStorage/group(named:)``.
    public func group(named name: String) async throws(StorageError) -> Group? {
        try await read { $0.groups[name] }
    }

    /// See ``VaultStorage/groups()``.
    public func groups() async throws(StorageError) -> [Group] {
        try await read { $0.groups.values.sorted { $0.name < $1.name } }
    }

    /// See ``VaultStorage/groups(containing:)``.
    public func groups(containing username: String) async throws(StorageError) -> Set<String> {
        try await read { $0.groupsByMember[username] ?? [] }
    }
}

// MARK: Batches

extension FileStorage {
    /// Reserves `count` fresh identifiers in one commit, ascending.
    ///
    /// Each is as good as one from ``allocateIdentifier()``; this is for bulk loads.
    /// - Throws: ``StorageError/failure(_:)`` when `count` is negative.
    public func allocateIdentifiers(_ count: Int) async throws(StorageError) -> [EntryID] {
        guard count >= 0 else { throw .failure("cannot allocate \(count) identifiers") }
        guard count > 0 else { return [] }
        let first = try await write { (s: inout Store) throws(StorageError) in try s.allocate(count) }
        return (first..<first + Int64(count)).map { EntryID(rawValue: $0)! }
    }

    /// Inserts many entries in one commit: all of them, or none.
    ///
    /// The rules of ``insert(_:)`` apply to each entry (identifiers allocated, not yet used).
    /// One rewrite of the file instead of one per entry: the way to load a large import.
    public func insert(contentsOf entities: [PasswordEntity]) async throws(StorageError) {
        guard !entities.isEmpty else { return }
        try await write { (s: inout Store) throws(StorageError) in
            for entity in entities { try s.insert(entity) }
        }
    }
}
