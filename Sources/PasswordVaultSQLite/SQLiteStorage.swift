import Foundation
import GRDB
import PasswordVault
import Synchronization

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
/// Every method runs on dispatch queues (the adapter's and GRDB's), not on the cooperative pool.
///
/// ```swift
/// let storage = try SQLiteStorage.create(at: "/var/lib/app/vault.db")
/// // later, and from other processes:
/// let same = try SQLiteStorage.open(at: "/var/lib/app/vault.db")
/// ```
public final class SQLiteStorage: VaultStorage, StorageExecutorProviding {
    /// The database file's path.
    public let path: String
    /// The read-only connections every read runs on.
    let pool: DatabasePool
    /// The one read-write connection, or `nil` when the vault is open read-only.
    let writer: DatabaseQueue?
    let options: Options
    /// Notices a change of `vault_header`, after which the log is truncated.
    private let headerWrites: HeaderWrites?
    /// Whether the file still has an older schema (a first-release vault): the first read or
    /// write after the open migrates it (``upgradeIfPending()``), not the open itself, so that a
    /// refused passphrase leaves the file as it was (docs/contract.md §7, §16).
    private let upgradePending: Atomic<Bool>
    /// Serialises the migration among this storage's callers.
    private let upgradeLock = Mutex(())
    /// Where writes run: one at a time, as the one read-write connection allows.
    let writeQueue = DispatchQueue(label: "PasswordVaultSQLite.write")
    /// Where reads run, several at once (as many as the pool has reader connections; more wait
    /// for one there).
    let readQueue = DispatchQueue(label: "PasswordVaultSQLite.read", attributes: .concurrent)
    /// The task executor whose threads may block in SQLite (``preferredExecutor``).
    let executor = BlockingExecutor(label: "PasswordVaultSQLite.calls")

    /// Whether this storage only reads: opened with ``Options/readOnly``, or the file (or its
    /// folder) is not writable by this process. Every write is then refused, naming the file.
    public var isReadOnly: Bool { writer == nil }

    /// How long SQLite waits for a lock held by another connection, by default.
    public static let defaultBusyTimeout: Duration = .seconds(5)
    /// How many more times an operation that still found the database locked is tried, by default.
    public static let defaultBusyRetries = 3
    /// The first pause before a retry, in milliseconds (a random value in this range, doubled per attempt).
    static let retryPauseMilliseconds = 5...50

    /// How the adapter waits for other processes, and whether it may write.
    public struct Options: Sendable {
        /// How long SQLite waits for a lock held by another connection.
        public var busyTimeout: Duration
        /// How many more times an operation that still found the database locked is tried.
        public var busyRetries: Int
        /// Open for reading only: no read-write connection is opened and every write is refused.
        /// A vault whose file or folder this process cannot write is opened read-only anyway.
        public var readOnly: Bool

        /// Options; the defaults suit a handful of processes sharing a vault.
        public init(
            busyTimeout: Duration = SQLiteStorage.defaultBusyTimeout,
            busyRetries: Int = SQLiteStorage.defaultBusyRetries,
            readOnly: Bool = false
        ) {
            self.busyTimeout = busyTimeout
            self.busyRetries = busyRetries
            self.readOnly = readOnly
        }
    }

    private init(
        path: String, pool: DatabasePool, writer: DatabaseQueue?, options: Options, upgradePending: Bool
    ) throws {
        self.path = path
        self.pool = pool
        self.writer = writer
        self.options = options
        self.upgradePending = Atomic(upgradePending)
        if let writer {
            let watch = HeaderWrites()
            writer.add(transactionObserver: watch, extent: .databaseLifetime)
            headerWrites = watch
        } else {
            headerWrites = nil
        }
    }

    deinit {
        // The readers close first, so that the read-write connection is this process's last: when
        // it is the last of all processes too, SQLite checkpoints the log into the file and removes
        // the log and the shared-memory file, and nothing is left beside the vault.
        try? pool.close()
        try? writer?.close()
    }

    /// Creates a new vault database.
    ///
    /// The database is built under a temporary name beside `path` and moved into
    /// place complete, so a crash never leaves a half-made vault at `path`.
    /// - Parameters:
    ///   - path: Where the file goes. Nothing may be there yet, except an empty file or the
    ///     leftover of an interrupted create: a PasswordVault database with no header, no entry,
    ///     no user and no group (the vault's header is written after the file is in place, so a
    ///     crash in between leaves one, which every open refuses). That leftover is replaced; a
    ///     vault with a header, or with anything in it, never is.
    ///   - options: The busy timeout and retries.
    /// - Throws: `StorageError/duplicate(_:)` when a non-empty file exists at `path`;
    ///   `StorageError/failure(_:)` when it cannot be written.
    public static func create(at path: String, options: Options = Options()) throws(StorageError) -> SQLiteStorage {
        let replacesLeftover = try refuseExisting(path, options: options)
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
        try POSIX.sync(temporary)
        if replacesLeftover {
            // Checked again just before: a header written meanwhile makes it a vault to keep.
            guard try isInterruptedCreate(path, options: options) else {
                throw .duplicate("a file already exists at \(path)")
            }
            guard rename(temporary, path) == 0 else {
                throw .failure(POSIX.message("cannot move the new vault to \(path)"))
            }
        } else if link(temporary, path) != 0 {
            // link(2) never replaces an existing file: two creators cannot overwrite each other.
            let linkError = errno
            let size = try POSIX.fileSize(at: path)
            guard size == nil || size == 0 else { throw .duplicate("a file already exists at \(path)") }
            guard rename(temporary, path) == 0 else {
                errno = linkError
                throw .failure(POSIX.message("cannot move the new vault to \(path)"))
            }
        }
        try POSIX.sync(url.deletingLastPathComponent().path, folder: true)
        return try open(at: path, options: options)
    }

    /// Opens an existing vault database.
    ///
    /// The file is checked before anything is written to it: its raw header first
    /// (an empty, truncated or non-SQLite file, or an SQLite database of another
    /// application, is refused before SQLite opens it), then its schema through a
    /// read-only connection. Opening an up-to-date vault writes nothing (docs/contract.md §16):
    /// no statement on the way changes the file, so a refused open, a wrong passphrase or a
    /// read leaves every byte as it was. A vault of an older schema is migrated by the first
    /// read or write after the open other than `readHeader()` — in a vault, the first one after the
    /// credential opened the header — so a refused passphrase leaves it as it was too.
    ///
    /// A vault this process cannot write (the file or its folder), or any vault with
    /// ``Options/readOnly``, opens read-only: reads work, writes are refused naming the file.
    /// When no write-ahead log exists beside such a vault it is read as SQLite's `immutable`
    /// file, so the read creates no `-wal`/`-shm` files (which would take the file's mode and
    /// could keep the vault unwritable after its mode is fixed); such a storage does not see
    /// what other processes write after it opened (open it again to see them).
    /// - Throws: `StorageError/notFound(_:)` when there is no file;
    ///   `StorageError/corrupted(_:)` naming the problem when it is not a vault.
    public static func open(at path: String, options: Options = Options()) throws(StorageError) -> SQLiteStorage {
        try FileCheck.check(path)
        let writable = !options.readOnly && FileCheck.isWritable(path)
        // Without a read-write connection and without a log, SQLite would create -wal and -shm
        // files even for a read-only connection, and could not remove them on close.
        let hasLog = try POSIX.fileSize(at: path + "-wal") != nil
        let readerPath = writable || hasLog ? path : immutableURI(path)
        return try retryingOpen(options) { () throws(StorageError) -> SQLiteStorage in
            do {
                // No journal-mode set-up here: the file is in WAL mode since its creation
                // (GRDB's DatabasePool set-up writes a table to the file when no log exists).
                let writer = writable ? try DatabaseQueue(path: path, configuration: writerConfiguration(options)) : nil
                let pending = try Schema.verify(readerPath, configuration: configuration(options))
                var readers = configuration(options)
                readers.readonly = true
                let pool = try DatabasePool(path: readerPath, configuration: readers)
                if pending, writer == nil {
                    throw StorageError.failure(
                        "the vault \(path) has an older schema and is open read-only: open it once for writing to upgrade it"
                    )
                }
                return try SQLiteStorage(
                    path: path, pool: pool, writer: writer, options: options, upgradePending: pending)
            } catch {
                throw StorageError(error)
            }
        }
    }

    /// Runs an open again while another connection's lock (a recovery, a closing connection)
    /// makes it busy, as every operation is.
    private static func retryingOpen<T>(
        _ options: Options, _ operation: () throws(StorageError) -> T
    ) throws(StorageError) -> T {
        var attempt = 0
        while true {
            do {
                return try operation()
            } catch {
                guard error.isBusy, attempt < options.busyRetries else { throw error }
                attempt += 1
                usleep(UInt32(Int.random(in: retryPauseMilliseconds) << attempt) * 1_000)
            }
        }
    }

    /// `file:PATH?immutable=1`, the path percent-encoded (RFC 3986 unreserved characters and `/` kept).
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var encoded = ""
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return "file:" + encoded + "?immutable=1"
    }

    private static func configuration(_ options: Options) -> Configuration {
        var configuration = Configuration()
        configuration.label = "PasswordVaultSQLite"
        let (seconds, attoseconds) = options.busyTimeout.components
        let timeout = Double(seconds) + Double(attoseconds) / 1e18
        configuration.busyMode = .callback { tries in retryAfterBusy(tries, timeout: timeout) }
        return configuration
    }

    /// The busy handler: while another connection holds the lock, try again every 100 µs for the
    /// first 10 ms, then every millisecond, until `timeout` seconds of waiting (then
    /// `SQLITE_BUSY`). SQLite's own timeout handler sleeps 1, 2, 5 … 100 ms between tries: a
    /// writer that commits every few hundred microseconds (a reveal, docs/performance.md) holds
    /// the lock nearly all the time, and the other process, asleep between its rare tries, could
    /// wait behind a whole run of its commits; short tries find the gaps between them.
    static func retryAfterBusy(_ tries: Int, timeout: Double) -> Bool {
        let waited = tries < 100 ? Double(tries) * 0.000_1 : 0.01 + Double(tries - 100) * 0.001
        guard waited < timeout else { return false }
        usleep(tries < 100 ? 100 : 1_000)
        return true
    }

    /// The read-write connection's: durable commits (`synchronous = FULL`; GRDB sets NORMAL
    /// when it enables WAL) and deleted content overwritten (`secure_delete`), so that no old
    /// header or sealed value stays in a free page or a freed cell (docs/contract.md §16). Both
    /// are settings of the connection: setting them writes nothing to the file.
    private static func writerConfiguration(_ options: Options) -> Configuration {
        var configuration = configuration(options)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// Refuses a path that holds something to keep; returns whether it holds the leftover
    /// of an interrupted create, to be replaced.
    private static func refuseExisting(_ path: String, options: Options) throws(StorageError) -> Bool {
        // A write-ahead log left at the path would be replayed into the new vault.
        if let size = try POSIX.fileSize(at: path + "-wal"), size > 0 {
            throw .duplicate("an SQLite write-ahead log already exists at \(path)-wal")
        }
        guard let size = try POSIX.fileSize(at: path), size > 0 else { return false }
        guard try isInterruptedCreate(path, options: options) else {
            throw .duplicate("a file already exists at \(path)")
        }
        return true
    }

    /// Whether `path` holds the leftover of an interrupted ``create(at:options:)`` (a vault
    /// database with no header and nothing else in it), which a new create replaces. Reads only.
    public static func holdsInterruptedCreate(at path: String) -> Bool {
        (try? isInterruptedCreate(path, options: Options())) ?? false
    }

    /// Whether `path` is a PasswordVault database of the current schema holding nothing at
    /// all: no header, no entry, no user, no group — what a create leaves when it is stopped
    /// before the vault's header is written. Opened read-only, so nothing is written.
    private static func isInterruptedCreate(_ path: String, options: Options) throws(StorageError) -> Bool {
        var readOnly = options
        readOnly.readOnly = true
        guard let storage = try? open(at: path, options: readOnly) else { return false }
        do {
            return try storage.pool.read { db in
                let rows = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM vault_header) + (SELECT count(*) FROM entry)
                             + (SELECT count(*) FROM vault_user) + (SELECT count(*) FROM vault_group)
                             + (SELECT count(*) FROM group_member) + (SELECT count(*) FROM audit_record)
                        """)
                return rows == 0
            }
        } catch {
            throw StorageError(error)
        }
    }

    // MARK: Running statements

    /// Runs `body` in a write transaction, retrying while another process holds the lock.
    ///
    /// After a commit that changed the header (a new passphrase, a rotated key) the log is
    /// checkpointed and truncated, so that no old header or sealed value stays in it
    /// (docs/contract.md §16). When another process's read keeps the checkpoint from finishing
    /// within the busy timeout, the truncation is left to the next header write, or to SQLite's
    /// checkpoint when the last connection closes (which removes the log).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        guard let writer, let headerWrites else {
            throw .failure("the vault \(path) is open read-only: nothing was written")
        }
        return try await retrying {
            try await self.onQueue(self.writeQueue) {
                try self.upgradeIfPending()
                return try writer.writeWithoutTransaction { db in
                    let result = try Self.inImmediateTransaction(db) { try body(db) }
                    if headerWrites.takeChange() { _ = try? db.checkpoint(.truncate) }
                    return result
                }
            }
        }
    }

    /// Runs `work`, which blocks (SQLite's locks, reads and fsyncs), on a thread of the adapter's
    /// own — never one of the cooperative pool (docs/contract.md §7) — and returns its outcome:
    /// inline when the caller already runs on ``preferredExecutor`` (a recorded engine call,
    /// `StorageExecutorProviding`), else on `queue`, resuming the caller afterwards.
    ///
    /// Either way this is GRDB's synchronous API called from a thread of ours: GRDB's own `async`
    /// accessors hop through an actor per queue they pass (the reader pool's semaphore queue, then
    /// the connection's queue), and every hop is a thread wake-up; here the synchronous accessor
    /// runs on the thread it is called on (docs/performance.md, "The audit trail on SQLite"). A
    /// task already cancelled is refused before anything runs, as GRDB's accessors do; a running
    /// statement is not interrupted.
    func onQueue<T: Sendable>(
        _ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try Task.checkCancellation()
        if executor.isCurrent { return try work() }
        // The block lets go of `work` (and so of this storage) before it resumes the caller: were
        // the block the last owner, the storage's deinit — which closes the connections and, as
        // the last one, removes the log — would otherwise race the caller on another thread, and
        // a process that exits right after its last call could leave `-wal` and `-shm` behind.
        let pending = PendingWork(work)
        return try await withUnsafeThrowingContinuation { continuation in
            queue.async { continuation.resume(with: pending.run()) }
        }
    }

    /// See `StorageExecutorProviding/preferredExecutor`: threads of the adapter's own, on which
    /// its statements run inline.
    public var preferredExecutor: any TaskExecutor { executor }

    /// `body` between `BEGIN IMMEDIATE` and `COMMIT`, both statements taken from the connection's
    /// cache. GRDB's `inTransaction` prepares the two afresh on every call: two `sqlite3_prepare`
    /// per write, about a fifth of a create's instructions (docs/performance.md). Any error after
    /// the `BEGIN` rolls back (GRDB's `rollback()`, which also copes with a transaction SQLite
    /// already ended) and is thrown as it is, so busy errors are retried as before.
    private static func inImmediateTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            try? db.rollback()
            throw error
        }
    }

    /// Runs `body` on a reader connection, in a consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        try await retrying {
            try await self.onQueue(self.readQueue) {
                try self.upgradeIfPending()
                return try self.pool.read(body)
            }
        }
    }

    /// Runs `body`, which runs **one** statement, on a reader connection outside a
    /// transaction: SQLite gives a single statement a consistent snapshot of its own, so
    /// this skips the `BEGIN`/`COMMIT` pair (two statements prepared per call) that
    /// ``read(_:)`` adds for isolating several statements.
    func readStatement<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StorageError) -> T {
        try await retrying {
            try await self.onQueue(self.readQueue) {
                try self.upgradeIfPending()
                return try self.pool.unsafeRead(body)
            }
        }
    }

    /// ``readStatement(_:)`` before any upgrade: for the header, which an older schema holds
    /// too, and which a vault reads before its credential is checked.
    func readStatementAsStored<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(StorageError) -> T {
        try await retrying { try await self.onQueue(self.readQueue) { try self.pool.unsafeRead(body) } }
    }

    /// Whether the file still has the older schema it was opened with.
    var isUpgradePending: Bool { upgradePending.load(ordering: .acquiring) }

    /// Applies the migrations an older vault lacks, once, before the first statement that needs
    /// the current schema. The migration is short and happens once per file; callers that come
    /// meanwhile wait for it.
    private func upgradeIfPending() throws(StorageError) {
        guard isUpgradePending else { return }
        try upgradeLock.withLock { (_) throws(StorageError) in
            guard isUpgradePending, let writer else { return }
            try Schema.migrate(writer)
            upgradePending.store(false, ordering: .releasing)
        }
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
                try? await Task.sleep(for: .milliseconds(Int.random(in: Self.retryPauseMilliseconds) << attempt))
            }
        }
    }
}

/// Work handed to a queue, run once and released as soon as it has run (``SQLiteStorage/onQueue(_:_:)``).
private final class PendingWork<T: Sendable>: @unchecked Sendable {
    // @unchecked: `work` is read and cleared once, by the one block that runs it.
    private var work: (@Sendable () throws -> T)?

    init(_ work: @escaping @Sendable () throws -> T) { self.work = work }

    /// Runs the work and drops it (with everything it holds) before returning its outcome.
    func run() -> Result<T, any Error> {
        guard let work else { return .failure(StorageError.failure("work ran twice")) }
        self.work = nil
        return Result { try work() }
    }
}

/// A task executor on a concurrent dispatch queue of the adapter's own: the jobs of the tasks
/// that prefer it (``SQLiteStorage/preferredExecutor``) run there, where blocking in SQLite is
/// allowed, since no thread of the cooperative pool waits (docs/contract.md §7). A job can tell
/// it runs there (``isCurrent``) through the queue's specific value.
final class BlockingExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the queue is thread-safe and the rest is immutable.
    private let queue: DispatchQueue
    private static let key = DispatchSpecificKey<ObjectIdentifier>()

    init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
        queue.setSpecific(key: Self.key, value: ObjectIdentifier(self))
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Whether the calling code runs on this executor's queue.
    var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.key) == ObjectIdentifier(self) }
}

/// Watches the writer connection for a committed change of `vault_header`. Used only on the
/// writer's serial queue (GRDB calls the observer there, and ``SQLiteStorage/write(_:)`` reads
/// it there), hence `@unchecked Sendable`.
private final class HeaderWrites: TransactionObserver, @unchecked Sendable {
    private var changed = false
    private var committed = false

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "vault_header" }
    func databaseDidChange(with event: DatabaseEvent) { changed = true }
    func databaseDidCommit(_ db: Database) {
        committed = committed || changed
        changed = false
    }
    func databaseDidRollback(_ db: Database) { changed = false }

    /// Whether a header change was committed since the last call.
    func takeChange() -> Bool {
        defer { committed = false }
        return committed
    }
}
