import Foundation
import GRDB
import PasswordVault

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `VaultStorage` in an SQLite database, through GRDB: durable, shared safely
/// between processes, and indexed for large vaults.
///
/// - Durability: write-ahead log with `synchronous = FULL`, so a write is on disk
///   when its call returns; a crash loses no acknowledged write.
/// - Concurrency: a GRDB `DatabasePool` — one writer connection and several
///   readers, which in WAL mode read a consistent snapshot while a write is under
///   way. Writes run in `IMMEDIATE` transactions; another process holding the
///   write lock is waited for (`busyTimeout`), then retried (`busyRetries`) before
///   `StorageError/busy(_:)`.
/// - Compare-and-set: `UPDATE … WHERE id = ? AND version = ?`; no row changed is
///   `StorageError/conflict`.
/// - Identifiers: a one-row counter incremented in the inserting transaction, never
///   `MAX(id) + 1`, so none is reused.
/// - Listing: owner index ∪ user-share index ∪ group-share index, then the rows by
///   primary key: never a scan of the entries.
///
/// Every method runs on GRDB's own dispatch queues, not on the cooperative pool.
///
/// ```swift
/// let storage = try SQLiteStorage.create(at: "/var/lib/app/vault.db")
/// // later, and from other processes:
/// let same = try SQLiteStorage.open(at: "/var/lib/app/vault.db")
/// ```
public final class SQLiteStorage: VaultStorage {
    /// The database file's path.
    public let path: String
    /// The readers: read-only connections, so opening and reading never write to the file.
    let pool: DatabasePool
    /// The one writer connection. It leaves the journal mode as the file has it (WAL, set
    /// by ``create(at:options:)``): GRDB's `DatabasePool` set-up would instead write a
    /// table and drop it on every open (changing the file) when no `-wal` file exists.
    let writer: DatabaseQueue
    let options: Options

    /// How the adapter waits for other processes.
    public struct Options: Sendable {
        /// How long SQLite waits for a lock held by another connection.
        public var busyTimeout: Duration
        /// How many more times an operation that still found the database locked is tried.
        public var busyRetries: Int

        /// Options; the defaults suit a handful of processes sharing a vault.
        public init(busyTimeout: Duration = .seconds(5), busyRetries: Int = 3) {
            self.busyTimeout = busyTimeout
            self.busyRetries = busyRetries
        }
    }

    private init(path: String, pool: DatabasePool, writer: DatabaseQueue, options: Options) {
        self.path = path
        self.pool = pool
        self.writer = writer
        self.options = options
    }

    deinit {
        // The readers close first, so the writer is the last connection: SQLite then
        // checkpoints the log and removes `-wal` and `-shm` (a read-only connection cannot).
        try? pool.close()
        try? writer.close()
    }

    /// Creates a new vault database.
    ///
    /// The database is built under a temporary name beside `path` and moved into
    /// place complete, so a crash never leaves a half-made vault at `path`.
    /// - Parameters:
    ///   - path: Where the file goes. Nothing may be there yet, except an empty file.
    ///   - options: The busy timeout and retries.
    /// - Throws: `StorageError/duplicate(_:)` when a non-empty file exists at `path`;
    ///   `StorageError/failure(_:)` when it cannot be written.
    public static func create(at path: String, options: Options = Options()) throws(StorageError) -> SQLiteStorage {
        try refuseExisting(path)
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).creating-\(getpid())-\(UUID().uuidString)").path
        defer { for suffix in ["", "-wal", "-shm"] { unlink(temporary + suffix) } }
        do {
            var configuration = configuration(options)
            configuration.journalMode = .wal
            let queue = try DatabaseQueue(path: temporary, configuration: configuration)
            try Schema.migrator.migrate(queue)
            // Closing the last connection checkpoints the log into the file and removes it.
            try queue.close()
        } catch {
            throw StorageError(error)
        }
        chmod(temporary, 0o600)
        try FileCheck.syncFile(temporary)
        // link(2) never replaces an existing file: two creators cannot overwrite each other.
        if link(temporary, path) != 0 {
            let linkError = errno
            let size = try FileCheck.fileSize(path)
            guard size == nil || size == 0 else { throw .duplicate("a file already exists at \(path)") }
            guard rename(temporary, path) == 0 else {
                errno = linkError
                throw .failure(posixMessage("cannot move the new vault to \(path)"))
            }
        }
        try FileCheck.syncFile(url.deletingLastPathComponent().path)
        return try open(at: path, options: options)
    }

    /// Opens an existing vault database.
    ///
    /// The file is checked before anything is written to it: its raw header first
    /// (an empty, truncated or non-SQLite file, or an SQLite database of another
    /// application, is refused before SQLite opens it), then its schema through a
    /// read-only connection. A refused file is left exactly as it was, and so is an
    /// up-to-date vault: the open writes nothing (docs/contract.md §16); only a pending
    /// migration writes.
    /// - Throws: `StorageError/notFound(_:)` when there is no file;
    ///   `StorageError/corrupted(_:)` naming the problem when it is not a vault.
    public static func open(at path: String, options: Options = Options()) throws(StorageError) -> SQLiteStorage {
        try FileCheck.check(path)
        let pending = try Schema.verify(path, configuration: configuration(options))
        let pool: DatabasePool
        let writer: DatabaseQueue
        do {
            var writerConfiguration = configuration(options)
            // Durable commits need FULL (a setting of the connection, not of the file).
            writerConfiguration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            writer = try DatabaseQueue(path: path, configuration: writerConfiguration)
            var readerConfiguration = configuration(options)
            readerConfiguration.readonly = true
            pool = try DatabasePool(path: path, configuration: readerConfiguration)
        } catch {
            throw StorageError(error)
        }
        if pending { try Schema.migrate(writer) }
        return SQLiteStorage(path: path, pool: pool, writer: writer, options: options)
    }

    private static func configuration(_ options: Options) -> Configuration {
        var configuration = Configuration()
        configuration.label = "PasswordVaultSQLite"
        let (seconds, attoseconds) = options.busyTimeout.components
        configuration.busyMode = .timeout(Double(seconds) + Double(attoseconds) / 1e18)
        return configuration
    }

    private static func refuseExisting(_ path: String) throws(StorageError) {
        if let size = try FileCheck.fileSize(path), size > 0 { throw .duplicate("a file already exists at \(path)") }
        // A write-ahead log left at the path would be replayed into the new vault.
        if let size = try FileCheck.fileSize(path + "-wal"), size > 0 {
            throw .duplicate("an SQLite write-ahead log already exists at \(path)-wal")
        }
    }

    // MARK: Running statements

    /// Runs `body` in a write transaction, retrying while another process holds the lock.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        try await retrying { try await self.writer.write(body) }
    }

    /// Runs `body` on a reader connection, in a consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        try await retrying { try await self.pool.read(body) }
    }

    /// Runs `body`, which runs **one** statement, on a reader connection outside a
    /// transaction: SQLite gives a single statement a consistent snapshot of its own, so
    /// this skips the `BEGIN`/`COMMIT` pair (two statements prepared per call) that
    /// ``read(_:)`` adds for isolating several statements.
    func readStatement<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StorageError) -> T {
        try await retrying { try await self.pool.unsafeRead(body) }
    }

    private func retrying<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws(StorageError) -> T {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                let mapped = StorageError(error)
                guard mapped.isBusy, attempt < options.busyRetries else { throw mapped }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(Int.random(in: 5...50) << attempt))
            }
        }
    }
}
