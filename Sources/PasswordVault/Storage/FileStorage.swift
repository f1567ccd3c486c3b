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
/// share that serve ``VaultStorage/entities(visibleTo:)``. **Every write rewrites the whole
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
public final class FileStorage: StateBackedStorage {
    typealias Store = StoreState

    /// The vault file's path.
    public let path: String
    private let file: FileBackend
    /// How long a writer waits for another process's lock before ``StorageError/busy(_:)``.
    static let lockTimeout: Duration = .seconds(30)

    private init(path: String, state: consuming FileBackend.State) {
        self.path = path
        file = FileBackend(path: path, state: state)
        super.init(backend: file)
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
        var store = Store(generation: 1)
        let file: PinnedFile
        do throws(StorageError) {
            try refuseExisting(path)
            VaultFile.removeTemporaries(of: path)
            file = try VaultFile.save(&store, at: path, sizeHint: FileFormat.headerSize + 64)
        } catch {
            lock.release()
            throw error
        }
        lock.release()
        return FileStorage(path: path, state: .init(store: store, file: file, lock: lock, sweptTemporaries: true))
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
            path: path, state: .init(store: loaded.store, file: loaded.file, lock: lock, sweptTemporaries: false))
    }

    private static func refuseExisting(_ path: String) throws(StorageError) {
        if let size = try VaultFile.size(at: path), size > 0 {
            throw .duplicate("a file already exists at \(path)")
        }
    }
}

/// The file behind a ``FileStorage``: its state, re-read when another process replaced the
/// file, and commits that rewrite it under the cross-process lock. File work runs on a
/// private serial dispatch queue, never on the cooperative thread pool.
final class FileBackend: StoreBackend {
    let path: String
    private let queue: DispatchQueue
    private let state: Locked<State>

    struct State: ~Copyable {
        var store: StoreState
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

    init(path: String, state: consuming State) {
        self.path = path
        self.queue = DispatchQueue(label: "PasswordVault.FileStorage")
        self.state = Locked(state)
    }

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
    func read<T: Sendable>(_ body: @escaping @Sendable (StoreState) throws(StorageError) -> T)
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
    func write<T: Sendable>(_ body: @escaping @Sendable (inout StoreState) throws(StorageError) -> T)
        async throws(StorageError) -> T
    {
        try await perform { () throws(StorageError) -> T in
            try self.state.withLock { (s: inout State) throws(StorageError) -> T in
                try s.lock.acquire(timeout: FileStorage.lockTimeout)
                defer { s.lock.release() }
                if !s.sweptTemporaries {
                    VaultFile.removeTemporaries(of: self.path)
                    s.sweptTemporaries = true
                }
                try s.refresh(self.path)
                var next = s.store
                let result = try body(&next)
                next.generation &+= 1
                s.file = try VaultFile.save(&next, at: self.path, sizeHint: s.file.size + 4096)
                s.store = next
                return result
            }
        }
    }

    func recordListing(examined: Int) {}
}

// MARK: Batches

extension FileStorage {
    /// Reserves `count` fresh identifiers in one commit, ascending, for ``insert(contentsOf:)``.
    ///
    /// For bulk loads (imports, benchmarks) of entries whose secrets the caller sealed; the
    /// vault itself creates entries with ``VaultStorage/commit(_:)``.
    /// - Throws: ``StorageError/failure(_:)`` when `count` is negative.
    public func allocateIdentifiers(_ count: Int) async throws(StorageError) -> [EntryID] {
        guard count >= 0 else { throw .failure("cannot allocate \(count) identifiers") }
        guard count > 0 else { return [] }
        let first = try await file.write { (s: inout StoreState) throws(StorageError) in try s.allocate(count) }
        return (first..<first + Int64(count)).map { EntryID(rawValue: $0)! }
    }

    /// Inserts many entries in one commit: all of them, or none.
    ///
    /// Each entry's identifier must come from ``allocateIdentifiers(_:)`` and not be used yet.
    /// One rewrite of the file instead of one per entry: the way to load a large import.
    public func insert(contentsOf entities: [PasswordEntity]) async throws(StorageError) {
        guard !entities.isEmpty else { return }
        try await file.write { (s: inout StoreState) throws(StorageError) in
            for entity in entities { try s.insert(entity) }
        }
    }
}

// As for `StateBackedStorage`: every stored property is a `let` of a `Sendable` type.
extension FileStorage: @unchecked Sendable {}
