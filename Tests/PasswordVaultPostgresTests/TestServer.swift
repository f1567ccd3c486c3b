import Foundation
import PasswordVault
import PasswordVaultPostgres
import PostgresNIO
import StorageConformance
import Synchronization
import Testing

/// The throw-away PostgreSQL server that `make test` starts (Tools/with-pg-cluster.sh): its Unix
/// socket folder is in `PWVAULT_TEST_PG_SOCKET`, role and database `pwvault_test`, trust login.
/// Without it every test here fails (never skips), saying how to run them.
enum TestServer {
    struct NotStarted: Error, CustomStringConvertible {
        var description: String {
            "PWVAULT_TEST_PG_SOCKET is not set: run these tests through `make test`, or as "
                + "`Tools/with-pg-cluster.sh swift test --filter PasswordVaultPostgresTests`"
        }
    }

    static func socketFolder() throws -> String {
        guard let folder = ProcessInfo.processInfo.environment["PWVAULT_TEST_PG_SOCKET"], !folder.isEmpty else {
            throw NotStarted()
        }
        return folder
    }

    /// The test database, in a schema of its own (so each test starts from an empty vault).
    static func configuration(schema: String? = freshSchema()) throws -> PostgresConfiguration {
        PostgresConfiguration(
            endpoint: .unixSocket(folder: try socketFolder(), port: 5432), username: "pwvault_test",
            database: "pwvault_test", connectTimeout: .seconds(5), schema: schema)
    }

    /// A schema name used by no other test: `t_<pid>_<counter>_<random>`.
    static func freshSchema() -> String {
        "t_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))_\(counter.next())"
    }

    private static let counter = Counter()

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    /// A new, empty storage in a fresh schema.
    static func freshStorage() async throws -> PostgresStorage {
        try await PostgresStorage.open(try configuration())
    }
}

extension TestServer {
    /// A connection as the cluster's superuser (`postgres`, trust on the socket) to the test
    /// database, in `schema`: for the fault tests' locks and `pg_terminate_backend`.
    static func adminConnection(folder: String? = nil, schema: String?) async throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(
            unixSocketPath: "\(try folder ?? socketFolder())/.s.PGSQL.5432", username: "postgres", password: nil,
            database: "pwvault_test")
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        return try await PostgresConnection.connect(
            configuration: configuration, id: 0, logger: Logger(label: "PasswordVaultPostgresTests.admin"))
    }

    /// Waits until backend `pid` waits for a lock (a request of ours blocked mid-transaction).
    /// Polls; gives up (throws) only after minutes, as a hung test would.
    static func waitUntilBlocked(_ pid: Int32, admin: PostgresConnection) async throws {
        for _ in 0..<12_000 {
            let rows = try await admin.query(
                "SELECT 1 FROM pg_stat_activity WHERE pid = \(pid) AND wait_event_type = 'Lock'",
                logger: Logger(label: "PasswordVaultPostgresTests.admin")
            ).collect()
            if !rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw NeverBlocked()
    }

    struct NeverBlocked: Error {}
}

extension PostgresTestCluster {
    /// Its test database, through a pool of one connection.
    var configuration: PostgresConfiguration {
        PostgresConfiguration(
            endpoint: .unixSocket(folder: folder, port: 5432), username: "pwvault_test", database: "pwvault_test",
            connectTimeout: .seconds(5), maximumConnections: 1)
    }
}
