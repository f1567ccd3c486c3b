public import PasswordVault
import PostgresNIO

/// A ``VaultStorage`` on PostgreSQL, through postgres-nio (docs/contract.md §14, docs/storage.md):
/// any number of hosts may open one database and write at once.
///
/// Every ``commit(_:)`` is one transaction at PostgreSQL's default isolation (read committed),
/// made safe by row locks taken in one fixed order — the header row, the entry row, the access
/// requests, the audit trail's head:
/// - a write that sealed under header generation *g* holds the header row `FOR SHARE` while it
///   checks *g* and until it commits, and a header write holds it `FOR UPDATE`: a rotation or a
///   passphrase change on another host waits for the writes in flight, and a write that comes
///   after it finds the new generation and is refused (``StorageError/staleHeader``), so the
///   engine reloads the header and seals again. No secret is ever stored under a dropped key.
/// - replaces and deletes are compare-and-sets on the version (`WHERE version = $n`): a lost race
///   updates no row, which is ``StorageError/conflict``;
/// - the audit head is locked `FOR UPDATE`, compared, and moved with the records.
///
/// Identifiers come from sequences, never reused. A connection lost mid-request fails that request
/// (the server rolls its transaction back) and the next request opens a new one.
///
/// ```swift
/// let storage = try await PostgresStorage.open(
///     PostgresConfiguration(url: "postgres://vault@db.internal/vault"), password: password)
/// let vault = try await Vault.open(storage: storage, passphrase: passphrase)
/// ```
public final class PostgresStorage: VaultStorage {
    /// The server, as errors name it (never with the password).
    public let server: String
    /// What the storage was opened with (the password included: it is the caller's own).
    public let configuration: PostgresConfiguration
    let pool: ConnectionPool
    let logger: Logger

    private init(configuration: PostgresConfiguration, logger: Logger) {
        server = configuration.server
        self.configuration = configuration
        self.logger = logger
        pool = ConnectionPool(configuration, logger: logger)
    }

    /// Connects, checks the database (refusing another application's or a newer PasswordVault's
    /// schema, untouched) and builds or upgrades the schema in one transaction.
    /// - Parameter password: the role's password, overriding the configuration's.
    /// - Throws: ``StorageError`` naming the server: unreachable within the connect timeout,
    ///   authentication failed, no such database, a foreign or newer schema.
    public static func open(
        _ configuration: PostgresConfiguration, password: String? = nil
    ) async throws(StorageError) -> PostgresStorage {
        var configuration = configuration
        if let password { configuration.password = password }
        var logger = Logger(label: "PasswordVault.PostgresStorage")
        // postgres-nio logs statements at debug and trace level; nothing of ours is logged.
        logger.logLevel = .critical
        let storage = PostgresStorage(configuration: configuration, logger: logger)
        let connection: PostgresConnection
        do {
            connection = try await storage.pool.lease()
        } catch {
            await storage.pool.close()
            throw error
        }
        do {
            try await PostgresSchema.migrate(
                connection, schema: configuration.schema, logger: logger, server: storage.server)
        } catch {
            await storage.pool.release(connection, reusable: false)
            await storage.pool.close()
            throw error
        }
        await storage.pool.release(connection, reusable: true)
        return storage
    }

    /// Closes the connections; the storage refuses every later call.
    public func close() async {
        await pool.close()
    }

    // MARK: Running statements

    /// Runs `body` on a leased connection, outside a transaction (one statement: its own).
    func read<R: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> R
    ) async throws(StorageError) -> R {
        let connection = try await pool.lease()
        do {
            let result = try await body(connection, logger)
            await pool.release(connection, reusable: true)
            return result
        } catch {
            await pool.release(connection, reusable: !connection.isClosed)
            throw PostgresErrors.storageError(error, server: server)
        }
    }

    /// Runs `body` in a transaction: `COMMIT` when it returns, `ROLLBACK` when it throws (its
    /// ``StorageError``s are rethrown as they are). A connection whose rollback failed, or that
    /// broke, is not reused.
    func transaction<R: Sendable>(
        _ body: (PostgresConnection, Logger) async throws -> R
    ) async throws(StorageError) -> R {
        let connection = try await pool.lease()
        do {
            try await connection.query("BEGIN", logger: logger)
            let result = try await body(connection, logger)
            try await connection.query("COMMIT", logger: logger)
            await pool.release(connection, reusable: true)
            return result
        } catch {
            var reusable = !connection.isClosed
            if reusable {
                do { try await connection.query("ROLLBACK", logger: logger) } catch { reusable = false }
            }
            await pool.release(connection, reusable: reusable)
            throw PostgresErrors.storageError(error, server: server)
        }
    }
}

extension PostgresConnection {
    /// Runs `sql` with `binds`; the rows.
    @discardableResult
    func rows(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), logger: Logger) async throws
        -> [PostgresRow]
    {
        try await query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
    }
}
